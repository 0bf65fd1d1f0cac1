"""Index size and ingest memory for a text file that is one long line.

Usage: python scripts/measure_long_line.py [--size 1000000] [--keep DIR]

Writes a one-line file of real report sentences (the largest text file of corpus/ run
together, `--size` characters), ingests it with `assistant ingest` into a fresh index, and prints
the index's size on disk (total, generation files, Chroma store), its ratio to the file, the
ingest's peak memory (RSS), and the passages made. Targets: index <= 10x the file, memory <= 1.5 GB.
"""

from __future__ import annotations

import argparse
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant import Settings  # noqa: E402
from assistant.store import SENTENCE_DTYPE, open_index  # noqa: E402

ASSISTANT = Path(sys.executable).parent / "assistant"


def one_line(size: int) -> str:
    """Real report sentences run together on one line, `size` characters long."""
    source = max((ROOT / "corpus").glob("*.txt"), key=lambda p: p.stat().st_size)
    text = source.read_text(encoding="utf-8")
    sentences = [" ".join(s.split()) for s in re.split(r"(?<=[.!?])\s+", text) if len(s.split()) > 4]
    out, n, i = [], 0, 0
    while n < size:
        out.append(sentences[i % len(sentences)])
        n += len(out[-1]) + 1
        i += 1
    return " ".join(out)[:size]


def size_of(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.is_dir() else path.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000, help="characters in the line")
    parser.add_argument("--keep", type=Path, help="build here and keep it (default: a temporary folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = args.keep or Path(tmp)
        corpus, index = base / "corpus", base / "index"
        corpus.mkdir(parents=True, exist_ok=True)
        line = one_line(args.size)
        (corpus / "long-line.txt").write_text(line + "\n", encoding="utf-8")
        file_size = size_of(corpus / "long-line.txt")
        started = time.perf_counter()
        done = subprocess.run(
            [str(ASSISTANT), "ingest", "--quiet", "--corpus-dir", str(corpus), "--index-dir", str(index)],
            capture_output=True,
            text=True,
        )
        seconds = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        if done.returncode != 0:
            sys.exit(f"ingest failed:\n{done.stderr}")
        built = open_index(Settings(index_dir=index), with_collection=False)
        folder = index / f"gen-{built.generation}"
        passages = {c.passage_id: len(c.passage) for c in built.chunks}
        total = size_of(index)
        print(f"file: {file_size / 1e6:.2f} MB on one line")
        print(f"ingest: {seconds:.0f} s, peak memory {peak_mb:.0f} MB; {done.stdout.strip()}")
        print(
            f"index: {total / 1e6:.1f} MB = {total / file_size:.1f}x the file "
            f"(generation files {size_of(folder) / 1e6:.1f} MB, Chroma {size_of(index / 'chroma') / 1e6:.1f} MB)"
        )
        for path in sorted(folder.iterdir()):
            print(f"  {path.name:20} {path.stat().st_size / 1e6:7.2f} MB")
        print(
            f"passages: {len(passages)}, longest {max(passages.values())} characters; "
            f"chunks: {len(built.chunks)}; sentence vectors {built.sentence_vectors.shape[0]} x "
            f"{built.sentence_vectors.shape[1]}, stored as {SENTENCE_DTYPE.__name__}"
        )


if __name__ == "__main__":
    main()
