"""Read a PDF by its layout (PyMuPDF): each line with its position, type size and weight.

PyMuPDF was chosen by measurement over all 200 reports of the national sample (see
`scripts/bench_pdf.py`): it is the fastest of pypdf, PyMuPDF and pdfplumber and gives what the
others lose: the position and font of every line. From those, without any word list:

- running headers and footers are the lines in the top or bottom band of the page whose text
  (digits aside) recurs on many pages, and lone page numbers there;
- footnotes are small-type lines at the foot of a page; footnote markers are superscript digits;
- headings are lines in larger type, or whole bold lines, levelled by size;
- list items start with a glyph (of any font, private-use Wingdings included);
- a paragraph starts after a larger gap, at a numbered line, or where the left edge moves out;
  across a page break a sentence that did not end goes on;
- tables are bands of lines side by side in aligned columns: each row becomes one line carrying
  its column headers, and a table whose cells are grades is a judgement grid.
"""

from __future__ import annotations

import logging
import re
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pymupdf

from assistant.core.errors import LoadError
from assistant.core.taxonomy import load_taxonomy
from ingest.readers.layout import LayoutText, Read, clean_line, is_glyph
from ingest.readers.pdf_tables import tables_or_text

log = logging.getLogger(__name__)
pymupdf.TOOLS.mupdf_display_errors(False)  # damaged files are reported by us, once, not on stderr
pymupdf.no_recommend_layout()  # find_tables would print an advert on stdout, into `--json` output

_NUMBERED = re.compile(r"^(?:\d{1,3}\.(?:\d{1,2}\.?)*|\(\d{1,2}\)|[a-z]\))\s+\S")
_SENTENCE_END = re.compile(r"[.!?:;][\"'”’)]?$")
_BANDS = (0.1, 0.88)  # top and bottom share of the page where running headers and footers sit


@dataclass
class PdfLine:
    """One line as drawn, with what the passes below decide of it (role, level, new_block)."""

    text: str
    page: int
    x0: float
    y0: float
    x1: float
    y1: float
    size: float
    bold: bool
    bullet: bool = False
    height: float = 0.0  # page height
    role: str = "body"
    level: int = 0
    new_block: bool = True
    cells: list[str] = field(default_factory=list)  # for a table row: cell texts


def read_pdf_file(path: Path, data: bytes) -> Read:
    """A PDF read by layout: lines with roles, pages, creation date."""
    text, meta = read_pdf(path, data)
    return Read(text.raw_text, text.pages, text.layout, meta)


def read_pdf(path: Path, data: bytes) -> tuple[LayoutText, dict[str, str]]:
    """The text of a PDF, line by line with roles, and its metadata (creation date).

    Raises:
        LoadError: not a PDF, damaged, encrypted with a password, or no text layer (a scan).
    """
    try:
        doc = pymupdf.open(stream=data, filetype="pdf")
    except Exception as exc:
        raise LoadError(
            path, f"not a readable PDF ({type(exc).__name__}: {exc}): re-export or re-download it"
        ) from None
    with doc:
        if doc.needs_pass and not doc.authenticate(""):
            # An owner password only (against editing) opens with the empty user password.
            raise LoadError(
                path, "PDF is encrypted with a password: save an unencrypted copy (print to PDF) and load that"
            )
        try:
            # doc.pages() loads the pages as iterating doc does; mypy cannot iterate Document (its
            # __getitem__ overloads are malformed in pymupdf's annotations).
            pages = [_page_lines(page, number) for number, page in enumerate(doc.pages(), 1)]
        except Exception as exc:
            raise LoadError(
                path, f"not a readable PDF ({type(exc).__name__}: {exc}): re-export or re-download it"
            ) from None
        meta = {"created": _pdf_date(doc.metadata.get("creationDate", "") if doc.metadata else "")}
        lines = [line for page in pages for line in page]
        if not any(line.text for line in lines):
            raise LoadError(path, "PDF has no text layer (a scan?): run OCR on it, or add a text version; skipped")
        if doc.is_repaired and not all(pages):
            # MuPDF mends a damaged file as best it can; pages that came back empty were lost.
            empty = sum(1 for page in pages if not page)
            raise LoadError(
                path,
                f"damaged PDF (cut short?): {empty} of {len(pages)} pages could not be read: re-download or re-export it",
            )
        _mark_furniture(lines, len(pages))
        body = _body_size(lines)
        _mark_notes(lines, body)
        _mark_headings(lines, body)
        for ln in lines:
            if ln.bullet and ln.role == "body":
                ln.role = "bullet"
        # The document stays open for this: a table's rules are read from its page as drawn.
        ordered = [tables_or_text(path, page, doc[number]) for number, page in enumerate(pages)]
    _mark_blocks(ordered, _line_spacing(pages))
    out = LayoutText()
    for number, page in enumerate(ordered, 1):
        out.page(number)
        for ln in page:
            out.add(ln.text, ln.role, level=ln.level, new_block=ln.new_block, page=number)
    return out, meta


def _page_lines(page: pymupdf.Page, number: int) -> list[PdfLine]:
    """The page's non-empty lines in the order the PDF draws them (the author's reading order)."""
    out: list[PdfLine] = []
    height = page.rect.height
    glyph_pending = None
    for block in page.get_text("dict")["blocks"]:
        for line in block.get("lines", ()):
            spans = [s for s in line["spans"] if s["text"].strip()]
            if not spans:
                continue
            main = max(spans, key=lambda s: len(s["text"].strip()))
            # A footnote marker is a superscript number in smaller type: not part of the sentence.
            kept = [
                s
                for s in spans
                if not (s["flags"] & 1 and s["text"].strip().isdigit() and s["size"] < main["size"] - 1)
            ]
            if not kept:
                kept = spans
            text = _join_spans(kept)
            stripped = clean_line(text)
            bullet = False
            if (
                stripped
                and is_glyph(stripped[0])
                and (
                    len(stripped) == 1
                    or stripped[1] == " "
                    or ord(stripped[0]) >= 0xE000
                    or "ding" in kept[0]["font"].lower()
                    or "symbol" in kept[0]["font"].lower()
                )
            ):
                bullet, stripped = True, stripped[1:].strip()
            x0, y0, x1, y1 = line["bbox"]
            if bullet and not stripped:
                glyph_pending = (y0, y1)  # the glyph was drawn as a line of its own
                continue
            if glyph_pending and abs(y0 - glyph_pending[0]) < 4:
                bullet, glyph_pending = True, None
            size = statistics.median(s["size"] for s in kept for _ in range(max(1, len(s["text"].strip()))))
            bold = all(s["flags"] & 16 or "bold" in s["font"].lower() for s in kept if s["text"].strip())
            x_text = kept[0]["bbox"][0] if not bullet else x0
            out.append(PdfLine(stripped, number, x_text, y0, x1, y1, round(size, 1), bold, bullet, height))
    return _join_numbers(out)


def _join_numbers(lines: list[PdfLine]) -> list[PdfLine]:
    """A paragraph number drawn apart from its text on the same baseline ("2." then the text at
    the next tab stop) is one line with it, not two cells of a table."""
    out: list[PdfLine] = []
    for ln in lines:
        prev = out[-1] if out else None
        if (
            prev is not None
            and re.fullmatch(r"\(?\d{1,3}[.)]?|\(?[a-z][.)]", prev.text)
            and abs(ln.y0 - prev.y0) < 3
            and ln.x0 > prev.x1
            and not prev.bullet
        ):
            prev.text, prev.x1, prev.y1 = f"{prev.text} {ln.text}", ln.x1, max(prev.y1, ln.y1)
            prev.bold = prev.bold and ln.bold
            continue
        out.append(ln)
    return out


def _join_spans(spans: list[dict]) -> str:
    """The spans' text, with a space where the PDF leaves a gap but no space character
    ("1." then the paragraph at the next tab stop)."""
    out = spans[0]["text"]
    for prev, span in zip(spans, spans[1:]):
        if span["bbox"][0] - prev["bbox"][2] > 1.0 and not out.endswith(" ") and not span["text"].startswith(" "):
            out += " "
        out += span["text"]
    return out


def _key(text: str) -> str:
    return re.sub(r"\d+", "#", text.lower())


def _mark_furniture(lines: list[PdfLine], n_pages: int) -> None:
    """Running headers and footers: text (digits aside) that recurs in the page margins."""
    in_band = [ln for ln in lines if ln.y1 < _BANDS[0] * ln.height or ln.y0 > _BANDS[1] * ln.height]
    pages_of: dict[str, set[int]] = defaultdict(set)
    for ln in in_band:
        pages_of[_key(ln.text)].add(ln.page)
    need = max(2, 0.3 * n_pages)
    for ln in in_band:
        lone_number = re.fullmatch(r"(?:page\s*)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?", ln.text, re.I)
        if lone_number or len(pages_of[_key(ln.text)]) >= need:
            ln.role = "furniture"


def _body_size(lines: list[PdfLine]) -> float:
    sizes: Counter[float] = Counter()
    for ln in lines:
        if ln.role == "body":
            sizes[ln.size] += len(ln.text)
    return sizes.most_common(1)[0][0] if sizes else 12.0


def _mark_notes(lines: list[PdfLine], body: float) -> None:
    """Footnotes: small type in the lower part of a page, from a numbered line to the page end."""
    by_page: dict[int, list[PdfLine]] = defaultdict(list)
    for ln in lines:
        by_page[ln.page].append(ln)
    for page in by_page.values():
        started = False
        for ln in sorted(page, key=lambda x: x.y0):
            if ln.role != "body":
                continue
            small = ln.size <= body - 1.5 and ln.y0 > 0.5 * ln.height
            if small and (started or re.match(r"^\d{1,3}\s*\S", ln.text)):
                ln.role, started = "note", True
            elif not small:
                started = False


def _mark_headings(lines: list[PdfLine], body: float) -> None:
    """Headings by type size (larger than the body) or weight (a whole bold line that says no
    more than a title would); the document title is the largest type on the first page."""
    candidates = [ln for ln in lines if ln.role == "body" and not ln.bullet]
    big = sorted({ln.size for ln in candidates if ln.size >= body + 1.5}, reverse=True)
    title_size = big[0] if big and big[0] >= 1.6 * body else None
    for ln in candidates:
        words = len(ln.text.split())
        if title_size and ln.size == title_size and ln.page <= 2:
            ln.role, ln.level = "title", 1
        elif ln.size >= body + 1.5 and words <= 30:
            ln.role, ln.level = "heading", 1 + big.index(ln.size) - (1 if title_size else 0)
        elif (
            ln.bold
            and abs(ln.size - body) < 1.5
            and words <= 14
            and not re.search(r"[.;,]$", ln.text)
            and (not re.search(r":\s+\S", ln.text) or _ends_in_grade(ln.text))
            and not _NUMBERED.match(ln.text)
        ):
            ln.role, ln.level = "heading", len(big) + 1 - (1 if title_size else 0)


def _ends_in_grade(text: str) -> bool:
    """ "The experiences and progress of care leavers: good" """
    head, _, tail = text.rpartition(":")
    return bool(head) and bool(load_taxonomy().grade_in(tail))


def _mark_blocks(pages: list[list[PdfLine]], spacing: float) -> None:
    """Decide where paragraphs start (`new_block`), once roles are known.

    Only a body line can go on from the line before it: within a page, when it follows at the
    usual line spacing and does not move out to the left (or sits in a list item's hanging
    indent); across a page break, when the sentence before it has not ended.
    """
    prev: PdfLine | None = None
    for ln in (ln for page in pages for ln in page):
        if ln.role == "note":
            ln.new_block = bool(re.match(r"^\d{1,3}\s*\S", ln.text))  # each note starts at its number
            continue
        if ln.role == "furniture":
            continue
        ln.new_block = True
        if prev is not None and ln.role == "body" and prev.role in ("body", "bullet"):
            if ln.page == prev.page:
                gap = ln.y0 - prev.y0
                usual = 0 < gap <= 1.3 * spacing
                hanging = prev.role == "bullet" and ln.x0 > prev.x0 + 6
                ln.new_block = not usual or bool(_NUMBERED.match(ln.text)) or (ln.x0 < prev.x0 - 6 and not hanging)
            else:
                ln.new_block = bool(_SENTENCE_END.search(prev.text)) and not ln.text[:1].islower()
        elif prev is not None and ln.role == prev.role and ln.role in ("heading", "title") and ln.page == prev.page:
            # A heading wrapped over two lines of the same type is one heading.
            ln.new_block = not (0 < ln.y0 - prev.y0 <= 1.6 * ln.size and ln.level == prev.level)
        prev = ln if ln.role in ("body", "bullet", "heading", "title") else None


def _line_spacing(pages: list[list[PdfLine]]) -> float:
    """The usual distance between baselines of consecutive body lines."""
    gaps = []
    for page in pages:
        body = [ln for ln in page if ln.role == "body"]
        gaps += [b.y0 - a.y0 for a, b in zip(body, body[1:]) if 0 < b.y0 - a.y0 < 40]
    return statistics.median(gaps) if gaps else 14.0


def _pdf_date(value: str) -> str:
    """ "D:20220506111522+01'00'" -> "2022-05-06"; "" when absent or malformed."""
    match = re.match(r"D:(\d{4})(\d{2})(\d{2})", value or "")
    return f"{match[1]}-{match[2]}-{match[3]}" if match else ""
