"""The Evaluate tab: an uploaded question set run against this index, with its report files."""

from __future__ import annotations

from pathlib import Path

import gradio as gr

from assistant import answer
from assistant.core.types import Answer
from ui import render
from ui.queue import EVAL_CONCURRENCY
from ui.tabs.context import AppContext, bind


def eval_tab(ctx: AppContext) -> None:
    """The upload, k, the run button, the summary and the report files."""
    with gr.Tab("Evaluate", id="eval-tab"):
        gr.Markdown(
            "For evaluators: upload a question set (JSONL, one object a line, or CSV with columns "
            "`id, question, type, docs, gold_quotes, key_facts, answer`), run it against this "
            "index, and download the report. The filters above do not apply."
        )
        with gr.Row():
            upload = gr.File(label="Question set", file_types=[".jsonl", ".csv"], elem_id="eval-file", scale=3)
            with gr.Column(scale=1):
                k = gr.Number(
                    5, label="k (passages that count for hit@k)", precision=0, minimum=1, maximum=50, elem_id="eval-k"
                )
                run = gr.Button("Run evaluation", variant="primary", elem_id="eval-run")
        eval_out = gr.HTML("", elem_id="eval-summary", js_on_load=None)
        eval_files = gr.File(label="Report files", file_count="multiple", interactive=False, elem_id="eval-files")

    run.click(bind(evaluate, ctx), [upload, k], [eval_out, eval_files], concurrency_limit=EVAL_CONCURRENCY)


def evaluate(ctx: AppContext, file, k_value, request: gr.Request, progress=gr.Progress()):
    """Read the question set, answer every question with a progress bar, and write the reports."""
    from evals.questions import read_questions  # evals is only needed by this tab
    from evals.run import run_eval

    if not file:
        raise gr.Error("Upload a question set first: a .jsonl file (one question a line) or a .csv file")
    path = Path(file)
    if path.suffix.lower() not in (".jsonl", ".csv", ".json"):
        raise gr.Error(f"{path.name} is not a question set: upload a .jsonl or .csv file")
    questions, row_errors = read_questions(path)
    if not questions:
        detail = "; ".join(str(e) for e in row_errors[:5]) or "the file is empty"
        raise gr.Error(f"No question could be read from {path.name} ({detail}): fix the rows and upload again")
    done = [0]

    def answer_fn(q: str) -> Answer:
        progress((done[0], len(questions)), desc="Answering", unit="questions")
        done[0] += 1
        return answer(q, settings=ctx.settings, index=ctx.current())

    out_dir = ctx.files.new_path(request.session_hash, "eval")
    result = run_eval(questions, answer_fn, k=int(k_value or 5), out_dir=out_dir, progress=False)
    reports = [str(result.files[name]) for name in ("html", "markdown", "results", "summary") if name in result.files]
    return render.eval_summary_html(result.summary, row_errors, path.name), reports
