"""HTML and chart data of the Timeline and Action tracker tabs (ui/tabs/timeline.py and
ui/tabs/actions.py): the records of assistant/views/timeline.py, tracker.py and trace.py, rendered.

Every quote is shown inside its passage with the quoted words marked, as the chat's sources
are; a passage opens when its link is followed (it is then the page's :target), so the page
works without scripts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pandas as pd

from assistant import human_date, priority_name
from assistant.core.types import Chunk, Citation, Timeline, Trace, Tracker, TrackerRow
from ui.render import esc, highlight, meta_line, short, type_name

GRADE_AXIS = "grade (1 inadequate, 2 requires improvement, 3 good, 4 outstanding)"
STATE_COLOURS = {"completed": "#059669", "overdue": "#dc2626", "open, not overdue": "#f59e0b"}


def judgement_frame(timeline: Timeline) -> pd.DataFrame:
    """One row per judgement of the timeline, for a line chart (one line per judgement area)."""
    rows = [
        {"date": pd.Timestamp(p.date), "area": short(p.area, 48), "score": p.score, "grade": p.grade}
        for p in timeline.points
        if p.score
    ]
    return pd.DataFrame(rows, columns=["date", "area", "score", "grade"])


def timeline_html(timeline: Timeline) -> str:
    """The documents in date order: kind, dates, judgements, and key findings linked to their passages."""
    if not timeline.entries:
        return '<p class="hint">No documents.</p>'
    parts, passages = [], []
    for i, entry in enumerate(timeline.entries, 1):
        doc = entry.doc
        grades = "".join(
            f'<tr><td>{esc(area)}</td><td class="grade-{_score(grade, timeline, doc.doc_id, area)}">'
            f"{esc(grade)}</td></tr>"
            for area, grade in doc.judgements
        )
        findings = []
        for c in entry.findings:
            anchor = f"tl-{i}-{c.n}"
            findings.append(
                f'<li>“{esc(" ".join(c.sentences[0].split()))}” <a class="cite" href="#{anchor}">'
                f"[{esc(_where(c.chunk))}]</a></li>"
            )
            passages.append(_passage(anchor, c.chunk, c.sentences))
        dates = f" · inspected {esc(doc.inspection_dates)}" if doc.inspection_dates else ""
        parts.append(
            f'<div class="tl-doc" id="tl-doc-{i}"><span class="tl-date">{esc(human_date(doc.published))}</span> '
            f'<span class="tl-kind">{esc(entry.kind_label)}{dates}</span><br><b>{esc(doc.title)}</b>'
            + (f'<table class="grades">{grades}</table>' if grades else "")
            + (f'<ul class="findings">{"".join(findings)}</ul>' if findings else "")
            + "</div>"
        )
    return f'<div class="timeline">{"".join(parts)}</div><div class="tl-passages">{"".join(passages)}</div>'


def rollup_frame(tracker: Tracker, by: str = "priority") -> pd.DataFrame:
    """Rows per priority (or agency) and state (completed, overdue, open), for a stacked bar chart."""
    ups = tracker.by_priority if by == "priority" else tracker.by_agency
    rows = []
    for u in ups:
        key = priority_name(u.key).split(":", 1)[0] if by == "priority" else short(u.key, 28)
        for state, count in (
            ("completed", u.completed),
            ("overdue", u.overdue),
            ("open, not overdue", u.total - u.completed - u.overdue),
        ):
            rows.append({by: key, "state": state, "rows": count})
    return pd.DataFrame(rows, columns=[by, "state", "rows"])


def tracker_html(tracker: Tracker, traces: Sequence[Trace] = ()) -> str:
    """The rows as a table (each linked to its passage and to the findings it answers), then
    the passages and the traces, each shown when its link is followed."""
    answers: dict[tuple[str, str], list[int]] = {}
    for k, t in enumerate(traces, 1):
        for step in t.steps:
            answers.setdefault((step.row.doc_id, step.row.ref), []).append(k)
    head = (
        "<tr><th>ref</th><th>priority</th><th>action</th><th>lead</th><th>agencies</th><th>due</th>"
        "<th>status</th><th>latest progress</th><th>answers finding</th></tr>"
    )
    body, passages = [], []
    for r in tracker.rows:
        anchor = _row_anchor(r)
        links = " ".join(
            f'<a class="trace-link" href="#trace-{k}">{k}</a>' for k in answers.get((r.row.doc_id, r.row.ref), [])
        )
        note = r.latest
        latest = (f"<b>{esc(note.label)}</b>: {esc(short(note.text, 140))}") if note else ""
        status = esc(r.row.status or "(not stated)")
        if r.overdue:
            status += ' <span class="badge">OVERDUE</span>'
        elif r.completed:
            status = f'<span class="done">{status}</span>'
        body.append(
            f'<tr class="{"overdue" if r.overdue else ""}" data-ref="{esc(r.row.ref)}">'
            f'<td><a class="row-link" href="#{anchor}">{esc(r.row.ref)}</a></td>'
            f"<td>{esc(priority_name(r.row.priority).split(':', 1)[0])}</td><td>{esc(short(r.row.action, 160))}</td>"
            f"<td>{esc(short(r.row.lead, 60))}</td><td>{esc(', '.join(r.agencies))}</td>"
            f'<td>{esc(short(r.row.due, 50))}</td><td class="status">{status}</td><td>{latest}</td><td>{links}</td></tr>'
        )
        passages.append(_passage(anchor, r.citation.chunk, r.citation.sentences))
    completed, overdue = sum(r.completed for r in tracker.rows), sum(r.overdue for r in tracker.rows)
    plan_dates = sorted({r.plan_date for r in tracker.rows if r.plan_date})
    as_of = f" (overdue: due before the plan's own date, {esc(human_date(plan_dates[-1]))})" if plan_dates else ""
    summary = (
        f'<p class="tk-summary"><b>{len(tracker.rows)}</b> rows: <b>{completed}</b> completed, '
        f"<b>{overdue}</b> overdue{as_of}. Click a reference to open the row as the plan writes it, "
        "or a finding number to follow the finding to its actions, progress and later inspections.</p>"
    )
    table = f'<table class="tracker"><thead>{head}</thead><tbody>{"".join(body)}</tbody></table>'
    return (
        summary
        + table
        + f'<div class="tk-passages">{"".join(passages)}</div>'
        + f'<div class="tk-traces">{"".join(trace_html(k, t) for k, t in enumerate(traces, 1))}</div>'
    )


def trace_html(k: int, found: Trace) -> str:
    """One finding followed: its quote, each row with its status and latest note, the report's
    paragraph on it, and what later inspections say; every quote with its source."""
    f = found.finding
    parts = [
        f'<div class="trace" id="trace-{k}"><h4>Finding {k}: {esc(f.chunk.title)} '
        f'<span class="src-meta">({esc(meta_line(f.chunk))})</span></h4>',
        _quote(f),
    ]
    if not found.steps:
        parts.append('<p class="hint">No action plan row was linked to this finding.</p>')
    for step in found.steps:
        how = "quotes or repeats the finding" if step.by == "reference" else f"similar, score {step.score:.2f}"
        parts.append(
            f'<div class="step"><b>Action {esc(step.row.ref)}</b> ({esc(step.row.status or "status not stated")}; '
            f"linked: {esc(how)}){_quote(step.action)}"
        )
        if step.progress:
            parts.append(_quote(step.progress))
        if step.report:
            parts.append(
                f"<div>Reported in {esc(type_name(step.report.chunk.doc_type))}, "
                f"{esc(meta_line(step.report.chunk))}:</div>{_quote(step.report)}"
            )
        parts.append("</div>")
    for later in found.later:
        parts.append(
            f"<div><b>{esc(human_date(later.chunk.date))}</b>, {esc(type_name(later.chunk.doc_type))}:</div>"
            f"{_quote(later)}"
        )
    parts.append("</div>")
    return "".join(parts)


def _quote(c: Citation) -> str:
    text = " ".join(" ".join(s.split()) for s in c.sentences)
    return f'<blockquote>“{esc(text)}” <span class="src-meta">({esc(_where(c.chunk))})</span></blockquote>'


def _passage(anchor: str, chunk: Chunk, sentences: Sequence[str]) -> str:
    return (
        f'<div class="src" id="{anchor}"><div class="title"><b>{esc(chunk.title)}</b></div>'
        f'<div class="src-meta">{esc(type_name(chunk.doc_type))} · {esc(meta_line(chunk))}</div>'
        f'<div class="passage">{highlight(chunk.passage, sentences)}</div></div>'
    )


def _row_anchor(r: TrackerRow) -> str:
    return "act-" + re.sub(r"[^A-Za-z0-9]+", "-", f"{r.row.doc_id}-{r.row.ref}")


def _where(chunk: Chunk) -> str:
    return meta_line(chunk) or chunk.title


def _score(grade: str, timeline: Timeline, doc_id: str, area: str) -> int:
    return next((p.score for p in timeline.points if p.doc_id == doc_id and p.area == area), 0)
