"""A table as lines: one line per row, each cell with its column header ("Grade: Good").

Shared by the Word, HTML and PDF readers, which each find the rows and the header their own way.
A table whose cells are mostly grades is a judgement grid (role "grid"), any other a "row" table.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from pathlib import Path

from assistant.core.taxonomy import load_taxonomy
from ingest.readers.layout import LayoutText

logger = logging.getLogger(__name__)


def table_or_text(path: Path, as_rows: Callable[[], None], as_text: Callable[[], None]) -> None:
    """A table as rows with headers; one that cannot be read so is kept as its text, with a
    warning, never lost."""
    try:
        as_rows()
    except Exception as exc:  # a table no rule foresaw must not cost the document its text
        logger.warning(
            "%s: a table could not be read as rows (%s: %s); kept as text lines", path.name, type(exc).__name__, exc
        )
        as_text()


def table_lines(rows: list[list[str]], header: bool, out: LayoutText) -> None:
    """One line per row, each cell with its column header ("Grade: Good"); a grid of grades is
    marked as one."""
    header = header or _looks_like_header(rows)
    head = rows[0] if header else None
    body = rows[1:] if header else rows
    role = table_role(body)
    for cells in body:
        out.add(row_text(head, cells), role)


def table_role(body: list[list[str]]) -> str:
    """ "grid" when at least half the rows hold a grade (the judgements at a glance), else "row"."""
    taxonomy = load_taxonomy()
    graded = sum(1 for cells in body if any(taxonomy.grade_in(c) for c in cells))
    return "grid" if graded and graded * 2 >= len(body) else "row"


def row_text(head: list[str] | None, cells: list[str]) -> str:
    """ "Header: cell | Header: cell", empty cells left out; without a header, the cells alone."""
    if head:
        return " | ".join(f"{h}: {c}" if h else c for h, c in zip(head, cells) if c)
    return " | ".join(c for c in cells if c)


def _looks_like_header(rows: list[list[str]]) -> bool:
    """A first row of short labels over at least one more row ("Ref | Action | Status")."""
    first = rows[0] if rows else []
    return (
        len(rows) > 1
        and len(first) > 1
        and all(c and len(c.split()) <= 6 for c in first)
        and not any(re.fullmatch(r"[\d.,%/ -]+", c) for c in first)
    )
