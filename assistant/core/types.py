"""Typed records passed between the stages. Every stage takes and returns these, never bare dicts.

The flow is one way: a `Document` is loaded and cleaned, cut into `Chunk`s, indexed; retrieval
returns `Hit`s; the answerer returns an `Answer` whose sentences point at `Citation`s.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any, Literal

import numpy as np

from assistant.core.taxonomy import load_taxonomy


@dataclass(frozen=True)
class DocumentInfo:
    """Facts about one document, from `corpus/manifest.toml` or guessed from its text."""

    doc_id: str
    file: str
    title: str
    doc_type: str = "unknown"
    publisher: str = ""
    local_authority: str = ""
    published: str = ""  # ISO date "YYYY-MM-DD", or "" when unknown
    notes: str = ""
    in_manifest: bool = True
    inspection_dates: str = ""  # as the report writes them: "21 February to 4 March 2022"
    lead_inspector: str = ""  # "Lisa Summers, Her Majesty's Inspector"
    judgements: tuple[tuple[str, str], ...] = ()  # (judgement area, grade) from the judgement grid

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DocumentInfo:
        """From `dataclasses.asdict` as stored in JSON (lists back to tuples)."""
        fields = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        fields["judgements"] = tuple(tuple(pair) for pair in fields.get("judgements", ()))
        return cls(**fields)

    @property
    def overall_judgement(self) -> str:
        """The report's overall judgement (a taxonomy grade, e.g. "Good"), or "" when its grid has none."""
        return load_taxonomy().overall_grade(self.judgements)

    @property
    def council(self) -> str:
        """Its council as users name it ("Anytown City Council" -> "anytown"): what filters compare."""
        return council_key(self.local_authority)

    def judgement(self, area_words: str) -> str:
        """The grade of the first judgement area containing `area_words` (case-insensitive), or ""."""
        for area, grade in self.judgements:
            if area_words.lower() in area.lower():
                return grade
        return ""


@dataclass(frozen=True)
class LayoutLine:
    """What a structured reader (PDF by layout, HTML, DOCX) knows about one line of `raw_text`.

    Roles: "body", "heading", "title", "bullet" (a list item starts here; the glyph is not in the
    span), "row" (one table row, cells with their column headers), "grid" (a row of a judgement
    grid), "note" (a footnote), "furniture" (running header or footer, page number: dropped).
    """

    start: int  # span of the line in raw_text
    end: int
    page: int = 0
    role: str = "body"
    level: int = 0  # heading level, 1 = largest type
    new_block: bool = True  # a paragraph starts here (False: the line goes on with the one before)


@dataclass
class Document:
    """One loaded document: its raw text and the cleaned text that maps back to it.

    `offsets[i]` is the position in `raw_text` of character `i` of `text`, so a passage of the
    cleaned text can always be shown as the source has it: `raw_text[offsets[a]:offsets[b-1]+1]`.
    `pages` lists `(raw_start, page_number)` pairs in order; empty when the format has no pages.
    """

    info: DocumentInfo
    raw_text: str
    text: str = ""
    offsets: list[int] = field(default_factory=list)
    pages: list[tuple[int, int]] = field(default_factory=list)
    content_hash: str = ""
    # From a structured reader: one entry per line of raw_text it kept; empty for plain text,
    # which the cleaner reads by heuristics instead.
    layout: list[LayoutLine] = field(default_factory=list)
    # Filled by the cleaner from `layout`: cleaned-text start of each paragraph whose role is
    # known (heading, title, row, grid, note) -> (role, heading level).
    blocks: dict[int, tuple[str, int]] = field(default_factory=dict)

    def page_at(self, raw_pos: int) -> int | None:
        """The page holding raw position `raw_pos`, or None when the format has no pages."""
        page = None
        for start, number in self.pages:
            if start > raw_pos:
                break
            page = number
        return page

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """The raw-text span `[a, b)` of the cleaned span `[start, end)`."""
        if not self.offsets or end <= start:
            return (start, end)
        return (self.offsets[start], self.offsets[min(end, len(self.offsets)) - 1] + 1)


@dataclass(frozen=True)
class ProgressNote:
    """A dated progress note of an action plan row ("Progress August 2020: ...")."""

    label: str  # as written: "Progress August 2020", "Progress to date"
    date: str  # ISO "YYYY-MM" when the label names a month, else ""
    text: str


@dataclass(frozen=True)
class ActionRow:
    """One row of an action plan, parsed from the flattened table."""

    doc_id: str
    ref: str  # "1.2.7"
    priority: str  # "Priority 1: The mental health needs of children ..."
    outcome: str  # "1.2 Improved performance ..."
    action: str
    reason: str
    impact: str
    agencies: str
    lead: str
    due: str  # completion date or rating as written
    status: str  # "Completed", "Due for completion", ... or ""
    progress: tuple[ProgressNote, ...]
    text: str  # the whole row as cleaned text
    start: int  # cleaned-text span of the row
    end: int

    def latest_progress(self) -> ProgressNote | None:
        """The most recent dated note, or the last one when none is dated."""
        dated = [p for p in self.progress if p.date]
        if dated:
            return max(dated, key=lambda p: p.date)
        return self.progress[-1] if self.progress else None


# Kinds of chunk that hold no finding: judgement grids, headings and footnotes. Views that quote
# what a report found (timeline, trace, the as-of check) pass over them.
NON_CONTENT_KINDS = ("heading", "judgement", "note")


@dataclass(frozen=True)
class Chunk:
    """A unit of a document as indexed.

    `text` is what is embedded and matched (short enough for the embedder); `passage` is what a
    citation shows: the whole structural unit (a finding, an action row, a numbered paragraph)
    that `text` was cut from. `start`/`end` are the passage's span in the cleaned text and
    `raw_start`/`raw_end` the same span in the source as it was loaded.
    """

    chunk_id: str
    doc_id: str
    title: str
    doc_type: str
    publisher: str
    date: str
    text: str
    passage: str
    local_authority: str = ""
    passage_id: str = ""  # shared by the pieces of one passage
    section: str = ""  # "Areas for improvement" or "Leadership > Governance"
    context: str = ""  # words that place the text (section, list lead-in), embedded with it
    kind: str = "paragraph"  # paragraph | finding | action | recommendation | heading | judgement | row | note | item
    ref: str = ""  # numbered paragraph, recommendation or action reference ("8.4", "1.2.7")
    page: int | None = None
    start: int = 0
    end: int = 0
    raw_start: int = 0
    raw_end: int = 0
    part: int = 0  # index of this piece within its passage (0 when not split)
    tokens: int = 0  # tiktoken cl100k length of `text`
    judgement: str = ""  # its document's overall judgement (a taxonomy grade), "" when it has none

    @property
    def council(self) -> str:
        return council_key(self.local_authority)

    def metadata(self) -> dict[str, Any]:
        """Flat metadata for the vector store (no None values: Chroma refuses them)."""
        data = asdict(self)
        data.pop("text")
        data["page"] = self.page if self.page is not None else -1
        data["date_int"] = date_as_int(self.date)
        data["council"] = self.council  # filters compare councils as users name them
        return data

    @classmethod
    def from_metadata(cls, chunk_id: str, text: str, meta: dict[str, Any]) -> Chunk:
        fields = {k: v for k, v in meta.items() if k in cls.__dataclass_fields__}
        fields["chunk_id"] = chunk_id
        fields["text"] = text
        fields["page"] = None if fields.get("page", -1) == -1 else fields["page"]
        return cls(**fields)


@dataclass(frozen=True)
class Filters:
    """Restrictions applied to retrieval. Dates are ISO strings; empty means no limit.

    `councils` are names as users write them ("Anytown", "Anytown City Council": one council);
    `judgements` are overall judgements as users write them ("inadequate", "requires
    improvement"), matched to the taxonomy's grades.
    """

    doc_ids: tuple[str, ...] = ()
    doc_types: tuple[str, ...] = ()
    date_from: str = ""
    date_to: str = ""
    councils: tuple[str, ...] = ()
    judgements: tuple[str, ...] = ()

    def is_empty(self) -> bool:
        return not (
            self.doc_ids or self.doc_types or self.date_from or self.date_to or self.councils or self.judgements
        )

    @property
    def council_keys(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(council_key(c) for c in self.councils if council_key(c)))

    @property
    def grades(self) -> tuple[str, ...]:
        """The taxonomy grades the judgement filter stands for (none: it matches nothing)."""
        taxonomy = load_taxonomy()
        return tuple(dict.fromkeys(g for j in self.judgements for g in taxonomy.grades_matching(j)))

    def allows(self, chunk: Chunk) -> bool:
        return self._allows(chunk.doc_id, chunk.doc_type, chunk.date, chunk.council, chunk.judgement)

    def allows_doc(self, info: DocumentInfo) -> bool:
        """Whether the filters let this document's passages through (the same test as `allows`)."""
        return self._allows(info.doc_id, info.doc_type, info.published, info.council, info.overall_judgement)

    def _allows(self, doc_id: str, doc_type: str, date: str, council: str, judgement: str) -> bool:
        if self.doc_ids and doc_id not in self.doc_ids:
            return False
        if self.doc_types and doc_type not in self.doc_types:
            return False
        if (self.date_from or self.date_to) and not date:
            return False  # an undated document cannot be shown to fall inside a date range
        if self.date_from and date < self.date_from:
            return False
        if self.date_to and date > self.date_to:
            return False
        if self.councils and council not in self.council_keys:
            return False
        if self.judgements and judgement not in self.grades:
            return False
        return True


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk with its fused score and the ranks it had in each retriever."""

    chunk: Chunk
    score: float
    dense_rank: int | None = None
    lexical_rank: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "doc_id": self.chunk.doc_id,
            "chunk_id": self.chunk.chunk_id,
            "text": self.chunk.passage,
            "score": round(self.score, 6),
        }


ANSWER_TYPES = ("person", "agent", "number", "date", "rating", "organisation", "list", "status", "explanation")


@dataclass(frozen=True)
class Intent:
    """What a question's wording says, read without an index (`assistant.question.parse.parse`):
    the pure half of understanding it, testable on its own. `bind` adds what the corpus makes of it."""

    text: str
    action_refs: tuple[str, ...] = ()  # action references written ("2.2.2"), held by the index or not
    para_refs: tuple[str, ...] = ()  # numbered paragraph or recommendation references written ("8.4")
    ref_kind: str = ""  # "recommendation" | "paragraph" | "": what the references are said to be
    answer_type: str = "explanation"  # as read when no action reference is held (bind may revise it)
    cue_at: int = -1  # where the answer type's cue stands in the question (-1: the whole question)
    named_years: tuple[str, ...] = ()  # the years whose documents (or sentences) must give the answer
    named_months: tuple[str, ...] = ()  # "may 2020"
    count: bool = False
    frequency: bool = False
    counted: tuple[str, ...] = ()
    progress: bool = False  # the wording asks about progress ("is it done?")
    many: bool = False  # the wording wants several things ("what are the strengths?")
    section_class: str = ""  # "improvement" | "strength" | ""
    asks_across: bool = False  # asks across councils in so many words ("which councils ...?")
    grades_judged: tuple[str, ...] = ()  # grades it says reports were judged ("judged inadequate")
    period_years: frozenset[str] = frozenset()  # years that bound a period ("since 2023")
    period: tuple[str, str] = ("", "")  # the period's first and last day, "" where unbounded
    acronyms: frozenset[str] = frozenset()  # acronyms written, lower-cased ("camhs"): focus words however short
    written_acronyms: frozenset[str] = frozenset()  # acronyms as written ("CAMHS", "IROs")
    names: tuple[str, ...] = ()  # capitalised words and years that may name what the corpus lacks
    authorities: tuple[str, ...] = ()  # local authorities named, as the taxonomy spells them


@dataclass(frozen=True)
class Query:
    """A question understood once (`assistant.question.understand.understand`): what it asks for
    and about what, whose documents and which years it names, what it cites. Retrieval,
    composition and the answerability check read this; none of them reads the question's wording."""

    text: str
    vector: np.ndarray  # the question's embedding (with acronym expansions)
    terms: list[str]  # search terms, naming words ("ofsted", "2019") left out
    expansions: list[str]  # acronym expansions added to the search
    action_refs: list[str]  # action references it names that the index holds ("2.2.2")
    para_refs: list[tuple[str, str]]  # (reference, "recommendation" | "paragraph" | "")
    doc_prior: dict[str, float]  # documents its naming words point at, and how strongly
    years: tuple[str, ...] = ()  # years it names that date an indexed document
    named_years: tuple[str, ...] = ()  # every year it names
    council_docs: tuple[str, ...] = ()  # documents of the councils it names
    councils: tuple[str, ...] = ()  # the councils it names, as the index calls them
    # Local authorities it names that no indexed document is about ("Othertown", in a corpus of
    # Anytown's documents): only a sentence naming one can answer for it.
    unheld_councils: tuple[str, ...] = ()
    year_docs: tuple[str, ...] = ()  # documents it designates by year ("the 2025 report")
    named_months: tuple[str, ...] = ()  # months it names ("may 2020"): the answer must speak of them
    count: bool = False  # asks "how many": a count, not a share, answers it
    frequency: bool = False  # asks "how often ...?": a frequency answers it ("quarterly", "twice a year")
    counted: tuple[str, ...] = ()  # what "how many ...?" counts, as search terms ("foster", "carer")
    answer_type: str = "explanation"  # one of ANSWER_TYPES
    focus: tuple[str, ...] = ()  # what it is about: content terms, not cue or naming words
    focus_phrase: str = ""  # the same, as the user wrote it ("the Star Centre")
    answer_focus: tuple[str, ...] = ()  # the focus of the clause that asks for the answer type
    # ("when was X appointed, and what difference did it make?" -> X, appointed)
    source_kinds: tuple[str, ...] = ()  # kinds of document it names as the source ("in the action plan")
    missing_kinds: tuple[str, ...] = ()  # of those, kinds the index holds no document of (their `short`)
    section_class: str = ""  # asks for a class of findings: "improvement" or "strength" (taxonomy)
    spelled_out: dict[str, tuple[str, ...]] = field(default_factory=dict)  # focus acronym -> its expansion's terms
    progress: bool = False  # asks about progress ("is it done?"): progress reports are lifted
    many: bool = False  # wants several things ("what are the strengths?"): a longer answer
    # Asks across councils ("which councils ...?", or names several): retrieval takes a share of
    # passages from each council and the answer hears from each, grouped by council and date.
    across_councils: bool = False
    judged_docs: tuple[str, ...] = ()  # across councils, "judged inadequate": the reports with such a judgement
    # Across councils, the dates a bounded period covers ("since 2023" -> ("2023-01-01", "")):
    # retrieval takes it as a date filter. A single council's "since 2022" names its premise instead.
    period: tuple[str, str] = ("", "")
    intent: Intent | None = None  # the wording's own reading, from which the rest was bound


@dataclass(frozen=True)
class Citation:
    """What an answer marker [n] points at: a passage of a named, dated document."""

    n: int
    chunk: Chunk
    sentences: tuple[str, ...]  # the cited sentences, verbatim from `chunk.passage`

    @property
    def label(self) -> str:
        """ "Title (date), section, ref, p. N" for lists of sources."""
        parts = [self.chunk.title + (f" ({self.chunk.date})" if self.chunk.date else " (undated)")]
        if self.chunk.section:
            parts.append(self.chunk.section)
        if self.chunk.ref:
            word = {"action": "action ", "recommendation": "recommendation "}.get(self.chunk.kind, "para ")
            parts.append(word + self.chunk.ref)
        if self.chunk.page is not None:
            parts.append(f"p. {self.chunk.page}")
        return ", ".join(parts)

    def to_json(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "doc_id": self.chunk.doc_id,
            "title": self.chunk.title,
            "section": self.chunk.section,
            "ref": self.chunk.ref,
            "page": self.chunk.page,
            "date": self.chunk.date,
            "text": self.chunk.passage,
            "sentences": list(self.sentences),
        }


@dataclass(frozen=True)
class AnswerPart:
    """One paragraph of an answer: verbatim sentences of the cited passages, each with the
    numbers of the citations it rests on, under the document it quotes when the answer names it.

    Parts are what composition, the as-of check, the trace and generation build; the text a
    user reads is written from them in one place (`assistant/answering/render.py`).
    """

    sentences: tuple[tuple[str, tuple[int, ...]], ...]  # (sentence, its citation numbers)
    source: Chunk | None = None  # the document named before the sentences; None: not named
    what: str = ""  # which part of that document ("the finding", "action 1.2.3"), named with it
    newer: bool = False  # a newer inspection on the answer's theme (assistant/answering/asof.py)


# What the answer is: composed from retrieved passages, or a traced finding's chain (answering/traced.py).
AnswerKind = Literal["answer", "trace"]
Outcome = Literal["answered", "partial", "not_covered"]


@dataclass(frozen=True)
class Answer:
    """The reply to one question. `text` carries markers [n] that index `citations`; it is
    written from `parts` (and the outcome) by `assistant/answering/render.py` and never parsed back."""

    question: str
    resolved_question: str  # the question actually searched (follow-ups resolved)
    text: str
    citations: tuple[Citation, ...]
    retrieved: tuple[Hit, ...]
    abstained: bool
    notice: str = ""  # a note to the user about their input ("question was shortened")
    timings_ms: dict[str, float] = field(default_factory=dict)
    evidence: float = 0.0  # how well the best sentence matched; abstention compares it to a threshold
    # "answered"; "partial" (the documents speak of the focus but do not give what was asked);
    # "not_covered" (nothing close enough: the closest passages are shown). `abstained` is
    # True for both of the last two.
    outcome: Outcome = "answered"
    answer_type: str = "explanation"  # what the question asked for (types.ANSWER_TYPES)
    # "extractive" (quoted by the composer) or "generated" (written by an LLM, each sentence
    # verified against the passage it cites: assistant/answering/llm/verify.py). The counts are of the
    # model's sentences: written, shown after verification, dropped; all 0 when none was asked.
    mode: str = "extractive"
    sentences_generated: int = 0
    sentences_verified: int = 0
    sentences_dropped: int = 0
    parts: tuple[AnswerPart, ...] = ()  # what `text` is written from
    kind: AnswerKind = "answer"
    missing: str = ""  # a partial answer: what the documents do not give ("the figure asked for")
    focus: str = ""  # what the question is about, as the user wrote it (a partial answer names it)

    def to_json(self) -> dict[str, Any]:
        """The `ask --json` / `results.jsonl` contract of DESIGN.md."""
        return {
            "question": self.question,
            "resolved_question": self.resolved_question,
            "answer": self.text,
            "abstained": self.abstained,
            "outcome": self.outcome,
            "answer_type": self.answer_type,
            "citations": [c.to_json() for c in self.citations],
            "retrieved": [h.to_json() for h in self.retrieved],
            "latency_ms": round(sum(self.timings_ms.values()), 2),
            "timings_ms": {k: round(v, 2) for k, v in self.timings_ms.items()},
            "notice": self.notice,
            "evidence": round(self.evidence, 4),
            "mode": self.mode,
            "sentences": {
                "generated": self.sentences_generated,
                "verified": self.sentences_verified,
                "dropped": self.sentences_dropped,
            },
        }


@lru_cache(maxsize=4096)
def council_key(name: str) -> str:
    """A council's name as users write it, for comparing: "Anytown City Council" -> "anytown"."""
    return load_taxonomy().authority_key(name) if name else ""


def date_as_int(iso: str) -> int:
    """20191218 for "2019-12-18" (Chroma filters compare numbers, not strings); 0 when unknown."""
    digits = "".join(ch for ch in iso if ch.isdigit())[:8]
    return int(digits.ljust(8, "0")) if digits else 0


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
class FileRecord:
    """Size and SHA-256 of one file of an index generation, recorded when it is committed, so a
    file cut short or changed afterwards is told from a whole one."""

    size: int
    sha256: str


@dataclass(frozen=True)
class IndexedDoc:
    """A document of the live index: its file, content key (see ingest.index) and chunk count."""

    file: str
    key: str
    chunks: int


@dataclass(frozen=True)
class IndexState:
    """What `state.json` says: which generation is live, what it holds, and how to check it."""

    version: int  # the pipeline version that built it (assistant.store.PIPELINE_VERSION)
    generation: int
    collection: str  # the Chroma collection of this generation
    chroma: str  # "embedded" or "host:port"
    created: str
    docs: dict[str, IndexedDoc]
    files: dict[str, FileRecord] = field(default_factory=dict)  # empty in an index built before they were recorded
    chunks: int = -1  # chunks in the collection; -1 when not recorded
    passage_vectors: str = "embedded"  # how its passage vectors were made (Settings.passage_vectors)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> IndexState:
        return cls(
            version=int(data["version"]),
            generation=int(data["generation"]),
            collection=str(data["collection"]),
            chroma=str(data.get("chroma", "")),
            created=str(data.get("created", "")),
            docs={k: IndexedDoc(**v) for k, v in data["docs"].items()},
            files={k: FileRecord(**v) for k, v in data.get("files", {}).items()},
            chunks=int(data.get("chunks", -1)),
            passage_vectors=str(data.get("passage_vectors", "embedded")),
        )


@dataclass(frozen=True)
class JudgementPoint:
    """One judgement of one report, placed on a scale for the timeline's chart."""

    date: str  # ISO date of the report
    doc_id: str
    area: str  # "Overall effectiveness"
    grade: str  # as the grid writes it
    score: int  # place on the taxonomy's grade scale (higher is better), 0 when unscored


@dataclass(frozen=True)
class TimelineEntry:
    """A document on the timeline: its facts, its judgements and a few key findings, quoted."""

    doc: DocumentInfo
    kind_label: str  # the taxonomy's label of its kind
    findings: tuple[Citation, ...]  # each quotes one sentence verbatim from its passage
    inspection: bool = False  # inspectors' findings (not a plan or a progress report)


@dataclass(frozen=True)
class Timeline:
    """A council's documents in date order (undated last), and their judgements as points."""

    council: str  # as asked, or "" for every document
    entries: tuple[TimelineEntry, ...]
    points: tuple[JudgementPoint, ...]


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
