"""Parse an action plan, flattened from a table to text, into one `ActionRow` per action reference.

The table's columns (outcome, ref, action, reason, impact, agencies, lead, completion date and
rating, progress) come out of the PDF one after another, each cell a paragraph or more. What
marks the cells: the action starts with its reference ("1.2.7 To reduce ..."); reasons start
"To ..."; the lead names a role ("Director", "Head of", "Chief Superintendent"), with the
agencies before it; the completion cell starts with a status ("Completed", "Due for completion
June 2020"); progress notes start "Progress" with an optional month and year. The parse is
best-effort: a cell it cannot place is left in `impact` or the notes, never dropped, and the
row's whole text is kept in `ActionRow.text`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.core.dates import MONTH_ALTERNATION, MONTH_NUMBERS
from assistant.core.types import ActionRow, Document, ProgressNote

_REF = re.compile(r"^(?:Action\s+)?([1-9])\.(\d{1,2})\.(\d{1,2})(?![.\d])[:.]?\s*")
_OUTCOME = re.compile(r"^([1-9])\.(\d{1,2})\s+\S")
_PRIORITY = re.compile(r"\bPriority ([1-9])\s*$")
_ACTION_HEAD = re.compile(r"^Action ([1-9])\b")
_ROLE = re.compile(
    r"\b(?:(?:Executive|Interim|Deputy|Assistant|Strategic|Service|Designated|Named|Principal|"
    r"Chief|Detective|Independent)\s+)*(?:Director|Head of|Chair|Superintendent|Inspector|"
    r"Service Manager|Team Manager|Manager|Lead|Commissioner|Officer|Nurse|Doctor|Social Worker|"
    r"Business Manager|Consultant)\b"
)
_STATUS = re.compile(
    r"^(Completed?|Due for [Cc]ompletion|Implementation [Dd]ate|Ongoing|On[- ]going|On track|"
    r"Business as [Uu]sual|In progress|Partially completed?|Not yet (?:started|completed)|Delayed|"
    rf"(?:{MONTH_ALTERNATION}) 20\d\d|Date [Cc]hanged|Revised date)\b"
)
_DUE_IN_TEXT = re.compile(
    rf"(?:Completion [Dd]ate|Due for [Cc]ompletion|Implementation [Dd]ate)\s+(?:(?:{MONTH_ALTERNATION})\s+)?20\d\d"
)
_STATUS_IN_LEAD = re.compile(r"\s(?:Completed?|Due for [Cc]ompletion|Implementation [Dd]ate|Ongoing)\b.*$")
_NOTE_STATUS = re.compile(
    r"^(Completed?|Due for completion|Ongoing|On-going|In progress|Unable to progress|Delayed|"
    r"Not yet started|On track|Partially completed)\b",
    re.I,
)
_PROGRESS = re.compile(
    rf"\bProgress(?:\s+(?:made|to date|update))?(?:\s+(?:as at\s+)?(?:(?:{MONTH_ALTERNATION})\s+)?(20\d\d))?\b\.?",
)


def parse_action_plan(doc: Document) -> list[ActionRow]:
    """One row per action reference, in document order.

    Args:
        doc: a cleaned action-plan document (`doc.text` filled).
    Returns:
        The parsed rows; a reference written twice is kept once, at its first full row.
    """
    paras = [(m.start(), m.end(), m.group(0)) for m in re.finditer(r"[^\n]+", doc.text)]
    rows: list[ActionRow] = []
    seen: set[str] = set()
    priority_no, priority, outcome = "", "", ""
    current: list[tuple[int, int, str]] = []
    ref = ""

    def close() -> None:
        if ref and current and ref not in seen:
            seen.add(ref)
            rows.append(_row(doc, ref, priority, outcome, current))

    for i, (start, end, text) in enumerate(paras):
        pri = _PRIORITY.search(text)
        if pri:
            close()
            ref, current = "", []
            priority_no = pri.group(1)
            following = paras[i + 1][2] if i + 1 < len(paras) else ""
            priority = f"Priority {priority_no}: {following}"
            continue
        head = _ACTION_HEAD.match(text)
        if head and len(text) < 12:
            close()
            ref, current = "", []
            if head.group(1) != priority_no:  # "Action 4" can stand in for a missing "Priority 4"
                priority_no = head.group(1)
                following = paras[i + 1][2] if i + 1 < len(paras) else ""
                priority = f"Priority {priority_no}: {following}"
            continue
        match = _REF.match(text)
        # "1.5.20" in a progress note is a date, not an action: refs follow their priority.
        if match and (not priority_no or match.group(1) == priority_no):
            close()
            ref = ".".join(match.groups())
            current = [(start, end, text)]
            continue
        out = _OUTCOME.match(text)
        if out and out.group(1) == priority_no and len(text.split()) < 40:
            close()
            ref, current = "", []
            outcome = text
            continue
        if ref:
            current.append((start, end, text))
    close()
    return rows


@dataclass
class _Cells:
    """The cells of a row after its action and reason, as far as they could be placed."""

    impact: list[str]
    agencies: str = ""
    lead: str = ""
    due: str = ""
    notes: list[ProgressNote] = field(default_factory=list)


def _row(doc: Document, ref: str, priority: str, outcome: str, paras: list[tuple[int, int, str]]) -> ActionRow:
    texts = [p[2] for p in paras]
    texts[0] = _REF.sub("", texts[0], count=1).strip()
    if not texts[0]:
        texts = texts[1:] or [""]
    action, rest = texts[0], texts[1:]
    reason: list[str] = []
    while rest and rest[0].startswith(("To ", "So that ", "In order to ")):
        reason.append(rest.pop(0))
    cells = _cells(rest)
    return ActionRow(
        doc_id=doc.info.doc_id,
        ref=ref,
        priority=priority,
        outcome=outcome,
        action=action,
        reason=" ".join(reason),
        impact=" ".join(cells.impact),
        agencies=cells.agencies,
        lead=cells.lead,
        due=cells.due,
        status=_latest_status([cells.due] + [n.text for n in cells.notes]),
        progress=tuple(cells.notes),
        text=doc.text[paras[0][0] : paras[-1][1]],
        start=paras[0][0],
        end=paras[-1][1],
    )


def _cells(rest: list[str]) -> _Cells:
    """Impact, then agencies and lead, the completion cell and the progress notes."""
    lead_at = next(
        (i for i, t in enumerate(rest) if _ROLE.search(t) and len(t.split()) <= 30 and not _PROGRESS.match(t)),
        None,
    )
    status_at = next((i for i, t in enumerate(rest) if _STATUS.match(t)), None)
    cut = min(x for x in (lead_at, status_at, len(rest)) if x is not None)
    cells = _Cells(rest[:cut])
    after = cut
    if lead_at is not None and lead_at == cut:
        cells.agencies, cells.lead, after = _lead(rest, lead_at)
    tail = _STATUS_IN_LEAD.search(cells.lead)
    if tail:  # the completion cell ran into the lead's paragraph: "... Care Completed"
        cells.due, cells.lead = cells.lead[tail.start() :].strip(), cells.lead[: tail.start()].strip()
    if status_at is not None and after - 1 <= status_at <= after + 1:
        cells.due = rest[status_at]
        after = max(after, status_at + 1)
    cells.notes = _progress_notes(rest[after:])
    if not any(n.date for n in cells.notes):
        cells.impact, cells.due, cells.notes = _dated_notes_in_impact(cells.impact, cells.due, cells.notes)
    return cells


def _lead(rest: list[str], lead_at: int) -> tuple[str, str, int]:
    """The agencies and the lead named in `rest[lead_at]` (and a second lead on the next line),
    and where the cells after them start."""
    role = _ROLE.search(rest[lead_at])
    assert role is not None  # lead_at was chosen where _ROLE matches
    agencies = rest[lead_at][: role.start()].strip(" ,")
    lead = rest[lead_at][role.start() :]
    after = lead_at + 1
    if (
        after < len(rest)
        and _ROLE.search(rest[after])
        and len(rest[after].split()) <= 12
        and not _STATUS.match(rest[after])
    ):
        lead += "; " + rest[after]
        after += 1
    return agencies, lead, after


def _dated_notes_in_impact(
    impact: list[str], due: str, notes: list[ProgressNote]
) -> tuple[list[str], str, list[ProgressNote]]:
    """When no lead or status cell was found, the progress notes ran into the impact cell
    ("... Completion Date June 2020 Progress August 2020 Waiting times ..."): split them out."""
    for j, text in enumerate(impact):
        label = next((m for m in _PROGRESS.finditer(text) if m.group(1)), None)
        if label is None:
            continue
        before = text[: label.start()].strip()
        date_cell = _DUE_IN_TEXT.search(before)
        if date_cell and not due:
            due = date_cell.group(0)
            before = before[: date_cell.start()].strip()
        found = _progress_notes([text[label.start() :]] + impact[j + 1 :])
        return impact[:j] + ([before] if before else []), due, found + notes
    return impact, due, notes


def _latest_status(texts: list[str]) -> str:
    """The last status stated: the completion cell first, then each note that opens with one
    ("Completed The wait time ..." supersedes "Due for completion June 2020")."""
    status = ""
    for text in texts:
        match = _NOTE_STATUS.match(text.strip())
        if match:
            word = match.group(1).lower()
            status = {
                "complete": "Completed",
                "completed": "Completed",
                "due for completion": "Due for completion",
                "on-going": "Ongoing",
            }.get(word, match.group(1)[0].upper() + match.group(1)[1:].lower())
    return status


def _progress_notes(texts: list[str]) -> list[ProgressNote]:
    """Split the progress cell at its "Progress <Month> <Year>" labels."""
    notes: list[ProgressNote] = []
    label, date = "Update", ""
    body: list[str] = []
    for text in texts:
        for piece in _split_at_labels(text):
            match = _PROGRESS.match(piece)
            if match:
                if body:
                    notes.append(ProgressNote(label, date, " ".join(body)))
                label = match.group(0).rstrip(".").strip()
                date = _label_date(label)
                body = [piece[match.end() :].strip()] if piece[match.end() :].strip() else []
            else:
                body.append(piece)
    if body:
        notes.append(ProgressNote(label, date, " ".join(body)))
    return notes


def _split_at_labels(text: str) -> list[str]:
    cuts = [m.start() for m in _PROGRESS.finditer(text) if m.start() == 0 or m.group(1)]
    if not cuts or cuts[0] != 0:
        cuts = [0] + cuts
    return [text[a:b].strip() for a, b in zip(cuts, cuts[1:] + [len(text)]) if text[a:b].strip()]


def _label_date(label: str) -> str:
    year = re.search(r"20\d\d", label)
    month = re.search(MONTH_ALTERNATION, label)
    if not year:
        return ""
    return f"{year.group(0)}-{MONTH_NUMBERS[month.group(0).lower()]:02d}" if month else year.group(0)
