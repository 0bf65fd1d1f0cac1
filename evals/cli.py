"""The `assistant eval` and `assistant eval diff` verbs: run question sets, gate, compare runs."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

from assistant.settings import Settings

# The held-out part of the project's own set, and its baseline: what `assistant eval` runs and
# gates by default (weights are tuned on sets/corpus/tune.jsonl, never on this).
DEFAULT_QUESTIONS = Path(__file__).with_name("sets") / "corpus" / "heldout.jsonl"
BASELINE = Path(__file__).with_name("sets") / "corpus" / "baseline.json"


def run_eval_command(args: argparse.Namespace, settings: Settings) -> int:
    """Run the sets through `answer()`, write the reports, gate against a baseline.

    Returns 0, or 1 when the baseline gate finds a regression or a question set had bad rows.
    """
    from assistant.answer import answer
    from assistant.store import open_index
    from evals.gate import compare, format_regressions
    from evals.questions import read_questions
    from evals.run import run_eval

    questions, bad_rows = [], 0
    for path in args.questions or [DEFAULT_QUESTIONS]:
        if not Path(path).exists():
            print(f"error: no question set at {path}: give a JSONL or CSV file", file=sys.stderr)
            return 2
        read, errors = read_questions(path)
        for error in errors:
            print(f"{path}: {error}", file=sys.stderr)
        bad_rows += len(errors)
        questions.extend(read)
    index = open_index(settings)
    out = args.out or Path("runs") / time.strftime("%Y%m%d-%H%M%S")
    # Both modes when an LLM endpoint is given: extractive/ and generated/, then a comparison.
    llm_url = getattr(args, "llm_url", None) or settings.llm_url
    modes = {"extractive": settings.replace(llm_url="")}
    if llm_url:
        modes["generated"] = settings.replace(llm_url=llm_url, llm_model=getattr(args, "llm_model", None))
    runs = {}
    for mode, mode_settings in modes.items():
        answer("warm up", settings=mode_settings, index=index)  # load the models before the clock starts
        started = time.perf_counter()
        runs[mode] = run_eval(questions, lambda q, s=mode_settings: answer(q, settings=s, index=index), k=args.k,
                              out_dir=out / mode if llm_url else out, progress=not args.quiet)
        seconds = time.perf_counter() - started
        if llm_url:
            print(f"\n{mode} answers")
        print(summary_table(runs[mode].summary))
        print(f"\n{len(questions)} questions in {seconds:.1f} s; reports: {runs[mode].files['html']} and "
              f"{runs[mode].files['markdown']}")
    if llm_url:
        from evals.modes import comparison_markdown, write_comparison

        summaries = {mode: r.summary for mode, r in runs.items()}
        model = modes["generated"].llm_model
        print("\n" + comparison_markdown(summaries, model=model))
        md, _ = write_comparison(summaries, out, model=model)
        print(f"Side by side: {md}")
    run = runs["extractive"]  # the baseline is of the default, extractive answers
    status = 1 if bad_rows else 0
    if args.baseline:
        regressions = compare(run.summary, args.baseline)
        print(format_regressions(regressions))
        status = 1 if regressions else status
    if args.update_baseline:
        # A question set other than the default one keeps its own baseline: --baseline names it.
        target = args.baseline or BASELINE
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(run.files["summary"], target)
        print(f"Baseline updated: {target}")
    return status


def run_diff_command(argv: list[str]) -> int:
    """`assistant eval diff RUN_A RUN_B`: the questions whose outcome changed, newly failing first."""
    from evals.gate import diff_runs, format_diff

    parser = argparse.ArgumentParser(prog="assistant eval diff",
                                     description="List the questions whose outcome changed between two runs.",
                                     epilog="example: assistant eval diff runs/before runs/after")
    parser.add_argument("run_a", type=Path, help="the earlier run folder (or its results.jsonl)")
    parser.add_argument("run_b", type=Path, help="the later run folder (or its results.jsonl)")
    args = parser.parse_args(argv)
    for path in (args.run_a, args.run_b):
        if not path.exists():
            print(f"error: no run at {path}: give a folder written by 'assistant eval --out'", file=sys.stderr)
            return 2
    changes = diff_runs(args.run_a, args.run_b)
    print(format_diff(changes))
    return 1 if any(c.status == "newly failing" for c in changes) else 0


SHOWN = ("hit_at_1", "hit_at_k", "mrr_at_10", "ndcg_at_10", "key_fact_recall", "groundedness",
         "citation_precision", "abstention_correct", "false_abstention", "answer_words")


def summary_table(summary: dict) -> str:
    """The summary overall and by type, as a fixed-width table for the terminal."""
    groups = [("overall", summary["overall"])] + sorted(summary["by_type"].items())
    head = f"{'':14}{'n':>4}" + "".join(f"{name[:10]:>11}" for name in SHOWN) + f"{'p50 ms':>9}{'p95 ms':>9}"
    lines = [head]
    for name, group in groups:
        metrics = group["metrics"]
        cells = []
        for metric in SHOWN:
            mean = metrics.get(metric, {}).get("mean")
            cells.append(f"{'-' if mean is None else format(mean, '.3f' if metric != 'answer_words' else '.0f'):>11}")
        latency = metrics.get("latency_ms", {})
        lines.append(f"{name[:14]:14}{group['n_questions']:>4}" + "".join(cells)
                     + f"{latency.get('p50') or 0:>9.0f}{latency.get('p95') or 0:>9.0f}")
    return "\n".join(lines) + outcome_table(summary)


def outcome_table(summary: dict) -> str:
    """Outcomes (answered / partial / not covered) by the answer type the question asked for,
    for answerable and unanswerable questions apart."""
    outcomes = summary.get("outcomes") or {}
    if not outcomes:
        return ""
    lines = ["", f"{'outcome by answer type':28}{'answered':>10}{'partial':>10}{'not covered':>13}"]
    for side in ("answerable", "unanswerable"):
        for answer_type, counts in sorted(outcomes.get(side, {}).items()):
            lines.append(f"{side + ' / ' + answer_type:28}{counts.get('answered', 0):>10}"
                         f"{counts.get('partial', 0):>10}{counts.get('not_covered', 0):>13}")
    return "\n".join(lines)


if __name__ == "__main__":
    print(json.dumps({"baseline": str(BASELINE)}))
