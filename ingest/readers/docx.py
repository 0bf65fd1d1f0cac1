"""Word documents (.docx): paragraphs in order, heading styles as headings, list styles as
items, each table row one line carrying its column headers."""

from __future__ import annotations

import io
import logging
import re
from functools import partial
from pathlib import Path

import docx
from docx.table import Table

from assistant.core.errors import LoadError
from ingest.readers.layout import LayoutText, Read
from ingest.readers.tables import table_lines, table_or_text

logger = logging.getLogger(__name__)


def read_docx(path: Path, data: bytes) -> Read:
    """A Word document's text with line roles; a damaged package is a `LoadError`."""
    try:
        document = docx.Document(io.BytesIO(data))
        out = LayoutText()
        for item in document.iter_inner_content():
            if isinstance(item, Table):
                table_or_text(path, partial(_docx_table, item, out), partial(_docx_table_text, item, out))
                continue
            style = item.style.name if item.style is not None else ""
            level = 1 if style == "Title" else _heading_level(style)
            role = "heading" if level else ("bullet" if "List" in style else "body")
            out.add(item.text, role, level=level)
    except Exception as exc:
        # A damaged package surfaces as zip, XML, key or value errors: all mean the same here.
        logger.debug("python-docx failed on %s", path, exc_info=True)
        raise LoadError(
            path,
            f"not a readable .docx file ({type(exc).__name__}): open it in Word and save it as .docx "
            "(an old .doc renamed to .docx is not one)",
        ) from None
    return Read(out.raw_text, [], out.layout)


def _docx_table(table: Table, out: LayoutText) -> None:
    rows = []
    for row in table.rows:
        cells, previous = [], None
        for cell in row.cells:
            # A merged cell is returned once per grid column it spans; take it once.
            if previous is not None and cell._tc is previous:
                continue
            previous = cell._tc
            cells.append(" ".join(cell.text.split()))
        if any(cells):
            rows.append(cells)
    table_lines(rows, header=bool(rows) and len(rows) > 1 and _bold_row(table), out=out)


def _docx_table_text(table: Table, out: LayoutText) -> None:
    for row in table.rows:
        out.add(" ".join(cell.text for cell in row.cells))


def _bold_row(table: Table) -> bool:
    runs = [r for cell in table.rows[0].cells for p in cell.paragraphs for r in p.runs if r.text.strip()]
    return bool(runs) and all(r.bold for r in runs)


def _heading_level(style: str) -> int:
    match = re.fullmatch(r"Heading (\d)", style or "")
    return int(match[1]) if match else 0
