"""The extractive answer composer: answers made only of the cited passages' own sentences.

It scores every sentence of the retrieved passages against the question (cosine of the
sentence's embedding, made at ingest, plus the IDF-weighted share of the question's terms it
contains, plus a little for the passage's rank), drops near-duplicates, and takes the best until
the word budget is spent. Sentences are then grouped by passage, in document order within each,
and each is followed by its marker [n]. When the chosen passages come from documents of
different dates, each group opens with a line naming the document and date, so the reader can
tell the 2016 report from the 2019 letter. When they come from several councils, the parts are
grouped by council (the home council first, then by best sentence) and by date within each; a
question across councils ("which councils ...?", or naming several) hears from each council its
passages come from. A question naming an action reference is answered
from that action's row: what the action is, its completion date or status, its latest progress.

Nothing is generated: every sentence is a verbatim span of its cited passage, so the composer
cannot invent. Swap it for another `Composer` (an LLM one, say) through `answer(composer=...)`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from assistant.answering.answerability import gives_answer
from assistant.answering.evidence import evidence as measure_evidence
from assistant.core.settings import Settings
from assistant.core.taxonomy import load_taxonomy
from assistant.core.text import normalise, terms
from assistant.core.types import ActionRow, AnswerPart, Chunk, Citation, Hit, council_key
from assistant.core.weights import idf_share, idf_weights
from assistant.store import Index

_HAS_NUMBER = re.compile(r"\d")
_POINTS_BACK = re.compile(
    r"^(?:This|These|That|Those|It|They|However|But|As a result|Therefore|Furthermore|In addition)\b"
)
_PROGRESS_LABEL = re.compile(r"^(?:Progress|Update|Completed?|Ongoing|In progress)\b")


@dataclass
class Composition:
    parts: tuple[AnswerPart, ...]  # written out by answering/render.py
    citations: tuple[Citation, ...]
    abstained: bool
    evidence: float


class Composer(Protocol):
    def compose(self, question: str, query, hits: list[Hit], index: Index, settings: Settings) -> Composition:
        """An answer to `question` from `hits`, with citations; abstain when they do not hold it."""


@dataclass
class _Sentence:
    hit_rank: int
    start: int
    end: int
    text: str
    vector: np.ndarray
    score: float
    cosine: float
    lexical: float = 0.0
    passage: str = ""  # the passage it stands in
    quotable: bool = True  # long enough to be quoted on its own (`min_sentence_words`), not a fragment
    grid: bool = False  # a row of a judgement grid ("Adoption performance | Good")

    def gives(self, query, index: Index, settings: Settings) -> bool:
        """Whether it holds what `query` asks for (`answerability.gives_answer`)."""
        return gives_answer(self.text, query, index, settings, self.passage, grid=self.grid)


class ExtractiveComposer:
    """The default composer. See the module docstring."""

    def compose(self, question: str, query, hits: list[Hit], index: Index, settings: Settings) -> Composition:
        sentences = _score_sentences(query, hits, index, settings)
        evidence = measure_evidence(query, hits, index, settings)
        named = bool(query.action_refs) and bool(hits) and hits[0].chunk.kind == "action"
        cited_ref = bool(hits) and hits[0].chunk.ref in {ref for ref, _ in query.para_refs}
        graded = bool(query.judgement_area) and any(s.grid and s.gives(query, index, settings) for s in sentences)
        if named or cited_ref or graded:
            # The user named the action or paragraph, or a grid grades the area asked: it is the answer.
            evidence = max(evidence, 1.0)
        if evidence < settings.abstain_threshold:
            return Composition((), (), True, evidence)
        # An unnamed action answers a question about progress, not one asking for a figure, name,
        # date or grade ("what share of contacts went to early help, and what happened to ...?").
        asks_progress = query.progress and query.answer_type in ("status", "list", "explanation")
        action_rank = 0 if named else _status_action(asks_progress, hits, index, settings.status_action_rank)
        listing: list[_Sentence] = []  # the items of a listing section asked for
        if action_rank is not None:
            row = index.actions[hits[action_rank].chunk.ref]
            chosen = _action_sentences(row, action_rank, sentences, settings)
        elif cited_ref:
            # "What does recommendation 15.7 say?": the paragraph itself, from its start.
            chosen = _opening(sentences, 0, settings.answer_words)
        else:
            budget = settings.list_answer_words if query.many else settings.answer_words
            listing = _in_section_asked(sentences, query, hits)
            chosen = _listed(listing, budget) if listing else _select(sentences, budget, settings)
            chosen += _each_year_heard(query.years, chosen, sentences, hits)
            if query.across_councils:
                chosen += _each_council_heard(chosen, sentences, hits)
            elif not query.councils:
                chosen += _home_heard(council_key(settings.home), chosen, sentences, hits, settings)
            chosen = _with_the_thing_asked(chosen, sentences, query, index, settings)
            chosen += _each_report_graded(chosen, sentences, query, index, settings, hits)
        if not chosen:  # nothing quotable (only fragments): say so rather than answer blank
            return Composition((), (), True, evidence)
        # A grade or a lead inspector asked for: the passage that gives it opens the answer.
        exact = query.judgement_area or query.lead_inspector
        first = frozenset(s.hit_rank for s in chosen if exact and s.gives(query, index, settings))
        listed = bool(listing) and action_rank is None and not cited_ref
        parts, citations = _parts(chosen, hits, council_key(settings.home), first, listed)
        return Composition(parts, citations, False, evidence)


def _score_sentences(query, hits: list[Hit], index: Index, settings: Settings) -> list[_Sentence]:
    """Every sentence of the hits: cosine to the question, plus the IDF-weighted share of the
    question's terms it holds, plus its passage's retrieval score relative to the best, plus a
    little for holding a number when the question asks for one."""
    wanted = idf_weights(set(query.terms), index.lexical.idf)
    top = hits[0].score if hits and hits[0].score > 0 else 1.0
    numeric = query.answer_type in ("number", "date")
    out = []
    for rank, hit in enumerate(hits):
        passage = index.passages.get(hit.chunk.passage_id)
        if passage is None:
            continue
        vectors = index.sentence_vectors[passage.rows]
        # Corrected for hubness, as in retrieval: a sentence close to everything ("The joint
        # targeted area inspection (JTAI) included ...") is not close to this question.
        cosines = vectors @ query.vector - settings.hub_penalty * index.sentence_hub[passage.rows]
        prior = settings.passage_prior * min(1.0, hit.score / top)
        for (a, b), vector, cosine in zip(passage.spans, vectors, cosines):
            text = hit.chunk.passage[a:b]
            present = set(terms(text))
            lexical = idf_share((t for t in wanted if t in present), wanted)
            score = float(cosine) + settings.sentence_lexical_weight * lexical + prior
            if numeric and _HAS_NUMBER.search(text):
                score += settings.numeric_bonus
            grid = hit.chunk.kind == "judgement"
            # A grid's row is quoted whole however short: "Adoption performance | Good".
            quotable = grid or len(text.split()) >= settings.min_sentence_words
            out.append(
                _Sentence(rank, a, b, text, vector, score, float(cosine), lexical, hit.chunk.passage, quotable, grid)
            )
    return out


def _select(sentences: list[_Sentence], budget: int, settings: Settings) -> list[_Sentence]:
    """The best sentences within `budget` words. The best one brings the sentence after it
    (an answer often runs on: "A strength is the 7-minute briefings. These are concise ..."),
    and the one before it when it opens by pointing back ("This", "However")."""
    ranked = sorted(sentences, key=lambda s: -s.score)
    if not ranked:
        return []
    floor = ranked[0].score * settings.sentence_floor  # below this a sentence pads rather than answers
    chosen: list[_Sentence] = []
    used = 0

    def take(s: _Sentence) -> bool:
        nonlocal used
        n_words = len(s.text.split())
        if s in chosen or not s.quotable or any(_near_duplicate(s, c, settings.near_duplicate_cosine) for c in chosen):
            return False
        if chosen and used + n_words > budget:
            return False
        chosen.append(s)
        used += n_words
        return True

    best = next((s for s in ranked if s.quotable), None)
    if best is None:
        return []
    take(best)
    same = sorted((s for s in sentences if s.hit_rank == best.hit_rank), key=lambda s: s.start)
    position = same.index(best)
    if position > 0 and _POINTS_BACK.match(best.text):
        take(same[position - 1])
    if position + 1 < len(same):
        take(same[position + 1])
    # Then the rest by score, a passage already quoted counting a little less each time, so a
    # theme or list question hears from several passages and documents, not one.
    rest = [s for s in ranked[1:] if s.score >= floor]
    while rest and used < budget * settings.fill_share:
        quoted: dict[int, int] = {}
        for c in chosen:
            quoted[c.hit_rank] = quoted.get(c.hit_rank, 0) + 1
        pick = max(rest, key=lambda s: s.score - settings.quoted_passage_penalty * quoted.get(s.hit_rank, 0))
        rest.remove(pick)
        take(pick)
    return chosen


def _in_section_asked(sentences: list[_Sentence], query, hits: list[Hit]) -> list[_Sentence]:
    """For a question asking for a class of findings ("what needs to improve?"), the sentences of
    the passages in sections of that class, less the sections' headings ([] when none): the
    items listed there are the answer, not sentences elsewhere that share its words."""
    if not query.section_class:
        return []
    taxonomy = load_taxonomy()
    inside = []
    for s in sentences:
        chunk = hits[s.hit_rank].chunk
        heading = chunk.section.rsplit(" > ", 1)[-1]
        if taxonomy.in_section_class(chunk.section, chunk.doc_type, query.section_class) and (
            normalise(s.text).rstrip("?:") != normalise(heading).rstrip("?:")
        ):
            inside.append(s)
    return inside


def _listed(sentences: list[_Sentence], budget: int) -> list[_Sentence]:
    """A section's items as it lists them (its passages in their order, sentences in theirs)
    until `budget` words: the whole list is the answer, not its items closest to the wording."""
    chosen: list[_Sentence] = []
    used = 0
    # Passages in the order retrieval placed the section's items (its own order), then by place.
    for s in sorted(sentences, key=lambda s: (s.hit_rank, s.start)):
        words = len(s.text.split())
        if not s.quotable or (chosen and used + words > budget):
            continue
        chosen.append(s)
        used += words
    return chosen


def _with_the_thing_asked(
    chosen: list[_Sentence], sentences: list[_Sentence], query, index: Index, settings: Settings
) -> list[_Sentence]:
    """When no chosen sentence gives what was asked (a figure, a name, a date, a grade), the
    best sentence of the passages that does, bound to the question's focus, goes first."""
    if not chosen or any(s.gives(query, index, settings) for s in chosen):
        return chosen
    giving = [s for s in sentences if s not in chosen and s.quotable and s.gives(query, index, settings)]
    if not giving:
        return chosen
    return [max(giving, key=lambda s: s.score)] + chosen


def _each_report_graded(
    chosen: list[_Sentence], sentences: list[_Sentence], query, index: Index, settings: Settings, hits: list[Hit]
) -> list[_Sentence]:
    """For a grade question that names a judgement area, that area's row of each report's grid
    among the passages, where the answer does not quote one yet: "how has X's overall judgement
    changed?" hears every inspection's grade, each dated under its report."""
    if not query.judgement_area:
        return []
    rows = [s for s in sentences if s.grid and s.gives(query, index, settings)]
    graded = {hits[s.hit_rank].chunk.doc_id for s in chosen if s in rows}
    extra: dict[str, _Sentence] = {}
    for s in rows:
        doc = hits[s.hit_rank].chunk.doc_id
        if doc not in graded and (doc not in extra or s.score > extra[doc].score):
            extra[doc] = s
    return list(extra.values())


def _each_year_heard(
    years: tuple[str, ...], chosen: list[_Sentence], sentences: list[_Sentence], hits: list[Hit]
) -> list[_Sentence]:
    """For a question that names several years ("in 2022, and in 2025?"), the best sentence of
    each named year's documents that the answer does not quote yet: each year is heard, dated."""
    if len(years) < 2:
        return []
    heard = {hits[s.hit_rank].chunk.date[:4] for s in chosen}
    extra = []
    for year in years:
        if year in heard:
            continue
        of_year = [s for s in sentences if hits[s.hit_rank].chunk.date[:4] == year and s.quotable]
        if of_year:
            extra.append(max(of_year, key=lambda s: s.score))
    return extra


def _each_council_heard(chosen: list[_Sentence], sentences: list[_Sentence], hits: list[Hit]) -> list[_Sentence]:
    """For a question across councils, the best sentence of each council of the passages that the
    answer does not quote yet (retrieval gave each council its share; this keeps it heard)."""
    heard = {hits[s.hit_rank].chunk.council for s in chosen}
    best: dict[str, _Sentence] = {}
    for s in sentences:
        key = hits[s.hit_rank].chunk.council
        if key not in heard and s.quotable and (key not in best or s.score > best[key].score):
            best[key] = s
    return list(best.values())


def _home_heard(
    home: str, chosen: list[_Sentence], sentences: list[_Sentence], hits: list[Hit], settings: Settings
) -> list[_Sentence]:
    """For a question that names no council, the home council's best sentence when the answer
    quotes other councils but not it, and it scores within `sentence_floor` of the best: the
    answer opens with the home council (see `_render`) when its documents speak to the question."""
    if not home or not chosen or any(hits[s.hit_rank].chunk.council == home for s in chosen):
        return []
    floor = max(s.score for s in sentences) * settings.sentence_floor
    own = [s for s in sentences if hits[s.hit_rank].chunk.council == home and s.quotable and s.score >= floor]
    return [max(own, key=lambda s: s.score)] if own else []


def _opening(sentences: list[_Sentence], rank: int, budget: int) -> list[_Sentence]:
    """The first sentences of one passage, in order, within `budget` words."""
    chosen: list[_Sentence] = []
    used = 0
    for s in sorted((s for s in sentences if s.hit_rank == rank), key=lambda s: s.start):
        n_words = len(s.text.split())
        if chosen and used + n_words > budget:
            break
        chosen.append(s)
        used += n_words
    return chosen


def _near_duplicate(a: _Sentence, b: _Sentence, cosine: float) -> bool:
    if float(a.vector @ b.vector) > cosine:
        return True
    na, nb = normalise(a.text), normalise(b.text)
    return na in nb or nb in na


def _status_action(progress: bool, hits: list[Hit], index: Index, within: int) -> int | None:
    """For a question about progress ("was it done?", "how is X going?"), the rank of the best
    action-plan row among the first `within` passages, if there is one."""
    if not progress:
        return None
    for rank, hit in enumerate(hits[:within]):
        if hit.chunk.kind == "action" and hit.chunk.ref in index.actions:
            return rank
    return None


def _action_sentences(row: ActionRow, rank: int, sentences: list[_Sentence], settings: Settings) -> list[_Sentence]:
    """What the action is, its completion date or status, then the start of its progress cell
    in the row's own order (the table's cells are not sentences, so order is what keeps them
    readable), the start of the latest dated note, and then the row's sentences that best match
    the question; all shown in the row's order."""
    budget = settings.action_answer_words
    own = sorted((s for s in sentences if s.hit_rank == rank), key=lambda s: s.start)
    if not own:
        return []
    wanted = [own[0]]  # the action itself: the row opens with it
    start = None
    if row.due:
        key = normalise(row.due)[:40]  # enough of the due cell to find it among the row's sentences
        start = next((i for i, s in enumerate(own) if i and key and key in normalise(s.text)), None)
    if start is None:
        start = next((i for i, s in enumerate(own) if i and _PROGRESS_LABEL.match(s.text)), len(own))
    used = len(own[0].text.split())
    for s in own[start:]:
        n_words = len(s.text.split())
        if used + n_words > budget * settings.action_progress_share:
            break
        wanted.append(s)
        used += n_words
    latest = row.latest_progress()
    if latest is not None and latest.date:
        key = normalise(latest.text)[:30]  # enough of the note to find it among the row's sentences
        note = next((s for s in own if key and key in normalise(s.text)), None)
        if note is not None and note not in wanted:
            wanted.append(note)
            used += len(note.text.split())
    for s in sorted(own, key=lambda s: -s.score):
        n_words = len(s.text.split())
        if s not in wanted and used + n_words <= budget:
            wanted.append(s)
            used += n_words
    return sorted(wanted, key=lambda s: s.start)


def _parts(
    chosen: list[_Sentence],
    hits: list[Hit],
    home: str = "",
    first: frozenset[int] = frozenset(),
    listed: bool = False,
) -> tuple[tuple[AnswerPart, ...], tuple[Citation, ...]]:
    """The chosen sentences as answer parts (one per document when they come from several, each
    naming its document) and their citations, one per passage; the passages of `first` (hit
    ranks: those giving a grade or a name asked for) before the others; a section's list
    (`listed`) in the order it lists its items."""
    by_hit: dict[int, list[_Sentence]] = {}
    for s in chosen:
        by_hit.setdefault(s.hit_rank, []).append(s)
    order = sorted(by_hit, key=lambda r: (r not in first, -max(s.score for s in by_hit[r])))
    if listed:
        order = list(by_hit)  # as `_listed` took them
    # Group passages of one document together, keeping the best document first.
    doc_order: list[str] = []
    for r in order:
        if hits[r].chunk.doc_id not in doc_order:
            doc_order.append(hits[r].chunk.doc_id)
    order.sort(key=lambda r: doc_order.index(hits[r].chunk.doc_id))
    councils = list(dict.fromkeys(hits[r].chunk.council for r in order))
    if len(councils) > 1:
        # Points grouped by council (the home council first, then the best), by date within each.
        councils.sort(key=lambda c: c != home)
        order.sort(
            key=lambda r: (
                councils.index(hits[r].chunk.council),
                hits[r].chunk.date or "9999",
                doc_order.index(hits[r].chunk.doc_id),
            )
        )
    dated = {(hits[r].chunk.doc_id, hits[r].chunk.date) for r in order}
    attribute = len(dated) > 1  # one document: the answer need not name it
    citations: list[Citation] = []
    parts: list[AnswerPart] = []
    current_doc = None
    sentences: list[tuple[str, tuple[int, ...]]] = []
    source: Chunk | None = None
    for r in order:
        chunk = hits[r].chunk
        n = len(citations) + 1
        group = sorted(by_hit[r], key=lambda s: s.start)
        citations.append(Citation(n, chunk, tuple(s.text for s in group)))
        if attribute and chunk.doc_id != current_doc:
            if sentences:
                parts.append(AnswerPart(tuple(sentences), source))
                sentences = []
            source, current_doc = chunk, chunk.doc_id
        sentences.extend((s.text, (n,)) for s in group)
    if sentences:
        parts.append(AnswerPart(tuple(sentences), source))
    return tuple(parts), tuple(citations)
