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
A grade question lifts the judgement grids; a "how many ...?" question the passages that count
what it counts; a question for a class of findings the sections of that class.

Across councils: a question that names several councils (or filters by several) is retrieved
once per council, a share of k each (`council_k` at least), so one council's stock wording
cannot crowd out the others; a "which councils ...?" question takes the councils of the best
passages, `council_k` passages each, up to `which_councils` councils. With a home council set,
a question that names no council also retrieves the home council's passages on their own and
puts its best `council_k` first, so it is answered for the home council first.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np

from assistant.core.figures import counts
from assistant.core.judgements import grades_area, states_grade
from assistant.core.settings import Settings
from assistant.core.taxonomy import load_taxonomy
from assistant.core.text import without_role
from assistant.core.types import Filters, Hit, Query, council_key, date_as_int
from assistant.question.understand import understand
from assistant.store import Index, open_index


def retrieve(
    question: str,
    *,
    filters: Filters | None = None,
    settings: Settings | None = None,
    index: Index | None = None,
    k: int | None = None,
    query: Query | None = None,
) -> list[Hit]:
    """The passages most likely to answer `question`, best first.

    Args:
        question: the (resolved) question.
        filters: restrict to documents, types or a date range.
        settings: the defaults when None (an entry point reads the environment: `Settings.from_env()`).
        index: an open index (the live one when None).
        k: how many passages (settings.top_k when None).
        query: a prepared query, to reuse its embedding.
    Returns:
        Up to k hits, one per passage.
    """
    settings = settings or Settings()
    index = index or open_index(settings)
    k = k or settings.top_k
    filters = filters or Filters()
    query = query or understand(question, index)
    filters = _scoped(filters, query, index)
    councils = filters.council_keys or tuple(dict.fromkeys(council_key(c) for c in query.councils))
    if len(councils) > 1:
        # Several councils named: a share of k from each, best council first.
        per = max(settings.council_k, math.ceil(k / len(councils)))
        shares = [_ranked(query, replace(filters, councils=(c,)), settings, index, per) for c in councils]
        return _interleave(shares)
    if query.across_councils and not councils:
        # "Which councils ...?": the councils of the best passages, a few passages each.
        return _spread(
            _ranked(query, filters, settings, index, settings.candidates), settings.which_councils, settings.council_k
        )
    hits = _ranked(query, filters, settings, index, k)
    home = council_key(settings.home)
    if home and not councils and _others_allowed(index, filters, home):
        # A question that names no council is answered for the home council first: its best
        # passages, retrieved on their own (among many councils' they may rank below everyone's),
        # then everyone's best.
        own = _ranked(query, replace(filters, councils=(home,)), settings, index, settings.council_k)
        taken = {h.chunk.passage_id for h in own}
        hits = (own + [h for h in hits if h.chunk.passage_id not in taken])[: max(k, len(own))]
    return hits


def _scoped(filters: Filters, query: Query, index: Index) -> Filters:
    """`filters` narrowed to what the question designates, where the user set no narrower scope."""
    if (query.council_docs or query.year_docs or query.judged_docs) and not filters.doc_ids:
        # A question that names a council is about that council's documents: in a corpus of
        # many councils' reports in stock wording, a passage of another council is never the
        # answer. So is one that designates documents by year ("the 2025 report"), and one
        # across councils that names a grade ("which councils were judged inadequate?").
        scope = (
            set(query.council_docs or index.docs)
            & set(query.year_docs or index.docs)
            & set(query.judged_docs or index.docs)
        )
        if not scope and query.council_docs:
            # A council's year with no report of it ("Anytown's 2012 inspection"): still that
            # council's documents, which the answer check then finds do not speak for the year.
            scope = set(query.council_docs)
        if scope:
            filters = replace(filters, doc_ids=tuple(sorted(scope)))
    if any(query.period) and not (filters.date_from or filters.date_to):
        filters = replace(filters, date_from=query.period[0], date_to=query.period[1])
    return filters


def _ranked(query: Query, filters: Filters, settings: Settings, index: Index, k: int) -> list[Hit]:
    """The k best passages under `filters`: fused rankings, lifts, references pinned."""
    allowed = _allowed(index, filters)
    if allowed is not None and not allowed:
        return []

    n = settings.candidates
    dense = _dense(index, query.vector, filters, n, settings.hub_penalty)
    lexical = [i for i, _ in index.lexical.search(query.terms, allowed=allowed, limit=n)]
    sentence = _sentence_ranking(index, query.vector, allowed, n, settings)

    scores: dict[int, float] = {}
    dense_weight = (
        settings.sentence_mean_dense_weight if index.state.passage_vectors == "sentences" else settings.dense_weight
    )
    for weight, ranking in (
        (dense_weight, dense),
        (settings.lexical_weight, lexical),
        (settings.sentence_weight, sentence),
    ):
        for rank, i in enumerate(ranking):
            scores[i] = scores.get(i, 0.0) + weight / (settings.rrf_k + rank + 1)
    for i in list(scores):
        prior = query.doc_prior.get(index.chunks[i].doc_id, 0.0)
        scores[i] += settings.doc_prior_weight * prior / (settings.rrf_k + 1)

    if query.answer_type == "rating":
        # A question about grades is answered by the judgement grid first.
        for i in scores:
            if index.chunks[i].kind == "judgement":
                scores[i] += settings.judgement_weight / (settings.rrf_k + 1)
    if query.answer_type == "number" and query.count and query.counted and settings.count_weight:
        # "How many children were in care?": the passages that give a count of them ("227
        # children were being looked after by the LA"), which read alike in every report.
        for i in scores:
            if counts(index.chunks[i].passage, query.counted):
                scores[i] += settings.count_weight / (settings.rrf_k + 1)
    if query.section_class:
        # "What are the areas for improvement?": the findings of those sections, whatever a
        # report calls them ("What needs to improve").
        taxonomy = load_taxonomy()
        for i in scores:
            chunk = index.chunks[i]
            if taxonomy.in_section_class(chunk.section, chunk.doc_type, query.section_class):
                scores[i] += settings.section_weight / (settings.rrf_k + 1)
    _pin_references(index, query, scores, allowed, settings.rrf_k)
    _pin_grids(index, query, scores, allowed)
    _pin_lead_inspectors(index, query, scores, allowed)
    best: dict[str, tuple[float, int]] = {}
    for i, score in scores.items():
        pid = index.chunks[i].passage_id
        if pid not in best or score > best[pid][0]:
            best[pid] = (score, i)
    ordered = sorted(best.values(), key=lambda si: (-si[0], si[1]))[:k]
    hits = [Hit(index.chunks[i], s) for s, i in ordered]
    return _with_section_items(index, query, hits, allowed, settings.section_items)


def _allowed(index: Index, filters: Filters) -> set[int] | None:
    """Positions of the chunks the filters let through (None: all), by document: the filters
    are tested once a document, never once a chunk."""
    if filters.is_empty():
        return None
    return {
        i for doc_id, info in index.docs.items() if filters.allows_doc(info) for i in index.doc_chunks.get(doc_id, ())
    }


def _others_allowed(index: Index, filters: Filters, home: str) -> bool:
    """Whether the filters let through documents of councils other than `home` (in a corpus of
    one council there is nothing to answer first). A document whose council is not known (a
    dropped-in note, a national guide) is no other council's: it must not be ranked below the
    home council's passages just for naming none."""
    return any(info.council and info.council != home and filters.allows_doc(info) for info in index.docs.values())


def _interleave(shares: list[list[Hit]]) -> list[Hit]:
    """One hit of each share in turn, the share with the best hit first: every council's best
    passage comes before any council's second."""
    shares = sorted((s for s in shares if s), key=lambda s: -s[0].score)
    out: list[Hit] = []
    for rank in range(max((len(s) for s in shares), default=0)):
        out.extend(s[rank] for s in shares if rank < len(s))
    return out


def _spread(hits: list[Hit], councils: int, per_council: int) -> list[Hit]:
    """The best hits of the first `councils` councils to appear in `hits`, `per_council` each,
    interleaved (see `_interleave`)."""
    shares: dict[str, list[Hit]] = {}
    for hit in hits:
        key = hit.chunk.council
        if key not in shares and len(shares) >= councils:
            continue
        share = shares.setdefault(key, [])
        if len(share) < per_council:
            share.append(hit)
    return _interleave(list(shares.values()))


def _dense(index: Index, vector: np.ndarray, filters: Filters, n: int, hub_penalty: float) -> list[int]:
    where = _where(filters)
    result = index.collection.query(
        query_embeddings=[vector.tolist()],
        n_results=min(n, len(index.chunks)),
        where=where,
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
    clauses: list[dict[str, dict[str, Any]]] = []
    if filters.doc_ids:
        clauses.append({"doc_id": {"$in": list(filters.doc_ids)}})
    if filters.doc_types:
        clauses.append({"doc_type": {"$in": list(filters.kinds)}})
    if filters.date_from or filters.date_to:
        clauses.append({"date_int": {"$gt": 0}})
    if filters.date_from:
        clauses.append({"date_int": {"$gte": date_as_int(filters.date_from)}})
    if filters.date_to:
        clauses.append({"date_int": {"$lte": date_as_int(filters.date_to)}})
    if filters.councils:
        clauses.append({"council": {"$in": list(filters.council_keys)}})
    if filters.judgements:
        clauses.append({"judgement": {"$in": list(filters.grades)}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def _sentence_ranking(
    index: Index, vector: np.ndarray, allowed: set[int] | None, n: int, settings: Settings
) -> list[int]:
    """Chunks ranked by their passage's best sentence: one matrix product over every sentence.

    A filter is applied to the sentences before ranking, so a question about one council of 150
    ranks that council's sentences, not the few of them among everyone's best."""
    cosines = index.sentence_vectors @ vector - settings.hub_penalty * index.sentence_hub
    if allowed is not None:
        passage_ok = np.zeros(len(index.chunks), dtype=bool)
        passage_ok[index.chunk_first[np.fromiter(allowed, dtype=np.int64, count=len(allowed))]] = True
        firsts = index.sentence_chunk
        cosines = np.where((firsts >= 0) & passage_ok[np.maximum(firsts, 0)], cosines, -np.inf)
    wanted = min(n * settings.sentence_candidates_factor, len(cosines))
    if wanted == 0:
        return []
    top = np.argpartition(-cosines, wanted - 1)[:wanted]
    order = top[np.lexsort((top, -cosines[top]))]  # best first; ties by row, as a stable sort gives
    ranked: list[int] = []
    seen: set[str] = set()
    for row in order:
        if cosines[row] == -np.inf:
            break
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


def _pin_references(index: Index, query: Query, scores: dict[int, float], allowed: set[int] | None, rrf_k: int) -> None:
    """Put the passages a question cites by reference first. The numbers are orders, not tuned
    weights: a named action goes above every fused score (top + 1), actions in the order named
    (0.01 apart), a passage's pieces in their order (0.001 apart); a named recommendation or
    paragraph just below the actions (top + 0.5); a bare "8.4" only as one more first rank."""
    top = max(scores.values(), default=0.0)
    for rank, ref in enumerate(query.action_refs):
        for i in index.ref_chunks.get(ref, ()):
            chunk = index.chunks[i]
            if chunk.kind == "action" and (allowed is None or i in allowed):
                scores[i] = top + 1.0 - rank * 0.01 - chunk.part * 0.001
    for ref, kind in query.para_refs:
        for i in index.ref_chunks.get(ref, ()):
            chunk = index.chunks[i]
            if chunk.kind == "action" or (allowed is not None and i not in allowed):
                continue
            # "recommendation 15.7" names one passage; a bare "8.4" may be any document's.
            exact = kind and chunk.kind == kind
            scores[i] = (top + 0.5 - chunk.part * 0.001) if exact else scores.get(i, 0.0) + 1.0 / (rrf_k + 1)


def _pin_grids(index: Index, query: Query, scores: dict[int, float], allowed: set[int] | None) -> None:
    """A grade question naming a judgement area, about a council's reports ("how has X's overall
    judgement changed?"): each report's passage that grades that area (its grid, else a sentence
    stating the grade: "The Local Safeguarding Children Board is good") goes among the first
    passages, so every inspection's grade can be quoted, whatever else the wording pulls in.
    Placed just above the fused scores (top + 0.25, an order, not a tuned weight), below a
    passage cited by reference."""
    if not query.judgement_area or query.across_councils or not query.council_docs:
        return
    top = max(scores.values(), default=0.0)
    for doc_id in query.council_docs:
        positions = [i for i in index.doc_chunks.get(doc_id, ()) if allowed is None or i in allowed]
        graded = _grading(index, positions, query.judgement_area, grid=True)
        graded = graded if graded is not None else _grading(index, positions, query.judgement_area, grid=False)
        if graded is not None:
            scores[graded] = top + 0.25


def _grading(index: Index, positions: list[int], area_id: str, *, grid: bool) -> int | None:
    """The first of `positions` whose passage grades `area_id`: among the judgement grids
    (`grid`), else among the other passages, by a sentence stating the grade."""
    for i in positions:
        chunk = index.chunks[i]
        if chunk.part or (chunk.kind == "judgement") != grid:
            continue
        passage = index.passages.get(chunk.passage_id)
        spans = passage.spans if passage is not None else [(0, len(chunk.passage))]
        for a, b in spans:
            text = chunk.passage[a:b]
            if (grid or states_grade(text)) and grades_area(text, area_id, grid_row=grid):
                return i
    return None


def _pin_lead_inspectors(index: Index, query: Query, scores: dict[int, float], allowed: set[int] | None) -> None:
    """ "Who led X's 2019 inspection?": the passage of each designated report that names its lead
    inspector (as describe read the name) goes among the first, as `_pin_grids` places grids.
    Only for reports the question designates by council or year, never across a whole corpus."""
    if not query.lead_inspector or not (query.council_docs or query.year_docs):
        return
    top = max(scores.values(), default=0.0)
    docs = set(query.council_docs or index.docs) & set(query.year_docs or index.docs)
    for doc_id in sorted(docs):
        name = without_role(index.docs[doc_id].lead_inspector) if doc_id in index.docs else ""
        if not name:
            continue
        for i in index.doc_chunks.get(doc_id, ()):
            chunk = index.chunks[i]
            if chunk.part == 0 and (allowed is None or i in allowed) and name in chunk.passage:
                scores[i] = top + 0.25
                break


def _with_section_items(index: Index, query: Query, hits: list[Hit], allowed: set[int] | None, most: int) -> list[Hit]:
    """For a question asking for a class of findings ("what did Anytown need to improve?"), the
    best passage's section in full, in document order where that passage stood: a report lists
    what needs to improve one item a passage, and the answer is the list, not its first item."""
    if not query.section_class or most <= 0:
        return hits
    taxonomy = load_taxonomy()
    at = next(
        (
            n
            for n, h in enumerate(hits)
            if taxonomy.in_section_class(h.chunk.section, h.chunk.doc_type, query.section_class)
        ),
        None,
    )
    if at is None:
        return hits
    first = hits[at]
    items: list[Hit] = []
    for i in index.doc_chunks.get(first.chunk.doc_id, ()):
        chunk = index.chunks[i]
        if chunk.part == 0 and chunk.section == first.chunk.section and (allowed is None or i in allowed):
            items.append(Hit(chunk, first.score))
        if len(items) == most:
            break
    listed = {h.chunk.passage_id for h in items}
    rest = [h for h in hits if h.chunk.passage_id not in listed]
    before = [h for h in hits[:at] if h.chunk.passage_id not in listed]
    return before + items + rest[len(before) :]
