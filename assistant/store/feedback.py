"""The feedback store: thumbs up or down on an answer, kept in SQLite, and exported as CSV.

One row per rating: when (UTC), the rating, the user's optional comment, the question as typed
and as searched, the answer and its citations. Nothing else about the user is stored: no name,
address or session. The CSV export neutralises cells a spreadsheet would run as formulas. Each
call opens its own connection with a busy timeout, so ratings sent at the same moment from
several browsers wait for each other instead of failing.

The file is `settings.feedback_db` (ASSISTANT_FEEDBACK_DB), outside the index folder by
default, so `assistant ingest --rebuild` or deleting the index keeps every rating. The web chat
(`ui/tabs/chat.py`) records, `assistant feedback` exports; neither touches the database itself.
"""

from __future__ import annotations

import csv
import json
import logging
import sqlite3
import sys
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from assistant.core.settings import Settings
from assistant.core.types import Answer

log = logging.getLogger(__name__)

COLUMNS = ("id", "created_at", "rating", "comment", "question", "resolved_question", "answer", "citations")
MAX_COMMENT_CHARS = 2000
_BUSY_TIMEOUT_S = 30.0
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,          -- UTC, ISO 8601
    rating INTEGER NOT NULL CHECK (rating IN (1, -1)),
    comment TEXT NOT NULL DEFAULT '',
    question TEXT NOT NULL,
    resolved_question TEXT NOT NULL,
    answer TEXT NOT NULL,
    citations TEXT NOT NULL            -- JSON list of Citation.to_json()
)
"""


def _connect(db_path: Path) -> sqlite3.Connection:
    db_path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(db_path, timeout=_BUSY_TIMEOUT_S)
    conn.execute(_SCHEMA)
    return conn


def record_feedback(db_path: str | Path, rating: int, comment: str, answer: Answer) -> int:
    """Store one rating of `answer`.

    Args:
        db_path: the SQLite file (created, with its table, on first use).
        rating: +1 (helpful) or -1 (not helpful).
        comment: optional free text; trimmed and cut at MAX_COMMENT_CHARS.
        answer: the answer rated.
    Returns:
        The id of the new row.
    Raises:
        ValueError: the rating is not +1 or -1.
    """
    if rating not in (1, -1):
        raise ValueError(f"rating must be 1 or -1, not {rating!r}")
    row = (
        datetime.now(UTC).isoformat(timespec="seconds"),
        rating,
        (comment or "").strip()[:MAX_COMMENT_CHARS],
        answer.question,
        answer.resolved_question,
        answer.text,
        json.dumps([c.to_json() for c in answer.citations], ensure_ascii=False),
    )
    with closing(_connect(Path(db_path))) as conn, conn:  # the inner `with` commits or rolls back
        cursor = conn.execute(
            "INSERT INTO feedback (created_at, rating, comment, question, resolved_question, answer, citations) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            row,
        )
        row_id = cursor.lastrowid
        assert row_id is not None  # sqlite3 sets it after every INSERT
    log.info("feedback %d stored (rating %+d)", row_id, rating)
    return row_id


def export_csv(db_path: str | Path, out_path: str | Path | None) -> int:
    """Write every feedback row as CSV (header COLUMNS), oldest first.

    Args:
        db_path: the SQLite file; a missing file means no feedback yet.
        out_path: the CSV file to write, or None for standard output.
    Returns:
        The number of rows written (the header not counted).
    """
    rows: list[tuple] = []
    if Path(db_path).exists():
        with closing(_connect(Path(db_path))) as conn:
            rows = conn.execute(f"SELECT {', '.join(COLUMNS)} FROM feedback ORDER BY id").fetchall()
    if out_path is None:
        _write(sys.stdout, rows)
    else:
        Path(out_path).parent.mkdir(parents=True, exist_ok=True)
        with open(out_path, "w", newline="", encoding="utf-8") as handle:
            _write(handle, rows)
    return len(rows)


def _write(handle, rows: list[tuple]) -> None:
    writer = csv.writer(handle)
    writer.writerow(COLUMNS)
    writer.writerows([_cell(value) for value in row] for row in rows)


def _cell(value: object) -> object:
    """A text cell a spreadsheet will show, not run: OWASP's rule against CSV injection.

    Comments and questions are typed by anyone who can open the chat, and a spreadsheet takes a
    cell starting with = + - @ (or a tab or carriage return before one) as a formula, so such
    a cell gets a leading single quote. Numbers (the rating -1) are left as they are.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def warn_of_old_feedback(settings: Settings) -> None:
    """Log a warning when ratings lie at the old default place, inside the index folder, and are
    not the file in use: they are not lost silently (the server calls this at start-up)."""
    old = settings.index_dir / "feedback.sqlite3"
    if old.exists() and old.resolve() != settings.feedback_db.resolve():
        log.warning(
            "feedback from before is in %s, inside the index folder, and is not used: move it to %s "
            "(or set ASSISTANT_FEEDBACK_DB to it)",
            old,
            settings.feedback_db,
        )
