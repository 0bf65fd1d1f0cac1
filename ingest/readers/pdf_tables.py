"""Tables in a PDF page: bands of lines side by side in aligned columns.

Each row becomes one line carrying its column headers ("Header: cell | Header: cell"), at the
table's place on the page; a table whose cells are grades is a judgement grid.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.readers.tables import row_text, table_role

if TYPE_CHECKING:
    from ingest.readers.pdf import PdfLine

log = logging.getLogger(__name__)


def tables_or_text(path: Path, page: list[PdfLine]) -> list[PdfLine]:
    """The page with its tables as rows; a table that cannot be read as one stays as its lines
    of text, with a warning: never a lost page."""
    try:
        return _with_tables(page)
    except Exception as exc:  # a layout no rule foresaw must not cost the page's text
        log.warning(
            "%s, page %s: a table could not be read as rows (%s: %s); kept as text lines",
            path.name,
            page[0].page if page else "?",
            type(exc).__name__,
            exc,
        )
        return page


def _with_tables(page: list[PdfLine]) -> list[PdfLine]:
    """The page's lines with each table replaced by one line per row, at the table's place."""
    tables = _find_tables([ln for ln in page if ln.role in ("body", "heading")])
    if not tables:
        return page
    out, done = [], set()
    first_of = {id(rows[0][1][0]): rows for rows in tables}
    in_table = {id(ln) for rows in tables for _, group in rows for ln in group}
    for ln in page:
        if id(ln) in first_of:
            out.extend(_table_rows(first_of[id(ln)], page))
            done.add(id(ln))
        elif id(ln) not in in_table:
            out.append(ln)
    return out


def _find_tables(lines: list[PdfLine]) -> list[list[tuple[bool, list[PdfLine]]]]:
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


def _table_rows(rows: list[tuple[bool, list[PdfLine]]], page: list[PdfLine]) -> list[PdfLine]:
    """One line per table row ("Header: cell | Header: cell"); a grade column makes a grid."""
    columns = sorted({round(ln.x0) for starts, band in rows if starts for ln in band})
    merged: list[list[str]] = []
    firsts: list[PdfLine] = []
    for starts, band in rows:
        if starts:
            merged.append([""] * len(columns))
            firsts.append(band[0])
        for ln in band:
            col = min(range(len(columns)), key=lambda c: abs(columns[c] - ln.x0))
            merged[-1][col] = (merged[-1][col] + " " + ln.text).strip()
    header = None
    if all(ln.bold for ln in rows[0][1]) and len(merged) > 1:
        header, merged, firsts = merged[0], merged[1:], firsts[1:]
    role = table_role(merged)
    # Each row is its first line, re-texted: where it stands on the page, in its type size.
    return [
        dataclasses.replace(
            first,
            text=row_text(header, cells),
            bold=False,
            bullet=False,
            role=role,
            level=0,
            new_block=True,
            cells=cells,
        )
        for cells, first in zip(merged, firsts)
    ]
