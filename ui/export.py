"""Files a user takes away: a theme brief as Markdown or Word, a conversation as Markdown.

Each quote is written as the document has it and followed by where it comes from (title,
date, section or reference, page), so a trainer can paste it into a handout and a reader can
find it. The text comes from documents and users, so a Markdown export must not turn it into
markup: `<`, `>` and `&` are escaped (viewers render raw HTML), link and image syntax is
broken with a backslash, and web and mail addresses go in code spans, where no viewer makes
them live links or fetches them as images. A Word export drops the characters XML cannot hold.

`SessionFiles` keeps each browser session's exports in a private folder that is removed when
the session ends.
"""

from __future__ import annotations

import hashlib
import html
import logging
import re
import shutil
import tempfile
import uuid
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from assistant import human_date
from assistant.core.types import Answer, Brief, BriefPoint
from ui.render import meta_line, type_name

log = logging.getLogger(__name__)


# Addresses a Markdown viewer would make live (CommonMark autolinks, GFM's www./http/mail ones).
_ADDRESS = re.compile(
    r"(?i)\b(?:[a-z][a-z0-9+.-]{1,31}:/{1,3}|www\d{0,3}\.)[^\s<>`]+"
    r"|\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
)
# `]` opening a link's target: [text](url), [text][ref], [ref]: url (a definition).
_LINK_CLOSE = re.compile(r"\](?=[(\[:])")
# Characters XML 1.0 cannot hold; python-docx refuses a string with any of them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _md(text: str) -> str:
    """Text for Markdown that shows as written and never becomes markup, one paragraph long.

    HTML is escaped, `\\` and a `]` that would close a link or image are backslash-escaped (the
    viewer shows them as typed), and addresses go in code spans: a quote holding
    `![x](http://host/beacon.png)` is shown, not fetched, and is not a live link.
    """
    text = " ".join(str(text).split())
    out, last = [], 0
    for match in _ADDRESS.finditer(text):
        out.append(_md_plain(text[last : match.start()]))
        out.append(f"`{match.group(0)}`")  # _ADDRESS excludes backticks, so the span cannot break
        last = match.end()
    out.append(_md_plain(text[last:]))
    return "".join(out)


def _md_plain(text: str) -> str:
    text = html.escape(text, quote=False).replace("\\", "\\\\")
    return _LINK_CLOSE.sub(r"\\]", text)


def _xml(text: object) -> str:
    """Text python-docx accepts: control characters other than tab and line breaks removed."""
    return _NOT_XML.sub("", str(text))


def _where(point: BriefPoint) -> str:
    chunk = point.citation.chunk
    return f"{chunk.title}, {meta_line(chunk)}"


def _facts(point: BriefPoint) -> list[str]:
    return [
        f
        for f in (
            f"Status: {point.status}" if point.status else "",
            f"Due: {point.due}" if point.due else "",
            f"Latest progress: {point.progress}" if point.progress else "",
        )
        if f
    ]


def brief_markdown(brief: Brief) -> str:
    """The brief as Markdown: a heading per document (oldest first), quotes under their headings.

    Args:
        brief: what `assistant.views.brief.brief` returned.
    Returns:
        Markdown text ending with a newline.
    """
    lines = [
        f"# Theme brief: {_md(brief.theme)}",
        "",
        f"Prepared {human_date(date.today().isoformat())} from the inspection documents. "
        "Every quote is verbatim; the line under it says where it comes from.",
        "",
    ]
    if not brief.filters.is_empty():
        f = brief.filters
        scope = ", ".join(
            x
            for x in (
                f"documents {', '.join(f.doc_ids)}" if f.doc_ids else "",
                f"types {', '.join(f.doc_types)}" if f.doc_types else "",
                f"from {f.date_from}" if f.date_from else "",
                f"to {f.date_to}" if f.date_to else "",
            )
            if x
        )
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
                lines.append("  >")
                lines.append(f"  > — [{point.citation.n}] {_md(_where(point))}")
                for fact in _facts(point):
                    lines.append(f"  - {_md(fact)}")
                lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def brief_docx(brief: Brief, path: str | Path) -> Path:
    """Write the brief as a Word document, laid out like `brief_markdown`.

    Args:
        brief: what `assistant.views.brief.brief` returned.
        path: the .docx file to write (its folder is created).
    Returns:
        The path written.
    """
    from docx import Document  # python-docx is heavy to import; only this export needs it
    from docx.shared import Pt, RGBColor

    document = Document()
    document.add_heading(_xml(f"Theme brief: {brief.theme}"), level=0)
    document.add_paragraph(
        f"Prepared {human_date(date.today().isoformat())} from the inspection documents. "
        "Every quote is verbatim; the line under it says where it comes from."
    )
    if not brief.sections:
        document.add_paragraph("Nothing in the documents matches this theme.")
    for section in brief.sections:
        doc = section.doc
        document.add_heading(_xml(doc.title), level=1)
        kind = document.add_paragraph(_xml(f"{type_name(doc.doc_type)}, {human_date(doc.published)}"))
        kind.runs[0].italic = True
        for heading, points in section.by_heading():
            document.add_heading(heading, level=2)
            for point in points:
                document.add_paragraph(_xml(point.quote), style="Quote")
                source = document.add_paragraph(_xml(f"[{point.citation.n}] {_where(point)}"))
                source.runs[0].font.size = Pt(9)
                source.runs[0].font.color.rgb = RGBColor(0x55, 0x55, 0x55)
                for fact in _facts(point):
                    document.add_paragraph(_xml(fact), style="List Bullet")
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
    lines = [
        "# Conversation with the inspection findings assistant",
        "",
        f"Exported {human_date(date.today().isoformat())}. Each [n] refers to the source listed under "
        "its answer; the quoted sentences are verbatim from the document.",
        "",
    ]
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


class SessionFiles:
    """Private folders for the files each browser session downloads, removed when it ends.

    The root is made with `mkdtemp` (mode 0700, so other accounts on the machine cannot read
    what users exported) inside `parent`: Gradio's cache folder, from which Gradio serves a
    file as it is instead of copying it to a world-readable place it never cleans. Each
    session gets a subfolder named by a hash of its id (the id comes from the browser, so it
    never becomes a path itself), and each file a fresh subfolder of that, so a download link
    never serves an older version of a file from the browser's cache.
    """

    def __init__(self, parent: str | Path | None = None):
        parent = Path(parent or tempfile.gettempdir())
        parent.mkdir(parents=True, exist_ok=True)
        self.root = Path(tempfile.mkdtemp(prefix="inspection-assistant-", dir=parent))

    def folder(self, session: str | None) -> Path:
        """The session's folder (mode 0700), made on first use."""
        folder = self._folder_of(session)
        folder.mkdir(mode=0o700, exist_ok=True)
        return folder

    def _folder_of(self, session: str | None) -> Path:
        return self.root / hashlib.sha256((session or "no-session").encode("utf-8", "replace")).hexdigest()[:32]

    def new_path(self, session: str | None, name: str, *, replaces: bool = True) -> Path:
        """A path for `name` in a fresh subfolder of the session's folder.

        Args:
            session: the browser session's id (`gr.Request.session_hash`).
            name: the file (or folder) name the user sees.
            replaces: remove the session's earlier files of this name first: a conversation's
                export is rewritten after every answer, and only the latest is wanted.
        Returns:
            The path, not yet created; its folder exists.
        """
        folder = self.folder(session)
        if replaces:
            for old in folder.glob(f"*/{name}"):
                _remove_file_and_folder(old)
        sub = folder / uuid.uuid4().hex
        sub.mkdir(mode=0o700)
        return sub / name

    def forget(self, session: str | None) -> None:
        """Remove everything the session exported (its tab was closed)."""
        shutil.rmtree(self._folder_of(session), ignore_errors=True)

    def remove_all(self) -> None:
        """Remove every session's files (the server stops)."""
        shutil.rmtree(self.root, ignore_errors=True)


def _remove_file_and_folder(path: Path) -> None:
    """A replaced export and its one-file folder: two system calls, where rmtree walks the tree."""
    try:
        path.unlink()
        path.parent.rmdir()
    except OSError:  # a folder that holds more (a user's eval run) or is already gone
        shutil.rmtree(path.parent, ignore_errors=True)
