"""The Chroma side of the index: the client, a generation's collection, its vectors."""

from __future__ import annotations

import logging
import os
import secrets
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from assistant.core.errors import IndexDamaged, StoreError
from assistant.core.settings import Settings
from assistant.core.types import Chunk, IndexState
from assistant.store.layout import CHROMA_DIR, INDEX_ID_FILE

log = logging.getLogger(__name__)
# Chunks written to Chroma at a time, and how often its vector index is saved. Chroma logs each
# write (vector and metadata) in its sqlite file until the vector index is saved, then drops the
# entries, but sqlite keeps the pages: so the log's high-water mark stays in the file for good.
# Saving every 200 chunks instead of Chroma's 1000 keeps that mark a fifth of the size (for the
# 1 MB one-line text, 1.0 MB of sqlite instead of 2.6 MB); the extra saves cost milliseconds.
CHROMA_BATCH = 200
# The fields `assistant.retrieval.retrieve` filters the dense search by; chunks.jsonl holds the rest.
FILTER_FIELDS = ("doc_id", "doc_type", "date_int", "council", "judgement")


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
    path = settings.index_dir / CHROMA_DIR
    try:
        client = chromadb.PersistentClient(path=str(path), settings=chroma_settings)
        client.heartbeat()
        return client
    except Exception as exc:  # a damaged sqlite file or segment surfaces as several types
        if not reset_damaged:
            raise IndexDamaged(
                settings.index_dir,
                f"the Chroma store in {CHROMA_DIR}/ cannot be opened: {type(exc).__name__}: {first_line(exc)}",
            ) from None
        log.warning("the Chroma store at %s cannot be opened (%s): making it anew", path, exc)
        _forget_chroma_clients()
        shutil.rmtree(path, ignore_errors=True)
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


def _forget_chroma_clients() -> None:
    # chromadb keeps one client per path for the process: a store deleted under it must be reopened.
    from chromadb.api.client import SharedSystemClient

    SharedSystemClient.clear_system_cache()


def first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [""])[0][:200]


def collection_name(settings: Settings, generation: int) -> str:
    """The Chroma collection of a generation. On a server, several index folders may share one
    store: the folder's own id keeps their collections (and their clean-ups) apart."""
    if settings.uses_server:
        return f"{settings.collection_prefix}-{index_id(settings.index_dir)}-g{generation}"
    return f"{settings.collection_prefix}-g{generation}"


def index_id(index_dir: Path) -> str:
    """A short random id of an index folder, made on first use and kept in `index-id`."""
    path = index_dir / INDEX_ID_FILE
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        index_dir.mkdir(parents=True, exist_ok=True)
        aside = index_dir / f"{INDEX_ID_FILE}.{os.getpid()}"
        aside.write_text(secrets.token_hex(4), encoding="ascii")
        try:
            os.link(aside, path)  # the first of two processes to make it wins; the other reads it
        except FileExistsError:
            pass
        finally:
            aside.unlink()
        return path.read_text(encoding="ascii").strip()


def open_collection(settings: Settings, state: IndexState):
    """The generation's Chroma collection, checked: it is there, whole, and can be searched."""
    client = chroma_client(settings)
    try:
        collection = client.get_collection(state.collection)
    except Exception:
        where = (
            f"the Chroma server at {settings.chroma_host}:{settings.chroma_port} (reset, or another one?)"
            if settings.uses_server
            else f"{CHROMA_DIR}/"
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
            f"the Chroma collection {state.collection!r} cannot be read: {type(exc).__name__}: {first_line(exc)}",
        ) from None
    if state.chunks >= 0 and count != state.chunks:
        raise IndexDamaged(
            settings.index_dir,
            f"the Chroma collection {state.collection!r} holds {count} chunks, {state.chunks} were written",
        )
    return collection


def write_collection(
    settings: Settings,
    generation: int,
    chunks: Sequence[Chunk],
    vectors: Sequence[np.ndarray] | np.ndarray,
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


def chunk_vectors(collection: Any, chunk_ids: Sequence[str]) -> list[np.ndarray]:
    """The stored vectors of these chunks of a generation's collection, in order: an ingest
    copies an unchanged document's vectors rather than embedding it again."""
    found: dict[str, np.ndarray] = {}
    for i in range(0, len(chunk_ids), CHROMA_BATCH):
        got = collection.get(ids=list(chunk_ids[i : i + CHROMA_BATCH]), include=["embeddings"])
        for cid, vec in zip(got["ids"], got["embeddings"]):
            found[cid] = np.asarray(vec, dtype=np.float32)
    return [found[cid] for cid in chunk_ids]


def drop_generations(settings: Settings, doomed: Callable[[int], bool]) -> None:
    """Drop this index folder's collections whose generation number `doomed` says may go."""
    client = chroma_client(settings)
    prefix = collection_name(settings, 0).removesuffix("0")  # this index folder's collections only
    for collection in client.list_collections():
        name = collection if isinstance(collection, str) else collection.name
        number = name[len(prefix) :]
        if not name.startswith(prefix) or not number.isdigit() or not doomed(int(number)):
            continue
        try:
            client.delete_collection(name)
            log.info("dropped collection %s", name)
        except Exception:
            pass  # gone already
