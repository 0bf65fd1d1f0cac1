"""Judgement grids of the earlier layouts, read from real reports of ../shared/national/history.

SIF reports (2013-2018) split their grid of six or seven judgements over lines; early ILACS
reports (2018-2022) draw theirs as a ruled table whose grades sit centred beside areas wrapped
over two lines, which the bands of lines alone read as one row of joined columns ("Judgement A1
A2 A3: Overall effectiveness | Grade G1 G2 G3: G4"); the rules divide it into its rows. Each
expected area and grade is as page 1 gives it (the LSCB review's grade as its page gives it). A report whose grid is not fully read keeps its text
and names the judgements not read in one warning.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from assistant.core.settings import Settings
from assistant.core.taxonomy import load_taxonomy
from assistant.core.text import without_role
from ingest.chunk import chunk_document, passage_sentences
from ingest.clean import clean_document
from ingest.load import load_documents

ROOT = Path(__file__).resolve().parents[2]
HISTORY = ROOT.parent / "shared" / "national" / "history"

SIF_RI = "Requires improvement"
CASES = {
    # SIF, 2014: every row and the LSCB grade on page 1.
    "barking-and-dagenham-childrens-services-2014-07-07.pdf": [
        ("Overall effectiveness", SIF_RI),
        ("Children who need help and protection", SIF_RI),
        ("Children looked after and achieving permanence", SIF_RI),
        ("Adoption performance", SIF_RI),
        ("Experiences and progress of care leavers", SIF_RI),
        ("Leadership, management and governance", SIF_RI),
        ("Local Safeguarding Children Board", SIF_RI),
    ],
    # SIF, 2014: the LSCB's grade broken over two lines ("... (LSCB) is requires" / "improvement.").
    "liverpool-childrens-services-2014-07-18.pdf": [
        ("Overall effectiveness", SIF_RI),
        ("Local Safeguarding Children Board", SIF_RI),
    ],
    # SIF, 2017: "Children's services in Harrow are good"; two rows read as a table.
    "harrow-childrens-services-2017-03-31.pdf": [
        ("Overall effectiveness", "Good"),
        ("Children who need help and protection", SIF_RI),
        ("Children looked after and achieving permanence", "Good"),
        ("Adoption performance", "Good"),
        ("Experiences and progress of care leavers", "Good"),
        ("Leadership, management and governance", "Good"),
    ],
    # ILACS, 2018 and 2020: the grid read as one row of joined columns.
    "bexley-childrens-services-2018-08-20.pdf": [
        ("The impact of leaders on social work practice with children and families", "Outstanding"),
        ("The experiences and progress of children who need help and protection", "Outstanding"),
        ("The experiences and progress of children in care and care leavers", "Good"),
        ("Overall effectiveness", "Outstanding"),
    ],
    "islington-childrens-services-2020-04-15.pdf": [
        ("The impact of leaders on social work practice with children and families", "Outstanding"),
        ("The experiences and progress of children who need help and protection", "Outstanding"),
        ("The experiences and progress of children in care and care leavers", "Good"),
        ("Overall effectiveness", "Outstanding"),
    ],
}


def _load(name: str):
    path = HISTORY / name
    if not path.exists():
        pytest.skip(f"{path} not present")
    documents, errors = load_documents(path.parent, [path], Settings())
    assert errors == []
    return documents[0]


@pytest.mark.parametrize("name", sorted(CASES))
def test_grid_read_as_page_one_gives_it(name: str) -> None:
    judgements = dict(_load(name).info.judgements)
    for area, grade in CASES[name]:
        assert judgements.get(area) == grade, (name, area, judgements)


def test_overall_judgement_recorded_for_sif() -> None:
    info = _load("harrow-childrens-services-2017-03-31.pdf").info
    assert load_taxonomy().overall_grade(info.judgements) == "Good"


def test_grid_not_read_keeps_text_and_warns_once(caplog: pytest.LogCaptureFixture) -> None:
    # Isles of Scilly's SIF report of 2016: its page 1 names rows of the grid whose grades are
    # not read.
    name = "isles-of-scilly-childrens-services-2016-06-27.pdf"
    with caplog.at_level(logging.WARNING, logger="ingest.describe"):
        doc = _load(name)
    assert len(doc.raw_text) > 10_000
    warnings = [r.getMessage() for r in caplog.records if "judgement grid not fully read" in r.getMessage()]
    assert len(warnings) == 1
    assert name in warnings[0]
    assert "Children looked after and achieving permanence" in warnings[0]
    read = dict(doc.info.judgements)
    assert "Children looked after and achieving permanence" not in read


@pytest.mark.parametrize(
    ("name", "rows"),
    [
        # SIF, 2016: each area and its grade on lines of their own, two rows read as a table.
        (
            "greenwich-childrens-services-2016-08-05.pdf",
            ("are good", "Children who need help", "Leadership, management"),
        ),
        ("harrow-childrens-services-2017-03-31.pdf", ("are good", "Children looked after", "care leavers")),
    ],
)
def test_spread_grid_is_one_passage(name: str, rows: tuple[str, ...]) -> None:
    # A grid set out over lines is one passage a grade question can be answered from, not a
    # passage a line: "2. Children looked after and achieving" / "permanence" / "Good".
    chunks = chunk_document(clean_document(_load(name)))
    grids = [c for c in chunks if c.kind == "judgement" and c.page == 1]
    assert len({c.passage_id for c in grids}) == 1, [c.passage for c in grids]
    passage = " ".join(grids[0].passage.split())
    for words in rows:
        assert words in passage, (words, passage)
    # The lines of the grid are nowhere else: no passage of its own for "permanence" / "Good".
    assert not [c for c in chunks if c.kind != "judgement" and c.passage.strip() in ("permanence\n\nGood", "Good")]


@pytest.mark.parametrize(
    ("name", "rows"),
    [
        # Page 1 of each: the area (wrapped over two lines of its cell), its grade centred beside it.
        (
            "croydon-childrens-services-2020-03-16.pdf",
            (
                ("The impact of leaders on social work practice with children and families", "Good"),
                ("The experiences and progress of children who need help and protection", "Good"),
                (
                    "The experiences and progress of children in care and care leavers",
                    "Requires improvement to be good",
                ),
                ("Overall effectiveness", "Good"),
            ),
        ),
        (
            "bexley-childrens-services-2018-08-20.pdf",
            (
                ("The impact of leaders on social work practice with children and families", "Outstanding"),
                ("The experiences and progress of children in care and care leavers", "Good"),
                ("Overall effectiveness", "Outstanding"),
            ),
        ),
    ],
)
def test_ruled_ilacs_grid_is_read_one_row_a_judgement(name: str, rows: tuple[tuple[str, str], ...]) -> None:
    # A grade question quotes one row: the area and its grade, not the four areas run together.
    chunks = chunk_document(clean_document(_load(name)))
    grid = next(c for c in chunks if c.kind == "judgement" and c.part == 0)
    quoted = [" ".join(grid.passage[a:b].split()) for a, b in passage_sentences(grid)]
    for area, grade in rows:
        assert f"Judgement: {area} | Grade: {grade}" in quoted, (area, quoted)


@pytest.mark.parametrize(
    ("name", "lead"),
    [
        # "The inspection team" pages after the opening: "Lead inspector: Brendan Parkinson".
        ("barking-and-dagenham-childrens-services-2014-07-07.pdf", "Brendan Parkinson"),
        # The team list read as a table: "Lead inspector: | Anne Waterman".
        ("bracknell-forest-childrens-services-2017-07-14.pdf", "Anne Waterman"),
    ],
)
def test_sif_lead_inspector_read_from_the_inspection_team(name: str, lead: str) -> None:
    assert without_role(_load(name).info.lead_inspector) == lead  # the field keeps a role written after the name


def test_a_lead_inspector_named_on_the_line_after_the_label_is_read() -> None:
    # ILACS 2018: "Lead inspector:" ends its line, the name is on the next ("Marcie Taylor").
    assert _load("bexley-childrens-services-2018-08-20.pdf").info.lead_inspector == "Marcie Taylor"
