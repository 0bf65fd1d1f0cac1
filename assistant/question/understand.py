"""Understand a question once: what kind of answer it asks for, what it is about, whose documents
and which years it names, the references it cites. Retrieval, composition and the answerability
check all read the resulting `Query`; no other module reads the question's wording for intent.

Answer types (`Query.answer_type`), first rule that matches wins:
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

from assistant.core.embed import embed
from assistant.core.taxonomy import load_taxonomy
from assistant.core.text import normalise, terms
from assistant.core.types import Query, council_key
from assistant.store import Index

_ACTION_REF = re.compile(r"(?<![\d.])([1-9]\.\d{1,2}\.\d{1,2})(?![\d.]*\d)")
_PARA_REF = re.compile(r"(?<![\d.])(\d{1,2}\.\d{1,2})(?![.]?\d)")
YEAR = re.compile(r"\b((?:19|20)\d\d)\b")
_MONTH_YEAR = re.compile(
    r"\b(january|february|march|april|may|june|july|august|september|october|november|"
    r"december) ((?:19|20)\d\d)\b",
    re.I,
)
# "How many ...?" asks for a count: a share ("40% of those using it") does not answer it.
_COUNT = re.compile(r"\bhow many\b|\bwhat (?:is|was) the number\b|\bnumber of\b", re.I)

# A question about progress ("was it done?", "how is X going?"): the documents that report
# progress are lifted, and an action-plan row is answered by its status and latest note.
_PROGRESS = re.compile(
    r"\b(status|done|finish(?:ed)?|complete[ds]?|progress(?:ing)?|going|achieved|happened|set up|in place|"
    r"yet|still|update[ds]?|latest|delivered|launched|published|filled|manage[ds]?|where are they)\b",
    re.I,
)
# A question that wants several things ("what are the strengths?"): a longer answer.
_MANY = re.compile(r"\b(list|what are|which|name the|areas|strengths|recommendations|actions|priorit|themes?)\b", re.I)
_WHERE_WITH = re.compile(r"\bgot to\b|\bwhere (?:are|is) (?:they|we|things) with\b", re.I)
# "who is/was <anything> <a role a person holds>?" asks for a person's name.
_PERSON_ROLE = re.compile(
    r"^\s*(?:and\s+)?who(?:'s|’s| is| was| are| were)\b[^?]{0,60}?\b(?:"
    + "|".join(re.escape(r) for r in sorted(load_taxonomy().person_roles, key=len, reverse=True))
    + r")s?\b",
    re.I,
)
# "How many foster carers does ...": the noun phrase counted ends before its verb.
_COUNTED = re.compile(
    r"\bhow many ([\w'’ -]+?)\s+(?:are|were|did|do|does|have|has|had|is|was|will|can|could|get|got|went|"
    r"been|used|use|attend|live|took|held|there|in|on|at|of|for|from|with|per|by)\b",
    re.I,
)


def _counted(question: str) -> tuple[str, ...]:
    """What "how many ...?" counts, as search terms ("approv", "foster", "carer"); () when unclear."""
    found = _COUNTED.search(question)
    return tuple(terms(found.group(1))) if found else ()


_FREQUENCY_ASKED = re.compile(r"\bhow (?:often|frequently|regularly)\b", re.I)
# The cues of each answer type, tried in this order; then status (progress), then list.
_CUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    # "Who is the named GP?" asks for a person's name; "who runs X?" may be answered by a person or
    # an organisation.
    (
        "person",
        re.compile(
            r"^\s*(?:and\s+)?who(?:'s| is| was| are| were)\s+(?:the|their|its|our|your)\b|"
            r"\bname of (?:the|their|its|[\w'’ -]{1,40}?(?:'s|’s|s'|s’))\s|\bneed a name\b|"
            r"\b(?:which|what) (?:person|inspector|officer|director|manager)\b",
            re.I,
        ),
    ),
    # "Who is Othertown's improvement adviser?": a role a person holds (taxonomy's person_roles).
    ("person", _PERSON_ROLE),
    (
        "agent",
        re.compile(r"^\s*(?:and\s+)?who\b|\bwho (?:runs|commissions|chairs|leads|led|signed|provides|manages)\b", re.I),
    ),
    (
        "number",
        re.compile(
            r"\bhow (?:many|much|long|often)\b|\bwhat (?:proportion|percentage|share|number|"
            r"rate|amount|ratio|figure)\b|\bper ?cent\b|%|\bhow big\b|\bas a (?:figure|number)\b|"
            r"\bwhat(?:'s|’s| is| was| were| are)\s+(?:the\s+|[\w-]+(?:'s|’s|s'|s’)\s+)?[\w'’ -]{0,40}?"
            r"\b(?:rate|number|proportion|percentage|total|cost|budget|ratio|average|median|caseloads?|"
            r"size)\b",
            re.I,
        ),
    ),
    (
        "date",
        re.compile(
            r"^\s*(?:and\s+)?when\b|\bwhen (?:was|were|did|is|will|does|should|do|are|has|have)\b|"
            r"\b(?:what|which) (?:dates?|years?|months?|day)\b|\bsince when\b|\bby when\b",
            re.I,
        ),
    ),
    (
        "rating",
        re.compile(
            r"\b(judge?ments?|judged|rated|ratings?|graded|overall effectiveness|(?:what|which) grades?|"
            r"inadequate|requires improvement)\b|"
            # "still outstanding" and "outstanding actions" are not a grade.
            r"(?<!still )(?<!remain )(?<!remains )(?<!remained )(?<!left )\boutstanding\b"
            r"(?! (?:actions?|issues?|items?|work|tasks?|recommendations?|areas?|points?)\b)",
            re.I,
        ),
    ),
    (
        "organisation",
        re.compile(
            r"\bwhich (?:[\w'-]+ )?(?:schools?|organisations?|agencies|agency|services?|"
            r"providers?|trusts?|hospitals?|charities|charity|teams?|councils?|partners?|"
            r"compan(?:y|ies)|practices?|centres?|homes?|groups?|hubs?|units?|academ(?:y|ies)|colleges?|"
            r"universit(?:y|ies)|boards?|partnerships?|clinics?|wards?|consultanc(?:y|ies)|firms?|bod(?:y|ies))\b|"
            r"\bnames of\b|"
            r"^\s*where\b(?! (?:are|is) (?:they|we|things) with)|"
            r"\bwhere (?:is|are|was|were|do|does|did)\b(?! (?:they|we|things) with)",
            re.I,
        ),
    ),
)
# Where a question asks a second thing ("when was X appointed, and what difference did it make?"):
# the answer type's clause is the one its cue is in, and only that clause's focus binds the answer.
_CLAUSE_BREAK = re.compile(
    r"[;?]|\s[-–—]\s|,?\s+and\s+(?=(?:what|how|who|when|where|which|why|whether|does|did|do|is|was|"
    r"are|were|has|have|had|can|could|will|would|if)\b)|,\s*(?=(?:what|how|who|when|where|"
    r"which|why|whether)\b)",
    re.I,
)
# Month names date what is asked about ("in May 2020"); they are not what it is about.
_MONTHS = frozenset(terms("january february march april may june july august september october november december"))
# Units a figure or a date is given in ("how many weeks", "which month"): part of the answer, not
# of what the question is about.
_UNITS = frozenset(terms("day days week weeks month months hour hours minute minutes times percent per cent pounds"))
# Words of a question that say what kind of answer is wanted, or whose documents, not what it is
# about: they are not its focus.
_NOT_FOCUS = frozenset(
    terms(
        "happen happened find found say said done many much long often good well work works working get give "
        "given gave use used come came make made go going went know take put ask asked run runs kind look looked "
        "kinds type types way ways thing things anything something someone anyone like also yet still "
        "ever now currently current number level overall main key new old there here where when which "
        "who whom whose why how what document documents report reports inspector inspectors inspection "
        "inspections review reviews letter plan council councils local area areas children child young people "
        "kids kid youngsters "
        "date year years month time status latest update proportion percentage share rate amount figure "
        "name names list total tell show describe according led rating ratings rated judged judgement judgements "
        "grade grades graded"
    )
)


def understand(question: str, index: Index) -> Query:
    """The question's answer type, focus, named councils, documents and years, references and
    search terms; embedded once.

    Args:
        question: the (resolved) question.
        index: the open index: its glossary, documents and actions give names their meaning.
    Returns:
        A `Query`.
    """
    taxonomy = load_taxonomy()
    naming_words = _naming_vocabulary(index)
    # An acronym that names a document ("JTAI", "CQC") is not expanded: its spelled-out form
    # would pull in every passage that introduces the inspection rather than what was asked.
    # The corpus's own glossary first; the taxonomy's for what its documents never spell out.
    glossary = {**taxonomy.abbreviations(), **index.glossary}
    pairs = [(a, e) for a, e in expand_acronyms(question, glossary) if a.lower() not in naming_words]
    expansions = [e for _, e in pairs]
    dense_text = question + (" (" + "; ".join(expansions) + ")" if expansions else "")
    action_refs = [r for r in _ACTION_REF.findall(question) if r in index.actions]
    kind = (
        "recommendation"
        if re.search(r"recommendation", question, re.I)
        else ("paragraph" if re.search(r"\bpara(graph)?s?\b", question, re.I) else "")
    )
    para_refs = [(r, kind) for r in _PARA_REF.findall(question) if not any(a.startswith(r + ".") for a in action_refs)]
    answer_type, cue_at = _answer_type(question, bool(action_refs))
    query_terms = terms(question) + [t for e in expansions for t in terms(e)]
    naming, prior = _doc_prior(query_terms, index)
    progress = bool(action_refs) or bool(_PROGRESS.search(question))
    if progress:
        for doc_id, info in index.docs.items():
            if taxonomy.kind(info.doc_type).progress:
                prior[doc_id] = max(prior.get(doc_id, 0.0), 1.0)
    council_docs = tuple(_named_authorities(question, index))
    councils = tuple(dict.fromkeys(index.docs[d].local_authority for d in council_docs))
    held = {taxonomy.authority_key(info.local_authority) for info in index.docs.values()}
    unheld = tuple(a for a in taxonomy.authorities_named(question) if taxonomy.authority_key(a) not in held)
    published = {info.published[:4] for info in index.docs.values() if info.published}
    named_years = _speaking_years(question)
    named_months = tuple(f"{m.group(1).lower()} {m.group(2)}" for m in _MONTH_YEAR.finditer(question))
    authority_words = {t for c in councils for t in terms(c)}
    # Naming words and a named council's name say whose documents (retrieval filters by them),
    # not what to find in them: in a council's report its name is on every page header.
    content = [t for t in query_terms if t not in naming and t not in authority_words] or query_terms
    acronyms = {a.lower() for a in re.findall(r"\b[A-Z]{2,}s?\b", question)}
    skip = _NOT_FOCUS | naming | authority_words | (_UNITS if answer_type in ("number", "date") else set()) | _MONTHS

    def focus_of(text: str) -> tuple[str, ...]:
        return tuple(
            dict.fromkeys(
                t for t in terms(text) if (len(t) > 2 or t in acronyms) and t not in skip and not YEAR.fullmatch(t)
            )
        )

    focus = focus_of(question)
    source_kinds, missing_kinds = _source_kinds(question, council_docs, index)
    across = taxonomy.asks_across_councils(question) or len({council_key(c) for c in councils}) > 1
    # Across councils, a year that bounds a period is a date filter (see `_period`), not a
    # designation of that year's documents.
    year_docs = _named_year_documents(question, naming, index, skip=_period_years(question) if across else set())
    judged = taxonomy.grades_judged(question) if across else ()
    if judged and answer_type == "rating":
        answer_type, cue_at = _answer_type(question, bool(action_refs), grade_stated=True)
    if across and answer_type == "organisation":
        # "Which councils ...?": the answer names each council in the line that opens its part
        # (from the documents' facts), so its sentences need not hold a name.
        answer_type = "list"
    judged_docs = tuple(
        d for d, info in index.docs.items() if any(taxonomy.grade_in(g) in judged for _, g in info.judgements)
    )
    return Query(
        text=question,
        vector=embed([dense_text])[0],
        terms=content,
        expansions=expansions,
        action_refs=action_refs,
        para_refs=para_refs,
        doc_prior=prior,
        years=tuple(y for y in named_years if y in published),
        named_years=named_years,
        council_docs=council_docs,
        councils=councils,
        unheld_councils=unheld,
        year_docs=year_docs,
        named_months=named_months,
        count=bool(_COUNT.search(question)),
        frequency=bool(_FREQUENCY_ASKED.search(question)),
        counted=_counted(question),
        answer_type=answer_type,
        focus=focus,
        focus_phrase=_focus_phrase(question, focus),
        answer_focus=_answer_focus(question, cue_at, focus_of) or focus,
        source_kinds=source_kinds,
        missing_kinds=missing_kinds,
        section_class=taxonomy.asks_for_sections(question),
        spelled_out={a.lower(): tuple(terms(e)) for a, e in pairs if a.lower() in focus and e != a},
        progress=progress,
        many=bool(_MANY.search(question)) or across,
        across_councils=across,
        judged_docs=judged_docs,
        period=_period(question) if across else ("", ""),
    )


def answer_type_of(question: str, names_action: bool = False) -> str:
    """The kind of answer `question` asks for (see the module docstring)."""
    return _answer_type(question, names_action)[0]


_NO_APOSTROPHE = re.compile(r"\b(what|who|how|where|when)s\b", re.I)


def _answer_type(question: str, names_action: bool, grade_stated: bool = False) -> tuple[str, int]:
    """The answer type and where in the question its cue is (-1: the whole question). A question
    across councils that states the grade ("how do councils judged good support ...?") does not
    ask for one (`grade_stated`): the grade chooses the reports."""
    # "whats", "hows": typed without the apostrophe, as often in a chat box. The cue's position is
    # given in the question as typed (each apostrophe put in before it is taken back out).
    added = [m.end(1) + i for i, m in enumerate(_NO_APOSTROPHE.finditer(question))]
    question = _NO_APOSTROPHE.sub(r"\1's", question)
    if _WHERE_WITH.search(question):
        return "status", -1
    for name, cue in _CUES:
        if name == "rating" and grade_stated:
            continue
        found = cue.search(question)
        if found:
            return name, found.start() - sum(1 for at in added if at < found.start())
    if names_action or _PROGRESS.search(question):
        return "status", -1
    return ("list" if _MANY.search(question) else "explanation"), -1


# A year after "since", "before" or "after" bounds a period rather than naming who speaks; a
# question about the present ("is it fixed now?") names earlier years only as its premise.
_TIME_BOUND = re.compile(
    r"\b(?:since|before|after|following|until|prior to|between)\s+(?:the\s+|early\s+|late\s+|mid-?\s*)?((?:19|20)\d\d)\b",
    re.I,
)
_NOW = re.compile(r"\b(?:now|currently|today|these days|at the moment|at present|still)\b", re.I)


# A period a question across councils asks about ("judged inadequate since 2023"): the bound
# year's word says which side of it counts.
_PERIOD = re.compile(
    r"\b(since|from|after|following|before|prior to|until|between)\s+(?:the\s+(?:start|end) of\s+)?"
    r"((?:19|20)\d\d)(?:\s+and\s+((?:19|20)\d\d))?\b",
    re.I,
)


def _period_years(question: str) -> set[str]:
    """The years that bound a period in the question."""
    return {y for m in _PERIOD.finditer(question) for y in (m.group(2), m.group(3)) if y}


def _period(question: str) -> tuple[str, str]:
    """(first day, last day) of the period the question bounds, "" where it does not."""
    start = end = ""
    for m in _PERIOD.finditer(question):
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


def _speaking_years(question: str) -> tuple[str, ...]:
    """The years whose documents (or sentences) must give the answer."""
    if _NOW.search(question):
        return ()
    bounds = {m.start(1) for m in _TIME_BOUND.finditer(question)} | {
        m.start(3) for m in _PERIOD.finditer(question) if m.group(3)
    }
    return tuple(dict.fromkeys(m.group(1) for m in YEAR.finditer(question) if m.start(1) not in bounds))


_BACK_REFERENCE = re.compile(r"\b(?:it|its|they|them|their|this|that|these|those|he|she|his|her)\b", re.I)


def _answer_focus(question: str, at: int, focus_of) -> tuple[str, ...]:
    """The focus of the clause of `question` holding position `at` (the whole question for -1),
    with the clause before it when it refers back ("What does CAS do and when did it start?")."""
    if at < 0:
        return focus_of(question)
    clauses, start = [], 0
    for brk in _CLAUSE_BREAK.finditer(question):
        clauses.append((start, brk.start()))
        start = brk.end()
    clauses.append((start, len(question)))
    i = next((n for n, (a, b) in enumerate(clauses) if a <= at < b or at < a), len(clauses) - 1)
    text = question[clauses[i][0] : clauses[i][1]]
    if i and _BACK_REFERENCE.search(text):
        text = question[clauses[i - 1][0] : clauses[i - 1][1]] + " " + text
    return focus_of(text)


# A kind named as where the answer should come from: "in/from/of the (2021) focused visit", or
# "did the focused visit find ...", "what the action plan says".
_SOURCE_BEFORE = r"\b(?:in|from|of|by|during|at)\s+(?:the|a|an|its|their|our)?\s*(?:[\w'’]+\s+){0,3}?"
_SOURCE_AFTER = (
    r"(?:\s+(?:letter|report))?(?:\s+(?:to|for|on|about|of)\s+[\w'’]+)?\s+(?:find|found|finds|say|said|says|identif\w*|report\w*|recommend\w*|"
    r"judge\w*|rate\w*|list\w*|set\w* out|conclude\w*|note\w*)\b"
)


def _source_kinds(
    question: str, council_docs: tuple[str, ...], index: Index
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Kinds of document the question names as its source, and of those, the ones the index (or
    the named councils' documents) holds none of, by their `short` names."""
    taxonomy = load_taxonomy()
    text = " ".join(question.lower().replace("’", "'").split())
    scope = council_docs or tuple(index.docs)
    held = {taxonomy.kind(index.docs[d].doc_type).id for d in scope}
    named, missing = [], []
    for kind in taxonomy.kinds.values():
        for phrase in kind.named_by:
            p = re.escape(phrase)
            if re.search(_SOURCE_BEFORE + p + r"\b", text) or re.search(rf"\b{p}{_SOURCE_AFTER}", text):
                named.append(kind.id)
                if kind.id not in held:
                    missing.append(kind.short)
                break
    if len(missing) < len(named):
        # "Which finding of the 2016 SEND inspection was still open at the CQC review?": a held
        # kind named speaks, and may report on the one the index lacks.
        missing = []
    return tuple(named), tuple(dict.fromkeys(missing))


_JOINERS = {"of", "the", "for", "in", "on", "and", "to", "a", "an", "with", "from", "at", "by"}


def _focus_phrase(question: str, focus: tuple[str, ...]) -> str:
    """The longest run of the question's focus words, as the user wrote them, small joining
    words allowed inside ("the named GP" -> "named GP", "the case study of poor practice"):
    what a partial answer says it has found things about."""
    tokens = re.findall(r"[\w'’&/-]+", question)
    runs: list[list[str]] = [[]]
    for tok in tokens:
        if set(terms(tok)) & set(focus):
            runs[-1].append(tok)
        elif tok.lower() in _JOINERS and runs[-1]:
            runs[-1].append(tok)
        elif runs[-1]:
            runs.append([])
    best = max((r for r in runs), key=lambda r: sum(1 for t in r if t.lower() not in _JOINERS), default=[])
    while best and best[-1].lower() in _JOINERS:
        best.pop()
    return " ".join(best) or "this question"


def _doc_prior(query_terms: list[str], index: Index) -> tuple[set[str], dict[str, float]]:
    """The naming words in the query ("the JTAI letter", "Ofsted", "2019"), and each document's
    share of them."""
    vocab: dict[str, set[str]] = {}
    taxonomy = load_taxonomy()
    for doc_id, info in index.docs.items():
        words_ = set(terms(" ".join(taxonomy.kind(info.doc_type).aliases) + " " + info.publisher))
        words_ |= {info.published[:4]} if info.published else set()
        # A council's name says whose documents, not which kind: that is `_named_authorities`.
        vocab[doc_id] = words_ - set(terms(info.local_authority)) - {"and", "children"}
    naming = {t for t in query_terms if any(t in v for v in vocab.values())}
    prior = {d: len(naming & v) / len(naming) for d, v in vocab.items()} if naming else {}
    return naming, {d: p for d, p in prior.items() if p > 0}


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


def _naming_vocabulary(index: Index) -> set[str]:
    words_: set[str] = set()
    taxonomy = load_taxonomy()
    for info in index.docs.values():
        words_ |= set(taxonomy.kind(info.doc_type).aliases) | {
            w.lower() for w in re.findall(r"[A-Za-z]+", info.publisher)
        }
    return words_


def _named_year_documents(question: str, naming: set[str], index: Index, skip: set[str]) -> tuple[str, ...]:
    """Documents a question designates by year ("the 2025 report", "the 2019 JTAI"): a year
    that dates an indexed document, in a question with a word naming a kind of document.
    Years in `skip` designate nothing."""
    doc_words = naming - set(YEAR.findall(question))
    if not doc_words:
        return ()
    years = set(YEAR.findall(question)) - skip
    return tuple(d for d, info in index.docs.items() if info.published[:4] in years)


def _named_authorities(question: str, index: Index) -> list[str]:
    """Ids of the documents whose local authority the question names ("Leeds", "leeds'",
    "Leeds City Council" all name "Leeds City")."""
    taxonomy = load_taxonomy()
    text = f" {normalise(question.replace('’', chr(39)).replace(chr(39) + 's', '').replace('&', ' and '))} "
    out = []
    for doc_id, info in index.docs.items():
        key = taxonomy.authority_key(info.local_authority)
        if key and f" {key} " in text:
            out.append(doc_id)
    return out
