"""The Chat tab: the conversation, cited answers and their sources, ratings and the export.

An extractive answer takes milliseconds, so the chat shows it whole in one update (`ask_once`):
no pacing, no worker held while text trickles out. With an LLM endpoint set
(ASSISTANT_LLM_URL), the answer streams sentence by sentence as the model writes and each
sentence passes verification, marked as generated (`ask_streaming`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import gradio as gr

from assistant import AssistantError, answer_stream, record_feedback
from assistant.core.types import Answer
from ui import render
from ui.export import conversation_markdown
from ui.queue import ANSWER_CONCURRENCY
from ui.tabs.context import AppContext, bind
from ui.tabs.filters import chosen_filters

log = logging.getLogger(__name__)

EXAMPLES = (
    "What did inspectors say about CAMHS waiting times?",
    "What was the overall effectiveness judgement in 2022, and in 2025?",
    "What needs to improve, according to the 2025 inspection?",
    "What's the status of action 2.2.2?",
    "What were the key strengths in the 2019 letter?",
)

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


@dataclass(frozen=True)
class ChatControls:
    """The Chat tab's components that its events read or write."""

    answers: gr.State
    chatbot: gr.Chatbot
    question: gr.Textbox
    ask: gr.Button
    rated: gr.Dropdown
    comment: gr.Textbox
    up: gr.Button
    down: gr.Button
    feedback_status: gr.Markdown
    export: gr.Button
    export_file: gr.File
    new_chat: gr.Button
    sources: gr.HTML


def chat_tab(ctx: AppContext, filters: list[gr.components.Component]) -> None:
    """The Chat tab: the conversation and the question box, the rating panel and the export on
    the left, the sources of every answer on the right."""
    with gr.Tab("Chat", id="chat-tab"):
        answers = gr.State([])
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                chatbot, question, ask = _conversation()
                rated, comment, up, down, feedback_status = _rating_panel()
                with gr.Row():
                    # Written when clicked, not after every answer; hidden by the style sheet until
                    # the chat holds an answer, so no answer has to send it an update.
                    export = gr.Button("Export conversation (Markdown)", elem_id="export-chat", size="sm")
                    export_file = gr.File(visible=False, elem_id="export-file")
                    new_chat = gr.Button("New conversation", size="sm", elem_id="new-chat")
            with gr.Column(scale=2):
                sources = gr.HTML(render.sources_html([]), elem_id="sources", js_on_load=None)
    chat = ChatControls(
        answers,
        chatbot,
        question,
        ask,
        rated,
        comment,
        up,
        down,
        feedback_status,
        export,
        export_file,
        new_chat,
        sources,
    )
    _wire_asking(ctx, chat, filters)
    _wire_export_and_rating(ctx, chat)


def _conversation() -> tuple[gr.Chatbot, gr.Textbox, gr.Button]:
    """The conversation, with example questions until the first, and the question box."""
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
    return chatbot, question, ask


def _rating_panel() -> tuple[gr.Dropdown, gr.Textbox, gr.Button, gr.Button, gr.Markdown]:
    """Which answer, a comment, the two ratings, and the line that says it was saved."""
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
    return rated, comment, up, down, feedback_status


def _wire_asking(ctx: AppContext, chat: ChatControls, filters: list[gr.components.Component]) -> None:
    """The three ways to ask (the button, Enter, an example) on one handler and one queue."""
    respond = bind(ask_streaming if ctx.settings.llm_url else ask_once, ctx)
    inputs = [chat.question, chat.answers, *filters]
    outputs = [chat.chatbot, chat.answers, chat.sources, chat.rated, chat.question]
    # One shared queue for the three ways to ask, named /respond in the API (scripts/load_chat.py).
    limits: dict[str, Any] = dict(concurrency_id="answer", concurrency_limit=ANSWER_CONCURRENCY)
    chat.ask.click(respond, inputs, outputs, api_name="respond", **limits)
    chat.question.submit(respond, inputs, outputs, api_visibility="undocumented", **limits)
    chat.chatbot.example_select(_example_text, None, chat.question).then(
        respond, inputs, outputs, api_visibility="undocumented", **limits
    )


def _wire_export_and_rating(ctx: AppContext, chat: ChatControls) -> None:
    """The export, the rating list filled when opened, a new conversation, and the two ratings."""
    # The file is written, then the browser is handed it: one click, one download.
    chat.export.click(
        bind(export_conversation, ctx), chat.answers, chat.export_file, api_name="export", concurrency_id="feedback"
    ).success(None, chat.export_file, None, js=DOWNLOAD_JS)
    chat.rated.focus(rating_choices, chat.answers, chat.rated, concurrency_id="feedback", show_progress="hidden")
    chat.new_chat.click(
        reset, None, [chat.chatbot, chat.answers, chat.sources, chat.rated, chat.export_file, chat.feedback_status]
    )
    rating = [chat.rated, chat.comment, chat.answers]
    chat.up.click(bind(rate_helpful, ctx), rating, [chat.feedback_status, chat.comment], concurrency_id="feedback")
    chat.down.click(bind(rate_unhelpful, ctx), rating, [chat.feedback_status, chat.comment], concurrency_id="feedback")


# An answer sends five plain values and no component update: a gr.update (even gr.skip())
# makes Gradio rebuild that component and its API schema for the session, so the export
# file and the rating choices are made only when asked for (below). Together with one
# message instead of two, this took the server's CPU per answer from ~100 ms to ~84 ms
# under 20 users at once (scripts/load_chat.py).
def ask_once(ctx: AppContext, text, history, doc_ids, doc_types, date_from, date_to, councils, judgements):
    # An extractive answer takes milliseconds: one update with the whole answer, from a
    # plain function (no pacing, no worker held, one message to the browser).
    picked = chosen_filters(doc_ids, doc_types, date_from, date_to, councils, judgements)
    if not (text or "").strip():
        gr.Warning("Type a question first, for example: " + EXAMPLES[0])
        return gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
    try:
        # The last answer the stream yields is the whole answer.
        *_, result = answer_stream(text, history=history, filters=picked, settings=ctx.settings, index=ctx.current())
    except AssistantError as error:
        raise gr.Error(str(error)) from None
    return _answered([*history, result])


def ask_streaming(ctx: AppContext, text, history, doc_ids, doc_types, date_from, date_to, councils, judgements):
    # A generated answer (an LLM endpoint is set) streams: each sentence as it is written
    # and verified, then the whole answer with its sources.
    picked = chosen_filters(doc_ids, doc_types, date_from, date_to, councils, judgements)
    if not (text or "").strip():
        gr.Warning("Type a question first, for example: " + EXAMPLES[0])
        yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
        return
    result = None
    try:
        for result in answer_stream(text, history=history, filters=picked, settings=ctx.settings, index=ctx.current()):
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


def _example_text(data: gr.SelectData) -> str:
    """The question of the example clicked."""
    value = data.value
    return value.get("text", "") if isinstance(value, dict) else str(value)


def export_conversation(ctx: AppContext, history, request: gr.Request):
    if not history:
        raise gr.Error("Ask a question first: the export is of the conversation's answers.")
    path = ctx.files.new_path(request.session_hash, "conversation.md")
    path.write_text(conversation_markdown(history), encoding="utf-8")
    return str(path)


def rating_choices(history):
    return gr.update(
        choices=[(f"{i}. {render.short(a.question, 60, at_word=False)}", i - 1) for i, a in enumerate(history or (), 1)]
    )


def reset():
    return [], [], render.sources_html([]), gr.update(choices=[], value=None), None, ""


def rate_helpful(ctx: AppContext, choice, note, history) -> tuple[str, str]:
    return _rate(ctx, 1, choice, note, history)


def rate_unhelpful(ctx: AppContext, choice, note, history) -> tuple[str, str]:
    return _rate(ctx, -1, choice, note, history)


def _rate(ctx: AppContext, rating: int, choice, note, history) -> tuple[str, str]:
    """Store a rating of the answer picked (the latest when none is): the status line, and the
    comment box emptied."""
    if not history:
        raise gr.Error("Ask a question first: feedback is about an answer.")
    turn = choice if isinstance(choice, int) and 0 <= choice < len(history) else len(history) - 1
    try:
        row = record_feedback(ctx.settings.feedback_db, rating, note, history[turn])
    except Exception as error:  # sqlite3 errors and an unwritable folder alike
        log.exception("feedback not stored")
        raise gr.Error(
            f"Could not save feedback in {ctx.settings.feedback_db} ({error}): make the folder "
            "writable or set ASSISTANT_FEEDBACK_DB to a writable file"
        ) from None
    thumb = "helpful" if rating > 0 else "not helpful"
    return f"Thanks: answer {turn + 1} rated {thumb} (feedback #{row} saved).", ""
