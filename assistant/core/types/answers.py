"""Records of a question and its answer: `Filters`, the `Query` understood from it, the `Hit`s
retrieval returns, the `Answer` whose parts cite `Citation`s."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from assistant.core.taxonomy import load_taxonomy
from assistant.core.types.documents import Chunk, DocumentInfo, council_key


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
    def kinds(self) -> tuple[str, ...]:
        """The kinds the kind filter lets through: each kind named, and its shorter inspections
        (filtering by ILACS reports keeps the short ones: `Kind.shorter_of`)."""
        taxonomy = load_taxonomy()
        shorter = [k.id for k in taxonomy.kinds.values() if k.shorter_of and k.shorter_of in self.doc_types]
        return tuple(dict.fromkeys([*self.doc_types, *shorter]))

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
        if self.doc_types and doc_type not in self.kinds:
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
    """A retrieved chunk with its fused score."""

    chunk: Chunk
    score: float

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
    # (council, the words naming it with the council words around it: "Nottingham City Council")
    council_words: tuple[tuple[str, str], ...] = ()


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
    # A grade question's judgement area, by the taxonomy's vocabulary ("overall effectiveness",
    # "children looked after" -> its id), "" when it names none: a grid row of that area answers it.
    judgement_area: str = ""
    lead_inspector: bool = False  # asks who led an inspection: the line naming a report's lead inspector answers
    # For such a question, the lead inspectors (as read, role left out) of the reports it designates:
    # empty when no such report is indexed, None when their lead inspectors were not read.
    lead_names: tuple[str, ...] | None = None
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


# What the answer is: composed from retrieved passages, a traced finding's chain (answering/traced.py),
# or grades read off the table of judgements (answering/tabled.py).
AnswerKind = Literal["answer", "trace", "table"]
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
    # A line the answer opens with that is worked out, not quoted: a table answer's count of the
    # grades its parts quote ("2 councils ...: A and B."), or its reply when the table gives none.
    opening: str = ""

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
