"""As-of answers: when an answer quotes an inspection and a newer inspection of the same council
speaks on the same theme, the answer says so and quotes it ("From the Ofsted inspection report
(27 June 2016): ... From a newer document, the Ofsted inspection report (12 August 2025): ...").

The theme is the centre of the answer's cited sentences (their embeddings, already in the
index); the newer document's sentence closest to it (discounted for closeness to everything,
as retrieval does) is quoted when it is at least `asof_threshold` close. Only inspections are
compared (kinds with `inspection = true`): a plan's own words are intentions, not findings.
Answers limited by filters are left as they are (a newer document may be outside them).
"""

from __future__ import annotations

import dataclasses
import logging

from assistant.core.settings import Settings
from assistant.core.taxonomy import load_taxonomy
from assistant.core.types import Answer, AnswerPart, Chunk, Citation, Filters
from assistant.retrieval.near import closest_sentence, theme_of
from assistant.store import Index

log = logging.getLogger(__name__)


def as_of(answer: Answer, *, index: Index, settings: Settings, filters: Filters | None = None) -> Answer:
    """`answer` with what the newest later inspection says on its theme, when one does.

    Args:
        answer: a composed answer (an abstention, or one without citations, is returned as is).
        index: the open index the answer came from.
        settings: `asof_threshold`, `hub_penalty` and `finding_min_words`.
        filters: the answer's filters; any filter leaves the answer as it is.
    Returns:
        The answer, or a copy that ends with a part quoting the newer document (written "From a
        newer document, ... (date):" by answering/render.py) under a new citation.
    """
    if answer.abstained or not answer.citations or (filters is not None and not filters.is_empty()):
        return answer
    taxonomy = load_taxonomy()
    cited = [c.chunk for c in answer.citations]
    if not any(taxonomy.kind(c.doc_type).inspection for c in cited):
        return answer
    dates = [c.date for c in cited if c.date]
    rows = _cited_rows(answer, index)
    if not dates or not rows:
        return answer
    councils = {taxonomy.authority_key(c.local_authority) for c in cited if c.local_authority}
    newer = sorted(
        (
            d
            for d in index.docs.values()
            if d.published > max(dates)
            and taxonomy.kind(d.doc_type).inspection
            and (not councils or not d.local_authority or taxonomy.authority_key(d.local_authority) in councils)
        ),
        key=lambda d: d.published,
        reverse=True,
    )
    if not newer:
        return answer
    theme = theme_of(index, rows)
    for doc in newer:
        found = closest_sentence(index, doc.doc_id, theme, settings.asof_threshold, settings)
        if found is None:
            continue
        chunk, sentence = found
        n = max(c.n for c in answer.citations) + 1
        newer_part = AnswerPart(((sentence, (n,)),), chunk, newer=True)
        log.debug("as of %s: quoted %r", doc.doc_id, sentence)
        return dataclasses.replace(
            answer,
            parts=_attributed(answer.parts, cited[0]) + (newer_part,),
            citations=answer.citations + (Citation(n, chunk, (sentence,)),),
        )
    return answer


def _cited_rows(answer: Answer, index: Index) -> list[int]:
    """The sentence rows (embeddings) of the answer's cited sentences."""
    rows = []
    for c in answer.citations:
        passage = index.passages.get(c.chunk.passage_id)
        if passage is None:
            continue
        for (a, b), row in zip(passage.spans, passage.rows):
            text = c.chunk.passage[a:b]
            if any(text in s or s in text for s in c.sentences if s):
                rows.append(row)
    return rows


def _attributed(parts: tuple[AnswerPart, ...], first: Chunk) -> tuple[AnswerPart, ...]:
    """The answer's parts with its document named before its first quote, when none names one:
    beside a newer document, the reader must be told which the first one is."""
    if not parts or any(p.source is not None for p in parts):
        return parts
    return (dataclasses.replace(parts[0], source=first),) + parts[1:]
