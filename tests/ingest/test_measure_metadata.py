"""scripts/measure_metadata.py on three real national reports (a SIF report, an ILACS report and an
area SEND report): what it counts right, wrong and not read is what a reader of its tables would
take it to mean, and its hand-checked sample names real SIF reports."""

from __future__ import annotations

import csv
import dataclasses
import importlib.util
from pathlib import Path

import pytest

from assistant import load_taxonomy

ROOT = Path(__file__).resolve().parents[2]
NATIONAL = ROOT.parent / "shared" / "national"
HAND_CHECK = ROOT / "tests" / "data" / "sif_hand_check.toml"
SIF = "history/barking-and-dagenham-childrens-services-2014-07-07.pdf"
ILACS = "history/barking-and-dagenham-childrens-services-2019-04-01.pdf"
SEND = "area-send/bedford-area-send-2025-02-04.pdf"

pytestmark = pytest.mark.skipif(not NATIONAL.is_dir(), reason="needs ../shared/national")


def _script():
    spec = importlib.util.spec_from_file_location("measure_metadata", ROOT / "scripts" / "measure_metadata.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    return script


@pytest.fixture(scope="module")
def measured():
    script = _script()
    entries = {e["file"]: e for e in script.read_catalogues(NATIONAL) if e["file"] in (SIF, ILACS, SEND)}
    infos, errors = script.read_reports(NATIONAL, [SIF, ILACS, SEND], workers=1)
    assert not errors and set(infos) == {SIF, ILACS, SEND}
    return script, entries, infos


def _rows(script, entries, infos, file):
    return {row["field"]: row for row in script.compare([entries[file]], infos, load_taxonomy())}


def test_a_right_reading_counts_as_right(measured):
    script, entries, infos = measured
    send = _rows(script, entries, infos, SEND)
    # "Bedford Borough" in the report, "bedford" in the catalogue: one council.
    assert send["council"]["verdict"] == "right"
    assert send["kind"]["verdict"] == "right" and send["kind"]["read"] == "area_send"
    ilacs = _rows(script, entries, infos, ILACS)
    # "18 February to 1 March 2019" against the catalogue's 18/02/2019 and 01/03/2019.
    assert ilacs["inspection_start"]["verdict"] == "right" and ilacs["inspection_start"]["read"] == "2019-02-18"
    assert ilacs["inspection_end"]["verdict"] == "right" and ilacs["inspection_end"]["read"] == "2019-03-01"
    table = "\n".join(script.field_table(list(send.values())))
    assert "| council | 1 | 1 (100.0%) | 0 (0.0%) | 0 (0.0%) |" in table


def test_a_wrong_reading_is_listed_with_both_values(measured):
    script, entries, infos = measured
    entry = entries[ILACS]
    wrong = {**entry, "expected": {**entry["expected"], "lead_inspector": ("Someone Else",)}}
    rows = script.compare([wrong], infos, load_taxonomy())
    lead = next(row for row in rows if row["field"] == "lead_inspector")
    read = infos[ILACS].lead_inspector
    assert read and lead["verdict"] == "wrong" and lead["catalogue"] == "Someone Else"
    listed = "\n".join(script.listing(rows, "wrong"))
    assert ILACS in listed and "Someone Else" in listed and script.lead_name(read) in listed


def test_an_empty_reading_is_not_read_and_never_right(measured):
    script, entries, infos = measured
    blank = {SEND: dataclasses.replace(infos[SEND], local_authority="", judgements=())}
    rows = script.compare([entries[SEND]], blank, load_taxonomy())
    council = next(row for row in rows if row["field"] == "council")
    assert council["verdict"] == "not read"
    counts = script.tally([council])
    assert counts == {"given": 1, "right": 0, "wrong": 0, "not read": 1}
    # A report that failed to load is not read in every field its catalogue gives.
    assert {row["verdict"] for row in script.compare([entries[SEND]], {}, load_taxonomy())} == {"not read"}


def test_a_field_the_catalogue_leaves_empty_is_not_counted(measured):
    script, entries, infos = measured
    sif = _rows(script, entries, infos, SIF)
    # The history catalogue gives no grades, dates or inspector for SIF reports.
    assert set(sif) == {"council", "kind", "published"}


def test_the_hand_check_names_fifteen_sif_reports_that_exist(measured):
    script, _, infos = measured
    reports = script.load_hand_check(HAND_CHECK)
    with open(NATIONAL / "history" / "catalogue.csv", newline="", encoding="utf-8") as handle:
        kinds = {row["file"]: row["report"] for row in csv.DictReader(handle)}
    files = [r["file"] for r in reports]
    assert len(files) == 15 == len(set(files))
    for report in reports:
        assert (NATIONAL / report["file"]).is_file()
        assert kinds[report["file"]] == "Single inspection framework (SIF)"
        expected = script.hand_expected(report)
        # Every area of a SIF grid, the overall judgement and the LSCB review are graded.
        assert all(expected[a] for a in (*script.JUDGEMENT_AREAS, *script.SIF_ONLY_AREAS)), report["file"]
        assert expected["council"][0] in {name for _, name in load_taxonomy().authority_names}
    mine = next(r for r in reports if r["file"] == SIF)
    rows = script.compare_hand([mine], infos, load_taxonomy())
    assert {"lscb", "adoption_performance", "council"} <= {row["field"] for row in rows}
