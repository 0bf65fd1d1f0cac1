"""The action tracker on the real corpus: all 38 rows of the action plan with their written
statuses, overdue flags against the plan's own date, filters, roll-ups, CSV and the CLI verb.

The index is the session's build of the whole corpus (`corpus_index` in tests/conftest.py).
"""

from __future__ import annotations

import csv
import io
import json

import pytest

from assistant.core.errors import AssistantError
from assistant.store import open_index
from assistant.views.tracker import action_rows, actions_csv
from conftest import run_cli

PLAN = "sefton-jtai-action-plan-2020"


@pytest.fixture(scope="module")
def index(corpus_index):
    return open_index(corpus_index.settings, with_collection=False)


@pytest.fixture(scope="module")
def tracker(index):
    return action_rows(index)


def test_all_38_rows_with_their_written_statuses(tracker):
    refs = [r.row.ref for r in tracker.rows]
    assert len(refs) == 38 and len(set(refs)) == 38
    assert refs[0] == "1.1.1" and refs[-1] == "4.3.4"
    status = {r.row.ref: r.row.status for r in tracker.rows}
    assert status["1.1.1"] == "Completed"
    assert status["1.2.7"] == "Due for completion"
    assert status["1.2.6"] == "In progress"
    assert status["2.1.1"] == "Unable to progress"
    assert status["2.2.3"] == "Ongoing"
    assert status["2.2.2"] == "Completed"
    assert set(tracker.statuses) >= {"Completed", "Due for completion", "Ongoing", "(not stated)"}
    assert all(r.row.doc_id == PLAN for r in tracker.rows)


def test_overdue_is_judged_against_the_plans_own_date(tracker):
    rows = {r.row.ref: r for r in tracker.rows}
    assert rows["1.2.7"].plan_date == "2020-09-22"
    assert rows["1.2.7"].due_date == "2020-06" and rows["1.2.7"].overdue  # due June 2020, not completed
    assert rows["2.2.1"].completed and not rows["2.2.1"].overdue  # due March 2020, completed
    assert rows["1.2.8"].due_date == "2021-04" and not rows["1.2.8"].overdue  # due after the plan's date
    assert rows["3.3.3"].completed and not rows["3.3.3"].overdue  # its latest note: "Action completed"
    assert rows["4.1.1"].due_date == "2021-04"  # a completion date the parser left in the lead cell


def test_each_row_cites_its_passage_and_latest_note(tracker):
    for r in tracker.rows:
        chunk = r.citation.chunk
        assert chunk.kind == "action" and chunk.ref == r.row.ref and chunk.doc_id == PLAN
        assert r.citation.sentences and all(s and s in chunk.passage for s in r.citation.sentences)
    latest = {r.row.ref: r.latest for r in tracker.rows}
    assert latest["1.2.7"].label == "Progress August 2020" and latest["1.2.7"].date == "2020-08"


def test_filters_and_roll_ups(index, tracker):
    overdue = action_rows(index, status="overdue")
    assert overdue.rows and all(r.overdue for r in overdue.rows)
    completed = action_rows(index, status="completed")
    assert {r.row.status for r in completed.rows} == {"Completed"}
    alder_hey = action_rows(index, agency="alder hey")
    assert {r.row.ref for r in alder_hey.rows} >= {"1.2.4", "1.2.7"}
    assert sum(u.total for u in tracker.by_priority) == 38
    assert [u.key.split(":")[0] for u in tracker.by_priority] == [f"Priority {n}" for n in range(1, 5)]
    assert sum(u.completed for u in tracker.by_priority) == sum(r.completed for r in tracker.rows)
    assert "Alder Hey" in tracker.agencies and not any(len(a.split()) > 5 for a in tracker.agencies)
    assert action_rows(index, status="no such status").rows == ()


def test_csv_has_every_row(tracker):
    rows = list(csv.DictReader(io.StringIO(actions_csv(tracker))))
    assert len(rows) == 38
    assert rows[0]["ref"] == "1.1.1" and rows[0]["status"] == "Completed"
    assert {r["overdue"] for r in rows} == {"yes", ""}


def test_cli_actions(corpus_index, tmp_path):
    out = tmp_path / "actions.csv"
    done = run_cli("actions", "--json", "--csv", out, "--index-dir", corpus_index.index_dir)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert len(data["rows"]) == 38 and data["rows"][0]["citation"]["doc_id"] == PLAN
    assert len(out.read_text(encoding="utf-8").splitlines()) >= 39
    done = run_cli("actions", "--status", "overdue", "--index-dir", corpus_index.index_dir)
    assert done.returncode == 0 and "OVERDUE" in done.stdout and "overdue (against the plan's own date)" in done.stdout


def test_no_action_plan_says_how_to_add_one(small_index):
    with pytest.raises(AssistantError, match="assistant ingest"):
        action_rows(open_index(small_index.settings, with_collection=False))
