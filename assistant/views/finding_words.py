"""The words a finding and a plan row are compared by: search terms, and the taxonomy's
`[vocabulary]` (data), through which an abbreviation and the words it stands for count as one
word ("CAMHS" in a finding, "specialist mental health services" in a row)."""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.core.taxonomy import load_taxonomy
from assistant.core.text import stem, terms
from assistant.store import Index

_VOCABULARY_PREFIX = "="  # opens the word an abbreviation and its long forms count as (no text word holds it)


@lru_cache(maxsize=1)
def _vocabulary() -> tuple[tuple[re.Pattern[str], tuple[str, ...], str], ...]:
    """The taxonomy's `[vocabulary]`: per abbreviation, a pattern finding it as written, the words
    it stands for (normalised, space-padded) and the one word both count as."""
    return tuple(
        (
            re.compile(r"(?<![\w&])" + re.escape(short) + r"(?![\w&])"),
            tuple(f" {_plain_words(long)} " for long in longs),
            _VOCABULARY_PREFIX + short.lower(),
        )
        for short, longs in load_taxonomy().vocabulary
    )


def _plain_words(text: str) -> str:
    """Lower-case words separated by single spaces ("Well-being" -> "well being")."""
    return " ".join(re.findall(r"[a-z0-9]+", text.lower().replace("’", "'").replace("'", "")))


def words(text: str) -> set[str]:
    """A text's search terms and the vocabulary words it uses, as an abbreviation or spelt out."""
    found = set(terms(text))
    plain = f" {_plain_words(text)} "
    for pattern, longs, word in _vocabulary():
        if pattern.search(text) or any(long in plain for long in longs):
            found.add(word)
    return found


def finding_idf(index: Index) -> dict[str, float]:
    """The index's idf, with each vocabulary word weighted as its abbreviation is (or, when the
    corpus never writes it, as the rarest word of its long forms); kept per generation."""
    return index.derived("trace.idf", lambda: _idf(index))


def _idf(index: Index) -> dict[str, float]:
    idf = dict(index.lexical.idf)
    for _, longs, word in _vocabulary():
        short = word[len(_VOCABULARY_PREFIX) :]
        spelt = [idf.get(t, 0.0) for long in longs for t in terms(long)]
        idf[word] = idf.get(stem(short)) or idf.get(short) or max(spelt, default=0.0)
    return idf
