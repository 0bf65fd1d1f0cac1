"""The `Index`: one generation in memory, and what is derived from it once per generation."""

from __future__ import annotations

import re
import threading
import weakref
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np

from assistant.core.types import ActionRow, Chunk, DocumentInfo, IndexState
from assistant.store.lexical import BM25

T = TypeVar("T")


@dataclass
class Passage:
    """A passage's sentences (spans into `Chunk.passage`) and their embeddings' rows."""

    passage_id: str
    spans: list[tuple[int, int]]
    rows: list[int]


@dataclass
class Index:
    """A live generation, loaded into memory once per process. It holds no settings: the ones a
    caller passes decide how it is read (two callers may read one generation differently)."""

    state: IndexState
    chunks: list[Chunk]
    lexical: BM25
    sentence_vectors: np.ndarray
    sentence_hub: np.ndarray  # see ingest.index.hubness
    chunk_hub: np.ndarray
    passages: dict[str, Passage]
    glossary: dict[str, list[str]]
    actions: dict[str, ActionRow]
    docs: dict[str, DocumentInfo]
    raw_texts: dict[str, str]
    texts: dict[str, str] = field(default_factory=dict)  # cleaned text of each document
    collection: Any = None
    by_id: dict[str, int] = field(default_factory=dict)
    sentence_passage: list[str] = field(default_factory=list)  # passage id of each sentence row
    passage_chunks: dict[str, list[int]] = field(default_factory=dict)  # passage id -> chunk positions
    doc_chunks: dict[str, list[int]] = field(default_factory=dict)  # document id -> chunk positions (for filters)
    lease: Any = None  # the shared lock on the generation's folder (None for an index built in memory)
    _derived: dict[Hashable, Any] = field(default_factory=dict, init=False, repr=False, compare=False)
    _deriving: Any = field(default_factory=threading.RLock, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.by_id = {c.chunk_id: i for i, c in enumerate(self.chunks)}
        self.sentence_passage = [""] * len(self.sentence_vectors)
        for passage in self.passages.values():
            for row in passage.rows:
                self.sentence_passage[row] = passage.passage_id
        for i, chunk in enumerate(self.chunks):
            self.passage_chunks.setdefault(chunk.passage_id, []).append(i)
            self.doc_chunks.setdefault(chunk.doc_id, []).append(i)
        if self.lease is not None:
            # Questions still running on this generation keep it; the last one done lets it go.
            weakref.finalize(self, self.lease.release)

    def derived(self, key: Hashable, build: Callable[[], T]) -> T:
        """`build()`, made once per `key` for this generation and kept as long as it is loaded.

        The one place for data worked out from a generation (a vocabulary, term weights, a
        lookup table): it goes when the generation goes, and a new generation builds its own.
        Thread-safe: a key is built once even when several questions ask for it together.
        Name keys by their module (`"trace.idf"`) so that two modules never share one by chance.
        """
        try:
            return self._derived[key]
        except KeyError:
            pass
        with self._deriving:
            if key not in self._derived:
                self._derived[key] = build()
            return self._derived[key]

    @property
    def ref_chunks(self) -> dict[str, list[int]]:
        """Reference ("2.2.2", "15.7") -> the positions of the chunks that carry it: a question
        citing one finds them without walking every chunk."""
        return self.derived("store.ref_chunks", self._ref_chunks)

    def _ref_chunks(self) -> dict[str, list[int]]:
        found: dict[str, list[int]] = {}
        for i, chunk in enumerate(self.chunks):
            if chunk.ref:
                found.setdefault(chunk.ref, []).append(i)
        return found

    @property
    def sentence_chunk(self) -> np.ndarray:
        """The first chunk position of each sentence row's passage: filters map onto sentences."""
        return self.derived(
            "store.sentence_chunk",
            lambda: np.array([self.passage_chunks.get(pid, [-1])[0] for pid in self.sentence_passage], dtype=np.int64),
        )

    @property
    def chunk_first(self) -> np.ndarray:
        """For each chunk position, the first chunk position of its passage."""
        return self.derived(
            "store.chunk_first",
            lambda: np.array([self.passage_chunks[c.passage_id][0] for c in self.chunks], dtype=np.int64),
        )

    @property
    def vocabulary(self) -> set[str]:
        """Every word of every document, lower-cased: to tell a name the corpus never uses."""
        return self.derived(
            "store.vocabulary",
            lambda: {w.lower() for text in self.raw_texts.values() for w in re.findall(r"[A-Za-z0-9]+", text)},
        )

    @property
    def generation(self) -> int:
        return self.state.generation

    def close(self) -> None:
        """Let the generation go: an ingest may remove it once no one else reads it."""
        if self.lease is not None:
            self.lease.release()
