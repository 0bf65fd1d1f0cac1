"""Try settings on the TUNING part of a question set; refuses held-out questions.

    python scripts/tune.py [--questions evals/sets/corpus/tune.jsonl] [--index-dir .index] \
        [name=v1,v2,... ...] [--show]

For each combination of the values given (settings fields, e.g. focus_share_min=0.3,0.5,0.7),
runs every question through `answer()` and prints, overall and by type: hit@5 and MRR@10 of
retrieval, key-fact recall, the share of unanswerable questions declined (partial or not
covered) and of answerable ones declined (false abstention). `--show` lists the questions
whose outcome is wrong. Choose on these figures; report the held-out part's (`assistant eval`).
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import sys
from collections import defaultdict
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant import Settings, answer, open_index  # noqa: E402
from evals.metrics import Passage, hit_at, key_fact_recall, mrr  # noqa: E402
from evals.questions import read_questions  # noqa: E402
from evals.split import HeldOutRefused, refuse_heldout  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=Path, default=Path("evals/sets/corpus/tune.jsonl"))
    parser.add_argument("--index-dir", type=Path)
    parser.add_argument("--show", action="store_true")
    parser.add_argument("grid", nargs="*", help="name=v1,v2,... settings to try")
    args = parser.parse_args()
    questions, errors = read_questions(args.questions)
    try:
        refuse_heldout(args.questions, questions)
    except HeldOutRefused as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    base = Settings.from_env()
    if args.index_dir:
        base = base.replace(index_dir=args.index_dir)
    names = [g.split("=", 1)[0] for g in args.grid]
    values = [[type(getattr(base, n))(v) for v in g.split("=", 1)[1].split(",")] for n, g in zip(names, args.grid)]
    index = open_index(base)
    for combo in itertools.product(*values) if values else [()]:
        settings = base.replace(**dict(zip(names, combo)))
        rows: dict[str, list[dict]] = defaultdict(list)
        for q in questions:
            a = answer(q.question, settings=settings, index=index)
            passages = [Passage(h.chunk.passage, h.chunk.doc_id) for h in a.retrieved]
            row = {"declined": a.abstained}
            if q.gold_quotes:
                row |= {
                    "hit": hit_at(passages[:5], q.gold_quotes, 5),
                    "mrr": mrr(passages, q.gold_quotes),
                    "kf": key_fact_recall(a.text, q.key_facts) if q.key_facts else None,
                }
            wrong = a.abstained != (q.type == "unanswerable")
            if args.show and wrong:
                print(f"  {q.id} [{q.type}/{a.answer_type}] {a.outcome}: {q.question}")
            rows[q.type].append(row)
            rows["overall"].append(row)
        print(", ".join(f"{n}={v}" for n, v in zip(names, combo)) or "current settings")
        for name in ["overall"] + sorted(t for t in rows if t != "overall"):
            print("  " + _line(name, rows[name]))
    return 0


def _line(name: str, rows: list[dict]) -> str:
    answerable = [r for r in rows if "hit" in r]
    parts = [f"{name:13} n={len(rows):3}"]
    if answerable:
        kf = [r["kf"] for r in answerable if r["kf"] is not None]
        parts += [
            f"hit@5={statistics.mean(r['hit'] for r in answerable):.3f}",
            f"mrr={statistics.mean(r['mrr'] for r in answerable):.3f}",
            f"kf={statistics.mean(kf) if kf else 0:.3f}",
            f"false_decl={statistics.mean(r['declined'] for r in answerable):.3f}",
        ]
    unanswerable = [r for r in rows if "hit" not in r]
    if unanswerable:
        parts.append(f"declined_unanswerable={statistics.mean(r['declined'] for r in unanswerable):.3f}")
    return "  ".join(parts)


if __name__ == "__main__":
    sys.exit(main())
