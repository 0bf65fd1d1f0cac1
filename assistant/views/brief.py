"""A theme brief for trainers: what each document says on a theme, quoted and cited.

The brief is extractive like an answer: every point is a sentence or two quoted verbatim from a
passage, with the passage's document, date, section or reference and page. Passages come from a
wide retrieval for the theme plus the action plan rows whose own words match it (a row that
matches by its words may rank low on meaning). Points are grouped by document, oldest first, and
within a document filed under "Strengths", "Areas for improvement", "Actions and latest progress"
or "Other findings": by the passage's section when the document says (a "Key Strengths" list),
else by cue words in the quote.
"""

from __future__ import annotations

import logging
import re

from assistant.core.errors import AssistantError
from assistant.core.settings import Settings
from assistant.core.taxonomy import load_taxonomy
from assistant.core.text import normalise, sentence_spans, terms
from assistant.core.types import (
    BRIEF_HEADINGS,
    ActionRow,
    Brief,
    BriefPoint,
    BriefSection,
    Chunk,
    Citation,
    DocumentInfo,
    Filters,
)
from assistant.core.weights import idf_share, idf_weights
from assistant.question.parse import expand_acronyms
from assistant.retrieval.retrieve import retrieve
from assistant.store import Index, open_index
from assistant.views.tracker import verbatim

log = logging.getLogger(__name__)

STRENGTHS, AREAS, ACTIONS, OTHER = BRIEF_HEADINGS
_AREA_SECTIONS = ("improvement", "priority action", "recommendation", "weakness", "should")
_STRENGTH_SECTIONS = ("strength", "effective practice", "good practice")
# Cue words only decide when the section does not: a finding's own words say which way it leans.
_STRENGTH_CUES = re.compile(
    r"\b(strengths?|good|effective(ly)?|well[- ]established|positive(ly)?|improved|strong|"
    r"timely|outstanding|robust|innovative|valued)\b",
    re.I,
)
_AREA_CUES = re.compile(
    r"\b(not|weak(ness(es)?)?|insufficient(ly)?|inconsistent(ly)?|delays?|lack(s|ing)?|poor(ly)?|"
    r"should|need(s)? to|gaps?|limited|too (long|slow|few)|inadequate|requires improvement|"
    r"variable|concerns?|unable)\b",
    re.I,
)


def brief(
    theme: str,
    *,
    filters: Filters | None = None,
    settings: Settings | None = None,
    index: Index | None = None,
    per_doc: int | None = None,
    k: int | None = None,
) -> Brief:
    """Collect what the documents say on `theme`, as quotes grouped by document and heading.

    Args:
        theme: a few words, e.g. "voice of the child".
        filters: restrict to documents, types or a date range.
        settings: the defaults when None (an entry point reads the environment: `Settings.from_env()`).
        index: an open index; the live one when None.
        per_doc: most points kept for one document, the most relevant (`brief_per_doc` when None).
        k: passages retrieved for the theme before the action plan rows are added (`brief_passages` when None).
    Returns:
        A `Brief`; its sections are empty when nothing in the documents matches the theme.
    Raises:
        AssistantError: the theme is empty.
        IndexNotFound: nothing has been ingested yet.
    """
    theme = re.sub(r"\s+", " ", str(theme or "")).strip()
    if not re.search(r"\w", theme):
        raise AssistantError("Type a theme for the brief, for example 'voice of the child'")
    settings = settings or Settings()
    index = index or open_index(settings)
    filters = filters or Filters()
    weights = _theme_weights(theme, index)

    candidates: dict[str, tuple[Chunk, float]] = {}  # passage_id -> (chunk, rank bonus)
    for rank, hit in enumerate(
        retrieve(theme, k=k or settings.brief_passages, filters=filters, settings=settings, index=index)
    ):
        candidates.setdefault(hit.chunk.passage_id, (hit.chunk, settings.brief_rank_bonus / (1 + rank)))
    for chunk in _matching_action_rows(index, weights, filters, settings.brief_min_overlap):
        candidates.setdefault(chunk.passage_id, (chunk, 0.0))

    points: dict[str, list[BriefPoint]] = {}
    for chunk, bonus in candidates.values():
        point = _point(chunk, bonus, weights, index, normalise(theme), settings)
        if point is not None:
            points.setdefault(chunk.doc_id, []).append(point)
    sections = [_section(index, doc_id, found, per_doc or settings.brief_per_doc) for doc_id, found in points.items()]
    sections.sort(key=lambda s: (not s.doc.published, s.doc.published, s.doc.title))
    log.debug("brief %r: %d candidates, %d points", theme, len(candidates), sum(len(s.points) for s in sections))
    return Brief(theme=theme, sections=tuple(_number(sections)), filters=filters)


def _theme_weights(theme: str, index: Index) -> dict[str, float]:
    """The theme's terms (and its acronyms' expansions) weighted by rarity in the corpus."""
    words = terms(theme) + [t for _, e in expand_acronyms(theme, index.glossary) for t in terms(e)]
    # An unseen word weighs as the rarest seen one (the brief has no question to fail on it).
    return idf_weights(dict.fromkeys(words), index.lexical.idf, max(index.lexical.idf.values(), default=1.0))


def _overlap(text: str, weights: dict[str, float]) -> float:
    """The weighted share of the theme's terms that `text` contains, 0..1."""
    if not weights:
        return 0.0
    found = set(terms(text))
    return idf_share((t for t in weights if t in found), weights)


def _matching_action_rows(index: Index, weights: dict[str, float], filters: Filters, min_overlap: float) -> list[Chunk]:
    """The first chunk of each action plan row whose text carries the theme."""
    first: dict[tuple[str, str], Chunk] = {}
    for chunk in index.chunks:
        if chunk.kind == "action" and chunk.ref and (chunk.doc_id, chunk.ref) not in first:
            first[(chunk.doc_id, chunk.ref)] = chunk
    found = []
    for row in index.actions.values():
        row_chunk = first.get((row.doc_id, row.ref))
        if row_chunk and filters.allows(row_chunk) and _overlap(row.text, weights) >= min_overlap:
            found.append(row_chunk)
    return found


def _point(
    chunk: Chunk, bonus: float, weights: dict[str, float], index: Index, phrase: str, settings: Settings
) -> BriefPoint | None:
    """The passage's most on-theme quote as a point, or None when no sentence is on theme."""
    row = index.actions.get(chunk.ref) if chunk.kind == "action" else None
    if row is not None and row.doc_id == chunk.doc_id:
        return _action_point(chunk, row, bonus, weights, settings.brief_min_overlap)
    quote, score = _best_quote(chunk.passage, weights, phrase, settings)
    if not quote or score < settings.brief_min_overlap:
        return None
    return BriefPoint(heading=_heading(chunk, quote), citation=Citation(0, chunk, (quote,)), score=score + bonus)


def _action_point(
    chunk: Chunk, row: ActionRow, bonus: float, weights: dict[str, float], min_overlap: float
) -> BriefPoint | None:
    score = _overlap(row.text, weights)
    if score < min_overlap:
        return None
    # The action cell is quoted as the passage writes it (line breaks and all); a cell that cannot
    # be found falls back to the row's first sentence, so the quote always stays verbatim.
    quote = verbatim(row.action, chunk.passage)
    if not quote:
        spans = sentence_spans(chunk.passage)
        quote = chunk.passage[spans[0][0] : spans[0][1]] if spans else ""
    if not quote:
        return None
    latest = row.latest_progress()
    note = verbatim(latest.text, chunk.passage) if latest else ""
    progress = f"{latest.label}: {note or latest.text}" if latest else ""
    return BriefPoint(
        heading=ACTIONS,
        citation=Citation(0, chunk, (quote,)),
        score=score + bonus,
        status=row.status,
        due=row.due,
        progress=progress,
    )


def _best_quote(passage: str, weights: dict[str, float], phrase: str, settings: Settings) -> tuple[str, float]:
    """The best sentence of `passage` for the theme (with the next one when it is short)."""
    spans = [s for s in sentence_spans(passage) if len(passage[s[0] : s[1]].split()) >= settings.brief_min_quote_words]
    if not spans:
        return "", 0.0
    scored = []
    for i, (a, b) in enumerate(spans):
        text = passage[a:b]
        score = _overlap(text, weights) + (settings.brief_phrase_bonus if phrase and phrase in normalise(text) else 0.0)
        scored.append((score, -i, i))
    score, _, best = max(scored)
    a, b = spans[best]
    if len(passage[a:b].split()) < settings.brief_short_quote_words and best + 1 < len(spans):
        b = spans[best + 1][1]
    return passage[a:b], score


def _heading(chunk: Chunk, quote: str) -> str:
    """Strengths / areas for improvement by the section the document put the passage in, else by cues."""
    section = chunk.section.lower()
    if any(word in section for word in _STRENGTH_SECTIONS):
        return STRENGTHS
    if chunk.kind == "recommendation" or any(word in section for word in _AREA_SECTIONS):
        return AREAS
    if load_taxonomy().kind(chunk.doc_type).rows:
        return OTHER  # a plan's own words ("improve", "robust") describe intentions, not findings
    strengths, areas = len(_STRENGTH_CUES.findall(quote)), len(_AREA_CUES.findall(quote))
    if areas > strengths:
        return AREAS
    if strengths > areas:
        return STRENGTHS
    return OTHER


def _section(index: Index, doc_id: str, points: list[BriefPoint], per_doc: int) -> BriefSection:
    kept = sorted(points, key=lambda p: -p.score)[:per_doc]
    kept.sort(key=lambda p: (BRIEF_HEADINGS.index(p.heading), -p.score))
    doc = index.docs.get(doc_id)
    if doc is None:  # a chunk of a document missing from docs.json: describe it from the chunk
        chunk = kept[0].citation.chunk
        doc = DocumentInfo(doc_id=doc_id, file="", title=chunk.title, doc_type=chunk.doc_type, published=chunk.date)
    return BriefSection(doc=doc, points=tuple(kept))


def _number(sections: list[BriefSection]) -> list[BriefSection]:
    """Number the points' citations 1..N in reading order, as footnotes are."""
    numbered, n = [], 0
    for section in sections:
        points = []
        for p in section.points:
            n += 1
            c = p.citation
            points.append(
                BriefPoint(p.heading, Citation(n, c.chunk, c.sentences), p.score, p.status, p.due, p.progress)
            )
        numbered.append(BriefSection(section.doc, tuple(points)))
    return numbered
