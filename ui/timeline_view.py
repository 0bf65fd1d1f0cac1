"""HTML and chart data of the Timeline and Action tracker tabs (ui/tabs/timeline.py and
ui/tabs/actions.py): the records of assistant/views/timeline.py, tracker.py and trace.py, rendered.
The timeline's charts are inline SVG, one per council, so a page of many councils draws without
a plotting component each and every point can link to its passage.

Every quote is shown inside its passage with the quoted words marked, as the chat's sources
are; a passage opens when its link is followed (it is then the page's :target), so the page
works without scripts.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date

import pandas as pd

from assistant import human_date, load_taxonomy, priority_name
from assistant.core.types import Chunk, Citation, Timeline, TimelineEntry, TimelineGroup, Trace, Tracker, TrackerRow
from ui.render import esc, highlight, meta_line, short, type_name

GRADE_AXIS = "grade (1 inadequate, 2 requires improvement, 3 good, 4 outstanding)"
STATE_COLOURS = {"completed": "#059669", "overdue": "#dc2626", "open, not overdue": "#f59e0b"}
# One colour per judgement area, in the taxonomy's order of areas, so an area has one colour in
# every council's chart; wordings of no area take the colours after them.
AREA_COLOURS = ("#1d4ed8", "#b91c1c", "#047857", "#b45309", "#7c3aed", "#0e7490", "#be185d", "#4b5563", "#65a30d")
# The chart's drawing box (SVG user units; the chart scales to the page's width) and its margins:
# room for the grade numbers on the left and the years below.
CHART_SIZE = (720, 170)
CHART_MARGIN = (40, 16, 10, 24)  # left, right, top, bottom
# The first and last report dates stand this far inside the grade lines, clear of their numbers.
CHART_INSET = 24
# Points of several areas on one date are set this far apart, so equal grades do not hide each other.
POINT_SPREAD = 4


def timeline_html(timeline: Timeline) -> str:
    """One section per council: its chart of judgements, then its documents in date order (kind,
    dates, each judgement linked to the passage that gives it, key findings linked to theirs)."""
    if not timeline.entries:
        return '<p class="hint">No documents.</p>'
    colours = _area_colours(timeline)
    sections, first = [], 1
    for g, group in enumerate(timeline.groups, 1):
        sections.append(_group_html(g, group, first, colours))
        first += len(group.entries)
    return f'<div class="timeline">{"".join(sections)}</div>'


def _group_html(g: int, group: TimelineGroup, first: int, colours: dict[str, str]) -> str:
    """A council's section: heading, chart, documents, and the passages their links open."""
    docs, passages, anchors = [], [], {}
    for i, entry in enumerate(group.entries, first):
        for point in entry.judgements:
            anchors[(point.doc_id, point.area)] = f"tl-{i}-j{point.source.n}" if point.source else ""
        html, shown = _entry_html(i, entry, anchors)
        docs.append(html)
        passages += shown
    count = f"{len(group.entries)} document{'s' if len(group.entries) != 1 else ''}"
    return (
        f'<section class="tl-group" id="tl-group-{g}" data-council="{esc(group.label)}">'
        f'<h3 class="tl-council">{esc(group.label)} <span class="tl-count">· {count}</span></h3>'
        + judgement_chart(group, colours, anchors)
        + "".join(docs)
        + f'<div class="tl-passages">{"".join(passages)}</div></section>'
    )


def _entry_html(i: int, entry: TimelineEntry, anchors: dict[tuple[str, str], str]) -> tuple[str, list[str]]:
    """A document's block, and the passages its judgement and finding links open."""
    doc, passages, rows = entry.doc, [], []
    for point in entry.judgements:
        anchor = anchors.get((point.doc_id, point.area), "")
        written = (
            f'<span class="tl-wording">as written: {esc(point.wording)}</span>' if point.wording != point.area else ""
        )
        note = _area_note(point.area_id)
        title = f' title="{esc(note)}"' if note else ""  # what the area's grades cover (a joint grade)
        link = ""
        if point.source and anchor:
            where = f"p. {point.page}" if point.page is not None else "passage"
            link = f'<a class="cite" href="#{anchor}" title="{esc(_where(point.source.chunk))}">[{esc(where)}]</a>'
            passages.append(passage_html(anchor, point.source.chunk, point.source.sentences))
        rows.append(
            f"<tr><td{title}>{esc(point.area)}{written}</td>"
            f'<td class="grade-{point.score}">{esc(point.grade)}</td><td>{link}</td></tr>'
        )
    findings = []
    for c in entry.findings:
        anchor = f"tl-{i}-{c.n}"
        findings.append(
            f'<li>“{esc(" ".join(c.sentences[0].split()))}” <a class="cite" href="#{anchor}">'
            f"[{esc(_where(c.chunk))}]</a></li>"
        )
        passages.append(passage_html(anchor, c.chunk, c.sentences))
    dates = f" · inspected {esc(doc.inspection_dates)}" if doc.inspection_dates else ""
    html = (
        f'<div class="tl-doc" id="tl-doc-{i}"><span class="tl-date">{esc(human_date(doc.published))}</span> '
        f'<span class="tl-kind">{esc(entry.kind_label)}{dates}</span><br><b>{esc(doc.title)}</b>'
        + (f'<table class="grades">{"".join(rows)}</table>' if rows else "")
        + (f'<ul class="findings">{"".join(findings)}</ul>' if findings else "")
        + "</div>"
    )
    return html, passages


def judgement_chart(group: TimelineGroup, colours: dict[str, str], anchors: dict[tuple[str, str], str]) -> str:
    """A council's judgements over time as an SVG line chart, one line per judgement area, each
    point a link to the passage that gives it; a hint when none of its judgements is graded."""
    points = [p for p in group.points if p.score]
    if not points:
        return '<p class="hint tl-no-chart">No graded judgement to chart.</p>'
    days = sorted({date.fromisoformat(p.date).toordinal() for p in points})
    width, height = CHART_SIZE
    left, right, top, bottom = CHART_MARGIN
    span = (days[-1] - days[0]) or 1

    def x_of(day: int) -> float:
        inner = width - left - right - 2 * CHART_INSET
        return left + CHART_INSET + inner * ((day - days[0]) / span if len(days) > 1 else 0.5)

    def y_of(score: int) -> float:
        return top + (height - top - bottom) * (4 - score) / 3

    areas = list(dict.fromkeys(p.area for p in points))
    parts = [_chart_axes(days, x_of, y_of)]
    for k, area in enumerate(areas):
        mine = sorted((p for p in points if p.area == area), key=lambda p: p.date)
        shift = (k - (len(areas) - 1) / 2) * POINT_SPREAD
        xy = [(x_of(date.fromisoformat(p.date).toordinal()) + shift, y_of(p.score)) for p in mine]
        colour = colours.get(area, AREA_COLOURS[-1])
        if len(xy) > 1:
            line = " ".join(f"{x:.1f},{y:.1f}" for x, y in xy)
            parts.append(f'<polyline points="{line}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for p, (x, y) in zip(mine, xy, strict=True):
            tip = f"{area}: {p.grade} ({human_date(p.date)})"
            dot = f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" fill="{colour}"><title>{esc(tip)}</title></circle>'
            anchor = anchors.get((p.doc_id, p.area), "")
            parts.append(f'<a href="#{anchor}">{dot}</a>' if anchor else dot)
    keys = "".join(
        f'<span class="tl-key"><i style="background:{colours.get(a, AREA_COLOURS[-1])}"></i>{esc(a)}</span>'
        for a in areas
    )
    return (
        f'<figure class="tl-chart"><svg viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="Judgements over time: {esc(group.label)}">{"".join(parts)}</svg>'
        f'<figcaption>{keys}<span class="tl-axis">{esc(GRADE_AXIS)}</span></figcaption></figure>'
    )


def _chart_axes(days: list[int], x_of: Callable[[int], float], y_of: Callable[[int], float]) -> str:
    """The grade lines (1 to 4, labelled) and the year of each report date below them."""
    width, height = CHART_SIZE
    left, right, _, bottom = CHART_MARGIN
    parts = []
    for score in (1, 2, 3, 4):
        y = y_of(score)
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" class="tl-grid"/>')
        parts.append(f'<text x="{left - 16}" y="{y + 4:.1f}" text-anchor="end" class="tl-tick">{score}</text>')
    years: dict[int, int] = {}
    for day in days:
        years.setdefault(date.fromordinal(day).year, day)
    for year, day in years.items():
        parts.append(
            f'<text x="{x_of(day):.1f}" y="{height - bottom + 16}" text-anchor="middle" class="tl-tick">{year}</text>'
        )
    return "".join(parts)


def _area_colours(timeline: Timeline) -> dict[str, str]:
    """Area label -> colour: the taxonomy's areas in its order, then any other wording charted."""
    labels = [a.label for a in load_taxonomy().judgement_areas]
    labels += [p.area for p in timeline.points if p.area not in labels]
    return {label: AREA_COLOURS[k % len(AREA_COLOURS)] for k, label in enumerate(dict.fromkeys(labels))}


def _area_note(area_id: str) -> str:
    area = load_taxonomy().area_by_id(area_id) if area_id else None
    return area.note if area is not None else ""


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
        passages.append(passage_html(anchor, r.citation.chunk, r.citation.sentences))
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


def passage_html(anchor: str, chunk: Chunk, sentences: Sequence[str]) -> str:
    """A passage with its quoted sentences marked, shown while it is the page's :target (`anchor`)."""
    return (
        f'<div class="src" id="{anchor}"><div class="title"><b>{esc(chunk.title)}</b></div>'
        f'<div class="src-meta">{esc(type_name(chunk.doc_type))} · {esc(meta_line(chunk))}</div>'
        f'<div class="passage">{highlight(chunk.passage, sentences)}</div></div>'
    )


def _row_anchor(r: TrackerRow) -> str:
    return "act-" + re.sub(r"[^A-Za-z0-9]+", "-", f"{r.row.doc_id}-{r.row.ref}")


def _where(chunk: Chunk) -> str:
    return meta_line(chunk) or chunk.title
