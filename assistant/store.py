"""Where the index lives and how it is opened: the Chroma collection plus the files beside it.

Layout of `settings.index_dir`:

    state.json        which generation is live, and the content key of every document in it
    gen-N/            chunks.jsonl, lexical.json (BM25), sentences.npz, actions.json,
                      glossary.json, docs.json for generation N
    chroma/           the embedded Chroma store (unused when a Chroma server is configured)

Ingest writes a whole new generation (files and a Chroma collection `<prefix>-gN`) and only then
replaces `state.json` in one atomic rename. A killed ingest leaves the live generation untouched;
the next ingest removes the leftovers.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from assistant.errors import IndexNotFound, StoreError
from assistant.lexical import BM25
from assistant.settings import Settings
from assistant.types import ActionRow, Chunk, DocumentInfo, ProgressNote

log = logging.getLogger(__name__)
STATE_FILE = "state.json"
PIPELINE_VERSION = 12  # bump when cleaning or chunking changes, so every document is re-ingested
_lock = threading.Lock()
_cache: dict[tuple, "Index"] = {}


def chroma_client(settings: Settings):
    """The Chroma client: a server when `chroma_host` is set, else the embedded store."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    try:
        if settings.uses_server:
            return chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port,
                                       settings=chroma_settings)
        return chromadb.PersistentClient(path=str(settings.index_dir / "chroma"), settings=chroma_settings)
    except Exception as exc:  # chromadb raises several types for an unreachable server
        where = f"{settings.chroma_host}:{settings.chroma_port}" if settings.uses_server else settings.index_dir / "chroma"
        raise StoreError(
            f"Cannot open the Chroma store at {where} ({exc}): start the server with "
            f"'chroma run --port {settings.chroma_port}', or unset ASSISTANT_CHROMA_HOST to use the embedded store"
        ) from None


def read_state(index_dir: Path) -> dict[str, Any] | None:
    path = index_dir / STATE_FILE
    if not path.exists():
        return None
    return json.loads(path.read_text())


@dataclass
class Passage:
    """A passage's sentences (spans into `Chunk.passage`) and their embeddings' rows."""

    passage_id: str
    spans: list[tuple[int, int]]
    rows: list[int]


@dataclass
class Index:
    """A live generation, loaded into memory once per process."""

    settings: Settings
    state: dict[str, Any]
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

    def __post_init__(self) -> None:
        self.by_id = {c.chunk_id: i for i, c in enumerate(self.chunks)}
        self.sentence_passage = [""] * len(self.sentence_vectors)
        for passage in self.passages.values():
            for row in passage.rows:
                self.sentence_passage[row] = passage.passage_id
        for i, chunk in enumerate(self.chunks):
            self.passage_chunks.setdefault(chunk.passage_id, []).append(i)

    @cached_property
    def vocabulary(self) -> set[str]:
        """Every word of every document, lower-cased: to tell a name the corpus never uses."""
        return {w.lower() for text in self.raw_texts.values() for w in re.findall(r"[A-Za-z0-9]+", text)}

    @property
    def generation(self) -> int:
        return int(self.state["generation"])


def generation_dir(index_dir: Path, generation: int) -> Path:
    return index_dir / f"gen-{generation}"


def collection_name(settings: Settings, generation: int) -> str:
    return f"{settings.collection_prefix}-g{generation}"


def open_index(settings: Settings, *, with_collection: bool = True) -> Index:
    """The live index, loaded once and reused while `state.json` names the same generation.

    Raises:
        IndexNotFound: nothing has been ingested into `settings.index_dir` yet.
    """
    state = read_state(settings.index_dir)
    if state is None:
        raise IndexNotFound(settings.index_dir)
    key = (str(settings.index_dir.resolve()), settings.chroma_host, settings.chroma_port,
           state["generation"], with_collection)
    with _lock:
        if key not in _cache:
            _cache.clear()
            _cache[key] = _load(settings, state, with_collection)
        return _cache[key]


def _load(settings: Settings, state: dict[str, Any], with_collection: bool) -> Index:
    folder = generation_dir(settings.index_dir, state["generation"])
    if not folder.exists():
        raise StoreError(f"The index at {settings.index_dir}/ is damaged ({folder.name} is missing): "
                         "run 'assistant ingest --rebuild'")
    chunks = [Chunk(**json.loads(line)) for line in (folder / "chunks.jsonl").read_text().splitlines() if line]
    sentences = np.load(folder / "sentences.npz")
    passages: dict[str, Passage] = {}
    for pid, start, end, row in zip(sentences["passage_ids"], sentences["starts"], sentences["ends"],
                                    range(len(sentences["starts"]))):
        passage = passages.setdefault(str(pid), Passage(str(pid), [], []))
        passage.spans.append((int(start), int(end)))
        passage.rows.append(row)
    actions = {}
    for row in json.loads((folder / "actions.json").read_text()):
        row["progress"] = tuple(ProgressNote(**p) for p in row["progress"])
        actions[row["ref"]] = ActionRow(**row)
    docs_data = json.loads((folder / "docs.json").read_text())
    collection = None
    if with_collection:
        client = chroma_client(settings)
        try:
            collection = client.get_collection(state["collection"])
        except Exception:
            raise StoreError(
                f"The Chroma collection {state['collection']!r} named by {settings.index_dir}/state.json "
                "is missing (another store, or a reset server?): run 'assistant ingest --rebuild'"
            ) from None
    return Index(
        settings=settings,
        state=state,
        chunks=chunks,
        lexical=BM25.load(folder / "lexical.json"),
        sentence_vectors=sentences["vectors"],
        sentence_hub=sentences["hub"],
        chunk_hub=np.load(folder / "chunks.npz")["hub"],
        passages=passages,
        glossary=json.loads((folder / "glossary.json").read_text()),
        actions=actions,
        docs={d["info"]["doc_id"]: DocumentInfo.from_json(d["info"]) for d in docs_data},
        raw_texts={d["info"]["doc_id"]: d["raw_text"] for d in docs_data},
        texts={d["info"]["doc_id"]: d.get("text", "") for d in docs_data},
        collection=collection,
    )


def forget_loaded() -> None:
    """Drop the in-memory index (tests that rebuild in the same process call this)."""
    with _lock:
        _cache.clear()
