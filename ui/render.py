"""HTML of answers, passages, sources and briefs for the web chat.

Everything shown comes from documents or from users, so every piece of text goes through
`html.escape` here and nowhere else builds HTML from it. The output has no line breaks: the
chat renders a message as Markdown, and a blank line would end the raw HTML block.

Citations open without script: a marker [n] is a link to `#cite-T-n` (T the answer's turn),
the sources panel holds an element with that id, and CSS shows a passage only while it is the
page's `:target`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence

from assistant import answer_lines, human_date, load_taxonomy, verification_label
from assistant.core.types import Answer, Brief, BriefPoint, Chunk, Citation, DocumentInfo, Hit

_MARKER = re.compile(r"\[(\d{1,3})\]")
ABSTAIN_TITLE = "I can't find this in the documents"
PARTIAL_TITLE = "The documents don't give exactly what you asked"
CLOSEST_SHOWN = 3
_NUMBERS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine"}


def esc(text: object) -> str:
    """Escaped text with line breaks as <br> (so no raw newline reaches the chat's Markdown)."""
    return html.escape(str(text), quote=True).replace("\r", "").replace("\n", "<br>")


def type_name(doc_type: str) -> str:
    """What the taxonomy calls a kind of document ("Area SEND inspection (Ofsted and CQC)")."""
    kind = load_taxonomy().kind(doc_type)
    return kind.label if kind.id != "other" or doc_type in ("", "other", "unknown") else doc_type.replace("_", " ")


def reference(chunk: Chunk) -> str:
    """ "action 1.2.7" or "para 8.4", or "" when the passage has no reference."""
    if not chunk.ref:
        return ""
    return ("action " if chunk.kind == "action" else "para ") + chunk.ref


def meta_line(chunk: Chunk) -> str:
    """Date, section, reference and page of a passage, as plain text: "18 December 2019 · Key Strengths · p. 3"."""
    parts = [human_date(chunk.date), chunk.section, reference(chunk)]
    if chunk.page is not None:
        parts.append(f"p. {chunk.page}")
    return " · ".join(p for p in parts if p)


def highlight(passage: str, sentences: Iterable[str]) -> str:
    """The passage, escaped, with each cited sentence inside <mark>."""
    spans: list[tuple[int, int]] = []
    for sentence in sentences:
        sentence = sentence.strip()
        start = passage.find(sentence) if sentence else -1
        while start >= 0:
            spans.append((start, start + len(sentence)))
            start = passage.find(sentence, start + len(sentence))
    merged: list[list[int]] = []
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    out, last = [], 0
    for a, b in merged:
        out.append(esc(passage[last:a]))
        out.append(f"<mark>{esc(passage[a:b])}</mark>")
        last = b
    out.append(esc(passage[last:]))
    return "".join(out)


def user_html(question: str) -> str:
    return f'<div class="question">{esc(question)}</div>'


def answer_html(answer: Answer, turn: int) -> str:
    """One answer as a chat message: its text with linked markers, then its sources.

    Args:
        answer: the answer to show.
        turn: its 1-based place in the conversation, which makes its citation ids unique.
    Returns:
        HTML without line breaks.
    """
    numbers = {c.n: c for c in answer.citations}
    # The chat sanitises HTML and drops data- attributes: the turn is a class as well.
    # Three outcomes, each styled apart: answered; partial (the documents speak of the focus but
    # do not give what was asked: the answer's first line says so, then quotes them); not covered.
    state = {"partial": " abstained partial", "not_covered": " abstained not-covered"}.get(
        answer.outcome, " abstained" if answer.abstained else ""
    )
    parts = [f'<div class="answer turn-{turn}{state}" data-turn="{turn}">']
    if answer.outcome == "partial":
        parts.append(f'<p class="abstain-title">{esc(PARTIAL_TITLE)}</p>')
    elif answer.abstained:
        parts.append(f'<p class="abstain-title">{esc(ABSTAIN_TITLE)}</p>')
    if answer.resolved_question and answer.resolved_question != answer.question.strip():
        parts.append(f'<p class="searched">Searched: {esc(answer.resolved_question)}</p>')
    if answer.notice:
        parts.append(f'<p class="notice">Note: {esc(answer.notice)}</p>')
    if answer.mode == "generated":
        parts.append(f'<p class="generated">{esc(verification_label(answer))}</p>')
    # The answer's lines as its parts make them (a "From ..." line names a document, styled apart);
    # a quoted cell's own line breaks make paragraphs too, as in the text.
    for line in answer_lines(answer):
        css = ' class="from"' if line.role == "from" else ""
        for piece in (p.strip() for p in line.text.split("\n")):
            if piece:
                body = _MARKER.sub(lambda m: _marker(m, numbers, turn), html.escape(piece, quote=True))
                parts.append(f"<p{css}>{body}</p>")
    if answer.citations:
        items = "".join(
            f'<li><a class="src-link" href="#cite-{turn}-{c.n}">[{c.n}]</a> {esc(c.chunk.title)} '
            f'<span class="src-meta">({esc(meta_line(c.chunk))})</span></li>'
            for c in answer.citations
        )
        parts.append(f'<div class="answer-sources"><p class="label">Sources</p><ol>{items}</ol></div>')
    elif answer.abstained and answer.retrieved:
        parts.append(_closest(answer.retrieved[:CLOSEST_SHOWN]))
    parts.append("</div>")
    return "".join(parts)


def _marker(match: re.Match, numbers: dict[int, Citation], turn: int) -> str:
    citation = numbers.get(int(match.group(1)))
    if citation is None:
        return match.group(0)
    return f'<a class="cite" href="#cite-{turn}-{citation.n}" title="{esc(citation.label)}">[{citation.n}]</a>'


def _closest(hits: Sequence[Hit]) -> str:
    items = "".join(
        f'<details class="closest-passage"><summary>{esc(h.chunk.title)} '
        f'<span class="src-meta">({esc(meta_line(h.chunk))})</span></summary>'
        f'<div class="passage">{esc(h.chunk.passage)}</div></details>'
        for h in hits
    )
    return f'<div class="closest"><p class="label">Closest passages</p>{items}</div>'


def chat_messages(answers: Sequence[Answer]) -> list[dict]:
    """The Chatbot value for a conversation."""
    messages = []
    for turn, answer in enumerate(answers, 1):
        messages.append({"role": "user", "content": user_html(answer.question)})
        messages.append({"role": "assistant", "content": answer_html(answer, turn)})
    return messages


def sources_html(answers: Sequence[Answer]) -> str:
    """The sources panel: every answer's cited passages, newest answer first, each closed until
    its [n] is clicked (it is then the page's :target)."""
    if not answers:
        return (
            '<div class="sources-panel"><h3>Sources</h3><p class="hint">Ask a question: the passages '
            "each answer rests on appear here. Click a marker like [1] in an answer to open its passage, "
            "with the cited sentences highlighted.</p></div>"
        )
    sections = []
    for turn in range(len(answers), 0, -1):
        answer = answers[turn - 1]
        head = f"<h4>Answer {turn}: {esc(short(answer.question, 80))}</h4>"
        if answer.citations:
            body = "".join(_source(f"cite-{turn}-{c.n}", f"[{c.n}]", c.chunk, c.sentences) for c in answer.citations)
        elif answer.retrieved:
            body = '<p class="hint">No passage answers this; the closest ones:</p>' + "".join(
                _source(f"near-{turn}-{i}", f"{i}.", h.chunk, ())
                for i, h in enumerate(answer.retrieved[:CLOSEST_SHOWN], 1)
            )
        else:
            body = '<p class="hint">No passages.</p>'
        sections.append(f'<section class="turn{" latest" if turn == len(answers) else ""}">{head}{body}</section>')
    hint = '<p class="hint">Click [n] in an answer, or a source below, to open the passage.</p>'
    return f'<div class="sources-panel"><h3>Sources</h3>{hint}{"".join(sections)}</div>'


def _source(anchor: str, label: str, chunk: Chunk, sentences: Sequence[str]) -> str:
    return (
        f'<div class="src" id="{anchor}"><a class="src-head" href="#{anchor}"><span class="n">{esc(label)}</span> '
        f'<span class="title">{esc(chunk.title)}</span></a>'
        f'<div class="src-meta">{esc(type_name(chunk.doc_type))} · {esc(meta_line(chunk))}</div>'
        f'<div class="src-body"><div class="passage">{highlight(chunk.passage, sentences)}</div></div></div>'
    )


def short(text: str, limit: int, *, at_word: bool = True) -> str:
    """`text` on one line, cut to at most `limit` characters with "…", at the last whole word
    unless `at_word` is False (the rating list cuts at the character, as it always has)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    return (cut.rsplit(" ", 1)[0] if at_word else cut) + "…"


def corpus_line(docs: Iterable[DocumentInfo]) -> str:
    """ "5 documents from 27 June 2016 to 22 September 2020, one undated", as plain text."""
    docs = list(docs)
    if not docs:
        return "No documents are indexed yet."
    dates = sorted(d.published for d in docs if d.published)
    undated = len(docs) - len(dates)
    line = f"{len(docs)} document{'s' if len(docs) != 1 else ''}"
    if dates:
        first, last = human_date(dates[0]), human_date(dates[-1])
        line += f" dated {first}" if first == last else f" from {first} to {last}"
    if undated:
        line += f", {_NUMBERS.get(undated, str(undated))} undated" if dates else ", all undated"
    return line


def corpus_html(docs: Iterable[DocumentInfo]) -> str:
    """What the assistant can answer from: the corpus line and each document's title and date."""
    docs = sorted(docs, key=lambda d: (not d.published, d.published, d.title))
    items = "".join(
        f'<li>{esc(d.title)} <span class="src-meta">({esc(type_name(d.doc_type))}, '
        f"{esc(human_date(d.published))})</span></li>"
        for d in docs
    )
    return (
        f'<details class="corpus"><summary>Answers come only from {esc(corpus_line(docs))}: '
        f"inspection findings on children's services. Every sentence is quoted from a document and cited.</summary>"
        f"<ul>{items}</ul></details>"
    )


def brief_html(brief: Brief) -> str:
    """A theme brief for the page: documents oldest first, quotes under their headings."""
    title = f"<h2>Theme brief: {esc(brief.theme)}</h2>"
    if not brief.sections:
        return (
            f'<div class="brief">{title}<p class="hint">Nothing in the documents matches this theme'
            f"{' within the filters' if not brief.filters.is_empty() else ''}. Try other words, "
            "or clear the filters.</p></div>"
        )
    n_points = sum(len(s.points) for s in brief.sections)
    parts = [
        f'<div class="brief">{title}<p class="brief-meta">{n_points} quotes from '
        f"{len(brief.sections)} document{'s' if len(brief.sections) != 1 else ''}, oldest first. "
        "Every quote is verbatim; check it in its passage before you use it.</p>"
    ]
    for section in brief.sections:
        doc = section.doc
        parts.append(
            f'<section class="brief-doc"><h3>{esc(doc.title)}</h3>'
            f'<p class="src-meta">{esc(type_name(doc.doc_type))} · {esc(human_date(doc.published))}</p>'
        )
        for heading, points in section.by_heading():
            parts.append(f"<h4>{esc(heading)}</h4><ul>" + "".join(_brief_point(p) for p in points) + "</ul>")
        parts.append("</section>")
    parts.append("</div>")
    return "".join(parts)


def _brief_point(point: BriefPoint) -> str:
    chunk = point.citation.chunk
    where = " · ".join(
        p for p in (chunk.section, reference(chunk), f"p. {chunk.page}" if chunk.page is not None else "") if p
    )
    extra = ""
    if point.status or point.due or point.progress:
        facts = [
            f"<b>Status:</b> {esc(point.status)}" if point.status else "",
            f"<b>Due:</b> {esc(point.due)}" if point.due else "",
            f"<b>Latest progress:</b> {esc(point.progress)}" if point.progress else "",
        ]
        extra = f'<div class="action-facts">{" · ".join(f for f in facts if f)}</div>'
    return (
        f"<li><blockquote>{esc(point.quote)}</blockquote>"
        f'<div class="src-meta">[{point.citation.n}] {esc(where)}</div>{extra}</li>'
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def eval_summary_html(summary: dict, row_errors: Sequence[object], source_name: str) -> str:
    """An eval run at a glance: overall figures, failures by question type, and unread rows."""
    overall = summary.get("overall", {})
    metrics = overall.get("metrics", {})
    head = (
        f'<div class="eval-summary"><h3>{esc(source_name)}: {_count(summary.get("n_questions", 0), "question")}, '
        f"{overall.get('n_failed', 0)} failed, {overall.get('n_errors', 0)} errors "
        f"(k={esc(summary.get('k', ''))})</h3>"
    )
    rows = []
    from evals.metrics import AT_A_GLANCE  # here, not at the top: serving the chat loads no eval code

    for name in AT_A_GLANCE:
        m = metrics.get(name) or {}
        mean = m.get("mean")
        value = "–" if mean is None else (f"{mean:,.0f}" if name in ("answer_words", "latency_ms") else f"{mean:.3f}")
        rate = m.get("pass_rate")
        extra = (
            f"p95 {m['p95']:,.0f} ms"
            if name == "latency_ms" and m.get("p95") is not None
            else ("" if rate is None else f"{rate:.0%} pass")
        )
        cells = (name, value, m.get("n", ""), extra)
        rows.append("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in cells) + "</tr>")
    table = (
        "<table><thead><tr><th>metric</th><th>mean</th><th>n</th><th></th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
    )
    by_type = "".join(
        f"<li>{esc(t)}: {_count(g.get('n_questions', 0), 'question')}, {g.get('n_failed', 0)} failed</li>"
        for t, g in summary.get("by_type", {}).items()
    )
    errors = ""
    if row_errors:
        errors = (
            '<div class="row-errors"><p class="label">Rows not read (fix them and upload again):</p><ul>'
            + "".join(f"<li>{esc(e)}</li>" for e in row_errors)
            + "</ul></div>"
        )
    return f'{head}{table}<p class="label">By question type</p><ul>{by_type}</ul>{errors}</div>'
