"""Run a question set through an answerer and write the results, the summary and the reports.

The answerer is injected (`answer_fn(question) -> Answer`): `run_modes` passes the assistant's
`answer` (once per answer mode), tests pass a fake. Nothing heavy is imported here: the
assistant's answerer is loaded when `run_modes` is called.

Files written to `out_dir`:
  results.jsonl  one row a question: `Answer.to_json()` fields plus `id`, `type`, `error`, `metrics`
  summary.json   `metrics.summarise` of the rows, plus `k` and the pass rules
  report.md, report.html   see `evals.report`

Pass flags in `metrics.passed` follow `evals.metrics.PASS_RULES` (copied into summary.json):
hit_at_k == 1, quote_recall_at_k >= 0.5, key_fact_recall >= 0.5, groundedness == 1,
citation_precision >= 0.5, abstention_correct == 1, false_abstention == 0; a flag is null when
its metric is. A row fails when any flag is false or its answerer raised.
"""

from __future__ import annotations

import functools
import json
import logging
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tqdm import tqdm

from assistant.core.types import Answer
from evals.metrics import METRICS, PASS_RULES, score, summarise
from evals.questions import Question
from evals.report import write_reports

if TYPE_CHECKING:
    from assistant import Index, Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EvalRun:
    """What a run produced: the rows and summary as written, and where."""

    rows: list[dict[str, Any]]
    summary: dict[str, Any]
    out_dir: Path
    files: dict[str, Path]

    @property
    def n_errors(self) -> int:
        return sum(1 for row in self.rows if row.get("error"))


def _error_row(question: Question, latency_ms: float, error: BaseException) -> dict[str, Any]:
    """The row of a question whose answerer raised: the same fields, nothing to score."""
    return {
        "question": question.question,
        "resolved_question": question.question,
        "answer": "",
        "abstained": None,
        "outcome": None,
        "citations": [],
        "retrieved": [],
        "latency_ms": latency_ms,
        "timings_ms": {},
        "notice": "",
        "error": f"{type(error).__name__}: {error}",
        "metrics": {
            **{name: None for name in METRICS},
            "latency_ms": latency_ms,
            "passed": {name: None for name in PASS_RULES},
        },
    }


def _answer_row(question: Question, answer_fn: Callable[[str], Answer], k: int) -> dict[str, Any]:
    """Ask one question and score the answer; an exception becomes the row's `error`."""
    started = time.perf_counter()
    try:
        answer = answer_fn(question.question)
        latency_ms = round((time.perf_counter() - started) * 1000, 2)
        row = answer.to_json()
    except Exception as exc:  # one failing question must not lose the rest of the run
        latency_ms = round((time.perf_counter() - started) * 1000, 2)
        log.warning("question %s failed: %s: %s", question.id, type(exc).__name__, exc)
        log.debug("traceback of question %s", question.id, exc_info=True)
        return {"id": question.id, "type": question.type, **_error_row(question, latency_ms, exc)}
    # The wall time the caller waited, not the answerer's own sum of stage timings (which are
    # kept in timings_ms): a stage the answerer does not time still costs the user.
    row["latency_ms"] = latency_ms
    row = {"id": question.id, "type": question.type, **row, "error": None}
    row["metrics"] = score(question, row, k=k)
    return row


def run_eval(
    questions: Sequence[Question],
    answer_fn: Callable[[str], Answer],
    *,
    k: int = 5,
    out_dir: str | Path,
    progress: bool = True,
) -> EvalRun:
    """Answer every question, score it, and write results, summary and reports.

    Args:
        questions: the question set, as `read_questions` returns it.
        answer_fn: the answerer, `question -> Answer` (e.g. `assistant.answering.pipeline.answer`).
        k: passages that count for hit@k and quote recall@k.
        out_dir: folder for results.jsonl, summary.json, report.md and report.html (created).
        progress: show a progress bar on stderr.

    Returns:
        The EvalRun with the rows, the summary and the paths written.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rows = [
        _answer_row(q, answer_fn, k)
        for q in tqdm(questions, desc="eval", unit="q", file=sys.stderr, disable=not progress)
    ]
    summary = {**summarise(rows), "k": k, "pass_rules": {name: list(rule) for name, rule in PASS_RULES.items()}}

    files = {"results": out / "results.jsonl", "summary": out / "summary.json"}
    with files["results"].open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    files["summary"].write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    files["markdown"], files["html"] = write_reports(rows, summary, out)
    log.info("evaluated %d questions (%d errors) into %s", len(rows), sum(1 for r in rows if r["error"]), out)
    return EvalRun(rows=rows, summary=summary, out_dir=out, files=files)


@dataclass(frozen=True)
class ModesRun:
    """The runs of `run_modes`: one per answer mode, and the side-by-side when there are two."""

    runs: dict[str, EvalRun]  # "extractive", then "generated" when an LLM endpoint was given
    model: str = ""  # the generated mode's model name
    comparison: Path | None = None  # comparison.md (beside comparison.html)

    @property
    def extractive(self) -> EvalRun:
        """The run of the default, extractive answers: the one a baseline is of."""
        return self.runs["extractive"]


def answer_modes(settings: Settings, llm_url: str | None = None, llm_model: str | None = None) -> dict[str, Settings]:
    """The answer modes to run and each one's settings: extractive always, generated as well when
    an LLM endpoint is given (`llm_url`, else the settings' own)."""
    llm_url = llm_url or settings.llm_url
    modes = {"extractive": settings.replace(llm_url="")}
    if llm_url:
        modes["generated"] = settings.replace(llm_url=llm_url, llm_model=llm_model)
    return modes


def run_modes(
    questions: Sequence[Question],
    modes: dict[str, Settings],
    index: Index,
    *,
    k: int = 5,
    out_dir: str | Path,
    progress: bool = True,
    on_run: Callable[[str, EvalRun, float], None] | None = None,
) -> ModesRun:
    """Run the question set once in each answer mode, each after a warm-up; with two modes each
    run goes to its own folder (`extractive/`, `generated/`) and comparison.md and
    comparison.html are written beside them (evals/modes.py).

    Args:
        questions: the question set.
        modes: mode -> its settings, as `answer_modes` gives them.
        index: the open index every answer reads.
        k: passages that count for hit@k and quote recall@k.
        out_dir: the run folder (created).
        progress: show a progress bar on stderr.
        on_run: called as each mode's run is written, with the mode, the run and its seconds
            (the warm-up not counted).

    Returns:
        The runs by mode, with the comparison's path when there were two modes.
    """
    from assistant import answer, warm_up

    out, side_by_side = Path(out_dir), len(modes) > 1
    runs: dict[str, EvalRun] = {}
    for mode, mode_settings in modes.items():
        warm_up(mode_settings, index)  # load the models before the clock starts
        started = time.perf_counter()
        runs[mode] = run_eval(
            questions,
            functools.partial(answer, settings=mode_settings, index=index),
            k=k,
            out_dir=out / mode if side_by_side else out,
            progress=progress,
        )
        if on_run:
            on_run(mode, runs[mode], time.perf_counter() - started)
    if not side_by_side:
        return ModesRun(runs)
    from evals.modes import write_comparison

    model = modes["generated"].llm_model
    md, _ = write_comparison({mode: r.summary for mode, r in runs.items()}, out, model=model)
    return ModesRun(runs, model=model, comparison=md)
