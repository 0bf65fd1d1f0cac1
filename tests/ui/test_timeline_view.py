"""The Timeline tab's HTML (ui/timeline_view.py): one section per council with its own chart,
each grade and each chart point linked to the passage that gives the judgement, text escaped."""

from __future__ import annotations

import re

import pytest

from assistant.core.types import Chunk, Citation, DocumentInfo, JudgementPoint, Timeline, TimelineEntry, TimelineGroup
from assistant.store import open_index
from assistant.views.timeline import timeline
from ui.timeline_view import timeline_html

EVIL = "<script>alert('x')</script>"


def _grid(doc_id: str, passage: str) -> Chunk:
    return Chunk(
        chunk_id=f"{doc_id}:0",
        doc_id=doc_id,
        title=f"Inspection {doc_id}",
        doc_type="ilacs",
        publisher="Ofsted",
        date="2022-05-09",
        text=passage,
        passage=passage,
        kind="judgement",
        page=1,
    )


def _entry(doc_id: str, council: str, published: str, grade: str, score: int) -> TimelineEntry:
    doc = DocumentInfo(
        doc_id, f"{doc_id}.pdf", f"Inspection {doc_id}", "ilacs", local_authority=council, published=published
    )
    row = f"Judgement: Overall effectiveness | Grade: {grade}"
    point = JudgementPoint(
        published,
        doc_id,
        "Overall effectiveness",
        grade,
        score,
        "overall_effectiveness",
        "Overall effectiveness",
        Citation(1, _grid(doc_id, row), (row[len("Judgement: ") :],)),
    )
    return TimelineEntry(doc, "Ofsted inspection", (), True, (point,))


def _group(council: str, *entries: TimelineEntry) -> TimelineGroup:
    return TimelineGroup(council, entries, tuple(p for e in entries for p in e.judgements if p.date))


def test_one_section_and_chart_per_council_no_line_across():
    result = Timeline(
        "",
        (
            _group(
                "Anytown",
                _entry("a1", "Anytown", "2019-01-07", "Good", 3),
                _entry("a2", "Anytown", "2023-03-01", "Inadequate", 1),
            ),
            _group(EVIL, _entry("b1", EVIL, "2021-06-01", "Outstanding", 4)),
        ),
    )
    html = timeline_html(result)
    sections = re.findall(r'<section class="tl-group".*?</section>', html)
    assert len(sections) == 2 and all(s.count("<svg") == 1 for s in sections)
    assert 'data-council="Anytown"' in sections[0] and "<script>" not in html and "&lt;script&gt;" in sections[1]
    # Anytown's two reports are one line; the other council's one point is drawn in its own chart.
    assert sections[0].count("<polyline") == 1 and sections[1].count("<polyline") == 0
    assert sections[0].count("<circle") == 2 and sections[1].count("<circle") == 1
    for section in sections:
        # Every grade and every point links to a passage of its own section, the grade marked in it.
        targets = set(re.findall(r'href="#(tl-\d+-j\d+)"', section))
        assert targets and all(f'id="{t}"' in section for t in targets)
        assert all(re.search(rf'id="{t}".*?<mark>Overall effectiveness \| Grade: \w+</mark>', section) for t in targets)
    assert "[p. 1]" in html


def test_a_council_with_no_graded_judgement_has_a_hint_not_a_chart():
    doc = DocumentInfo("p", "p.txt", "Action plan", "action_plan", local_authority="Anytown", published="2020-09-22")
    html = timeline_html(Timeline("", (TimelineGroup("Anytown", (TimelineEntry(doc, "Action plan", ()),), ()),)))
    assert "<svg" not in html and "No graded judgement" in html


@pytest.mark.parametrize("council", [None, "Barnsley"])
def test_the_reports_index_draws_one_chart_per_council_with_judgements(reports_index, council):
    index = open_index(reports_index.settings, with_collection=False)
    result = timeline(index, council, settings=reports_index.settings)
    html = timeline_html(result)
    sections = re.findall(r'<section class="tl-group".*?</section>', html)
    assert len(sections) == len(result.groups)
    for group, section in zip(result.groups, sections, strict=True):
        assert section.count("<svg") == (1 if any(p.score for p in group.points) else 0), group.label
    if council:
        assert len(sections) == 1 and "Children in care" in sections[0]
