"""What a document is, from its own text, for facts the manifest does not give.

Title, kind of report and local authority (by the taxonomy's patterns), inspection dates, lead
inspector, judgements (from a judgement grid, or headings such as "...care leavers: good") and a
publication date. The manifest always wins; these only fill its gaps, so a report dropped into
corpus/ with no entry is still described, filtered and named like the others.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

from assistant.core.taxonomy import load_taxonomy
from assistant.core.types import DocumentInfo, LayoutLine
from ingest.manifest import describe_unlisted, first_date

_FIELD = r"^[ \t]*{}[ \t]*:?[ \t]*(?P<value>[^\n|]+)"
_DATES = re.compile(_FIELD.format(r"Inspection dates?"), re.I | re.M)
_LEAD = re.compile(_FIELD.format(r"Lead inspector"), re.I | re.M)
# "Charlie Fordham, HMI, Lead inspector" in a team table
_LEAD_AFTER = re.compile(r"(?P<value>[A-Z][\w'’.-]+(?: [A-Z][\w'’.-]+)+),[^|\n]{0,30}?\b[Ll]ead [Ii]nspector", re.M)
_ISO_IN_NAME = re.compile(r"(?<!\d)((?:19|20)\d\d)-(\d\d)-(\d\d)(?!\d)")
_HEAD_CHARS = 6000  # the first pages: where a report says what it is


def describe(
    path: Path,
    raw_text: str,
    layout: list[LayoutLine],
    meta: dict[str, str],
    info: DocumentInfo | None,
    markup: str | None = None,
) -> DocumentInfo:
    """The document's facts: the manifest's `info` where it has them, the text's elsewhere.

    Args:
        path: the file (its stem is the id of an unlisted document; a date in its name counts).
        raw_text: the text as loaded; `layout` its line roles when the reader knows them.
        meta: reader facts such as a PDF's creation date ("created").
        info: the manifest entry, or None.
        markup: an HTML file's markup, whose <title> is not in the text.
    """
    taxonomy = load_taxonomy()
    kept = _visible(raw_text, layout)
    guess = describe_unlisted(path, markup if markup is not None else kept)
    # An HTML page's <title> names it better than its first heading; elsewhere type size does.
    title = (guess.title if markup is not None else "") or _layout_title(raw_text, layout) or guess.title
    doc_type, authority = taxonomy.classify(title, kept[:_HEAD_CHARS])
    kind = taxonomy.kind(doc_type)
    # DocumentInfo field -> value for dataclasses.replace: strings and the judgements tuple.
    inferred: dict[str, Any] = dict(
        title=title,
        doc_type=doc_type,
        publisher=kind.publisher,
        local_authority=authority,
        published=_published(path, meta, kept),
        inspection_dates=_field(_DATES, kept),
        lead_inspector=_field(_LEAD, kept) or _field(_LEAD_AFTER, kept),
        judgements=_judgements(raw_text, layout),
    )
    if info is None:
        return dataclasses.replace(guess, **inferred)
    # The manifest wins; its empty fields are filled. An undated manifest entry stays undated:
    # "" there means the date is not known, and a date found in the text may be another's.
    fill = {k: v for k, v in inferred.items() if k != "published" and not getattr(info, k)}
    if info.doc_type in ("", "unknown"):
        fill["doc_type"] = doc_type
    return dataclasses.replace(info, **fill)


def _visible(raw: str, layout: list[LayoutLine]) -> str:
    """The text without page furniture (a running header must not pass for the title)."""
    if not layout:
        return raw
    return "\n".join(raw[ln.start : ln.end] for ln in layout if ln.role not in ("furniture", "note"))


def _layout_title(raw: str, layout: list[LayoutLine]) -> str:
    """The first title (or, lacking one, the first heading) block, its lines joined."""
    for role in ("title", "heading"):
        lines: list[str] = []
        for ln in layout:
            if ln.role == role and (not lines or not ln.new_block):
                lines.append(raw[ln.start : ln.end])
            elif lines:
                break
        if lines:
            return " ".join(" ".join(lines).split())
    return ""


def _field(pattern: re.Pattern[str], text: str) -> str:
    match = pattern.search(text[: _HEAD_CHARS * 3])
    return " ".join(match["value"].split()).rstrip(" .") if match else ""


def _published(path: Path, meta: dict[str, str], text: str) -> str:
    """A date in the file name (catalogues name files by publication date), else the PDF's
    creation date, else the first date written in the text."""
    match = _ISO_IN_NAME.search(path.stem)
    if match:
        return "-".join(match.groups())
    return meta.get("created", "") or first_date(text)


def _judgements(raw: str, layout: list[LayoutLine]) -> tuple[tuple[str, str], ...]:
    """(area, grade) pairs: the rows of a judgement grid, else headings that end in a grade."""
    taxonomy = load_taxonomy()
    found: dict[str, str] = {}
    for ln in layout:
        if ln.role != "grid":
            continue
        cells = [c.split(":", 1)[-1].strip() for c in raw[ln.start : ln.end].split(" | ")]
        grades = [c for c in cells if taxonomy.grade_in(c)]
        areas = [c for c in cells if not taxonomy.grade_in(c)]
        if grades and areas:
            found.setdefault(" ".join(areas), taxonomy.grade_in(grades[0]))
    if found:
        return tuple(found.items())
    grade_words = "|".join(re.escape(g) for g in taxonomy.grades)
    heading = re.compile(rf"^(?P<area>[A-Z][^:\n]{{10,140}}?):\s*(?P<grade>{grade_words})\.?$", re.I)
    for text in _heading_texts(raw, layout):
        match = heading.match(text)
        if match:
            found.setdefault(" ".join(match["area"].split()), taxonomy.grade_in(match["grade"]))
    return tuple(found.items())


def _heading_texts(raw: str, layout: list[LayoutLine]) -> list[str]:
    """Whole headings (wrapped lines joined); for plain text, every line."""
    if not layout:
        return [line.strip() for line in raw.splitlines()]
    out: list[str] = []
    for ln in layout:
        if ln.role != "heading":
            continue
        text = raw[ln.start : ln.end]
        if out and not ln.new_block:
            out[-1] += " " + text
        else:
            out.append(text)
    return out
