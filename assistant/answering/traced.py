"""The chat's answer to "what happened to the finding on ...?": a traced finding's chain
(assistant/views/trace.py) as answer parts, one per document quoted, each sentence cited."""

from __future__ import annotations

import time

from assistant.answering.cited import Cited
from assistant.core.settings import Settings
from assistant.core.types import Answer, AnswerPart, Chunk, Citation, Hit, Trace
from assistant.store import Index
from assistant.views.trace import trace
from assistant.views.tracker import verbatim

# Said as a note, not in the text: every sentence of the text is quoted from a document.
_NO_ROW_NOTICE = (
    "No action plan row was linked to this finding (a row may answer it in other words: see the Action tracker)."
)


def trace_answer(question: str, resolved: str, about: str, *, index: Index, settings: Settings) -> Answer | None:
    """The answer quoting the finding `about`, each linked row's action, written status and latest
    progress note, a progress report's paragraph on it, and each later inspection on the theme;
    None (the ordinary answer is given) when no traced finding matches it."""
    started = time.perf_counter()
    traces = trace(index, about, settings=settings)
    if not traces:
        return None
    parts, citations = _parts(traces[0], settings)
    return Answer(
        question=question,
        resolved_question=resolved,
        text="",
        citations=citations,
        notice="" if traces[0].steps else _NO_ROW_NOTICE,
        retrieved=tuple(Hit(c.chunk, 1.0 / c.n) for c in citations),
        abstained=False,
        timings_ms={"trace": (time.perf_counter() - started) * 1000},
        evidence=1.0,
        parts=parts,
        kind="trace",
    )


def _parts(found: Trace, settings: Settings) -> tuple[tuple[AnswerPart, ...], tuple[Citation, ...]]:
    """The finding, then per linked row (best first, `trace_chat_rows` of them) its action, due
    date, progress and report paragraph, then each later inspection: each part names its document."""
    cited = Cited()

    def part(chunk: Chunk, sentences: tuple[str, ...], what: str = "") -> AnswerPart:
        n = cited.cite(chunk, sentences)
        return AnswerPart(tuple((s, (n,)) for s in sentences), chunk, what)

    f = found.finding
    parts = [part(f.chunk, f.sentences, "the finding")]
    for step in found.steps[: settings.trace_chat_rows]:
        n = cited.cite(step.action.chunk, step.action.sentences)
        sentences = [(s, (n,)) for s in step.action.sentences]
        due = verbatim(step.row.due, step.action.chunk.passage) if step.row.due else ""
        if due and len(due.split()) <= settings.trace_due_words:
            cited.cite(step.action.chunk, (due,))
            sentences.append((due, (n,)))
        if step.progress:
            cited.cite(step.progress.chunk, step.progress.sentences)
            sentences += [(s, (n,)) for s in step.progress.sentences]  # under the row's marker, as written
        parts.append(AnswerPart(tuple(sentences), step.action.chunk, f"action {step.row.ref}"))
        if step.report:
            what = f"paragraph {step.report.chunk.ref}" if step.report.chunk.ref else ""
            parts.append(part(step.report.chunk, step.report.sentences, what))
    for later in found.later:
        parts.append(part(later.chunk, later.sentences))
    return tuple(parts), tuple(cited.citations)
