"""`assistant eval run | diff` (evals/): run question sets and gate them; compare two runs."""

from __future__ import annotations

import functools
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from assistant import AssistantError, Settings
from cli.common import example, printable, with_settings

if TYPE_CHECKING:
    from evals.questions import Question
    from evals.run import EvalRun


class _RunUnlessNamed(click.Group):
    """A group whose `run` is meant when no verb of it is named: `assistant eval --out runs/x` is
    `assistant eval run --out runs/x`, as it was before `eval` had verbs."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ctx.help_option_names):
            args = ["run", *args]
        return super().parse_args(ctx, args)


@click.group(
    "eval",
    cls=_RunUnlessNamed,
    epilog=example(
        "assistant eval --baseline evals/sets/corpus/baseline.json",
        "assistant eval run --questions my-set.csv --out runs/mine",
        "assistant eval diff runs/before runs/after",
    ),
)
def eval_group() -> None:
    """Run question sets (run, the default) or compare two runs (diff)."""


@eval_group.command(epilog=example("assistant eval run --questions my-set.csv --out runs/mine"))
@click.option(
    "--questions",
    multiple=True,
    type=click.Path(path_type=Path),
    metavar="FILE",
    help="JSONL or CSV question set (repeatable; default evals/sets/corpus/heldout.jsonl)",
)
@click.option("--out", type=click.Path(path_type=Path), help="output folder (default runs/<time>)")
@click.option(
    "--baseline", type=click.Path(path_type=Path), help="summary.json to compare with: exit 1 on a regression"
)
@click.option(
    "--update-baseline",
    is_flag=True,
    help="accept this run as the --baseline file (evals/sets/corpus/baseline.json by default)",
)
@click.option("--k", type=click.IntRange(min=1), default=5, show_default=True, help="cut-off for hit@k and recall@k")
@click.option("--quiet", is_flag=True, help="no progress bar")
@click.option(
    "--llm-url",
    metavar="URL",
    help="also run with answers written by the LLM at this OpenAI-compatible "
    "endpoint, verified, and compare both modes (e.g. http://127.0.0.1:8080/v1)",
)
@click.option("--llm-model", metavar="NAME", help="model name to ask the endpoint for (default ASSISTANT_LLM_MODEL)")
@with_settings
def run(
    settings: Settings,
    questions: tuple[Path, ...],
    out: Path | None,
    baseline: Path | None,
    update_baseline: bool,
    k: int,
    quiet: bool,
    llm_url: str | None,
    llm_model: str | None,
) -> int:
    """Run question sets through the assistant, write results.jsonl, summary.json, report.md and
    report.html, and gate against a baseline.

    Exits 1 when the baseline gate finds a regression or a question set had bad rows.
    """
    from assistant import open_index
    from evals.gate import accept_baseline, compare, format_regressions
    from evals.modes import comparison_markdown
    from evals.run import answer_modes, run_modes

    read, bad_rows = _read_sets(questions)
    index = open_index(settings)
    modes = answer_modes(settings, llm_url, llm_model)
    done = run_modes(
        read,
        modes,
        index,
        k=k,
        out_dir=out or Path("runs") / time.strftime("%Y%m%d-%H%M%S"),
        progress=not quiet,
        on_run=functools.partial(_show_run, len(read), len(modes) > 1),
    )
    if done.comparison:
        click.echo("\n" + comparison_markdown({mode: r.summary for mode, r in done.runs.items()}, model=done.model))
        click.echo(f"Side by side: {done.comparison}")
    status = 1 if bad_rows else 0
    if baseline:
        regressions = compare(done.extractive.summary, baseline)
        click.echo(format_regressions(regressions))
        status = 1 if regressions else status
    if update_baseline:
        click.echo(f"Baseline updated: {accept_baseline(done.extractive.files['summary'], baseline)}")
    return status


def _read_sets(paths: tuple[Path, ...]) -> tuple[list[Question], int]:
    """Every question of the sets at `paths` (the default set when none), each bad row shown on
    stderr as a line; and how many rows were bad."""
    from evals.questions import DEFAULT_QUESTIONS, read_questions

    read_all: list[Question] = []
    bad_rows = 0
    for path in paths or (DEFAULT_QUESTIONS,):
        if not Path(path).exists():
            raise AssistantError(f"no question set at {printable(path)}: give a JSONL or CSV file")
        read, errors = read_questions(path)
        for error in errors:
            click.echo(f"{path}: {error}", err=True)
        bad_rows += len(errors)
        read_all.extend(read)
    return read_all, bad_rows


def _show_run(n_questions: int, titled: bool, mode: str, run: EvalRun, seconds: float) -> None:
    """A mode's summary table and where its reports are, as its run ends."""
    from evals.report import summary_table

    if titled:
        click.echo(f"\n{mode} answers")
    click.echo(summary_table(run.summary))
    click.echo(
        f"\n{n_questions} questions in {seconds:.1f} s; reports: {run.files['html']} and {run.files['markdown']}"
    )


@eval_group.command(epilog=example("assistant eval diff runs/before runs/after"))
@click.argument("run_a", type=click.Path(path_type=Path))
@click.argument("run_b", type=click.Path(path_type=Path))
def diff(run_a: Path, run_b: Path) -> int:
    """List the questions whose outcome changed between two runs, newly failing first.

    RUN_A and RUN_B are run folders (or their results.jsonl). Exits 1 when a question newly fails.
    """
    from evals.gate import diff_runs, format_diff

    for path in (run_a, run_b):
        if not path.exists():
            raise AssistantError(f"no run at {printable(path)}: give a folder written by 'assistant eval run --out'")
    changes = diff_runs(run_a, run_b)
    click.echo(format_diff(changes))
    return 1 if any(c.status == "newly failing" for c in changes) else 0
