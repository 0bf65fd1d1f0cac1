"""The index on disk, both directions: the one home of its format (see `layout` for the folder).

Callers outside the package import from here; the modules are `layout` (file names and the
version), `codec` (each file's bytes), `index` (the `Index` in memory), `chroma`, `read`
(`open_index` and the process's cache), `cleanup` (the ingest lock, removing unread
generations) and `write` (the `Generation` an ingest fills and commits), beside `lexical` (BM25)
and `feedback`.
"""

from __future__ import annotations

from assistant.store.chroma import chroma_client
from assistant.store.cleanup import ingest_lock
from assistant.store.codec import SENTENCE_DTYPE
from assistant.store.index import Index, Passage
from assistant.store.layout import GENERATION_FILES, PENDING_VECTORS_DIR, PIPELINE_VERSION, STATE_FILE
from assistant.store.read import IndexCache, forget_loaded, open_index, read_state
from assistant.store.write import (
    Contents,
    Generation,
    commit_generation,
    new_generation,
    next_generation,
    write_generation,
)

__all__ = [
    "GENERATION_FILES",
    "PENDING_VECTORS_DIR",
    "PIPELINE_VERSION",
    "SENTENCE_DTYPE",
    "STATE_FILE",
    "Contents",
    "Generation",
    "Index",
    "IndexCache",
    "Passage",
    "chroma_client",
    "commit_generation",
    "forget_loaded",
    "ingest_lock",
    "new_generation",
    "next_generation",
    "open_index",
    "read_state",
    "write_generation",
]
