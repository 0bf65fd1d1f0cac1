"""Web pages (.html, .htm): the visible text, each block element a line, headings with their
level, list items as items, each table row one line carrying its column headers."""

from __future__ import annotations

import re
from functools import partial
from pathlib import Path

from bs4 import BeautifulSoup, NavigableString, Tag

from ingest.readers.layout import LayoutText, Read
from ingest.readers.tables import table_lines, table_or_text
from ingest.readers.text import decode_text

# <title> is metadata (describe_unlisted reads it); html.parser leaves it outside <head> at times.
_HTML_DROP = ["script", "style", "nav", "noscript", "template", "head", "title", "svg"]
_HTML_BLOCKS = {
    "address",
    "article",
    "aside",
    "blockquote",
    "dd",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "footer",
    "form",
    "header",
    "hr",
    "li",
    "main",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "tbody",
    "thead",
    "tfoot",
    "ul",
    "caption",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "br",
}


def read_html(path: Path, data: bytes) -> Read:
    """A web page's visible text with line roles.

    Walks the tree without recursion (`descendants` is a flat iterator), so a page of a thousand
    unclosed or nested elements reads like any other.
    """
    soup = BeautifulSoup(decode_text(path, data), "lxml")
    for tag in soup.find_all(_HTML_DROP):
        tag.decompose()
    out = LayoutText()
    line: list[str] = []
    owner = None  # the block element the gathered text belongs to
    done_rows: set[int] = set()
    for node in soup.descendants:
        if isinstance(node, Tag):
            if node.name == "br":
                line.append(" ")
            elif node.name == "table":
                _flush_html(out, line, owner)
                owner = None
                table_or_text(
                    path, partial(_html_table, node, out, done_rows), partial(_html_table_text, node, out, done_rows)
                )
            continue
        if type(node) is not NavigableString:  # a comment, doctype or CDATA
            continue
        block = node.find_parent(_HTML_BLOCKS)
        if block is not None and block.name in ("tr", "table", "tbody", "thead", "tfoot") or _in_done(node, done_rows):
            continue
        if block is not owner:
            _flush_html(out, line, owner)
            owner = block
        line.append(str(node))
    _flush_html(out, line, owner)
    return Read(out.raw_text, [], out.layout)


def _in_done(node: NavigableString, done_rows: set[int]) -> bool:
    row = node.find_parent("tr")
    return row is not None and id(row) in done_rows


def _html_table(table: Tag, out: LayoutText, done_rows: set[int]) -> None:
    rows: list[list[str]] = []
    header = False
    for tr in table.find_all("tr"):
        if tr.find_parent("table") is not table:
            continue  # a nested table's rows are read with that table
        done_rows.add(id(tr))
        cells = [" ".join(c.get_text(" ").split()) for c in tr.find_all(["td", "th"], recursive=False)]
        if not any(cells):
            continue
        if not rows and all(c.name == "th" for c in tr.find_all(["td", "th"], recursive=False)):
            header = True
        rows.append(cells)
    if rows:
        table_lines(rows, header=header and len(rows) > 1, out=out)


def _html_table_text(table: Tag, out: LayoutText, done_rows: set[int]) -> None:
    for tr in table.find_all("tr"):
        done_rows.add(id(tr))
    for line in table.get_text("\n").splitlines():
        out.add(line)


def _flush_html(out: LayoutText, line: list[str], owner: Tag | None) -> None:
    # HTML white space is not significant: a block's text is one line.
    text = " ".join("".join(line).split())
    line.clear()
    if not text:
        return
    name = owner.name if owner is not None else ""
    if re.fullmatch(r"h[1-6]", name):
        out.add(text, "heading", level=int(name[1]))
    else:
        out.add(text, "bullet" if name == "li" else "body")
