"""Read a question set: JSONL (the contract of DESIGN.md) or a CSV with the same columns.

A bad row does not stop the rest: it comes back as a `RowError` with its line number, so a
question set written by hand can be fixed in one pass.

In CSV, a list column (`docs`, `gold_quotes`, `key_facts`) holds either a JSON array or values
separated by " | "; an empty cell is an empty list.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# The held-out part of the project's own set: what `assistant eval run` runs by default (weights are
# tuned on sets/corpus/tune.jsonl, never on this).
DEFAULT_QUESTIONS = Path(__file__).with_name("sets") / "corpus" / "heldout.jsonl"

QUESTION_TYPES = frozenset(
    {"lookup", "list", "numeric", "action_status", "cross_doc", "acronym", "unanswerable", "trainer", "unlabelled"}
)
LIST_FIELDS = ("docs", "gold_quotes", "key_facts")
TEXT_FIELDS = ("id", "question", "type", "answer")


@dataclass(frozen=True)
class Question:
    """One question of a set, with whatever gold it carries."""

    id: str
    question: str
    type: str = "unlabelled"
    docs: tuple[str, ...] = ()
    gold_quotes: tuple[str, ...] = ()
    key_facts: tuple[str, ...] = ()
    answer: str = ""

    @property
    def answerable(self) -> bool | None:
        """False for an unanswerable question, True when it is typed or carries gold, else unknown."""
        if self.type == "unanswerable":
            return False
        if self.type != "unlabelled" or self.docs or self.gold_quotes or self.key_facts or self.answer:
            return True
        return None


@dataclass(frozen=True)
class RowError:
    """A row that could not be read, by the line of the file it starts on."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class _Bad(ValueError):
    """A row's fields are wrong; the message says which and how."""


def _text(record: dict[str, Any], name: str) -> str:
    value = record.get(name)
    if value is None:
        return ""
    if name == "id" and isinstance(value, int) and not isinstance(value, bool):
        return str(value)  # numeric ids are common in spreadsheets; they mean the same string
    if not isinstance(value, str):
        raise _Bad(f"'{name}' must be a string, not {type(value).__name__}")
    return value.strip()


def _strings(record: dict[str, Any], name: str) -> tuple[str, ...]:
    value = record.get(name)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _Bad(f"'{name}' must be a list of strings")
    # Gold quotes are whitespace-normalised by contract; a copy-paste may carry line breaks.
    return tuple(" ".join(v.split()) for v in value if v.strip())


def _question(record: Any, line: int) -> Question:
    """A Question from one decoded record, or _Bad."""
    if not isinstance(record, dict):
        raise _Bad(f"expected an object, got {type(record).__name__}")
    question = _text(record, "question")
    if not question:
        raise _Bad("no 'question'")
    qtype = _text(record, "type") or "unlabelled"
    if qtype not in QUESTION_TYPES:
        raise _Bad(f"unknown type '{qtype}' (one of: {', '.join(sorted(QUESTION_TYPES))})")
    return Question(
        id=_text(record, "id") or f"row-{line}",
        question=question,
        type=qtype,
        docs=_strings(record, "docs"),
        gold_quotes=_strings(record, "gold_quotes"),
        key_facts=_strings(record, "key_facts"),
        answer=_text(record, "answer"),
    )


def _jsonl_records(path: Path) -> list[tuple[int, Any]]:
    """(line, decoded object or _Bad) for each non-blank line."""
    out: list[tuple[int, Any]] = []
    for line_no, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            out.append((line_no, json.loads(line)))
        except json.JSONDecodeError as exc:
            out.append((line_no, _Bad(f"not valid JSON: {exc.msg} at column {exc.colno}")))
    return out


def _csv_list(cell: str) -> Any:
    """A list cell: a JSON array, or values separated by ' | '."""
    cell = cell.strip()
    if not cell:
        return []
    if cell.startswith("["):
        try:
            return json.loads(cell)
        except json.JSONDecodeError as exc:
            raise _Bad(f"list cell is not a valid JSON array: {exc.msg}") from None
    return [v.strip() for v in re.split(r"\s+\|\s+", cell) if v.strip()]


def _csv_records(path: Path) -> list[tuple[int, Any]]:
    """(line the record starts on, dict or _Bad) for each non-empty CSV record."""
    out: list[tuple[int, Any]] = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None:
            return out
        if "question" not in reader.fieldnames:
            return [(1, _Bad("the header has no 'question' column"))]
        for row in reader:
            # line_num is the record's last line; a quoted cell may span several lines.
            line = reader.line_num - sum(v.count("\n") for v in row.values() if isinstance(v, str))
            if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
                continue
            try:
                record: dict[str, Any] = {k: (v or "") for k, v in row.items() if k in TEXT_FIELDS}
                for name in LIST_FIELDS:
                    if name in row:
                        record[name] = _csv_list(row[name] or "")
                out.append((line, record))
            except _Bad as exc:
                out.append((line, exc))
    return out


def read_questions(path: str | Path) -> tuple[list[Question], list[RowError]]:
    """Read a question set, keeping every good row and reporting every bad one.

    Args:
        path: a `.jsonl` file (one object a line) or a `.csv` file with the same columns.

    Returns:
        (questions in file order, errors). A row is an error when it is not valid JSON, has no
        question, has a field of the wrong type or an unknown type name, or repeats an id already
        read (the first keeps it). A row without an id gets "row-N", N its line number.
    """
    path = Path(path)
    records = _csv_records(path) if path.suffix.lower() == ".csv" else _jsonl_records(path)
    questions: list[Question] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for line, record in records:
        try:
            if isinstance(record, _Bad):
                raise record
            question = _question(record, line)
            if question.id in seen:
                raise _Bad(f"duplicate id '{question.id}' (first on line {seen[question.id]})")
        except _Bad as exc:
            errors.append(RowError(line, str(exc)))
            continue
        seen[question.id] = line
        questions.append(question)
    return questions, errors
