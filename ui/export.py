"""Files a user takes away: a theme brief as Markdown or Word, a conversation as Markdown.

Each quote is written as the document has it and followed by where it comes from (title,
date, section or reference, page), so a trainer can paste it into a handout and a reader can
find it. In Markdown, `<`, `>` and `&` are escaped: Markdown viewers render raw HTML, and the
text comes from documents and users.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from assistant.compose import human_date
from assistant.types import Answer, Brief, BriefPoint
from ui.render import meta_line, type_name

log = logging.getLogger(__name__)


def _md(text: str) -> str:
    """Text for Markdown: HTML escaped, whitespace squashed (a quote stays one paragraph)."""
    return html.escape(" ".join(str(text).split()), quote=False)


def _where(point: BriefPoint) -> str:
    chunk = point.citation.chunk
    return f"{chunk.title}, {meta_line(chunk)}"


def _facts(point: BriefPoint) -> list[str]:
    return [f for f in (f"Status: {point.status}" if point.status else "",
                        f"Due: {point.due}" if point.due else "",
                        f"Latest progress: {point.progress}" if point.progress else "") if f]


def brief_markdown(brief: Brief) -> str:
    """The brief as Markdown: a heading per document (oldest first), quotes under their headings.

    Args:
        brief: what `assistant.brief.brief` returned.
    Returns:
        Markdown text ending with a newline.
    """
    lines = [f"# Theme brief: {_md(brief.theme)}", "",
             f"Prepared {human_date(date.today().isoformat())} from the inspection documents. "
             "Every quote is verbatim; the line under it says where it comes from.", ""]
    if not brief.filters.is_empty():
        f = brief.filters
        scope = ", ".join(x for x in (
            f"documents {', '.join(f.doc_ids)}" if f.doc_ids else "",
            f"types {', '.join(f.doc_types)}" if f.doc_types else "",
            f"from {f.date_from}" if f.date_from else "", f"to {f.date_to}" if f.date_to else "") if x)
        lines += [f"Filtered to {_md(scope)}.", ""]
    if not brief.sections:
        lines += ["Nothing in the documents matches this theme.", ""]
    for section in brief.sections:
        doc = section.doc
        lines += [f"## {_md(doc.title)}", "", f"*{_md(type_name(doc.doc_type))}, {human_date(doc.published)}*", ""]
        for heading, points in section.by_heading():
            lines += [f"### {heading}", ""]
            for point in points:
                lines.append(f"- > {_md(point.quote)}")
                lines.append(f"  >")
                lines.append(f"  > — [{point.citation.n}] {_md(_where(point))}")
                for fact in _facts(point):
                    lines.append(f"  - {_md(fact)}")
                lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def brief_docx(brief: Brief, path: str | Path) -> Path:
    """Write the brief as a Word document, laid out like `brief_markdown`.

    Args:
        brief: what `assistant.brief.brief` returned.
        path: the .docx file to write (its folder is created).
    Returns:
        The path written.
    """
    from docx import Document  # python-docx is heavy to import; only this export needs it
    from docx.shared import Pt, RGBColor

    document = Document()
    document.add_heading(f"Theme brief: {brief.theme}", level=0)
    document.add_paragraph(f"Prepared {human_date(date.today().isoformat())} from the inspection documents. "
                           "Every quote is verbatim; the line under it says where it comes from.")
    if not brief.sections:
        document.add_paragraph("Nothing in the documents matches this theme.")
    for section in brief.sections:
        doc = section.doc
        document.add_heading(doc.title, level=1)
        document.add_paragraph(f"{type_name(doc.doc_type)}, {human_date(doc.published)}").runs[0].italic = True
        for heading, points in section.by_heading():
            document.add_heading(heading, level=2)
            for point in points:
                document.add_paragraph(point.quote, style="Quote")
                source = document.add_paragraph(f"[{point.citation.n}] {_where(point)}")
                source.runs[0].font.size = Pt(9)
                source.runs[0].font.color.rgb = RGBColor(0x55, 0x55, 0x55)
                for fact in _facts(point):
                    document.add_paragraph(fact, style="List Bullet")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    log.debug("brief %r written to %s", brief.theme, path)
    return path


def conversation_markdown(history: Sequence[Answer]) -> str:
    """A conversation as Markdown: each question, the answer with its [n] markers, its sources.

    Args:
        history: the answers of the conversation, oldest first.
    Returns:
        Markdown text ending with a newline.
    """
    lines = ["# Conversation with the inspection findings assistant", "",
             f"Exported {human_date(date.today().isoformat())}. Each [n] refers to the source listed under "
             "its answer; the quoted sentences are verbatim from the document.", ""]
    for turn, answer in enumerate(history, 1):
        lines += [f"## {turn}. {_md(answer.question)}", ""]
        if answer.resolved_question and answer.resolved_question != answer.question.strip():
            lines += [f"*Searched: {_md(answer.resolved_question)}*", ""]
        if answer.notice:
            lines += [f"*Note: {_md(answer.notice)}*", ""]
        for line in answer.text.split("\n"):
            if line.strip():
                lines += [_md(line), ""]
        if answer.citations:
            lines += ["**Sources**", ""]
            for c in answer.citations:
                lines.append(f"{c.n}. {_md(c.chunk.title)} ({_md(meta_line(c.chunk))})")
                for sentence in c.sentences:
                    lines.append(f"   > {_md(sentence)}")
            lines.append("")
        elif answer.abstained and answer.retrieved:
            lines += ["**Closest passages** (they do not answer the question)", ""]
            for hit in answer.retrieved[:3]:
                lines.append(f"- {_md(hit.chunk.title)} ({_md(meta_line(hit.chunk))})")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"
