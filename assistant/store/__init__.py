"""Where the index lives, how it is written, committed, checked, opened and cleaned up.

This module is the one home of the on-disk format. Layout of `settings.index_dir`:

    state.json        the live generation (an `IndexState`): its number, Chroma collection,
                      documents with their content keys, and the size and SHA-256 of each file
    gen-N/            chunks.jsonl, lexical.npz (BM25), sentences.npz, sentence_vectors.npy,
                      chunks.npz, actions.json, glossary.json, docs.json.gz of generation N
    chroma/           the embedded Chroma store (unused when a Chroma server is configured)
    ingest.lock       held by the one ingest running (see `ingest_lock`)
    pending-vectors/  vectors an unfinished ingest has embedded, for the next one to resume with
                      (see `ingest.pending`); emptied by every commit

Ingest writes a whole new generation (files and a Chroma collection `<prefix>-gN`) and only then
replaces `state.json` in one atomic rename. A killed ingest leaves the live generation untouched;
the next ingest removes the leftovers. Its steps, all here: `ingest_lock`, `read_state`/`verify`,
`next_generation`, `write_generation` (the files), `write_collection` (the vectors),
`commit_generation` (state.json), `remove_unread_generations`; `chunk_vectors` reads back the
vectors of documents it keeps. `ingest/` decides what goes in (the pipeline and the diff).

Readers and writers share the folder: a process that opens a generation holds a shared `flock`
on its folder for as long as it uses it, and a generation is removed (folder and collection) only
by whoever gets an exclusive lock on it, i.e. when nothing reads it. So a server keeps answering
from its generation while an ingest commits the next one, and switches between questions. The
kernel drops a dead process's locks, so a killed reader never pins a generation for ever.
"""

from __future__ import annotations

import contextlib
import fcntl
import gzip
import hashlib
import io
import json
import logging
import os
import re
import secrets
import shutil
import threading
import time
import weakref
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from assistant.core.errors import IndexDamaged, IndexNotFound, IndexOutdated, IngestBusy, StoreError
from assistant.store.lexical import BM25
from assistant.core.settings import Settings
from assistant.core.types import ActionRow, Chunk, DocumentInfo, FileRecord, IndexedDoc, IndexState, ProgressNote

log = logging.getLogger(__name__)
STATE_FILE = "state.json"
LOCK_FILE = "ingest.lock"
# The files of a generation, all checked against their recorded size and hash when opened.
GENERATION_FILES = (
    "chunks.jsonl",
    "lexical.npz",
    "sentences.npz",
    "sentence_vectors.npy",
    "chunks.npz",
    "actions.json",
    "glossary.json",
    "docs.json.gz",
)
# Bump when cleaning, chunking or the files' format changes: every document is re-ingested, and a
# reader refuses an index of another version with a message rather than misreading it.
PIPELINE_VERSION = 16
# Sentence embeddings on disk: half the bytes of float32, and cosines within 1e-3 of it (the
# embeddings are unit vectors); widened to float32 once when a generation is opened.
SENTENCE_DTYPE = np.float16
_VECTORS = "sentence_vectors.npy"  # a plain array file, so it can be read memory-mapped
# Fields of a chunks.jsonl row that are never left out for being the previous row's.
_OWN_FIELDS = ("passage", "text", "text_span")
# Chunks written to Chroma at a time, and how often its vector index is saved. Chroma logs each
# write (vector and metadata) in its sqlite file until the vector index is saved, then drops the
# entries, but sqlite keeps the pages: so the log's high-water mark stays in the file for good.
# Saving every 200 chunks instead of Chroma's 1000 keeps that mark a fifth of the size (for the
# 1 MB one-line text, 1.0 MB of sqlite instead of 2.6 MB); the extra saves cost milliseconds.
CHROMA_BATCH = 200
# The fields `assistant.retrieval.retrieve` filters the dense search by; chunks.jsonl holds the rest.
FILTER_FIELDS = ("doc_id", "doc_type", "date_int", "council", "judgement")
_lock = threading.Lock()
_cache: dict[tuple, Index] = {}


def chroma_client(settings: Settings, *, reset_damaged: bool = False):
    """The Chroma client: a server when `chroma_host` is set, else the embedded store.

    Args:
        reset_damaged: an embedded store that cannot be opened is deleted and made anew (ingest
            rebuilding a damaged index passes it; everything in the store is ours to rebuild).
    """
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.uses_server:
        try:
            return chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings)
        except Exception as exc:  # chromadb raises several types for an unreachable server
            raise StoreError(
                f"Cannot reach the Chroma server at {settings.chroma_host}:{settings.chroma_port} ({exc}): start "
                f"the server with 'chroma run --port {settings.chroma_port}', or unset ASSISTANT_CHROMA_HOST to use "
                "the embedded store"
            ) from None
    path = settings.index_dir / "chroma"
    try:
        client = chromadb.PersistentClient(path=str(path), settings=chroma_settings)
        client.heartbeat()
        return client
    except Exception as exc:  # a damaged sqlite file or segment surfaces as several types
        if not reset_damaged:
            raise IndexDamaged(
                settings.index_dir,
                f"the Chroma store in chroma/ cannot be opened: {type(exc).__name__}: {_first_line(exc)}",
            ) from None
        log.warning("the Chroma store at %s cannot be opened (%s): making it anew", path, exc)
        _forget_chroma_clients()
        shutil.rmtree(path, ignore_errors=True)
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


def _forget_chroma_clients() -> None:
    # chromadb keeps one client per path for the process: a store deleted under it must be reopened.
    from chromadb.api.client import SharedSystemClient

    SharedSystemClient.clear_system_cache()


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [""])[0][:200]


def read_state(index_dir: Path) -> IndexState | None:
    """The live generation's `IndexState`, or None when nothing was ever committed.

    Raises:
        IndexDamaged: state.json is there but cannot be read (cut short, edited).
    """
    path = Path(index_dir) / STATE_FILE
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    try:
        return IndexState.from_json(json.loads(data))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise IndexDamaged(index_dir, f"{STATE_FILE} cannot be read: {type(exc).__name__}") from None


def commit(index_dir: Path, state: IndexState) -> None:
    """Make `state`'s generation live: one atomic rename of state.json, written to disk first."""
    tmp = Path(index_dir) / (STATE_FILE + ".tmp")
    with tmp.open("w") as out:
        out.write(json.dumps(state.to_json(), indent=1))
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, Path(index_dir) / STATE_FILE)


@dataclass
class Passage:
    """A passage's sentences (spans into `Chunk.passage`) and their embeddings' rows."""

    passage_id: str
    spans: list[tuple[int, int]]
    rows: list[int]


class _Lease:
    """A shared lock on a generation's folder: while held, no one removes the generation."""

    def __init__(self, folder: Path):
        self.fd: int | None = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        fcntl.flock(self.fd, fcntl.LOCK_SH)

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


@dataclass
class Index:
    """A live generation, loaded into memory once per process."""

    settings: Settings
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

    @cached_property
    def ref_chunks(self) -> dict[str, list[int]]:
        """Reference ("2.2.2", "15.7") -> the positions of the chunks that carry it: a question
        citing one finds them without walking every chunk."""
        found: dict[str, list[int]] = {}
        for i, chunk in enumerate(self.chunks):
            if chunk.ref:
                found.setdefault(chunk.ref, []).append(i)
        return found

    @cached_property
    def sentence_chunk(self) -> np.ndarray:
        """The first chunk position of each sentence row's passage: filters map onto sentences."""
        return np.array([self.passage_chunks.get(pid, [-1])[0] for pid in self.sentence_passage], dtype=np.int64)

    @cached_property
    def chunk_first(self) -> np.ndarray:
        """For each chunk position, the first chunk position of its passage."""
        return np.array([self.passage_chunks[c.passage_id][0] for c in self.chunks], dtype=np.int64)

    @cached_property
    def vocabulary(self) -> set[str]:
        """Every word of every document, lower-cased: to tell a name the corpus never uses."""
        return {w.lower() for text in self.raw_texts.values() for w in re.findall(r"[A-Za-z0-9]+", text)}

    @property
    def generation(self) -> int:
        return self.state.generation

    def close(self) -> None:
        """Let the generation go: an ingest may remove it once no one else reads it."""
        if self.lease is not None:
            self.lease.release()


def generation_dir(index_dir: Path, generation: int) -> Path:
    return Path(index_dir) / f"gen-{generation}"


def collection_name(settings: Settings, generation: int) -> str:
    """The Chroma collection of a generation. On a server, several index folders may share one
    store: the folder's own id keeps their collections (and their clean-ups) apart."""
    if settings.uses_server:
        return f"{settings.collection_prefix}-{index_id(settings.index_dir)}-g{generation}"
    return f"{settings.collection_prefix}-g{generation}"


def index_id(index_dir: Path) -> str:
    """A short random id of an index folder, made on first use and kept in `index-id`."""
    path = index_dir / "index-id"
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        index_dir.mkdir(parents=True, exist_ok=True)
        aside = index_dir / f"index-id.{os.getpid()}"
        aside.write_text(secrets.token_hex(4), encoding="ascii")
        try:
            os.link(aside, path)  # the first of two processes to make it wins; the other reads it
        except FileExistsError:
            pass
        finally:
            aside.unlink()
        return path.read_text(encoding="ascii").strip()


def open_index(settings: Settings, *, with_collection: bool = True) -> Index:
    """The live index, loaded once and reused while `state.json` names the same generation.

    Each call reads `state.json`, so a long-running process (the web chat) moves to a newly
    committed generation at its next question; the generation it leaves is removed once no
    question is still using it.

    Raises:
        IndexNotFound: nothing has been ingested into `settings.index_dir` yet.
        IndexDamaged: a part of the live generation is missing or not as written.
    """
    for _ in range(5):
        state = read_state(settings.index_dir)
        if state is None:
            raise IndexNotFound(settings.index_dir)
        if state.version != PIPELINE_VERSION:
            raise IndexOutdated(settings.index_dir, state.version, PIPELINE_VERSION)
        key = (
            str(settings.index_dir.resolve()),
            settings.chroma_host,
            settings.chroma_port,
            state.generation,
            with_collection,
        )
        with _lock:
            if key in _cache:
                return _cache[key]
            try:
                index = _load(settings, state, with_collection)
            except _Replaced:
                continue  # an ingest committed and removed this generation while we read: read again
            _cache.clear()
            _cache[key] = index
        if with_collection:
            # Moving to a generation is when older ones are let go: remove those no one reads.
            remove_unread_generations(settings, state)
        return index
    raise StoreError(
        f"The index at {settings.index_dir}/ kept changing while it was opened: try again when "
        "the ingest running on it has finished"
    )


class _Replaced(Exception):
    """The generation named by the state read was removed before it could be locked."""


def _load(settings: Settings, state: IndexState, with_collection: bool) -> Index:
    folder = generation_dir(settings.index_dir, state.generation)
    try:
        lease = _Lease(folder)
    except FileNotFoundError:
        lease = None
    if lease is None or not folder.exists():
        if lease is not None:
            lease.release()
        if read_state(settings.index_dir) != state:
            raise _Replaced()
        raise IndexDamaged(settings.index_dir, f"{folder.name}/ is missing")
    try:
        return _read_generation(settings, state, folder, lease, with_collection)
    except BaseException:
        lease.release()
        raise


def _read_generation(
    settings: Settings, state: IndexState, folder: Path, lease: _Lease, with_collection: bool
) -> Index:
    damaged = lambda part: IndexDamaged(settings.index_dir, part)  # noqa: E731
    data = {
        name: _read_checked(settings.index_dir, folder, name, state) for name in GENERATION_FILES if name != _VECTORS
    }
    vectors_file = _checked(settings.index_dir, folder, _VECTORS, state)
    try:
        docs_data = json.loads(gzip.decompress(data["docs.json.gz"]))
        docs = {d["info"]["doc_id"]: DocumentInfo.from_json(d["info"]) for d in docs_data}
        texts = {d["info"]["doc_id"]: d.get("text", "") for d in docs_data}
    except (ValueError, KeyError, TypeError, EOFError, OSError) as exc:  # OSError: not gzip
        raise damaged(f"{folder.name}/docs.json.gz cannot be read: {type(exc).__name__}") from None
    try:
        chunks = _parse_chunks(data["chunks.jsonl"], texts)
    except (ValueError, KeyError, TypeError) as exc:
        raise damaged(f"{folder.name}/chunks.jsonl cannot be read: {type(exc).__name__}") from None
    try:
        sentences = np.load(io.BytesIO(data["sentences.npz"]))
        passage_ids = [str(pid) for pid in sentences["passage_ids"]]
        passages: dict[str, Passage] = {}
        for row, (which, start, end) in enumerate(
            zip(sentences["passage_of"].tolist(), sentences["starts"].tolist(), sentences["ends"].tolist())
        ):
            passage = passages.setdefault(passage_ids[which], Passage(passage_ids[which], [], []))
            passage.spans.append((start, end))
            passage.rows.append(row)
        sentence_hub = sentences["hub"]
        # Read from the page cache, widened once: every consumer multiplies these by a float32
        # query, which numpy does fast only in float32.
        sentence_vectors = np.load(vectors_file, mmap_mode="r").astype(np.float32)
        if len(sentence_vectors) != len(sentence_hub):
            raise ValueError("one vector a sentence")
        chunk_hub = np.load(io.BytesIO(data["chunks.npz"]))["hub"]
    except Exception as exc:  # numpy and zipfile raise several types for a damaged archive
        raise damaged(f"an embeddings file of {folder.name}/ cannot be read: {type(exc).__name__}") from None
    try:
        lexical = BM25.from_bytes(data["lexical.npz"])
    except Exception as exc:  # numpy and zipfile raise several types for a damaged archive
        raise damaged(f"{folder.name}/lexical.npz cannot be read: {type(exc).__name__}") from None
    try:
        actions = {}
        for row in json.loads(data["actions.json"]):
            row["progress"] = tuple(ProgressNote(**p) for p in row["progress"])
            actions[row["ref"]] = ActionRow(**row)
        glossary = json.loads(data["glossary.json"])
    except (ValueError, KeyError, TypeError) as exc:
        raise damaged(f"a metadata file of {folder.name}/ cannot be read: {type(exc).__name__}") from None
    collection = _open_collection(settings, state) if with_collection else None
    return Index(
        settings=settings,
        state=state,
        chunks=chunks,
        lexical=lexical,
        sentence_vectors=sentence_vectors,
        sentence_hub=sentence_hub,
        chunk_hub=chunk_hub,
        passages=passages,
        glossary=glossary,
        actions=actions,
        docs=docs,
        raw_texts={d["info"]["doc_id"]: d["raw_text"] for d in docs_data},
        texts=texts,
        collection=collection,
        lease=lease,
    )


def _read_checked(index_dir: Path, folder: Path, name: str, state: IndexState) -> bytes:
    """A generation file's bytes, checked against the size and hash recorded at commit."""
    try:
        data = (folder / name).read_bytes()
    except FileNotFoundError:
        raise IndexDamaged(index_dir, f"{folder.name}/{name} is missing") from None
    _compare(index_dir, folder, name, state, FileRecord(size=len(data), sha256=hashlib.sha256(data).hexdigest()))
    return data


def _checked(index_dir: Path, folder: Path, name: str, state: IndexState) -> Path:
    """A generation file's path, its size and hash checked as `_read_checked` does, reading it
    in blocks rather than holding it."""
    try:
        found = _record(folder / name)
    except FileNotFoundError:
        raise IndexDamaged(index_dir, f"{folder.name}/{name} is missing") from None
    _compare(index_dir, folder, name, state, found)
    return folder / name


def _compare(index_dir: Path, folder: Path, name: str, state: IndexState, found: FileRecord) -> None:
    record = state.files.get(name)
    if record is None:
        return
    if found.size != record.size:
        raise IndexDamaged(index_dir, f"{folder.name}/{name} has {found.size} bytes, {record.size} were written")
    if found.sha256 != record.sha256:
        raise IndexDamaged(index_dir, f"{folder.name}/{name} is not what was written (its hash differs)")


def _parse_chunks(data: bytes, texts: dict[str, str]) -> list[Chunk]:
    """chunks.jsonl as `write_generation` writes it: a field left out has the previous row's
    value; a passage is its document's cleaned text [start:end] or written once, with its first
    piece, and every piece of it shares one string in memory; a piece's text is `text_span` of
    its passage, or written out when it is not part of it."""
    chunks = []
    passages: dict[str, str] = {}
    previous: dict = {}
    for line in data.decode("utf-8").splitlines():
        if not line:
            continue
        row = json.loads(line)
        own = {key: row.pop(key) for key in _OWN_FIELDS if key in row}
        row = previous = {**previous, **row}
        pid = row["passage_id"]
        if "passage" in own:
            passages[pid] = own["passage"]
        elif pid not in passages:
            passages[pid] = texts[row["doc_id"]][row["start"] : row["end"]]
        passage = passages[pid]
        text = passage[slice(*own["text_span"])] if "text_span" in own else own["text"]
        chunks.append(Chunk(**row, passage=passage, text=text))
    return chunks


def _open_collection(settings: Settings, state: IndexState):
    """The generation's Chroma collection, checked: it is there, whole, and can be searched."""
    client = chroma_client(settings)
    try:
        collection = client.get_collection(state.collection)
    except Exception:
        where = (
            f"the Chroma server at {settings.chroma_host}:{settings.chroma_port} (reset, or another one?)"
            if settings.uses_server
            else "chroma/"
        )
        raise IndexDamaged(
            settings.index_dir, f"the Chroma collection {state.collection!r} is missing from {where}"
        ) from None
    try:
        count = collection.count()
        if count and state.chunks >= 0:
            # A search loads the vector index from disk: a damaged segment fails here, not at a question.
            probe = collection.get(limit=1, include=["embeddings"])["embeddings"]
            collection.query(query_embeddings=[np.asarray(probe[0]).tolist()], n_results=1, include=["distances"])
    except Exception as exc:  # a damaged segment surfaces as several types
        raise IndexDamaged(
            settings.index_dir,
            f"the Chroma collection {state.collection!r} cannot be read: {type(exc).__name__}: {_first_line(exc)}",
        ) from None
    if state.chunks >= 0 and count != state.chunks:
        raise IndexDamaged(
            settings.index_dir,
            f"the Chroma collection {state.collection!r} holds {count} chunks, {state.chunks} were written",
        )
    return collection


def verify(settings: Settings, state: IndexState) -> str:
    """What is wrong with the live generation, or "" when every part is as written.

    Ingest asks this before saying "up to date", so a damaged index is rebuilt, not kept. Files
    are checked against their recorded size and hash (without parsing them), the collection is
    opened and searched once.
    """
    folder = generation_dir(settings.index_dir, state.generation)
    try:
        if not folder.is_dir():
            return f"{folder.name}/ is missing"
        for name in GENERATION_FILES:
            _checked(settings.index_dir, folder, name, state)
        _open_collection(settings, state)
    except IndexDamaged as exc:
        return exc.part
    return ""


def forget_loaded(*, release: bool = True) -> None:
    """Drop the in-memory index (tests that rebuild in one process call this).

    Args:
        release: let its generation go now; else only when the last user of it is gone.
    """
    with _lock:
        if release:
            for index in _cache.values():
                index.close()
        _cache.clear()


# --- Writing ---------------------------------------------------------------------------------


def write_generation(
    index_dir: Path,
    generation: int,
    *,
    chunks: list[Chunk],
    lexical: BM25,
    sentence_rows: list[tuple[str, int, int]],
    sentence_vectors: np.ndarray,
    sentence_hub: np.ndarray,
    chunk_hub: np.ndarray,
    actions: list[dict],
    glossary: dict,
    docs: list[dict],
) -> dict[str, FileRecord]:
    """Write generation `generation`'s files into a temporary folder, then rename it into place.

    Returns:
        The size and hash of each file, for `state.json` (see `commit`).
    """
    final = generation_dir(index_dir, generation)
    tmp = final.with_name(final.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    texts = {d["info"]["doc_id"]: d.get("text", "") for d in docs}
    with (tmp / "chunks.jsonl").open("w") as out:
        written: set[str] = set()
        previous: dict = {}
        for chunk in chunks:
            fields = {key: value for key, value in chunk.__dict__.items() if key not in _OWN_FIELDS}
            # A document's title, kind, date and a passage's section and span are the same row
            # after row: each is written only where it changes.
            row = {key: value for key, value in fields.items() if key not in previous or previous[key] != value}
            previous = fields
            # A passage is shown whole by every piece cut from it; writing it with each piece made
            # the file grow with the square of a passage's length. It is the span start:end of
            # its document's cleaned text (docs.json), so it is written only when it is not.
            if (
                chunk.passage_id not in written
                and texts.get(chunk.doc_id, "")[chunk.start : chunk.end] != chunk.passage
            ):
                row["passage"] = chunk.passage
            written.add(chunk.passage_id)
            # A piece's text is a part of its passage: where it is, not the words again.
            at = chunk.passage.find(chunk.text)
            if at >= 0:
                row["text_span"] = [at, at + len(chunk.text)]
            else:
                row["text"] = chunk.text
            out.write(json.dumps(row) + "\n")
    (tmp / "lexical.npz").write_bytes(lexical.to_bytes())
    passage_ids, passage_of = np.unique(np.array([r[0] for r in sentence_rows], dtype=str), return_inverse=True)
    np.savez(
        tmp / "sentences.npz",
        passage_ids=passage_ids,  # each once; passage_of gives a sentence's
        passage_of=passage_of.astype(np.int32),
        starts=np.array([r[1] for r in sentence_rows], dtype=np.int32),
        ends=np.array([r[2] for r in sentence_rows], dtype=np.int32),
        hub=sentence_hub,
    )
    np.save(tmp / _VECTORS, np.asarray(sentence_vectors, dtype=SENTENCE_DTYPE))
    np.savez(tmp / "chunks.npz", hub=chunk_hub)
    (tmp / "actions.json").write_text(json.dumps(actions))
    (tmp / "glossary.json").write_text(json.dumps(glossary, indent=1))
    _write_gzip_json(tmp / "docs.json.gz", docs)
    records = {name: _record(tmp / name) for name in GENERATION_FILES}
    os.replace(tmp, final)
    return records


def _write_gzip_json(path: Path, data: Any) -> None:
    # The documents' texts, the bulk of a generation, compress about four times.
    # mtime=0: the same contents give the same bytes, so the same hash.
    path.write_bytes(gzip.compress(json.dumps(data).encode("utf-8"), compresslevel=6, mtime=0))


def _record(path: Path) -> FileRecord:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
            size += len(block)
    return FileRecord(size=size, sha256=digest.hexdigest())


def next_generation(index_dir: Path, state: IndexState | None) -> int:
    """The number of the generation an ingest writes next."""
    # Numbers still held by readers (or a damaged state's) are never reused.
    used = [int(found[1]) for p in Path(index_dir).glob("gen-*") if (found := re.match(r"gen-(\d+)", p.name))]
    return max(used + [state.generation if state else 0]) + 1


def write_collection(
    settings: Settings,
    generation: int,
    chunks: Sequence[Chunk],
    vectors: Sequence[np.ndarray],
    *,
    on_stored: Callable[[int], None] | None = None,
) -> None:
    """Write generation `generation`'s Chroma collection: each chunk's vector and its filter fields.

    Args:
        chunks, vectors: in step, one vector a chunk, in the order of chunks.jsonl.
        on_stored: called with the number of chunks of each batch written (a progress bar's update).
    """
    client = chroma_client(settings)
    name = collection_name(settings, generation)
    _drop_collection(client, name)
    # A corpus of thousands of chunks, not millions: search wide enough that the approximate
    # index finds the true nearest chunks every time (the defaults missed the best one now and
    # then, so the same question could get different passages from one process to the next).
    hnsw = {
        "space": "cosine",
        "ef_construction": 200,
        "ef_search": 200,
        "max_neighbors": 32,
        "sync_threshold": CHROMA_BATCH,
    }
    collection = client.create_collection(name, configuration={"hnsw": hnsw}, embedding_function=None)
    for i in range(0, len(chunks), CHROMA_BATCH):
        part = chunks[i : i + CHROMA_BATCH]
        collection.add(
            ids=[c.chunk_id for c in part],
            embeddings=np.array(vectors[i : i + CHROMA_BATCH], dtype=np.float32),
            # No documents: retrieval reads texts from chunks.jsonl, and Chroma would keep
            # each text twice more (its log and a full-text index), 4 KB a chunk for nothing.
            metadatas=[_filter_metadata(c) for c in part],
        )
        if on_stored is not None:
            on_stored(len(part))


def _filter_metadata(chunk: Chunk) -> dict[str, Any]:
    """What Chroma keeps beside a vector: the fields filters use, nothing else. Chroma stores
    each field of each chunk as a row (and again in its log): the passage made the store grow
    with the square of a passage's length, and twenty fields made it twice the vectors' size."""
    meta = chunk.metadata()
    return {key: meta[key] for key in FILTER_FIELDS}


def _drop_collection(client: Any, name: str) -> None:
    try:
        client.delete_collection(name)
    except Exception:
        pass  # not there: nothing to drop


def chunk_vectors(index: Index, chunk_ids: Sequence[str]) -> list[np.ndarray]:
    """The stored vectors of these chunks of an open index (opened with its collection), in order:
    an ingest copies an unchanged document's vectors rather than embedding it again."""
    found: dict[str, np.ndarray] = {}
    for i in range(0, len(chunk_ids), CHROMA_BATCH):
        got = index.collection.get(ids=list(chunk_ids[i : i + CHROMA_BATCH]), include=["embeddings"])
        for cid, vec in zip(got["ids"], got["embeddings"]):
            found[cid] = np.asarray(vec, dtype=np.float32)
    return [found[cid] for cid in chunk_ids]


def commit_generation(
    settings: Settings, generation: int, *, docs: dict[str, IndexedDoc], files: dict[str, FileRecord], chunks: int
) -> IndexState:
    """Make generation `generation` (its files and collection written) the live one.

    Args:
        docs: each document of the generation with its file, content key and chunk count.
        files: the size and hash of each file, as `write_generation` returned them.
        chunks: how many chunks its collection holds.
    Returns:
        The `IndexState` now in state.json.
    """
    state = IndexState(
        version=PIPELINE_VERSION,
        generation=generation,
        collection=collection_name(settings, generation),
        chroma=f"{settings.chroma_host}:{settings.chroma_port}" if settings.uses_server else "embedded",
        created=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        docs=docs,
        files=files,
        chunks=chunks,
        passage_vectors=settings.passage_vectors,
    )
    commit(settings.index_dir, state)
    return state


# --- One ingest at a time, and clean-up ---------------------------------------------------------


@contextlib.contextmanager
def ingest_lock(index_dir: Path) -> Iterator[None]:
    """Hold the index's ingest lock for the block; the kernel frees it if the process dies.

    Raises:
        IngestBusy: another ingest holds it.
    """
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(index_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.read(fd, 32).decode(errors="replace").strip()
        os.close(fd)
        raise IngestBusy(index_dir, holder) from None
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)


def remove_unread_generations(settings: Settings, state: IndexState | None, *, ingesting: bool = False) -> None:
    """Remove generations (folders and collections) other than the live one that no one reads.

    Args:
        state: the live state; None when nothing is live.
        ingesting: the caller holds the ingest lock, so it may remove anything not live (a killed
            ingest's leftovers too). Otherwise only older generations go, and only when no
            ingest is running (its new generation and Chroma writes are its own).
    """
    if ingesting:
        _remove_unread(settings, state, older_only=False)
        return
    try:
        with ingest_lock(settings.index_dir):
            _remove_unread(settings, state, older_only=True)
    except IngestBusy:
        pass  # the running ingest cleans up when it finishes
    except Exception as exc:  # a reader must never fail a question over clean-up (a read-only folder, say)
        log.info("old index generations in %s left for the next ingest: %s", settings.index_dir, exc)


def _generation_number(name: str) -> int | None:
    found = re.fullmatch(r"gen-(\d+)(?:\.tmp)?", name)
    return int(found.group(1)) if found else None


def _remove_unread(settings: Settings, state: IndexState | None, *, older_only: bool) -> None:
    live = state.generation if state else None
    kept: set[int] = set()
    held: list[int] = []
    try:
        for folder in sorted(settings.index_dir.glob("gen-*")):
            number = _generation_number(folder.name)
            if number is None or (number == live and not folder.name.endswith(".tmp")):
                continue
            if older_only and (live is None or number >= live or folder.name.endswith(".tmp")):
                kept.add(number)
                continue
            try:
                fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
            except FileNotFoundError:
                continue
            held.append(fd)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                log.info("%s is still read by another process: left for a later clean-up", folder.name)
                kept.add(number)
                continue
            shutil.rmtree(folder, ignore_errors=True)
            log.info("removed %s", folder.name)
        _drop_collections(settings, live, kept, older_only)
    finally:
        for fd in held:
            os.close(fd)


def _drop_collections(settings: Settings, live: int | None, kept: set[int], older_only: bool) -> None:
    client = chroma_client(settings)
    prefix = collection_name(settings, 0).removesuffix("0")  # this index folder's collections only
    for collection in client.list_collections():
        name = collection if isinstance(collection, str) else collection.name
        number = name[len(prefix) :]
        if not name.startswith(prefix) or not number.isdigit():
            continue
        number = int(number)
        if number == live or number in kept or (older_only and (live is None or number > live)):
            continue
        if generation_dir(settings.index_dir, number).exists() and older_only:
            continue  # its folder is read by someone (it was not removed above)
        try:
            client.delete_collection(name)
            log.info("dropped collection %s", name)
        except Exception:
            pass  # gone already
