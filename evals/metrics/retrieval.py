"""Retrieval metrics: each takes the ranked passages and the gold quotes; None when there is no gold."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from evals.metrics.matching import DEFAULT_THRESHOLD, matches

RANK_CUTOFF = 10  # MRR and nDCG look at the top 10 whatever k is


@dataclass(frozen=True)
class Passage:
    """A retrieved or cited passage: its text and the document it comes from.

    Relevance is decided on the text alone: gold is text, never chunk or document ids, so a
    re-chunked index is scored the same way (DESIGN.md). `doc_id` travels along for reports.
    """

    text: str
    doc_id: str = ""


def _covered(passages: Sequence[Passage], gold_quotes: Sequence[str], threshold: float) -> list[set[int]]:
    """Per ranked passage, the gold quotes (by index) it matches."""
    return [{i for i, q in enumerate(gold_quotes) if matches(q, p.text, threshold)} for p in passages]


def hit_at(
    passages: Sequence[Passage], gold_quotes: Sequence[str], k: int, *, threshold: float = DEFAULT_THRESHOLD
) -> float | None:
    """1.0 when some passage in the top `k` matches a gold quote, else 0.0.

    Args:
        passages: retrieved passages, best first.
        gold_quotes: the question's gold quotes.
        k: how many of the top passages count.
        threshold: matching threshold (see `matches`).

    Returns:
        1.0 or 0.0; None when there are no gold quotes.
    """
    if not gold_quotes:
        return None
    return 1.0 if any(_covered(passages[:k], gold_quotes, threshold)) else 0.0


def mrr(
    passages: Sequence[Passage],
    gold_quotes: Sequence[str],
    k: int = RANK_CUTOFF,
    *,
    threshold: float = DEFAULT_THRESHOLD,
) -> float | None:
    """Reciprocal rank of the first passage in the top `k` that matches a gold quote.

    Args:
        passages: retrieved passages, best first.
        gold_quotes: the question's gold quotes.
        k: rank cutoff (10 for MRR@10).
        threshold: matching threshold (see `matches`).

    Returns:
        1/rank, 0.0 when none of the top `k` matches; None when there are no gold quotes.
    """
    if not gold_quotes:
        return None
    for rank, covered in enumerate(_covered(passages[:k], gold_quotes, threshold), start=1):
        if covered:
            return 1.0 / rank
    return 0.0


def ndcg(
    passages: Sequence[Passage],
    gold_quotes: Sequence[str],
    k: int = RANK_CUTOFF,
    *,
    threshold: float = DEFAULT_THRESHOLD,
) -> float | None:
    """Normalised discounted cumulative gain with binary gains.

    A passage gains 1 when it matches a gold quote that no higher-ranked passage matched, so a
    duplicate of a passage (or a second window onto the same evidence) counts once and the
    score never exceeds 1. The ideal ranking puts min(number of gold quotes, k) gains first.

    Args:
        passages: retrieved passages, best first.
        gold_quotes: the question's gold quotes.
        k: rank cutoff (10 for nDCG@10).
        threshold: matching threshold (see `matches`).

    Returns:
        DCG / ideal DCG in [0, 1]; None when there are no gold quotes.
    """
    if not gold_quotes:
        return None
    seen: set[int] = set()
    dcg = 0.0
    for rank, covered in enumerate(_covered(passages[:k], gold_quotes, threshold), start=1):
        if covered - seen:
            dcg += 1.0 / math.log2(rank + 1)
        seen |= covered
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(len(gold_quotes), k) + 1))
    return dcg / ideal


def quote_recall(
    passages: Sequence[Passage], gold_quotes: Sequence[str], k: int, *, threshold: float = DEFAULT_THRESHOLD
) -> float | None:
    """Share of gold quotes matched by some passage in the top `k`.

    Args:
        passages: retrieved passages, best first.
        gold_quotes: the question's gold quotes.
        k: how many of the top passages count.
        threshold: matching threshold (see `matches`).

    Returns:
        A share in [0, 1]; None when there are no gold quotes.
    """
    if not gold_quotes:
        return None
    found = set().union(*_covered(passages[:k], gold_quotes, threshold))
    return len(found) / len(gold_quotes)
