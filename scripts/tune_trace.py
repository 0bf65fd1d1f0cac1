"""Choose the trace's linking numbers on the tuning part of the gold mapping; measure the rest.

    python scripts/tune_trace.py [--index-dir .index]

Reads tests/data/trace_gold.toml. A grid of (trace_lexical_weight, trace_row_rank,
trace_link_threshold) is scored by F1 of the finding -> action links on the findings marked
split = "tune" only; the best is printed with its precision and recall on the "test" findings,
which played no part in choosing it. Copy the chosen numbers into assistant/settings.py.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant.settings import Settings  # noqa: E402
from assistant.store import open_index  # noqa: E402
from assistant.trace import link_quality  # noqa: E402

GOLD = Path(__file__).resolve().parents[1] / "tests" / "data" / "trace_gold.toml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index-dir", type=Path)
    args = parser.parse_args()
    base = Settings.from_env().replace(index_dir=args.index_dir)
    index = open_index(base, with_collection=False)
    best = None
    for weight in (0.0, 0.25, 0.5, 0.75):
        for rank in (1, 2, 3, 5, 100):
            for step in range(10, 45):
                threshold = round(step * 0.02, 2)
                settings = base.replace(trace_lexical_weight=weight, trace_row_rank=rank,
                                        trace_link_threshold=threshold)
                tune = link_quality(index, GOLD, "tune", settings=settings, similarity_only=True)
                key = (round(tune["f1"], 4), threshold)  # ties: the stricter threshold
                if best is None or key > best[0]:
                    best = (key, settings, tune)
    _, settings, tune = best
    print(f"chosen on the tuning part: trace_lexical_weight={settings.trace_lexical_weight} "
          f"trace_row_rank={settings.trace_row_rank} trace_link_threshold={settings.trace_link_threshold}")
    for split in ("tune", "test"):
        for only in (True, False):
            q = tune if (split == "tune" and only) else link_quality(index, GOLD, split, settings=settings,
                                                                     similarity_only=only)
            what = "areas for improvement (similarity links)" if only else "all findings (reference + similarity)"
            print(f"  {split:4} {what:42} precision {q['precision']:.2f}  recall {q['recall']:.2f}  "
                  f"F1 {q['f1']:.2f}  ({q['findings']} findings, {q['gold']} gold links, {q['found']} found)")


if __name__ == "__main__":
    main()
