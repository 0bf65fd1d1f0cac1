"""Check a generated sentence against the passage it cites, before it is shown.

A sentence written by a language model is shown only when the passage (or passages) its
markers [n] point at supports it:

1. it cites: at least one marker, each naming a passage that was offered (a sentence without
   one is given the offered passage closest in meaning, unless `verify_cite_missing` is off);
2. its facts stand in the passage: every figure (digits or a number word), month and name
   (a capitalised word past the sentence's first, an acronym) appears in the cited passage or
   its document's title, and every word of status ("completed", "pending", "published") in
   the passage;
3. its words are the passage's: the share of its content words (stemmed, stop words left out)
   that the passage holds reaches `verify_min_overlap`;
4. its meaning is close: its embedding (the project's all-MiniLM-L6-v2, as retrieval uses)
   reaches `verify_min_similarity` in cosine with some sentence, or pair of adjacent sentences,
   of the passage; and it does not deny what that sentence says, or assert what it denies.

The passage sentences that back a verified sentence are returned, so the chat can highlight
them as it does a quote. The thresholds are in settings and were tuned on the tuning part of
the project's question set only (scripts/tune_verify.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from assistant.core.dates import MONTHS
from assistant.core.embed import embed
from assistant.core.settings import Settings
from assistant.core.text import sentence_spans, terms, words
from assistant.core.types import Chunk
from assistant.store import Index

MARKERS = re.compile(r"\s*\[(\d{1,3}(?:\s*,\s*\d{1,3})*)\]")
_FIGURE = re.compile(r"\d[\d,]*(?:\.\d+)?")
_MONTHS = tuple(m.lower() for m in MONTHS)
_NUMBER_WORDS = {
    w: str(i)
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen twenty".split()
    )
}
_NAME = re.compile(r"\b[A-Z][A-Za-z'’-]*[A-Za-z]\b|\b[A-Z]{2,}\b")
# Capitalised words that name nothing: a sentence may open with them or use them anywhere.
_NOT_NAMES = frozenset(
    "i the a an this that these those it its they their there he she we our you however "
    "also overall in on at of for to and but or by from with as".split()
)
# Words that state where a thing stands (an action plan's status, a service's state): a claim
# like a figure, so the passage must use the word too (stemmed) for a sentence to say it.
_STATUS = frozenset(
    terms(
        "completed finished done achieved published launched started began ended closed "
        "pending ongoing delayed overdue suspended cancelled postponed agreed approved "
        "implemented revised reviewed embedded established commissioned decommissioned"
    )
)
_NEGATION = re.compile(r"\b(?:not|no|never|none|nor|without|cannot|unable|lack(?:s|ed|ing)?)\b|n't\b", re.I)
# Where a generated sentence ends: at . ! ? (after its markers, if any) before a space and a
# capital, digit or quote; or right after a marker group followed by a new sentence.
_END = re.compile(
    r"(?:[.!?][\"'”’)]*(?:\s*\[\d{1,3}(?:\s*,\s*\d{1,3})*\])*|\[\d{1,3}(?:\s*,\s*\d{1,3})*\][.!?]?)"
    r"(?=\s+[\"“‘(]?[A-Z0-9])"
)


@dataclass(frozen=True)
class Source:
    """A passage offered to the model under marker [n]: its text, sentences and their vectors."""

    n: int
    chunk: Chunk
    text: str  # what the model was shown (the passage, perhaps cut around its cited sentences)
    sentences: tuple[str, ...]  # the whole passage's
    vectors: np.ndarray  # one unit row per sentence


@dataclass(frozen=True)
class Check:
    """The verdict on one generated sentence."""

    sentence: str  # without its markers
    cites: tuple[int, ...]
    supported: bool
    reason: str  # why it was dropped; "" when supported
    similarity: float = 0.0
    overlap: float = 0.0
    support: tuple[str, ...] = ()  # the passage sentences that back it, verbatim


def split_generated(text: str) -> tuple[list[str], str]:
    """Complete sentences of streamed text (markers kept with their sentence), and the rest.

    The rest is what may still be growing; call again with more text, or treat it as the last
    sentence when the stream has ended.
    """
    pieces, start = [], 0
    for match in _END.finditer(text):
        piece = text[start : match.end()].strip()
        if piece:
            pieces.append(piece)
        start = match.end()
    return pieces, text[start:]


def markers(sentence: str) -> tuple[tuple[int, ...], str]:
    """The citation numbers of a sentence, and its text without them ("x [1]." -> "x.")."""
    cites = tuple(dict.fromkeys(int(n) for group in MARKERS.findall(sentence) for n in re.split(r"\s*,\s*", group)))
    body = re.sub(r"\s+([.,;:!?])", r"\1", MARKERS.sub("", sentence)).strip()
    return cites, body


def source(n: int, chunk: Chunk, text: str, index: Index | None) -> Source:
    """A passage ready for checking: the whole passage's sentences (a sentence is checked
    against the passage its citation shows, not only the part the model was shown), with
    their vectors from the index when it has them (made at ingest), else embedded now."""
    stored = index.passages.get(chunk.passage_id) if index is not None else None
    if index is not None and stored is not None and stored.rows:
        sentences = tuple(chunk.passage[a:b] for a, b in stored.spans)
        vectors = index.sentence_vectors[stored.rows]
    else:
        sentences = tuple(chunk.passage[a:b] for a, b in sentence_spans(chunk.passage)) or (chunk.passage,)
        vectors = embed(list(sentences))
    return Source(n, chunk, text, sentences, np.asarray(vectors, dtype=np.float32))


def check(sentence: str, sources: Mapping[int, Source], settings: Settings, vector: np.ndarray | None = None) -> Check:
    """Whether `sentence` (with its markers) is supported by the passages it cites.

    Args:
        sentence: one generated sentence, markers included.
        sources: the passages offered to the model, by marker number.
        settings: verify_min_similarity and verify_min_overlap.
        vector: the sentence's embedding without markers, when the caller has it.
    Returns:
        A `Check`: supported or not, why not, and the passage sentences that back it.
    """
    cites, body = markers(sentence)
    if not cites and settings.verify_cite_missing and sources and body:
        vector = body_vector = vector if vector is not None else embed([body])[0]
        # A small model often leaves markers out: cite the passage the sentence is closest to,
        # then hold it to the same checks as a sentence that cited it.
        cites = (max(sources, key=lambda n: _closest(body_vector, [sources[n]])[0]),)
    if not cites:
        return Check(body, cites, False, "cites no passage")
    unknown = [n for n in cites if n not in sources]
    if unknown:
        return Check(body, cites, False, f"cites [{unknown[0]}], which was not offered")
    cited = [sources[n] for n in cites]
    haystack = " ".join(s.chunk.passage for s in cited)
    titles = " ".join(f"{s.chunk.title} {s.chunk.local_authority} {s.chunk.publisher}" for s in cited)
    missing = missing_facts(body, haystack, titles)
    if missing:
        return Check(body, cites, False, f"{missing} is not in the cited passage")
    own = set(terms(body))
    status = sorted((own & _STATUS) - set(terms(haystack)))
    if status:
        return Check(body, cites, False, f"the status '{status[0]}' is not in the cited passage")
    overlap = len(own & set(terms(haystack + " " + titles))) / len(own) if own else 0.0
    if vector is None:
        vector = embed([body])[0]
    similarity, support = _closest(vector, cited)
    if overlap < settings.verify_min_overlap:
        return Check(
            body, cites, False, f"too few of its words are in the passage ({overlap:.2f})", similarity, overlap, support
        )
    if similarity < settings.verify_min_similarity:
        return Check(
            body,
            cites,
            False,
            f"its meaning is too far from the passage ({similarity:.2f})",
            similarity,
            overlap,
            support,
        )
    if bool(_NEGATION.search(body)) != any(_NEGATION.search(s) for s in support):
        return Check(body, cites, False, "it says the opposite of the passage", similarity, overlap, support)
    return Check(body, cites, True, "", similarity, overlap, support)


def missing_facts(sentence: str, passage: str, titles: str = "") -> str:
    """The first figure, month or name of `sentence` not found in `passage` (or the titles), or ""."""
    where = passage + " " + titles
    figures = {_figure(f) for f in _FIGURE.findall(where)}
    for figure in _FIGURE.findall(sentence):
        if _figure(figure) and _figure(figure) not in figures:
            return figure.rstrip(",.")
    known = set(words(where))
    for word in words(sentence):
        if word in _MONTHS and word not in known:
            return word.capitalize()
        if word in _NUMBER_WORDS and word != "one" and word not in known and _NUMBER_WORDS[word] not in figures:
            return word
    for match in _NAME.finditer(sentence):
        name = match.group(0)
        first = not sentence[: match.start()].strip(" \"'“‘(")
        if name.lower() in _NOT_NAMES or (first and not name.isupper()):
            continue
        if not all(part in known for part in words(name)):
            return name
    return ""


def _figure(text: str) -> str:
    """A figure as compared: no thousands commas, no trailing stop ("1,200." -> "1200")."""
    return text.replace(",", "").rstrip(".")


def _closest(vector: np.ndarray, cited: Iterable[Source]) -> tuple[float, tuple[str, ...]]:
    """Best cosine of `vector` with a sentence, or two adjacent sentences, of the cited passages,
    and those sentences."""
    best = -1.0
    support: tuple[str, ...] = ()
    for src in cited:
        if not len(src.vectors):
            continue
        singles = src.vectors @ vector
        i = int(np.argmax(singles))
        if singles[i] > best:
            best, support = float(singles[i]), (src.sentences[i],)
        if len(src.vectors) > 1:
            pairs = src.vectors[:-1] + src.vectors[1:]
            pairs /= np.linalg.norm(pairs, axis=1, keepdims=True) + 1e-9
            scores = pairs @ vector
            j = int(np.argmax(scores))
            if scores[j] > best:
                best, support = float(scores[j]), (src.sentences[j], src.sentences[j + 1])
    return best, support
