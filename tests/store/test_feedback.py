"""Feedback storage: a rating round trip through SQLite and CSV, and writes from many threads."""

from __future__ import annotations

import csv
import json
import sqlite3
import threading
from datetime import datetime

import pytest

from assistant.core.types import Answer, Chunk, Citation
from assistant.store.feedback import COLUMNS, export_csv, record_feedback

PASSAGE = "Children’s voices are not sufficiently well captured. Some records are superficial."


def _answer(question: str = "What about the voice of the child?") -> Answer:
    chunk = Chunk(
        chunk_id="letter:1",
        doc_id="sefton-jtai-letter-2019",
        title="JTAI letter",
        doc_type="inspection_letter",
        publisher="Ofsted",
        date="2019-12-18",
        text=PASSAGE,
        passage=PASSAGE,
        section="Areas for improvement",
        kind="finding",
    )
    citation = Citation(1, chunk, ("Children’s voices are not sufficiently well captured.",))
    return Answer(
        question=question,
        resolved_question=question + " (resolved)",
        text="Children’s voices are not sufficiently well captured. [1]",
        citations=(citation,),
        retrieved=(),
        abstained=False,
    )


def test_round_trip(tmp_path):
    db = tmp_path / "sub" / "feedback.sqlite3"
    first = record_feedback(db, -1, '  Wrong document, and a comma, "quote"\nnew line  ', _answer())
    second = record_feedback(db, 1, "", _answer("Second question?"))
    assert (first, second) == (1, 2)

    out = tmp_path / "feedback.csv"
    assert export_csv(db, out) == 2
    with out.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == COLUMNS
    assert [r["rating"] for r in rows] == ["-1", "1"]
    assert rows[0]["comment"] == 'Wrong document, and a comma, "quote"\nnew line'
    assert rows[0]["question"] == "What about the voice of the child?"
    assert rows[0]["resolved_question"] == "What about the voice of the child? (resolved)"
    assert rows[0]["answer"].endswith("[1]")
    citations = json.loads(rows[0]["citations"])
    assert citations[0]["doc_id"] == "sefton-jtai-letter-2019"
    assert citations[0]["sentences"] == ["Children’s voices are not sufficiently well captured."]
    created = datetime.fromisoformat(rows[0]["created_at"])
    assert created.utcoffset() is not None and created.utcoffset().total_seconds() == 0


def test_only_these_columns_are_stored(tmp_path):
    db = tmp_path / "feedback.sqlite3"
    record_feedback(db, 1, "fine", _answer())
    with sqlite3.connect(db) as conn:
        columns = [row[1] for row in conn.execute("PRAGMA table_info(feedback)")]
    assert tuple(columns) == COLUMNS


def test_rating_must_be_plus_or_minus_one(tmp_path):
    with pytest.raises(ValueError):
        record_feedback(tmp_path / "f.sqlite3", 0, "", _answer())


def test_export_without_database_writes_a_header(tmp_path, capsys):
    assert export_csv(tmp_path / "missing.sqlite3", None) == 0
    assert capsys.readouterr().out.strip() == ",".join(COLUMNS)


def test_concurrent_writes_all_land(tmp_path):
    db = tmp_path / "feedback.sqlite3"
    errors: list[BaseException] = []
    ids: list[int] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        try:
            for i in range(10):
                row = record_feedback(db, 1 if (n + i) % 2 else -1, f"thread {n} item {i}", _answer(f"q{n}-{i}"))
                with lock:
                    ids.append(row)
        except BaseException as exc:  # collected so the assertion names it
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(ids) == list(range(1, 81))
    assert export_csv(db, tmp_path / "all.csv") == 80


def test_csv_cells_a_spreadsheet_would_run_are_neutralised(tmp_path):
    db = tmp_path / "feedback.sqlite3"
    formulas = ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
    for formula in formulas:
        record_feedback(db, -1, formula, _answer(formula))
    record_feedback(db, 1, "fine - thanks", _answer("plain question"))
    out = tmp_path / "feedback.csv"
    export_csv(db, out)
    with out.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    stored = [f.strip() for f in formulas]  # comments are trimmed when stored
    assert [r["comment"] for r in rows[:-1]] == ["'" + f for f in stored]
    assert [r["question"] for r in rows[:-1]] == ["'" + f for f in formulas]
    assert rows[-1]["comment"] == "fine - thanks" and rows[-1]["question"] == "plain question"
    assert [r["rating"] for r in rows] == ["-1"] * len(formulas) + ["1"]  # numbers stay numbers


def test_ratings_outlive_a_rebuild_and_a_deleted_index(small_index, tmp_path):
    """With the default settings, `assistant ingest --rebuild` and `rm -r .index` keep every rating."""
    import os
    import shutil
    import subprocess

    from assistant.core.settings import Settings
    from conftest import ASSISTANT

    home = tmp_path / "project"  # the folder `assistant` runs in: the defaults are relative to it
    shutil.copytree(small_index.corpus_dir, home / "corpus")
    shutil.copytree(small_index.index_dir, home / ".index")
    defaults = Settings.from_env({})
    assert not defaults.feedback_db.resolve().is_relative_to(defaults.index_dir.resolve())
    for n in range(3):
        record_feedback(home / defaults.feedback_db, 1, f"rating {n}", _answer(f"q{n}"))

    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update(HF_HUB_OFFLINE="1", ANONYMIZED_TELEMETRY="False")

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(ASSISTANT), *args], cwd=home, env=env, capture_output=True, text=True, timeout=600)

    def comments() -> list[str]:
        done = cli("feedback")
        assert done.returncode == 0, done.stderr
        return [row["comment"] for row in csv.DictReader(done.stdout.splitlines())]

    done = cli("ingest", "--rebuild", "--quiet")
    assert done.returncode == 0, done.stderr
    assert comments() == ["rating 0", "rating 1", "rating 2"]
    shutil.rmtree(home / ".index")
    assert comments() == ["rating 0", "rating 1", "rating 2"]
