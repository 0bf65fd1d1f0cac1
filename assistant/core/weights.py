"""The one IDF-weighted share of terms: how much of what a question (or theme, or finding) is about
a text holds, rare words counting for more than common ones.

Composition, the evidence figure, the answerability check, the brief and the trace all ask it;
they differ only in which terms they weigh and what an unseen word weighs, which the callers say.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping


def unseen_idf(n_chunks: int) -> float:
    """The IDF of a word no chunk holds, by the lexical index's own formula with a document
    frequency of 0: a word the corpus never uses weighs as the rarest possible."""
    return math.log(1 + (n_chunks + 0.5) / 0.5)


def idf_weights(terms: Iterable[str], idf: Mapping[str, float], unseen: float = 0.0) -> dict[str, float]:
    """Each distinct term (in first-seen order) with its IDF; `unseen` for a term the index lacks."""
    return {t: idf.get(t, unseen) for t in terms}


def idf_share(held: Iterable[str], weights: Mapping[str, float]) -> float:
    """The share of `weights` (term -> weight) that the terms of `held` carry, 0..1; 0 when the
    weights sum to nothing. `held` is summed in its own order, so callers that pass the same
    terms in the same order get the same float to the last bit."""
    total = sum(weights.values())
    return sum(weights[t] for t in held) / total if total else 0.0
