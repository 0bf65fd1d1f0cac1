"""Hybrid retrieval: dense (Chroma) and BM25, fused by reciprocal rank, one hit per passage.

The fusion rule (documented here, tuned by question type on the eval set, not per question):
each candidate chunk scores `sum(w_r / (rrf_k + rank_r))` over three rankings r:
  1. dense: cosine of the question's embedding to the chunk's, from Chroma;
  2. lexical: BM25 over chunk text, section and reference, with the question's acronyms and
     their expansions from the corpus glossary added both ways;
  3. sentence: the best cosine between the question and any one sentence of the chunk's
     passage (precomputed at ingest), which finds a passage by its single most relevant line.
Pieces of one passage are collapsed to the best. A question that names an action reference
("action 2.2.2", "what's 1.2.7?") puts that action's row first; one that names a numbered
paragraph or recommendation ("para 8.4", "recommendation 15.7") lifts the passages with it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from assistant.embed import embed
from assistant.settings import Settings
from assistant.store import Index, open_index
from assistant.text import normalise, terms, words
from assistant.types import Filters, Hit, date_as_int

_ACTION_REF = re.compile(r"(?<![\d.])([1-9]\.\d{1,2}\.\d{1,2})(?![\d.]*\d)")
_PARA_REF = re.compile(r"(?<![\d.])(\d{1,2}\.\d{1,2})(?![.]?\d)")


@dataclass
class Query:
    """A question prepared for search: its embedding, weighted terms and references."""

    text: str
    vector: np.ndarray
    terms: list[str]
    expansions: list[str]
    action_refs: list[str]
    para_refs: list[str]


def prepare(question: str, index: Index) -> Query:
    """Expand acronyms both ways, find references, embed once."""
    expansions = expand_acronyms(question, index.glossary)
    dense_text = question + (" (" + "; ".join(expansions) + ")" if expansions else "")
    action_refs = [r for r in _ACTION_REF.findall(question) if r in index.actions]
    para_refs = [r for r in _PARA_REF.findall(question) if not any(a.startswith(r + ".") for a in action_refs)]
    query_terms = terms(question) + [t for e in expansions for t in terms(e)]
    return Query(question, embed([dense_text])[0], query_terms, expansions, action_refs, para_refs)


def expand_acronyms(question: str, glossary: dict[str, list[str]]) -> list[str]:
    """The expansions of acronyms in the question, and the acronyms of expansions in it."""
    found: list[str] = []
    upper = {w.upper() for w in re.findall(r"[A-Za-z]{2,8}", question)}
    norm = f" {normalise(question)} "
    for acronym, expansions in glossary.items():
        if acronym in upper or acronym + "S" in upper:
            found.append(expansions[0])
        elif any(f" {normalise(e)} " in norm for e in expansions[:3]):
            found.append(acronym)
    return found


def retrieve(question: str, *, filters: Filters | None = None, settings: Settings | None = None,
             index: Index | None = None, k: int | None = None, query: Query | None = None) -> list[Hit]:
    """The passages most likely to answer `question`, best first.

    Args:
        question: the (resolved) question.
        filters: restrict to documents, types or a date range.
        settings: defaults from the environment when None.
        index: an open index (the live one when None).
        k: how many passages (settings.top_k when None).
        query: a prepared query, to reuse its embedding.
    Returns:
        Up to k hits, one per passage.
    """
    settings = settings or Settings.from_env()
    index = index or open_index(settings)
    k = k or settings.top_k
    filters = filters or Filters()
    query = query or prepare(question, index)
    allowed = None if filters.is_empty() else {i for i, c in enumerate(index.chunks) if filters.allows(c)}
    if allowed is not None and not allowed:
        return []

    n = settings.candidates
    dense = _dense(index, query.vector, filters, n)
    lexical = [i for i, _ in index.lexical.search(query.terms, allowed=allowed, limit=n)]
    candidates = list(dict.fromkeys(dense + lexical))
    sentence = _sentence_ranking(index, query.vector, candidates)

    scores: dict[int, float] = {}
    ranks: dict[int, tuple[int | None, int | None]] = {}
    for weight, ranking in ((settings.dense_weight, dense), (settings.lexical_weight, lexical),
                            (settings.sentence_weight, sentence)):
        for rank, i in enumerate(ranking):
            scores[i] = scores.get(i, 0.0) + weight / (settings.rrf_k + rank + 1)
    for i in candidates:
        ranks[i] = (_rank_of(i, dense), _rank_of(i, lexical))

    _pin_references(index, query, scores, allowed)
    best: dict[str, tuple[float, int]] = {}
    for i, score in scores.items():
        pid = index.chunks[i].passage_id
        if pid not in best or score > best[pid][0]:
            best[pid] = (score, i)
    ordered = sorted(best.values(), key=lambda si: (-si[0], si[1]))[:k]
    return [Hit(index.chunks[i], s, *ranks.get(i, (None, None))) for s, i in ordered]


def _dense(index: Index, vector: np.ndarray, filters: Filters, n: int) -> list[int]:
    where = _where(filters)
    result = index.collection.query(
        query_embeddings=[vector.tolist()], n_results=min(n, len(index.chunks)), where=where,
        include=[],
    )
    return [index.by_id[cid] for cid in result["ids"][0] if cid in index.by_id]


def _where(filters: Filters) -> dict | None:
    clauses = []
    if filters.doc_ids:
        clauses.append({"doc_id": {"$in": list(filters.doc_ids)}})
    if filters.doc_types:
        clauses.append({"doc_type": {"$in": list(filters.doc_types)}})
    if filters.date_from or filters.date_to:
        clauses.append({"date_int": {"$gt": 0}})
    if filters.date_from:
        clauses.append({"date_int": {"$gte": date_as_int(filters.date_from)}})
    if filters.date_to:
        clauses.append({"date_int": {"$lte": date_as_int(filters.date_to)}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def _sentence_ranking(index: Index, vector: np.ndarray, candidates: list[int]) -> list[int]:
    best: list[tuple[float, int]] = []
    for i in candidates:
        passage = index.passages.get(index.chunks[i].passage_id)
        if passage is None or not passage.rows:
            continue
        best.append((float(np.max(index.sentence_vectors[passage.rows] @ vector)), i))
    return [i for _, i in sorted(best, key=lambda si: (-si[0], si[1]))]


def _pin_references(index: Index, query: Query, scores: dict[int, float], allowed: set[int] | None) -> None:
    top = max(scores.values(), default=0.0)
    for rank, ref in enumerate(query.action_refs):
        for i, chunk in enumerate(index.chunks):
            if chunk.kind == "action" and chunk.ref == ref and (allowed is None or i in allowed):
                scores[i] = top + 1.0 - rank * 0.01 - chunk.part * 0.001
    for ref in query.para_refs:
        for i, chunk in enumerate(index.chunks):
            if chunk.ref == ref and chunk.kind != "action" and (allowed is None or i in allowed):
                scores[i] = scores.get(i, 0.0) + 0.5 / (index.settings.rrf_k + 1)


def _rank_of(i: int, ranking: list[int]) -> int | None:
    try:
        return ranking.index(i) + 1
    except ValueError:
        return None



