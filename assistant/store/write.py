"""Writing the index: one `Generation` an ingest fills, then commits; the store keeps the order.

    with new_generation(settings, rebuild=False, check=...) as gen:
        gen.live                  # the live state whose documents may be reused (None: reuse nothing)
        gen.reuse(doc_ids)        # copy those documents from the live generation: nothing embedded
        gen.add(docs=..., chunks=..., vectors=..., ...)   # what was made anew
        contents = gen.contents() # everything, in the files' order (for BM25, hubness, glossary)
        gen.commit(keys=..., lexical=..., sentence_hub=..., chunk_hub=..., glossary=...)

Leaving the block without `commit` writes nothing (an index found up to date).
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import shutil
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant.core.errors import IndexDamaged
from assistant.core.settings import Settings
from assistant.core.types import ActionRow, Chunk, Document, FileRecord, IndexedDoc, IndexState
from assistant.store import codec
from assistant.store.chroma import chroma_client, chunk_vectors, collection_name, write_collection
from assistant.store.cleanup import ingest_lock, remove_unread_generations
from assistant.store.index import Index
from assistant.store.layout import GENERATION_FILES, PIPELINE_VERSION, STATE_FILE, VECTORS_FILE, generation_dir
from assistant.store.lexical import BM25
from assistant.store.read import load_generation, loaded, read_state, verify


@dataclass
class Contents:
    """A new generation's contents, in the order its files hold them."""

    docs: dict[str, Document]
    chunks: list[Chunk]  # by document, then chunk id: the order of chunks.jsonl and the collection
    chunk_vectors: np.ndarray  # one row a chunk
    sentence_rows: list[tuple[str, int, int]]  # (passage id, start, end) of each sentence
    sentence_vectors: np.ndarray  # one row a sentence
    actions: list[ActionRow]


@dataclass
class _Gathered:
    """The contents of a new generation, gathered before anything is written."""

    docs: dict[str, Document] = field(default_factory=dict)
    chunks: list[Chunk] = field(default_factory=list)
    vectors: list[np.ndarray] = field(default_factory=list)
    sentence_rows: list[tuple[str, int, int]] = field(default_factory=list)
    sentence_vectors: list[np.ndarray] = field(default_factory=list)
    actions: list[ActionRow] = field(default_factory=list)


@contextlib.contextmanager
def new_generation(
    settings: Settings, *, rebuild: bool = False, check: Callable[[], object] | None = None
) -> Iterator[Generation]:
    """The generation an ingest writes next, with the ingest lock held for the block.

    Before the block, a damaged embedded Chroma store is made anew, a killed ingest's leftovers
    are removed, and the live generation is checked: `gen.live` is what may be reused.

    Args:
        rebuild: reuse nothing of the live generation.
        check: called once the lock is held, before anything is touched: what it raises stops
            the ingest with nothing changed (a malformed manifest).
    Raises:
        IngestBusy: another ingest holds the lock; nothing is changed.
    """
    with ingest_lock(settings.index_dir):
        if check is not None:
            check()
        yield Generation.start(settings, rebuild=rebuild)


class Generation:
    """A new generation of one index folder: filled by `reuse` and `add`, written by `commit`.

    Attributes:
        live: the live state whose documents may be reused: of this pipeline version, not on a
            rebuild, found whole. None when there is nothing to reuse.
        damaged: what was wrong with the live index ("" when nothing), rebuilt by this ingest.
        number: the number this generation is written under.
    """

    def __init__(self, settings: Settings, live: IndexState | None, damaged: str, number: int):
        self.settings = settings
        self.live = live
        self.damaged = damaged
        self.number = number
        self._gathered = _Gathered()
        self._contents: Contents | None = None

    @classmethod
    def start(cls, settings: Settings, *, rebuild: bool) -> Generation:
        """Mend and check what is there, and number the new generation (the ingest lock held)."""
        damaged = ""
        try:
            state = read_state(settings.index_dir)
        except IndexDamaged as exc:
            state, damaged = None, exc.part
        # An embedded store that cannot be opened is part of a damaged index: made anew, then rebuilt.
        chroma_client(settings, reset_damaged=True)
        # A killed ingest's leftovers go first, whether or not anything changed since.
        remove_unread_generations(settings, state, ingesting=True)
        live = state if state is not None and state.version == PIPELINE_VERSION and not rebuild else None
        if live is not None:
            damaged = verify(settings, live)
            if damaged:
                live = None
        return cls(settings, live, damaged, next_generation(settings.index_dir, state))

    def reuse(self, doc_ids: set[str]) -> None:
        """Copy these documents of the live generation (chunks, vectors, sentences, action rows,
        texts) into this one: nothing is embedded again."""
        if self.live is None or not doc_ids:
            return
        # Read by the writer itself, with its own lease, and let go once copied: a reader of
        # the same generation in this process keeps its own copy.
        old = load_generation(self.settings, self.live, with_collection=True)
        try:
            _copy(old, doc_ids, self._gathering())
        finally:
            old.close()

    def add(
        self,
        *,
        docs: Iterable[Document],
        chunks: Sequence[Chunk],
        vectors: Iterable[np.ndarray],
        sentence_rows: Iterable[tuple[str, int, int]],
        sentence_vectors: Iterable[np.ndarray],
        actions: Iterable[ActionRow],
    ) -> None:
        """Add what was made anew: documents, chunks with a vector each, sentences with theirs."""
        gathered = self._gathering()
        gathered.docs.update((doc.info.doc_id, doc) for doc in docs)
        gathered.chunks.extend(chunks)
        gathered.vectors.extend(vectors)
        gathered.sentence_rows.extend(sentence_rows)
        gathered.sentence_vectors.extend(sentence_vectors)
        gathered.actions.extend(actions)

    def contents(self) -> Contents:
        """Everything gathered, in the files' order; nothing can be added after."""
        if self._contents is None:
            self._contents = _in_file_order(self._gathered)
        return self._contents

    def commit(
        self,
        *,
        keys: dict[str, str],
        lexical: BM25,
        sentence_hub: np.ndarray,
        chunk_hub: np.ndarray,
        glossary: dict,
        on_stored: Callable[[int], None] | None = None,
    ) -> IndexState:
        """Write the files and the collection, make this generation live, remove what no one reads.

        Args:
            keys: the content key of each new or changed document (a reused one keeps its own).
            lexical, sentence_hub, chunk_hub, glossary: made from `contents()`, in its order.
            on_stored: called with the number of chunks of each batch stored (a progress bar).
        Returns:
            The `IndexState` now in state.json.
        """
        contents = self.contents()
        settings = self.settings
        files = write_generation(
            settings.index_dir,
            self.number,
            chunks=contents.chunks,
            lexical=lexical,
            sentence_rows=contents.sentence_rows,
            sentence_vectors=contents.sentence_vectors,
            sentence_hub=sentence_hub,
            chunk_hub=chunk_hub,
            actions=[dataclasses.asdict(a) for a in contents.actions],
            glossary=glossary,
            docs=[
                {"info": dataclasses.asdict(d.info), "raw_text": d.raw_text, "text": d.text}
                for d in contents.docs.values()
            ],
        )
        write_collection(settings, self.number, contents.chunks, contents.chunk_vectors, on_stored=on_stored)
        state = commit_generation(
            settings, self.number, docs=self._indexed_docs(keys), files=files, chunks=len(contents.chunks)
        )
        # What this process loaded of the folder is old now: it goes with its last user.
        loaded.forget_folder(settings.index_dir)
        # The previous generation goes now unless a running server still reads it; then that server
        # removes it once it has moved on, or the next ingest does.
        remove_unread_generations(settings, state, ingesting=True)
        return state

    def _gathering(self) -> _Gathered:
        if self._contents is not None:
            raise RuntimeError("the generation's contents were taken: nothing can be added now")
        return self._gathered

    def _indexed_docs(self, keys: dict[str, str]) -> dict[str, IndexedDoc]:
        """What state.json records of each document of the new generation: file, content key, chunks."""
        contents = self.contents()
        counts: dict[str, int] = {}
        for chunk in contents.chunks:
            counts[chunk.doc_id] = counts.get(chunk.doc_id, 0) + 1
        old_docs = self.live.docs if self.live is not None else {}
        docs = {}
        for doc_id, doc in contents.docs.items():
            kept = old_docs.get(doc_id)
            key = keys.get(doc_id) or (kept.key if kept else "")
            docs[doc_id] = IndexedDoc(file=doc.info.file, key=key, chunks=counts.get(doc_id, 0))
        return docs


def _copy(old: Index, doc_ids: set[str], gathered: _Gathered) -> None:
    """Copy unchanged documents' chunks and vectors from the live generation: no embedding."""
    chunks = [c for c in old.chunks if c.doc_id in doc_ids]
    gathered.chunks.extend(chunks)
    gathered.vectors.extend(chunk_vectors(old.collection, [c.chunk_id for c in chunks]))
    for passage in old.passages.values():
        if passage.passage_id.split(":")[0] in doc_ids:
            for (a, b), row in zip(passage.spans, passage.rows):
                gathered.sentence_rows.append((passage.passage_id, a, b))
                gathered.sentence_vectors.append(old.sentence_vectors[row])
    gathered.actions.extend(a for a in old.actions.values() if a.doc_id in doc_ids)
    for doc_id in doc_ids:
        # The cleaned text is kept (the glossary needs it); a PDF's layout is not, so it is not
        # cleaned again.
        gathered.docs[doc_id] = Document(
            info=old.docs[doc_id], raw_text=old.raw_texts[doc_id], text=old.texts.get(doc_id, "")
        )


def _in_file_order(gathered: _Gathered) -> Contents:
    order = sorted(range(len(gathered.chunks)), key=lambda i: (gathered.chunks[i].doc_id, gathered.chunks[i].chunk_id))
    chunks = [gathered.chunks[i] for i in order]
    vectors = [gathered.vectors[i] for i in order]
    rows = gathered.sentence_rows
    return Contents(
        docs=gathered.docs,
        chunks=chunks,
        chunk_vectors=np.array(vectors, dtype=np.float32).reshape(len(chunks), -1),
        sentence_rows=rows,
        sentence_vectors=np.array(gathered.sentence_vectors, dtype=np.float32).reshape(len(rows), -1),
        actions=gathered.actions,
    )


def next_generation(index_dir: Path, state: IndexState | None) -> int:
    """The number of the generation an ingest writes next."""
    # Numbers still held by readers (or a damaged state's) are never reused.
    used = [int(found[1]) for p in Path(index_dir).glob("gen-*") if (found := re.match(r"gen-(\d+)", p.name))]
    return max(used + [state.generation if state else 0]) + 1


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
        out.writelines(codec.encode_chunks(chunks, texts))
    (tmp / "lexical.npz").write_bytes(lexical.to_bytes())
    codec.write_sentences(tmp / "sentences.npz", sentence_rows, sentence_hub)
    codec.write_vectors(tmp / VECTORS_FILE, sentence_vectors)
    codec.write_chunk_hub(tmp / "chunks.npz", chunk_hub)
    (tmp / "actions.json").write_text(codec.encode_actions(actions))
    (tmp / "glossary.json").write_text(codec.encode_glossary(glossary))
    (tmp / "docs.json.gz").write_bytes(codec.encode_docs(docs))
    records = {name: codec.file_record(tmp / name) for name in GENERATION_FILES}
    os.replace(tmp, final)
    return records


def commit(index_dir: Path, state: IndexState) -> None:
    """Make `state`'s generation live: one atomic rename of state.json, written to disk first."""
    tmp = Path(index_dir) / (STATE_FILE + ".tmp")
    with tmp.open("w") as out:
        out.write(codec.encode_state(state))
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, Path(index_dir) / STATE_FILE)


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
