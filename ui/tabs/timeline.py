"""The Timeline tab: each council's documents in date order with their judgements (each linked
to the passage that gives it) and key findings (quoted, each linked to its passage), under a chart
of the council's judgements over time, one line per judgement area."""

from __future__ import annotations

import gradio as gr

from assistant import AssistantError, timeline
from assistant.store import Index
from ui import timeline_view
from ui.tabs.context import AppContext, bind


def timeline_tab(ctx: AppContext, index: Index) -> gr.Dropdown:
    """The council picker (shown when there are several), then one chart and list per council;
    returns the picker, which the National picture tab sets to open a council's timeline.

    `index` draws the first view; `ctx.current()` gives the live one for each request, so an
    ingest beside the server is shown and the old generation is not held."""
    councils = sorted({d.local_authority for d in index.docs.values() if d.local_authority})
    first = timeline(index, councils[0] if len(councils) == 1 else None, settings=ctx.settings)
    with gr.Tab("Timeline", id="timeline-tab"):
        gr.Markdown(
            "For trainers and evaluators: each council's documents in date order, each with its kind, "
            "dates, judgements and key findings quoted from it (click a source, or a point of the chart, "
            "to open the passage). Each council has its own chart, placing its judgements on one scale, "
            "one line per judgement area. The filters above do not apply."
        )
        council = gr.Dropdown(
            [("All councils", "")] + [(c, c) for c in councils],
            value=councils[0] if len(councils) == 1 else "",
            label="Council",
            elem_id="tl-council",
            visible=len(councils) > 1,
        )
        out = gr.HTML(timeline_view.timeline_html(first), elem_id="timeline-out", js_on_load=None)
        council.change(bind(show, ctx), council, out)
    return council


def show(ctx: AppContext, name):
    """The documents' HTML, charts included, for one council ("" for every council)."""
    try:
        result = timeline(ctx.current(), name or None, settings=ctx.settings)
    except AssistantError as error:
        raise gr.Error(str(error)) from None
    return timeline_view.timeline_html(result)
