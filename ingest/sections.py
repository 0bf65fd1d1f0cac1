"""Where a paragraph stands: the section path of headings over it, in one of two regimes.

A structured reader (PDF by layout, HTML, Word) says which lines are headings and at what
level: `LevelledPath` keeps them by level. Plain text has no such roles: `GuessedPath` takes
short lines that name what follows (`is_heading`) for headings, and nests them by how often
they recur. Either path says whether the reader is among recommendations.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache

from assistant.core.taxonomy import Taxonomy, load_taxonomy

NUMBERED = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){1,2})\.?\s+(?=\S)")
GROUP = re.compile(r"^\d{1,2}\.\s+\S.*(?:should|will):?$")  # "2. Southport and Ormskirk NHS Trust should:"
_MAX_HEADING_WORDS = 14


@cache
def _judgement_line() -> re.Pattern[str]:
    """A line that is a grade alone ("Good"): a judgement, not a heading."""
    grades = "|".join(map(re.escape, load_taxonomy().grades))
    return re.compile(rf"^(?:{grades})$", re.I)


def is_heading(text: str) -> bool:
    """A short line that names what follows rather than saying something."""
    words = text.split()
    limit = 30 if GROUP.match(text) else _MAX_HEADING_WORDS  # "15. A, B and C NHS Trusts should:"
    return (
        0 < len(words) <= limit
        and (text[0].isupper() or text[0].isdigit())
        and not re.search(r"[.;,]$", text)
        and not text.startswith(("•", "“", '"', "‘", "'"))
        and not _judgement_line().match(text)
        and not re.fullmatch(r"[\d\s.,%/()-]+", text)
        and (not NUMBERED.match(text) or bool(GROUP.match(text)))
        and not re.search(r"\b(?:19|20)\d\d\b$", text)  # a date line, not a heading
        and not re.match(r"Recommendations? \d", text)  # a cross-reference at a paragraph's end
    )


class SectionPath:
    """The headings over the paragraph being read, joined as "Top > Sub"."""

    in_recommendations = False

    def is_heading(self, para: str, role: str) -> bool:
        raise NotImplementedError

    def enter(self, para: str, role: str, level: int) -> None:
        """A heading line was read: the path moves under it."""
        raise NotImplementedError

    def content(self) -> None:
        """A paragraph of content (not a heading, table or note) was read."""

    @property
    def text(self) -> str:
        raise NotImplementedError


class LevelledPath(SectionPath):
    """The path of a structured document, by the levels its reader gave the headings."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.levels: list[tuple[int, str]] = []
        self._graded = re.compile(r":\s*(?:%s)\W*$" % "|".join(map(re.escape, taxonomy.grades)), re.I)

    def is_heading(self, para: str, role: str) -> bool:
        return role in ("heading", "title")

    def enter(self, para: str, role: str, level: int) -> None:
        if role != "heading":
            return
        name = para.rstrip(":")
        # A heading that gives a grade ("Children in care: good") opens a judgement area: a
        # top-level section, whatever its type size.
        level = 1 if self._graded.search(name) else level
        levels = self.levels
        while levels and levels[-1][0] >= level and levels[-1][1] != name:
            levels.pop()
        if not levels or levels[-1][1] != name:  # a table's header repeating its heading
            levels.append((level, name))
        self.in_recommendations = "recommendation" in name.lower()

    @property
    def text(self) -> str:
        return " > ".join(name for _, name in self.levels)


class GuessedPath(SectionPath):
    """The path of a plain text: guessed headings, two deep at most.

    A heading used more than once ("Summary", "Inspection findings") is a sub-heading of the
    last heading used once ("Leadership, management and governance"); `repeated` counts them.
    """

    def __init__(self, repeated: Counter[str]) -> None:
        self.repeated = repeated
        self.top = ""  # the last heading used once
        self.headings: list[str] = []
        self.after_heading = False

    @classmethod
    def of(cls, text: str, paragraphs: list[tuple[int, int]]) -> GuessedPath:
        # A table of contents repeats every heading, so count only headings followed by content.
        return cls(
            Counter(
                text[a:b]
                for (a, b), (c, d) in zip(paragraphs, paragraphs[1:])
                if is_heading(text[a:b]) and not is_heading(text[c:d])
            )
        )

    def is_heading(self, para: str, role: str) -> bool:
        return is_heading(para)

    def enter(self, para: str, role: str, level: int) -> None:
        name = para.rstrip(":")
        group = bool(GROUP.match(para))
        once = self.repeated[para] <= 1
        if group and self.top:  # "2. Southport and Ormskirk NHS Trust should:" under "Recommendations"
            self.headings = [self.top, name]
        elif not once and self.top and not self.after_heading:
            self.headings = [self.top, name]
        elif self.after_heading:
            self.headings = self.headings[-1:] + [name]
        else:
            self.headings = [name]
        if once and not group:
            self.top = name
            self.in_recommendations = "recommendation" in name.lower()
        self.after_heading = True

    def content(self) -> None:
        self.after_heading = False

    @property
    def text(self) -> str:
        return " > ".join(self.headings)
