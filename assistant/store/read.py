"""Reading the index: the live state, a generation opened and checked, its lease, the process's cache."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path

from assistant.core.errors import IndexDamaged, IndexNotFound, IndexOutdated, StoreError
from assistant.core.settings import Settings
from assistant.core.types import FileRecord, IndexState
from assistant.store import codec
from assistant.store.chroma import open_collection
from assistant.store.cleanup import remove_unread_generations
from assistant.store.index import Index
from assistant.store.layout import GENERATION_FILES, PIPELINE_VERSION, STATE_FILE, VECTORS_FILE, generation_dir
from assistant.store.lexical import BM25


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
        return codec.decode_state(data)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise IndexDamaged(index_dir, f"{STATE_FILE} cannot be read: {type(exc).__name__}") from None


class _Lease:
    """A shared lock on a generation's folder: while held, no one removes the generation."""

    def __init__(self, folder: Path):
        self.fd: int | None = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        fcntl.flock(self.fd, fcntl.LOCK_SH)

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


class _Replaced(Exception):
    """The generation named by the state read was removed before it could be locked."""


class IndexCache:
    """The generations this process has loaded, one per index folder, Chroma and generation."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loaded: dict[tuple, Index] = {}

    def get(self, settings: Settings, state: IndexState, with_collection: bool) -> Index:
        """The loaded `Index` of `state`'s generation, loading it (and dropping the others) first.

        Raises:
            _Replaced: an ingest removed the generation while it was being read.
        """
        key = (
            str(settings.index_dir.resolve()),
            settings.chroma_host,
            settings.chroma_port,
            state.generation,
            with_collection,
        )
        with self._lock:
            if key in self._loaded:
                return self._loaded[key]
            index = load_generation(settings, state, with_collection=with_collection)
            self._loaded.clear()
            self._loaded[key] = index
            return index

    def clear(self, *, release: bool = False) -> None:
        """Drop every loaded generation.

        Args:
            release: let their generations go now; else each goes when its last user is done.
        """
        with self._lock:
            if release:
                for index in self._loaded.values():
                    index.close()
            self._loaded.clear()

    def forget_folder(self, index_dir: Path) -> None:
        """Drop what is loaded from `index_dir` (an ingest committed a new generation there), so
        the old generation goes with its last user rather than with this process."""
        folder = str(Path(index_dir).resolve())
        with self._lock:
            for key in [key for key in self._loaded if key[0] == folder]:
                del self._loaded[key]


loaded = IndexCache()


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
        try:
            index = loaded.get(settings, state, with_collection)
        except _Replaced:
            continue  # an ingest committed and removed this generation while we read: read again
        if with_collection:
            # Moving to a generation is when older ones are let go: remove those no one reads.
            remove_unread_generations(settings, state)
        return index
    raise StoreError(
        f"The index at {settings.index_dir}/ kept changing while it was opened: try again when "
        "the ingest running on it has finished"
    )


def forget_loaded(*, release: bool = True) -> None:
    """Drop the in-memory index (tests that rebuild in one process call this).

    Args:
        release: let its generation go now; else only when the last user of it is gone.
    """
    loaded.clear(release=release)


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
        open_collection(settings, state)
    except IndexDamaged as exc:
        return exc.part
    return ""


def load_generation(settings: Settings, state: IndexState, *, with_collection: bool) -> Index:
    """`state`'s generation read from disk and checked, holding its own lease: not through the
    process's cache (an ingest reading the generation it replaces calls this).

    Raises:
        _Replaced: an ingest removed the generation while it was being read.
        IndexDamaged: a part of it is missing or not as written.
    """
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
    """Every file checked against its record first, then each decoded in turn."""
    data = {
        name: _read_checked(settings.index_dir, folder, name, state)
        for name in GENERATION_FILES
        if name != VECTORS_FILE
    }
    vectors_file = _checked(settings.index_dir, folder, VECTORS_FILE, state)
    index_dir = settings.index_dir
    with _reading(index_dir, f"{folder.name}/docs.json.gz", (ValueError, KeyError, TypeError, EOFError, OSError)):
        docs, raw_texts, texts = codec.decode_docs(data["docs.json.gz"])  # OSError: not gzip
    with _reading(index_dir, f"{folder.name}/chunks.jsonl", (ValueError, KeyError, TypeError)):
        chunks = codec.decode_chunks(data["chunks.jsonl"], texts)
    # numpy and zipfile raise several types for a damaged archive
    with _reading(index_dir, f"an embeddings file of {folder.name}/", (Exception,)):
        passages, sentence_hub = codec.read_sentences(data["sentences.npz"])
        sentence_vectors = codec.read_vectors(vectors_file)
        if len(sentence_vectors) != len(sentence_hub):
            raise ValueError("one vector a sentence")
        chunk_hub = codec.read_chunk_hub(data["chunks.npz"])
    with _reading(index_dir, f"{folder.name}/lexical.npz", (Exception,)):
        lexical = BM25.from_bytes(data["lexical.npz"])
    with _reading(index_dir, f"a metadata file of {folder.name}/", (ValueError, KeyError, TypeError)):
        actions = codec.decode_actions(data["actions.json"])
        glossary = codec.decode_glossary(data["glossary.json"])
    return Index(
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
        raw_texts=raw_texts,
        texts=texts,
        collection=open_collection(settings, state) if with_collection else None,
        lease=lease,
    )


@contextlib.contextmanager
def _reading(index_dir: Path, what: str, errors: tuple[type[BaseException], ...]) -> Iterator[None]:
    """A part that cannot be decoded is a damaged index, named by the part."""
    try:
        yield
    except errors as exc:
        raise IndexDamaged(index_dir, f"{what} cannot be read: {type(exc).__name__}") from None


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
        found = codec.file_record(folder / name)
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
