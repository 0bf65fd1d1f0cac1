"""The web chat: ask with cited answers, build a theme brief, follow the timeline, see the
national picture of grades, follow the action plans, run a question set.

`build_app(settings, index)` lays the app out without starting it (`ui.serve.serve` starts it):
a header, the filters (`ui.tabs.filters`) and one tab each from `ui.tabs` (chat, brief,
timeline, national, actions, evaluate), each laying out its tab and wiring its events to
module-level handlers that read an `AppContext`. The National picture tab opens a council's
timeline, so it is given the tabs and the Timeline tab's council picker. The style sheet is
`ui/style.css` (`ui.serve.style_sheet`).

The queue lets a few answers run at once and the rest wait milliseconds (`ui.queue`).
Downloads are written to a private folder per browser session (`ui.export.SessionFiles`),
removed when the tab is closed.

The handlers only call the assistant's verbs (`answer`, `brief`, `run_eval`, `record_feedback`)
and the renderers in `ui.render`; errors whose message says the fix (`assistant.AssistantError`)
are shown as `gr.Error`.
"""

from __future__ import annotations

import gradio as gr
from gradio.utils import get_upload_folder

from assistant import Settings
from assistant.store import Index, open_index
from ui import render
from ui.export import SessionFiles
from ui.tabs.actions import actions_tab
from ui.tabs.brief import brief_tab
from ui.tabs.chat import chat_tab
from ui.tabs.context import AppContext, bind
from ui.tabs.evaluate import eval_tab
from ui.tabs.filters import filters_panel
from ui.tabs.national import national_tab
from ui.tabs.timeline import timeline_tab

# Temporary files Gradio knows of (ours included) older than a day are removed hourly: the
# backstop for sessions whose tab-close event never came (API clients, crashed browsers).
DELETE_CACHE = (3600, 24 * 3600)


def build_app(settings: Settings, index: Index | None = None, *, files: SessionFiles | None = None) -> gr.Blocks:
    """The Gradio app over an open index (the live one when None): a header, the filters, and one
    tab each for the chat, the theme brief, the timeline, the national picture, the action tracker
    and evaluation.

    Args:
        settings: where the index and the feedback database are.
        index: an open index, used for every question; when None, each question reads the live
            generation (`open_index`), so an ingest run beside the server is picked up.
        files: where sessions' downloads go; a new private folder in Gradio's cache when None.
    Returns:
        The Blocks, not yet launched; queue it with `ui.queue.configure_queue` and launch it with
        `ui.serve.launch_kwargs(settings)`.
    Raises:
        IndexNotFound: nothing has been ingested yet.
    """
    fixed = index
    index = index or open_index(settings)
    ctx = AppContext(settings, files or SessionFiles(get_upload_folder()), fixed=fixed)
    docs = sorted(index.docs.values(), key=lambda d: (not d.published, d.published, d.title))
    with gr.Blocks(title="Inspection findings assistant", analytics_enabled=False, delete_cache=DELETE_CACHE) as app:
        gr.HTML(
            f"<h2 style='margin:.2em 0'>Inspection findings assistant</h2>{render.corpus_html(docs)}", elem_id="header"
        )
        filters = filters_panel(docs)
        with gr.Tabs() as tabs:
            chat_tab(ctx, filters)
            brief_tab(ctx, filters)
            council = timeline_tab(ctx, index)
            national_tab(ctx, index, tabs, council)
            actions_tab(ctx, index)
            eval_tab(ctx)
        app.unload(bind(forget, ctx))
    return app


def forget(ctx: AppContext, request: gr.Request) -> None:
    """The tab was closed: its exports go (Gradio keeps the session's state an hour)."""
    ctx.files.forget(request.session_hash)
