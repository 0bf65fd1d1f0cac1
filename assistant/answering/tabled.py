"""Counting and comparing questions answered from the table of judgements
(assistant/views/judgements.py): "how many councils were judged outstanding in 2024?", "which
councils moved from inadequate to good?", "which councils improved their overall judgement?",
"when was Anytown last judged good?", "how many reports graded care leavers requires
improvement?", "which councils were judged inadequate for leadership since 2020?".

Such a question asks for a count ("how many councils / reports / times"), a list ("which
councils / reports") or a date ("when was ...") of grades. It names a grade or a movement ("from
X to Y", "improved", "declined"), and every other word of it is one of the table's columns as
questions write them: a judgement area by the taxonomy's vocabulary (overall effectiveness when
none is named; "in any area" for all), a year or a period, a council as `understand` found it,
or a word that only joins these ("were", "judged", "their"). A question with one word more
("which councils judged inadequate improved their help for care leavers?") asks what the reports
say, and the ordinary path answers it: None is returned at once.

The answer quotes, for each report that counts, the words of the report that give the grade (its
grid row, or a sentence stating the grade) under a "From ..." line naming the council, the report,
its date and the area; a movement quotes the report before too. The one line not quoted is the
opening, worked out from those grades and saying so ("2 councils moved from inadequate to good
for overall effectiveness (counted from the grades quoted below): A and B."). When no grade of
the table fits, the reply says so plainly, not_covered, with the nearest grades as `retrieved`.

The cues below read the user's wording; they belong with assistant/question/cues.py and are kept
here, in one place, until the question package takes them in.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, replace
from functools import lru_cache

from assistant.answering.cited import Cited
from assistant.core.dates import YEAR, human_date
from assistant.core.judgements import states_grade
from assistant.core.settings import Settings
from assistant.core.taxonomy import JudgementArea, load_taxonomy, wording_form
from assistant.core.text import sentence_spans
from assistant.core.types import Answer, AnswerPart, Chunk, Filters, Hit, JudgementRow, JudgementsTable, Query
from assistant.store import Index
from assistant.views.judgements import judgements_table

# What is asked: a count or a list of councils or of reports ("how many times" counts a council's
# reports), or a date ("when was ...", at the question's start).
_ASK = re.compile(
    r"\b(?:(?P<count>how many)|(?P<list>which|what|list(?: all)?(?: the)?|name(?: all)?(?: the)?))\s+"
    r"(?P<noun>councils?|local authorit(?:y|ies)|authorit(?:y|ies)|las|reports?|inspections?|times)\b"
    r"|^(?:and |so )?(?P<when>when)\b"
)
_REPORT_NOUNS = ("report", "inspection", "time")
# A movement between a council's two reports graded in the area: its way, or the grades named.
_UP = re.compile(r"\b(?:improved?|improving|got better|gone up|went up|moved up|rose|risen|raised)\b")
_DOWN = re.compile(
    r"\b(?:declined?|declining|deteriorated|worsened|got worse|gone down|went down|moved down|dropped|fell|"
    r"fallen|slipped)\b"
)
_MOVED = re.compile(r"\b(?:moved|move|went|gone|go|progressed|changed?)\b")
# "In any area", "for all judgements": every area of the table, not overall effectiveness alone.
_ANY_AREA = re.compile(r"\b(?:in|for|across|on) (?:any|all|every|each) (?:(?:judgement )?areas?|judgements?)\b")
# Each council's latest graded report ("which councils are inadequate now?", "at their last inspection").
_LATEST = re.compile(r"\b(?:are|is|now|currently|at present|still|today|last|most recently|latest)\b")
_LAST = re.compile(r"\b(?:last|most recently|latest)\b")
# The service an overall judgement grades, as questions name it ("councils' children's services").
_SERVICES = re.compile(r"\bchildren'?s'? (?:services|social care)\b")
# Words that only join the question's parts: with the parts read, nothing else may be left.
_JOINING = frozenset(
    """a an the of for in on at to by from with and or as any ever last most recently recent latest previous
    previously their its his her it they them s been be being was were is are has have had did do does get got
    gotten given received receive awarded achieve achieved earn earned judged judge rated rate graded grade grades
    grading rating ratings judgement judgements judgment judgments overall ofsted inspection inspections inspected
    report reports council councils local authority authorities since between before after until during year
    years there that which who what how many when now currently still today present children child""".split()
)


_FILTERED = "Only the reports your filters let through were counted: widen or clear them for every report."


@dataclass(frozen=True)
class _Asked:
    """What a table question asks: which rows of the table count, and the words to say so."""

    ask: str  # "count" | "list" | "when"
    reports: bool  # counts reports ("how many reports", "how many times"), not councils
    area: JudgementArea | None  # None: every area
    grades: frozenset[str] = frozenset()  # the grades asked for, as the taxonomy spells them; empty: any
    before: frozenset[str] = frozenset()  # a movement's earlier grades ("from inadequate")
    movement: frozenset[str] = frozenset()  # of MOVEMENTS; empty: no movement asked
    grade_words: tuple[str, ...] = ()  # the grades as the reply names them ("requires improvement")
    before_words: tuple[str, ...] = ()
    councils: frozenset[str] = frozenset()  # authority keys of the councils named
    unheld: tuple[str, ...] = ()  # councils named of which no report is indexed
    council_name: str = ""  # the council named, as the index calls it
    years: frozenset[str] = frozenset()
    period: tuple[str, str] = ("", "")
    latest: bool = False  # each council's latest report graded in the area only
    last: bool = False  # "when was X last ...": the latest report that fits


class _Words:
    """A question's wording and the spans of it read so far: what is left must only join them."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.spans: list[tuple[int, int]] = []

    def take(self, found: re.Match[str] | None) -> re.Match[str] | None:
        """`found`, its words read; None when there is none or it overlaps words already read."""
        if found is None or any(found.start() < b and a < found.end() for a, b in self.spans):
            return None
        self.spans.append(found.span())
        return found

    def cover(self, found: re.Match[str] | None) -> None:
        """`found`'s words read too, whether or not some of them were already."""
        if found is not None:
            self.spans.append(found.span())

    def rest(self) -> str:
        """The words not read yet."""
        chars = list(self.text)
        for a, b in self.spans:
            chars[a:b] = " " * (b - a)
        return "".join(chars)


def table_answer(
    question: str, query: Query, *, index: Index, settings: Settings, filters: Filters | None = None
) -> Answer | None:
    """The answer to a counting or comparing question about grades, read off the table of
    judgements (see the module docstring); None, at once, for any other question.

    Args:
        question: what the user typed.
        query: the question understood (`understand`): its wording's reading, the councils it names.
        index: the open index; its table of judgements is made once per generation.
        settings: the answer's settings (no figure of them tunes this answer).
        filters: the user's filters: only the reports they let through count.
    Returns:
        An `Answer` of kind "table": "answered", with its worked-out `opening` and one part per
        report quoting the grade; or "not_covered", its `opening` saying that the indexed reports
        give no such grade and `retrieved` the nearest grades they do give. None when the
        question is not of this shape.
    """
    started = time.perf_counter()
    asked = _read(query)
    if asked is None:
        return None
    table = _table(index)
    rows = [] if asked.unheld else _fitting(table.rows, asked, index, filters)
    answer = Answer(
        question=question,
        resolved_question=query.text,
        text="",
        citations=(),
        retrieved=(),
        abstained=True,
        outcome="not_covered",
        answer_type={"count": "number", "list": "list", "when": "date"}[asked.ask],
        notice=asked.area.note if asked.area is not None else "",
        kind="table",
    )
    if filters is not None and not filters.is_empty():
        answer = replace(answer, notice=f"{answer.notice} {_FILTERED}".strip())
    if not rows:
        near = _nearest(table, asked, index, filters)
        reply = _none_reply(asked) + (" The nearest grades they do give are listed below." if near else "")
        return replace(answer, opening=reply, retrieved=near, timings_ms=_took(started))
    cited = Cited()
    parts: list[AnswerPart] = []
    areas: list[str] = []  # the areas the last part quotes the grades of
    for row in rows:
        before = _by_key(index).get((row.previous_doc_id, row.area_id)) if asked.movement else None
        for shown in (before, row) if before is not None else (row,):
            chunk, sentences = _quote(shown, index)
            n = cited.cite(chunk, sentences)
            quoted = tuple((s, (n,)) for s in sentences)
            if parts and parts[-1].source is chunk and parts[-1].sentences == quoted:
                # A grid read as one line gives a report's every area: quoted once, its areas named.
                areas.append(_lower(shown.area))
                parts[-1] = replace(parts[-1], what=_and(areas))
                continue
            areas = [_lower(shown.area)]
            parts.append(AnswerPart(quoted, chunk, areas[0]))
    citations = tuple(cited.citations)
    return replace(
        answer,
        citations=citations,
        retrieved=tuple(Hit(c.chunk, 1.0 / c.n) for c in citations),
        abstained=False,
        outcome="answered",
        evidence=1.0,
        parts=tuple(parts),
        opening=_opening(asked, rows),
        timings_ms=_took(started),
    )


def _took(started: float) -> dict[str, float]:
    return {"table": (time.perf_counter() - started) * 1000}


def _table(index: Index) -> JudgementsTable:
    """Every report's judgements, made once per loaded generation."""
    return index.derived("answering.judgements_table", lambda: judgements_table(index))


def _by_key(index: Index) -> dict[tuple[str, str], JudgementRow]:
    """The table's rows by (document id, area id): a movement's earlier grade is looked up here."""
    return index.derived("answering.judgements_by_key", lambda: {(r.doc_id, r.area_id): r for r in _table(index).rows})


# ---------------------------------------------------------------------------------------------
# Reading the question


def _read(query: Query) -> _Asked | None:
    """What a table question asks, or None when the question is not one (see the module docstring)."""
    intent = query.intent
    if intent is None:
        return None
    words = _Words(" ".join(wording_form(query.text).replace("-", " ").replace("?", " ").split()))
    ask = words.take(_ASK.search(words.text))
    if ask is None:
        return None
    kind = "count" if ask["count"] else "list" if ask["list"] else "when"
    for _, written in intent.council_words:
        named = re.escape(" ".join(wording_form(written).replace("-", " ").split()))
        words.take(re.search(rf"(?<!\w){named}(?:'s?)?(?!\w)", words.text))
    movement, before_words, grade_words = _movement(words)
    if movement is None:
        return None
    any_area = words.take(_ANY_AREA.search(words.text)) is not None
    areas = [] if any_area else _areas(words)
    if len(areas) > 1:
        return None  # two areas: which does the count or the list follow?
    if not movement:
        found = list(re.finditer(_grade_words(), words.rest()))
        for m in found:
            words.take(m)
        grade_words = tuple(dict.fromkeys(_said(m[0]) for m in found))
        if not grade_words:
            return None  # neither a grade nor a movement: not a question of grades
    elif re.search(_grade_words(), words.rest()):
        return None  # a grade besides the movement's ("judged inadequate and improved"): which is which?
    words.take(_SERVICES.search(words.text))
    if any(w.strip("'") not in _JOINING for w in re.findall(r"[a-z0-9]+(?:'[a-z]+)?", YEAR.sub(" ", words.rest()))):
        return None
    taxonomy = load_taxonomy()
    councils = frozenset(taxonomy.authority_key(c) for c in query.councils) - {""}
    if kind == "when" and len(councils) != 1 and not query.unheld_councils:
        return None  # "when was a council last judged inadequate?": which council?
    overall = taxonomy.area_by_id(taxonomy.overall_areas[0]) if taxonomy.overall_areas else None
    text = words.text[ask.end() :]  # "which councils are ...": the ask is no present tense
    return _Asked(
        ask=kind,
        reports=(kind != "when" and ask["noun"].rstrip("s").startswith(_REPORT_NOUNS)) or bool(councils),
        area=None if any_area else (areas[0] if areas else overall),
        grades=_grades(grade_words),
        before=_grades(before_words),
        movement=movement,
        grade_words=grade_words,
        before_words=before_words,
        councils=councils,
        unheld=query.unheld_councils,
        council_name=query.councils[0] if query.councils else "",
        years=frozenset(intent.named_years),
        period=intent.period,
        latest=kind != "when" and not movement and bool(_LATEST.search(text)),
        last=bool(_LAST.search(text)),
    )


def _movement(words: _Words) -> tuple[frozenset[str] | None, tuple[str, ...], tuple[str, ...]]:
    """(the movements asked, the grades it went from, the grades it went to): no movements when
    none is asked; None when a move is asked with neither its way nor its grades ("changed")."""
    grade = _grade_words()
    from_to = words.take(
        re.search(rf"\bfrom (?:an? )?({grade}) (?:(?:grade|judgement|rating) )?to (?:an? )?({grade})\b", words.text)
    )
    way = words.take(_UP.search(words.text)) or words.take(_DOWN.search(words.text))
    if from_to is not None:
        words.take(_MOVED.search(words.text))
        if way is not None:
            return (
                frozenset(("up",) if _UP.fullmatch(way[0]) else ("down",)),
                (_said(from_to[1]),),
                (_said(from_to[2]),),
            )
        return frozenset(("up", "down", "same")), (_said(from_to[1]),), (_said(from_to[2]),)
    if way is not None:
        to = words.take(re.search(rf"\bto (?:an? )?({grade})\b", words.text))
        since = words.take(re.search(rf"\bfrom (?:an? )?({grade})\b", words.text))
        return (
            frozenset(("up",) if _UP.fullmatch(way[0]) else ("down",)),
            (_said(since[1]),) if since else (),
            (_said(to[1]),) if to else (),
        )
    if words.take(_MOVED.search(words.text)) is not None:
        return None, (), ()
    return frozenset(), (), ()


def _areas(words: _Words) -> list[JudgementArea]:
    """The judgement areas the question names by the taxonomy's vocabulary, their words read."""
    taxonomy = load_taxonomy()
    named: list[JudgementArea] = []
    for pattern, area_id in taxonomy.judgement_wordings:
        area = taxonomy.area_by_id(area_id)
        if area is None or area in named or words.take(pattern.search(words.text)) is None:
            continue
        # The rest of the area's name as users write it ("children who need help and protection").
        label = r"\W+".join(map(re.escape, wording_form(area.label).split()))
        words.cover(re.search(rf"\b{label}\b", words.text))
        named.append(area)
    return named


@lru_cache(maxsize=1)
def _grade_words() -> str:
    """The taxonomy's grades as a question writes them, as one alternation, longest first: any
    word's final "s" may be left off or added ("require improvement to be good")."""
    return "|".join(_grade_form(g) for g in sorted(load_taxonomy().grades, key=len, reverse=True))


def _grade_form(grade: str) -> str:
    return r"\b" + r"\W+".join(re.escape(w.rstrip("s")) + "s?" for w in grade.lower().split()) + r"\b"


def _said(written: str) -> str:
    """The grade a question's words name, as the taxonomy spells it, in lower case."""
    return next((g.lower() for g in load_taxonomy().grades if re.fullmatch(_grade_form(g), written)), written.lower())


def _grades(said: tuple[str, ...]) -> frozenset[str]:
    """The taxonomy grades the words stand for: a grade and its longer spelling are one
    ("requires improvement" and "requires improvement to be good", asked either way)."""
    grades = load_taxonomy().grades
    return frozenset(g for s in said for g in grades if g.lower().startswith(s) or s.startswith(g.lower()))


# ---------------------------------------------------------------------------------------------
# The rows that fit


def _fitting(
    rows: tuple[JudgementRow, ...] | list[JudgementRow],
    asked: _Asked,
    index: Index,
    filters: Filters | None,
    *,
    dated: bool = True,
    graded: bool = True,
) -> list[JudgementRow]:
    """The rows `asked` counts, in the table's order (councils alphabetical, reports oldest first);
    `dated`/`graded` False leave out the dates' or the grades' test (for the nearest grades)."""
    rows = [r for r in rows if r.area_id and (asked.area is None or r.area_id == asked.area.id)]
    if asked.councils:
        rows = [r for r in rows if load_taxonomy().authority_key(r.council) in asked.councils]
    if filters is not None and not filters.is_empty():
        rows = [r for r in rows if r.doc_id in index.docs and filters.allows_doc(index.docs[r.doc_id])]
    if asked.latest:
        # A council's latest report graded in the area; the reports of no council read, each its own.
        latest = {(r.council or r.doc_id, r.area_id): r for r in rows if _date(r)}
        rows = [r for r in rows if latest.get((r.council or r.doc_id, r.area_id)) is r]
    if dated:
        rows = [r for r in rows if _in_time(r, asked)]
    if graded:
        rows = [r for r in rows if _graded(r, asked)]
    if asked.ask == "when" and asked.last:
        rows = sorted((r for r in rows if _date(r)), key=_date)[-1:]
    return rows


def _date(row: JudgementRow) -> str:
    """When a report speaks as of: published, else the end (or start) of its inspection."""
    return row.date or row.inspection_end or row.inspection_start


def _in_time(row: JudgementRow, asked: _Asked) -> bool:
    """Whether the report is of a year asked and within the period asked (no dates asked: any report)."""
    start, end = asked.period
    if not (asked.years or start or end):
        return True
    when = _date(row)
    return bool(when) and (not asked.years or when[:4] in asked.years) and start <= when and (not end or when <= end)


def _graded(row: JudgementRow, asked: _Asked) -> bool:
    """Whether the row has a grade asked, and moved as asked from a grade asked."""
    if asked.grades and row.grade not in asked.grades:
        return False
    if asked.movement and row.movement not in asked.movement:
        return False
    return not asked.before or row.previous_grade in asked.before


def _nearest(table: JudgementsTable, asked: _Asked, index: Index, filters: Filters | None) -> tuple[Hit, ...]:
    """For a question no grade fits, the grades nearest to it, each as the passage that gives it:
    those it asks for at any date; else for a movement, the moves from or to a grade it names;
    else the area's grades of the dates it asks for."""
    if asked.unheld:
        return ()
    rows = _fitting(table.rows, asked, index, filters, dated=False)
    if not rows and asked.movement:
        moved = _fitting(table.rows, asked, index, filters, graded=False)
        rows = [r for r in moved if r.movement and (r.previous_grade in asked.before or r.grade in asked.grades)]
    elif not rows:
        rows = _fitting(table.rows, asked, index, filters, graded=False)
    chunks = list({c.passage_id: c for c in (_quote(r, index)[0] for r in rows)}.values())
    return tuple(Hit(c, 1.0 / (i + 1)) for i, c in enumerate(chunks))


# ---------------------------------------------------------------------------------------------
# Quoting a grade


def _quote(row: JudgementRow, index: Index) -> tuple[Chunk, tuple[str, ...]]:
    """The passage and its words, verbatim, that give the row's grade; made once per row."""
    return index.derived(
        ("answering.table_quote", row.doc_id, row.area_id, row.wording), lambda: _find_quote(row, index)
    )


# A grid's line or quote with the report's sentences read into it ("Overall effectiveness There are
# serious ... | Grade: Inadequate"): only its area's name and its grades are quoted.
_RUN_ON = re.compile(r"[.!?]\s")


def _find_quote(row: JudgementRow, index: Index) -> tuple[Chunk, tuple[str, ...]]:
    """The table's own quote when it ends in the grade ("Overall effectiveness | Grade: Good");
    else, in its grid, the line holding the area's wording and after it the grade (a grid read
    column by column: "Judgement ...: Overall effectiveness | Grade Good Good: Good"), or where
    the line has sentences of the report's text in it, the wording and the grades that end it;
    else the report's first sentence stating the area's grade ("The overall judgement is that
    children's services require improvement"); else the table's quote as it is (the wording)."""
    grade = re.compile(_grade_form(row.grade), re.I)
    ends = re.compile(rf"(?:{grade.pattern})\W*$", re.I)
    source = row.source
    if source is not None and any(ends.search(s) and not _RUN_ON.search(s) for s in source.sentences):
        return source.chunk, source.sentences
    if source is not None and source.chunk.kind == "judgement":
        quoted = _grid_line(source.chunk.passage, row.wording, row.area, grade)
        if quoted:
            return source.chunk, quoted
    taxonomy = load_taxonomy()
    positions = sorted(
        index.doc_chunks.get(row.doc_id, ()), key=lambda p: (index.chunks[p].start, index.chunks[p].part)
    )
    seen: set[str] = set()
    for p in positions:
        chunk = index.chunks[p]
        if chunk.passage_id in seen:
            continue
        seen.add(chunk.passage_id)
        for a, b in sentence_spans(chunk.passage):
            sentence = chunk.passage[a:b]
            if ends.search(sentence) and states_grade(sentence):
                area = taxonomy.judgement_area(sentence)
                if area is not None and area.id == row.area_id:
                    return chunk, (sentence,)
    if source is not None and source.sentences:
        return source.chunk, source.sentences
    chunk = source.chunk if source is not None else index.chunks[positions[0]]
    return chunk, (next(iter(re.findall(r"[^\n]+", chunk.passage)), chunk.passage),)


def _grid_line(passage: str, wording: str, area_label: str, grade: re.Pattern[str]) -> tuple[str, ...]:
    """In a grid's passage, the line with the wording and the grade after it: the whole line,
    or when the report's sentences were read into it, the wording and the grades ending it."""
    words = re.compile(r"\b" + r"\W+".join(map(re.escape, re.findall(r"\w+", wording))) + r"\b", re.I)
    run = re.compile(rf"(?:grades?\W+)?(?:(?:{_grade_words()})\W*)+$", re.I)
    for line in re.finditer(r"[^\n]+(?:\n(?!\n)[^\n]+)*", passage):
        found = words.search(line[0])
        if not (found and grade.search(line[0], found.end())):
            continue
        if not _RUN_ON.search(line[0]):
            return (line[0],)
        grades = run.search(line[0], found.end())
        if grades and grade.search(grades[0]):
            # The area's name as its label gives it, not a wording that ran on into the text.
            label = r"\W+".join(map(re.escape, area_label.split()))
            named = re.search(rf"\b{label}\b", found[0], re.I) if _RUN_ON.search(found[0]) else None
            return (named[0] if named else found[0], grades[0].rstrip())
    return ()


# ---------------------------------------------------------------------------------------------
# Saying it


def _opening(asked: _Asked, rows: list[JudgementRow]) -> str:
    """The line worked out from the grades quoted: a count with the councils or reports, or the dates."""
    if asked.ask == "when":
        council = rows[0].council or asked.council_name
        dates = _and([human_date(_date(r)) for r in rows])
        which = "its report" if len(rows) == 1 else "its reports"
        if asked.movement:
            return f"{council} {_moved(asked, 'its')} in {which} of {dates} (quoted below, with the report before)."
        return f"{council} was {'last ' if asked.last else ''}{_judged(asked)} in {which} of {dates} (quoted below)."
    if asked.reports:
        names = [f"{r.council or r.title} ({human_date(_date(r))})" for r in rows]
        count = f"{len(rows)} report{'s' if len(rows) != 1 else ''}"
        who = f"{asked.council_name} " if len(asked.councils) == 1 else ""
        what = (
            f"in which {who or 'a council '}{_moved(asked, 'its')}"
            if asked.movement
            else f"gave {who}a grade of {' or '.join(asked.grade_words)} {_area_words(asked)}{_period(asked)}"
        )
    else:
        names = list(dict.fromkeys(r.council or r.title for r in rows))
        count = f"{len(names)} council{'s' if len(names) != 1 else ''}"
        own = "their" if len(names) != 1 else "its"
        what = _moved(asked, own) if asked.movement else _judged(asked, own)
    return f"{count} {what} (counted from the grades quoted below): {_and(names)}."


def _none_reply(asked: _Asked) -> str:
    """The plain reply when no grade of the table fits."""
    if asked.unheld:
        return f"No indexed report is of {_and(list(asked.unheld))}, so the reports give no grade of it."
    if asked.ask == "when" and not asked.movement:
        grades = " or ".join(asked.grade_words)
        return f"The indexed reports never judge {asked.council_name} {grades} {_area_words(asked)}{_period(asked)}."
    if asked.ask == "when":
        return f"The indexed reports give no grade of {asked.council_name} that {_moved(asked, 'its')}."
    if asked.movement:
        return f"The indexed reports give no council that {_moved(asked, 'its')}."
    return f"The indexed reports give no {'report' if asked.reports else 'council'} {_judged(asked, 'its')}."


def _judged(asked: _Asked, own: str = "its") -> str:
    """ "judged outstanding for overall effectiveness in 2024", "... at their latest inspection"."""
    latest = f" at {own} latest inspection" if asked.latest else ""
    return f"judged {' or '.join(asked.grade_words)} {_area_words(asked)}{_period(asked)}{latest}"


def _moved(asked: _Asked, own: str) -> str:
    """ "moved from inadequate to good for overall effectiveness", "improved their care leavers grade to good"."""
    grades, before = " or ".join(asked.grade_words), " or ".join(asked.before_words)
    if len(asked.movement) > 1:
        return f"moved from {before} to {grades} {_area_words(asked)}{_period(asked)}"
    grade = f"{own} {_lower(asked.area.label)} grade" if asked.area is not None else f"{own} grade in an area"
    said = f"{'improved' if 'up' in asked.movement else 'declined'} {grade}"
    said += f" from {before}" if before else ""
    said += f" to {grades}" if grades else ""
    return said + _period(asked)


def _area_words(asked: _Asked) -> str:
    return f"for {_lower(asked.area.label)}" if asked.area is not None else "in any area"


def _period(asked: _Asked) -> str:
    """ " in 2024", " since 2020", " between 2018 and 2020", " up to 2019", or "" when no date is asked."""
    start, end = asked.period
    if asked.years:
        return " in " + " or ".join(sorted(asked.years))
    if start and end:
        return f" between {start[:4]} and {end[:4]}"
    if start:
        return f" since {start[:4]}"
    return f" up to {end[:4]}" if end else ""


def _lower(label: str) -> str:
    """An area's label inside a sentence: "overall effectiveness", but "Local Safeguarding Children Board"."""
    return label if all(w[:1].isupper() for w in label.split()) else label[:1].lower() + label[1:]


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
