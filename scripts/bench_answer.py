"""Warm answer latency over the eval set, split into retrieval and composition, and peak memory.

Usage: python scripts/bench_answer.py [--repeat 3] [--questions evals/sets/corpus/heldout.jsonl]
Prints medians over repeats of p50 and p95 (this is a shared 2-core machine: one run's p95 is
noise), and the process's peak resident memory.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time
from pathlib import Path

from assistant import (
    Settings,
    answer,
    open_index,
    warm_up,  # noqa: E402
)
from evals.questions import read_questions


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--questions", type=Path, default=Path("evals/sets/corpus/heldout.jsonl"))
    args = parser.parse_args()
    settings = Settings.from_env()
    started = time.perf_counter()
    index = open_index(settings)
    warm_up(settings, index)
    load_seconds = time.perf_counter() - started
    questions, _ = read_questions(args.questions)
    runs = []
    for _ in range(args.repeat):
        total, retrieval, composition = [], [], []
        for q in questions:
            t = time.perf_counter()
            result = answer(q.question, settings=settings, index=index)
            total.append((time.perf_counter() - t) * 1000)
            retrieval.append(result.timings_ms.get("retrieval", 0.0))
            composition.append(result.timings_ms.get("composition", 0.0))
        runs.append(
            {
                name: (percentile(v, 50), percentile(v, 95))
                for name, v in (("total", total), ("retrieval", retrieval), ("composition", composition))
            }
        )
    print(f"index + model load and first answer: {load_seconds:.1f} s")
    print(f"{len(questions)} questions x {args.repeat} runs (median of the runs' percentiles):")
    for name in ("total", "retrieval", "composition"):
        p50 = statistics.median(r[name][0] for r in runs)
        p95 = statistics.median(r[name][1] for r in runs)
        print(f"  {name:12} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (max RSS): {peak:.0f} MB")


if __name__ == "__main__":
    main()
