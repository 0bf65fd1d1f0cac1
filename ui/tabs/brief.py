"""The Theme brief tab: what each document says on a theme, quoted, with Markdown and Word downloads."""

from __future__ import annotations

import re
from typing import Any

import gradio as gr

from assistant import AssistantError, brief
from ui import render
from ui.export import brief_docx, brief_markdown
from ui.queue import BRIEF_CONCURRENCY
from ui.tabs.context import AppContext, bind
from ui.tabs.filters import chosen_filters

BRIEF_EXAMPLES = ("voice of the child", "CAMHS waiting times", "information sharing", "children missing from home")


def brief_tab(ctx: AppContext, filters: list[gr.components.Component]) -> None:
    """The theme box, examples, the two downloads (shown once a brief holds quotes) and the brief."""
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

    handler = bind(make_brief, ctx)
    briefing: dict[str, Any] = dict(concurrency_id="brief", concurrency_limit=BRIEF_CONCURRENCY)
    make.click(handler, [theme, *filters], [brief_out, brief_md, brief_doc], **briefing)
    theme.submit(handler, [theme, *filters], [brief_out, brief_md, brief_doc], **briefing)


def make_brief(
    ctx: AppContext, text, doc_ids, doc_types, date_from, date_to, councils, judgements, request: gr.Request
):
    """The brief's HTML, and its Markdown and Word files written to the session's folder."""
    picked = chosen_filters(doc_ids, doc_types, date_from, date_to, councils, judgements)
    try:
        result = brief(text, filters=picked, settings=ctx.settings, index=ctx.current())
    except AssistantError as error:
        raise gr.Error(str(error)) from None
    stem = "brief-" + (re.sub(r"[^a-z0-9]+", "-", result.theme.lower()).strip("-")[:40] or "theme")
    md_path = ctx.files.new_path(request.session_hash, stem + ".md", replaces=False)
    md_path.write_text(brief_markdown(result), encoding="utf-8")
    docx_path = brief_docx(result, md_path.with_suffix(".docx"))
    found = bool(result.sections)
    return (
        render.brief_html(result),
        gr.update(value=str(md_path), visible=found),
        gr.update(value=str(docx_path), visible=found),
    )
