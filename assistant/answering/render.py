"""The one writer of answer text: an `Answer`'s parts and outcome -> the lines a user reads.

The text is a small format that the CLI prints, `ask --json` returns and the web chat styles:

    The documents do not give the figure asked for. What they say about CAMHS waiting times:
    From the Ofsted inspection report (27 June 2016):
    A verbatim sentence [1] Another one [1] A third, from another passage [2]
    From a newer document, the Ofsted inspection report (12 August 2025):
    A verbatim sentence of the newer report [3]

The first line only in a partial answer, or in an answer read off the table of judgements,
whose opening line is worked out from the grades its parts quote ("2 councils moved from
inadequate to good for overall effectiveness (counted from the grades quoted below): A and B.");
a not-covered answer of the table is that line alone. A "From ..." line only where the answer
names the document its sentences come from (they come from several documents, or a newer one
is quoted).
Everything here reads typed parts; nothing anywhere parses this text back.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from assistant.core.labels import attribution
from assistant.core.types import Answer, AnswerPart

EMPTY_REPLY = (
    "Please type a question about the inspection documents, for example "
    '"What did inspectors say about CAMHS waiting times?"'
)
ABSTAIN_REPLY = (
    "The documents do not cover this question, as far as I can find. "
    "The closest passages are listed below; they may help you rephrase."
)
PARTIAL_OPENING = "The documents do not give {missing}. What they say about {focus}:"
NEWER = "From a newer document, "


@dataclass(frozen=True)
class Line:
    """A line of an answer and what it is, so a page can style it without reading its words."""

    text: str
    role: Literal["reply", "opening", "from", "quotes"]


def answer_lines(answer: Answer) -> list[Line]:
    """The lines of `answer`: a fixed reply (no question, nothing found: the answer's own
    `opening` when it has one), or the partial answer's opening and the answer's `opening`,
    then per part its "From ..." line (when it names its document) and its sentences with
    their markers."""
    if not answer.resolved_question and not answer.parts:
        return [Line(EMPTY_REPLY, "reply")]
    if answer.outcome == "not_covered":
        return [Line(answer.opening or ABSTAIN_REPLY, "reply")]
    lines: list[Line] = []
    if answer.outcome == "partial":
        lines.append(Line(PARTIAL_OPENING.format(missing=answer.missing, focus=answer.focus), "opening"))
    if answer.opening:
        lines.append(Line(answer.opening, "opening"))
    for part in answer.parts:
        if part.source is not None:
            lines.append(Line(source_line(part), "from"))
        lines.append(Line(quotes(part), "quotes"))
    return lines


def render(answer: Answer) -> Answer:
    """`answer` with its `text` written from its parts and outcome."""
    return replace(answer, text="\n".join(line.text for line in answer_lines(answer)))


def source_line(part: AnswerPart) -> str:
    """ "From the Ofsted inspection report, Anytown (27 June 2016):", or for a newer inspection
    "From a newer document, the Ofsted inspection report (12 August 2025):"."""
    assert part.source is not None
    chunk = part.source
    line = attribution(chunk.doc_type, chunk.title, chunk.date, chunk.local_authority, part.what)
    return NEWER + line[len("From ") :] if part.newer else line


def quotes(part: AnswerPart) -> str:
    """The part's sentences, each followed by its markers: "A sentence [1] Another [1][2]". A
    sentence set out over lines (a grid's row: an area's name, then its grade) reads as one line."""
    return " ".join(
        " ".join(text.split()) + " " + "".join(f"[{n}]" for n in numbers) for text, numbers in part.sentences
    )
