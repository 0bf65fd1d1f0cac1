"""Cut a cleaned document into structural units, and units into pieces the embedder can take.

A unit is what a citation shows: one finding of an inspection letter, one action-plan row, one
numbered paragraph or recommendation with its continuation, or a few consecutive paragraphs of
one section. Each unit carries its section path and reference. A unit longer than
`max_tokens` (tiktoken) is split at sentence boundaries into pieces: each piece is embedded and
matched on its own, and each points back to the whole unit as its passage.

A unit is itself bounded (`max_passage_tokens`): a paragraph that runs for pages, or a file that
is one long line, becomes several passages cut between sentences (between words when a sentence
has no end). Otherwise each of its pieces would carry the whole of it, and the index would grow
with the square of the paragraph's length.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from assistant.core.judgements import grade_alternation
from assistant.core.taxonomy import load_taxonomy
from assistant.core.text import count_tokens, sentence_spans
from assistant.core.types import ActionRow, Chunk, Document
from ingest.actions import parse_action_plan
from ingest.sections import NUMBERED, GuessedPath, LevelledPath, SectionPath

# "12. Inspectors found ..." : a numbered paragraph of a report read by layout, where numbers
# are paragraph numbers rather than the start of a list.
_PARA_NUMBER = re.compile(r"^(\d{1,3})\.\s+(?=[A-Z])")


@dataclass
class _Unit:
    start: int
    end: int
    section: str
    kind: str = "paragraph"
    ref: str = ""
    context: str = ""
    paras: int = 1
    extra: dict = field(default_factory=dict)


def chunk_document(
    doc: Document,
    *,
    max_tokens: int = 180,
    pack_tokens: int | None = None,
    max_passage_tokens: int = 2000,
    action_rows: Sequence[ActionRow] | None = None,
) -> list[Chunk]:
    """Structure-aware chunks of a cleaned document.

    Args:
        doc: a document whose `text`/`offsets` were filled by `clean_document`.
        max_tokens: the longest piece embedded, in tiktoken tokens.
        pack_tokens: consecutive short paragraphs of one section are packed into one passage up
            to this many tokens (default: max_tokens).
        max_passage_tokens: the longest passage; a longer unit is cut into several.
        action_rows: an action plan's rows as `parse_action_plan` gives them, when the caller has
            parsed them already (ingest keeps them too); None parses them here.
    Returns:
        Chunks in document order, with ids that stay the same while the text does.
    """
    units: list[_Unit] = []
    if load_taxonomy().kind(doc.info.doc_type).rows:
        units = _action_units(parse_action_plan(doc) if action_rows is None else action_rows)
    grid = _spread_grid(doc)
    if grid is not None:
        units.append(grid)
    covered = [(u.start, u.end) for u in units]
    units += _prose_units(doc, covered, pack_tokens or max_tokens)
    units.sort(key=lambda u: u.start)
    units = [part for unit in units for part in _bounded(doc.text, unit, max(max_passage_tokens, max_tokens))]
    chunks: list[Chunk] = []
    for ordinal, unit in enumerate(units):
        chunks.extend(_pieces(doc, unit, ordinal, max_tokens))
    return chunks


def _paragraphs(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)]


def _action_units(rows: Sequence[ActionRow]) -> list[_Unit]:
    units = []
    for row in rows:
        priority = row.priority.split(":")[0]
        section = " > ".join(s for s in (priority, row.outcome) if s)
        units.append(
            _Unit(row.start, row.end, section, kind="action", ref=row.ref, context=f"Action {row.ref}. {row.outcome}")
        )
    return units


def _spread_grid(doc: Document) -> _Unit | None:
    """One unit for a judgement grid set out over lines of its own on the first page (a SIF grid:
    "2. Children looked after and achieving" / "permanence" / "Good"), read by describe but not
    by the layout reader as one table: otherwise each line is a passage of its own, and no
    passage holds the grid. None when the grid is already one table, or is not on the first page.

    The unit runs from the line of the first area describe read to the line of the grade after
    the last; its text is the page's, unchanged.
    """
    judgements = doc.info.judgements
    if len(judgements) < 2 or not doc.pages:
        return None
    second_page = next((start for start, number in doc.pages if number > doc.pages[0][1]), len(doc.raw_text))
    head_end = next((i for i, raw in enumerate(doc.offsets) if raw >= second_page), len(doc.text))
    head = doc.text[:head_end]
    grade = grade_alternation()
    rows = []  # each area's wording with the grade that follows it: a row of the grid
    for wording, _ in judgements:
        words = r"(?:\s+|\s*\|\s*)".join(map(re.escape, wording.split()))
        match = re.search(rf"{words}\s*(?:\|\s*)?(?:{grade})\b", head, re.I)
        if match:
            rows.append(match)
    if len(rows) < 2:
        return None
    start = head.rfind("\n", 0, min(m.start() for m in rows)) + 1
    above = list(re.finditer(r"[^\n]+", head[:start]))
    if above and re.search(rf"\b(?:{grade})\W*$", above[-1].group(), re.I):
        start = above[-1].start()  # the overall judgement, a line above the rows ending in its grade
    end = head.find("\n", max(m.end() for m in rows))
    end = len(head) if end < 0 else end
    starts = [m.start() for m in re.finditer(r"[^\n]+", head[start:end])]
    if all(doc.blocks.get(start + a, ("",))[0] == "grid" for a in starts):
        return None  # the layout reader read it as a table: its rows are the unit already
    return _Unit(start, end, "Judgements", kind="judgement", context=f"{doc.info.title}: judgements")


def _prose_units(doc: Document, covered: list[tuple[int, int]], max_tokens: int) -> list[_Unit]:
    paragraphs = _paragraphs(doc.text)
    path = LevelledPath(load_taxonomy()) if doc.layout else GuessedPath.of(doc.text, paragraphs)
    units = _ProseUnits(doc, path, max_tokens)
    for start, end in paragraphs:
        if any(a <= start < b for a, b in covered):
            units.interrupt()
        else:
            units.read(start, end)
    return units.units


class _ProseUnits:
    """The units of a document's prose, read paragraph by paragraph under a section path."""

    def __init__(self, doc: Document, path: SectionPath, max_tokens: int) -> None:
        self.doc, self.path, self.max_tokens = doc, path, max_tokens
        self.taxonomy = load_taxonomy()
        self.units: list[_Unit] = []
        self.pending: int | None = None  # start of headings not yet shown in any passage
        self.lead_in = ""  # a paragraph ending in ":" that introduces the items after it
        self.current: _Unit | None = None  # the unit the next paragraph may continue
        self.current_tokens = 0

    def interrupt(self) -> None:
        """What follows starts a unit of its own."""
        self.current, self.pending = None, None

    def read(self, start: int, end: int) -> None:
        para = self.doc.text[start:end]
        role, level = self.doc.blocks.get(start, ("", 0))  # from a structured reader: no guessing
        if role in ("grid", "row", "note"):
            self._table_or_note(start, end, role)
            return
        if self.units:
            self.units[-1].extra.pop("open", None)
        if self.path.is_heading(para, role):
            self.path.enter(para, role, level)
            self.current, self.lead_in = None, ""
            self.pending = start if self.pending is None else self.pending
            return
        self.path.content()
        self._content(start, end, para)

    def _table_or_note(self, start: int, end: int, role: str) -> None:
        section = self.path.text
        kind = {"grid": "judgement", "row": "row", "note": "note"}[role]
        last = self.units[-1] if self.units else None
        if role == "grid" and last is not None and last.kind == "judgement" and last.extra.get("open"):
            last.end, last.paras = end, last.paras + 1  # a grid is one unit: the judgements at a glance
        else:
            begin = self.pending if self.pending is not None and role != "note" else start
            # A grid says whose judgements they are only in the document's title.
            context = (
                "Notes" if role == "note" else (f"{self.doc.info.title}: judgements" if role == "grid" else section)
            )
            section = "Notes" if role == "note" else (section or ("Judgements" if role == "grid" else ""))
            self.units.append(_Unit(begin, end, section, kind=kind, context=context, extra={"open": role == "grid"}))
        self.interrupt()

    def _content(self, start: int, end: int, para: str) -> None:
        section = self.path.text
        # A heading is shown with the first passage under it: the reader sees where it stands,
        # and a line wrongly taken for a heading is never lost from the passages.
        begin = self.pending if self.pending is not None else start
        if para.startswith("•"):
            kind = "finding" if self.taxonomy.is_finding_section(section, self.doc.info.doc_type) else "item"
            self.units.append(_Unit(begin, end, section, kind=kind, context=f"{section}. {self.lead_in}".strip()))
            self.interrupt()
            return
        tokens = count_tokens(self.doc.text[begin:end])
        numbered = NUMBERED.match(para) or (_PARA_NUMBER.match(para) if self.doc.layout else None)
        self.lead_in = para if para.endswith(":") else ""
        current = self.current
        if numbered:
            recommendation = self.path.in_recommendations or "recommendation" in section.lower()
            kind = "recommendation" if recommendation else "paragraph"
            self._start(_Unit(begin, end, section, kind=kind, ref=numbered.group(1), context=section), tokens)
        elif (
            current is not None
            and self.pending is None
            and (current.ref or self.current_tokens + tokens <= self.max_tokens)
        ):
            # A numbered paragraph keeps its unnumbered continuation; plain prose packs up to a piece.
            current.end = end
            current.paras += 1
            self.current_tokens += tokens
        else:
            self._start(_Unit(begin, end, section, context=section), tokens)

    def _start(self, unit: _Unit, tokens: int) -> None:
        self.current, self.current_tokens = unit, tokens
        self.units.append(unit)
        self.pending = None


def _bounded(text: str, unit: _Unit, limit: int) -> list[_Unit]:
    """The unit, or consecutive parts of it of at most about `limit` tokens, cut between sentences."""
    passage = text[unit.start : unit.end]
    # Four characters a token at most, in practice: a shorter text needs no count at all.
    if len(passage) <= limit or count_tokens(passage) <= limit:
        return [unit]
    cuts = [0]
    total = 0
    # Sentences are counted one by one, not the growing join (that would cost the square of the
    # length); a part may so be off by the odd token where two sentences meet.
    for a, b in _sentences_within(passage, limit):
        tokens = count_tokens(passage[a:b]) + 1
        if total and total + tokens > limit:
            cuts.append(a)
            total = 0
        total += tokens
    # A "word" thousands of characters long (no spaces at all) is cut by length, at 8 characters
    # a token: more than any run of words has, so sentences are never cut by this.
    bounds: list[tuple[int, int]] = []
    width = limit * 8
    for a, b in zip(cuts, cuts[1:] + [len(passage)]):
        bounds.extend((x, min(x + width, b)) for x in range(a, b, width))
    return [
        dataclasses.replace(unit, start=unit.start + a, end=unit.start + b, extra=dict(unit.extra)) for a, b in bounds
    ]


def _pieces(doc: Document, unit: _Unit, ordinal: int, max_tokens: int) -> list[Chunk]:
    passage = doc.text[unit.start : unit.end]
    spans = _split(passage, max_tokens)
    raw_start, raw_end = doc.raw_span(unit.start, unit.end)
    passage_id = f"{doc.info.doc_id}:{ordinal:04d}"
    digest = hashlib.sha1(passage.encode()).hexdigest()[:8]
    chunks = []
    for part, (a, b) in enumerate(spans):
        piece = passage[a:b]
        piece_raw = doc.raw_span(unit.start + a, unit.start + b)
        chunks.append(
            Chunk(
                chunk_id=f"{passage_id}:{part}:{digest}",
                doc_id=doc.info.doc_id,
                title=doc.info.title,
                doc_type=doc.info.doc_type,
                publisher=doc.info.publisher,
                local_authority=doc.info.local_authority,
                date=doc.info.published,
                text=piece,
                passage=passage,
                passage_id=passage_id,
                section=unit.section,
                context=unit.context,
                kind=unit.kind,
                ref=unit.ref,
                page=doc.page_at(piece_raw[0]),
                start=unit.start,
                end=unit.end,
                raw_start=raw_start,
                raw_end=raw_end,
                part=part,
                tokens=count_tokens(piece),
                judgement=doc.info.overall_judgement,
            )
        )
    return chunks


def _split(passage: str, max_tokens: int) -> list[tuple[int, int]]:
    """Spans of `passage`, each at most `max_tokens`, cut between sentences where possible."""
    if count_tokens(passage) <= max_tokens:
        return [(0, len(passage))]
    pieces: list[tuple[int, int]] = []
    start: int | None = None
    end = 0  # set with start: read only while start is not None
    for a, b in _sentences_within(passage, max_tokens):
        # Counted on the joined text: the breaks between sentences are tokens too.
        if start is not None and count_tokens(passage[start:b]) > max_tokens:
            pieces.append((start, end))
            start = None
        if start is None:
            start = a
        end = b
    if start is not None:
        pieces.append((start, end))
    return pieces


def _sentences_within(passage: str, max_tokens: int) -> list[tuple[int, int]]:
    """Sentence spans, with any sentence over `max_tokens` cut at word boundaries."""
    out = []
    for a, b in sentence_spans(passage) or [(0, len(passage))]:
        if count_tokens(passage[a:b]) <= max_tokens:
            out.append((a, b))
            continue
        words = [(m.start() + a, m.end() + a) for m in re.finditer(r"\S+", passage[a:b])]
        step = max(1, int(max_tokens * 0.6))  # a word is rarely more than 1.6 tokens
        for i in range(0, len(words), step):
            group = words[i : i + step]
            out.append((group[0][0], group[-1][1]))
    return out


def passage_sentences(chunk: Chunk) -> list[tuple[int, int]]:
    """The spans of a passage's sentences, what answers quote. In a judgement grid a row is one:
    an area's name on lines of its own ("2. Children looked after and achieving" / "permanence")
    goes with the grade alone on the line after it, so a quoted row says what was graded. Lines
    that are rows already ("2.1 Adoption performance | Good") stay as they are."""
    spans = sentence_spans(chunk.passage)
    if chunk.kind != "judgement":
        return spans
    grades = grade_alternation()
    grade_alone = re.compile(rf"^(?:{grades})\W*$", re.I)
    a_row = re.compile(rf"\s\|\s|\b(?:{grades})\W*$", re.I)  # "Area | Good", "Services in X are good"
    out: list[tuple[int, int]] = []
    name: list[tuple[int, int]] = []  # the lines of an area's name whose grade is still to come
    for a, b in spans:
        text = chunk.passage[a:b]
        if not name and re.fullmatch(r"\d+(?:\.\d+)*\.?", text):
            continue  # a row's number ("2.1") on a line of its own
        if grade_alone.match(text) and name:
            out.append((name[0][0], b))
            name = []
        elif a_row.search(text):
            out += name + [(a, b)]
            name = []
        else:
            name.append((a, b))
    return out + name
