"""The Action tracker tab: the action plans' rows as a filterable table (each row linked to its
passage and to the findings it answers, followed through progress to later inspections),
roll-ups by priority and agency with charts, and the rows as CSV."""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

# actions_csv: the CLI writes the same CSV, so both downloads agree
from assistant import OPEN, OVERDUE, AssistantError, action_rows, actions_csv, trace
from assistant.core.types import Trace, Tracker
from assistant.store import Index
from ui import timeline_view
from ui.tabs.context import AppContext, bind

_INTRO = (
    "For evaluators and practitioners: every row of the action plans with its written status, "
    "due date and latest progress note. *Overdue* means due before the plan's own date and not "
    "written as completed. The filters above do not apply; these do."
)


@dataclass(frozen=True)
class TrackerView:
    """What the tracker's filter handler reads: the app, and the findings' traces, followed once
    over the index the tab was first drawn from."""

    ctx: AppContext
    traces: tuple[Trace, ...]


def actions_tab(ctx: AppContext, index: Index) -> None:
    """The status and agency pickers with the CSV download, two roll-up charts and the table;
    the error's message instead when the index holds no action plan."""
    with gr.Tab("Action tracker", id="actions-tab"):
        try:
            everything = action_rows(index)
        except AssistantError as error:
            gr.Markdown(str(error))
            return
        view = TrackerView(ctx, trace(index, settings=ctx.settings))
        gr.Markdown(_INTRO)
        with gr.Row():
            status, agency, download = _pickers(ctx, everything)
        with gr.Row():
            by_priority, by_agency = _rollup_charts(everything)
        out = gr.HTML(timeline_view.tracker_html(everything, view.traces), elem_id="tracker-out", js_on_load=None)

        handler = bind(pick, view)  # one for both pickers
        for control in (status, agency):
            control.change(handler, [status, agency], [out, by_priority, by_agency, download])


def _pickers(ctx: AppContext, everything: Tracker) -> tuple[gr.Dropdown, gr.Dropdown, gr.DownloadButton]:
    """The status and agency pickers, and the CSV of every row (until a pick writes the session's own)."""
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
    first_csv = ctx.files.new_path(None, "actions.csv", replaces=False)
    first_csv.write_text(actions_csv(everything), encoding="utf-8")
    download = gr.DownloadButton("Download CSV", value=str(first_csv), elem_id="tk-csv", size="sm", scale=1)
    return status, agency, download


def _rollup_charts(everything: Tracker) -> tuple[gr.BarPlot, gr.BarPlot]:
    """The rows by priority and by agency, each bar split by state."""
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
    return by_priority, by_agency


def pick(view: TrackerView, status_value, agency_value, request: gr.Request):
    """The table, the two charts and the session's CSV for the status and agency picked."""
    result = action_rows(view.ctx.current(), status=status_value or "", agency=agency_value or "")
    path = view.ctx.files.new_path(request.session_hash, "actions.csv")
    path.write_text(actions_csv(result), encoding="utf-8")
    return (
        timeline_view.tracker_html(result, view.traces),
        timeline_view.rollup_frame(result, "priority"),
        timeline_view.rollup_frame(result, "agency"),
        gr.update(value=str(path)),
    )
