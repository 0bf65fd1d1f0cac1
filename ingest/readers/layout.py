"""What the readers hand to the loader, and the structured readers (PDF by layout, HTML, DOCX)
to the cleaner.

A reader writes the document's text line by line into a `LayoutText`, saying of each line what
it is (body, heading, list item, table row, footnote, page furniture). The lines joined by
newlines are the document's `raw_text`; the roles are its `layout`. The cleaner then needs no
guessing for these formats, and every cleaned character still maps back into `raw_text`.
Every reader returns a `Read`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.core.types import LayoutLine

# Characters that are never text: C0/C1 controls (but tab and newline), and the private-use
# area where symbol fonts (Wingdings bullets: U+F0A7, U+F0B7 ...) put their glyphs.
_DROP = dict.fromkeys([*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F, *range(0x80, 0xA0)])
BULLET_GLYPHS = "◼▪■●•◦‣∙○□◆◇►▶✓✔➢➤–-*·"


def is_glyph(ch: str) -> bool:
    """A bullet glyph, including the private-use code points of symbol fonts."""
    return ch in BULLET_GLYPHS or 0xE000 <= ord(ch) <= 0xF8FF


def clean_line(text: str) -> str:
    """One line's text with control characters dropped and white space folded."""
    return " ".join(text.translate(_DROP).split())


@dataclass
class Read:
    """What a reader gives: the text, its pages, and the line roles of a structured format."""

    raw_text: str
    pages: list[tuple[int, int]] = field(default_factory=list)
    layout: list[LayoutLine] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)


@dataclass
class LayoutText:
    """Accumulates lines; `raw_text` and `layout` are what the loader stores."""

    lines: list[str] = field(default_factory=list)
    layout: list[LayoutLine] = field(default_factory=list)
    pages: list[tuple[int, int]] = field(default_factory=list)
    _pos: int = 0

    def page(self, number: int) -> None:
        """Start page `number`: a blank line before it, and its start recorded."""
        if self.lines:
            self.lines.append("")
            self._pos += 1
        self.pages.append((self._pos, number))

    def add(self, text: str, role: str = "body", *, level: int = 0, new_block: bool = True, page: int = 0) -> None:
        text = clean_line(text)
        if not text:
            return
        self.layout.append(LayoutLine(self._pos, self._pos + len(text), page, role, level, new_block))
        self.lines.append(text)
        self._pos += len(text) + 1

    @property
    def raw_text(self) -> str:
        return "\n".join(self.lines)
