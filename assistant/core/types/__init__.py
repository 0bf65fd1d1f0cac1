"""Typed records passed between the stages. Every stage takes and returns these, never bare dicts.

The flow is one way: a `Document` is loaded and cleaned, cut into `Chunk`s, indexed; retrieval
returns `Hit`s; the answerer returns an `Answer` whose parts point at `Citation`s. The records
live by subject in the modules beside this one; import them from here.
"""

from __future__ import annotations

from assistant.core.types.answers import (
    ANSWER_TYPES,
    Answer,
    AnswerKind,
    AnswerPart,
    Citation,
    Filters,
    Hit,
    Intent,
    Outcome,
    Query,
)
from assistant.core.types.documents import (
    NON_CONTENT_KINDS,
    ActionRow,
    Chunk,
    Document,
    DocumentInfo,
    FileRecord,
    IndexedDoc,
    IndexState,
    Judgement,
    LayoutLine,
    ProgressNote,
    council_key,
    date_as_int,
)
from assistant.core.types.views import (
    BRIEF_HEADINGS,
    NO_COUNCIL,
    Brief,
    BriefPoint,
    BriefSection,
    JudgementPoint,
    RollUp,
    Timeline,
    TimelineEntry,
    TimelineGroup,
    Trace,
    TraceStep,
    Tracker,
    TrackerRow,
)

__all__ = [
    "ANSWER_TYPES",
    "ActionRow",
    "Answer",
    "AnswerKind",
    "AnswerPart",
    "BRIEF_HEADINGS",
    "Brief",
    "BriefPoint",
    "BriefSection",
    "Chunk",
    "Citation",
    "Document",
    "DocumentInfo",
    "FileRecord",
    "Filters",
    "Hit",
    "IndexState",
    "IndexedDoc",
    "Intent",
    "Judgement",
    "JudgementPoint",
    "LayoutLine",
    "NON_CONTENT_KINDS",
    "NO_COUNCIL",
    "Outcome",
    "ProgressNote",
    "Query",
    "RollUp",
    "Timeline",
    "TimelineEntry",
    "TimelineGroup",
    "Trace",
    "TraceStep",
    "Tracker",
    "TrackerRow",
    "council_key",
    "date_as_int",
]
