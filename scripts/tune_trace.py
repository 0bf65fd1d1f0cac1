"""Choose the trace's linking numbers on the tuning part of the gold mapping; measure the rest.

    python scripts/tune_trace.py [--index-dir .index]

Reads tests/data/trace_gold.toml. A grid of (trace_pairing, trace_lexical_weight, trace_row_rank,
trace_finding_rank, trace_link_threshold) is scored by F1 of the finding -> action links of the
areas for improvement (the findings linked by similarity) marked split = "tune" only. The best F1
wins; ties go to the better mean F1 of the threshold and its two neighbours (a plateau, not a
spike), then to the stricter threshold. The chosen numbers are printed with precision and recall
on the "test" findings, which played no part in choosing them, split into priority actions and
areas for improvement. Copy the chosen numbers into assistant/core/settings.py.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant import Settings, open_index  # noqa: E402
from evals.trace_links import candidate_links, link_candidates, link_quality, read_gold, score_links  # noqa: E402

GOLD = Path(__file__).resolve().parents[1] / "tests" / "data" / "trace_gold.toml"
PAIRINGS = ("mean", "sym", "max")
WEIGHTS = (0.0, 0.25, 0.5)
ROW_RANKS = (1, 2, 3, 100)
FINDING_RANKS = (0, 1, 2, 3)
THRESHOLDS = tuple(round(step * 0.02, 2) for step in range(10, 45))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index-dir", type=Path)
    parser.add_argument(
        "--current", action="store_true", help="only measure the numbers in assistant/core/settings.py (no grid)"
    )
    args = parser.parse_args()
    base = Settings.from_env()
    if args.index_dir:
        base = base.replace(index_dir=args.index_dir)
    index = open_index(base, with_collection=False)
    settings = base if args.current else choose(index, base)
    if not args.current:
        print(
            f"chosen on the tuning part: trace_pairing={settings.trace_pairing!r} "
            f"trace_lexical_weight={settings.trace_lexical_weight} trace_row_rank={settings.trace_row_rank} "
            f"trace_finding_rank={settings.trace_finding_rank} trace_link_threshold={settings.trace_link_threshold}"
        )
    for split in ("tune", "test"):
        for part, what in (
            ("priority", "priority actions (linked by reference)"),
            ("improvement", "areas for improvement (by similarity)"),
            ("", "all findings"),
        ):
            q = link_quality(index, GOLD, split, settings=settings, part=part)
            print(
                f"  {split:4} {what:40} precision {q['precision']:.2f}  recall {q['recall']:.2f}  "
                f"F1 {q['f1']:.2f}  ({q['findings']} findings, {q['gold']} gold links, {q['found']} found)"
            )


def choose(index, base: Settings) -> Settings:
    """The grid's best settings by F1 on the tuning part's areas for improvement."""
    gold = read_gold(GOLD)
    best = None
    for pairing in PAIRINGS:
        for weight in WEIGHTS:
            scored = base.replace(trace_pairing=pairing, trace_lexical_weight=weight)
            candidates = link_candidates(index, scored)
            for row_rank in ROW_RANKS:
                for finding_rank in FINDING_RANKS:
                    f1 = {}
                    for threshold in THRESHOLDS:
                        settings = scored.replace(
                            trace_row_rank=row_rank, trace_finding_rank=finding_rank, trace_link_threshold=threshold
                        )
                        f1[threshold] = score_links(
                            gold, candidate_links(candidates, settings), "tune", part="improvement"
                        )["f1"]
                    for i, threshold in enumerate(THRESHOLDS):
                        around = [f1[t] for t in THRESHOLDS[max(i - 1, 0) : i + 2]]
                        key = (round(f1[threshold], 4), round(sum(around) / len(around), 4), threshold)
                        if best is None or key > best[0]:
                            best = (
                                key,
                                scored.replace(
                                    trace_row_rank=row_rank,
                                    trace_finding_rank=finding_rank,
                                    trace_link_threshold=threshold,
                                ),
                            )
    return best[1]


if __name__ == "__main__":
    main()
