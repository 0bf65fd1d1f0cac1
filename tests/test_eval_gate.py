"""The regression gate: the known-question set through the real answer path, against the
committed baseline (evals/baseline/summary.json) within evals/tolerances.toml.

A deliberate change of figures is accepted with `assistant eval --update-baseline`, reviewed in
the diff of the baseline file like any other change.
"""

from __future__ import annotations

from pathlib import Path

from assistant.answer import answer
from assistant.store import open_index
from evals.cli import BASELINE, summary_table
from evals.gate import compare, format_regressions
from evals.questions import read_questions
from evals.run import run_eval

ROOT = Path(__file__).resolve().parent.parent


def test_the_known_question_set_does_not_regress(corpus_index):
    settings = corpus_index.settings
    index = open_index(settings)
    questions, errors = read_questions(ROOT / "evals" / "questions.jsonl")
    assert not errors
    answer("warm up", settings=settings, index=index)
    out = ROOT / "artifacts" / "eval"
    run = run_eval(questions, lambda q: answer(q, settings=settings, index=index), out_dir=out, progress=False)
    print("\n" + summary_table(run.summary))
    assert run.n_errors == 0
    regressions = compare(run.summary, BASELINE)
    assert not regressions, format_regressions(regressions) + f"\n(report: {run.files['html']})"
