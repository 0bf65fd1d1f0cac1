"""The table of every report's judgements on real reports of three frameworks (SIF 2014-2017,
ILACS 2018-2025, the April 2026 framework): each report's grades as its own grid gives them,
each under its area, its page, and how it moved since the council's previous report; the
council and area filters; the CSV and JSON writers.

The grades expected here were read from the reports' text through the project's reader
(`ingest.readers`), not from the table: Barnsley 2014 (SIF) page 1, "The overall judgement is
requires improvement", each row of its grid, "The effectiveness of the Local Safeguarding
Children Board (LSCB) is requires improvement"; Barnsley 2018 (ILACS) page 1, four times Good.
"""

from __future__ import annotations

import csv
import io
import re

import pytest

from assistant.core.errors import AssistantError
from assistant.core.taxonomy import load_taxonomy
from assistant.store import open_index
from assistant.views.judgements import judgements_csv, judgements_json, judgements_table
from ingest.readers import READERS

SIF_2014 = "barnsley-childrens-services-2014-08-08"
ILACS_2018 = "barnsley-childrens-services-2018-11-19"
RI = "Requires improvement"


@pytest.fixture(scope="module")
def index(reports_index):
    return open_index(reports_index.settings, with_collection=False)


@pytest.fixture(scope="module")
def table(index):
    return judgements_table(index)


def _grades(table, doc_id: str) -> dict[str, str]:
    return {r.area_id: r.grade for r in table.rows if r.doc_id == doc_id}


def test_a_sif_and_an_ilacs_report_of_one_council_as_their_grids_give_them(index):
    barnsley = judgements_table(index, "Barnsley")
    assert barnsley.reports == (SIF_2014, ILACS_2018)  # oldest first
    assert _grades(barnsley, SIF_2014) == {
        "overall_effectiveness": RI,
        "impact_of_leaders": RI,  # "Leadership, management and governance"
        "help_and_protection": RI,
        "children_in_care": RI,  # "Children looked after and achieving permanence"
        "care_leavers": "Good",
        "adoption_performance": RI,
        "lscb": RI,
    }
    # ILACS 2018-2022 grades children in care and care leavers together: one row, under children in care.
    assert _grades(barnsley, ILACS_2018) == {
        "overall_effectiveness": "Good",
        "impact_of_leaders": "Good",
        "help_and_protection": "Good",
        "children_in_care": "Good",
    }
    sif = [r for r in barnsley.rows if r.doc_id == SIF_2014]
    assert [r.area_id for r in sif] == [a.id for a in load_taxonomy().judgement_areas]  # the taxonomy's order
    first = sif[0]
    assert (first.council, first.date, first.inspection_start, first.inspection_end) == (
        "Barnsley",
        "2014-08-08",
        "2014-06-02",
        "2014-06-25",
    )
    assert (first.kind, first.framework) == ("sif", load_taxonomy().kind("sif").label)
    in_care = next(r for r in sif if r.area_id == "children_in_care")
    assert (in_care.area, in_care.wording) == ("Children in care", "Children looked after and achieving permanence")
    later = next(r for r in barnsley.rows if r.doc_id == ILACS_2018)
    assert (later.kind, later.date, later.inspection_start, later.inspection_end) == (
        "ilacs",
        "2018-11-19",
        "2018-10-08",
        "2018-10-19",
    )


def test_movement_since_the_councils_previous_report_of_the_area(index):
    barnsley = judgements_table(index, "Barnsley")
    assert all(r.movement == r.previous_grade == "" for r in barnsley.rows if r.doc_id == SIF_2014)
    overall = next(r for r in barnsley.rows if r.doc_id == ILACS_2018 and r.area_id == "overall_effectiveness")
    assert (overall.previous_grade, overall.previous_date, overall.previous_doc_id, overall.movement) == (
        RI,
        "2014-08-08",
        SIF_2014,
        "up",
    )
    # SIF 2016 -> ILACS 2018: "require improvement to be good" -> inadequate, every area.
    wakefield = judgements_table(index, "Wakefield")
    assert {r.area_id: r.movement for r in wakefield.rows if r.previous_grade} == dict.fromkeys(
        ("overall_effectiveness", "impact_of_leaders", "help_and_protection", "children_in_care"), "down"
    )
    # SIF "requires improvement" and ILACS "requires improvement to be good" are one place on the scale.
    calderdale = judgements_table(index, "Calderdale", "help and protection")
    assert [(r.grade, r.movement) for r in calderdale.rows] == [(RI, ""), ("Requires improvement to be good", "same")]
    # SIF 2014 -> April 2026 framework, which gives no overall judgement: four areas, each up.
    portsmouth = judgements_table(index, "Portsmouth")
    latest = [r for r in portsmouth.rows if r.kind == "ilacs_2026"]
    assert [(r.area_id, r.grade, r.previous_grade, r.movement) for r in latest] == [
        ("impact_of_leaders", "Outstanding", "Good", "up"),
        ("help_and_protection", "Outstanding", RI, "up"),
        ("children_in_care", "Outstanding", "Good", "up"),
        ("care_leavers", "Outstanding", RI, "up"),
    ]


def test_every_council_in_order_three_frameworks_and_no_report_without_a_grid(table, index):
    councils = list(dict.fromkeys(r.council for r in table.rows))
    assert councils == sorted(councils, key=str.casefold)
    for council in councils:
        dates = [r.date for r in table.rows if r.council == council]
        assert dates == sorted(dates)
    assert {"sif", "ilacs", "ilacs_2026"} <= {r.kind for r in table.rows}
    graded = {d.doc_id for d in index.docs.values() if d.judgements}
    assert set(table.reports) == graded
    assert not {r.doc_id for r in table.rows} & {d.doc_id for d in index.docs.values() if d.doc_type == "area_send"}
    assert len({(r.doc_id, r.area_id) for r in table.rows}) == len(table.rows)  # one row per report and area


def test_the_area_filter_takes_an_id_or_words_for_it(index, table):
    overall = judgements_table(index, area="overall effectiveness")
    assert overall.area == "overall_effectiveness" and overall.rows
    assert overall.rows == tuple(r for r in table.rows if r.area_id == "overall_effectiveness")
    assert judgements_table(index, area="overall_effectiveness").rows == overall.rows
    assert judgements_table(index, area="overall").rows == overall.rows  # words of one area's label only
    # The April 2026 framework gives no overall judgement: its reports have no row here.
    assert "ilacs_2026" not in {r.kind for r in overall.rows}
    lscb = judgements_table(index, area="LSCB")
    assert lscb.area == "lscb" and {r.kind for r in lscb.rows} == {"sif"}
    looked_after = judgements_table(index, "Barnsley", "children looked after")
    assert [(r.doc_id, r.wording[:21]) for r in looked_after.rows] == [
        (SIF_2014, "Children looked after"),
        (ILACS_2018, "The experiences and p"),
    ]


def test_an_unknown_council_or_area_says_what_to_use(index):
    with pytest.raises(AssistantError, match="use one of .*Barnsley.*leave the council out"):
        judgements_table(index, "Nowhere Borough Council")
    with pytest.raises(AssistantError, match=r"No judgement area 'parks'.*overall_effectiveness.*lscb"):
        judgements_table(index, area="parks")
    with pytest.raises(AssistantError, match="No judgement area 'care'"):  # children in care, or care leavers?
        judgements_table(index, area="care")
    # A council as users write it.
    assert judgements_table(index, "Metropolitan Borough of Barnsley").rows == judgements_table(index, "barnsley").rows


def _holds(page: str, words: str) -> bool:
    """Whether a page's text has `words` in order, whatever spaces, line breaks or punctuation
    stand between them ("requires" also as "require": a SIF report's "services require improvement")."""
    parts = [re.escape(w) if w != "requires" else "requires?" for w in re.findall(r"\w+", words.lower())]
    return re.search(r"\b" + r"\W+".join(parts) + r"\b", page) is not None


def test_each_grade_cites_a_page_of_its_report_where_its_wording_and_grade_are(table, index, reports_index):
    pages: dict[str, dict[int, str]] = {}
    for doc_id in table.reports:
        path = reports_index.corpus_dir / index.docs[doc_id].file
        read = READERS[path.suffix](path, path.read_bytes())
        bounds = [*read.pages, (len(read.raw_text), 0)]
        pages[doc_id] = {n: read.raw_text[a:b].lower() for (a, n), (b, _) in zip(bounds, bounds[1:])}
    for row in table.rows:
        assert row.source is not None and row.source.chunk.doc_id == row.doc_id, row
        page = pages[row.doc_id][row.page]
        assert _holds(page, row.grade), (row.doc_id, row.area_id, row.page)
        # A SIF report writes its overall judgement at the head of its grid, in words of its own
        # ("The overall judgement is ...", "Children's services in X are ..."): the grid's page.
        head_of_grid = row.kind == "sif" and row.area_id == "overall_effectiveness"
        wording = "Children who need help and protection" if head_of_grid else row.wording
        assert _holds(page, wording), (row.doc_id, row.area_id, row.page)
    # A SIF report grades its LSCB review in a sentence of its own, pages after its grid.
    lscb = {r.doc_id: r for r in table.rows if r.area_id == "lscb"}
    assert lscb[SIF_2014].page == 1
    assert lscb[SIF_2014].source.sentences == ("Local Safeguarding Children Board (LSCB) is requires improvement",)
    # Page 31: "The Local Safeguarding Children Board is good".
    assert lscb["portsmouth-childrens-services-2014-09-01"].page == 31


def test_csv_has_a_header_and_one_row_per_judgement_and_json_the_same_rows(index):
    barnsley = judgements_table(index, "Barnsley")
    rows = list(csv.reader(io.StringIO(judgements_csv(barnsley))))
    assert rows[0][:4] == ["council", "date", "inspection_start", "inspection_end"]
    assert {"framework", "area", "grade", "wording", "previous_grade", "movement", "page"} <= set(rows[0])
    assert len(rows) == 1 + len(barnsley.rows) == 1 + 7 + 4
    records = [dict(zip(rows[0], r)) for r in rows[1:]]
    overall = next(r for r in records if r["doc_id"] == ILACS_2018 and r["area_id"] == "overall_effectiveness")
    assert [overall[c] for c in ("grade", "previous_grade", "movement", "page")] == ["Good", RI, "up", "1"]
    data = judgements_json(barnsley)
    assert (data["council"], data["area"]) == ("Barnsley", "")
    assert [(r["doc_id"], r["area_id"], r["grade"]) for r in data["rows"]] == [
        (r["doc_id"], r["area_id"], r["grade"]) for r in records
    ]
    first = data["rows"][0]
    assert first["page"] == 1 and first["source"]["doc_id"] == SIF_2014
