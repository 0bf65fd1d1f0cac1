"""The council and the kind of report read from the text, on real reports of every layout.

The PDFs are from ../shared/national/: SIF reports of 2014, 2016 and 2017 (their title block is
the council's name, "London Borough of X", "Royal Borough of X", "X Borough Council"), ILACS
reports of 2019-2020 (the same title block above "Inspection of children's social care
services"), recent ILACS and area SEND reports whose title names the council in a longer form.
Each council comes out under its one canonical name, the taxonomy's `local_authorities`; a name
that matches no known council is kept as written and flagged once.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from assistant.core.settings import Settings
from ingest.describe import describe
from ingest.load import load_documents

ROOT = Path(__file__).resolve().parents[2]
NATIONAL = ROOT.parent / "shared" / "national"

# file -> (kind, council) as page 1 gives them (the title block's wording in the comment).
EXPECTED = {
    # London Borough of Barking and Dagenham
    "history/barking-and-dagenham-childrens-services-2014-07-07.pdf": ("sif", "Barking and Dagenham"),
    "history/greenwich-childrens-services-2016-08-05.pdf": ("sif", "Greenwich"),  # Royal Borough of Greenwich
    "history/bracknell-forest-childrens-services-2017-07-14.pdf": ("sif", "Bracknell Forest"),
    "history/wolverhampton-childrens-services-2017-03-31.pdf": ("sif", "Wolverhampton"),
    "history/bristol-childrens-services-2018-10-22.pdf": ("ilacs", "Bristol"),  # "Bristol City of"
    "history/barnet-childrens-services-2019-07-01.pdf": ("ilacs", "Barnet"),  # London Borough of Barnet
    "history/calderdale-childrens-services-2018-12-19.pdf": ("ilacs", "Calderdale"),  # ... Metropolitan Borough Council
    "childrens-services/wokingham-childrens-services-2023-05-09.pdf": ("ilacs", "Wokingham"),  # ... Borough Council
    # Royal Borough of Greenwich; 3 to 7 June 2024, one week on site: a short inspection
    "childrens-services/greenwich-childrens-services-2024-07-16.pdf": ("ilacs_short", "Greenwich"),
    "area-send/bedford-area-send-2025-02-04.pdf": ("area_send", "Bedford"),  # Bedford Borough
}
# An ILACS short inspection (13 to 17 June 2022; page 1 says nothing of the framework).
SHORT = "history/bracknell-forest-childrens-services-2022-07-29.pdf"


@pytest.fixture(scope="module")
def infos():
    files = [*EXPECTED, SHORT]
    documents, errors = load_documents(NATIONAL, [NATIONAL / f for f in files], Settings(ingest_workers=1))
    assert errors == []
    return {Path(d.info.file).name: d.info for d in documents}


@pytest.mark.parametrize("file", EXPECTED, ids=lambda f: Path(f).stem)
def test_council_and_kind_come_from_the_text(infos, file):
    info = infos[Path(file).name]
    assert (info.doc_type, info.local_authority) == EXPECTED[file]


def test_a_short_inspection_is_told_apart_by_its_week_on_site(infos):
    # Nothing in the report says "short": its inspection ran one week (13 to 17 June 2022), a
    # standard one two (Calderdale: 3 to 14 December 2018).
    info = infos[Path(SHORT).name]
    assert (info.doc_type, info.local_authority) == ("ilacs_short", "Bracknell Forest")
    assert infos["calderdale-childrens-services-2018-12-19.pdf"].doc_type == "ilacs"


@pytest.mark.parametrize(
    ("text", "written"),
    [
        (
            "Inspection of Othertown local authority children's services\n\nInspection dates: 1 to 5 May 2023\n",
            "Othertown",
        ),
        (
            "Othertown Borough Council\nInspection of services for children in need of help and protection, "
            "children looked after and care leavers\n",
            "Othertown Borough Council",
        ),
    ],
)
def test_an_unknown_council_is_kept_as_written_and_flagged_once(tmp_path, caplog, text, written):
    path = tmp_path / "othertown-report.txt"
    with caplog.at_level(logging.WARNING, logger="ingest.describe"):
        info = describe(path, text, [], {}, None)
    assert info.local_authority == written
    flagged = [r for r in caplog.records if r.name == "ingest.describe" and r.levelno == logging.WARNING]
    assert len(flagged) == 1 and written in flagged[0].getMessage()


def test_a_council_the_manifest_gives_is_not_flagged(tmp_path, caplog):
    from assistant.core.types import DocumentInfo

    listed = DocumentInfo(doc_id="x", file="x.txt", title="T", doc_type="ilacs", local_authority="Othertown")
    with caplog.at_level(logging.WARNING, logger="ingest.describe"):
        info = describe(
            tmp_path / "x.txt", "Inspection of Elsewhere local authority children's services\n", [], {}, listed
        )
    assert info.local_authority == "Othertown" and not caplog.records
