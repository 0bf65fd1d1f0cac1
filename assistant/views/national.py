"""The national picture of one judgement area: how many reports gave each grade each year, and
each council's latest grade with its movement since its previous inspection.

It reads a table of judgements (`views/judgements.judgements_table`), so a grade, its page and its
movement are the table's: this module only counts and picks. Grades are counted by their place on
the taxonomy's grade scale, as movements are compared, so the frameworks' wordings of one place
(SIF "requires improvement", ILACS "requires improvement to be good") make one band of a year's
bar instead of two that a reader would have to add up.
"""

from __future__ import annotations

import logging
from collections.abc import Collection

from assistant.core.taxonomy import load_taxonomy
from assistant.core.types import CouncilMovement, GradeBand, JudgementRow, JudgementsTable, NationalPicture, YearCount

log = logging.getLogger(__name__)


def national_picture(
    table: JudgementsTable,
    *,
    grades: Collection[int] | None = None,
    first_year: int | None = None,
    last_year: int | None = None,
) -> NationalPicture:
    """The table's judgements counted by year and grade, and each council's latest, as filtered.

    Args:
        table: the judgements to read, mostly one area's (`judgements_table(index, area=...)`);
            a table of every area counts every area's judgements together.
        grades: the places on the grade scale to keep (`GradeBand.score`: 4 outstanding ... 1
            inadequate, 0 off the scale); None for every grade, () for none.
        first_year, last_year: keep the reports published in these years (both included); a
            report whose date was not read is then left out. None for no bound.
    Returns:
        A `NationalPicture`: the kept rows and their counts by year and band; each council's
        latest report of the years kept (per area), when its grade is kept, with the council's
        previous report of that area from the whole table; the bands and years of the whole
        table for a user's choices.
    """
    taxonomy = load_taxonomy()
    dated = range(first_year or 0, (last_year or 9999) + 1)
    bounded = first_year is not None or last_year is not None
    in_years = tuple(r for r in table.rows if not bounded or (_year(r) is not None and _year(r) in dated))

    def graded(row: JudgementRow) -> bool:
        return grades is None or taxonomy.grade_score(row.grade) in grades

    rows = tuple(r for r in in_years if graded(r))
    # A council's latest report of the years kept, then its grade: a council judged inadequate
    # once and good since is not listed among the inadequate as if that were its latest report.
    councils = tuple(m for m in _councils(in_years, table.rows) if graded(m.latest))
    log.debug("national picture of %r: %d of %d rows", table.area, len(rows), len(table.rows))
    return NationalPicture(
        area=table.area,
        rows=rows,
        counts=_counts(rows),
        councils=councils,
        bands=_bands(table.rows),
        years=tuple(sorted({y for r in table.rows if (y := _year(r)) is not None})),
        undated=sum(1 for r in rows if _year(r) is None),
    )


def _year(row: JudgementRow) -> int | None:
    """The year the row's report was published, None when its date was not read."""
    return int(row.date[:4]) if row.date[:4].isdigit() else None


def _counts(rows: tuple[JudgementRow, ...]) -> tuple[YearCount, ...]:
    """The dated rows by year, oldest first, then by place on the scale, best first."""
    taxonomy = load_taxonomy()
    found: dict[tuple[int, int], list[JudgementRow]] = {}
    for row in rows:
        year = _year(row)
        if year is not None:
            found.setdefault((year, taxonomy.grade_score(row.grade)), []).append(row)
    return tuple(YearCount(y, s, tuple(found[(y, s)])) for y, s in sorted(found, key=lambda k: (k[0], -k[1])))


def _councils(rows: tuple[JudgementRow, ...], everything: tuple[JudgementRow, ...]) -> tuple[CouncilMovement, ...]:
    """Each council's latest kept row per area (its last dated one; its last when none is dated),
    with the row of the report before it from the whole table."""
    latest: dict[tuple[str, str], JudgementRow] = {}
    for k, row in enumerate(rows):
        # The documents of no council read may be several councils': each row is its own.
        key = (row.council, row.area_id or row.area) if row.council else ("", str(k))
        held = latest.get(key)
        # The table lists a council's reports oldest first, undated last: a later dated row is newer.
        if held is None or row.date or not held.date:
            latest[key] = row
    by_report = {(r.doc_id, r.area_id): r for r in everything}
    return tuple(
        CouncilMovement(row, by_report.get((row.previous_doc_id, row.area_id)) if row.previous_doc_id else None)
        for row in latest.values()
    )


def _bands(rows: tuple[JudgementRow, ...]) -> tuple[GradeBand, ...]:
    """The places on the scale the rows' grades stand at, best first, each with its grades."""
    taxonomy = load_taxonomy()
    held = {r.grade for r in rows}
    order = [g for g, _ in taxonomy.grade_scores] + sorted(held - {g for g, _ in taxonomy.grade_scores})
    places: dict[int, list[str]] = {}
    for grade in order:
        if grade in held:
            places.setdefault(taxonomy.grade_score(grade), []).append(grade)
    return tuple(GradeBand(score, tuple(places[score])) for score in sorted(places, reverse=True))
