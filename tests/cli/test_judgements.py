"""`assistant judgements` on real reports, run in process as a user runs it: the readable table,
the area and council filters, CSV to a file and to standard output, JSON, and one-line errors."""

from __future__ import annotations

import csv
import io
import json

import pytest

from conftest import invoke_cli

SIF_2014 = "barnsley-childrens-services-2014-08-08"
ILACS_2018 = "barnsley-childrens-services-2018-11-19"


@pytest.fixture(scope="module")
def index_dir(reports_index):
    return reports_index.index_dir


def test_the_table_shows_each_council_report_and_grade_with_movement_and_page(index_dir):
    done = invoke_cli("judgements", "--index-dir", index_dir)
    assert done.returncode == 0, done.stderr
    heads = [ln[3:] for ln in done.stdout.splitlines() if ln.startswith("== ")]
    assert len(heads) > 20 and heads == sorted(heads, key=str.casefold)
    barnsley = done.stdout.split("== Barnsley\n")[1].split("\n== ")[0].splitlines()
    assert barnsley[0] == f"2014-08-08  Ofsted single inspection framework report (before 2018)  ({SIF_2014})"
    assert barnsley[1].split() == ["Overall", "effectiveness", "Requires", "improvement", "[p.", "1]"]
    report = next(i for i, ln in enumerate(barnsley) if ILACS_2018 in ln)
    assert barnsley[report].startswith("2018-11-19  Ofsted inspection of local authority children's services (ILACS")
    overall = barnsley[report + 1]
    assert " ".join(overall.split()) == "Overall effectiveness Good up (was Requires improvement, 2014-08-08) [p. 1]"
    # Columns line up: every grade of the table starts where the first does.
    rows = [ln for ln in done.stdout.splitlines() if ln.startswith("    ")]
    assert len({ln.index(" Good") for ln in rows if " Good " in ln and "Overall effectiveness" in ln}) == 1
    assert done.stdout.splitlines()[-1].endswith(" reports") and " judgements of " in done.stdout.splitlines()[-1]


def test_csv_to_stdout_with_the_area_filter(index_dir):
    done = invoke_cli("judgements", "--area", "overall effectiveness", "--csv", "-", "--index-dir", index_dir)
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert rows and {r["area_id"] for r in rows} == {"overall_effectiveness"}
    assert {r["area"] for r in rows} == {"Overall effectiveness"}
    mine = [(r["date"], r["grade"], r["movement"]) for r in rows if r["council"] == "Barnsley"]
    assert mine == [("2014-08-08", "Requires improvement", ""), ("2018-11-19", "Good", "up")]


def test_csv_to_a_file_and_json(index_dir, tmp_path):
    out = tmp_path / "judgements.csv"
    done = invoke_cli("judgements", "--council", "Barnsley", "--csv", out, "--index-dir", index_dir)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"Wrote 11 judgements of 2 reports to {out}"
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("council,date,inspection_start,inspection_end,doc_id,") and len(lines) == 1 + 11
    done = invoke_cli("judgements", "--council", "barnsley", "--area", "lscb", "--json", "--index-dir", index_dir)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["area"] == "lscb"
    assert [(r["doc_id"], r["grade"], r["page"]) for r in data["rows"]] == [(SIF_2014, "Requires improvement", 1)]
    assert "Local Safeguarding Children Board (LSCB) is" in data["rows"][0]["source"]["text"]


@pytest.mark.parametrize(
    "args, words",
    [
        (("--council", "Nowhere"), ["No document of the index belongs to 'Nowhere'", "use one of", "Barnsley"]),
        (("--area", "parks"), ["No judgement area 'parks'", "overall_effectiveness", "lscb"]),
        (("--json", "--csv", "-"), ["give --json or --csv, not both", "assistant judgements --help"]),
        (("--csv", "/no/such/folder/j.csv"), ["Cannot write /no/such/folder/j.csv", "a folder you can write to"]),
    ],
)
def test_errors_are_one_line_that_says_the_fix(index_dir, args, words):
    done = invoke_cli("judgements", *args, "--index-dir", index_dir)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1 and lines[0].startswith("error: "), (done.returncode, done.stderr)
    assert all(w in lines[0] for w in words), lines[0]
    assert done.stdout == ""


def test_a_council_with_no_graded_report_is_told_so(index_dir):
    # Blackpool's reports: an area SEND inspection (no grades) and the April 2026 framework (no overall judgement).
    done = invoke_cli("judgements", "--council", "Blackpool", "--area", "overall", "--index-dir", index_dir)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("No judgement of overall effectiveness in the reports of Blackpool (")
