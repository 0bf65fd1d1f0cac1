"""The index format's own verbs (assistant/store/) without an ingest: numbering and committing
generations, read back as the typed `IndexState`; the per-generation derived cache of `Index`."""

from __future__ import annotations

import threading
import time

import numpy as np

from assistant.core.settings import Settings
from assistant.core.types import Chunk, FileRecord, IndexedDoc, IndexState
from assistant.store import (
    PIPELINE_VERSION,
    STATE_FILE,
    Index,
    commit_generation,
    new_generation,
    next_generation,
    read_state,
)
from assistant.store.lexical import BM25


def test_a_new_generation_never_takes_a_number_still_on_disk(tmp_path):
    assert next_generation(tmp_path, None) == 1
    (tmp_path / "gen-3").mkdir()  # a generation a reader still holds
    (tmp_path / "gen-7.tmp").mkdir()  # a killed ingest's leftover
    assert next_generation(tmp_path, None) == 8
    committed = commit_generation(Settings(index_dir=tmp_path), 8, docs={}, files={}, chunks=0)
    assert next_generation(tmp_path, committed) == 9


def test_a_committed_generation_reads_back_as_written(tmp_path):
    settings = Settings(index_dir=tmp_path, collection_prefix="test")
    docs = {"doc-a": IndexedDoc(file="a.txt", key="k1", chunks=3)}
    files = {"chunks.jsonl": FileRecord(size=10, sha256="0" * 64)}
    state = commit_generation(settings, 2, docs=docs, files=files, chunks=3)
    assert (state.version, state.generation, state.collection, state.chroma) == (
        PIPELINE_VERSION,
        2,
        "test-g2",
        "embedded",
    )
    assert read_state(tmp_path) == state
    assert not (tmp_path / (STATE_FILE + ".tmp")).exists()  # written aside, then renamed into place
    server = commit_generation(
        settings.replace(chroma_host="127.0.0.1", chroma_port=8001), 3, docs=docs, files=files, chunks=3
    )
    assert read_state(tmp_path) == server and server.chroma == "127.0.0.1:8001"


def test_a_generation_left_without_a_commit_writes_nothing(tmp_path):
    settings = Settings(index_dir=tmp_path / "index", collection_prefix="test")
    with new_generation(settings) as gen:
        assert (gen.live, gen.damaged, gen.number) == (None, "", 1)
    assert read_state(settings.index_dir) is None
    assert not list(settings.index_dir.glob("gen-*"))


def _index(chunks: list[Chunk]) -> Index:
    state = IndexState(version=PIPELINE_VERSION, generation=1, collection="c", chroma="embedded", created="", docs={})
    return Index(
        state=state,
        chunks=chunks,
        lexical=BM25.build([]),
        sentence_vectors=np.zeros((0, 384), dtype=np.float32),
        sentence_hub=np.zeros(0),
        chunk_hub=np.zeros(len(chunks)),
        passages={},
        glossary={},
        actions={},
        docs={},
        raw_texts={"a": "Social workers visit Children often"},
    )


def test_what_is_derived_from_a_generation_is_built_once_per_key_and_generation():
    common = dict(title="A", doc_type="inspection_report", publisher="Ofsted", date="2021-01-05", passage_id="a:0")
    index = _index([Chunk(chunk_id="a:0:0", doc_id="a", text="t", passage="t", ref="2.2.2", **common)])
    built: list[str] = []

    def slow_build() -> list[str]:
        built.append("words")
        time.sleep(0.05)  # long enough for the other threads to ask meanwhile
        return ["words"]

    threads = [threading.Thread(target=index.derived, args=("test.words", slow_build)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert built == ["words"]
    assert index.derived("test.words", slow_build) is index.derived("test.words", list)
    assert index.derived("test.other", lambda: 7) == 7  # another key, built on its own
    assert _index(index.chunks).derived("test.words", lambda: ["new"]) == ["new"]  # another generation
    # The store's own views are derived the same way.
    assert index.ref_chunks == {"2.2.2": [0]} and index.ref_chunks is index.ref_chunks
    assert index.vocabulary == {"social", "workers", "visit", "children", "often"}
    assert index.chunk_first.tolist() == [0] and index.sentence_chunk.tolist() == []
