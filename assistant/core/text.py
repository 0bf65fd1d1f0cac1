"""Text helpers shared by ingest and answering: sentence spans, token counts, search terms.

Ingest and the answerer must cut sentences the same way: an answer sentence is quoted verbatim
from a passage, and the passage's sentences were embedded at ingest.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Abbreviations after which a full stop does not end a sentence.
_ABBREVIATIONS = {
    "e.g",
    "i.e",
    "etc",
    "no",
    "nos",
    "dr",
    "mr",
    "mrs",
    "ms",
    "st",
    "vs",
    "approx",
    "para",
    "paras",
    "ref",
    "fig",
    "cf",
    "inc",
    "ltd",
    "co",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "nb",
    "qpm",
    "prof",
    "rev",
    "wk",
    "wks",
}
_BOUNDARY = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+(?=[\"'“‘(\[•]?\s*[A-Z0-9])")
# What opens a paragraph but is not part of its first sentence: a bullet, "(2)", "5.1.14".
_LEADING = re.compile(r"^(?:•\s*|\(\d{1,2}\)\s*|\d{1,2}(?:\.\d{1,2}){1,2}\.?\s+(?=[A-Z]))")
_WORD = re.compile(r"[a-z0-9]+(?:\.[0-9]+)*", re.I)

STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had
    has have having he her here hers herself him himself his how i if in into is it its itself just
    me more most my myself no nor not now of off on once only or other our ours ourselves out over
    own same she should so some such than that the their theirs them themselves then there these
    they this those through to too under until up very was we were what when where which while who
    whom why will with would you your yours yourself yourselves s t don doesn didn isn wasn
    weren hasn haven hadn won wouldn shouldn couldn say said tell told whats what's let us please
    did does anything something also get got""".split()
)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence spans `[start, end)` of `text`, cut at paragraph breaks and sentence ends.

    A leading list bullet ("• ") or paragraph number ("5.1.14 ") is left out of the sentence,
    so a quoted sentence reads naturally, and the span still points into `text`.
    """
    spans: list[tuple[int, int]] = []
    for para in re.finditer(r"[^\n]+(?:\n(?!\n)[^\n]+)*", text):
        start = para.start()
        pieces = []
        last = 0
        body = para.group(0)
        for match in _BOUNDARY.finditer(body):
            cut = match.start()
            word = re.search(r"([A-Za-z.]+)\.$", body[last:cut])
            if word and (word.group(1).lower() in _ABBREVIATIONS or len(word.group(1)) == 1):
                continue  # "e.g. The", "St. Helens", an initial "J. Smith"
            pieces.append((last, match.end()))
            last = match.end()
        pieces.append((last, len(body)))
        for a, b in pieces:
            piece = body[a:b]
            lead = _LEADING.match(piece)
            a += lead.end() if lead else 0
            piece = body[a:b]
            a += len(piece) - len(piece.lstrip())
            b -= len(piece) - len(piece.rstrip())
            if b > a:
                spans.append((start + a, start + b))
    return spans


def split_sentences(text: str) -> list[str]:
    """The sentences of `text`, verbatim."""
    return [text[a:b] for a, b in sentence_spans(text)]


@lru_cache(maxsize=1)
def _tokenizer():
    # llama-index ships the cl100k_base file and points tiktoken at it, so this works offline.
    from llama_index.core.utils import get_tokenizer

    return get_tokenizer()


def count_tokens(text: str) -> int:
    """Length of `text` in tiktoken cl100k tokens."""
    return len(_tokenizer()(text))


def words(text: str) -> list[str]:
    """Lower-case words and numbers; references like "1.2.7" stay whole."""
    return [w.lower().rstrip(".") for w in _WORD.findall(text)]


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """A light stemmer: enough to match plurals and common verb forms, never below 4 letters."""
    if len(word) <= 4 or not word.isalpha():
        return word
    return _drop_final_e(_strip_suffix(word))


def _drop_final_e(word: str) -> str:
    # "exclude", "excluded" and "excluding" all become "exclud"; "service(s)" become "servic".
    return word[:-1] if len(word) > 4 and word.endswith("e") else word


def _strip_suffix(word: str) -> str:
    for suffix, repl in (
        ("ies", "y"),
        ("sses", "ss"),
        ("ches", "ch"),
        ("shes", "sh"),
        ("xes", "x"),
        ("ing", ""),
        ("ed", ""),
        ("s", ""),
    ):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                return word
            base = word[: len(word) - len(suffix)] + repl
            if suffix in ("ing", "ed") and len(base) >= 4 and base[-1] == base[-2] and base[-1] not in "ls":
                base = base[:-1]  # running -> run, flagged -> flag (but not "spelling", "assessed")
            return base
    return word


def terms(text: str) -> list[str]:
    """Search terms: words without stop words, lightly stemmed."""
    return [stem(w) for w in words(text) if w not in STOPWORDS]


def normalise(text: str) -> str:
    """Lower-case letters and digits separated by single spaces, for comparing quotes."""
    text = text.lower().replace("’", "'").replace("‘", "'")
    text = re.sub(r"(\w)-\s+(\w)", r"\1\2", text)
    return " ".join(re.findall(r"[a-z0-9]+", text))


# A role written after a name: "Lisa Summers, Her Majesty's Inspector", "Jo Smith HMI".
_ROLE_AFTER = re.compile(
    r"[,\s]+(?:(?:her|his) majesty['’]?s inspector|hmi|ofsted inspector|social care regulatory inspector|"
    r"lead inspector|cqc inspector)\b.*$",
    re.I,
)


def without_role(name: str) -> str:
    """A person's name without the role written after it ("Tara Geere, Her Majesty's Inspector"
    -> "Tara Geere")."""
    return _ROLE_AFTER.sub("", " ".join((name or "").split())).strip(" ,.")
