"""Choose the generated-sentence check's thresholds on the TUNING part; refuses held-out questions.

    python scripts/tune_verify.py [--questions evals/sets/corpus/tune.jsonl] [--index-dir .index]

Each answerable question's reference answer was written by a person from the documents: its
sentences are paraphrases that the gold passages support. Each is checked (assistant/answering/llm/verify.py)
twice: citing the retrieved passages that hold the question's gold quotes (should pass), and
citing the best-ranked retrieved passage that holds none of them (should fail). For each pair
of thresholds (verify_min_similarity, verify_min_overlap) the script prints how many supported
sentences pass (recall) and how many unsupported ones are let through (the precision lost),
and the pair with the best F0.5: a sentence wrongly shown costs more than one wrongly dropped.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant import Settings, embed, open_index, retrieve, split_sentences  # noqa: E402
from assistant import check_sentence as check  # noqa: E402
from assistant import verify_source as source  # noqa: E402
from evals.metrics import matches  # noqa: E402
from evals.split import HeldOutRefused, read_tuning  # noqa: E402

SIMILARITIES = (0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7)
OVERLAPS = (0.3, 0.4, 0.5, 0.6, 0.7)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=Path, default=Path("evals/sets/corpus/tune.jsonl"))
    parser.add_argument("--index-dir", type=Path)
    args = parser.parse_args()
    try:
        questions = read_tuning(args.questions)
    except HeldOutRefused as error:
        sys.exit(f"error: {error}")
    base = Settings.from_env().replace(index_dir=args.index_dir)
    index = open_index(base)
    cases = []  # (sentence with markers, sources, vector, should pass)
    for q in questions:
        if not q.gold_quotes or not q.answer:
            continue
        hits = retrieve(q.question, settings=base.replace(top_k=20), index=index)
        gold = [h for h in hits if any(matches(g, h.chunk.passage) for g in q.gold_quotes)]
        other = next((h for h in hits if h not in gold), None)
        sentences = [s for s in split_sentences(q.answer) if len(s.split()) >= 4]
        if not gold or not sentences:
            continue
        vectors = embed(sentences)
        supported = {n: source(n, h.chunk, h.chunk.passage, index) for n, h in enumerate(gold[:3], 1)}
        marks = "".join(f"[{n}]" for n in supported)
        for sentence, vector in zip(sentences, vectors):
            cases.append((f"{sentence} {marks}", supported, vector, True))
            if other is not None:
                cases.append(
                    (f"{sentence} [1]", {1: source(1, other.chunk, other.chunk.passage, index)}, vector, False)
                )
    n_pos = sum(c[3] for c in cases)
    print(f"{len(questions)} questions: {n_pos} supported and {len(cases) - n_pos} unsupported sentences")
    best = None
    print(f"{'similarity':>10} {'overlap':>8} {'recall':>7} {'let through':>12} {'precision':>10} {'F0.5':>6}")
    for sim, ov in itertools.product(SIMILARITIES, OVERLAPS):
        settings = base.replace(verify_min_similarity=sim, verify_min_overlap=ov)
        passed = [(check(s, src, settings, vector=v).supported, truth) for s, src, v, truth in cases]
        tp = sum(p and t for p, t in passed)
        fp = sum(p and not t for p, t in passed)
        recall = tp / n_pos if n_pos else 0.0
        precision = tp / (tp + fp) if tp + fp else 1.0
        f = 1.25 * precision * recall / (0.25 * precision + recall) if precision + recall else 0.0
        print(
            f"{sim:>10.2f} {ov:>8.2f} {recall:>7.3f} {fp / max(1, len(cases) - n_pos):>12.3f} {precision:>10.3f} {f:>6.3f}"
        )
        if best is None or f > best[0]:
            best = (f, sim, ov, recall, precision)
    f, sim, ov, recall, precision = best
    print(
        f"best F0.5 {f:.3f}: verify_min_similarity={sim} verify_min_overlap={ov} "
        f"(recall {recall:.3f}, precision {precision:.3f})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
