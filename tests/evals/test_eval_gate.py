"""The regression gate: the held-out part of each question set through the real answer path,
against its committed baseline (evals/sets/NAME/baseline.json) within evals/tolerances.toml.

- the Sefton set on the project's corpus/;
- the "reports" set on real reports the project was not written for (its corpus.toml: national
  reports without manifest entries, and Sefton's 2022 and 2025 PDFs).

Weights are tuned on the tuning parts only (evals/split.py), so these figures are out of sample.

A deliberate change of figures is accepted with `assistant eval --update-baseline` (with
`--baseline FILE` for a set other than the default), reviewed in the diff of the baseline file.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import open_index
from evals.gate import BASELINE, compare, format_regressions
from evals.questions import read_questions
from evals.report import summary_table
from evals.run import answer_modes, run_modes

ROOT = Path(__file__).resolve().parents[2]
SETS = {
    "corpus": (ROOT / "evals" / "sets" / "corpus" / "heldout.jsonl", BASELINE, "corpus_index"),
    "reports": (
        ROOT / "evals" / "sets" / "reports" / "heldout.jsonl",
        ROOT / "evals" / "sets" / "reports" / "baseline.json",
        "reports_index",
    ),
}


@pytest.mark.parametrize("name", SETS)
def test_the_question_set_does_not_regress(name, request):
    questions_file, baseline, fixture = SETS[name]
    settings = request.getfixturevalue(fixture).settings
    index = open_index(settings)
    questions, errors = read_questions(questions_file)
    assert not errors
    out = ROOT / "artifacts" / "eval" / name
    run = run_modes(
        questions, answer_modes(settings), index, out_dir=out, progress=False
    ).extractive  # as `assistant eval`
    print("\n" + summary_table(run.summary))
    assert run.n_errors == 0
    regressions = compare(run.summary, baseline)
    assert not regressions, format_regressions(regressions) + f"\n(report: {run.files['html']})"
