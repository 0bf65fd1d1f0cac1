"""Cold ingest of the corpus into a fresh index, then a re-ingest with nothing changed.

Usage: python scripts/bench_ingest.py [--corpus corpus] [--repeat 3]
Prints seconds (median of repeats), chunks, peak memory of the ingest process, chunks per
document with their token-length spread, and the action references found with their notes.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ASSISTANT = Path(sys.executable).parent / "assistant"


def timed(args: list[str]) -> tuple[float, float, str]:
    """Seconds and peak RSS (MB) of one `assistant` run, via /usr/bin/time-free rusage."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    done = subprocess.run([str(ASSISTANT), *args], capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, max(peak, before) / 1024, done.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path("corpus"))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    cold, warm, peaks = [], [], []
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            base = ["--corpus-dir", str(args.corpus), "--index-dir", tmp]
            seconds, peak, out = timed(["ingest", "--quiet", *base])
            cold.append(seconds)
            peaks.append(peak)
            seconds, _, again = timed(["ingest", "--quiet", *base])
            warm.append(seconds)
            assert "up to date" in again, again
            last_index = Path(tmp)
            report = _report(last_index)
    print(f"cold ingest: {statistics.median(cold):.1f} s (runs: {', '.join(f'{s:.1f}' for s in cold)}); {out}")
    print(f"re-ingest, nothing changed: {statistics.median(warm):.1f} s (runs: {', '.join(f'{s:.1f}' for s in warm)})")
    print(f"peak memory of a cold ingest: {max(peaks):.0f} MB")
    print(report)


def _report(index_dir: Path) -> str:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from assistant import Settings, open_index

    index = open_index(Settings(index_dir=index_dir), with_collection=False)  # the store's own reader
    folder = index_dir / f"gen-{index.generation}"
    tokens = defaultdict(list)
    for chunk in index.chunks:
        tokens[chunk.doc_id].append(chunk.tokens)
    lines = ["chunks per document (tiktoken tokens: min / median / max):"]
    for doc_id, values in sorted(tokens.items()):
        lines.append(f"  {doc_id:34} {len(values):4}  {min(values)} / {statistics.median(values):.0f} / {max(values)}")
    actions = json.loads((folder / "actions.json").read_text())
    lines.append(f"action references found: {len(actions)}")
    for row in actions:
        notes = "; ".join(f"{n['label']}" for n in row["progress"]) or "no progress note"
        lines.append(f"  {row['ref']:6} status: {row['status'] or '-':20} notes: {notes}")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
