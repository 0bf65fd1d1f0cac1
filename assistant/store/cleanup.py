"""One ingest at a time, and clean-up: the ingest lock, and removing generations no one reads."""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from assistant.core.errors import IngestBusy
from assistant.core.settings import Settings
from assistant.core.types import IndexState
from assistant.store.chroma import drop_generations
from assistant.store.layout import LOCK_FILE, generation_dir, generation_number

log = logging.getLogger(__name__)


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


def _remove_unread(settings: Settings, state: IndexState | None, *, older_only: bool) -> None:
    live = state.generation if state else None
    kept: set[int] = set()
    held: list[int] = []
    try:
        for folder in sorted(settings.index_dir.glob("gen-*")):
            number = generation_number(folder.name)
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
        drop_generations(settings, lambda number: _unread(settings, number, live, kept, older_only))
    finally:
        for fd in held:
            os.close(fd)


def _unread(settings: Settings, number: int, live: int | None, kept: set[int], older_only: bool) -> bool:
    """Whether generation `number`'s collection may be dropped."""
    if number == live or number in kept or (older_only and (live is None or number > live)):
        return False
    # When only older ones go, a folder still there is read by someone (it was not removed above).
    return not (generation_dir(settings.index_dir, number).exists() and older_only)
