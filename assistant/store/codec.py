"""The bytes of each file of a generation and of state.json: each writer beside its reader.

Only this module touches the format: a change here is a change of `PIPELINE_VERSION`
(tests/store/test_reliability.py pins it). Readers raise what the parsers raise; `read.py` turns that
into an `IndexDamaged` naming the file.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from assistant.core.types import ActionRow, Chunk, DocumentInfo, FileRecord, IndexState, ProgressNote
from assistant.store.index import Passage

# Sentence embeddings on disk: half the bytes of float32, and cosines within 1e-3 of it (the
# embeddings are unit vectors); widened to float32 once when a generation is opened.
SENTENCE_DTYPE = np.float16
# Fields of a chunks.jsonl row that are never left out for being the previous row's.
_OWN_FIELDS = ("passage", "text", "text_span")


def file_record(path: Path) -> FileRecord:
    """A file's size and SHA-256, read in blocks rather than held."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
            size += len(block)
    return FileRecord(size=size, sha256=digest.hexdigest())


# --- state.json ------------------------------------------------------------------------------


def encode_state(state: IndexState) -> str:
    return json.dumps(state.to_json(), indent=1)


def decode_state(data: bytes) -> IndexState:
    return IndexState.from_json(json.loads(data))


# --- chunks.jsonl ----------------------------------------------------------------------------


def encode_chunks(chunks: list[Chunk], texts: dict[str, str]) -> Iterator[str]:
    """The lines of chunks.jsonl: one row a chunk, each without what `decode_chunks` can tell
    from elsewhere.

    Args:
        texts: each document's cleaned text (docs.json.gz), of which a passage is usually a span.
    """
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
        if chunk.passage_id not in written and texts.get(chunk.doc_id, "")[chunk.start : chunk.end] != chunk.passage:
            row["passage"] = chunk.passage
        written.add(chunk.passage_id)
        # A piece's text is a part of its passage: where it is, not the words again.
        at = chunk.passage.find(chunk.text)
        if at >= 0:
            row["text_span"] = [at, at + len(chunk.text)]
        else:
            row["text"] = chunk.text
        yield json.dumps(row) + "\n"


def decode_chunks(data: bytes, texts: dict[str, str]) -> list[Chunk]:
    """chunks.jsonl as `encode_chunks` writes it: a field left out has the previous row's
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


# --- sentences.npz, sentence_vectors.npy, chunks.npz -----------------------------------------


def write_sentences(path: Path, rows: list[tuple[str, int, int]], hub: np.ndarray) -> None:
    """sentences.npz: each sentence row's passage and span in it, and its hubness."""
    passage_ids, passage_of = np.unique(np.array([r[0] for r in rows], dtype=str), return_inverse=True)
    np.savez(
        path,
        passage_ids=passage_ids,  # each once; passage_of gives a sentence's
        passage_of=passage_of.astype(np.int32),
        starts=np.array([r[1] for r in rows], dtype=np.int32),
        ends=np.array([r[2] for r in rows], dtype=np.int32),
        hub=hub,
    )


def read_sentences(data: bytes) -> tuple[dict[str, Passage], np.ndarray]:
    """The passages of sentences.npz with their sentences' spans and rows, and each row's hubness."""
    sentences = np.load(io.BytesIO(data))
    passage_ids = [str(pid) for pid in sentences["passage_ids"]]
    passages: dict[str, Passage] = {}
    for row, (which, start, end) in enumerate(
        zip(sentences["passage_of"].tolist(), sentences["starts"].tolist(), sentences["ends"].tolist())
    ):
        passage = passages.setdefault(passage_ids[which], Passage(passage_ids[which], [], []))
        passage.spans.append((start, end))
        passage.rows.append(row)
    return passages, sentences["hub"]


def write_vectors(path: Path, vectors: np.ndarray) -> None:
    np.save(path, np.asarray(vectors, dtype=SENTENCE_DTYPE))


def read_vectors(path: Path) -> np.ndarray:
    # Read from the page cache, widened once: every consumer multiplies these by a float32
    # query, which numpy does fast only in float32.
    return np.load(path, mmap_mode="r").astype(np.float32)


def write_chunk_hub(path: Path, hub: np.ndarray) -> None:
    np.savez(path, hub=hub)


def read_chunk_hub(data: bytes) -> np.ndarray:
    return np.load(io.BytesIO(data))["hub"]


# --- actions.json, glossary.json, docs.json.gz -----------------------------------------------


def encode_actions(actions: list[dict]) -> str:
    return json.dumps(actions)


def decode_actions(data: bytes) -> dict[str, ActionRow]:
    """Each action-plan row by its reference."""
    actions = {}
    for row in json.loads(data):
        row["progress"] = tuple(ProgressNote(**p) for p in row["progress"])
        actions[row["ref"]] = ActionRow(**row)
    return actions


def encode_glossary(glossary: dict) -> str:
    return json.dumps(glossary, indent=1)


def decode_glossary(data: bytes) -> dict[str, list[str]]:
    return json.loads(data)


def encode_docs(docs: list[dict]) -> bytes:
    # The documents' texts, the bulk of a generation, compress about four times.
    # mtime=0: the same contents give the same bytes, so the same hash.
    return gzip.compress(json.dumps(docs).encode("utf-8"), compresslevel=6, mtime=0)


def decode_docs(data: bytes) -> tuple[dict[str, DocumentInfo], dict[str, str], dict[str, str]]:
    """Each document's facts, raw text and cleaned text, by document id."""
    docs_data: list[dict[str, Any]] = json.loads(gzip.decompress(data))
    docs = {d["info"]["doc_id"]: DocumentInfo.from_json(d["info"]) for d in docs_data}
    texts = {d["info"]["doc_id"]: d.get("text", "") for d in docs_data}
    raw_texts = {d["info"]["doc_id"]: d["raw_text"] for d in docs_data}
    return docs, raw_texts, texts
