"""The index format's own verbs (assistant/store/__init__.py) without an ingest: numbering and committing
generations, read back as the typed `IndexState`."""

from __future__ import annotations

from assistant.core.settings import Settings
from assistant.store import PIPELINE_VERSION, STATE_FILE, commit_generation, next_generation, read_state
from assistant.core.types import FileRecord, IndexedDoc


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
