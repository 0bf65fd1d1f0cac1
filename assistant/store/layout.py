"""Where the index lives: the folder's layout, its file names and the format's version.

`assistant.store` is the one home of the on-disk format. Layout of `settings.index_dir`:

    state.json        the live generation (an `IndexState`): its number, Chroma collection,
                      documents with their content keys, and the size and SHA-256 of each file
    gen-N/            chunks.jsonl, lexical.npz (BM25), sentences.npz, sentence_vectors.npy,
                      chunks.npz, actions.json, glossary.json, docs.json.gz of generation N
    chroma/           the embedded Chroma store (unused when a Chroma server is configured)
    index-id          a short random id of the folder, naming its collections on a Chroma server
    ingest.lock       held by the one ingest running (see `ingest_lock`)
    pending-vectors/  vectors an unfinished ingest has embedded, for the next one to resume with
                      (see `ingest.pending`); emptied by every commit

Ingest writes a whole new generation (files and a Chroma collection `<prefix>-gN`) and only then
replaces `state.json` in one atomic rename. A killed ingest leaves the live generation untouched;
the next ingest removes the leftovers. Its steps are the store's, not the caller's: ingest opens
one `Generation` (`new_generation`, write.py), which holds `ingest_lock`, reads and checks the
live state (`read_state`/`verify`), reuses the documents it keeps (their vectors read back by
the generation itself), writes the files (`write_generation`) and the collection
(`write_collection`), commits `state.json` and removes what no one reads any more
(`remove_unread_generations`). `ingest/` decides what goes in (the pipeline and the diff).

Readers and writers share the folder: a process that opens a generation holds a shared `flock`
on its folder for as long as it uses it, and a generation is removed (folder and collection) only
by whoever gets an exclusive lock on it, i.e. when nothing reads it. So a server keeps answering
from its generation while an ingest commits the next one, and switches between questions. The
kernel drops a dead process's locks, so a killed reader never pins a generation for ever.

The modules: layout (this), codec (each file's bytes, both ways), index (the `Index` in memory),
chroma (the client and the collections), read (open, check, the process's cache, leases),
cleanup (the ingest lock, removing unread generations), write (the `Generation`).
"""

from __future__ import annotations

import re
from pathlib import Path

STATE_FILE = "state.json"
LOCK_FILE = "ingest.lock"
INDEX_ID_FILE = "index-id"
CHROMA_DIR = "chroma"
PENDING_VECTORS_DIR = "pending-vectors"
VECTORS_FILE = "sentence_vectors.npy"  # a plain array file, so it can be read memory-mapped
# The files of a generation, all checked against their recorded size and hash when opened.
GENERATION_FILES = (
    "chunks.jsonl",
    "lexical.npz",
    "sentences.npz",
    VECTORS_FILE,
    "chunks.npz",
    "actions.json",
    "glossary.json",
    "docs.json.gz",
)
# Bump when cleaning, chunking, what is read of a document (its council, kind, dates, grades) or
# the files' format changes: every document is re-ingested, and a reader refuses an index of
# another version with a message rather than misreading it.
PIPELINE_VERSION = 22


def generation_dir(index_dir: Path, generation: int) -> Path:
    return Path(index_dir) / f"gen-{generation}"


def generation_number(name: str) -> int | None:
    """The number of a generation's folder `gen-N` (or a killed ingest's `gen-N.tmp`), else None."""
    found = re.fullmatch(r"gen-(\d+)(?:\.tmp)?", name)
    return int(found.group(1)) if found else None
