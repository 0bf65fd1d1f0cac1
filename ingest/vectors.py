"""Passage vectors made from the passage's sentence vectors, so ingest embeds each passage once.

Every sentence of a passage is embedded anyway (sentence ranking, the answerer's evidence), and
a chunk's text is a run of its passage's sentences; the mean of those sentences' unit vectors is
a passage vector that costs nothing more. On a corpus of reports it roughly halves a cold ingest
(passages are the long texts the model is slowest on). Measured on both question sets' tuning
parts it ranks about as well as embedding the passage itself, with the dense ranking given less
weight in fusion (`sentence_mean_dense_weight`): it is the choice for large corpora
(`passage_vectors = "sentences"`), while the default corpus keeps embedded passages.
"""

from __future__ import annotations

import numpy as np

from assistant.core.types import Chunk


def mean_of_sentences(
    chunks: list[Chunk], sentences: list[tuple[str, int, int]], sentence_vectors: np.ndarray
) -> list[np.ndarray | None]:
    """A unit vector for each chunk: the mean of the vectors of its passage's sentences that
    overlap the chunk's text. None for a chunk with no such sentence (the caller embeds it).

    Args:
        chunks: the chunks, each a piece of its `passage`.
        sentences: (passage id, start, end) of each sentence row, spans in the passage.
        sentence_vectors: one unit vector per sentence row.
    """
    by_passage: dict[str, list[int]] = {}
    for row, (passage_id, _, _) in enumerate(sentences):
        by_passage.setdefault(passage_id, []).append(row)
    out: list[np.ndarray | None] = []
    for chunk in chunks:
        offset = chunk.passage.find(chunk.text)
        lo, hi = (offset, offset + len(chunk.text)) if offset >= 0 else (0, len(chunk.passage))
        rows = [r for r in by_passage.get(chunk.passage_id, []) if sentences[r][1] < hi and sentences[r][2] > lo]
        if not rows:
            out.append(None)
            continue
        mean = np.asarray(sentence_vectors[rows], dtype=np.float32).mean(axis=0)
        out.append(mean / max(float(np.linalg.norm(mean)), 1e-12))
    return out
