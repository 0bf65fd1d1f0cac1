"""Theme briefs on the real corpus: grouped by document and dated, every quote verbatim, exported.

The index is the session's build of the whole corpus with the real embedding model
(`corpus_index` in tests/conftest.py).
"""

from __future__ import annotations

import html

import pytest

from assistant.core.errors import AssistantError
from assistant.core.settings import Settings
from assistant.core.types import BRIEF_HEADINGS, Filters
from assistant.store import open_index
from assistant.views.brief import brief
from ui.export import brief_docx, brief_markdown


@pytest.fixture(scope="session")
def index_settings(corpus_index) -> Settings:
    """Settings of the session's index of the whole corpus (tests/conftest.py builds it once)."""
    return corpus_index.settings


@pytest.fixture(scope="session")
def voice_brief(index_settings):
    return brief("voice of the child", settings=index_settings, index=open_index(index_settings))


def test_points_come_from_several_documents_grouped_and_dated(voice_brief):
    sections = voice_brief.sections
    assert len(sections) >= 2
    dated = [s.doc.published for s in sections if s.doc.published]
    assert dated == sorted(dated)
    undated = [i for i, s in enumerate(sections) if not s.doc.published]
    assert all(i >= len(dated) for i in undated), "undated documents come last"
    for section in sections:
        assert section.points
        assert {p.citation.chunk.doc_id for p in section.points} == {section.doc.doc_id}
        order = [BRIEF_HEADINGS.index(p.heading) for p in section.points]
        assert order == sorted(order)


def test_every_quote_is_verbatim_in_its_cited_passage(voice_brief):
    numbers = []
    for point in voice_brief.points:
        assert point.citation.sentences
        for sentence in point.citation.sentences:
            assert sentence and sentence in point.citation.chunk.passage
        numbers.append(point.citation.n)
    assert numbers == list(range(1, len(numbers) + 1))
    assert any("voice" in p.quote.lower() for p in voice_brief.points)


def test_headings_follow_the_documents_sections(voice_brief):
    letter = next(s for s in voice_brief.sections if s.doc.doc_id == "sefton-jtai-letter-2019")
    by_heading = dict(letter.by_heading())
    assert all("strength" in p.citation.chunk.section.lower() for p in by_heading.get("Strengths", []))
    assert "Strengths" in by_heading and "Areas for improvement" in by_heading
    actions = [p for p in voice_brief.points if p.heading == "Actions and latest progress"]
    assert actions and all(p.citation.chunk.kind == "action" for p in actions)
    with_progress = [p for p in actions if p.progress]
    assert with_progress
    for point in with_progress:
        note = point.progress.split(": ", 1)[1]
        assert note in point.citation.chunk.passage


def test_markdown_and_docx_carry_the_quotes(voice_brief, tmp_path):
    text = brief_markdown(voice_brief)
    assert text.startswith("# Theme brief: voice of the child")
    for section in voice_brief.sections:
        assert html.escape(section.doc.title, quote=False) in text
    quote = voice_brief.points[0].quote
    assert html.escape(" ".join(quote.split()), quote=False) in text
    (tmp_path / "brief.md").write_text(text, encoding="utf-8")

    from docx import Document

    path = brief_docx(voice_brief, tmp_path / "out" / "brief.docx")
    paragraphs = [p.text for p in Document(str(path)).paragraphs]
    assert any(quote in p for p in paragraphs)
    assert any(p.startswith("Theme brief: voice of the child") for p in paragraphs)


def test_filters_limit_the_brief(index_settings):
    only = Filters(doc_ids=("sefton-jtai-letter-2019",))
    result = brief("voice of the child", filters=only, settings=index_settings, index=open_index(index_settings))
    assert [s.doc.doc_id for s in result.sections] == ["sefton-jtai-letter-2019"]


def test_empty_theme_says_what_to_type(index_settings):
    with pytest.raises(AssistantError, match="voice of the child"):
        brief("   ", settings=index_settings, index=open_index(index_settings))
