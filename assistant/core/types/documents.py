"""Records of documents as loaded and indexed: a `Document` is loaded and cleaned, cut into
`Chunk`s and indexed; the index's state records what was ingested."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

from assistant.core.dates import date_range
from assistant.core.taxonomy import load_taxonomy


@dataclass(frozen=True)
class Judgement:
    """One judgement of a report: the grade, its wording as the report writes it, and the
    judgement area of the taxonomy that wording names (`Taxonomy.judgement_area`)."""

    wording: str  # "Children looked after and achieving permanence"
    grade: str  # as read: "Requires improvement to be good"
    area: str = ""  # the area's id ("children_in_care"); "" when the wording names no area
    label: str = ""  # the area's label ("Children in care"); "" likewise


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

    @property
    def areas(self) -> dict[str, str]:
        """{judgement area id: grade}, each wording mapped through the taxonomy's vocabulary
        ("Leadership, management and governance" -> impact_of_leaders); the first wording of an
        area gives its grade, a wording of no area is left out."""
        return load_taxonomy().areas_of(self.judgements)

    @property
    def graded(self) -> tuple[Judgement, ...]:
        """Every judgement as read, in order, each with the area its wording names (if any)."""
        taxonomy = load_taxonomy()
        out = []
        for wording, grade in self.judgements:
            area = taxonomy.judgement_area(wording)
            out.append(Judgement(wording, grade, area.id if area else "", area.label if area else ""))
        return tuple(out)

    @property
    def inspection_period(self) -> tuple[str, str]:
        """The first and last day of `inspection_dates` as ISO dates; ("", "") when none is read."""
        return date_range(self.inspection_dates)

    def judgement(self, area: str) -> str:
        """The grade of a judgement area, or "".

        `area` is an area id ("care_leavers") or words the taxonomy maps to one ("care leavers",
        "Overall effectiveness"), so each framework's wording of it finds it; other words find
        the first wording that contains them (case-insensitive).
        """
        taxonomy = load_taxonomy()
        named = taxonomy.area_by_id(area) or taxonomy.judgement_area(area)
        if named is not None:
            return self.areas.get(named.id, "")
        return next((grade for wording, grade in self.judgements if area.lower() in wording.lower()), "")


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


@lru_cache(maxsize=4096)
def council_key(name: str) -> str:
    """A council's name as users write it, for comparing: "Anytown City Council" -> "anytown"."""
    return load_taxonomy().authority_key(name) if name else ""


def date_as_int(iso: str) -> int:
    """20191218 for "2019-12-18" (Chroma filters compare numbers, not strings); 0 when unknown."""
    digits = "".join(ch for ch in iso if ch.isdigit())[:8]
    return int(digits.ljust(8, "0")) if digits else 0


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
