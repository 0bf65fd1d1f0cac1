"""Follow an inspection's findings: finding -> action-plan rows -> progress -> later inspections.

What links, and how (nothing names a council or a document; kinds come from the taxonomy):

- The findings followed are the passages of an inspection (a kind with `inspection = true`) in
  a section that calls for action (`improvement_sections`: "Areas for improvement", "What needs
  to improve", ...).
- Each is linked to the rows of the action plan that answers its inspection, by reference or by
  similarity (views/linking.py, where the linking numbers are described).
- Each linked row shows its latest progress note and the paragraph of a progress report (a kind
  with `progress = true` that holds no rows: a scrutiny report) that reports on it
  (views/report_paragraphs.py).
- The theme is followed into each later inspection of the council: its sentence closest in
  meaning to the finding, when at least `trace_later_threshold` (retrieval/near.py).

Every quote is a sentence or cell verbatim from the cited passage, like an answer's.
assistant/answering/traced.py turns a trace into the chat's answer to "what happened to the finding on ...?".
"""

from __future__ import annotations

import logging

from assistant.core.errors import IndexDamaged
from assistant.core.settings import Settings
from assistant.core.text import sentence_spans, terms
from assistant.core.types import ActionRow, Chunk, Citation, Trace, TraceStep
from assistant.core.weights import idf_share, idf_weights
from assistant.retrieval.near import closest_sentence, theme_of
from assistant.store import Index
from assistant.views.linking import Finding, Plans, inspections, plans
from assistant.views.report_paragraphs import report
from assistant.views.tracker import row_chunk, verbatim

log = logging.getLogger(__name__)


def trace(index: Index, about: str = "", *, settings: Settings | None = None) -> tuple[Trace, ...]:
    """Follow findings into action plans, progress reports and later inspections.

    Args:
        index: an open index.
        about: what the finding is about ("CAMHS waiting times"): the trace of the finding that
            matches it best. Empty for every finding that an action plan answers.
        settings: thresholds and weights (`trace_*`); defaults when None.
    Returns:
        The traces, in the findings' document order (one, when `about` is given; none when no
        finding matches or no plan answers any inspection).
    """
    settings = settings or Settings()
    linked = plans(index, settings)
    traces: list[Trace] = []
    wanted = _best_finding(index, about, linked, settings) if about.strip() else None
    for plan_id, (_source_id, findings, links) in linked.items():
        for fi, finding in enumerate(findings):
            if wanted is not None and finding.chunk.passage_id != wanted:
                continue
            steps = [_step(index, row, score, by, plan_id, settings) for row, score, by in links[fi]]
            traces.append(
                Trace(
                    finding=Citation(1, finding.chunk, _finding_quote(finding.chunk, settings)),
                    steps=tuple(steps),
                    later=tuple(_later(index, finding, plan_id, settings)),
                )
            )
    if wanted is not None and not traces:
        log.debug("trace %r: the best finding is not answered by a plan", about)
    return tuple(traces)


def _best_finding(index: Index, about: str, linked: Plans, settings: Settings) -> str | None:
    """The passage id of the followed finding that matches `about` best: closeness of meaning (of
    its best sentence and of all its sentences) and the share of `about`'s rare words it uses,
    weighed by `trace_untuned_lexical_weight` (evenly)."""
    from assistant.core.embed import embed  # loads the embedding model: only when a topic is asked

    findings = [f for _, found, _ in linked.values() for f in found]
    if not findings:
        return None
    vector = embed([about])[0]
    wanted = set(terms(about))
    weights = idf_weights(wanted, index.lexical.idf)
    w = settings.trace_untuned_lexical_weight
    best = None
    for f in findings:
        closeness = index.sentence_vectors[f.rows] @ vector
        # Its best sentence, and all of it: a finding that names the topic in passing is not about it.
        dense = (float(closeness.max()) + float(closeness.mean())) / 2
        lexical = idf_share(wanted & set(terms(f.chunk.passage)), weights)
        score = (1 - w) * dense + w * lexical
        if best is None or score > best[0]:
            best = (score, f.chunk.passage_id)
    assert best is not None  # findings is not empty
    return best[1]


def _finding_quote(chunk: Chunk, settings: Settings) -> tuple[str, ...]:
    """The finding's first sentences (a bullet's own words, without its section heading)."""
    spans = [
        s
        for s in sentence_spans(chunk.passage)
        if chunk.passage[s[0] : s[1]].strip().lower() not in chunk.section.lower()
    ]
    return tuple(chunk.passage[a:b] for a, b in spans[: settings.trace_quote_sentences]) or (chunk.passage,)


def _step(index: Index, row: ActionRow, score: float, by: str, plan_id: str, settings: Settings) -> TraceStep:
    """A linked row: its action, its latest progress note and the report paragraph on it."""
    chunk = row_chunk(index, row)
    if chunk is None:  # every indexed row is chunked; one without its passage is a broken index
        raise IndexDamaged(settings.index_dir, f"action row {row.doc_id} {row.ref} has no passage")
    action = Citation(1, chunk, (verbatim(row.action, chunk.passage) or chunk.passage.split("\n", 1)[0],))
    latest = row.latest_progress()
    progress = None
    if latest is not None:
        note = verbatim(f"{latest.label} {latest.text}", chunk.passage) or verbatim(latest.text, chunk.passage)
        if note:
            at = chunk.passage.index(note)
            progress = Citation(1, chunk, _sentences_in(chunk.passage, at, at + len(note), settings))
    return TraceStep(
        row=row, action=action, progress=progress, report=report(index, row, plan_id, settings), score=score, by=by
    )


def _sentences_in(passage: str, start: int, end: int, settings: Settings) -> tuple[str, ...]:
    """The first `trace_quote_sentences` sentences of `passage` inside [start, end), verbatim."""
    spans = [(max(a, start), min(b, end)) for a, b in sentence_spans(passage) if b > start and a < end]
    return tuple(passage[a:b].strip() for a, b in spans[: settings.trace_quote_sentences] if passage[a:b].strip())


def _later(index: Index, finding: Finding, plan_id: str, settings: Settings) -> list[Citation]:
    """One quote from each later inspection of the council: its sentence closest to the finding's
    theme (the centre of its sentences: one clause in passing does not set it)."""
    anchor = index.docs.get(plan_id) or index.docs.get(finding.chunk.doc_id)
    theme = theme_of(index, finding.rows)
    out = []
    for doc in inspections(index, anchor, before=False):
        found = closest_sentence(index, doc.doc_id, theme, settings.trace_later_threshold, settings)
        if found:
            chunk, sentence = found
            out.append(Citation(1, chunk, (sentence,)))
    return out
