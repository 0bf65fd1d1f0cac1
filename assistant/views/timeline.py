"""Councils' documents over time: kind, dates, judgements and a few key findings, each quoted.

The documents are grouped by council (councils in alphabetical order, the documents whose
council was not read in one group last), and ordered by date within each (undated ones last): a
chart line never joins two councils' reports. Judgements come from each report's judgement grid
as ingest read it (`DocumentInfo.judgements`), each wording filed under its judgement area by the
taxonomy's vocabulary (so a SIF report's "Children looked after and achieving permanence" and an
ILACS report's "children in care" are one line), placed on the taxonomy's grade scale, and linked
to the passage that gives it (`council_reports.judgement_points`, shared with the table of
judgements): the document's grid (a chunk of kind "judgement"), else the first passage naming
the wording, else its first page. Key findings are sentences quoted verbatim: for each
document, the sentences closest in meaning to the document as a whole (the centroid of its
sentence embeddings, a standard extractive summary), taken from the sections that hold findings
when the document has them, no two near-duplicates, shown in document order.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import numpy as np

from assistant.core.settings import Settings
from assistant.core.taxonomy import load_taxonomy
from assistant.core.types import (
    NON_CONTENT_KINDS,
    Chunk,
    Citation,
    DocumentInfo,
    JudgementPoint,
    Timeline,
    TimelineEntry,
    TimelineGroup,
)
from assistant.store import Index
from assistant.views.council_reports import by_council, council_docs, judgement_points

log = logging.getLogger(__name__)

# A finding judges: it carries a word of praise or of concern. Sentences without one describe
# (who was inspected, what a service is) and are not offered as key findings.
_JUDGING = re.compile(
    r"\b(not|no|weak\w*|poor\w*|inadequate|insufficient\w*|inconsistent\w*|delay\w*|lack\w*|too|gaps?|"
    r"improv\w+|need\w*|should|good|strong\w*|effective\w*|ineffective\w*|well|timely|robust|"
    r"outstanding|requires?|deteriorat\w*|progress)\b",
    re.I,
)
_SENTENCE_END = re.compile(r"[.!?)][\"”’']?$")


def timeline(index: Index, council: str | None = None, *, settings: Settings | None = None) -> Timeline:
    """The documents of one council (or of every council, one group each) in date order, with
    judgements and key findings.

    Args:
        index: an open index.
        council: a council's name as users write it ("Anytown", "Anytown City Council"); None or ""
            for every document of the index, grouped by council.
        settings: how many key findings per document (`timeline_findings`); defaults when None.
    Returns:
        A `Timeline`: one group per council (alphabetical; the documents of no council read
        last), each with its entries oldest first (undated last) and its judgements as chart points.
    Raises:
        AssistantError: no document of the index belongs to `council` (the message lists those that do).
    """
    settings = settings or Settings()
    groups = tuple(_group(index, name, docs, settings) for name, docs in by_council(council_docs(index, council)))
    log.debug("timeline %r: %d councils, %d documents", council, len(groups), sum(len(g.entries) for g in groups))
    return Timeline(council=(council or "").strip(), groups=groups)


def _group(index: Index, council: str, docs: list[DocumentInfo], settings: Settings) -> TimelineGroup:
    """One council's entries in date order (undated last) and their dated judgements as points."""
    taxonomy = load_taxonomy()
    docs = sorted(docs, key=lambda d: (not d.published, d.published, d.title))
    entries = []
    for doc in docs:
        kind = taxonomy.kind(doc.doc_type)
        entries.append(
            TimelineEntry(
                doc=doc,
                kind_label=kind.label,
                inspection=kind.inspection,
                findings=tuple(_key_findings(index, doc, settings)),
                judgements=tuple(judgement_points(index, doc)),
            )
        )
    points = tuple(p for e in entries for p in e.judgements if p.date)
    return TimelineGroup(council=council, entries=tuple(entries), points=points)


def _key_findings(index: Index, doc: DocumentInfo, settings: Settings) -> list[Citation]:
    """Up to `timeline_findings` judging sentences most central to the document, from its finding
    sections when it has enough of them."""
    taxonomy = load_taxonomy()
    count = settings.timeline_findings
    chunks: dict[str, Chunk] = {}
    for position in index.doc_chunks.get(doc.doc_id, ()):  # not every chunk of 200 reports for each one
        chunk = index.chunks[position]
        if chunk.kind not in NON_CONTENT_KINDS:
            chunks.setdefault(chunk.passage_id, chunk)
    found = {
        pid: c for pid, c in chunks.items() if c.kind == "finding" or taxonomy.is_finding_section(c.section, c.doc_type)
    }
    candidates = _sentences(index, found, settings, judging=False)
    if len(candidates) < count:  # too few findings by section: any judging sentence of the document
        candidates = _sentences(index, chunks, settings, judging=True)
    if not candidates or count <= 0:
        return []
    vectors = index.sentence_vectors[[c[0] for c in candidates]]
    centre = vectors.mean(axis=0)
    centre /= np.linalg.norm(centre) or 1.0
    score = vectors @ centre + np.array([c[3] for c in candidates])
    picked: list[int] = []
    for i in np.argsort(-score):
        if all(float(vectors[i] @ vectors[j]) < settings.timeline_near_duplicate for j in picked):
            picked.append(int(i))
        if len(picked) == count:
            break
    picked.sort(key=lambda i: (chunks[candidates[i][1]].start, candidates[i][2][0]))
    cited = []
    for n, i in enumerate(picked, 1):
        _, pid, (a, b), _ = candidates[i]
        chunk = chunks[pid]
        cited.append(Citation(n, chunk, (chunk.passage[a:b],)))
    return cited


def _sentences(index: Index, chunks: dict[str, Chunk], settings: Settings, *, judging: bool) -> list[tuple]:
    """(sentence row, passage id, span, lift) of each whole sentence of `chunks` fit to be a key
    finding; with `judging`, only those that carry a word of praise or concern."""
    taxonomy = load_taxonomy()
    grades = [g.lower() for g in taxonomy.grades]
    found = []
    for pid, chunk in chunks.items():
        passage = index.passages.get(pid)
        if passage is None:
            continue
        improvement = settings.timeline_improvement_lift if taxonomy.is_improvement_section(chunk.section) else 0.0
        for span, row in zip(passage.spans, passage.rows):
            text = chunk.passage[span[0] : span[1]].strip()
            # A whole sentence ends as one: a heading run into the next line ("... is inadequate
            # Executive summary") does not.
            words = len(text.split())
            if not (settings.timeline_min_words <= words <= settings.timeline_max_words and _SENTENCE_END.search(text)):
                continue
            if judging and not _JUDGING.search(text):
                continue
            lift = improvement + (settings.timeline_grade_lift if any(g in text.lower() for g in grades) else 0.0)
            found.append((row, pid, span, lift))
    return found


def timeline_json(result: Timeline) -> dict[str, Any]:
    """A `Timeline` as JSON.

    `documents` (every group's, group after group) and `judgements` (the chart points) keep the
    fields they always had; `area` is the judgement area's label from the taxonomy. Added:
    `groups` (one per council: its name, label, document ids and chart points), each document's
    `council` and `judgement_areas`, and each point's `area_id`, `wording`, `council`, `page` and
    `source` (the passage that gives the judgement, as a citation).
    """
    return {
        "council": result.council,
        "documents": [_document_json(e, g) for g in result.groups for e in g.entries],
        "judgements": [_point_json(p, g) for g in result.groups for p in g.points],
        "groups": [
            {
                "council": g.council,
                "label": g.label,
                "documents": [e.doc.doc_id for e in g.entries],
                "judgements": [_point_json(p, g) for p in g.points],
            }
            for g in result.groups
        ],
    }


def _document_json(entry: TimelineEntry, group: TimelineGroup) -> dict[str, Any]:
    doc = entry.doc
    return {
        "doc_id": doc.doc_id,
        "title": doc.title,
        "doc_type": doc.doc_type,
        "kind": entry.kind_label,
        "council": group.council,
        "published": doc.published,
        "inspection_dates": doc.inspection_dates,
        "judgements": {area: grade for area, grade in doc.judgements},  # as written: wording -> grade
        "judgement_areas": [_point_json(p, group) for p in entry.judgements],
        "findings": [{"quote": c.sentences[0], **c.to_json()} for c in entry.findings],
    }


def _point_json(point: JudgementPoint, group: TimelineGroup) -> dict[str, Any]:
    return {
        "date": point.date,
        "doc_id": point.doc_id,
        "area": point.area,
        "grade": point.grade,
        "score": point.score,
        "area_id": point.area_id,
        "wording": point.wording,
        "council": group.council,
        "page": point.page,
        "source": point.source.to_json() if point.source else None,
    }
