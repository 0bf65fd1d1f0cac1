"""The citations of an answer built from chosen passages (a traced finding's chain, the table of
judgements): numbered in order of first use, one per passage."""

from __future__ import annotations

from assistant.core.types import Chunk, Citation


class Cited:
    """Citations numbered in order of first use, one per passage: a passage quoted again adds
    its new sentences to the citation it already has."""

    def __init__(self) -> None:
        self.citations: list[Citation] = []

    def cite(self, chunk: Chunk, sentences: tuple[str, ...]) -> int:
        """The number of `chunk`'s citation, `sentences` added to it (a new one when it has none)."""
        for i, c in enumerate(self.citations):
            if c.chunk.passage_id == chunk.passage_id:
                merged = c.sentences + tuple(s for s in sentences if s not in c.sentences)
                self.citations[i] = Citation(c.n, c.chunk, merged)
                return c.n
        self.citations.append(Citation(len(self.citations) + 1, chunk, sentences))
        return len(self.citations)
