"""Every inspection report's judgements in one table: one row per report and judgement area.

The grades are those ingest read from each report's judgement grid (`DocumentInfo.judgements`),
each wording filed under its judgement area by the taxonomy's vocabulary, so a SIF report's
"Children looked after and achieving permanence" and an ILACS report's "children in care" are
one area, and each grade is linked to the passage that gives it as the timeline links it
(`council_reports.judgement_points`). Councils are grouped and named as the timeline groups
them. A row also says how its grade moved since the council's previous report that graded the
same area, on the taxonomy's grade scale: that is the question the table is read for ("did
leadership get better between the two inspections?"), and it is only meaningful within one
council, between reports whose order is known.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from dataclasses import replace
from typing import Any

from assistant.core.errors import AssistantError
from assistant.core.taxonomy import JudgementArea, load_taxonomy
from assistant.core.types import DocumentInfo, JudgementPoint, JudgementRow, JudgementsTable
from assistant.store import Index
from assistant.views.council_reports import by_council, council_docs, judgement_points

log = logging.getLogger(__name__)

CSV_COLUMNS = (
    "council",
    "date",
    "inspection_start",
    "inspection_end",
    "doc_id",
    "title",
    "kind",
    "framework",
    "area_id",
    "area",
    "grade",
    "wording",
    "previous_grade",
    "previous_date",
    "previous_doc_id",
    "movement",
    "page",
)


def judgements_table(index: Index, council: str | None = None, area: str | None = None) -> JudgementsTable:
    """The judgements of every indexed inspection report, one row per report and judgement area.

    Args:
        index: an open index.
        council: a council's name as users write it ("Anytown", "Anytown City Council"); None or ""
            for every council.
        area: a judgement area's id ("lscb") or words the taxonomy's vocabulary reads as one
            ("overall effectiveness", "children looked after"); None or "" for every area.
    Returns:
        A `JudgementsTable`: councils in alphabetical order (no council read last), each
        council's reports oldest first (undated last), each report's areas in the taxonomy's
        order, every row with its citation and its movement since the council's previous
        report that graded the area.
    Raises:
        AssistantError: no document of the index belongs to `council` (the message lists those
            that do), or `area` names no judgement area (the message lists the area ids).
    """
    wanted = _area(area)
    rows = [row for name, docs in by_council(council_docs(index, council)) for row in _council_rows(index, name, docs)]
    if wanted is not None:
        # After the movements are found: the filter narrows what is shown, not what is compared.
        rows = [r for r in rows if r.area_id == wanted.id]
    log.debug("judgements %r %r: %d rows", council, area, len(rows))
    return JudgementsTable(council=(council or "").strip(), area=wanted.id if wanted else "", rows=tuple(rows))


def _area(area: str | None) -> JudgementArea | None:
    """The judgement area `area` names (an id, or words the vocabulary maps); None for none asked."""
    words = (area or "").strip()
    if not words:
        return None
    taxonomy = load_taxonomy()
    # Words of one area's label only are that area, as users shorten it ("overall" is overall
    # effectiveness); words of two labels ("care": children in care, care leavers) name neither.
    within = re.compile(r"\b" + r"\W+".join(map(re.escape, words.split())) + r"\b", re.I)
    labelled = [a for a in taxonomy.judgement_areas if within.search(a.label)]
    found = (
        taxonomy.area_by_id(words)
        or taxonomy.area_by_id("_".join(words.lower().replace("-", " ").split()))
        or taxonomy.judgement_area(words)
        or (labelled[0] if len(labelled) == 1 else None)
    )
    if found is None:
        raise AssistantError(
            f"No judgement area {words!r}: use one of {', '.join(a.id for a in taxonomy.judgement_areas)} "
            "(or words for one, such as 'overall effectiveness' or 'LSCB'), or leave the area out for every area"
        )
    return found


def _date(doc: DocumentInfo) -> str:
    """When a report speaks as of, for ordering: published, else the end (or start) of the inspection."""
    start, end = doc.inspection_period
    return doc.published or end or start


def _council_rows(index: Index, council: str, docs: list[DocumentInfo]) -> list[JudgementRow]:
    """One council's rows: its graded inspection reports oldest first (undated last), each
    report's areas in the taxonomy's order, each row's movement since the area's previous grade."""
    taxonomy = load_taxonomy()
    reports = [d for d in docs if d.judgements and taxonomy.kind(d.doc_type).inspection]
    reports.sort(key=lambda d: (not _date(d), _date(d), d.title))
    latest: dict[str, tuple[JudgementRow, str]] = {}  # area id -> the latest dated row of it so far, its date
    rows = []
    for doc in reports:
        for point in _in_area_order(judgement_points(index, doc)):
            row = _row(council, doc, point)
            # Movement needs one council and a known order: the documents of no council read may
            # be several councils', and an undated report is after nothing and before nothing.
            comparable = bool(council and point.area_id and _date(doc))
            if comparable and point.area_id in latest:
                before, when = latest[point.area_id]
                row = replace(
                    row,
                    previous_grade=before.grade,
                    previous_doc_id=before.doc_id,
                    previous_date=when,
                    movement=_movement(before.grade, row.grade),
                )
            if comparable:
                latest[point.area_id] = (row, _date(doc))
            rows.append(row)
    return rows


def _in_area_order(points: list[JudgementPoint]) -> list[JudgementPoint]:
    """A report's points in the taxonomy's order of areas; wordings of no area after, as read."""
    order = {a.id: i for i, a in enumerate(load_taxonomy().judgement_areas)}
    return sorted(points, key=lambda p: order.get(p.area_id, len(order)))


def _row(council: str, doc: DocumentInfo, point: JudgementPoint) -> JudgementRow:
    """A report's judgement as a row of the table, its grade as the taxonomy spells it."""
    taxonomy = load_taxonomy()
    kind = taxonomy.kind(doc.doc_type)
    start, end = doc.inspection_period
    return JudgementRow(
        council=council,
        doc_id=doc.doc_id,
        title=doc.title,
        date=doc.published,
        inspection_start=start,
        inspection_end=end,
        kind=kind.id,
        framework=kind.label,
        area_id=point.area_id,
        area=point.area,
        grade=taxonomy.grade_in(point.grade) or point.grade,
        wording=point.wording,
        source=point.source,
    )


def _movement(before: str, now: str) -> str:
    """The movement from grade `before` to grade `now` ("up", "down", "same"); "" when either is off the scale."""
    taxonomy = load_taxonomy()
    was, is_ = taxonomy.grade_score(before), taxonomy.grade_score(now)
    if not (was and is_):
        return ""
    return "up" if is_ > was else "down" if is_ < was else "same"


def judgements_json(table: JudgementsTable) -> dict[str, Any]:
    """A `JudgementsTable` as JSON: the filters as read and one object per row, with the row's
    page and `source` (the passage that gives the grade, as a citation)."""
    return {
        "council": table.council,
        "area": table.area,
        "rows": [
            {**{c: _cell(r, c) for c in CSV_COLUMNS}, "source": r.source.to_json() if r.source else None}
            for r in table.rows
        ],
    }


def judgements_csv(table: JudgementsTable) -> str:
    """The table as CSV text: a header row (`CSV_COLUMNS`), then one row per judgement."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for r in table.rows:
        writer.writerow(["" if (cell := _cell(r, c)) is None else cell for c in CSV_COLUMNS])
    return out.getvalue()


def _cell(row: JudgementRow, column: str) -> Any:
    """A column of `CSV_COLUMNS` of a row: its field, or its page."""
    return row.page if column == "page" else getattr(row, column)
