"""The one vocabulary of judgement areas (`[[judgement_area]]` and `judgement_wordings` of
assistant/core/taxonomy.toml): every framework's wording of an area, as the project's own reading
gives it from real reports of ../shared/national and corpus/, is filed under one area id.

The reports are read with `ingest.load.load_documents` (no index): what is checked is the wording
each report's grid is read with, not wordings written here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.core.dates import date_range
from assistant.core.settings import Settings
from assistant.core.taxonomy import load_taxonomy
from assistant.core.types import DocumentInfo
from ingest.load import load_documents

ROOT = Path(__file__).resolve().parents[2]
NATIONAL = ROOT.parent / "shared" / "national"

# (report, how a wording read from it opens, the area it names): one row per framework's wording.
WORDINGS = [
    # SIF (2014): the grid of page 1 and the LSCB review's grade.
    ("history/barnsley-childrens-services-2014-08-08.pdf", "Overall effectiveness", "overall_effectiveness"),
    ("history/barnsley-childrens-services-2014-08-08.pdf", "Children who need help", "help_and_protection"),
    ("history/barnsley-childrens-services-2014-08-08.pdf", "Children looked after and achieving", "children_in_care"),
    ("history/barnsley-childrens-services-2014-08-08.pdf", "Adoption performance", "adoption_performance"),
    ("history/barnsley-childrens-services-2014-08-08.pdf", "Experiences and progress of care", "care_leavers"),
    ("history/barnsley-childrens-services-2014-08-08.pdf", "Leadership, management", "impact_of_leaders"),
    ("history/barnsley-childrens-services-2014-08-08.pdf", "Local Safeguarding Children Board", "lscb"),
    # SIF re-inspection (2018): numbered rows of a ruled table, one wrapped in its cell, two
    # beside one merged cell; each read as one row ("2.1 Adoption performance | Good").
    (
        "history/lancashire-childrens-services-2018-08-17.pdf",
        "Children looked after and achieving permanence",
        "children_in_care",
    ),
    ("history/lancashire-childrens-services-2018-08-17.pdf", "Adoption performance", "adoption_performance"),
    (
        "history/lancashire-childrens-services-2018-08-17.pdf",
        "Experiences and progress of care leavers",
        "care_leavers",
    ),
    # ILACS 2018-2022: the joint area of children in care and care leavers, and the overall row
    # (read from the rules of its table, no longer with the page's next text joined to it).
    (
        "history/rochdale-childrens-services-2018-03-12.pdf",
        "The experiences and progress of children in care and care",
        "children_in_care",
    ),
    ("history/rochdale-childrens-services-2018-03-12.pdf", "Overall effectiveness", "overall_effectiveness"),
    ("history/rochdale-childrens-services-2018-03-12.pdf", "The impact of leaders on social work", "impact_of_leaders"),
    (
        "history/rochdale-childrens-services-2018-03-12.pdf",
        "The experiences and progress of children who",
        "help_and_protection",
    ),
    # ILACS 2023-: children in care and care leavers apart (this report writes "children care leavers").
    (
        "childrens-services/bedford-childrens-services-2025-08-27.pdf",
        "The experiences and progress of children in care",
        "children_in_care",
    ),
    (
        "childrens-services/bedford-childrens-services-2025-08-27.pdf",
        "The experiences and progress of children care leavers",
        "care_leavers",
    ),
    # The April 2026 framework: four areas, no overall effectiveness.
    (
        "childrens-services/north-northamptonshire-childrens-services-2026-07-07.pdf",
        "The impact of leaders on practice",
        "impact_of_leaders",
    ),
    (
        "childrens-services/north-northamptonshire-childrens-services-2026-07-07.pdf",
        "The experiences and progress of care leavers",
        "care_leavers",
    ),
]
AREA_SEND = "area-send/bedford-area-send-2025-02-04.pdf"


@pytest.fixture(scope="module")
def read() -> dict[str, DocumentInfo]:
    """The sampled national reports as the project reads them, by path under ../shared/national."""
    files = sorted({f for f, _, _ in WORDINGS} | {AREA_SEND})
    docs, failed = load_documents(NATIONAL, [NATIONAL / f for f in files], Settings(ingest_workers=1))
    assert not failed, failed
    return {doc.info.file: doc.info for doc in docs}


@pytest.mark.parametrize(("file", "opens", "area"), WORDINGS, ids=[f"{Path(f).stem}:{a}" for f, _, a in WORDINGS])
def test_each_frameworks_wording_is_filed_under_its_area(read, file, opens, area):
    wordings = [w for w, _ in read[file].judgements if w.startswith(opens)]
    assert wordings, (opens, read[file].judgements)
    assert load_taxonomy().judgement_area(wordings[0]).id == area


def test_every_wording_read_names_an_area_and_each_area_once(read):
    for file, info in read.items():
        assert all(j.area for j in info.graded), (file, [j for j in info.graded if not j.area])
        # The vocabulary keeps the frameworks apart where they differ: a joint grade is children in
        # care's, the April 2026 framework has no overall judgement, area SEND has no areas.
        if "2018-03-12" in file:
            assert "care_leavers" not in info.areas and info.areas["children_in_care"]
    assert set(read["childrens-services/north-northamptonshire-childrens-services-2026-07-07.pdf"].areas) == {
        "impact_of_leaders",
        "help_and_protection",
        "children_in_care",
        "care_leavers",
    }
    assert read[AREA_SEND].judgements == () and read[AREA_SEND].areas == {}


def test_a_manifests_wording_and_the_sefton_reports():
    docs, failed = load_documents(ROOT / "corpus", None, Settings(ingest_workers=1))
    assert not failed
    info = {d.info.doc_id: d.info for d in docs}
    # corpus/manifest.toml writes the LSCB review as "Review of the Local Safeguarding Children Board".
    assert info["sefton-ofsted-inspection-2016"].areas == {
        "overall_effectiveness": "Requires improvement to be good",
        "lscb": "Inadequate",
    }
    assert info["sefton-ofsted-inspection-2016"].judgement("lscb") == "Inadequate"
    assert info["sefton-ilacs-2022"].areas["children_in_care"] == "Inadequate"  # the joint area of 2022
    assert info["sefton-ilacs-2025"].judgement("care leavers") == "Good"
    assert info["sefton-ilacs-2025"].overall_judgement == "Good"


def test_areas_are_listed_in_order_with_labels_and_unknown_wordings_are_none():
    taxonomy = load_taxonomy()
    ids = [a.id for a in taxonomy.judgement_areas]
    assert ids[:5] == [
        "overall_effectiveness",
        "impact_of_leaders",
        "help_and_protection",
        "children_in_care",
        "care_leavers",
    ]
    assert {"adoption_performance", "lscb"} <= set(ids)
    assert all(a.label for a in taxonomy.judgement_areas)
    assert "care leavers" in taxonomy.area_by_id("children_in_care").note  # the joint grade is said
    assert taxonomy.judgement_area("Quality of practice in the borough") is None
    # Curly quotes and line breaks as PDFs give them do not matter.
    assert taxonomy.judgement_area("Children’s services in\nHarrow are good").id == "overall_effectiveness"


def test_inspection_dates_as_iso():
    assert date_range("21 February to 4 March 2022") == ("2022-02-21", "2022-03-04")
    assert date_range("18 to 22 February 2019") == ("2019-02-18", "2019-02-22")
    assert date_range("05/11/2018 - 16/11/2018") == ("2018-11-05", "2018-11-16")
    assert date_range("") == ("", "") and date_range("in the spring") == ("", "")
    info = DocumentInfo("x", "x.pdf", "X", inspection_dates="29 April – 22 May 2014")
    assert info.inspection_period == ("2014-04-29", "2014-05-22")


def test_a_short_inspection_is_read_from_its_days_on_site_and_a_misprinted_date_keeps_the_kind():
    taxonomy = load_taxonomy()
    assert taxonomy.by_days_on_site("ilacs", "2022-06-13", "2022-06-17") == "ilacs_short"
    assert taxonomy.by_days_on_site("ilacs", "2018-12-03", "2018-12-14") == "ilacs"
    # "31 February" in a report's dates: the report is still read, as the kind it was read as.
    assert taxonomy.by_days_on_site("ilacs", "2019-02-31", "2019-03-04") == "ilacs"
    assert taxonomy.by_days_on_site("ilacs", "", "") == "ilacs"
