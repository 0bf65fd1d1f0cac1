"""Tables in a PDF page: bands of lines side by side in aligned columns.

Each row becomes one line carrying its column headers ("Header: cell | Header: cell"), at the
table's place on the page; a table whose cells are grades is a judgement grid.

Where the table is drawn with rules, its rows and cells are the ones the rules draw (PyMuPDF's
`find_tables`), our lines placed in them: the bands cannot tell rows apart when a cell's text is
centred against a neighbour wrapped over two lines (a 2018-2021 grid's "Good" beside "The
impact of leaders on social work practice with children" / "and families"), and such rows
then ran together. The rule finder costs about 60 ms a page, so it is asked only of pages where
the bands found a table (about one page in sixteen).
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from typing import TYPE_CHECKING

import pymupdf

from ingest.readers.tables import row_text, table_role

if TYPE_CHECKING:
    from ingest.readers.pdf import PdfLine

Band = list[tuple[bool, list["PdfLine"]]]  # a table: (starts a row, lines of the band), top to bottom

log = logging.getLogger(__name__)


def tables_or_text(path: Path, page: list[PdfLine], drawn: pymupdf.Page | None = None) -> list[PdfLine]:
    """The page with its tables as rows; a table that cannot be read as one stays as its lines
    of text, with a warning: never a lost page. `drawn` is the page as PyMuPDF opened it, for
    the rules of its tables (None: the bands alone)."""
    try:
        return _with_tables(page, drawn)
    except Exception as exc:  # a layout no rule foresaw must not cost the page's text
        log.warning(
            "%s, page %s: a table could not be read as rows (%s: %s); kept as text lines",
            path.name,
            page[0].page if page else "?",
            type(exc).__name__,
            exc,
        )
        return page


@dataclasses.dataclass
class _Table:
    """A table found on a page: its rows of cell texts, each row's first line (where the row
    stands on the page), and every line it replaces."""

    cells: list[list[str]]
    firsts: list[PdfLine]
    lines: list[PdfLine]
    header: bool  # the first row is a header (drawn bold)


def _with_tables(page: list[PdfLine], drawn: pymupdf.Page | None) -> list[PdfLine]:
    """The page's lines with each table replaced by one line per row, at the table's place."""
    candidates = [ln for ln in page if ln.role in ("body", "heading")]
    found = _find_tables(candidates)
    if not found:
        return page
    ruled = _drawn_tables(drawn) if drawn is not None else []
    tables = [_from_rules(rows, candidates, ruled) or _from_bands(rows) for rows in found]
    order = {id(ln): n for n, ln in enumerate(page)}
    first_of = {id(min(t.lines, key=lambda ln: order[id(ln)])): t for t in tables}  # where it stands in reading order
    in_table = {id(ln) for t in tables for ln in t.lines}
    out = []
    for ln in page:
        if id(ln) in first_of:
            out.extend(_table_rows(first_of[id(ln)]))
        elif id(ln) not in in_table:
            out.append(ln)
    return out


def _from_bands(rows: Band) -> _Table:
    """A table's cells from its bands: a column per left edge of a row's first band, each line
    in the column nearest its left edge, a row's wrapped lines appended to its cells."""
    columns = sorted({round(ln.x0) for starts, band in rows if starts for ln in band})
    cells: list[list[str]] = []
    firsts: list[PdfLine] = []
    for starts, band in rows:
        if starts:
            cells.append([""] * len(columns))
            firsts.append(band[0])
        for ln in band:
            col = min(range(len(columns)), key=lambda c: abs(columns[c] - ln.x0))
            cells[-1][col] = (cells[-1][col] + " " + ln.text).strip()
    lines = [ln for _, band in rows for ln in band]
    return _Table(cells, firsts, lines, header=all(ln.bold for ln in rows[0][1]))


def _from_rules(rows: Band, lines: list[PdfLine], ruled: list) -> _Table | None:
    """The table the bands found, as the rules drawn round it divide it into rows, each of the
    page's lines put in the row its middle falls in. The columns are those of the first row
    ruled into two cells or more (its header, usually): a later row may be ruled finer under a
    cell that spans two ("Overall effectiveness" with its grade in a narrower box), and its
    text still belongs under the header above it. None when no ruled table of two rows and two
    columns holds the bands' first row, or a line inside it falls in no row (the rules are not
    the table's)."""
    for table in ruled:
        # The rules hold the bands' first row: the table is theirs. Lines the bands took on past
        # the rules (single lines read as a wrapped cell: the paragraph under a grid) are the
        # page's text again.
        if table.row_count < 2 or table.col_count < 2 or not all(_within(ln, table.bbox) for ln in rows[0][1]):
            continue
        boxes = next((kept for r in table.rows if len(kept := [b for b in r.cells if b]) >= 2), None)
        if boxes is None:
            return None
        inside = [ln for ln in lines if _within(ln, table.bbox)]
        by_row: dict[int, list[PdfLine]] = {}
        for ln in inside:
            row = _row_of(ln, table.rows)
            if row is None:
                return None
            by_row.setdefault(row, []).append(ln)
        cells: list[list[str]] = []
        firsts: list[PdfLine] = []
        for _, mine in sorted(by_row.items()):
            texts = [""] * len(boxes)
            for ln in sorted(mine, key=lambda ln: (ln.y0, ln.x0)):
                col = _column(ln, boxes)
                texts[col] = (texts[col] + " " + ln.text).strip()
            cells.append(texts)
            firsts.append(min(mine, key=lambda ln: (ln.y0, ln.x0)))
        if len(cells) < 2:
            return None
        header = all(ln.bold for ln in inside if _within(ln, table.rows[0].bbox))
        return _Table(cells, firsts, inside, header=header)
    return None


def _row_of(ln: PdfLine, rows: list) -> int | None:
    """The row of the smallest ruled cell holding the line's middle: a cell merged down over
    two rows ("2.1 Adoption performance" and "2.2 ..." beside one empty cell) widens both rows'
    boxes, but not the cells the line is drawn in."""
    holding = [
        ((box[2] - box[0]) * (box[3] - box[1]), r)
        for r, row in enumerate(rows)
        for box in row.cells
        if box and _within(ln, box)
    ]
    return min(holding)[1] if holding else None


def _column(ln: PdfLine, boxes: list[tuple[float, float, float, float]]) -> int:
    """The column whose box holds the line's middle, else the nearest."""
    x, _ = _middle(ln)
    return min(
        range(len(boxes)),
        key=lambda c: 0.0 if boxes[c][0] <= x <= boxes[c][2] else min(abs(x - boxes[c][0]), abs(x - boxes[c][2])),
    )


def _drawn_tables(drawn: pymupdf.Page) -> list:
    """The tables PyMuPDF finds drawn with rules on the page (strategy "lines": text alone makes
    none); none when it cannot read the page's drawings, and the bands are read as they are."""
    try:
        return list(drawn.find_tables(strategy="lines").tables)
    except Exception as exc:  # the rules only refine the bands: a failure must not cost the table
        log.debug("page %s: rules not read (%s: %s)", drawn.number, type(exc).__name__, exc)
        return []


def _within(ln: PdfLine, box: tuple[float, float, float, float]) -> bool:
    """Whether the line's middle falls inside the box (2 points of slack for the rules' width)."""
    x, y = _middle(ln)
    return box[0] - 2 <= x <= box[2] + 2 and box[1] - 2 <= y <= box[3] + 2


def _middle(ln: PdfLine) -> tuple[float, float]:
    return (ln.x0 + ln.x1) / 2, (ln.y0 + ln.y1) / 2


def _find_tables(lines: list[PdfLine]) -> list[Band]:
    """Tables as lists of (starts a row, lines of the band) in top-to-bottom order.

    A band is the lines that share a baseline; a table starts at a band of two or more lines
    side by side and goes on while bands either have cells on the same columns or are a single
    line continuing one of its cells (a wrapped cell). Two such bands at least make a table.
    """
    bands: list[list[PdfLine]] = []
    for ln in sorted(lines, key=lambda x: (round(x.y0), x.x0)):
        if bands and abs(ln.y0 - bands[-1][0].y0) < 3:
            bands[-1].append(ln)
        else:
            bands.append([ln])
    bands = [sorted(b, key=lambda x: x.x0) for b in bands]

    def side_by_side(band: list[PdfLine]) -> bool:
        return len(band) >= 2 and all(a.x1 < b.x0 - 4 for a, b in zip(band, band[1:]))

    tables, i = [], 0
    while i < len(bands):
        if not side_by_side(bands[i]):
            i += 1
            continue
        columns = [ln.x0 for ln in bands[i]]
        rows = [(True, bands[i])]
        j = i + 1
        while j < len(bands):
            band, last = bands[j], rows[-1][1]
            pitch = last[0].y1 - last[0].y0
            gap = band[0].y0 - last[0].y0
            if gap > 3.2 * pitch or any(ln.role == "heading" for ln in band):
                break
            aligned = all(any(abs(ln.x0 - c) < 5 for c in columns) for ln in band)
            if not aligned:
                break
            # A band right under the last one goes on the same row (cells wrapped over lines);
            # a row starts after the larger gap of a cell's padding.
            weight_changes = all(ln.bold for ln in last) != all(ln.bold for ln in band)  # header, then body
            rows.append((side_by_side(band) and (gap > 1.25 * pitch or weight_changes), band))
            j += 1
        if sum(starts for starts, _ in rows) >= 2:
            tables.append(rows)
            i = j
        else:
            i += 1
    return tables


def _table_rows(table: _Table) -> list[PdfLine]:
    """One line per table row ("Header: cell | Header: cell"); a grade column makes a grid."""
    header, cells, firsts = None, table.cells, table.firsts
    # A header labels two columns at least; a bold first row of one cell is a row of its own
    # (a SIF grid's "Children's services in Anytown are good" above the areas it sums up).
    if table.header and len(cells) > 1 and sum(1 for c in cells[0] if c) >= 2:
        header, cells, firsts = cells[0], cells[1:], firsts[1:]
    role = table_role(cells)
    # Each row is its first line, re-texted: where it stands on the page, in its type size.
    return [
        dataclasses.replace(
            first,
            text=row_text(header, row),
            bold=False,
            bullet=False,
            role=role,
            level=0,
            new_block=True,
            cells=row,
        )
        for row, first in zip(cells, firsts)
    ]
