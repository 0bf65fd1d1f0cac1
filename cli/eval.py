"""`assistant eval run | diff` (evals/): run question sets and gate them; compare two runs."""

from __future__ import annotations

import functools
import shutil
import time
from pathlib import Path

import click

from assistant.core.errors import AssistantError
from assistant.core.settings import Settings
from cli.common import example, printable, with_settings


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
    from assistant.answering.pipeline import answer
    from assistant.store import open_index
    from evals.gate import BASELINE, compare, format_regressions
    from evals.questions import DEFAULT_QUESTIONS, Question, read_questions
    from evals.report import summary_table
    from evals.run import EvalRun, run_eval

    read_all: list[Question] = []
    bad_rows = 0
    for path in questions or (DEFAULT_QUESTIONS,):
        if not Path(path).exists():
            raise AssistantError(f"no question set at {printable(path)}: give a JSONL or CSV file")
        read, errors = read_questions(path)
        for error in errors:
            click.echo(f"{path}: {error}", err=True)
        bad_rows += len(errors)
        read_all.extend(read)
    index = open_index(settings)
    out = out or Path("runs") / time.strftime("%Y%m%d-%H%M%S")
    # Both modes when an LLM endpoint is given: extractive/ and generated/, then a comparison.
    llm_url = llm_url or settings.llm_url
    modes = {"extractive": settings.replace(llm_url="")}
    if llm_url:
        modes["generated"] = settings.replace(llm_url=llm_url, llm_model=llm_model)
    runs: dict[str, EvalRun] = {}
    for mode, mode_settings in modes.items():
        answer("warm up", settings=mode_settings, index=index)  # load the models before the clock starts
        started = time.perf_counter()
        runs[mode] = run_eval(
            read_all,
            functools.partial(answer, settings=mode_settings, index=index),
            k=k,
            out_dir=out / mode if llm_url else out,
            progress=not quiet,
        )
        seconds = time.perf_counter() - started
        if llm_url:
            click.echo(f"\n{mode} answers")
        click.echo(summary_table(runs[mode].summary))
        click.echo(
            f"\n{len(read_all)} questions in {seconds:.1f} s; reports: {runs[mode].files['html']} and "
            f"{runs[mode].files['markdown']}"
        )
    if llm_url:
        from evals.modes import comparison_markdown, write_comparison

        summaries = {mode: r.summary for mode, r in runs.items()}
        model = modes["generated"].llm_model
        click.echo("\n" + comparison_markdown(summaries, model=model))
        md, _ = write_comparison(summaries, out, model=model)
        click.echo(f"Side by side: {md}")
    extractive = runs["extractive"]  # the baseline is of the default, extractive answers
    status = 1 if bad_rows else 0
    if baseline:
        regressions = compare(extractive.summary, baseline)
        click.echo(format_regressions(regressions))
        status = 1 if regressions else status
    if update_baseline:
        # A question set other than the default one keeps its own baseline: --baseline names it.
        target = baseline or BASELINE
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(extractive.files["summary"], target)
        click.echo(f"Baseline updated: {target}")
    return status


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
