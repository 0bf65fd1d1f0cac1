"""The paragraph of a progress report that reports on an action-plan row.

A progress report is a kind with `progress = true` that holds no rows (a scrutiny report). Each
of its paragraphs is scored against each row of a plan of its council: closeness of meaning of
their sentences, both ways, and the share of rare words each uses of the other's, weighed by
`trace_untuned_lexical_weight` (nothing here was tuned). A row's paragraph is its best one, when
the row is also among that paragraph's `trace_report_rank` best rows (mutual nearest).
"""

from __future__ import annotations

import numpy as np

from assistant.core.settings import Settings
from assistant.core.taxonomy import load_taxonomy
from assistant.core.text import terms
from assistant.core.types import ActionRow, Chunk, Citation
from assistant.core.weights import idf_share, idf_weights
from assistant.store import Index, Passage
from assistant.views.linking import row_cells
from assistant.views.tracker import row_chunk

# (row refs, report paragraphs, rows x paragraphs scores, per (row, paragraph) each paragraph
# sentence's closeness to the row)
_Table = tuple[list[str], list[tuple[Chunk, Passage]], np.ndarray, dict[tuple[int, int], np.ndarray]]


def report(index: Index, row: ActionRow, plan_id: str, settings: Settings) -> Citation | None:
    """The report paragraph's sentences that report on `row`, or None when no paragraph does."""
    table = _report_table(index, plan_id, settings)
    if table is None or row.ref not in table[0]:
        return None
    refs, paragraphs, scores, per_sentence = table
    i = refs.index(row.ref)
    j = int(np.argmax(scores[i]))
    rank = int((scores[:, j] > scores[i, j]).sum())
    if rank >= settings.trace_report_rank:
        return None
    chunk, passage = paragraphs[j]
    # A title or heading line ("Report to: ... Committee", "(Children's Services and Safeguarding)")
    # reports on nothing.
    said = [
        len(chunk.passage[a:b].split()) >= settings.finding_min_words
        and chunk.passage[a:b].strip().lower() not in chunk.section.lower()
        for a, b in passage.spans
    ]
    closeness = np.where(said, per_sentence[(i, j)], -np.inf)
    if not np.isfinite(closeness).any():
        return None
    top = int(np.argmax(closeness))
    picked = [k for k in (top, top + 1) if k < len(said) and said[k]][: settings.trace_quote_sentences]
    return Citation(1, chunk, tuple(chunk.passage[a:b] for a, b in (passage.spans[k] for k in picked)))


def _report_table(index: Index, plan_id: str, settings: Settings) -> _Table | None:
    """The plan's rows scored against the paragraphs of its council's progress reports; None when
    either is missing. Kept per plan and weight."""
    key = ("trace.report", plan_id, settings.trace_untuned_lexical_weight)
    return index.derived(key, lambda: _score_paragraphs(index, plan_id, settings.trace_untuned_lexical_weight))


def _paragraphs(index: Index, plan_id: str) -> list[tuple[Chunk, Passage]]:
    """The passages (with sentences) of the progress reports of the plan's council, in index order."""
    taxonomy = load_taxonomy()
    plan = index.docs.get(plan_id)
    council = taxonomy.authority_key(plan.local_authority) if plan and plan.local_authority else ""
    with_rows = {r.doc_id for r in index.actions.values()}
    reports = {
        d.doc_id
        for d in index.docs.values()
        if taxonomy.kind(d.doc_type).progress
        and d.doc_id not in with_rows
        and (not council or not d.local_authority or taxonomy.authority_key(d.local_authority) == council)
    }
    paragraphs = []
    seen = set()
    for chunk in index.chunks:
        if chunk.doc_id in reports and chunk.passage_id not in seen and chunk.kind != "heading":
            seen.add(chunk.passage_id)
            passage = index.passages.get(chunk.passage_id)
            if passage and passage.rows:
                paragraphs.append((chunk, passage))
    return paragraphs


def _score_paragraphs(index: Index, plan_id: str, w: float) -> _Table | None:
    rows = [r for r in index.actions.values() if r.doc_id == plan_id]
    paragraphs = _paragraphs(index, plan_id)
    if not rows or not paragraphs:
        return None
    vectors, idf = index.sentence_vectors, index.lexical.idf
    scores = np.zeros((len(rows), len(paragraphs)))
    per_sentence = {}
    para_terms = [set(terms(c.passage)) for c, _ in paragraphs]
    para_weights = [idf_weights(t, idf) for t in para_terms]
    for i, row in enumerate(rows):
        sentences = _row_sentences(index, row)
        if not sentences:
            continue
        rv = vectors[sentences]
        row_terms = set(terms(row_cells(row)))
        row_weights = idf_weights(row_terms, idf)
        for j, (_chunk, passage) in enumerate(paragraphs):
            closeness = vectors[passage.rows] @ rv.T  # paragraph sentences x row sentences
            per_sentence[(i, j)] = closeness.max(axis=1)
            dense = (float(closeness.max(axis=1).mean()) + float(closeness.max(axis=0).mean())) / 2
            shared = row_terms & para_terms[j]
            lexical = (idf_share(shared, row_weights) + idf_share(shared, para_weights[j])) / 2
            scores[i, j] = (1 - w) * dense + w * lexical
    return ([r.ref for r in rows], paragraphs, scores, per_sentence)


def _row_sentences(index: Index, row: ActionRow) -> list[int]:
    chunk = row_chunk(index, row)
    passage = index.passages.get(chunk.passage_id) if chunk else None
    return list(passage.rows) if passage else []
