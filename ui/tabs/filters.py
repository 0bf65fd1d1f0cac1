"""The filters the chat and the brief share: the panel (`filters_panel`) and what was chosen
(`chosen_filters`), with the same date checks and wording as the CLI's `--from` and `--to`."""

from __future__ import annotations

import gradio as gr

from assistant import human_date, is_iso_date, load_taxonomy
from assistant.core.types import DocumentInfo, Filters
from ui import render


def filters_panel(docs: list[DocumentInfo]) -> list[gr.components.Component]:
    """The filters, choices from the documents held; returns the six controls in
    `chosen_filters`' order."""
    doc_choices = [(f"{d.title} ({human_date(d.published)})", d.doc_id) for d in docs]
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


def chosen_filters(doc_ids, doc_types, date_from, date_to, councils=(), judgements=()) -> Filters:
    """The filters as chosen, or a gr.Error saying which date is wrong and how to write it."""
    dates = [(date_from or "").strip(), (date_to or "").strip()]
    for label, value in zip(("Dated from", "Dated to"), dates, strict=True):
        if value and not is_iso_date(value):
            raise gr.Error(f"'{label}' {value!r} is not a date: write it as YYYY-MM-DD, e.g. 2019-12-18")
    if dates[0] and dates[1] and dates[0] > dates[1]:
        raise gr.Error(f"'Dated from' {dates[0]} is after 'Dated to' {dates[1]}: swap them or clear one")
    return Filters(
        tuple(doc_ids or ()), tuple(doc_types or ()), dates[0], dates[1], tuple(councils or ()), tuple(judgements or ())
    )
