"""A BM25 index over chunk texts: sparse postings in numpy arrays, saved as one `.npz`.

Okapi BM25 (k1=1.2, b=0.75, Lucene's idf). Each term's postings are a slice of two flat arrays
(chunk positions and precomputed term weights), so a question adds a handful of array slices
instead of walking postings in Python: at 10,000 chunks a question costs well under a
millisecond, and loading is reading arrays, not parsing a million-entry JSON dictionary.
Written here rather than with `bm25s` (which stores the same sparse matrix): the tokeniser must
keep action references ("1.2.7") and acronyms whole and stem as the answerer does, and six
modules read the terms' idf; with `bm25s` the vocabulary and idf would be kept twice.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterable

import numpy as np

from assistant.core.text import terms


class BM25:
    def __init__(
        self,
        vocabulary: list[str],
        indptr: np.ndarray,
        chunks: np.ndarray,
        tfs: np.ndarray,
        lengths: np.ndarray,
        k1: float = 1.2,
        b: float = 0.75,
    ):
        """Postings of term j are chunks[indptr[j]:indptr[j+1]] with counts tfs[...]."""
        self.size = len(lengths)
        self._column = {term: j for j, term in enumerate(vocabulary)}
        self._indptr = indptr.astype(np.int64)
        self._chunks = chunks.astype(np.int64)
        frequency = np.diff(self._indptr).astype(np.float64)
        idf = np.log(1 + (self.size - frequency + 0.5) / (frequency + 0.5))
        self.idf: dict[str, float] = dict(zip(vocabulary, idf.tolist()))
        lengths = lengths.astype(np.float64)
        average = lengths.mean() if self.size else 0.0
        tf = tfs.astype(np.float64)
        norm = tf * (k1 + 1) / (tf + k1 * (1 - b + b * lengths[self._chunks] / (average or 1.0)))
        term_of = np.repeat(idf, np.diff(self._indptr))
        self._weights = norm * term_of  # float64: the same scores, to the last bit, as summing in Python
        self._arrays = (vocabulary, indptr, chunks, tfs, lengths)

    @classmethod
    def build(cls, texts: Iterable[str]) -> BM25:
        postings: dict[str, list[tuple[int, int]]] = {}
        lengths = []
        for i, text in enumerate(texts):
            counts = Counter(terms(text))
            lengths.append(sum(counts.values()))
            for term, tf in counts.items():
                postings.setdefault(term, []).append((i, tf))
        vocabulary = sorted(postings)
        indptr = np.zeros(len(vocabulary) + 1, dtype=np.int64)
        np.cumsum([len(postings[t]) for t in vocabulary], out=indptr[1:])
        flat = [pair for t in vocabulary for pair in postings[t]]
        chunks = np.array([i for i, _ in flat], dtype=np.int32)
        tfs = np.array([tf for _, tf in flat], dtype=np.int32)
        return cls(vocabulary, indptr, chunks, tfs, np.array(lengths, dtype=np.int32))

    def search(
        self, query_terms: list[str], *, allowed: set[int] | None = None, limit: int = 40
    ) -> list[tuple[int, float]]:
        """(chunk position, score) pairs, best first, ties by position; query terms may repeat
        to weigh more; `allowed` keeps only those chunk positions."""
        scores = np.zeros(self.size, dtype=np.float64)
        for term, qtf in Counter(query_terms).items():
            j = self._column.get(term)
            if j is None:
                continue
            start, end = self._indptr[j], self._indptr[j + 1]
            scores[self._chunks[start:end]] += qtf * self._weights[start:end]  # a term lists a chunk once
        if allowed is not None:
            keep = np.zeros(self.size, dtype=bool)
            keep[np.fromiter(allowed, dtype=np.int64, count=len(allowed))] = True
            scores[~keep] = 0.0
        found = np.flatnonzero(scores > 0)
        if len(found) > limit:
            found = found[np.argpartition(-scores[found], limit - 1)[:limit]]
            # argpartition leaves ties at the cut unordered: take every chunk as good as the last kept
            found = np.flatnonzero(scores >= scores[found].min())
        order = np.lexsort((found, -scores[found]))[:limit]
        return [(int(found[k]), float(scores[found[k]])) for k in order]

    def to_bytes(self) -> bytes:
        vocabulary, indptr, chunks, tfs, lengths = self._arrays
        out = io.BytesIO()
        np.savez_compressed(
            out,
            vocabulary=np.array(vocabulary, dtype=str),
            indptr=indptr,
            chunks=chunks.astype(np.int32),
            tfs=tfs.astype(np.int32),
            lengths=lengths.astype(np.int32),
        )
        return out.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> BM25:
        with np.load(io.BytesIO(data)) as arrays:
            return cls(
                [str(t) for t in arrays["vocabulary"]],
                arrays["indptr"],
                arrays["chunks"],
                arrays["tfs"],
                arrays["lengths"],
            )
