"""Real published reports read by layout: no page furniture in any chunk, judgement grids as
structured judgements, one unit per "What needs to improve" item, metadata from the text.

The PDFs are from ../shared/national/ (one of each layout there: an ILACS report of 2018-2025, one
under the April 2026 framework, an area SEND report) and Sefton's 2022 report in corpus/. The
national sample holds no report of the single inspection framework (pre-2018); the 2016 report of
corpus/ is its text extraction, covered by test_clean_chunk.py.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pymupdf
import pytest

from assistant.core.settings import Settings
from ingest.chunk import chunk_document
from ingest.clean import clean_document
from ingest.load import load_documents

ROOT = Path(__file__).resolve().parents[2]
NATIONAL = ROOT.parent / "shared" / "national"
ILACS = NATIONAL / "childrens-services" / "barnet-childrens-services-2024-07-23.pdf"
APRIL_2026 = NATIONAL / "childrens-services" / "blackpool-childrens-services-2026-07-28.pdf"
SEND = NATIONAL / "area-send" / "bedford-area-send-2025-02-04.pdf"
SEFTON_2022 = ROOT / "corpus" / "sefton-ilacs-2022.pdf"
LAYOUTS = [ILACS, APRIL_2026, SEND, SEFTON_2022]


def _read(path: Path):
    documents, errors = load_documents(path.parent, [path], Settings())
    assert errors == []
    doc = clean_document(documents[0])
    return doc, chunk_document(doc)


def _margin_lines(path: Path) -> set[str]:
    """The running header and footer lines, found apart from the reader: lines in the top or
    bottom tenth of a page that recur on most pages (digits aside)."""
    pages: dict[str, set[int]] = {}
    with pymupdf.open(path) as pdf:
        for number, page in enumerate(pdf):
            height = page.rect.height
            for block in page.get_text("dict")["blocks"]:
                for line in block.get("lines", ()):
                    text = " ".join("".join(s["text"] for s in line["spans"]).split())
                    y0, y1 = line["bbox"][1], line["bbox"][3]
                    if text and (y1 < 0.1 * height or y0 > 0.88 * height):
                        pages.setdefault(text, set()).add(number)
        n = pdf.page_count
    return {text for text, seen in pages.items() if len(seen) >= max(2, 0.3 * n) and not text.isdigit()}


@pytest.mark.parametrize("path", LAYOUTS, ids=lambda p: p.stem)
def test_no_chunk_holds_a_running_header_or_a_lone_page_number(path):
    doc, chunks = _read(path)
    furniture = _margin_lines(path)
    assert furniture, "the check needs the report's running header"
    body = [c for c in chunks if c.page != 1]  # page 1 carries the title and dates as text
    for chunk in body:
        for line in furniture:
            assert line not in chunk.passage, (chunk.chunk_id, line)
        assert not re.search(r"(?m)^\d{1,3}$", chunk.passage), chunk.passage[:200]


def test_judgement_grids_give_the_grades():
    barnet, _ = _read(ILACS)
    assert dict(barnet.info.judgements) == {
        "The impact of leaders on social work practice with children and families": "Good",
        "The experiences and progress of children who need help and protection": "Good",
        "The experiences and progress of children in care": "Outstanding",
        "The experiences and progress of care leavers": "Good",
        "Overall effectiveness": "Good",
    }
    sefton, chunks = _read(SEFTON_2022)
    assert sefton.info.judgement("overall effectiveness") == "Inadequate"
    assert Counter(grade for _, grade in sefton.info.judgements) == {"Inadequate": 4}
    grid = [c for c in chunks if c.kind == "judgement"]
    assert len(grid) == 1 and "Overall effectiveness | Grade: Inadequate" in grid[0].passage


def test_the_april_2026_framework_has_four_areas_and_no_overall_grade():
    doc, _ = _read(APRIL_2026)
    assert doc.info.doc_type == "ilacs_2026"
    assert len(doc.info.judgements) == 4
    assert doc.info.judgement("overall") == ""
    assert doc.info.judgement("care leavers") == "Outstanding"


def test_each_what_needs_to_improve_item_is_its_own_unit():
    doc, chunks = _read(SEFTON_2022)
    items = [c for c in chunks if c.section == "What needs to improve?" and c.part == 0]
    assert len(items) == 14
    assert all(c.kind == "finding" and c.passage.count("•") == 1 for c in items)
    assert items[-1].passage.endswith("for those young people who are entitled to receive it.")


def test_numbered_paragraphs_keep_their_number_and_section():
    _, chunks = _read(SEFTON_2022)
    paragraphs = {c.ref: c for c in chunks if c.kind == "paragraph" and c.ref}
    assert sorted(map(int, paragraphs)) == list(range(1, 45))
    assert paragraphs["16"].section.startswith("The experiences and progress of children in care")
    # A paragraph broken by a page break is one passage, its sentence whole.
    assert "essential to safeguard them." in paragraphs["6"].passage


def test_what_a_report_is_comes_from_its_text():
    send, chunks = _read(SEND)
    info = send.info
    # "Bedford Borough" on the page; the council by its canonical name (taxonomy local_authorities).
    assert (info.doc_type, info.local_authority, info.published) == ("area_send", "Bedford", "2025-02-04")
    assert info.inspection_dates == "18 to 22 November 2024"
    assert info.lead_inspector.startswith("Charlie Fordham")
    improve = [c for c in chunks if "need to do better" in c.section and c.part == 0]
    assert len(improve) >= 5 and all(c.kind == "finding" for c in improve)
    barnet, _ = _read(ILACS)
    # 10 to 14 June 2024: one week on site, a short inspection (a standard one is two weeks).
    assert (barnet.info.doc_type, barnet.info.local_authority) == ("ilacs_short", "Barnet")
    assert barnet.info.lead_inspector.startswith("Naintara Khosla")
