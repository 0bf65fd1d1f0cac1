"""A BM25 index over chunk texts, saved as JSON beside the vector store.

Own implementation (Okapi BM25, k1=1.2, b=0.75) rather than a library: the tokeniser must keep
action references ("1.2.7") and acronyms whole and stem the same way as the answerer, and the
corpus is small enough that a dictionary of postings answers in well under a millisecond.
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from pathlib import Path

from assistant.text import terms


class BM25:
    def __init__(self, ids: list[str], lengths: list[int], postings: dict[str, list[list[int]]],
                 k1: float = 1.2, b: float = 0.75):
        self.ids = ids
        self.lengths = lengths
        self.postings = postings
        self.k1, self.b = k1, b
        self.avg = (sum(lengths) / len(lengths)) if lengths else 0.0
        n = len(ids)
        self.idf = {t: math.log(1 + (n - len(p) + 0.5) / (len(p) + 0.5)) for t, p in postings.items()}

    @classmethod
    def build(cls, ids: list[str], texts: list[str]) -> "BM25":
        postings: dict[str, list[list[int]]] = defaultdict(list)
        lengths = []
        for i, text in enumerate(texts):
            counts = Counter(terms(text))
            lengths.append(sum(counts.values()))
            for term, tf in counts.items():
                postings[term].append([i, tf])
        return cls(ids, lengths, dict(postings))

    def search(self, query_terms: list[str], *, allowed: set[int] | None = None,
               limit: int = 40) -> list[tuple[int, float]]:
        """(chunk position, score) pairs, best first; query terms may repeat to weigh more."""
        scores: dict[int, float] = defaultdict(float)
        for term, qtf in Counter(query_terms).items():
            idf = self.idf.get(term)
            if idf is None:
                continue
            for i, tf in self.postings[term]:
                if allowed is not None and i not in allowed:
                    continue
                norm = tf * (self.k1 + 1) / (tf + self.k1 * (1 - self.b + self.b * self.lengths[i] / self.avg))
                scores[i] += qtf * idf * norm
        return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]

    def to_json(self) -> dict:
        return {"ids": self.ids, "lengths": self.lengths, "postings": self.postings}

    @classmethod
    def from_json(cls, data: dict) -> "BM25":
        return cls(data["ids"], data["lengths"], data["postings"])

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_json()))

    @classmethod
    def load(cls, path: Path) -> "BM25":
        return cls.from_json(json.loads(path.read_text()))
