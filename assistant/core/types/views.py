"""Records of the views over time: the theme brief, the timeline, the table of judgements, the
action tracker, the trace."""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.core.types.answers import Citation, Filters
from assistant.core.types.documents import ActionRow, DocumentInfo, ProgressNote


@dataclass(frozen=True)
class BriefPoint:
    """One point of a theme brief: a verbatim quote of a passage, filed under a heading.

    `citation.sentences` holds the quote (verbatim from `citation.chunk.passage`), so a point
    is shown and checked like an answer's citation. Action plan rows also carry their status,
    due date and latest progress note, as written in the row.
    """

    heading: str  # one of BRIEF_HEADINGS
    citation: Citation
    score: float = 0.0  # relevance to the theme (term overlap and retrieval rank)
    status: str = ""
    due: str = ""
    progress: str = ""  # "Progress August 2020: ..." (the latest note), or ""

    @property
    def quote(self) -> str:
        return " ".join(self.citation.sentences)


BRIEF_HEADINGS = ("Strengths", "Areas for improvement", "Actions and latest progress", "Other findings")


@dataclass(frozen=True)
class BriefSection:
    """The points of one document, in heading order (BRIEF_HEADINGS), best first within each."""

    doc: DocumentInfo
    points: tuple[BriefPoint, ...]

    def by_heading(self) -> list[tuple[str, list[BriefPoint]]]:
        """(heading, points) for each heading that has points, in BRIEF_HEADINGS order."""
        return [
            (h, [p for p in self.points if p.heading == h])
            for h in BRIEF_HEADINGS
            if any(p.heading == h for p in self.points)
        ]


@dataclass(frozen=True)
class Brief:
    """What the documents say on a theme, by document (oldest first, undated last)."""

    theme: str
    sections: tuple[BriefSection, ...]
    filters: Filters = field(default_factory=Filters)

    @property
    def points(self) -> list[BriefPoint]:
        return [p for s in self.sections for p in s.points]


@dataclass(frozen=True)
class JudgementPoint:
    """One judgement of one report, under its judgement area, placed on a scale for the chart.

    `area` is the area's label from the taxonomy's vocabulary, so one area has one name (and one
    line per council) whatever each framework calls it; a wording that names no area keeps its
    own. `source` is where the report gives the judgement: its grid (a chunk of kind
    "judgement"), else the first passage naming the wording, else its first page.
    """

    date: str  # ISO date of the report; "" when undated (listed with its document, not charted)
    doc_id: str
    area: str  # the area's label ("Children in care"), or the wording when it names no area
    grade: str  # as the grid writes it
    score: int  # place on the taxonomy's grade scale (higher is better), 0 when unscored
    area_id: str = ""  # the taxonomy's id ("children_in_care"); "" when the wording names no area
    wording: str = ""  # as the report writes it ("Children looked after and achieving permanence")
    source: Citation | None = None  # the passage that gives it, the wording and grade quoted where they are

    @property
    def page(self) -> int | None:
        """The page of the document where the judgement is, None when its format has no pages."""
        return self.source.chunk.page if self.source is not None else None


@dataclass(frozen=True)
class TimelineEntry:
    """A document on the timeline: its facts, its judgements and a few key findings, quoted."""

    doc: DocumentInfo
    kind_label: str  # the taxonomy's label of its kind
    findings: tuple[Citation, ...]  # each quotes one sentence verbatim from its passage
    inspection: bool = False  # inspectors' findings (not a plan or a progress report)
    judgements: tuple[JudgementPoint, ...] = ()  # one per area, in the order the report gives them


# The group of the documents whose council was not read (their local_authority is empty).
NO_COUNCIL = "council not read"


@dataclass(frozen=True)
class TimelineGroup:
    """One council's documents in date order (undated last) and their judgements as chart points."""

    council: str  # the council as its documents name it; "" for the documents of no council read
    entries: tuple[TimelineEntry, ...]
    points: tuple[JudgementPoint, ...]  # the dated judgements of `entries`: one line per area

    @property
    def label(self) -> str:
        return self.council or NO_COUNCIL


@dataclass(frozen=True)
class Timeline:
    """Documents over time, one group per council: councils in alphabetical order, the documents
    of no council read last. No line of the chart joins two groups."""

    council: str  # as asked, or "" for every document
    groups: tuple[TimelineGroup, ...]

    @property
    def entries(self) -> tuple[TimelineEntry, ...]:
        """Every group's documents, group after group."""
        return tuple(e for g in self.groups for e in g.entries)

    @property
    def points(self) -> tuple[JudgementPoint, ...]:
        """Every group's chart points, group after group."""
        return tuple(p for g in self.groups for p in g.points)


@dataclass(frozen=True)
class TrackerRow:
    """An action-plan row as the tracker shows it: the parsed row, its passage and its dates."""

    row: ActionRow
    citation: Citation  # the row's passage, the action quoted
    plan_date: str  # ISO date the plan speaks as of (its published date, else its newest note)
    due_date: str  # "YYYY-MM" read from the completion cell, "" when it names no month
    overdue: bool  # due before plan_date and not written as completed
    completed: bool  # the status, or the latest note, says completed
    agencies: tuple[str, ...]  # the agencies cell split into names
    latest: ProgressNote | None


@dataclass(frozen=True)
class RollUp:
    """Counts of tracker rows that share a priority or an agency."""

    key: str
    total: int
    completed: int
    overdue: int

    @property
    def open(self) -> int:
        return self.total - self.completed


@dataclass(frozen=True)
class Tracker:
    """The rows of the action plans (filtered as asked) and their roll-ups."""

    rows: tuple[TrackerRow, ...]
    by_priority: tuple[RollUp, ...]
    by_agency: tuple[RollUp, ...]
    statuses: tuple[str, ...]  # every written status of the unfiltered rows, for filter choices
    agencies: tuple[str, ...]  # every agency of the unfiltered rows


@dataclass(frozen=True)
class TraceStep:
    """An action-plan row that answers a finding, with its latest progress and a report on it."""

    row: ActionRow
    action: Citation  # the row's passage, the action quoted
    progress: Citation | None  # the row's passage, its latest progress note quoted
    report: Citation | None  # a progress report's paragraph on the row (a scrutiny report)
    score: float  # link score of finding and row (1.0 when linked by reference)
    by: str  # "reference" (the plan quotes the finding) or "similarity"


@dataclass(frozen=True)
class Trace:
    """A finding followed: the rows that answer it, then what later inspections say on its theme."""

    finding: Citation
    steps: tuple[TraceStep, ...]
    later: tuple[Citation, ...]  # one quote from each later inspection that speaks on the theme


# How a grade moved since the council's previous report graded the same area, by the taxonomy's
# grade scale: "" when there is no such report, or either grade is off the scale.
MOVEMENTS = ("up", "down", "same")


@dataclass(frozen=True)
class JudgementRow:
    """One judgement of one inspection report, under its judgement area, in the table of every
    report's judgements: the report, the area and its grade, where the report gives it, and how
    it moved since the council's previous report graded that area."""

    council: str  # as the index names it (as most of the council's documents do); "" when not read
    doc_id: str
    title: str
    date: str  # ISO date the report was published; "" when not read
    inspection_start: str  # ISO first and last day of the inspection; "" when not read
    inspection_end: str
    kind: str  # the taxonomy's kind id ("sif", "ilacs")
    framework: str  # the kind's label
    area_id: str  # the taxonomy's area id; "" when the wording names no area
    area: str  # the area's label ("Children in care"), or the wording when it names no area
    grade: str  # as the taxonomy spells it ("Requires improvement to be good")
    wording: str  # as the report writes it ("Children looked after and achieving permanence")
    source: Citation | None = None  # the passage that gives the grade (the report's grid, mostly)
    previous_grade: str = ""  # the grade of the council's previous report with this area; "" when none
    previous_doc_id: str = ""
    previous_date: str = ""
    movement: str = ""  # one of MOVEMENTS, or ""

    @property
    def page(self) -> int | None:
        """The page of the report where the grade is, None when its format has no pages."""
        return self.source.chunk.page if self.source is not None else None


@dataclass(frozen=True)
class JudgementsTable:
    """Every indexed inspection report's judgements, one row per report and judgement area:
    councils in alphabetical order (no council read last), each council's reports oldest first
    (undated last), each report's areas in the taxonomy's order."""

    council: str  # as asked, or "" for every council
    area: str  # the area id asked for, or "" for every area
    rows: tuple[JudgementRow, ...]

    @property
    def reports(self) -> tuple[str, ...]:
        """The doc ids of the reports the rows come from, in row order."""
        return tuple(dict.fromkeys(r.doc_id for r in self.rows))


@dataclass(frozen=True)
class GradeBand:
    """A place on the taxonomy's grade scale, as the national picture counts it: the grades of
    every framework that stand there are one band, so a SIF "requires improvement" and an ILACS
    "requires improvement to be good" are counted together."""

    score: int  # the place on the scale (4 outstanding ... 1 inadequate); 0 for grades off it
    grades: tuple[str, ...]  # the grades the reports give at this place, in the taxonomy's order

    @property
    def label(self) -> str:
        """What the band is called: its grades ("Requires improvement to be good / Requires improvement")."""
        return " / ".join(self.grades)


@dataclass(frozen=True)
class YearCount:
    """The judgements of one year at one place of the grade scale: one part of a year's bar."""

    year: int
    score: int  # the band's place on the scale
    rows: tuple[JudgementRow, ...]  # the judgements counted, in the table's order

    @property
    def count(self) -> int:
        return len(self.rows)


@dataclass(frozen=True)
class CouncilMovement:
    """A council's latest judgement of an area (of the years a filter keeps), and its report before
    that graded the area, whatever the filters, so the movement is always shown with both grades."""

    latest: JudgementRow
    previous: JudgementRow | None = None  # the row `latest.previous_doc_id` names, None when none

    @property
    def council(self) -> str:
        return self.latest.council

    @property
    def movement(self) -> str:
        """One of MOVEMENTS, or "" (no previous report of the area, or a grade off the scale)."""
        return self.latest.movement


@dataclass(frozen=True)
class NationalPicture:
    """The judgements of one area across councils: how many reports of each grade each year, and
    each council's latest grade and its movement since its previous inspection, as a grade and a
    year filter keep them (a council is listed when its latest report of the years kept has a
    grade kept).

    `bands` and `years` are those of the whole table, whatever the filters, so the choices a
    user picks from stay the same as the filters change."""

    area: str  # the table's area id, or "" when it holds every area
    rows: tuple[JudgementRow, ...]  # the table's rows the filters keep, in its order
    counts: tuple[YearCount, ...]  # the dated rows by year (oldest first), then band (best first); none empty
    councils: tuple[CouncilMovement, ...]  # one per council and area, in the table's order
    bands: tuple[GradeBand, ...]  # every band of the whole table, best first
    years: tuple[int, ...]  # every year of the whole table's dated rows, oldest first
    undated: int = 0  # rows kept but left out of `counts`: their report's date was not read

    @property
    def table(self) -> JudgementsTable:
        """The kept rows as a table of judgements, for `judgements_csv`."""
        return JudgementsTable(council="", area=self.area, rows=self.rows)
