"""The sentence of one document nearest a theme: what a later or newer document says on it.

A theme is the centre of some sentences' embeddings (a finding's, an answer's quotes'): one
clause in passing does not set it. The trace (views/trace.py) follows a finding into each later
inspection by it, and the as-of check (answering/asof.py) adds what a newer inspection says on an
answer's theme. Both read the embeddings already in the index; nothing is embedded here.
"""

from __future__ import annotations

import numpy as np

from assistant.core.settings import Settings
from assistant.core.types import NON_CONTENT_KINDS, Chunk
from assistant.store import Index


def theme_of(index: Index, rows: list[int]) -> np.ndarray:
    """The unit centre of the embeddings of sentence `rows`."""
    theme = index.sentence_vectors[rows].mean(axis=0)
    return theme / (np.linalg.norm(theme) or 1.0)


def closest_sentence(
    index: Index, doc_id: str, theme: np.ndarray, threshold: float, settings: Settings
) -> tuple[Chunk, str] | None:
    """(chunk, sentence verbatim) of document `doc_id` closest to `theme`, or None.

    Args:
        index: the open index.
        doc_id: the document searched (its own chunks, not the corpus's).
        theme: a unit vector, as `theme_of` gives.
        threshold: the least cosine a sentence must reach to the theme.
        settings: `hub_penalty` (the discount for closeness to everything) and
            `finding_min_words` (a shorter sentence is a heading).
    Returns:
        The sentence with the best discounted closeness, the first of equals in document order;
        never a heading, judgement or note, a question or a lead-in ending in ':'.
    """
    best = None
    seen = set()
    for position in index.doc_chunks.get(doc_id, ()):
        chunk = index.chunks[position]
        if chunk.passage_id in seen or chunk.kind in NON_CONTENT_KINDS:
            continue
        seen.add(chunk.passage_id)
        passage = index.passages.get(chunk.passage_id)
        if not passage or not passage.rows:
            continue
        closeness = index.sentence_vectors[passage.rows] @ theme
        # Sentences close to everything ("As a result, children are not having their needs
        # met") are discounted as retrieval discounts them (hub_penalty).
        score = closeness - settings.hub_penalty * index.sentence_hub[passage.rows]
        for k, (a, b) in enumerate(passage.spans):
            text = chunk.passage[a:b].strip()
            if (
                closeness[k] < threshold
                or len(text.split()) < settings.finding_min_words
                or text.endswith(("?", ":"))  # headings and questions ("What needs to improve?") say nothing
            ):
                continue
            if best is None or score[k] > best[0]:
                best = (float(score[k]), chunk, chunk.passage[a:b])
    return (best[1], best[2]) if best else None
