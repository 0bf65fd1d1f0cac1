"""The National picture tab's HTML (ui/national_view.py) over the reports set's real index: one
chart block per dated report, every block and every grade of the table linked to a passage the
page holds, a button per council, text escaped."""

from __future__ import annotations

import re

import pytest

from assistant.core.types import Chunk, Citation, JudgementRow, JudgementsTable
from assistant.store import open_index
from assistant.views.judgements import judgements_table
from assistant.views.national import national_picture
from ui.national_view import national_html

EVIL = "<script>alert('x')</script>"


@pytest.fixture(scope="module")
def overall(reports_index):
    index = open_index(reports_index.settings, with_collection=False)
    return judgements_table(index, area="overall_effectiveness")


def _ids(html: str) -> set[str]:
    return set(re.findall(r'id="([^"]+)"', html))


def test_every_block_and_grade_links_to_a_passage_of_the_page(overall):
    picture = national_picture(overall)
    html = national_html(picture)
    blocks = re.findall(r'<a href="#(np-\d+)"><rect class="np-block" data-score="(\d)"', html)
    assert len(blocks) == len(picture.rows) - picture.undated
    assert sorted(int(s) for _, s in blocks) == sorted(c.score for c in picture.counts for _ in c.rows)
    cited = re.findall(r'<a class="cite grade-\d" href="#(np-\d+)"', html)
    # A grade and, when the council has one, its previous grade, in every row of the table.
    assert len(cited) == len(picture.councils) + sum(1 for m in picture.councils if m.previous)
    assert {a for a, _ in blocks} | set(cited) <= _ids(html)
    councils = re.findall(r'<button type="button" class="np-open" data-council="([^"]+)"', html)
    assert councils == [m.council for m in picture.councils]
    # The passage a block opens is the grid of the block's report, its grade marked.
    anchor = re.search(r'<a href="#(np-\d+)"><rect [^>]*><title>Wakefield, 17 July 2018: Inadequate</title>', html)
    assert anchor is not None
    passage = html.split(f'<div class="src" id="{anchor.group(1)}">', 1)[1].split('<div class="src" id=', 1)[0]
    assert "Wakefield" in passage and "<mark>Overall effectiveness" in passage and "Grade: Inadequate" in passage


def test_filters_that_keep_nothing_say_so(overall):
    html = national_html(national_picture(overall, grades=[]))
    assert "No judgement matches these filters." in html and "<svg" not in html


def test_text_from_documents_is_escaped():
    chunk = Chunk(
        chunk_id="x:0",
        doc_id="x",
        title=EVIL,
        doc_type="ilacs",
        publisher="Ofsted",
        date="2022-05-09",
        text=f"Overall effectiveness | Grade: Good {EVIL}",
        passage=f"Overall effectiveness | Grade: Good {EVIL}",
        kind="judgement",
        page=1,
    )
    row = JudgementRow(
        council=f"Anytown {EVIL}",
        doc_id="x",
        title=EVIL,
        date="2022-05-09",
        inspection_start="",
        inspection_end="",
        kind="ilacs",
        framework=EVIL,
        area_id="overall_effectiveness",
        area="Overall effectiveness",
        grade="Good",
        wording="Overall effectiveness",
        source=Citation(1, chunk, ("Overall effectiveness | Grade: Good",)),
    )
    html = national_html(national_picture(JudgementsTable("", "overall_effectiveness", (row,))))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert html.count("<rect") == 1 and 'data-council="Anytown &lt;script&gt;' in html
