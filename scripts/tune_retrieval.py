"""Retrieval-only figures by question type for a few fusion settings, to tune by type, not by
question. Usage: python scripts/tune_retrieval.py [name=value ...] (settings fields)."""

from __future__ import annotations

import statistics
import sys
from collections import defaultdict
from pathlib import Path

from assistant.retrieve import retrieve
from assistant.settings import Settings
from assistant.store import open_index
from evals.metrics import Passage, hit_at, mrr
from evals.questions import read_questions


def main(argv: list[str]) -> None:
    changes = {}
    show = "--show" in argv
    argv = [a for a in argv if a != "--show"]
    for arg in argv:
        name, value = arg.split("=", 1)
        changes[name] = type(getattr(Settings(), name))(value)
    settings = Settings.from_env().replace(**changes)
    index = open_index(settings)
    questions, _ = read_questions(Path("evals/questions.jsonl"))
    by_type: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for q in questions:
        if not q.gold_quotes:
            continue
        hits = retrieve(q.question, settings=settings, index=index, k=10)
        passages = [Passage(h.chunk.passage, h.chunk.doc_id) for h in hits]
        row = (hit_at(passages[:5], q.gold_quotes, 5), mrr(passages, q.gold_quotes))
        if show and row[1] < 0.5:
            print(f"--- {q.id} [{q.type}] {q.question} -> {q.docs} rr={row[1]:.2f}\n    gold: {q.gold_quotes[0][:120]}")
            for h in hits[:5]:
                print(f"    {h.chunk.doc_id[:22]:22} {h.dense_rank}/{h.lexical_rank} {h.chunk.passage[:100]!r}")
        by_type[q.type].append(row)
        by_type["overall"].append(row)
    for name in ["overall"] + sorted(t for t in by_type if t != "overall"):
        rows = by_type[name]
        print(f"{name:14} n={len(rows):3}  hit@5={statistics.mean(r[0] for r in rows):.3f}  "
              f"mrr@10={statistics.mean(r[1] for r in rows):.3f}")


if __name__ == "__main__":
    main(sys.argv[1:])
