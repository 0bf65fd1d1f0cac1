"""Build or update the index: load -> clean -> chunk -> embed -> write a new generation.

Incremental and idempotent: every document has a content key (its bytes, its manifest facts and
the pipeline version). A document whose key is unchanged keeps its chunks and embeddings, copied
from the live generation; only new or changed documents are embedded. With nothing changed,
nothing is written at all. Safe: the new generation becomes live only by the atomic rename of
`state.json` at the very end (see `assistant.store`), one ingest runs at a time (the store's
lock), and a live generation found damaged is rebuilt rather than reported "up to date".
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from tqdm import tqdm

from assistant.core.embed import DIMENSIONS, embed
from assistant.core.errors import LoadError
from assistant.core.settings import Settings
from assistant.core.taxonomy import load_taxonomy
from assistant.core.types import ActionRow, Chunk, Document, IndexedDoc
from assistant.store import PIPELINE_VERSION, Contents, Generation, new_generation
from assistant.store.lexical import BM25
from ingest.actions import parse_action_plan
from ingest.chunk import chunk_document, passage_sentences
from ingest.clean import clean_document
from ingest.glossary import mine_glossary
from ingest.load import load_documents
from ingest.manifest import read_manifest
from ingest.pending import PendingVectors, text_key
from ingest.vectors import mean_of_sentences

log = logging.getLogger(__name__)


@dataclass
class IngestReport:
    """What an ingest did, for the CLI's summary line."""

    documents: int = 0
    chunks: int = 0
    embedded_docs: list[str] = field(default_factory=list)
    embedded_chunks: int = 0
    embedded_texts: int = 0  # distinct texts (chunks and sentences) embedded by this run
    resumed_texts: int = 0  # distinct texts whose vectors a killed earlier run had left
    reused_docs: list[str] = field(default_factory=list)
    removed_docs: list[str] = field(default_factory=list)
    kept_after_error: list[str] = field(default_factory=list)
    errors: list[LoadError] = field(default_factory=list)
    generation: int = 0
    up_to_date: bool = False
    damaged: str = ""  # what was wrong with the live index, rebuilt by this ingest
    seconds: float = 0.0


def build_index(
    settings: Settings, *, paths: list[Path] | None = None, rebuild: bool = False, progress: bool = True
) -> IngestReport:
    """Bring the index in line with the corpus.

    Args:
        settings: where the corpus and the index are, Chroma location, size limits.
        paths: only (re)ingest these files or folders, leaving other documents as they are;
            None syncs the whole corpus, removing documents whose files are gone.
        rebuild: embed everything again, ignoring what the live generation holds.
        progress: show progress bars on stderr.
    Returns:
        An `IngestReport`. Files that failed to load are in `errors`; a document that was
        indexed before and now fails keeps its previous chunks.
    Raises:
        ManifestError: the manifest is malformed; nothing is changed.
        IngestBusy: another ingest is running on the same index; nothing is changed.
    """
    # A malformed manifest stops the run before anything is touched.
    with new_generation(settings, rebuild=rebuild, check=lambda: read_manifest(settings.corpus_dir)) as gen:
        return _build(gen, paths, progress)


def _build(gen: Generation, paths: list[Path] | None, progress: bool) -> IngestReport:
    started = time.perf_counter()
    settings = gen.settings
    report = IngestReport(damaged=gen.damaged)
    if report.damaged:
        log.warning(
            "the index in %s is damaged (%s): rebuilding it from the whole corpus", settings.index_dir, report.damaged
        )
        paths = None  # the documents not asked about are lost with the damaged generation
    loaded, report.errors = load_documents(settings.corpus_dir, paths, settings, progress=progress)
    old_docs: dict[str, IndexedDoc] = gen.live.docs if gen.live is not None else {}
    keys = {doc.info.doc_id: _content_key(doc, settings.passage_vectors) for doc in loaded}
    fresh, reused = _diff(settings, loaded, keys, old_docs, paths, report)

    if gen.live is not None and not fresh and not report.removed_docs:
        report.up_to_date = True
        PendingVectors(settings.index_dir).clear()  # a killed run's vectors of documents since unchanged back
        report.generation = gen.live.generation
        report.documents = len(old_docs)
        report.chunks = sum(e.chunks for e in old_docs.values())
        report.seconds = time.perf_counter() - started
        return report

    gen.reuse(reused)
    _process(fresh, settings, gen, progress, report)
    contents = gen.contents()
    embedded = set(report.embedded_docs)
    report.embedded_chunks = sum(1 for c in contents.chunks if c.doc_id in embedded)
    _commit(gen, contents, keys, progress)
    PendingVectors(settings.index_dir).clear()
    report.generation = gen.number
    report.documents = len(contents.docs)
    report.chunks = len(contents.chunks)
    report.seconds = time.perf_counter() - started
    return report


def _diff(
    settings: Settings,
    loaded: list[Document],
    keys: dict[str, str],
    old_docs: dict[str, IndexedDoc],
    paths: list[Path] | None,
    report: IngestReport,
) -> tuple[list[Document], set[str]]:
    """The documents to embed (new or changed) and those whose chunks are kept from the live
    generation; the report's lists of embedded, reused, removed and kept documents."""
    failed_files = {Path(e.path).resolve() for e in report.errors}
    keep_old = set()
    for doc_id, entry in old_docs.items():
        path = (settings.corpus_dir / entry.file).resolve()
        if doc_id in keys:
            continue
        if paths is not None or (path in failed_files and path.exists()):
            keep_old.add(doc_id)  # not asked about, or failed to load: the previous version stays
            if path in failed_files:
                report.kept_after_error.append(doc_id)
    fresh = [doc for doc in loaded if getattr(old_docs.get(doc.info.doc_id), "key", None) != keys[doc.info.doc_id]]
    reused = keep_old | {d for d in keys if d not in {doc.info.doc_id for doc in fresh}}
    report.removed_docs = sorted(set(old_docs) - set(keys) - keep_old)
    report.reused_docs = sorted(reused)
    report.embedded_docs = [doc.info.doc_id for doc in fresh]
    return fresh, reused


def _commit(gen: Generation, contents: Contents, keys: dict[str, str], progress: bool) -> None:
    """What is made from the whole generation (BM25, hubness, the glossary), then the commit."""
    chunks, rows = contents.chunks, contents.sentence_rows
    lexical = BM25.build(lexical_text(c) for c in chunks)
    sentence_hub = hubness(contents.sentence_vectors, [r[0] for r in rows])
    chunk_hub = hubness(contents.chunk_vectors, [c.passage_id for c in chunks])
    glossary = mine_glossary(list(contents.docs.values()))
    with tqdm(total=len(chunks), desc="storing", unit="chunk", disable=not progress) as bar:
        gen.commit(
            keys=keys,
            lexical=lexical,
            sentence_hub=sentence_hub,
            chunk_hub=chunk_hub,
            glossary=glossary,
            on_stored=bar.update,
        )


def _content_key(doc: Document, passage_vectors: str) -> str:
    # How passage vectors are made is part of the key: switching it embeds every document again.
    facts = json.dumps(dataclasses.asdict(doc.info), sort_keys=True)
    return hashlib.sha256(f"{PIPELINE_VERSION}\n{doc.content_hash}\n{facts}\n{passage_vectors}".encode()).hexdigest()


def embedding_input(chunk: Chunk) -> str:
    """What is embedded for a chunk: the words that place it, then its text."""
    return f"{chunk.context}. {chunk.text}" if chunk.context else chunk.text


def _process(fresh: list[Document], settings: Settings, gen: Generation, progress: bool, report: IngestReport) -> None:
    """Clean, chunk and embed new or changed documents, and add them to the generation."""
    docs, chunks, sentences, actions = _chunked(fresh, settings, progress)
    passage_vectors, sentence_vectors = _embedded(chunks, sentences, settings, progress, report)
    gen.add(
        docs=docs,
        chunks=chunks,
        vectors=passage_vectors,
        sentence_rows=[(pid, a, b) for pid, a, b, _ in sentences],
        sentence_vectors=sentence_vectors,
        actions=actions,
    )


def _chunked(
    fresh: list[Document], settings: Settings, progress: bool
) -> tuple[list[Document], list[Chunk], list[tuple[str, int, int, str]], list[ActionRow]]:
    """The cleaned documents, their chunks, their passages' sentences (passage id, start, end,
    text) and their action-plan rows."""
    docs: list[Document] = []
    new_chunks: list[Chunk] = []
    sentences: list[tuple[str, int, int, str]] = []
    actions: list[ActionRow] = []
    for doc in tqdm(fresh, desc="documents", unit="doc", disable=not progress or not fresh):
        doc = clean_document(doc)
        docs.append(doc)
        # An action plan is parsed once: its rows are both passages and the tracker's records.
        rows = parse_action_plan(doc) if load_taxonomy().kind(doc.info.doc_type).rows else []
        chunks = chunk_document(
            doc,
            max_tokens=settings.embed_max_tokens,
            pack_tokens=settings.pack_tokens,
            max_passage_tokens=settings.max_passage_tokens,
            action_rows=rows,
        )
        new_chunks.extend(chunks)
        for chunk in chunks:
            if chunk.part == 0:
                for a, b in passage_sentences(chunk):
                    sentences.append((chunk.passage_id, a, b, chunk.passage[a:b]))
        actions.extend(rows)
    return docs, new_chunks, sentences, actions


def _embedded(
    new_chunks: list[Chunk],
    sentences: list[tuple[str, int, int, str]],
    settings: Settings,
    progress: bool,
    report: IngestReport,
) -> tuple[list[np.ndarray], np.ndarray]:
    """A vector for each chunk and for each sentence: the chunk's embedded, or the mean of its
    sentences' (`passage_vectors = "sentences"`, see `ingest.vectors`)."""
    if settings.passage_vectors == "sentences":
        sentence_vectors = _embed_with_progress([s[3] for s in sentences], settings, progress, report)
        means = mean_of_sentences(new_chunks, [s[:3] for s in sentences], sentence_vectors)
        alone = [i for i, v in enumerate(means) if v is None]  # no sentence to average: embedded
        embedded: dict[int, np.ndarray] = {}
        if alone:
            embedded = dict(
                zip(
                    alone,
                    _embed_with_progress([embedding_input(new_chunks[i]) for i in alone], settings, progress, report),
                )
            )
        return [v if v is not None else embedded[i] for i, v in enumerate(means)], sentence_vectors
    vectors = _embed_with_progress(
        [embedding_input(c) for c in new_chunks] + [s[3] for s in sentences], settings, progress, report
    )
    return list(vectors[: len(new_chunks)]), vectors[len(new_chunks) :]


def _embed_with_progress(texts: list[str], settings: Settings, progress: bool, report: IngestReport) -> np.ndarray:
    """Vectors of `texts`: each distinct text embedded once, and none that a killed ingest
    already embedded (see `ingest.pending`); every slice is kept on disk as it is made."""
    pending = PendingVectors(settings.index_dir)
    known = pending.load()
    keys = [text_key(t) for t in texts]
    todo: dict[bytes, str] = {}
    for key, text in zip(keys, texts):
        if key not in known:
            todo.setdefault(key, text)
    report.resumed_texts += sum(1 for key in set(keys) if key in known)
    report.embedded_texts += len(todo)
    # Large slices: the embedder sorts each slice by length, so texts of like length share a
    # batch and little is padding; the bar still moves every few seconds.
    step = settings.embed_batch_size * 32
    items = list(todo.items())
    with tqdm(total=len(items), desc="embedding", unit="text", disable=not progress or not items) as bar:
        for i in range(0, len(items), step):
            part = items[i : i + step]
            vectors = embed([text for _, text in part], batch_size=settings.embed_batch_size)
            pending.add([key for key, _ in part], vectors)
            known.update(zip((key for key, _ in part), vectors))
            bar.update(len(part))
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    return np.stack([known[key] for key in keys])


def hubness(vectors: np.ndarray, groups: list[str], k: int = 10) -> np.ndarray:
    """Each vector's mean cosine to its k nearest neighbours outside its own passage.

    Some passages ("Between 23 and 27 September 2019, Ofsted ... carried out a joint
    inspection") sit close to everything and would top the dense ranking for any question that
    names the inspection. Retrieval subtracts a share of this figure (the CSLS correction of
    Conneau et al., 2018) so such hubs no longer crowd out the passage that answers.
    """
    n = len(vectors)
    out = np.zeros(n, dtype=np.float32)
    if n < 2:
        return out
    group_ids = np.unique(np.array(groups), return_inverse=True)[1]
    k = min(k, n - 1)
    for start in range(0, n, 1024):
        sims = vectors[start : start + 1024] @ vectors.T
        same = group_ids[start : start + 1024, None] == group_ids[None, :]
        sims[same] = -1.0  # a passage's own sentences are not its neighbours
        top = np.partition(sims, -k, axis=1)[:, -k:]
        out[start : start + 1024] = top.mean(axis=1)
    return out


def lexical_text(chunk: Chunk) -> str:
    """What BM25 matches: the text, its section, and its reference spelled as users write it."""
    ref = f" action {chunk.ref}" if chunk.kind == "action" else (f" {chunk.ref}" if chunk.ref else "")
    placed = f" {chunk.context}" if chunk.kind == "judgement" else ""
    return f"{chunk.text} {chunk.section}{ref}{placed}"
