"""A council's documents over time: kind, dates, judgements and a few key findings, each quoted.

Documents are ordered by date (undated ones last). Judgements come from each report's judgement
grid as ingest read it (`DocumentInfo.judgements`) and are placed on the taxonomy's grade scale
for a chart, one line per judgement area. Key findings are sentences quoted verbatim: for each
document, the sentences closest in meaning to the document as a whole (the centroid of its
sentence embeddings, a standard extractive summary), taken from the sections that hold findings
when the document has them, no two near-duplicates, shown in document order.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import numpy as np

from assistant.core.errors import AssistantError
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
)
from assistant.store import Index

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
    """The documents of one council (or all) in date order, with judgements and key findings.

    Args:
        index: an open index.
        council: a council's name as users write it ("Anytown", "Anytown City Council"); None or ""
            for every document of the index.
        settings: how many key findings per document (`timeline_findings`); defaults when None.
    Returns:
        A `Timeline`: entries oldest first (undated last) and the judgements as chart points.
    Raises:
        AssistantError: no document of the index belongs to `council` (the message lists those that do).
    """
    settings = settings or Settings()
    taxonomy = load_taxonomy()
    docs = list(index.docs.values())
    if council and council.strip():
        key = taxonomy.authority_key(council)
        docs = [d for d in docs if d.local_authority and taxonomy.authority_key(d.local_authority) == key]
        if not docs:
            known = sorted({d.local_authority for d in index.docs.values() if d.local_authority})
            raise AssistantError(
                f"No document of the index belongs to {council.strip()!r}: use one of "
                f"{', '.join(known) or '(none: set local_authority in corpus/manifest.toml)'}, "
                "or leave the council out for every document"
            )
    docs.sort(key=lambda d: (not d.published, d.published, d.title))
    entries, points = [], []
    for doc in docs:
        kind = taxonomy.kind(doc.doc_type)
        entries.append(
            TimelineEntry(
                doc=doc,
                kind_label=kind.label,
                inspection=kind.inspection,
                findings=tuple(_key_findings(index, doc, settings)),
            )
        )
        for area, grade in doc.judgements:
            if doc.published:
                points.append(JudgementPoint(doc.published, doc.doc_id, area, grade, taxonomy.grade_score(grade)))
    log.debug("timeline %r: %d documents, %d judgements", council, len(entries), len(points))
    return Timeline(council=(council or "").strip(), entries=tuple(entries), points=tuple(points))


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
    """A `Timeline` as JSON: documents with judgements and quoted findings, and the chart points."""
    return {
        "council": result.council,
        "documents": [
            {
                "doc_id": e.doc.doc_id,
                "title": e.doc.title,
                "doc_type": e.doc.doc_type,
                "kind": e.kind_label,
                "published": e.doc.published,
                "inspection_dates": e.doc.inspection_dates,
                "judgements": {area: grade for area, grade in e.doc.judgements},
                "findings": [{"quote": c.sentences[0], **c.to_json()} for c in e.findings],
            }
            for e in result.entries
        ],
        "judgements": [
            {"date": p.date, "doc_id": p.doc_id, "area": p.area, "grade": p.grade, "score": p.score}
            for p in result.points
        ],
    }
