"""The matching rule: how a passage "matches" a gold quote. Every metric that asks "is this the
gold evidence?" uses `matches`, so one rule decides.

Gold quotes are copied from the documents as a reader sees them; passages come from the index,
where ingest has cleaned the PDF text (hyphen breaks joined, page numbers and footnote digits
removed, curly quotes kept or straightened). Both are therefore compared on a canonical form,
`normalise(text)`:

1. superscript digits are dropped and the text is NFKC-folded ("ﬁ" -> "fi") and lowercased;
2. curly quotes and dashes become plain ones; apostrophes inside words are dropped
   ("children’s" -> "childrens");
3. a hyphen between letters is dropped, with any line break after it ("multi-\\nagency" and
   "multi-agency" -> "multiagency");
4. a footnote number (1-3 digits) glued to a word of 3+ letters or its punctuation is dropped
   ("borough.1 This" -> "borough this"; "M62" is kept);
5. everything but letters and digits becomes a single space.

A passage matches a quote when, after normalising both,

* the quote occurs in the passage as a run of whole words, or
* the passage covers most of the quote: at least `threshold` (default 0.8) of the quote's word
  4-grams occur in the passage; for a quote under 8 words, whose 4-grams are too few to share,
  the longest common subsequence of its words with a window of the passage a few words longer
  than the quote covers at least `threshold` of its words. The window keeps a short quote from
  "matching" words scattered across a long passage.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

DEFAULT_THRESHOLD = 0.8

_SUPERSCRIPTS = str.maketrans("", "", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_PLAIN = str.maketrans(
    {
        "‘": "'",
        "’": "'",
        "‚": "'",
        "‛": "'",
        "′": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "‐": "-",
        "‑": "-",
        "‒": "-",
        "–": "-",
        "—": "-",
        "―": "-",
        "−": "-",
        "\u00ad": "",
    }
)  # a soft hyphen is a PDF line-break artefact
_APOSTROPHE = re.compile(r"(?<=[^\W\d_])'(?=[^\W\d_])")
_HYPHEN_JOIN = re.compile(r"(?<=[^\W\d_])-\s*(?=[^\W\d_])")
# A footnote number follows a word of 3+ letters or its punctuation; "M62", "Y6" are kept.
_FOOTNOTE = re.compile(r"(?<=[^\W\d_]{3})([.,;:)]?)\d{1,3}(?=\s|$)")
_NON_WORD = re.compile(r"[\W_]+")


@lru_cache(maxsize=65536)
def normalise(text: str) -> str:
    """The canonical form gold quotes and passages are compared on (see the module docstring).

    Args:
        text: any text: a gold quote, a passage, an answer sentence, a key fact.

    Returns:
        Lowercase letters and digits separated by single spaces; "" when there are none.
    """
    text = unicodedata.normalize("NFKC", text.translate(_SUPERSCRIPTS)).lower().translate(_PLAIN)
    text = _APOSTROPHE.sub("", text)
    text = _HYPHEN_JOIN.sub("", text)
    text = _FOOTNOTE.sub(r"\1", text)
    return _NON_WORD.sub(" ", text).strip()


def contains(haystack: str, needle: str) -> bool:
    """Whole-word containment of normalised texts ("12" is not found in "2012")."""
    return bool(needle) and f" {needle} " in f" {haystack} "


def _grams(words: Sequence[str], n: int) -> list[tuple[str, ...]]:
    return [tuple(words[i : i + n]) for i in range(len(words) - n + 1)]


def _lcs(a: Sequence[str], b: Sequence[str]) -> int:
    """Length of the longest common subsequence of two short word lists."""
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0]
        for j, y in enumerate(b):
            cur.append(prev[j] + 1 if x == y else max(prev[j + 1], cur[j]))
        prev = cur
    return prev[-1]


@lru_cache(maxsize=65536)
def matches(quote: str, passage: str, threshold: float = DEFAULT_THRESHOLD) -> bool:
    """Whether `passage` holds the gold `quote`, by the rule of the module docstring.

    Args:
        quote: a gold quote as written in the question set.
        passage: a retrieved or cited passage.
        threshold: the share of the quote's 4-grams (or, under 8 words, of its words in order)
            the passage must cover when the quote is not found whole.

    Returns:
        True when the passage matches; False for an empty quote or passage.
    """
    q, p = normalise(quote), normalise(passage)
    if not q or not p:
        return False
    if contains(p, q):
        return True
    qw, pw = q.split(), p.split()
    if len(qw) >= 8:
        grams = set(_grams(pw, 4))
        quote_grams = _grams(qw, 4)
        return sum(g in grams for g in quote_grams) >= threshold * len(quote_grams)
    need = math.ceil(threshold * len(qw) - 1e-9)
    missing = len(qw) - need
    firsts = set(qw[: missing + 1])  # the first matched word is one of these
    window = len(qw) + 3  # room for a stray page number or footnote between quote words
    for start, word in enumerate(pw):
        if word in firsts and _lcs(qw, pw[start : start + window]) >= need:
            return True
    return False
