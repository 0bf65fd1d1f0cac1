"""Exports of document text: Markdown that never turns a passage into markup, Word that takes any
passage, and the private per-session folders the web chat writes them to."""

from __future__ import annotations

import re
import stat

import pytest
from markdown_it import MarkdownIt

from assistant.core.types import Answer, Brief, BriefPoint, BriefSection, Chunk, Citation, DocumentInfo
from ui.export import brief_docx, brief_markdown, conversation_markdown

BEACON = "![x](http://127.0.0.1:9/beacon.png)"
HOSTILE = (
    f"Practice is improving. {BEACON} See [the guidance](https://evil.example/login) or "
    "www.evil.example/path and write to someone@evil.example. [1]: http://evil.example/ref "
    "<img src=http://evil.example/i.png> \\[escaped\\](http://evil.example/x)"
)
CONTROL = "Plans are reviewed\x00 monthly\x07 by the\x0b board\x1b[2J."


def _chunk(passage: str) -> Chunk:
    return Chunk(
        chunk_id="letter:1",
        doc_id="letter",
        title="Inspection letter",
        doc_type="inspection_letter",
        publisher="Ofsted",
        date="2019-12-18",
        text=passage,
        passage=passage,
        section="Findings",
        kind="finding",
    )


def _answer(sentence: str) -> Answer:
    citation = Citation(1, _chunk(sentence), (sentence,))
    return Answer(
        question="What about practice?",
        resolved_question="What about practice?",
        text=f"{sentence} [1]",
        citations=(citation,),
        retrieved=(),
        abstained=False,
    )


def _brief(quote: str) -> Brief:
    point = BriefPoint(heading="Strengths", citation=Citation(1, _chunk(quote), (quote,)))
    doc = DocumentInfo(
        "letter", "letter.txt", "Inspection letter", doc_type="inspection_letter", published="2019-12-18"
    )
    return Brief(theme="practice", sections=(BriefSection(doc=doc, points=(point,)),))


def _live_markup(markdown: str) -> tuple[list[str], list[str]]:
    """(tags that fetch or link, addresses outside code spans) in the Markdown rendered as HTML.

    CommonMark makes the links and images; GitHub-style viewers also link bare addresses
    (www., http://, mail), which is why an address must sit inside a code span.
    """
    rendered = MarkdownIt("commonmark").render(markdown)
    tags = re.findall(r"<(?:img|a)\b[^>]*>", rendered)
    outside_code = re.sub(r"<code>.*?</code>", "", rendered, flags=re.S)
    addresses = re.findall(r"(?i)\b(?:https?://|www\.)\S+|\b\S+@\S+\.\w+", outside_code)
    return tags, addresses


@pytest.mark.parametrize(
    "export",
    [
        lambda text: conversation_markdown([_answer(text)]),
        lambda text: brief_markdown(_brief(text)),
    ],
    ids=["conversation", "brief"],
)
def test_markdown_export_never_renders_document_links_or_images(export):
    markdown = export(HOSTILE)
    tags, addresses = _live_markup(markdown)
    assert tags == [] and addresses == [], (tags, addresses, markdown)
    # What the document says is still there to read, as written.
    rendered = MarkdownIt("commonmark").render(markdown)
    text = re.sub(r"<[^>]+>", "", rendered)
    assert "![x](http://127.0.0.1:9/beacon.png)" in text.replace("&amp;", "&")
    assert "[the guidance](https://evil.example/login)" in text


def test_markdown_export_keeps_citation_markers_plain():
    markdown = conversation_markdown([_answer("Practice is improving.")])
    assert "Practice is improving. [1]" in markdown


def test_word_brief_takes_a_passage_with_control_characters(tmp_path):
    from docx import Document

    path = brief_docx(_brief(CONTROL), tmp_path / "brief.docx")
    text = "\n".join(p.text for p in Document(str(path)).paragraphs)
    assert "Plans are reviewed monthly by the board[2J." in text
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", text)


def test_session_files_are_private_replaced_and_forgotten(tmp_path):
    from ui.export import SessionFiles

    files = SessionFiles(tmp_path)
    first = files.new_path("session-a", "conversation.md")
    first.write_text("one")
    second = files.new_path("session-a", "conversation.md")
    second.write_text("two")
    other = files.new_path("session-b", "conversation.md")
    other.write_text("b")
    for folder in (files.root, second.parent.parent, second.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    assert not first.exists() and second.read_text() == "two"
    assert list(second.parent.parent.glob("*/*")) == [second]

    files.forget("session-a")
    assert not second.parent.parent.exists() and other.exists()
    # A session id comes from the browser: it never becomes part of a path.
    assert files.new_path("../../escape", "x.md").parent.parent.parent == files.root
    files.remove_all()
    assert not files.root.exists()
