"""The Timeline tab: each document in date order with its judgements and key findings (quoted,
each linked to its passage), and a chart of the judgements over time, one line per area."""

from __future__ import annotations

import gradio as gr

from assistant import AssistantError, timeline
from assistant.store import Index
from ui import timeline_view
from ui.tabs.context import AppContext, bind


def timeline_tab(ctx: AppContext, index: Index) -> None:
    """The council picker (shown when there are several), the chart and the documents.

    `index` draws the first view; `ctx.current()` gives the live one for each request, so an
    ingest beside the server is shown and the old generation is not held."""
    councils = sorted({d.local_authority for d in index.docs.values() if d.local_authority})
    first = timeline(index, councils[0] if len(councils) == 1 else None, settings=ctx.settings)
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
        council.change(bind(show, ctx), council, [chart, out])


def show(ctx: AppContext, name):
    """The chart's rows and the documents' HTML for one council ("" for all)."""
    try:
        result = timeline(ctx.current(), name or None, settings=ctx.settings)
    except AssistantError as error:
        raise gr.Error(str(error)) from None
    return timeline_view.judgement_frame(result), timeline_view.timeline_html(result)
