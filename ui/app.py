"""The web chat: ask with cited answers, build a theme brief, run a question set.

`serve(settings)` checks the index and the port (before Gradio is imported, see `ui.startup`),
loads the index, starts the Gradio app on settings.host:settings.port (loopback unless told
otherwise), then loads the embedding model before saying it is ready. When a user is
set, Gradio's login form asks for it first; failed sign-ins are rate-limited (`LoginGuard`).
`build_app(settings, index)` builds the same app without starting it, for tests: a header,
the filters (`_filters_panel`) and one function per tab (`_chat_tab`, `_brief_tab`,
`_timeline_tab`, `_actions_tab`, `_eval_tab`), each laying out its tab and wiring its events.
The style sheet is `ui/style.css`.

An extractive answer takes milliseconds, so the chat shows it whole in one update: no pacing,
no worker held while text trickles out; the queue lets a few answers run at once and the rest
wait milliseconds. With an LLM endpoint set (ASSISTANT_LLM_URL), the answer streams sentence by
sentence as the model writes and each sentence passes verification, marked as generated.
Downloads are written to a private folder per browser session (`ui.export.SessionFiles`),
removed when the tab is closed.

The handlers only call the assistant's verbs (`answer`, `brief`, `run_eval`, `record_feedback`)
and the renderers in `ui.render`; errors whose message says the fix (`assistant.core.errors`) are shown as `gr.Error`.
"""

from __future__ import annotations

import gc
import hmac
import importlib.util
import logging
import os
import re
import sys
import threading
import time
from collections.abc import Callable
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import gradio as gr
from fastapi import HTTPException
from gradio.utils import get_upload_folder

from assistant.answering.pipeline import answer
from assistant.views.brief import brief
from assistant.core.errors import AssistantError
from assistant.store.feedback import record_feedback, warn_of_old_feedback
from assistant.answering.llm.generate import answer_stream
from assistant.core.settings import Settings
from assistant.store import Index, open_index
from assistant.core.taxonomy import load_taxonomy
from assistant.views.timeline import timeline
from assistant.views.trace import trace
from assistant.views.tracker import OPEN, OVERDUE, action_rows
from assistant.core.types import Answer, DocumentInfo, Filters
from ui import render, timeline_view
from ui.export import SessionFiles, brief_docx, brief_markdown, conversation_markdown
from ui.startup import begin, check_login, seconds_since_start

log = logging.getLogger(__name__)

EXAMPLES = (
    "What did inspectors say about CAMHS waiting times?",
    "What was the overall effectiveness judgement in 2022, and in 2025?",
    "What needs to improve, according to the 2025 inspection?",
    "What's the status of action 2.2.2?",
    "What were the key strengths in the 2019 letter?",
)
BRIEF_EXAMPLES = ("voice of the child", "CAMHS waiting times", "information sharing", "children missing from home")
# Answers running at once. An answer costs the server ~75-85 ms of CPU in all under load, about
# half of it in answer() (~44 ms, some in ONNX Runtime and numpy with the GIL released) and the
# rest in Gradio's HTTP, SSE, queue and pre/postprocessing on its one event-loop thread; a few overlap
# usefully on 2 cores. Measured with scripts/load_chat.py (20 users): 1, 2, 4 and 8 are alike
# within this shared machine's noise (p50 1.1-1.3 s); 20 at once was slower (p50 2.8 s against 1.2 s).
ANSWER_CONCURRENCY = 4
BRIEF_CONCURRENCY = 2  # a brief scans more passages (~0.1-1 s); two leave room for the chat
EVAL_CONCURRENCY = 1  # a question set holds its worker for seconds to minutes
OTHER_CONCURRENCY = 8  # feedback, filters, new conversation, tab close: trivial handlers
QUEUE_MAX = 500  # events waiting at most; beyond that a user is told the queue is full
# After every event Gradio's queue summarises its last 10,000 events in a pandas DataFrame, for a
# monitoring page this app does not enable: 8 ms of CPU an answer on a fresh server, 26 ms once it
# has served 10,000 events (an answer then cost ~150 ms of server CPU in all). Its own variables,
# read when the queue is made, keep a short record summarised once in a thousand events.
GRADIO_QUEUE_ENV = {"GRADIO_ANALYTICS_MAX_EVENTS": "100", "GRADIO_ANALYTICS_CACHE_FREQUENCY": "1000"}
# Seconds between the queue's "n ahead of you" messages to waiting browsers. Gradio's default
# ("auto") sends one to every waiting event each time an event starts: with 20 users asking at
# once, ~16 extra SSE messages per answer, each parsed by its browser. Answers take milliseconds,
# so a waiting user is told their place on arrival and then every QUEUE_STATUS_EVERY_S.
QUEUE_STATUS_EVERY_S = 2.0
# Temporary files Gradio knows of (ours included) older than a day are removed hourly: the
# backstop for sessions whose tab-close event never came (API clients, crashed browsers).
DELETE_CACHE = (3600, 24 * 3600)
LOGIN_MAX_FAILURES = 5  # failed sign-ins per user name within LOGIN_WINDOW_S ...
LOGIN_WINDOW_S = 60.0
LOGIN_LOCKOUT_S = 300.0  # ... refuse that name for this long
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
STYLE_SHEET = "style.css"  # ui/style.css, package data (pyproject.toml)


# Runs in the browser once the export is written: saves the file the server returned.
DOWNLOAD_JS = """(file) => {
  if (file && file.url) {
    const link = document.createElement("a");
    link.href = file.url;
    link.download = file.orig_name || "conversation.md";
    document.body.appendChild(link);
    link.click();
    link.remove();
  }
  return [];
}"""


def build_app(settings: Settings, index: Index | None = None, *, files: SessionFiles | None = None) -> gr.Blocks:
    """The Gradio app over an open index (the live one when None): a header, the filters, and one
    tab each for the chat, the theme brief, the timeline, the action tracker and evaluation.

    Args:
        settings: where the index and the feedback database are.
        index: an open index, used for every question; when None, each question reads the live
            generation (`open_index`), so an ingest run beside the server is picked up.
        files: where sessions' downloads go; a new private folder in Gradio's cache when None.
    Returns:
        The Blocks, not yet launched; queue it with `configure_queue` and launch it with
        `launch_kwargs(settings)`.
    Raises:
        IndexNotFound: nothing has been ingested yet.
    """
    fixed = index
    index = index or open_index(settings)
    files = files or SessionFiles(get_upload_folder())

    def current() -> Index:
        # Read per question (cached while state.json names the same generation): a new
        # generation is taken up between questions, never in the middle of one.
        return fixed or open_index(settings)

    docs = sorted(index.docs.values(), key=lambda d: (not d.published, d.published, d.title))
    with gr.Blocks(title="Inspection findings assistant", analytics_enabled=False, delete_cache=DELETE_CACHE) as app:
        gr.HTML(
            f"<h2 style='margin:.2em 0'>Inspection findings assistant</h2>{render.corpus_html(docs)}", elem_id="header"
        )
        filters = _filters_panel(docs)
        with gr.Tabs():
            _chat_tab(settings, current, files, filters)
            _brief_tab(settings, current, files, filters)
            _timeline_tab(index, current, settings)
            _actions_tab(index, current, settings, files)
            _eval_tab(settings, current, files)

        def forget(request: gr.Request):
            """The tab was closed: its exports go (Gradio keeps the session's state an hour)."""
            files.forget(request.session_hash)

        app.unload(forget)
    return app


def _filters_panel(docs: list[DocumentInfo]) -> list[gr.components.Component]:
    """The filters the chat and the brief share, choices from the documents held; returns the six
    controls in `_filters`' order."""
    doc_choices = [(f"{d.title} ({render.human_date(d.published)})", d.doc_id) for d in docs]
    type_choices = [(render.type_name(t), t) for t in sorted({d.doc_type for d in docs})]
    council_names = {d.council: d.local_authority for d in docs if d.council}  # one name a council
    council_choices = sorted((name, name) for name in council_names.values())
    held = {d.overall_judgement for d in docs}
    taxonomy = load_taxonomy()
    judgement_choices = [(g, g) for g in sorted(taxonomy.grades, key=lambda g: -taxonomy.grade_score(g)) if g in held]
    with gr.Accordion(
        "Filters: limit answers and briefs to some documents, councils, judgements or dates",
        open=False,
        elem_id="filters",
    ):
        with gr.Row():
            doc_ids = gr.Dropdown(doc_choices, value=[], multiselect=True, label="Documents", elem_id="f-docs", scale=3)
            doc_types = gr.Dropdown(
                type_choices, value=[], multiselect=True, label="Document types", elem_id="f-types", scale=2
            )
            date_from = gr.Textbox(label="Dated from", placeholder="YYYY-MM-DD", elem_id="f-from", scale=1)
            date_to = gr.Textbox(label="Dated to", placeholder="YYYY-MM-DD", elem_id="f-to", scale=1)
        with gr.Row():
            councils = gr.Dropdown(
                council_choices,
                value=[],
                multiselect=True,
                label="Councils (several: each is heard)",
                elem_id="f-councils",
                scale=3,
            )
            judgements = gr.Dropdown(
                judgement_choices,
                value=[],
                multiselect=True,
                label="Overall judgement",
                elem_id="f-judgements",
                scale=2,
            )
        clear_filters = gr.Button("Clear filters", size="sm", elem_id="f-clear")
    filters: list[gr.components.Component] = [doc_ids, doc_types, date_from, date_to, councils, judgements]
    clear_filters.click(lambda: ([], [], "", "", [], []), None, filters)
    return filters


def _chat_tab(
    settings: Settings, current: Callable[[], Index], files: SessionFiles, filters: list[gr.components.Component]
) -> None:
    """The Chat tab: the conversation, cited answers and their sources, ratings and the export."""
    with gr.Tab("Chat", id="chat-tab"):
        answers = gr.State([])
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(
                    elem_id="chat",
                    height=560,
                    latex_delimiters=[],
                    buttons=[],
                    feedback_options=None,
                    placeholder=(
                        "**Ask about the inspection documents.** Every sentence of an answer is "
                        "quoted from a document; click a marker like [1] to see the passage."
                    ),
                    examples=[{"text": q} for q in EXAMPLES],
                    label="Conversation",
                )
                with gr.Row():
                    question = gr.Textbox(
                        placeholder="Ask a question, e.g. " + EXAMPLES[0],
                        show_label=False,
                        elem_id="question",
                        scale=6,
                        max_length=4000,
                        autofocus=True,
                    )
                    ask = gr.Button("Ask", variant="primary", elem_id="ask", scale=1, min_width=80)
                with gr.Accordion("Rate an answer", open=True, elem_id="feedback"):
                    with gr.Row():
                        # Its choices are filled when it is opened, not sent with every answer.
                        rated = gr.Dropdown(
                            [],
                            value=None,
                            label="Answer (the latest unless you pick one)",
                            elem_id="fb-answer",
                            scale=3,
                        )
                        comment = gr.Textbox(
                            label="Comment (optional)",
                            elem_id="fb-comment",
                            scale=4,
                            placeholder="What was right or wrong?",
                            max_length=2000,
                        )
                        up = gr.Button("▲ Helpful", elem_id="fb-up", scale=1, min_width=90)
                        down = gr.Button("▼ Not helpful", elem_id="fb-down", scale=1, min_width=90)
                    feedback_status = gr.Markdown("", elem_id="fb-status")
                with gr.Row():
                    # Written when clicked, not after every answer; hidden by the style sheet until
                    # the chat holds an answer, so no answer has to send it an update.
                    export = gr.Button("Export conversation (Markdown)", elem_id="export-chat", size="sm")
                    export_file = gr.File(visible=False, elem_id="export-file")
                    new_chat = gr.Button("New conversation", size="sm", elem_id="new-chat")
            with gr.Column(scale=2):
                sources = gr.HTML(render.sources_html([]), elem_id="sources", js_on_load=None)

    # An answer sends five plain values and no component update: a gr.update (even gr.skip())
    # makes Gradio rebuild that component and its API schema for the session, so the export
    # file and the rating choices are made only when asked for (below). Together with one
    # message instead of two, this took the server's CPU per answer from ~100 ms to ~84 ms
    # under 20 users at once (scripts/load_chat.py).
    def ask_once(text, history, doc_ids, doc_types, date_from, date_to, councils, judgements):
        # An extractive answer takes milliseconds: one update with the whole answer, from a
        # plain function (no pacing, no worker held, one message to the browser).
        picked = _filters(doc_ids, doc_types, date_from, date_to, councils, judgements)
        if not (text or "").strip():
            gr.Warning("Type a question first, for example: " + EXAMPLES[0])
            return gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
        try:
            # The last answer the stream yields is the whole answer.
            *_, result = answer_stream(text, history=history, filters=picked, settings=settings, index=current())
        except AssistantError as error:
            raise gr.Error(str(error)) from None
        return _answered([*history, result])

    def ask_streaming(text, history, doc_ids, doc_types, date_from, date_to, councils, judgements):
        # A generated answer (an LLM endpoint is set) streams: each sentence as it is written
        # and verified, then the whole answer with its sources.
        picked = _filters(doc_ids, doc_types, date_from, date_to, councils, judgements)
        if not (text or "").strip():
            gr.Warning("Type a question first, for example: " + EXAMPLES[0])
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        result = None
        try:
            for result in answer_stream(text, history=history, filters=picked, settings=settings, index=current()):
                if result.mode == "generated":
                    partial = [*history, result]  # the verified sentences so far
                    yield (render.chat_messages(partial), gr.skip(), render.sources_html(partial), gr.skip(), gr.skip())
        except AssistantError as error:
            raise gr.Error(str(error)) from None
        assert result is not None  # answer_stream always ends with the whole answer
        yield _answered([*history, result])

    def _answered(new: list[Answer]) -> tuple:
        # The rating picks "the latest" again (None) and the question box is emptied.
        return render.chat_messages(new), new, render.sources_html(new), None, ""

    respond = ask_streaming if settings.llm_url else ask_once
    chat_inputs, chat_outputs = [question, answers, *filters], [chatbot, answers, sources, rated, question]
    # One shared queue for the three ways to ask, named /respond in the API (scripts/load_chat.py).
    chat: dict[str, Any] = dict(concurrency_id="answer", concurrency_limit=ANSWER_CONCURRENCY)
    ask.click(respond, chat_inputs, chat_outputs, api_name="respond", **chat)
    question.submit(respond, chat_inputs, chat_outputs, api_visibility="undocumented", **chat)
    chatbot.example_select(_example_text, None, question).then(
        respond, chat_inputs, chat_outputs, api_visibility="undocumented", **chat
    )

    def export_conversation(history, request: gr.Request):
        if not history:
            raise gr.Error("Ask a question first: the export is of the conversation's answers.")
        path = files.new_path(request.session_hash, "conversation.md")
        path.write_text(conversation_markdown(history), encoding="utf-8")
        return str(path)

    # The file is written, then the browser is handed it: one click, one download.
    export.click(export_conversation, answers, export_file, api_name="export", concurrency_id="feedback").success(
        None, export_file, None, js=DOWNLOAD_JS
    )

    def rating_choices(history):
        return gr.update(choices=[(f"{i}. {_short(a.question)}", i - 1) for i, a in enumerate(history or (), 1)])

    rated.focus(rating_choices, answers, rated, concurrency_id="feedback", show_progress="hidden")

    def reset():
        return [], [], render.sources_html([]), gr.update(choices=[], value=None), None, ""

    new_chat.click(reset, None, [chatbot, answers, sources, rated, export_file, feedback_status])

    def rate(rating: int):
        def handler(choice, note, history):
            if not history:
                raise gr.Error("Ask a question first: feedback is about an answer.")
            turn = choice if isinstance(choice, int) and 0 <= choice < len(history) else len(history) - 1
            try:
                row = record_feedback(settings.feedback_db, rating, note, history[turn])
            except Exception as error:  # sqlite3 errors and an unwritable folder alike
                log.exception("feedback not stored")
                raise gr.Error(
                    f"Could not save feedback in {settings.feedback_db} ({error}): make the folder "
                    "writable or set ASSISTANT_FEEDBACK_DB to a writable file"
                ) from None
            thumb = "helpful" if rating > 0 else "not helpful"
            return f"Thanks: answer {turn + 1} rated {thumb} (feedback #{row} saved).", ""

        return handler

    up.click(rate(1), [rated, comment, answers], [feedback_status, comment], concurrency_id="feedback")
    down.click(rate(-1), [rated, comment, answers], [feedback_status, comment], concurrency_id="feedback")


def _brief_tab(
    settings: Settings, current: Callable[[], Index], files: SessionFiles, filters: list[gr.components.Component]
) -> None:
    """The Theme brief tab: what each document says on a theme, quoted, with Markdown and Word downloads."""
    with gr.Tab("Theme brief", id="brief-tab"):
        gr.Markdown(
            "For trainers: what each document says on a theme, oldest first, as verbatim quotes "
            "under *Strengths*, *Areas for improvement*, *Actions and latest progress* and "
            "*Other findings*. The filters above apply."
        )
        with gr.Row():
            theme = gr.Textbox(
                label="Theme", placeholder="e.g. voice of the child", elem_id="brief-theme", scale=5, max_length=300
            )
            make = gr.Button("Build brief", variant="primary", elem_id="brief-build", scale=1)
        gr.Examples([[t] for t in BRIEF_EXAMPLES], inputs=[theme], label="Themes to try")
        with gr.Row():
            brief_md = gr.DownloadButton("Download Markdown", visible=False, elem_id="brief-md", size="sm")
            brief_doc = gr.DownloadButton("Download Word (.docx)", visible=False, elem_id="brief-docx", size="sm")
        brief_out = gr.HTML("", elem_id="brief-out", js_on_load=None)

    def make_brief(text, doc_ids, doc_types, date_from, date_to, councils, judgements, request: gr.Request):
        picked = _filters(doc_ids, doc_types, date_from, date_to, councils, judgements)
        try:
            result = brief(text, filters=picked, settings=settings, index=current())
        except AssistantError as error:
            raise gr.Error(str(error)) from None
        stem = "brief-" + (re.sub(r"[^a-z0-9]+", "-", result.theme.lower()).strip("-")[:40] or "theme")
        md_path = files.new_path(request.session_hash, stem + ".md", replaces=False)
        md_path.write_text(brief_markdown(result), encoding="utf-8")
        docx_path = brief_docx(result, md_path.with_suffix(".docx"))
        found = bool(result.sections)
        return (
            render.brief_html(result),
            gr.update(value=str(md_path), visible=found),
            gr.update(value=str(docx_path), visible=found),
        )

    briefing: dict[str, Any] = dict(concurrency_id="brief", concurrency_limit=BRIEF_CONCURRENCY)
    make.click(make_brief, [theme, *filters], [brief_out, brief_md, brief_doc], **briefing)
    theme.submit(make_brief, [theme, *filters], [brief_out, brief_md, brief_doc], **briefing)


def _eval_tab(settings: Settings, current: Callable[[], Index], files: SessionFiles) -> None:
    """The Evaluate tab: an uploaded question set run against this index, with its report files."""
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

    def evaluate(file, k_value, request: gr.Request, progress=gr.Progress()):
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
            return answer(q, settings=settings, index=current())

        out_dir = files.new_path(request.session_hash, "eval")
        result = run_eval(questions, answer_fn, k=int(k_value or 5), out_dir=out_dir, progress=False)
        reports = [
            str(result.files[name]) for name in ("html", "markdown", "results", "summary") if name in result.files
        ]
        return render.eval_summary_html(result.summary, row_errors, path.name), reports

    run.click(evaluate, [upload, k], [eval_out, eval_files], concurrency_limit=EVAL_CONCURRENCY)


def _timeline_tab(index: Index, current: Callable[[], Index], settings: Settings) -> None:
    """The Timeline tab: each document in date order with its judgements and key findings (quoted,
    each linked to its passage), and a chart of the judgements over time, one line per area.
    `index` draws the first view; `current()` gives the live one for each request, so an ingest
    beside the server is shown and the old generation is not held."""
    councils = sorted({d.local_authority for d in index.docs.values() if d.local_authority})
    first = timeline(index, councils[0] if len(councils) == 1 else None, settings=settings)
    with gr.Tab("Timeline", id="timeline-tab"):
        gr.Markdown(
            "For trainers and evaluators: the documents in date order, each with its kind, dates, "
            "judgements and key findings quoted from it (click a source to open the passage). The chart "
            "places each judgement on one scale, one line per judgement area. The filters above do not apply."
        )
        council = gr.Dropdown(
            [("All councils", "")] + [(c, c) for c in councils],
            value=councils[0] if len(councils) == 1 else "",
            label="Council",
            elem_id="tl-council",
            visible=len(councils) > 1,
        )
        chart = gr.LinePlot(
            timeline_view.judgement_frame(first),
            x="date",
            y="score",
            color="area",
            title="Judgements over time",
            y_title=timeline_view.GRADE_AXIS,
            x_title="report date",
            y_lim=[0.5, 4.5],
            tooltip=["area", "grade", "date"],
            height=320,
            elem_id="tl-chart",
        )
        out = gr.HTML(timeline_view.timeline_html(first), elem_id="timeline-out", js_on_load=None)

        def show(name):
            try:
                result = timeline(current(), name or None, settings=settings)
            except AssistantError as error:
                raise gr.Error(str(error)) from None
            return timeline_view.judgement_frame(result), timeline_view.timeline_html(result)

        council.change(show, council, [chart, out])


def _actions_tab(index: Index, current: Callable[[], Index], settings: Settings, files: SessionFiles) -> None:
    """The Action tracker tab: the action plans' rows as a filterable table (each row linked to its
    passage and to the findings it answers, followed through progress to later inspections),
    roll-ups by priority and agency with charts, and the rows as CSV."""
    from assistant.views.tracker import actions_csv  # the CLI writes the same CSV, so both downloads agree

    with gr.Tab("Action tracker", id="actions-tab"):
        try:
            everything = action_rows(index)
        except AssistantError as error:
            gr.Markdown(str(error))
            return
        traces = trace(index, settings=settings)
        gr.Markdown(
            "For evaluators and practitioners: every row of the action plans with its written status, "
            "due date and latest progress note. *Overdue* means due before the plan's own date and not "
            "written as completed. The filters above do not apply; these do."
        )
        with gr.Row():
            status = gr.Dropdown(
                [("All statuses", "")]
                + [(s, s) for s in everything.statuses]
                + [("Overdue", OVERDUE), ("Open (not completed)", OPEN)],
                value="",
                label="Status",
                elem_id="tk-status",
                scale=2,
            )
            agency = gr.Dropdown(
                [("All agencies", "")] + [(a, a) for a in everything.agencies],
                value="",
                label="Agency",
                elem_id="tk-agency",
                scale=2,
            )
            first_csv = files.new_path(None, "actions.csv", replaces=False)
            first_csv.write_text(actions_csv(everything), encoding="utf-8")
            download = gr.DownloadButton("Download CSV", value=str(first_csv), elem_id="tk-csv", size="sm", scale=1)
        with gr.Row():
            by_priority = gr.BarPlot(
                timeline_view.rollup_frame(everything, "priority"),
                x="priority",
                y="rows",
                color="state",
                color_map=timeline_view.STATE_COLOURS,
                title="Rows by priority",
                height=260,
                elem_id="tk-chart-priority",
            )
            by_agency = gr.BarPlot(
                timeline_view.rollup_frame(everything, "agency"),
                x="agency",
                y="rows",
                color="state",
                color_map=timeline_view.STATE_COLOURS,
                title="Rows by agency",
                x_label_angle=-30,
                height=260,
                elem_id="tk-chart-agency",
            )
        out = gr.HTML(timeline_view.tracker_html(everything, traces), elem_id="tracker-out", js_on_load=None)

        def pick(status_value, agency_value, request: gr.Request):
            result = action_rows(current(), status=status_value or "", agency=agency_value or "")
            path = files.new_path(request.session_hash, "actions.csv")
            path.write_text(actions_csv(result), encoding="utf-8")
            return (
                timeline_view.tracker_html(result, traces),
                timeline_view.rollup_frame(result, "priority"),
                timeline_view.rollup_frame(result, "agency"),
                gr.update(value=str(path)),
            )

        for control in (status, agency):
            control.change(pick, [status, agency], [out, by_priority, by_agency, download])


def _example_text(data: gr.SelectData) -> str:
    value = data.value
    return value.get("text", "") if isinstance(value, dict) else str(value)


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _filters(doc_ids, doc_types, date_from, date_to, councils=(), judgements=()) -> Filters:
    """The filters as chosen, or a gr.Error saying which date is wrong and how to write it."""
    dates = []
    for label, value in (("Dated from", date_from), ("Dated to", date_to)):
        value = (value or "").strip()
        if value:
            try:
                if not _DATE.match(value):
                    raise ValueError
                date.fromisoformat(value)
            except ValueError:
                raise gr.Error(
                    f"'{label}' is {value!r}, not a date: write it as YYYY-MM-DD, e.g. 2019-12-18, or leave it empty"
                ) from None
        dates.append(value)
    if dates[0] and dates[1] and dates[0] > dates[1]:
        raise gr.Error(f"'Dated from' ({dates[0]}) is after 'Dated to' ({dates[1]}): swap them or clear one")
    return Filters(
        tuple(doc_ids or ()), tuple(doc_types or ()), dates[0], dates[1], tuple(councils or ()), tuple(judgements or ())
    )


def style_sheet() -> str:
    """The app's CSS, read from the package (so it is there however the package is installed)."""
    return resources.files("ui").joinpath(STYLE_SHEET).read_text(encoding="utf-8")


def launch_kwargs(settings: Settings) -> dict:
    """Arguments of `Blocks.launch` for these settings: address, auth, look."""
    check_login(settings)
    return {
        "server_name": settings.host,
        "server_port": settings.port,
        "auth": LoginGuard(settings.auth_user, settings.auth_password.get_secret_value())
        if settings.auth_user
        else None,
        "auth_message": LOGIN_MESSAGE if settings.auth_user else None,
        "css": style_sheet(),
        # System fonts: the default theme fetches Google Fonts, and this machine has no internet.
        "theme": gr.themes.Default(
            font=["system-ui", "Segoe UI", "Arial", "sans-serif"], font_mono=["ui-monospace", "Consolas", "monospace"]
        ),
        "footer_links": ["settings"],
        "ssr_mode": False,
        "show_error": True,
        "quiet": True,
    }


LOGIN_MESSAGE = (
    f"Sign in to the inspection findings assistant. After {LOGIN_MAX_FAILURES} failed sign-ins "
    f"within a minute, a user name is refused for {LOGIN_LOCKOUT_S / 60:.0f} minutes."
)


class LoginGuard:
    """Gradio's `auth` callable: one user name and password, failed sign-ins rate-limited.

    Gradio's login form checks a tuple as fast as requests arrive, so a password could be
    guessed at network speed. After LOGIN_MAX_FAILURES failures within LOGIN_WINDOW_S for one
    user name, that name is refused for LOGIN_LOCKOUT_S, even with the right password (else the
    lock-out would tell a guesser when they hit it), with HTTP 429 and Retry-After.
    """

    _MAX_NAMES = 10_000  # names tracked at most: random names must not grow memory without end

    def __init__(self, user: str, password: str, *, clock=time.monotonic):
        self._user, self._password = user.encode(), password.encode()
        self._clock = clock
        self._failures: dict[str, list[float]] = {}
        self._locked_until: dict[str, float] = {}
        self._lock = threading.Lock()

    def __call__(self, username: str, password: str) -> bool:
        key, now = (username or "").strip().casefold()[:256], self._clock()
        with self._lock:
            wait = self._locked_until.get(key, 0.0) - now
            if wait > 0:
                raise HTTPException(
                    status_code=429,
                    headers={"Retry-After": str(int(wait) + 1)},
                    detail=f"Too many failed sign-ins: wait {int(wait) // 60 + 1} minutes and "
                    "try again, or ask the administrator for the password",
                )
            # Both compared in constant time, so timing tells nothing about which one was wrong.
            right_user = hmac.compare_digest((username or "").strip().encode(), self._user)
            if hmac.compare_digest((password or "").encode(), self._password) and right_user:
                self._failures.pop(key, None)
                return True
            self._fail(key, now)
            return False

    def _fail(self, key: str, now: float) -> None:
        recent = [t for t in self._failures.get(key, []) if now - t < LOGIN_WINDOW_S] + [now]
        self._failures[key] = recent
        if len(recent) >= LOGIN_MAX_FAILURES:
            self._locked_until[key] = now + LOGIN_LOCKOUT_S
            self._failures.pop(key, None)
            log.warning(
                "%d failed sign-ins for user name %r within %.0f s: refused for %.0f s",
                len(recent),
                key,
                LOGIN_WINDOW_S,
                LOGIN_LOCKOUT_S,
            )
        if len(self._failures) + len(self._locked_until) > self._MAX_NAMES:
            self._forget_old(now)

    def _forget_old(self, now: float) -> None:
        self._failures = {k: v for k, v in self._failures.items() if now - v[-1] < LOGIN_WINDOW_S}
        self._locked_until = {k: v for k, v in self._locked_until.items() if v > now}


def configure_queue(app: gr.Blocks) -> gr.Blocks:
    """The queue sized for a millisecond answerer; the listeners name their own limits."""
    for name, value in GRADIO_QUEUE_ENV.items():
        os.environ.setdefault(name, value)  # an operator's own value stands
    _no_matplotlib()
    return app.queue(
        status_update_rate=QUEUE_STATUS_EVERY_S, default_concurrency_limit=OTHER_CONCURRENCY, max_size=QUEUE_MAX
    )


def _no_matplotlib() -> None:
    """Gradio wraps every event in `import matplotlib` (to switch its backend), twice. Without
    matplotlib installed each is a failed import that searches sys.path (~0.1 ms of CPU held under
    the GIL, more under load); marking it absent in sys.modules makes both fail at once."""
    if "matplotlib" not in sys.modules and importlib.util.find_spec("matplotlib") is None:
        sys.modules["matplotlib"] = None  # type: ignore[assignment]  # "import matplotlib" raises ImportError


def freeze_startup_objects() -> None:
    """Leave what start-up made (Gradio's modules and app, the index, the model) out of every
    later garbage collection.

    A full collection walks every container object: ~200,000 once gradio is imported and the
    index loaded, 200-400 ms with the GIL held on this 2-core machine, during which every answer
    in flight waits. Under 20 users at once one came every ~200 answers (scripts/load_chat.py);
    after the freeze one walks only what was made since (conversations, sessions): ~30 ms.
    Frozen objects are still freed when their last reference goes (an index generation the
    server has moved on from is: it is in no reference cycle), only the cycle collector skips them.
    """
    gc.collect()  # start-up's own garbage goes first, so it is not kept for ever
    gc.freeze()
    gc.enable()  # paused during start-up (ui.startup.pause_garbage_collection)


def serve(settings: Settings, *, begun: bool = False) -> None:
    """Load the index, start the web chat, load the model, and block until interrupted.

    The page answers once the app is launched; the embedding model loads next, before "Ready" is
    printed (a question asked meanwhile waits for it: `assistant.core.embed` loads it once).

    Args:
        settings: host, port, auth, index and feedback locations.
        begun: `ui.startup.begin` has run (the CLI runs it before Gradio is imported).
    Raises:
        IndexNotFound: nothing has been ingested (the CLI prints the fix and exits non-zero).
        SettingsError: a login user without a password, or a port that is taken.
    """
    try:
        if not begun:
            begin(settings)
        kwargs = launch_kwargs(settings)
        open_index(settings)  # the rest of its checks; the model loads once the page is up
        if settings.host not in _LOOPBACK:
            log.warning(
                "binding to %s: anyone who can reach this machine can use the chat%s",
                settings.host,
                "" if settings.auth_user else " (no login: set ASSISTANT_AUTH_USER and ASSISTANT_AUTH_PASSWORD)",
            )
        warn_of_old_feedback(settings)
        files = SessionFiles(get_upload_folder())
        app = configure_queue(build_app(settings, files=files))  # the live index at each question
    except BaseException:
        gc.enable()  # paused by begin
        raise
    try:
        app.launch(prevent_thread_lock=True, **kwargs)
        # Loads the embedding model before "Ready". No reference to the index is kept here: a
        # generation the server has moved on from must be free to go (assistant.store).
        answer("warm up", settings=settings)
        freeze_startup_objects()
        print(
            f"Ready on http://{settings.host}:{settings.port} (started in {seconds_since_start():.1f} s)",
            flush=True,
        )
        app.block_thread()
    except KeyboardInterrupt:
        pass
    finally:
        gc.enable()
        app.close()
        files.remove_all()
        sys.stdout.flush()
