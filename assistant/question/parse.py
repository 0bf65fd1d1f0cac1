"""Read a question's wording, with no index: what kind of answer it asks for, what it names
(references, years, months, councils, acronyms), whether it asks about progress, for several
things, across councils or over a period. `parse` is pure, so every rule about wording can be
tested on a string; `understand.bind` then adds what the corpus makes of it.

Answer types (`Intent.answer_type`), first rule that matches wins:
  person       "who is the ..." (a person's name; a role such as "the named GP" is not one)
  agent        other "who ..." questions ("who runs CAMHS?"): a person's or an organisation's name
  number       "how many / how much / what share / how long / how often"
  date         "when ...", "what date", "which year"
  rating       a grade or judgement ("how was X judged?", "overall effectiveness")
  organisation "which schools / services / agencies ...", "where ..."
  status       progress of an action or finding ("what's the status of 2.2.2?", "was it done?")
  list         "what are the strengths", "list the actions", "which areas"
  explanation  anything else: what the documents say about the focus
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from assistant.core.dates import YEAR
from assistant.core.taxonomy import load_taxonomy
from assistant.core.text import normalise, terms
from assistant.core.types import Intent
from assistant.question import cues


def parse(question: str) -> Intent:
    """What the wording of `question` says (see the module docstring); no index is read. A
    trainer's framing ("For a training session: ...") is not read (`cues.without_framing`)."""
    question = cues.without_framing(question)
    taxonomy = load_taxonomy()
    kind = (
        "recommendation"
        if re.search(r"recommendation", question, re.I)
        else ("paragraph" if re.search(r"\bpara(graph)?s?\b", question, re.I) else "")
    )
    answer, cue_at = answer_type(question, False)
    return Intent(
        text=question,
        action_refs=tuple(cues.ACTION_REF.findall(question)),
        para_refs=tuple(cues.PARA_REF.findall(question)),
        ref_kind=kind,
        answer_type=answer,
        cue_at=cue_at,
        named_years=speaking_years(question),
        named_months=tuple(f"{m.group(1).lower()} {m.group(2)}" for m in cues.MONTH_YEAR.finditer(question)),
        count=bool(cues.COUNT.search(question)),
        frequency=bool(cues.FREQUENCY_ASKED.search(question)),
        counted=counted(question),
        progress=bool(cues.PROGRESS.search(question)),
        many=bool(cues.MANY.search(question)),
        section_class=cues.asks_for_sections(question, taxonomy),
        asks_across=cues.asks_across_councils(question, taxonomy),
        grades_judged=cues.grades_judged(question, taxonomy),
        period_years=frozenset(period_years(question)),
        period=period(question),
        acronyms=frozenset(a.lower() for a in re.findall(r"\b[A-Z]{2,}s?\b", question)),
        written_acronyms=frozenset(cues.ACRONYM.findall(question)),
        names=tuple(w for w in cues.NAME_WORD.findall(question) if w.lower() not in cues.QUESTION_WORDS),
        authorities=taxonomy.authorities_named(question),
        council_words=taxonomy.authority_mentions(question),
    )


def focus_terms(text: str, acronyms: Iterable[str], skip: set[str] | frozenset[str]) -> tuple[str, ...]:
    """What `text` is about: its content terms, in order, less the words in `skip` (cue words,
    naming words, units), years and two-letter words that are not acronyms."""
    written = set(acronyms)
    return tuple(
        dict.fromkeys(
            t for t in terms(text) if (len(t) > 2 or t in written) and t not in skip and not YEAR.fullmatch(t)
        )
    )


def counted(question: str) -> tuple[str, ...]:
    """What "how many ...?" counts, as search terms ("approv", "foster", "carer"); () when unclear."""
    found = cues.COUNTED.search(question)
    return tuple(terms(found.group(1))) if found else ()


def answer_type(question: str, names_action: bool, grade_stated: bool = False) -> tuple[str, int]:
    """The answer type and where in the question its cue is (-1: the whole question). A question
    across councils that states the grade ("how do councils judged good support ...?") does not
    ask for one (`grade_stated`): the grade chooses the reports."""
    # "whats", "hows": typed without the apostrophe, as often in a chat box. The cue's position is
    # given in the question as typed (each apostrophe put in before it is taken back out).
    added = [m.end(1) + i for i, m in enumerate(cues.NO_APOSTROPHE.finditer(question))]
    question = cues.NO_APOSTROPHE.sub(r"\1's", question)
    if cues.WHERE_WITH.search(question):
        return "status", -1
    for name, cue in cues.CUES:
        if name == "rating" and grade_stated:
            continue
        found = cue.search(question)
        if found:
            return name, found.start() - sum(1 for at in added if at < found.start())
    if names_action or cues.PROGRESS.search(question):
        return "status", -1
    return ("list" if cues.MANY.search(question) else "explanation"), -1


def period_years(question: str) -> set[str]:
    """The years that bound a period in the question."""
    return {y for m in cues.PERIOD.finditer(question) for y in (m.group(2), m.group(3)) if y}


def period(question: str) -> tuple[str, str]:
    """(first day, last day) of the period the question bounds, "" where it does not."""
    start = end = ""
    for m in cues.PERIOD.finditer(question):
        word, year, second = m.group(1).lower(), int(m.group(2)), m.group(3)
        if word == "between" and second:
            start, end = f"{year}-01-01", f"{int(second)}-12-31"
        elif word in ("since", "from"):
            start = f"{year}-01-01"
        elif word in ("after", "following"):
            start = f"{year + 1}-01-01"
        elif word in ("before", "prior to"):
            end = f"{year - 1}-12-31"
        elif word == "until":
            end = f"{year}-12-31"
    return start, end


def speaking_years(question: str) -> tuple[str, ...]:
    """The years whose documents (or sentences) must give the answer."""
    if cues.NOW.search(question):
        return ()
    bounds = {m.start(1) for m in cues.TIME_BOUND.finditer(question)} | {
        m.start(3) for m in cues.PERIOD.finditer(question) if m.group(3)
    }
    return tuple(dict.fromkeys(m.group(1) for m in YEAR.finditer(question) if m.start(1) not in bounds))


def answer_focus(question: str, at: int, focus_of) -> tuple[str, ...]:
    """The focus of the clause of `question` holding position `at` (the whole question for -1),
    with the clause before it when it refers back ("What does CAS do and when did it start?")."""
    if at < 0:
        return focus_of(question)
    clauses, start = [], 0
    for brk in cues.CLAUSE_BREAK.finditer(question):
        clauses.append((start, brk.start()))
        start = brk.end()
    clauses.append((start, len(question)))
    i = next((n for n, (a, b) in enumerate(clauses) if a <= at < b or at < a), len(clauses) - 1)
    text = question[clauses[i][0] : clauses[i][1]]
    if i and cues.BACK_REFERENCE.search(text):
        text = question[clauses[i - 1][0] : clauses[i - 1][1]] + " " + text
    return focus_of(text)


def focus_phrase(question: str, focus: tuple[str, ...]) -> str:
    """The longest run of the question's focus words, as the user wrote them, small joining
    words allowed inside ("the named GP" -> "named GP", "the case study of poor practice"):
    what a partial answer says it has found things about."""
    tokens = re.findall(r"[\w'’&/-]+", question)
    runs: list[list[str]] = [[]]
    for tok in tokens:
        if set(terms(tok)) & set(focus):
            runs[-1].append(tok)
        elif tok.lower() in cues.JOINERS and runs[-1]:
            runs[-1].append(tok)
        elif runs[-1]:
            runs.append([])
    best = max((r for r in runs), key=lambda r: sum(1 for t in r if t.lower() not in cues.JOINERS), default=[])
    while best and best[-1].lower() in cues.JOINERS:
        best.pop()
    return " ".join(best) or "this question"


def expand_equivalents(question: str, groups: tuple[tuple[str, ...], ...]) -> list[tuple[str, str]]:
    """(phrase, equivalent) pairs: for each phrase of a group the question holds (as whole
    words), the group's other phrases the question does not hold."""
    norm = f" {normalise(question)} "
    found: list[tuple[str, str]] = []
    for group in groups:
        held = [p for p in group if f" {normalise(p)} " in norm]
        if held:
            found += [(held[0], p) for p in group if p not in held]
    return found


def expand_acronyms(question: str, glossary: dict[str, list[str]]) -> list[tuple[str, str]]:
    """(acronym, added text) pairs: the expansion of each acronym in the question, and the
    acronym of each expansion in it."""
    found: list[tuple[str, str]] = []
    upper = {w.upper() for w in re.findall(r"[A-Za-z]{2,8}", question)}
    norm = f" {normalise(question)} "
    for acronym, expansions in glossary.items():
        if acronym in upper or acronym + "S" in upper:
            found.append((acronym, expansions[0]))
        elif any(f" {normalise(e)} " in norm for e in expansions[:3]):
            found.append((acronym, acronym))
    return found
