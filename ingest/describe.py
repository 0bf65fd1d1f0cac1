"""What a document is, from its own text, for facts the manifest does not give.

Title, kind of report and local authority (by the taxonomy's patterns; the council under its one
canonical name, a name no known council matches kept as written and flagged), inspection dates, lead
inspector, judgements (from a judgement grid, or headings such as "...care leavers: good") and a
publication date. The manifest always wins; these only fill its gaps, so a report dropped into
corpus/ with no entry is still described, filtered and named like the others.
`describe_unlisted` is the guess from the file's name and text alone.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup

from assistant.core.dates import MONTH_NUMBERS, date_range
from assistant.core.judgements import grade_alternation
from assistant.core.taxonomy import Taxonomy, load_taxonomy
from assistant.core.types import DocumentInfo, LayoutLine
from ingest.manifest import slugify

# "Name: value", the value on the line itself or, when the line ends at the colon, the next one
# ("Lead inspector:" / "Marcie Taylor"); a value holds a letter or digit, never the colon alone.
_FIELD = r"^[ \t]*{}[ \t]*(?::[ \t]*\n[ \t]*|:?[ \t]*)(?P<value>[^\n|:]*\w[^\n|]*)"
_DATES = re.compile(_FIELD.format(r"Inspection dates?"), re.I | re.M)
_LEAD = re.compile(_FIELD.format(r"Lead inspector"), re.I | re.M)
# "Lead inspector: | Anne Waterman": a SIF team list read as a table, the name in the next cell
_LEAD_CELL = re.compile(r"^[ \t]*Lead inspector[ \t]*:?[ \t]*\|[ \t]*(?P<value>[^\n|]+)", re.I | re.M)
# "Charlie Fordham, HMI, Lead inspector" in a team table
_LEAD_AFTER = re.compile(r"(?P<value>[A-Z][\w'’.-]+(?: [A-Z][\w'’.-]+)+),[^|\n]{0,30}?\b[Ll]ead [Ii]nspector", re.M)
_ISO_IN_NAME = re.compile(r"(?<!\d)((?:19|20)\d\d)-(\d\d)-(\d\d)(?!\d)")
_HEAD_CHARS = 6000  # the first pages: where a report says what it is
_MONTH = r"(?P<month>" + "|".join(sorted(MONTH_NUMBERS, key=len, reverse=True)) + r")\.?"
# The forms inspection documents use; whitespace may include a line break, as PDF extraction
# often splits "22\nSeptember 2020". Numeric dates are read day first, as UK documents write them.
_DATE_FORMS = [
    re.compile(r"\b(?P<day>\d{1,2})(?:st|nd|rd|th)?(?:\s+of)?\s+" + _MONTH + r",?\s+(?P<year>(?:19|20)\d{2})\b", re.I),
    re.compile(r"\b" + _MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>(?:19|20)\d{2})\b", re.I),
    re.compile(r"(?<![\d-])(?P<year>(?:19|20)\d{2})-(?P<month>\d{2})-(?P<day>\d{2})(?![\d-])"),
    re.compile(r"(?<![\d/.])(?P<day>\d{1,2})[/.](?P<month>\d{1,2})[/.](?P<year>(?:19|20)\d{2})(?![\d/.])"),
]
logger = logging.getLogger(__name__)
_PAGE_NUMBER = re.compile(r"^(page\s*)?[-–(\[]*\s*\d+\s*[-–)\]]*(\s*(of|/)\s*\d+)?$", re.I)


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
    inspection_dates = _field(_DATES, kept)
    doc_type = taxonomy.by_days_on_site(doc_type, *date_range(inspection_dates))
    # The council as the title names it: the kind's title pattern, else a title block that is
    # a council's name ("London Borough of Barnet", "Bristol City of", "Bolton Council").
    written = authority or _council_title(title, taxonomy)
    authority = _council_name(written, taxonomy) or written
    kind = taxonomy.kind(doc_type)
    # DocumentInfo field -> value for dataclasses.replace: strings and the judgements tuple.
    inferred: dict[str, Any] = dict(
        title=title,
        doc_type=doc_type,
        publisher=kind.publisher,
        local_authority=authority,
        published=_published(path, meta, kept),
        inspection_dates=inspection_dates,
        # A SIF report names its lead inspector in "The inspection team", pages after its opening.
        lead_inspector=_field(_LEAD, kept, whole=True)
        or _field(_LEAD_CELL, kept, whole=True)
        or _field(_LEAD_AFTER, kept),
        judgements=_judgements(raw_text, layout, path.name),
    )
    if info is None or not info.local_authority:
        _flag_unknown(path, written, taxonomy)
    if info is None:
        return dataclasses.replace(guess, **inferred)
    # The manifest wins; its empty fields are filled. An undated manifest entry stays undated:
    # "" there means the date is not known, and a date found in the text may be another's.
    fill = {k: v for k, v in inferred.items() if k != "published" and not getattr(info, k)}
    if info.doc_type in ("", "unknown"):
        fill["doc_type"] = doc_type
    return dataclasses.replace(info, **fill)


def _council_name(written: str, taxonomy: Taxonomy) -> str:
    """The council `written` names, as the taxonomy's `local_authorities` spells it, or "".

    Every way a report names a council is one name: the words around it that `authority_words`
    lists go ("London Borough of X", "X Metropolitan Borough Council", "Bristol City of", "X's"),
    and `authority_aliases` give the rest ("Hull", "Cheshire East Unitary Authority").
    """
    key = taxonomy.authority_key(written) if written else ""
    # A name made only of such words ("City of London") is compared whole.
    whole = _words(written)
    for form, name in taxonomy.authority_names:
        if (key and taxonomy.authority_key(form) == key) or (whole and _words(form) == whole):
            return name
    return ""


def _words(name: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", name.lower()))


def _council_title(title: str, taxonomy: Taxonomy) -> str:
    """The title when it is a council's name, as written: a known council's, or one shaped like
    a council's (a `council_title_words` word around the name), else ""."""
    title = _squash(title).strip(" ,.:;")
    if not title or len(title.split()) > 10:
        return ""
    if _council_name(title, taxonomy):
        return title
    words = re.findall(r"[a-z]+", title.lower())
    outer = words[:2] + words[-2:]
    return title if any(w in taxonomy.council_title_words for w in outer) and taxonomy.authority_key(title) else ""


def _flag_unknown(path: Path, written: str, taxonomy: Taxonomy) -> None:
    """One warning for a council name the taxonomy does not know (kept as written, not guessed)."""
    if written and not _council_name(written, taxonomy):
        logger.warning(
            "%s: council %r matches no council of the taxonomy: kept as written (add it, or an alias, to taxonomy.toml)",
            path.name,
            written,
        )


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


def _field(pattern: re.Pattern[str], text: str, *, whole: bool = False) -> str:
    """The first value of a "Name: value" field in the first pages (`whole`: anywhere)."""
    match = pattern.search(text if whole else text[: _HEAD_CHARS * 3])
    return " ".join(match["value"].split()).rstrip(" .") if match else ""


def _published(path: Path, meta: dict[str, str], text: str) -> str:
    """A date in the file name (catalogues name files by publication date), else the PDF's
    creation date, else the first date written in the text."""
    match = _ISO_IN_NAME.search(path.stem)
    if match:
        return "-".join(match.groups())
    return meta.get("created", "") or first_date(text)


def _judgements(raw: str, layout: list[LayoutLine], name: str = "") -> tuple[tuple[str, str], ...]:
    """(area, grade) pairs: the rows of a judgement grid, else headings that end in a grade.

    A SIF report's grid (2013-2018), split over lines and often read as body text and headings,
    is read from the words of its page 1 (and the LSCB review's grade wherever it is given); an
    early ILACS grid read as one row of joined columns is split into its areas. What a grid shows
    but cannot be read is named in one warning.
    """
    taxonomy = load_taxonomy()
    found: dict[str, str] = {}
    for ln in layout:
        if ln.role != "grid":
            continue
        joined = _joined_grid(raw[ln.start : ln.end], taxonomy)
        if joined:
            for area, grade in joined:
                found.setdefault(area, grade)
            continue
        cells = [c.split(":", 1)[-1].strip() for c in raw[ln.start : ln.end].split(" | ")]
        grades = [c for c in cells if taxonomy.grade_in(c)]
        areas = [c for c in cells if not taxonomy.grade_in(c)]
        if grades and areas:
            found.setdefault(" ".join(areas), taxonomy.grade_in(grades[0]))
    sif = _sif_grid(raw, taxonomy, name)
    if sif:
        # The SIF rows as page 1 words them; a grid line that held one of them ("2.1 Adoption
        # performance | Good") is the same judgement.
        rest = {a: g for a, g in found.items() if not any(_words(w) in _words(a) for w, _ in sif)}
        return tuple(sif) + tuple(rest.items())
    if found:
        return tuple(found.items())
    grade_words = grade_alternation()
    heading = re.compile(rf"^(?P<area>[A-Z][^:\n]{{10,140}}?):\s*(?P<grade>{grade_words})\.?$", re.I)
    for text in _heading_texts(raw, layout):
        match = heading.match(text)
        if match:
            found.setdefault(" ".join(match["area"].split()), taxonomy.grade_in(match["grade"]))
    return tuple(found.items())


# A grade as page 1 writes it, its words broken over lines anywhere ("is requires\nimprovement.").
_GRADE = r"(?:requires?|required)\s+improvement(?:\s+to\s+be\s+good)?|inadequate|outstanding|good|adequate"
# The rows of a SIF grid, as page 1 words them, each followed by its grade (after a "|" when the
# row was read as a table).
_SIF_ROWS = (
    ("Children who need help and protection", r"(?:\d\.\s*)?Children who need help and protection"),
    ("Children looked after and achieving permanence", r"(?:\d\.\s*)?Children looked after and achieving permanence"),
    ("Adoption performance", r"(?:\d\.\d\s*)?Adoption performance"),
    ("Experiences and progress of care leavers", r"(?:\d\.\d\s*)?Experiences and progress of care leavers"),
    ("Leadership, management and governance", r"(?:\d\.\s*)?Leadership, management and governance"),
)
_SIF_OVERALL = re.compile(
    rf"\b(?:The overall judgement is(?: that children['’]s services)?|Children['’]s services in [A-Z][\w ,'’-]{{1,60}}?)\s+(?:are\s+|is\s+)?(?P<grade>{_GRADE})\b",
    re.I,
)
_SIF_LSCB = re.compile(
    r"\bThe (?:effectiveness of the )?Local Safeguarding Children(?:'s)? Board(?: \(LSCB\))?(?: in [A-Z][\w ,'’-]{1,40}?)?"
    rf"(?: is| are)?\s+(?P<grade>{_GRADE})\s*(?:\.\s*)?(?:\n|$)",
    re.I,
)


def _grade_of(text: str, taxonomy: Taxonomy) -> str:
    """A grade as the taxonomy spells it; a sentence's "require improvement" is "Requires improvement"."""
    return taxonomy.grade_in(re.sub(r"^(?:require|required)\b", "requires", " ".join(text.split()), flags=re.I))


def _sif_grid(raw: str, taxonomy: Taxonomy, name: str = "") -> list[tuple[str, str]]:
    """A SIF report's judgements from its page 1, the LSCB review's grade from where it is given;
    [] for any other report. Rows page 1 names but whose grade is not read are named in a warning."""
    head = raw[:_HEAD_CHARS]
    flat = " ".join(head.split())
    if not re.search(r"Children looked after and achieving permanence", flat, re.I):
        return []
    found: list[tuple[str, str]] = []
    missing: list[str] = []
    overall = _SIF_OVERALL.search(flat)
    if overall:
        found.append(("Overall effectiveness", _grade_of(overall["grade"], taxonomy)))
    else:
        missing.append("Overall effectiveness")
    for area, wording in _SIF_ROWS:
        match = re.search(rf"{wording}\s*\|?\s*(?P<grade>{_GRADE})\b", flat, re.I)
        if match:
            found.append((area, _grade_of(match["grade"], taxonomy)))
        elif re.search(wording, flat, re.I):
            missing.append(area)
    lscb = _SIF_LSCB.search(raw)
    if lscb:
        found.append(("Local Safeguarding Children Board", _grade_of(lscb["grade"], taxonomy)))
    if len(found) <= 1 and not overall:
        return []
    if missing:
        logger.warning("%s: judgement grid not fully read, no grade for %s", name or "a report", "; ".join(missing))
    return found


# The areas of an early ILACS grid (2018-2022), where the table is read as one row of joined
# columns: "Judgement A1 A2 A3: Overall effectiveness | Grade G1 G2 G3: G4" (or its last rows
# joined: "Judgement: A3 Overall effectiveness | Grade: G3 G4").
_ILACS_AREA_START = re.compile(r"(?=\b(?:The impact of leaders|The experiences and progress|Overall effectiveness)\b)")


def _joined_grid(text: str, taxonomy: Taxonomy) -> list[tuple[str, str]]:
    """The (area, grade) pairs of a grid row holding several areas and as many grades, else []."""
    cells = text.split(" | ")
    if len(cells) != 2:
        return []
    area_text = re.sub(r"^\s*Judgements?:?\s*", "", cells[0].replace(":", " "))
    grade_text = re.sub(r"^\s*Grades?:?\s*", "", cells[1].replace(":", " "))
    areas = [" ".join(a.split()) for a in _ILACS_AREA_START.split(area_text) if a.strip()]
    # Only the 2018-2022 grid (one area for children in care and care leavers); text of the page
    # read into the overall row's cell is not part of its wording.
    if not any(a.lower().endswith("children in care and care leavers") for a in areas):
        return []
    areas = ["Overall effectiveness" if a.lower().startswith("overall effectiveness") else a for a in areas]
    grade_words = grade_alternation()
    grades = re.findall(grade_words, grade_text, re.I)
    rest = re.sub(grade_words, "", grade_text, flags=re.I).strip()
    if len(areas) < 2 or len(areas) != len(grades) or rest:
        return []
    return [(area, taxonomy.grade_in(grade)) for area, grade in zip(areas, grades, strict=True)]


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


def describe_unlisted(path: Path, text: str) -> DocumentInfo:
    """Guess the facts of a document that has no manifest entry, from its name and text.

    Args:
        path: The document's file; its stem becomes the id.
        text: Its text as loaded; for HTML, the page's markup (its <title> is not in the text).

    Returns:
        A `DocumentInfo` with a slug id, the first heading or title-like line as title (else the
        file name), doc_type "unknown", the first full date in the text as `published` (or ""),
        and `in_manifest=False`.
    """
    path = Path(path)
    title = ""
    if path.suffix.lower() in {".html", ".htm"} and re.search(r"<[a-zA-Z!/]", text):
        soup = BeautifulSoup(text, "html.parser")
        for tag in (soup.title, soup.find("h1")):
            if tag is not None and tag.get_text(strip=True):
                title = _squash(tag.get_text(" "))
                break
        for tag in soup(["script", "style"]):
            tag.decompose()
        text = soup.get_text("\n")
    if not title:
        title = _title_from_text(text) or _squash(re.sub(r"[-_]+", " ", path.stem)) or path.name
    return DocumentInfo(
        doc_id=slugify(path.stem),
        file=path.name,
        title=title,
        doc_type="unknown",
        published=first_date(text),
        in_manifest=False,
    )


def first_date(text: str) -> str:
    """The first full, real date written in `text` as ISO "YYYY-MM-DD", or ""."""
    found: list[tuple[int, str]] = []
    for form in _DATE_FORMS:
        for match in form.finditer(text):
            iso = _iso(match)
            if iso:
                found.append((match.start(), iso))
                break  # later matches of this form cannot come earlier
    return min(found)[1] if found else ""


def _iso(match: re.Match[str]) -> str:
    month = match["month"]
    number = int(month) if month.isdigit() else MONTH_NUMBERS[month.lower()]
    try:
        return dt.date(int(match["year"]), number, int(match["day"])).isoformat()
    except ValueError:  # "31 February 2020" is a typo, not a date
        return ""


def _title_from_text(text: str) -> str:
    for line in text.splitlines():
        if line.startswith("# ") and line[2:].strip():
            return _squash(line[2:])
    for raw in text.splitlines():
        line = _squash(raw)
        if _looks_like_title(line):
            return line
    return ""


def _looks_like_title(line: str) -> bool:
    if not 4 <= len(line) <= 150 or sum(ch.isalpha() for ch in line) < 3:
        return False
    if _PAGE_NUMBER.match(line) or line[0].islower():
        return False
    # A line that is mostly a date ("18 December 2019", "Date: 22/09/2020") is not a title.
    for form in _DATE_FORMS:
        match = form.search(line)
        if match and len(match.group(0)) >= len(line) * 0.6:
            return False
    return True


def _squash(text: str) -> str:
    return " ".join(text.split())
