"""Vectors an ingest has embedded but not yet committed, kept so a killed ingest resumes.

Embedding is nine tenths of a cold ingest (20 minutes for 200 reports before this), and a new
generation becomes live only at the very end. So each slice of vectors is written here as soon
as it is made, keyed by the SHA-1 of the embedded text: the next ingest, after a kill, a crash or
a power cut, takes them from here and embeds only the rest. The live index is never touched, and
a successful commit empties the folder. Keys by text also mean that a sentence many reports share
word for word ("Inspectors found that...") is embedded once.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

from assistant.store import PENDING_VECTORS_DIR

log = logging.getLogger(__name__)


def text_key(text: str) -> bytes:
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).digest()


class PendingVectors:
    """Shards of (keys, vectors) in `<index_dir>/pending-vectors/`, each written whole or not at all."""

    def __init__(self, index_dir: Path):
        self.folder = Path(index_dir) / PENDING_VECTORS_DIR
        self._shards = 0

    def load(self) -> dict[bytes, np.ndarray]:
        """Every vector left by earlier runs; a shard that cannot be read is skipped and re-embedded."""
        found: dict[bytes, np.ndarray] = {}
        for path in sorted(self.folder.glob("shard-*.npz")):
            try:
                with np.load(path) as shard:
                    keys, vectors = shard["keys"], shard["vectors"]
                found.update(zip((bytes(k) for k in keys), vectors.astype(np.float32)))
            except Exception as exc:  # a damaged shard costs its vectors, never the run
                log.warning("ignoring unreadable pending vectors %s (%s)", path.name, exc)
        self._shards = len(list(self.folder.glob("shard-*.npz")))
        return found

    def add(self, keys: list[bytes], vectors: np.ndarray) -> None:
        """Keep one slice of new vectors on disk before going on."""
        if not keys:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        self._shards += 1
        target = self.folder / f"shard-{os.getpid()}-{self._shards:06d}.npz"
        fd, temporary = tempfile.mkstemp(dir=self.folder, suffix=".part")
        try:
            with os.fdopen(fd, "wb") as out:
                np.savez(out, keys=np.array(keys, dtype="S20"), vectors=vectors.astype(np.float32))
            os.replace(temporary, target)
        finally:
            Path(temporary).unlink(missing_ok=True)

    def clear(self) -> None:
        """Called once the vectors are in a committed generation."""
        shutil.rmtree(self.folder, ignore_errors=True)
