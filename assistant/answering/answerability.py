"""Does an answer hold what was asked? The check every composer's answer passes in `answer()`.

An answer is *answered* only when a cited sentence holds the kind of thing the question asks
for, bound to the question's focus in that same sentence (or table row), and the years and
councils the question names are the ones speaking:

  number        a figure ("474", "52 weeks", "a third", "monthly"), not a year or a reference
  person        a person's name ("Lisa Summers"): a role ("the named GP") is not one
  agent         a person's or an organisation's name (for "who runs ...?")
  date          a date or year
  rating        a grade of the taxonomy ("Requires improvement to be good")
  organisation  a proper name ("Alder Hey", "Litherland High School") or an acronym
  list, status, explanation   any cited sentence about the focus

Otherwise it is *partial*: the documents speak about the focus but do not give what was asked
(the answer then says so before quoting them). A sentence is bound to the focus when it holds
at least `settings.focus_share_min` of the focus terms' IDF weight. Which words are names is
read from the corpus itself: a capitalised word the documents never write in lower case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.answering.names import CorpusWords, corpus_words, has_agent, has_name, has_person
from assistant.core.dates import MONTH_ALTERNATION, YEAR, month_name
from assistant.core.figures import FIGURE, counts
from assistant.core.judgements import grades_area, states_grade
from assistant.core.settings import Settings
from assistant.core.taxonomy import load_taxonomy
from assistant.core.text import sentence_spans, terms
from assistant.core.types import Citation, Outcome, Query
from assistant.core.weights import idf_share, idf_weights, unseen_idf
from assistant.question import cues
from assistant.store import Index

WANTED = {
    "number": "the figure asked for",
    "person": "the name asked for",
    "agent": "the name asked for",
    "date": "the date asked for",
    "rating": "the grade asked for",
    "organisation": "the names asked for",
}
_MONTHS = MONTH_ALTERNATION.lower()  # "january|february|...": dates in sentences, any case
_REFERENCE = re.compile(r"\b\d+(?:\.\d+){1,3}\b")  # "2.2.2", "5.1.14": references, not figures
_DATE = re.compile(
    rf"\b(?:\d{{1,2}}(?:st|nd|rd|th)? (?:{_MONTHS})|(?:{_MONTHS}) \d{{4}}|\d{{1,2}}/\d{{1,2}}/\d{{2,4}}|"
    rf"(?:19|20)\d\d)\b",
    re.I,
)
_SHARE = re.compile(r"\d+(?:\.\d+)?\s*(?:%|per ?cent\b)|\bper [\d,]+|\b(?:half|third|quarter)\b", re.I)
# An age: "aged 16", "children over 16"; but "over 1000 providers" and "under 20 children" count.
_AGE = re.compile(
    r"\b(?:aged?|age of)\s+\d+\b|\b\d+[- ]year[- ]olds?\b|"
    r"\b(?:over|under|older than|younger than)[- ](?:[1-9]|1\d|2[0-5])(?:s\b|\b(?!\s+(?!years?\b)(?:children|people|[a-z]+s)\b))",
    re.I,
)
# A sentence opening that refers back to the sentence before: its subject is named there.
_ANAPHOR = re.compile(
    r"\W*(?:it|its|this|these|that|those|they|their|there|he|she|such|all|both|each|none|most|the latter|"
    r"the former|for example|for instance|in one case|in some cases|however|but|as a result|"
    r"the (?:service|team|"
    r"hub|centre|board|group|panel|plan|programme|project|scheme|pilot|offer|model|approach|"
    r"review|audit|figure|number|rate|total|majority|remainder))\b",
    re.I,
)
# A time given relative to an event ("6-12 months before their 18th birthday", "within 3 days of
# the referral", "at age 16"): an answer to "when should ...?".
_RELATIVE_TIME = re.compile(
    r"\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|twelve)(?:\s*(?:-|–|to)\s*\d+)?"
    r"\s+(?:working\s+)?(?:days?|weeks?|months?|years?|hours?)\s+(?:before|after|of|from|"
    r"following|prior)\b|\b(?:aged?|age of)\s+\d+|\b\d+(?:st|nd|rd|th)\s+birthday\b|"
    r"\bwithin\s+(?:\d+|one|two|three|four|five|six|seven|ten|twelve)\s+\w+",
    re.I,
)


@dataclass(frozen=True)
class Verdict:
    """What the check decided, and what the documents did not give (for a partial answer)."""

    outcome: Outcome  # "answered" or "partial" ("not_covered" is decided before, on the evidence)
    missing: str = ""  # "the figure asked for", "anything dated 2023"


def judge(query: Query, citations: tuple[Citation, ...], index: Index, settings: Settings) -> Verdict:
    """Whether `citations` give what `query` asks for (see the module docstring)."""
    if not citations:
        return Verdict("partial", WANTED.get(query.answer_type, "an answer"))
    wanted = WANTED.get(query.answer_type, "an answer")
    if query.missing_kinds:
        # "What did the 2021 focused visit find?" with no focused visit letter in the index: other
        # documents mentioning the visit do not answer for it.
        return Verdict(
            "partial", f"{wanted} from {' or '.join(query.missing_kinds)}: the documents searched include none"
        )
    # A council named speaks for its years: another council's report of that year does not.
    speaking = tuple(c for c in citations if c.chunk.doc_id in query.council_docs) if query.councils else citations
    for year in query.named_years:
        # The year named must be the one speaking: a document of that year (published, or
        # inspected: "the 2014 inspection" is a report published in 2015), or a cited sentence
        # that names it ("At 11 April 2016, 474 children ...").
        if not any(_speaks_for(c, year, index) or any(year in s for s in c.sentences) for c in speaking):
            return Verdict("partial", f"{wanted} in {year}")
    for month in query.named_months:
        name, year = month.split()
        dated = any(c.chunk.date[:4] == year and month_name(c.chunk.date) == name for c in citations)
        if not dated and not any(
            re.search(rf"\b{name}\b[^.]{{0,12}}\b{year}\b", c.chunk.passage, re.I) for c in citations
        ):
            return Verdict("partial", f"{wanted} in {month.title()}")
    if query.councils and not any(c.chunk.doc_id in query.council_docs for c in citations):
        return Verdict("partial", f"{wanted} about {', '.join(query.councils)}")
    taxonomy = load_taxonomy()
    if query.unheld_councils and not query.councils:
        # "What did Othertown's inspection find?" with none of Othertown's reports indexed: only a
        # sentence that names Othertown speaks for it, not Anytown's reports on the same theme.
        said = {a for c in citations for s in c.sentences for a in taxonomy.authorities_named(s)}
        if not said & set(query.unheld_councils):
            names = " or ".join(query.unheld_councils)
            return Verdict("partial", f"{wanted} about {names}: no document searched is about {names}")
    if query.source_kinds and query.answer_type in _HOLDS:
        # The document named must be the one speaking ("who leads it in the action plan?").
        citations = tuple(c for c in citations if taxonomy.kind(c.chunk.doc_type).id in query.source_kinds)
        if not citations:
            shorts = " or ".join(dict.fromkeys(taxonomy.kinds[k].short for k in query.source_kinds))
            return Verdict("partial", f"{wanted} in {shorts}")
    if query.answer_type not in _HOLDS:
        return Verdict("answered")
    if any(
        gives_answer(
            s, query, index, settings, c.chunk.passage, row=c.chunk.kind == "action", grid=c.chunk.kind == "judgement"
        )
        for c in citations
        for s in c.sentences
    ):
        return Verdict("answered")
    return Verdict("partial", wanted)


def _speaks_for(citation: Citation, year: str, index: Index) -> bool:
    """Whether the cited document is of `year`: published then, or inspected then."""
    info = index.docs.get(citation.chunk.doc_id)
    inspected = {d[:4] for d in info.inspection_period if d} if info is not None else set()
    return citation.chunk.date[:4] == year or year in inspected


def gives_answer(
    sentence: str,
    query: Query,
    index: Index,
    settings: Settings,
    passage: str = "",
    row: bool = False,
    grid: bool = False,
) -> bool:
    """Whether `sentence` holds the kind of thing `query` asks for, bound to its focus (always
    True for the kinds of question that ask for no particular thing). The focus may also be
    held by the sentence before it in `passage` ("Kooth launched in July 2019. The service has
    over 1500 registered users."): a sentence often names its subject only by "it" or "the service".
    A cell of a table row (`row`) is bound to the focus by its whole row ("Lead: CCG" of the row
    "To reduce waiting times ...").
    A row of a judgement grid (`grid`) answers a grade question that names a judgement area when
    the taxonomy reads the row as that area ("Children's services in X are good" is the overall
    judgement), whatever the framework calls it."""
    holds = _HOLDS.get(query.answer_type)
    if holds is None:
        return True
    said = set(YEAR.findall(sentence))
    # A year that designates a document ("in the 2022 report") says who speaks, not when the date
    # or figure asked for dates from: that report may date it to 2021. A grade is the year's own.
    designating = (
        {index.docs[d].published[:4] for d in query.year_docs if d in index.docs}
        if query.answer_type in ("date", "number")
        else set()
    )
    named = set(query.named_years) - designating
    if named and said and not said & named:
        return False  # "since the inspection in 2023, when it was judged ..." does not answer for 2026
    leads = query.lead_names if query.lead_inspector else None
    if leads is not None:
        # "Who led the inspection?": the line naming the lead inspector the report gives.
        return any(name in sentence for name in leads)
    weights = idf_weights(query.answer_focus or query.focus, index.lexical.idf, unseen_idf(len(index.chunks)))
    stated = False  # a grid's row or a sentence stating the asked area's grade
    if query.judgement_area:
        # A grade question names its area: only a sentence the vocabulary reads as that area
        # answers it ("Children's services in X require improvement" grades no LSCB).
        if not grades_area(sentence, query.judgement_area, grid_row=grid):
            return False
        stated = grid or states_grade(sentence)
        weights = _beyond_area(weights, query.judgement_area)
    if sum(weights.values()):
        present = set(terms(sentence + " " + (passage if row else sentence_before(sentence, passage))))
        present |= {singular(t) for t in present}
        held = (
            t
            for t in weights
            if singular(t) in present or (t in query.spelled_out and set(query.spelled_out[t]) <= present)
        )
        if idf_share(held, weights) < settings.focus_share_min:
            return False
    return stated or holds(sentence, query, corpus_words(index))


def _beyond_area(weights: dict[str, float], area_id: str) -> dict[str, float]:
    """The focus weights a sentence grading `area_id` must still hold: the area's own words and
    the asking about change ("how has it changed since ...") it holds by grading the area,
    whatever the framework calls it."""
    area = load_taxonomy().area_by_id(area_id)
    held = set(terms(area.label if area else "")) | cues.CHANGE_TERMS
    return {t: w for t, w in weights.items() if t not in held}


def singular(term: str) -> str:
    """An acronym's plural as its singular ("iros" -> "iro", "ccgs" -> "ccg"): the stemmer
    leaves acronyms alone."""
    return term[:-1] if len(term) > 3 and term.endswith("s") and not term.endswith("ss") else term


def sentence_before(sentence: str, passage: str) -> str:
    """The sentences before `sentence` in `passage` that it refers back to: the one before when
    it opens by pointing back ("It ...", "The service ...", "For example, ..."), and the one
    before that when that one points back too (up to three); "" when it names its own subject."""
    if not _ANAPHOR.match(sentence):
        return ""
    at = passage.find(sentence) if passage else -1
    if at <= 0:
        return ""
    before = [passage[a:b] for a, b in sentence_spans(passage[:at])]
    taken: list[str] = []
    current = sentence
    while before and len(taken) < 3 and _ANAPHOR.match(current):
        current = before.pop()
        taken.append(current)
    return " ".join(taken)


# A number that labels rather than counts: "level three training", "key stage 4", "section 136",
# "COVID-19".
_LABEL = re.compile(
    r"\b[A-Za-z]+-\d+\b|\b(?:level|tier|stage|key stage|phase|step|band|wave|section|part|page|para(?:graph)?|year|"
    r"schedule|article|chapter|appendix|priority|action|recommendation)\s+(?:\d+[a-z]?|one|two|three|four|"
    r"five|six|seven|eight|nine|ten|eleven|twelve)\b",
    re.I,
)


# A length of time given in words: "over a year", "several days", "a few weeks".
_DURATION = re.compile(
    r"\b(?:an?|several|a few|many)\s+(?:days?|weeks?|fortnights?|months?|years?|hours?|decades?)\b", re.I
)


# How often something happens: "quarterly", "twice a year", "every six weeks", "3 times a month".
_FREQUENCY = re.compile(
    r"\b(?:daily|weekly|fortnightly|monthly|quarterly|annually|yearly|bi-?monthly|bi-?annual(?:ly)?|"
    r"twice|once|every\s+(?:\d+|two|three|four|five|six|eight|twelve|other)?\s*(?:days?|weeks?|months?|years?)|"
    r"(?:\d+|one|two|three|four|five|six|ten|twelve)\s+times|per\s+(?:day|week|month|year|annum)|"
    r"each\s+(?:day|week|month|year|term|quarter))\b",
    re.I,
)


def _has_figure(sentence: str, query: Query, lower: CorpusWords) -> bool:
    if query.frequency:
        return bool(_FREQUENCY.search(sentence))  # "how often ...?" asks for a frequency, not any figure
    text = _LABEL.sub(" ", _REFERENCE.sub(" ", _DATE.sub(" ", sentence)))
    if not query.count and _DURATION.search(text):
        return True  # "how long ...?"
    if query.count:
        # A count: a figure that is not a share or a rate ("40% of ...", "88.6 per 10,000"), nor
        # an age ("children over 16").
        text = _AGE.sub(" ", _SHARE.sub(" ", text))
        if query.counted:
            return counts(text, query.counted)
    return bool(FIGURE.search(text))


def _has_date(sentence: str, query: Query, lower: CorpusWords) -> bool:
    # A bare year the question already names ("what month in 2023 did ...?") is not the date asked for.
    return bool(_RELATIVE_TIME.search(sentence)) or any(
        m.group() not in query.named_years for m in _DATE.finditer(sentence)
    )


def _has_grade(sentence: str, query: Query, lower: CorpusWords) -> bool:
    """A grade given as a judgement: a grade of several words ("requires improvement to be
    good"), or a one-word grade ("good", "inadequate") after a word that says something was
    judged so ("judged to be good", "rated outstanding") or after a colon (a judgement grid's
    "Overall effectiveness: Good"). "Practice is good" describes; it grades nothing."""
    taxonomy = load_taxonomy()
    # "judged to require improvement" gives the grade "Requires improvement".
    text = re.sub(r"\brequire\b", "requires", sentence.lower())
    cues = "|".join(re.escape(c) for c in sorted(taxonomy.judged_cues, key=len, reverse=True))
    for grade in taxonomy.grades:
        g = re.escape(grade.lower())
        if " " in grade and re.search(rf"\b{g}\b", text):
            return True
        if re.search(
            rf"(?:\b(?:{cues}|grade[sd]?|judgement|rating|remains?|remained|as)\b|:)\s*(?:\w+\s+){{0,3}}?{g}\b", text
        ):
            return True
    return False


_HOLDS = {
    "number": _has_figure,
    "date": _has_date,
    "rating": _has_grade,
    "person": has_person,
    "agent": has_agent,
    "organisation": has_name,
}
