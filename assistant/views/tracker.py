"""The action tracker: every parsed action-plan row with its status, dates and latest progress.

Rows come from the index (`Index.actions`, parsed at ingest by `ingest/actions.py`); nothing is
re-read from the documents. A row is overdue when its completion cell names a month before the
date the plan speaks as of (its published date, else its newest progress note) and neither its
status nor its latest note says it is completed: the plan is judged against its own dates, not
today's. Each row carries a citation of its passage with the action quoted verbatim, so a table
can link every row to the text it came from.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from typing import Any

from assistant.core.dates import MONTHS
from assistant.core.errors import AssistantError
from assistant.core.taxonomy import load_taxonomy
from assistant.core.types import ActionRow, Chunk, Citation, RollUp, Tracker, TrackerRow
from assistant.store import Index

log = logging.getLogger(__name__)

_MONTH_YEAR = re.compile(r"\b(" + "|".join(MONTHS) + r")\s+(20\d\d)\b")
# A completion month written outside the completion cell ("... Head of Communities Completion Date
# April 2021", "Completion date February 2020"): the parser left it in the lead or a note.
_DUE_PHRASE = re.compile(
    r"(?:Completion|Implementation)\s+[Dd]ate\s+(?:" + "|".join(MONTHS) + r")\s+20\d\d"
    r"|Due for [Cc]ompletion\s+(?:" + "|".join(MONTHS) + r")\s+20\d\d"
)
_DONE_NOTE = re.compile(r"^(?:action\s+)?completed?\b|^progress\s+completed?\b", re.I)
_AGENCY_SPLIT = re.compile(r"\s*(?:,|/|;|&|\band\b)\s*")
NOT_STATED = "(not stated)"
_JOINING = {"of", "in", "for", "the", "and", "at", "on"}
OVERDUE, OPEN = "overdue", "open"  # filter values beyond the written statuses


def action_rows(index: Index, *, status: str = "", agency: str = "", doc_id: str = "") -> Tracker:
    """The action-plan rows of the index, as a tracker: dated, flagged and rolled up.

    Args:
        index: an open index.
        status: keep rows whose written status is this (any case); "overdue" or "open" (not
            completed) are accepted too; "(not stated)" keeps rows without one. Empty keeps all.
        agency: keep rows whose agencies or lead mention these words (any case). Empty keeps all.
        doc_id: keep the rows of this plan only. Empty keeps every plan's.
    Returns:
        A `Tracker`: rows in plan order, roll-ups by priority and by agency of the kept rows,
        and every status and agency of all rows (for filter choices).
    Raises:
        AssistantError: the index holds no action plan rows, or `doc_id` is not a plan of it.
    """
    every = [_tracker_row(index, row) for row in index.actions.values()]
    if not every:
        raise AssistantError(
            "The index holds no action plan rows: add an action plan to corpus/ "
            "(doc_type = \"action_plan\" in corpus/manifest.toml) and run 'assistant ingest'"
        )
    if doc_id and not any(r.row.doc_id == doc_id for r in every):
        plans = ", ".join(sorted({r.row.doc_id for r in every}))
        raise AssistantError(f"{doc_id!r} is not an action plan of the index: use one of {plans}")
    statuses = tuple(sorted({r.row.status or NOT_STATED for r in every}))
    agencies = tuple(sorted({a for r in every for a in r.agencies}, key=str.lower))
    kept = [
        r
        for r in every
        if (not doc_id or r.row.doc_id == doc_id) and _status_matches(r, status) and _agency_matches(r, agency)
    ]
    log.debug("tracker: %d of %d rows kept (status %r, agency %r)", len(kept), len(every), status, agency)
    return Tracker(
        rows=tuple(kept),
        by_priority=_roll_up(kept, lambda r: [priority_name(r.row.priority)]),
        by_agency=_roll_up(kept, lambda r: list(r.agencies) or [NOT_STATED]),
        statuses=statuses,
        agencies=agencies,
    )


def row_chunk(index: Index, row: ActionRow) -> Chunk | None:
    """The first indexed chunk of an action row (its passage is the whole row)."""
    for position in index.ref_chunks.get(row.ref, ()):
        chunk = index.chunks[position]
        if chunk.kind == "action" and chunk.doc_id == row.doc_id:
            return chunk
    return None


def verbatim(fragment: str, passage: str) -> str:
    """`fragment` as `passage` writes it (line breaks and all), or "" when it is not there.

    The row parser joins a cell's lines with single spaces, so a cell is found word by word."""
    words = fragment.split()
    if not words:
        return ""
    match = re.search(r"\s+".join(re.escape(w) for w in words), passage)
    return passage[match.start() : match.end()] if match else ""


def _tracker_row(index: Index, row: ActionRow) -> TrackerRow:
    chunk = row_chunk(index, row)
    if chunk is None:  # a row without its passage (an index of another version): cite the row's own text
        doc = index.docs.get(row.doc_id)
        chunk = Chunk(
            chunk_id=f"{row.doc_id}:{row.ref}",
            doc_id=row.doc_id,
            title=doc.title if doc else row.doc_id,
            doc_type=doc.doc_type if doc else load_taxonomy().row_kind,
            publisher="",
            date=doc.published if doc else "",
            text=row.text,
            passage=row.text,
            kind="action",
            ref=row.ref,
        )
    quote = verbatim(row.action, chunk.passage) or chunk.passage.split("\n", 1)[0]
    latest = row.latest_progress()
    plan_date = _plan_date(index, row.doc_id)
    due_date = _due_month(row)
    completed = row.status.lower().startswith("complete") or bool(latest and _DONE_NOTE.match(latest.text.strip()))
    overdue = bool(due_date and plan_date and due_date < plan_date[:7] and not completed)
    return TrackerRow(
        row=row,
        citation=Citation(1, chunk, (quote,)),
        plan_date=plan_date,
        due_date=due_date,
        overdue=overdue,
        completed=completed,
        agencies=_agencies(row.agencies),
        latest=latest,
    )


def _plan_date(index: Index, doc_id: str) -> str:
    doc = index.docs.get(doc_id)
    if doc and doc.published:
        return doc.published
    notes = [p.date for r in index.actions.values() if r.doc_id == doc_id for p in r.progress if p.date]
    return max(notes, default="")


def _due_month(row: ActionRow) -> str:
    """ "2020-06" from the completion cell ("Due for Completion June 2020"), else from a completion
    date written in the lead or the row; "" when none names a month."""
    found = _MONTH_YEAR.search(row.due)
    if not found:
        phrase = _DUE_PHRASE.search(row.lead) or _DUE_PHRASE.search(row.text)
        found = _MONTH_YEAR.search(phrase.group(0)) if phrase else None
    if not found:
        return ""
    return f"{found.group(2)}-{MONTHS.index(found.group(1)) + 1:02d}"


def _agencies(cell: str) -> tuple[str, ...]:
    """The agencies cell as names; pieces that read as sentences (a cell the parser misplaced) are left out."""
    names = []
    for piece in _AGENCY_SPLIT.split(cell):
        words = re.sub(r"\s+[A-Z]$", "", piece.strip(" .:-")).split()  # "Merseyside Police D/": a cut-off word
        if len(words) > 1 and words[0] == words[1]:
            words = words[1:]  # "CCG CCG Children's Commissioning": a cell that ran into the next
        lower = [w for w in words if w.islower() and w not in _JOINING]
        name = " ".join(words)
        if words and len(words) <= 5 and words[0][0].isupper() and len(lower) <= 1 and name not in names:
            names.append(name)
    return tuple(names)


def priority_name(priority: str) -> str:
    """A priority as a heading, without the next cell's label the flattened table ran into it."""
    return re.sub(r"\s+Action\s+\d+\s*$", "", priority).strip() or NOT_STATED


def _status_matches(row: TrackerRow, status: str) -> bool:
    wanted = status.strip().lower()
    if not wanted:
        return True
    if wanted == OVERDUE:
        return row.overdue
    if wanted == OPEN:
        return not row.completed
    return (row.row.status or NOT_STATED).lower() == wanted


def _agency_matches(row: TrackerRow, agency: str) -> bool:
    wanted = " ".join(agency.lower().split())
    if not wanted:
        return True
    return wanted in " ".join(f"{row.row.agencies} {row.row.lead} {' '.join(row.agencies)}".lower().split())


def _roll_up(rows: list[TrackerRow], keys) -> tuple[RollUp, ...]:
    counts: dict[str, list[int]] = {}
    for row in rows:
        for key in keys(row):
            c = counts.setdefault(key, [0, 0, 0])
            c[0] += 1
            c[1] += row.completed
            c[2] += row.overdue
    return tuple(RollUp(key, *c) for key, c in counts.items())


def action_json(r: TrackerRow) -> dict[str, Any]:
    """A `TrackerRow` as JSON, with its cited passage."""
    note = r.latest
    return {
        "doc_id": r.row.doc_id,
        "ref": r.row.ref,
        "priority": r.row.priority,
        "action": r.row.action,
        "lead": r.row.lead,
        "agencies": list(r.agencies),
        "due": r.row.due,
        "due_date": r.due_date,
        "status": r.row.status,
        "completed": r.completed,
        "overdue": r.overdue,
        "plan_date": r.plan_date,
        "latest_progress": {"label": note.label, "date": note.date, "text": note.text} if note else None,
        "citation": r.citation.to_json(),
    }


def actions_csv(tracker: Tracker) -> str:
    """The tracker's rows as CSV text (one row per action, the latest note in two columns): what
    `assistant actions --csv` writes and the web chat's download."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "ref",
            "priority",
            "action",
            "lead",
            "agencies",
            "due",
            "due_month",
            "status",
            "overdue",
            "latest_progress_date",
            "latest_progress",
            "document",
            "plan_date",
        ]
    )
    for r in tracker.rows:
        note = r.latest
        writer.writerow(
            [
                r.row.ref,
                r.row.priority,
                " ".join(r.row.action.split()),
                r.row.lead,
                "; ".join(r.agencies),
                r.row.due,
                r.due_date,
                r.row.status,
                "yes" if r.overdue else "",
                (note.date or note.label) if note else "",
                " ".join(note.text.split()) if note else "",
                r.row.doc_id,
                r.plan_date,
            ]
        )
    return out.getvalue()
