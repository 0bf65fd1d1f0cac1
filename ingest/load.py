"""Load the corpus: every supported file becomes a `Document` with its raw text and pages.

One bad file never stops ingest: it becomes a `LoadError` whose reason says what to do, and the
other files load. Only a broken manifest stops everything (it raises `ManifestError`), because
ids and dates from a half-read manifest would be published wrongly. Nothing here downloads.

Which files are read is `ingest/select.py`; how each format is read, `ingest/readers/`.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import hashlib
import logging
import multiprocessing
import os
from pathlib import Path

from tqdm import tqdm

from assistant.core.errors import LoadError
from assistant.core.settings import Settings
from assistant.core.types import Document, DocumentInfo
from ingest.describe import describe
from ingest.manifest import read_manifest
from ingest.readers import HTML_SUFFIXES, READERS, SUPPORTED_SUFFIXES, decode_text
from ingest.select import missing_entries, select_files, unique_id

logger = logging.getLogger(__name__)

# Worker processes pay for themselves (about a second each to start) from this many PDFs on.
_PARALLEL_FROM = 4

__all__ = ["SUPPORTED_SUFFIXES", "load_documents"]


def load_documents(
    corpus_dir: Path, paths: list[Path] | None, settings: Settings, *, progress: bool = False
) -> tuple[list[Document], list[LoadError]]:
    """Load the corpus, or part of it, with the manifest's facts about each document.

    Args:
        corpus_dir: Folder holding the documents and `manifest.toml`.
        paths: Files or folders to load instead of the whole corpus; relative paths are looked
            up as given, then inside `corpus_dir`. None loads everything under `corpus_dir`.
        settings: Uses `max_file_mb` and `ingest_workers`.
        progress: show a progress bar on stderr.

    Returns:
        The loaded documents in path order (`raw_text`, `pages`, `content_hash` set; `text` and
        `offsets` left for the cleaning stage), and one `LoadError` per file that could not be
        loaded or manifest entry whose file is missing.

    Raises:
        ManifestError: The manifest is malformed; nothing is loaded.
    """
    corpus_dir = Path(corpus_dir)
    listed = {info.file: info for info in read_manifest(corpus_dir)}
    errors: list[LoadError] = []
    files, roots = select_files(corpus_dir, paths, set(listed), errors)
    errors.extend(missing_entries(corpus_dir, listed.values(), roots))

    documents: list[Document] = []
    used_ids = {info.doc_id for info in listed.values()}
    for (name, path), loaded in zip(files, _load_all(files, listed, settings, progress)):
        if isinstance(loaded, LoadError):
            logger.warning("Skipped %s", loaded)
            errors.append(loaded)
            continue
        if name not in listed:
            # Ids are made unique here, in path order, so parallel loading names files as serial would.
            loaded.info = dataclasses.replace(loaded.info, doc_id=unique_id(loaded.info.doc_id, path, used_ids))
            logger.info(
                "%s is not in the manifest: described as %r (%r, %s)",
                name,
                loaded.info.doc_id,
                loaded.info.title,
                loaded.info.doc_type,
            )
        used_ids.add(loaded.info.doc_id)
        documents.append(loaded)
    logger.info("Loaded %d documents, %d errors", len(documents), len(errors))
    return documents, errors


def _load_all(
    files: list[tuple[str, Path]], listed: dict[str, DocumentInfo], settings: Settings, progress: bool
) -> list[Document | LoadError]:
    """Every file read, in order. PDFs (seconds each, all CPU) are parsed in worker processes
    when there are enough of them to pay for starting the workers."""
    jobs = [(path, name, listed.get(name), settings) for name, path in files]
    workers = settings.ingest_workers or os.cpu_count() or 1
    pdfs = sum(1 for _, path in files if path.suffix.lower() == ".pdf")
    bar = tqdm(total=len(jobs), desc="reading", unit="file", disable=not progress or not jobs)
    if workers < 2 or pdfs < _PARALLEL_FROM:
        results = []
        for job in jobs:
            results.append(_load_or_error(*job))
            bar.update(1)
        bar.close()
        return results
    # Spawned, not forked: the ingest already holds threads (Chroma's), and a fork copies their locks.
    context = multiprocessing.get_context("spawn")
    results_by_job: dict[int, Document | LoadError] = {}
    with concurrent.futures.ProcessPoolExecutor(max_workers=min(workers, pdfs), mp_context=context) as pool:
        futures = {pool.submit(_load_or_error, *job): i for i, job in enumerate(jobs)}
        for future in concurrent.futures.as_completed(futures):
            i = futures[future]
            try:
                results_by_job[i] = future.result()
            except concurrent.futures.process.BrokenProcessPool:
                results_by_job[i] = LoadError(
                    jobs[i][0],
                    "the reader stopped without a word while this or another "
                    "file was read: ingest this file alone to see which is damaged",
                )
            bar.update(1)
    bar.close()
    return [results_by_job[i] for i in range(len(jobs))]


def _load_or_error(path: Path, name: str, info: DocumentInfo | None, settings: Settings) -> Document | LoadError:
    """One file, or the reason it cannot be read: nothing a reader raises stops the run."""
    try:
        return _load_one(path, name, info, settings)
    except LoadError as error:
        return error
    except RecursionError:
        return LoadError(path, "the file is nested too deeply to read: save it again from its application")
    except Exception as exc:  # a reader's bug or a library's surprise costs this file, not the run
        logger.debug("reading %s failed", path, exc_info=True)
        return LoadError(
            path,
            f"could not be read ({type(exc).__name__}: {exc}): check the file opens, or save it again as PDF or text",
        )


def _load_one(path: Path, name: str, info: DocumentInfo | None, settings: Settings) -> Document:
    try:
        size = path.stat().st_size
        limit = settings.max_file_mb * 1024 * 1024
        # Checked before reading, so a stray multi-GB file costs nothing.
        if size > limit:
            raise LoadError(
                path,
                f"file is {size / 1048576:.3g} MB, over the {settings.max_file_mb:g} MB limit: "
                "split it, or raise ASSISTANT_MAX_FILE_MB",
            )
        if size == 0:
            raise LoadError(path, "file is empty: add its text, or delete the file")
        data = path.read_bytes()
    except OSError as exc:
        raise LoadError(path, f"cannot be read ({exc.strerror or exc}): check it exists and is readable") from None
    suffix = path.suffix.lower()
    read = READERS[suffix](path, data)
    if not read.raw_text.strip():
        raise LoadError(path, "no text in the file: add its text, or delete the file")
    markup = decode_text(path, data) if suffix in HTML_SUFFIXES else None
    described = describe(path, read.raw_text, read.layout, read.meta, info, markup)
    if info is None:
        described = dataclasses.replace(described, file=name)
    return Document(
        info=described,
        raw_text=read.raw_text,
        pages=read.pages,
        layout=read.layout,
        content_hash=hashlib.sha256(data).hexdigest(),
    )
