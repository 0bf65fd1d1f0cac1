"""Answer metrics: what an answer's sentences, markers and citations say against the gold.
Each is None when what it needs is missing (no key facts, no gold quotes, no sentence to judge)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from evals.metrics.matching import DEFAULT_THRESHOLD, contains, matches, normalise


@dataclass(frozen=True)
class Sentence:
    """One sentence of an answer with its [n] markers stripped, and the markers' numbers."""

    text: str
    markers: tuple[int, ...]


_MARKER = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")
# A sentence ends at . ! or ? (after any closing quote and any [n] markers) when whitespace and
# something other than a lowercase letter follow, so "e.g. the" and "3.5" do not split.
_SENTENCE_END = re.compile(r"[.!?][\"'”’)]*(?:\s*\[\d+(?:\s*,\s*\d+)*\])*(?=\s+[^\sa-z]|\s*$)")


def strip_markers(text: str) -> str:
    """The text without its [n] citation markers."""
    text = re.sub(r"[ \t]+", " ", _MARKER.sub("", text))
    return re.sub(r" (?=[.,;:!?])", "", text).strip()  # "monthly [1]." -> "monthly."


# A line that opens a document's part of an answer, "From the action plan (22 September 2020):",
# is made from the citation's own title and date, not a claim from a passage: not judged.
ATTRIBUTION = re.compile(r"^From .{3,200} \((?:\d{1,2} [A-Z][a-z]+ \d{4}|undated)\):$")
# A marker group ends a sentence: the composer writes each sentence, then its marker, then the
# next sentence, even where the source (a table cell) has no full stop.
_AFTER_MARKERS = re.compile(r"\[\d+(?:\s*,\s*\d+)*\](?:\s*\[\d+(?:\s*,\s*\d+)*\])*[.!?]?(?=\s+\S)")
_LIST_NUMBER = re.compile(r"^\d{1,2}[.)]\s+")


def split_sentences(text: str) -> list[tuple[int, Sentence]]:
    """The sentences of an answer with their markers, each with the index of its line.

    In a line with markers, a sentence is the text up to each marker group; in a line without,
    a sentence ends at a full stop (or ! ?) followed by a capital.
    Attribution lines ("From the action plan (22 September 2020):") are left out.

    Args:
        text: the answer text with [n] markers.

    Returns:
        (line index, Sentence) pairs in order. Fragments without a letter ("1.", "[2]") are not
        sentences and are left out.
    """
    out: list[tuple[int, Sentence]] = []
    for line_no, line in enumerate(text.splitlines()):
        if ATTRIBUTION.match(line.strip()):
            continue
        # With markers, the text up to each marker group is what that marker vouches for
        # (judged whole: any part of it missing from the passage fails it). Without, sentences.
        if _MARKER.search(line):
            pieces = _split_after(line, _AFTER_MARKERS)
        else:
            pieces = _split_after(line, _SENTENCE_END)
        for piece in pieces:
            body = _LIST_NUMBER.sub("", strip_markers(piece))  # "1. Next item": the number is no claim
            if not any(ch.isalpha() for ch in body):
                continue
            nums = tuple(int(n) for group in _MARKER.findall(piece) for n in re.split(r"\s*,\s*", group))
            out.append((line_no, Sentence(body, nums)))
    return out


def _split_after(text: str, pattern: re.Pattern[str]) -> list[str]:
    pieces, start = [], 0
    for m in pattern.finditer(text):
        pieces.append(text[start : m.end()])
        start = m.end()
    pieces.append(text[start:])
    return pieces


def answer_words(text: str) -> int:
    """Length of an answer in words, markers not counted."""
    return len(strip_markers(text).split())


def key_fact_recall(answer_text: str, key_facts: Sequence[str]) -> float | None:
    """Share of key facts that occur, normalised and as whole words, in the answer.

    Args:
        answer_text: the answer (markers are ignored).
        key_facts: short strings a correct answer must contain.

    Returns:
        A share in [0, 1]; None when the question has no key facts.
    """
    if not key_facts:
        return None
    answer = normalise(strip_markers(answer_text))
    return sum(contains(answer, normalise(f)) for f in key_facts) / len(key_facts)


def groundedness(answer_text: str, cited: Mapping[int, Sequence[str]], *, abstained: bool = False) -> float | None:
    """Share of answer sentences found, normalised, in a passage cited by a marker on that sentence.

    A sentence without a marker is ungrounded. When the answer is flagged `abstained`, the
    unmarked sentences of its first line are the "documents do not cover this" boilerplate and
    are not judged; without the flag nothing is excused.

    Args:
        answer_text: the answer with [n] markers.
        cited: citation number -> the passage text(s) it points at.
        abstained: the answer's abstained flag.

    Returns:
        A share in [0, 1]; None when there is no sentence to judge (an empty answer, or an
        abstention that is only boilerplate).
    """
    judged = grounded = 0
    for line_no, sentence in split_sentences(answer_text):
        if abstained and line_no == 0 and not sentence.markers:
            continue
        judged += 1
        text = normalise(sentence.text)
        passages = [p for n in sentence.markers for p in cited.get(n, ())]
        if text and any(contains(normalise(p), text) for p in passages):
            grounded += 1
    return grounded / judged if judged else None


def citation_precision(
    cited_passages: Sequence[str], gold_quotes: Sequence[str], *, threshold: float = DEFAULT_THRESHOLD
) -> float | None:
    """Share of citations whose passage matches a gold quote.

    Args:
        cited_passages: the passage text of each citation.
        gold_quotes: the question's gold quotes.
        threshold: matching threshold (see `matches`).

    Returns:
        A share in [0, 1]; None when there are no gold quotes or no citations.
    """
    if not gold_quotes or not cited_passages:
        return None
    return sum(any(matches(q, p, threshold) for q in gold_quotes) for p in cited_passages) / len(cited_passages)


def abstention_correct(abstained: bool | None, answerable: bool | None) -> float | None:
    """1.0 when an unanswerable question was declined, 0.0 when it was answered; None otherwise."""
    if answerable is not False or abstained is None:
        return None
    return 1.0 if abstained else 0.0


def false_abstention(abstained: bool | None, answerable: bool | None) -> float | None:
    """1.0 when an answerable question was declined, 0.0 when it was answered; None otherwise."""
    if answerable is not True or abstained is None:
        return None
    return 1.0 if abstained else 0.0
