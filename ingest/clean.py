"""Clean text extracted from PDFs, keeping a map from every cleaned character back to the source.

The documents arrive as text flattened from PDF pages. What gets in the way of search and of
quoting: page numbers and running headers on lines of their own, table column headers repeated
at each page, page-break indentation, bullet glyphs, words hyphenated across lines, and lines
wrapped mid-sentence. The cleaned text is a sequence of paragraphs separated by a blank line;
each list item starts with "• " and each line of a paragraph is joined with one space.

`Document.offsets[i]` gives the source position of cleaned character `i`, so a citation can
show a passage as the document has it.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass, replace

from assistant.core.types import Document

BULLET = "• "
_BULLET_GLYPHS = "◼▪■●•◦‣∙"
_PAGE_NUMBER = re.compile(r"^\s*(?:page\s+)?\d{1,3}(?:\s+of\s+\d{1,3})?\s*$", re.IGNORECASE)
_BULLET_LINE = re.compile(rf"^\s*(?:[{_BULLET_GLYPHS}]|o\s)\s*")
_NUMBERED = re.compile(r"^\s*(?:\d{1,2}(?:\.\d{1,2}){1,2}|\d{1,2}\.|\(\d{1,2}\))\s+\S")
_SENTENCE_END = re.compile(r"[.!?:;][\"'”’)]?$")
_FOOTNOTE = re.compile(r"^\d{1,2}\s+[A-Z]")
# A footnote marker glued to the end of a word or sentence: "in the borough.1 This inspection".
_FOOTNOTE_MARKER = re.compile(r"(?:(?<=[a-z])|(?<=[a-z][.,)]))\d{1,2}(?=\s+[A-Z])")
_JOINING_END = re.compile(
    r"(?:[,&/(-]|\b(?:and|or|of|the|to|for|with|in|a|an|on|by|at|from|as|that|is|are|be)\b)$", re.I
)


@dataclass
class _Line:
    text: str  # stripped of surrounding whitespace
    start: int  # source offset of text[0]
    indented: bool  # the source line began with white space (a lost bullet or a page break)
    blank_before: bool  # one or more blank lines came before it
    after_rule: bool = False  # a line of many spaces came before it: a footnote separator


def clean_document(doc: Document) -> Document:
    """Fill `doc.text` and `doc.offsets` from `doc.raw_text`.

    Args:
        doc: a loaded document; its raw text is not changed.
    Returns:
        A copy with the cleaned text and its offset map.
    """
    if doc.layout:
        return _clean_layout(doc)
    lines = _lines(doc.raw_text)
    lines = _drop_artefacts(lines)
    # Footnotes sit where the page ended, often mid-sentence: move them to the end.
    notes = [line for line in lines if line.after_rule and _FOOTNOTE.match(line.text)]
    lines = [line for line in lines if line not in notes]
    text, offsets = _join(lines, _vocabulary(doc.raw_text))
    for note in notes:
        text += "\n\n"
        offsets += [note.start, note.start]
        text += note.text
        offsets += list(range(note.start, note.start + len(note.text)))
    text, offsets = _drop_footnote_markers(text, offsets)
    return replace(doc, text=text, offsets=offsets)


_KNOWN_ROLES = ("heading", "title", "row", "grid", "note")


def _clean_layout(doc: Document) -> Document:
    """Paragraphs from a structured reader's lines: its roles say what to drop, where a
    paragraph starts and what it is, so nothing is guessed. Footnotes go to the end as notes."""
    raw = doc.raw_text
    vocab = _vocabulary(raw)
    chars: list[str] = []
    offsets: list[int] = []
    blocks: dict[int, tuple[str, int]] = {}
    body = [ln for ln in doc.layout if ln.role not in ("furniture", "note")]
    notes = [ln for ln in doc.layout if ln.role == "note"]
    for line in body + notes:
        text = raw[line.start : line.end]
        new = line.new_block or not chars or (line.role == "note" and line is notes[0])
        if new:
            if chars:
                chars.extend("\n\n")
                offsets.extend([line.start, line.start])
            if line.role in _KNOWN_ROLES:
                blocks[len(chars)] = (line.role, line.level)
            if line.role == "bullet":
                chars.extend(BULLET)
                offsets.extend([line.start] * len(BULLET))
        elif chars[-1] == "-" and text[:1].islower() and _joins_hyphenated(chars, text, vocab):
            chars.pop()
            offsets.pop()
        else:
            chars.append(" ")
            offsets.append(line.start - 1)
        chars.extend(text)
        offsets.extend(range(line.start, line.end))
    return replace(doc, text="".join(chars), offsets=offsets, blocks=blocks)


def _joins_hyphenated(chars: list[str], text: str, vocab: set[str]) -> bool:
    """Whether "commis-" + "sion" is one word: the document spells it whole, never hyphenated."""
    head = re.search(r"([A-Za-z]+)-$", "".join(chars[-40:]))
    tail = re.match(r"[A-Za-z]+", text)
    return bool(
        head
        and tail
        and (head.group(1) + tail.group(0)).lower() in vocab
        and f"{head.group(1)}-{tail.group(0)}".lower() not in vocab
    )


def _lines(raw: str) -> list[_Line]:
    out: list[_Line] = []
    pos = 0
    blank = True
    rule = False
    for line in raw.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        stripped = body.strip()
        if stripped:
            lead = len(body) - len(body.lstrip())
            out.append(_Line(stripped, pos + lead, lead > 0, blank, rule))
            # Several footnotes can stand under one rule: the flag holds while lines look like one.
            rule = rule and bool(_FOOTNOTE.match(stripped))
            blank = False
        else:
            blank = True
            rule = rule or len(body) >= 20
        pos += len(line)
    return out


def _drop_artefacts(lines: list[_Line]) -> list[_Line]:
    """Remove page numbers, running headers beside them, and repeated table headers."""
    keep = [True] * len(lines)
    for i, line in enumerate(lines):
        if _PAGE_NUMBER.match(line.text):
            keep[i] = False
            # A running header or footer is a short title-like line right beside a page number.
            for j in (i - 1, i + 1):
                if 0 <= j < len(lines) and _looks_like_running_header(lines[j].text):
                    keep[j] = False
    _drop_repeated_header_blocks(lines, keep)
    return [line for line, k in zip(lines, keep) if k]


def _looks_like_running_header(text: str) -> bool:
    """A title-like line: short, no closing punctuation, most long words capitalised. A line of
    running text beside a page number ("... how it responds to") is not one and stays."""
    words = text.split()
    long_words = [w for w in words if len(w) > 3]
    return (
        2 <= len(words) <= 14
        and text[0].isupper()
        and not _SENTENCE_END.search(text)
        and not _JOINING_END.search(text)
        and not _NUMBERED.match(text)
        and not _BULLET_LINE.match(text)
        and sum(w[0].isupper() for w in long_words) * 2 >= len(long_words)
    )


def _drop_repeated_header_blocks(lines: list[_Line], keep: list[bool], min_run: int = 6) -> None:
    """Drop a table's column headers repeated on every page ("The Outcomes we are / aiming for /
    Action / Ref. ...").

    Runs of at least `min_run` short lines that each recur three or more times show where the
    header is, and its words. Then any run of three or more lines made only of header words goes,
    and so does one such line of six or more words (the PDF does not always lay it out the same).
    """
    counts = Counter(line.text for line in lines if len(line.text) <= 40)
    frequent = {text for text, n in counts.items() if n >= 3}
    sure = [r for r in _runs(lines, lambda line: line.text in frequent) if r[1] - r[0] >= min_run]
    # A run can also hold the cells beside the header ("Executive Director of"), and the
    # header is not always broken into the same lines: header words are those found in a
    # quarter or more of the runs, and only lines made of them go.
    seen = Counter(w for i, j in sure for w in {w for k in range(i, j) for w in lines[k].text.lower().split()})
    vocab = {w for w, n in seen.items() if n >= 0.25 * len(sure)}
    if not vocab:
        return

    def header_words(line: _Line) -> bool:
        return all(w in vocab for w in line.text.lower().split())

    for i, j in _runs(lines, header_words):
        if j - i >= 3 or (j - i >= 1 and len(lines[i].text.split()) >= 6):
            for k in range(i, j):
                keep[k] = False


def _runs(lines: list[_Line], test) -> list[tuple[int, int]]:
    """Maximal runs `[i, j)` of consecutive lines that pass `test`."""
    runs = []
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and test(lines[j]):
            j += 1
        if j > i:
            runs.append((i, j))
        i = j + 1
    return runs


def _drop_footnote_markers(text: str, offsets: list[int]) -> tuple[str, list[int]]:
    out_text: list[str] = []
    out_offsets: list[int] = []
    last = 0
    for match in _FOOTNOTE_MARKER.finditer(text):
        out_text.append(text[last : match.start()])
        out_offsets.extend(offsets[last : match.start()])
        last = match.end()
    out_text.append(text[last:])
    out_offsets.extend(offsets[last:])
    return "".join(out_text), out_offsets


def _vocabulary(raw: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-z]+(?:-[A-Za-z]+)*", raw)}


def _join(lines: list[_Line], vocab: set[str]) -> tuple[str, list[int]]:
    """Join lines into paragraphs, deciding at each line break whether a paragraph ends."""
    if not lines:
        return "", []
    widths = [len(line.text) for line in lines]
    short = 0.6 * statistics.median(widths)
    blank_style = sum(line.blank_before for line in lines) > 0.4 * len(lines)
    chars: list[str] = []
    offsets: list[int] = []

    def emit(text: str, start: int) -> None:
        chars.extend(text)
        offsets.extend(range(start, start + len(text)))

    def emit_sep(sep: str, at: int) -> None:
        chars.extend(sep)
        offsets.extend([at] * len(sep))

    prev: _Line | None = None
    in_bullet = False
    for line in lines:
        text, start = line.text, line.start
        bullet = _BULLET_LINE.match(text)
        if prev is not None:
            if _starts_paragraph(prev, line, bool(bullet), short, blank_style, in_bullet):
                in_bullet = False
                emit_sep("\n\n", start)
            elif prev.text.endswith("-") and text[:1].islower() and len(prev.text) > 1:
                # A word hyphenated across lines: keep the hyphen only when the document
                # spells the word with one elsewhere ("well-being"), else join ("commis-sion").
                head = re.search(r"([A-Za-z]+)-$", prev.text)
                tail = re.match(r"[A-Za-z]+", text)
                if (
                    head
                    and tail
                    and (head.group(1) + tail.group(0)).lower() in vocab
                    and f"{head.group(1)}-{tail.group(0)}".lower() not in vocab
                ):
                    chars.pop()
                    offsets.pop()
            else:
                emit_sep(" ", start - 1)
        if bullet:
            in_bullet = True
            emit_sep(BULLET, start)
            text, start = text[bullet.end() :], start + bullet.end()
        emit(text, start)
        prev = line
    return "".join(chars), offsets


def _starts_paragraph(
    prev: _Line, line: _Line, bullet: bool, short: float, blank_style: bool, in_bullet: bool = False
) -> bool:
    text = line.text
    if bullet or _NUMBERED.match(text):
        return True
    if line.indented and text[0].isupper() and not (in_bullet and len(text) >= short):
        # A page-break indent or a lost bullet before a capital; inside a list item, a full
        # line after a page break goes on with the item.
        return True
    if _JOINING_END.search(prev.text) or not (text[0].isupper() or text[0] in "\"'“‘(" or text[0].isdigit()):
        return False
    if _SENTENCE_END.search(prev.text):
        if len(text) < short and not _SENTENCE_END.search(text):
            return True  # a short unpunctuated line after a sentence: a heading
        # In a document whose lines are all separated by blank lines, a blank line says nothing;
        # elsewhere it, or a lost bullet's indentation, marks a new paragraph.
        indent = line.indented and not in_bullet
        return blank_style or line.blank_before or indent or len(prev.text) < short
    # A short line that ends without punctuation, followed by a capital: a heading or a label.
    return len(prev.text) < short
