"""The National picture tab: one judgement area across every council indexed, as a chart of how
many reports gave each grade each year and a table of each council's latest grade and its
movement since its previous inspection, filtered by area, grade and year, with the filtered rows
as CSV. Every grade links to its passage; a council's name opens its timeline."""

from __future__ import annotations

import gradio as gr

# judgements_csv: the CLI's `assistant judgements --csv` writes the same columns
from assistant import AssistantError, judgements_csv, judgements_table, load_taxonomy, national_picture
from assistant.core.types import JudgementsTable, NationalPicture
from assistant.store import Index
from ui import national_view
from ui.tabs.context import AppContext, bind

DEFAULT_AREA = "overall_effectiveness"
CSV_NAME = "national-picture.csv"
_INTRO = (
    "For evaluators and trainers: one judgement area across every council's inspection reports. The "
    "chart counts the reports of each grade by the year they were published (each block is one report: "
    "click it to open the passage that gives its grade); the table gives each council whose latest report "
    "of the years picked has a grade picked: that report and its grade, the council's previous report "
    "grading the area and how the grade moved. Grades of one place on the scale are counted together (a SIF report's *requires "
    "improvement* and an ILACS report's *requires improvement to be good*). Click a council to open its "
    "timeline. The filters above do not apply; these do, to the chart, the table and the CSV."
)
# A council's name is a button in the HTML; Gradio hears no click inside HTML, so this script (run
# once, on the component's element, which outlives each new value) passes the council's name as a
# select event to the listener that opens the Timeline tab.
OPEN_TIMELINE_JS = """
element.addEventListener('click', (event) => {
  const button = event.target.closest('button.np-open[data-council]');
  if (button) trigger('select', {index: 0, value: button.dataset.council});
});
"""


def national_tab(ctx: AppContext, index: Index, tabs: gr.Tabs, timeline_council: gr.Dropdown) -> None:
    """The area, grade and year pickers with the CSV download, then the chart and table of the
    default area (overall effectiveness); a note instead when no report has a judgement grid.

    Args:
        ctx: the app's settings and sessions' files.
        index: draws the first view and gives the pickers' choices; each filter reads `ctx.current()`.
        tabs: the app's tabs, and `timeline_council` the Timeline tab's council picker: a council's
            name selects both.
    """
    everything = judgements_table(index)
    with gr.Tab("National picture", id="national-tab"):
        gr.Markdown(_INTRO)
        if not everything.rows:
            gr.Markdown("No inspection report with a judgement grid is indexed yet.")
            return
        whole = national_picture(everything)  # every area: the bands and years to pick from
        held = {r.area_id for r in everything.rows}
        areas = [(a.label, a.id) for a in load_taxonomy().judgement_areas if a.id in held]
        area_id = DEFAULT_AREA if DEFAULT_AREA in held else areas[0][1]
        first = national_picture(judgements_table(index, area=area_id))
        years = [("Any year", "")] + [(str(y), str(y)) for y in whole.years]
        first_csv = ctx.files.new_path(None, CSV_NAME, replaces=False)
        first_csv.write_text(judgements_csv(first.table), encoding="utf-8")
        with gr.Row():
            area = gr.Dropdown(areas, value=area_id, label="Judgement area", elem_id="np-area", scale=3)
            since = gr.Dropdown(years, value="", label="From year", elem_id="np-from", scale=1)
            until = gr.Dropdown(years, value="", label="To year", elem_id="np-to", scale=1)
            download = gr.DownloadButton("Download CSV", value=str(first_csv), elem_id="np-csv", size="sm", scale=1)
        grades = gr.CheckboxGroup(
            [(b.label, b.score) for b in whole.bands],
            value=[b.score for b in whole.bands],
            label="Grades",
            elem_id="np-grades",
        )
        out = gr.HTML(national_view.national_html(first), elem_id="national-out", js_on_load=OPEN_TIMELINE_JS)

    handler = bind(pick, ctx)  # one for every picker
    for control in (area, grades, since, until):
        control.change(handler, [area, grades, since, until], [out, download])
    out.select(open_timeline, None, [tabs, timeline_council])


def pick(ctx: AppContext, area_id, scores, since, until, request: gr.Request):
    """The chart and table for the area, grades and years picked, and the session's CSV of their rows."""
    try:
        table: JudgementsTable = judgements_table(ctx.current(), area=area_id or DEFAULT_AREA)
    except AssistantError as error:
        raise gr.Error(str(error)) from None
    picture: NationalPicture = national_picture(
        table,
        grades=[int(s) for s in scores or ()],
        first_year=int(since) if since else None,
        last_year=int(until) if until else None,
    )
    path = ctx.files.new_path(request.session_hash, CSV_NAME)
    path.write_text(judgements_csv(picture.table), encoding="utf-8")
    return national_view.national_html(picture), gr.update(value=str(path))


def open_timeline(evt: gr.SelectData):
    """A council's name was clicked: the Timeline tab, showing that council."""
    return gr.Tabs(selected="timeline-tab"), gr.Dropdown(value=evt.value)
