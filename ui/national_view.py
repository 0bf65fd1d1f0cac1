"""HTML of the National picture tab (ui/tabs/national.py): a `NationalPicture` rendered as a chart
of grades by year and a table of each council's movement since its previous inspection.

The chart is inline SVG, as the timeline's is, drawn without script: one bar a year, one block per
report, stacked by place on the grade scale, so every block can link to the passage that gives its
grade. The table's grades link to their passages too; each passage shows while it is the page's
:target. A council's name is a button that opens its timeline (the tab's script hears its click).
"""

from __future__ import annotations

import math

from assistant import human_date, load_taxonomy
from assistant.core.types import NO_COUNCIL, CouncilMovement, GradeBand, JudgementRow, NationalPicture
from ui.render import esc, meta_line
from ui.timeline_view import passage_html

# One colour per place on the grade scale (4 outstanding ... 1 inadequate, 0 off the scale).
BAND_COLOURS = {4: "#065f46", 3: "#34d399", 2: "#f59e0b", 1: "#dc2626", 0: "#9ca3af"}
# The chart's drawing box (SVG user units; it scales to the page's width) and its margins: room
# for the counts on the left, each bar's total above it and the years below.
CHART_SIZE = (720, 220)
CHART_MARGIN = (34, 10, 18, 24)  # left, right, top, bottom
BAR_SHARE = 0.62  # of a year's slot, the rest a gap between bars
MOVEMENT_SIGNS = {"up": "↑ up", "down": "↓ down", "same": "= same"}


def national_html(picture: NationalPicture) -> str:
    """The area's heading and note, the chart, the councils' table, and the passages their grades open."""
    taxonomy = load_taxonomy()
    area = taxonomy.area_by_id(picture.area) if picture.area else None
    head = f'<h3 class="np-area">{esc(area.label if area else "Every judgement area")}</h3>'
    if area is not None and area.note:
        head += f'<p class="hint np-note">{esc(area.note)}</p>'
    if not picture.rows:
        return f'<div class="national">{head}<p class="hint np-empty">No judgement matches these filters.</p></div>'
    anchors = _anchors(picture)
    passages = [
        passage_html(anchor, row.source.chunk, row.source.sentences)
        for row, anchor in anchors.values()
        if row.source is not None
    ]
    return (
        f'<div class="national">{head}{grade_chart(picture, anchors)}{_councils_html(picture, anchors)}'
        f'<div class="np-passages">{"".join(passages)}</div></div>'
    )


def _anchors(picture: NationalPicture) -> dict[tuple[str, str], tuple[JudgementRow, str]]:
    """(report, area) -> (its row, the id of its passage): every row kept, and each council's
    previous report, so every grade shown has one passage."""
    rows = [*picture.rows, *(m.previous for m in picture.councils if m.previous is not None)]
    found: dict[tuple[str, str], tuple[JudgementRow, str]] = {}
    for row in rows:
        found.setdefault(_key(row), (row, f"np-{len(found) + 1}"))
    return found


def _key(row: JudgementRow) -> tuple[str, str]:
    return row.doc_id, row.area_id or row.area


def grade_chart(picture: NationalPicture, anchors: dict[tuple[str, str], tuple[JudgementRow, str]]) -> str:
    """The kept reports by year as SVG stacked bars, one block per report coloured by its band
    (best at the bottom), each block a link to its grade's passage; a hint when none is dated."""
    if not picture.counts:
        return '<p class="hint np-no-chart">No dated report to chart.</p>'
    years = list(range(picture.counts[0].year, picture.counts[-1].year + 1))
    totals = {y: sum(c.count for c in picture.counts if c.year == y) for y in years}
    width, height = CHART_SIZE
    left, right, top, bottom = CHART_MARGIN
    slot = (width - left - right) / len(years)
    step = _tick_step(max(totals.values()))
    ceiling = step * math.ceil(max(totals.values()) / step)
    unit = (height - top - bottom) / ceiling  # the height of one report's block
    base = height - bottom
    parts = _axes(years, slot, step, ceiling, unit)
    bar = slot * BAR_SHARE
    stacked = dict.fromkeys(years, 0)
    for count in picture.counts:  # year by year, best band first: the best at the bottom
        x = left + slot * (years.index(count.year) + 0.5) - bar / 2
        for row in count.rows:
            y = base - unit * (stacked[count.year] + 1)
            stacked[count.year] += 1
            gap = 1 if unit > 4 else 0  # blocks of a tall bar touch, or they would be lines
            tip = f"{row.council or NO_COUNCIL}, {human_date(row.date)}: {row.grade}"
            block = (
                f'<rect class="np-block" data-score="{count.score}" x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" '
                f'height="{max(unit - gap, 0.5):.1f}" fill="{BAND_COLOURS.get(count.score, BAND_COLOURS[0])}">'
                f"<title>{esc(tip)}</title></rect>"
            )
            anchor = anchors[_key(row)][1]
            parts.append(f'<a href="#{anchor}">{block}</a>')
    for year, total in totals.items():
        if total:
            x = left + slot * (years.index(year) + 0.5)
            parts.append(
                f'<text x="{x:.1f}" y="{base - unit * total - 4:.1f}" text-anchor="middle" class="np-total">{total}</text>'
            )
    # The bands of the whole table, so a band has one colour and place in the key whatever is kept.
    keys = "".join(_key_html(b, sum(c.count for c in picture.counts if c.score == b.score)) for b in picture.bands)
    undated = f" {picture.undated} undated not charted." if picture.undated else ""
    reports = sum(totals.values())
    return (
        f'<figure class="np-chart"><svg viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="Reports by grade and year: {reports} reports">{"".join(parts)}</svg>'
        f"<figcaption>{keys}<span class='np-axis'>Reports published each year by grade; each block is one "
        f"report: click it to open the passage that gives its grade.{esc(undated)}</span></figcaption></figure>"
    )


def _key_html(band: GradeBand, count: int) -> str:
    colour = BAND_COLOURS.get(band.score, BAND_COLOURS[0])
    return f'<span class="np-key"><i style="background:{colour}"></i>{esc(band.label)} ({count})</span>'


def _tick_step(most: int) -> int:
    """The counts between two grid lines: 1, 2 or 5 times a power of ten, for five lines or fewer."""
    for power in range(0, 7):
        for k in (1, 2, 5):
            if most <= 5 * k * 10**power:
                return k * 10**power
    return 10**7


def _axes(years: list[int], slot: float, step: int, ceiling: int, unit: float) -> list[str]:
    """The count lines (0 to the ceiling, labelled) and the years below the bars."""
    width, height = CHART_SIZE
    left, right, _, bottom = CHART_MARGIN
    parts = []
    for n in range(0, ceiling + 1, step):
        y = height - bottom - unit * n
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" class="np-grid"/>')
        parts.append(f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end" class="np-tick">{n}</text>')
    every = math.ceil(len(years) / 16)  # no more than sixteen year labels, so they do not overlap
    for k, year in enumerate(years):
        if k % every == 0:
            x = left + slot * (k + 0.5)
            parts.append(
                f'<text x="{x:.1f}" y="{height - bottom + 16}" text-anchor="middle" class="np-tick">{year}</text>'
            )
    return parts


def _councils_html(picture: NationalPicture, anchors: dict[tuple[str, str], tuple[JudgementRow, str]]) -> str:
    """The summary of movements, then one row per council: its latest report and grade, the
    report before it and its grade, and the movement between them."""
    moved = {m: sum(1 for c in picture.councils if c.movement == m) for m in MOVEMENT_SIGNS}
    first = sum(1 for c in picture.councils if not c.previous)
    several = len({c.latest.area_id or c.latest.area for c in picture.councils}) > 1
    n, councils = len(picture.rows), len(picture.councils)
    summary = (
        f'<p class="np-summary"><b>{n}</b> judgement{"s" if n != 1 else ""} charted (and in the CSV). '
        f"<b>{councils}</b> council{'s' if councils != 1 else ''} whose latest report of the years picked "
        f"has a grade picked: <b>{moved['up']}</b> up, <b>{moved['down']}</b> down and <b>{moved['same']}</b> "
        f"the same since the previous inspection, <b>{first}</b> with no earlier grade for the area here. "
        "Click a grade to open its passage, or a council to open its timeline.</p>"
    )
    head = (
        "<tr><th>council</th>"
        + ("<th>area</th>" if several else "")
        + "<th>latest report</th><th>grade</th><th>previous report</th><th>previous grade</th><th>movement</th></tr>"
    )
    if not picture.councils:
        return summary
    body = [_council_row(c, anchors, several) for c in picture.councils]
    return summary + f'<table class="np-councils"><thead>{head}</thead><tbody>{"".join(body)}</tbody></table>'


def _council_row(c: CouncilMovement, anchors: dict[tuple[str, str], tuple[JudgementRow, str]], area: bool) -> str:
    row = c.latest
    name = (
        f'<button type="button" class="np-open" data-council="{esc(row.council)}" '
        f'title="Open the timeline of {esc(row.council)}">{esc(row.council)}</button>'
        if row.council
        else esc(NO_COUNCIL)
    )
    before = c.previous
    movement = MOVEMENT_SIGNS.get(c.movement, "")
    return (
        f'<tr data-council="{esc(row.council)}" class="np-move-{c.movement or "none"}"><td>{name}</td>'
        + (f"<td>{esc(row.area)}</td>" if area else "")
        + f"<td>{_report(row)}</td><td>{_grade(row, anchors)}</td>"
        + f"<td>{_report(before) if before else ''}</td><td>{_grade(before, anchors) if before else ''}</td>"
        + f'<td class="np-movement">{esc(movement) or "<span class=hint>no earlier grade</span>"}</td></tr>'
    )


def _report(row: JudgementRow) -> str:
    """A report's date, its title and framework on hover."""
    return f'<span title="{esc(row.title)} ({esc(row.framework)})">{esc(human_date(row.date))}</span>'


def _grade(row: JudgementRow, anchors: dict[tuple[str, str], tuple[JudgementRow, str]]) -> str:
    """A grade as a link to the passage that gives it, with its page."""
    score = load_taxonomy().grade_score(row.grade)
    where = f"p. {row.page}" if row.page is not None else "passage"
    if row.source is None:
        return f'<span class="grade-{score}">{esc(row.grade)}</span>'
    return (
        f'<a class="cite grade-{score}" href="#{anchors[_key(row)][1]}" title="{esc(meta_line(row.source.chunk))}">'
        f'{esc(row.grade)} <span class="np-page">[{esc(where)}]</span></a>'
    )
