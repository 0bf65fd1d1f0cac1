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
from dataclasses import dataclass, replace

import numpy as np

from assistant.embed import embed
from assistant.settings import Settings
from assistant.store import Index, open_index
from assistant.taxonomy import load_taxonomy
from assistant.text import normalise, terms, words
from assistant.types import Filters, Hit, date_as_int

_ACTION_REF = re.compile(r"(?<![\d.])([1-9]\.\d{1,2}\.\d{1,2})(?![\d.]*\d)")
_PARA_REF = re.compile(r"(?<![\d.])(\d{1,2}\.\d{1,2})(?![.]?\d)")


# Words that say which document a question is about rather than what it is about. They steer
# retrieval towards the documents they name (a prior), and are left out of the BM25 query, where
# they would otherwise pull in every passage that happens to say "the JTAI" or "this review".
# A question about progress ("was it done?", "how is X going?") is answered by the documents
# that report progress: they get the same lift as a document the question names.
STATUS_CUE = re.compile(
    r"\b(status|done|finish(?:ed)?|complete[ds]?|progress(?:ing)?|going|achieved|happened|set up|in place|"
    r"yet|still|update[ds]?|latest|delivered|launched|published|filled|manage[ds]?|where are they)\b", re.I)


_YEAR = re.compile(r"\b((?:19|20)\d\d)\b")
# A question about a grade or judgement ("how was X judged?", "overall effectiveness").
RATING_CUE = re.compile(r"\b(judge?ments?|judged|rated|ratings?|grades?|graded|overall effectiveness|"
                        r"inadequate|outstanding|requires improvement)\b", re.I)


@dataclass
class Query:
    """A question prepared for search: its embedding, weighted terms and references."""

    text: str
    vector: np.ndarray
    terms: list[str]
    expansions: list[str]
    action_refs: list[str]
    para_refs: list[tuple[str, str]]  # (reference, "recommendation" | "paragraph" | "")
    doc_prior: dict[str, float]
    years: tuple[str, ...] = ()  # years the question names ("in 2022, and in 2025") that date a document
    council_docs: tuple[str, ...] = ()  # documents of the councils the question names


def prepare(question: str, index: Index) -> Query:
    """Expand acronyms both ways, find references, embed once."""
    naming_words = _naming_vocabulary(index)
    # An acronym that names a document ("JTAI", "CQC") is not expanded: its spelled-out form
    # would pull in every passage that introduces the inspection rather than what was asked.
    expansions = [e for a, e in expand_acronyms(question, index.glossary) if a.lower() not in naming_words]
    dense_text = question + (" (" + "; ".join(expansions) + ")" if expansions else "")
    action_refs = [r for r in _ACTION_REF.findall(question) if r in index.actions]
    kind = "recommendation" if re.search(r"recommendation", question, re.I) else (
        "paragraph" if re.search(r"\bpara(graph)?s?\b", question, re.I) else "")
    para_refs = [(r, kind) for r in _PARA_REF.findall(question) if not any(a.startswith(r + ".") for a in action_refs)]
    query_terms = terms(question) + [t for e in expansions for t in terms(e)]
    naming, prior = _doc_prior(query_terms, index)
    taxonomy = load_taxonomy()
    if STATUS_CUE.search(question):
        for doc_id, info in index.docs.items():
            if taxonomy.kind(info.doc_type).progress:
                prior[doc_id] = max(prior.get(doc_id, 0.0), 1.0)
    council_docs = tuple(_named_authorities(question, index))
    content = [t for t in query_terms if t not in naming] or query_terms
    published = {info.published[:4] for info in index.docs.values() if info.published}
    years = tuple(dict.fromkeys(y for y in _YEAR.findall(question) if y in published))
    return Query(question, embed([dense_text])[0], content, expansions, action_refs, para_refs, prior, years,
                 council_docs)


def _doc_prior(query_terms: list[str], index: Index) -> tuple[set[str], dict[str, float]]:
    """The naming words in the query, and each document's share of them."""
    vocab: dict[str, set[str]] = {}
    taxonomy = load_taxonomy()
    for doc_id, info in index.docs.items():
        words_ = set(terms(" ".join(taxonomy.kind(info.doc_type).aliases) + " " + info.publisher))
        words_ |= {info.published[:4]} if info.published else set()
        # A council's name says whose documents, not which kind: that is `_named_authorities`.
        vocab[doc_id] = words_ - set(terms(info.local_authority)) - {"and", "children"}
    naming = {t for t in query_terms if any(t in v for v in vocab.values())}
    prior = {d: len(naming & v) / len(naming) for d, v in vocab.items()} if naming else {}
    return naming, {d: p for d, p in prior.items() if p > 0}


def expand_acronyms(question: str, glossary: dict[str, list[str]]) -> list[tuple[str, str]]:
    """(acronym, added text) pairs: the expansion of each acronym in the question, and the
    acronym of each expansion in it."""
    found: list[tuple[str, str]] = []
    upper = {w.upper() for w in re.findall(r"[A-Za-z]{2,8}", question)}
    norm = f" {normalise(question)} "
    for acronym, expansions in glossary.items():
        if acronym in upper or acronym + "S" in upper:
            found.append((acronym, expansions[0]))
        elif any(f" {normalise(e)} " in norm for e in expansions[:3]):
            found.append((acronym, acronym))
    return found


def _naming_vocabulary(index: Index) -> set[str]:
    words_: set[str] = set()
    taxonomy = load_taxonomy()
    for info in index.docs.values():
        words_ |= set(taxonomy.kind(info.doc_type).aliases) | {w.lower() for w in re.findall(r"[A-Za-z]+", info.publisher)}
    return words_


def _named_authorities(question: str, index: Index) -> list[str]:
    """Ids of the documents whose local authority the question names ("Leeds", "leeds'",
    "Leeds City Council" all name "Leeds City")."""
    taxonomy = load_taxonomy()
    text = f" {normalise(question.replace('’', chr(39)).replace(chr(39) + 's', ''))} "
    out = []
    for doc_id, info in index.docs.items():
        key = taxonomy.authority_key(info.local_authority)
        if key and f" {key} " in text:
            out.append(doc_id)
    return out


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
    if query.council_docs and not filters.doc_ids:
        # A question that names a council is about that council's documents: in a corpus of
        # many councils' reports in stock wording, a passage of another council is never the answer.
        filters = replace(filters, doc_ids=query.council_docs)
    allowed = None if filters.is_empty() else {i for i, c in enumerate(index.chunks) if filters.allows(c)}
    if allowed is not None and not allowed:
        return []

    n = settings.candidates
    dense = _dense(index, query.vector, filters, n, settings.hub_penalty)
    lexical = [i for i, _ in index.lexical.search(query.terms, allowed=allowed, limit=n)]
    sentence = _sentence_ranking(index, query.vector, allowed, n, settings.hub_penalty)

    scores: dict[int, float] = {}
    ranks: dict[int, tuple[int | None, int | None]] = {}
    for weight, ranking in ((settings.dense_weight, dense), (settings.lexical_weight, lexical),
                            (settings.sentence_weight, sentence)):
        for rank, i in enumerate(ranking):
            scores[i] = scores.get(i, 0.0) + weight / (settings.rrf_k + rank + 1)
    for i in list(scores):
        ranks[i] = (_rank_of(i, dense), _rank_of(i, lexical))
        prior = query.doc_prior.get(index.chunks[i].doc_id, 0.0)
        scores[i] += settings.doc_prior_weight * prior / (settings.rrf_k + 1)

    if RATING_CUE.search(question):
        # A question about grades is answered by the judgement grid first.
        for i in scores:
            if index.chunks[i].kind == "judgement":
                scores[i] += settings.judgement_weight / (settings.rrf_k + 1)
    _pin_references(index, query, scores, allowed, settings.rrf_k)
    best: dict[str, tuple[float, int]] = {}
    for i, score in scores.items():
        pid = index.chunks[i].passage_id
        if pid not in best or score > best[pid][0]:
            best[pid] = (score, i)
    ordered = sorted(best.values(), key=lambda si: (-si[0], si[1]))[:k]
    return [Hit(index.chunks[i], s, *ranks.get(i, (None, None))) for s, i in ordered]


def _dense(index: Index, vector: np.ndarray, filters: Filters, n: int, hub_penalty: float) -> list[int]:
    where = _where(filters)
    result = index.collection.query(
        query_embeddings=[vector.tolist()], n_results=min(n, len(index.chunks)), where=where,
        include=["distances"],
    )
    # Chroma ranks by cosine; re-rank with the hubness correction (see ingest.index.hubness).
    scored = []
    for cid, distance in zip(result["ids"][0], result["distances"][0]):
        i = index.by_id.get(cid)
        if i is not None:
            scored.append((1.0 - distance - hub_penalty * float(index.chunk_hub[i]), i))
    return [i for _, i in sorted(scored, key=lambda si: (-si[0], si[1]))]


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


def _sentence_ranking(index: Index, vector: np.ndarray, allowed: set[int] | None, n: int,
                      hub_penalty: float) -> list[int]:
    """Chunks ranked by their passage's best sentence: one matrix product over every sentence."""
    cosines = index.sentence_vectors @ vector - hub_penalty * index.sentence_hub
    order = np.argsort(-cosines)
    ranked: list[int] = []
    seen: set[str] = set()
    for row in order[: n * 8]:
        pid = index.sentence_passage[row]
        if pid in seen:
            continue
        seen.add(pid)
        for i in index.passage_chunks.get(pid, ()):
            if allowed is None or i in allowed:
                ranked.append(i)
                break
        if len(ranked) >= n:
            break
    return ranked


def _pin_references(index: Index, query: Query, scores: dict[int, float], allowed: set[int] | None,
                     rrf_k: int) -> None:
    top = max(scores.values(), default=0.0)
    for rank, ref in enumerate(query.action_refs):
        for i, chunk in enumerate(index.chunks):
            if chunk.kind == "action" and chunk.ref == ref and (allowed is None or i in allowed):
                scores[i] = top + 1.0 - rank * 0.01 - chunk.part * 0.001
    for ref, kind in query.para_refs:
        for i, chunk in enumerate(index.chunks):
            if chunk.ref != ref or chunk.kind == "action" or (allowed is not None and i not in allowed):
                continue
            # "recommendation 15.7" names one passage; a bare "8.4" may be any document's.
            exact = kind and chunk.kind == kind
            scores[i] = (top + 0.5 - chunk.part * 0.001) if exact else scores.get(i, 0.0) + 1.0 / (rrf_k + 1)


def _rank_of(i: int, ranking: list[int]) -> int | None:
    try:
        return ranking.index(i) + 1
    except ValueError:
        return None



