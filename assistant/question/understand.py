"""Understand a question once: `bind` joins what its wording says (`parse.Intent`) to the open
index (its glossary, documents, actions and councils), embeds it, and gives the `Query` that
retrieval, composition and the answerability check read; none of them reads the wording itself.
"""

from __future__ import annotations

import re
from dataclasses import replace

from assistant.core.dates import YEAR
from assistant.core.embed import embed
from assistant.core.taxonomy import load_taxonomy
from assistant.core.text import normalise, terms, without_role
from assistant.core.types import DocumentInfo, Intent, Query, council_key
from assistant.question import cues
from assistant.question.parse import (
    answer_focus,
    answer_type,
    expand_acronyms,
    expand_equivalents,
    focus_phrase,
    focus_terms,
    parse,
    period,
    period_years,
)
from assistant.store import Index


def understand(question: str, index: Index) -> Query:
    """The question's answer type, focus, named councils, documents and years, references and
    search terms; embedded once.

    Args:
        question: the (resolved) question.
        index: the open index: its glossary, documents and actions give names their meaning.
    Returns:
        A `Query`.
    """
    return bind(parse(question), index)


def bind(intent: Intent, index: Index) -> Query:
    """`intent` read against `index`: which of its references the index holds, which documents its
    naming words, councils and years designate, its focus less those words, its embedding."""
    question = intent.text
    pairs = _expansions(question, index)
    expansions = [e for _, e in pairs]
    action_refs = [r for r in intent.action_refs if r in index.actions]
    para_refs = [(r, intent.ref_kind) for r in intent.para_refs if not any(a.startswith(r + ".") for a in action_refs)]
    kind, cue_at = (intent.answer_type, intent.cue_at) if not action_refs else answer_type(question, True)
    query_terms = terms(question) + [t for e in expansions for t in terms(e)]
    progress = bool(action_refs) or intent.progress
    naming, prior = _doc_prior(query_terms, index, progress)
    council_docs, councils = _named_councils(intent, index)
    # A named council's words, as the index calls it and as the question writes it ("Nottingham
    # City" for Nottingham): whose documents, not what to find in them.
    keys = {council_key(c) for c in councils}
    authority_words = {t for c in councils for t in terms(c)}
    authority_words |= {
        t for name, written in intent.council_words if council_key(name) in keys for t in terms(written)
    }
    # Naming words and a named council's name say whose documents (retrieval filters by them),
    # not what to find in them: in a council's report its name is on every page header.
    content = [t for t in query_terms if t not in naming and t not in authority_words] or query_terms
    skip = (
        cues.NOT_FOCUS
        | naming
        | authority_words
        | (cues.UNITS if kind in ("number", "date") else set())
        | cues.MONTH_TERMS
    )

    def focus_of(text: str) -> tuple[str, ...]:
        return focus_terms(text, intent.acronyms, skip)

    focus = focus_of(question)
    across = intent.asks_across or len({council_key(c) for c in councils}) > 1
    if across and intent.grades_judged and kind == "rating":
        kind, cue_at = answer_type(question, bool(action_refs), grade_stated=True)
    if across and kind == "organisation":
        # "Which councils ...?": the answer names each council in the line that opens its part
        # (from the documents' facts), so its sentences need not hold a name.
        kind = "list"
    query = Query(
        text=question,
        vector=embed([question + (" (" + "; ".join(expansions) + ")" if expansions else "")])[0],
        terms=content,
        expansions=expansions,
        action_refs=action_refs,
        para_refs=para_refs,
        doc_prior=prior,
        answer_type=kind,
        judgement_area=_judgement_area(question) if kind == "rating" else "",
        lead_inspector=kind in ("person", "agent") and bool(cues.LEAD_INSPECTOR.search(question)),
        focus=focus,
        focus_phrase=focus_phrase(question, focus),
        answer_focus=answer_focus(question, cue_at, focus_of) or focus,
        spelled_out={a.lower(): tuple(terms(e)) for a, e in pairs if a.lower() in focus and e != a},
        progress=progress,
        intent=intent,
    )
    return _bound_to_documents(query, intent, naming, council_docs, councils, across, index)


def _judgement_area(question: str) -> str:
    """The id of the judgement area a grade question names, by the wordings the taxonomy maps
    each framework's areas from ("the LSCB", "children looked after"), or ""."""
    area = load_taxonomy().judgement_area(question)
    return area.id if area else ""


def _bound_to_documents(
    query: Query,
    intent: Intent,
    naming: set[str],
    council_docs: tuple[str, ...],
    councils: tuple[str, ...],
    across: bool,
    index: Index,
) -> Query:
    """`query` with the documents, years and councils the question designates in this index."""
    taxonomy = load_taxonomy()
    # A council is held when a document's facts or, where no council was read, its opening says so:
    # the documents are never said to lack a council whose report is indexed.
    held = {taxonomy.authority_key(info.local_authority) for info in index.docs.values()}
    held |= {taxonomy.authority_key(name) for name in _councils_of_unread(index).values()}
    published = {info.published[:4] for info in index.docs.values() if info.published}
    source_kinds, missing_kinds = _source_kinds(intent.text, council_docs, index)
    # Across councils, a year that bounds a period is a date filter (see `Intent.period`), not a
    # designation of that year's documents.
    skip = set(intent.period_years) if across else set()
    judged = intent.grades_judged if across else ()
    return replace(
        query,
        years=tuple(y for y in intent.named_years if y in published),
        named_years=intent.named_years,
        council_docs=council_docs,
        councils=councils,
        unheld_councils=tuple(a for a in intent.authorities if taxonomy.authority_key(a) not in held),
        year_docs=_year_documents(intent, naming, council_docs, index, skip),
        named_months=intent.named_months,
        count=intent.count,
        frequency=intent.frequency,
        counted=intent.counted,
        source_kinds=source_kinds,
        missing_kinds=missing_kinds,
        section_class=intent.section_class,
        many=intent.many or across,
        across_councils=across,
        judged_docs=tuple(
            d for d, info in index.docs.items() if any(taxonomy.grade_in(g) in judged for _, g in info.judgements)
        ),
        period=intent.period if across else ("", ""),
        lead_names=_lead_names(intent, council_docs, index) if query.lead_inspector else None,
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
            if re.search(cues.SOURCE_BEFORE + p + r"\b", text) or re.search(rf"\b{p}{cues.SOURCE_AFTER}", text):
                named.append(kind.id)
                if kind.id not in held:
                    missing.append(kind.short)
                break
    if len(missing) < len(named):
        # "Which finding of the 2016 SEND inspection was still open at the CQC review?": a held
        # kind named speaks, and may report on the one the index lacks.
        missing = []
    return tuple(named), tuple(dict.fromkeys(missing))


def _expansions(question: str, index: Index) -> list[tuple[str, str]]:
    """(acronym, expansion) pairs to search with, then (phrase, equivalent) pairs of the
    taxonomy's equivalents ("in care", "looked after"). An acronym that names a document ("JTAI",
    "CQC") is not expanded: its spelled-out form would pull in every passage that introduces the
    inspection rather than what was asked. The corpus's own glossary first; the taxonomy's for
    what its documents never spell out."""
    naming_words = _naming_vocabulary(index)
    taxonomy = load_taxonomy()
    glossary = {**taxonomy.abbreviations(), **index.glossary}
    pairs = [(a, e) for a, e in expand_acronyms(question, glossary) if a.lower() not in naming_words]
    return pairs + expand_equivalents(question, taxonomy.equivalents)


def _doc_prior(query_terms: list[str], index: Index, progress: bool) -> tuple[set[str], dict[str, float]]:
    """The naming words in the query ("the JTAI letter", "Ofsted", "2019"), and each document's
    share of them; a question about progress lifts the documents that report progress in full."""
    naming, prior = _naming_share(query_terms, index)
    if progress:
        taxonomy = load_taxonomy()
        for doc_id, info in index.docs.items():
            if taxonomy.kind(info.doc_type).progress:
                prior[doc_id] = max(prior.get(doc_id, 0.0), 1.0)
    return naming, prior


def _naming_share(query_terms: list[str], index: Index) -> tuple[set[str], dict[str, float]]:
    """The naming words in the query, and each document's share of them."""
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


def _naming_vocabulary(index: Index) -> set[str]:
    words_: set[str] = set()
    taxonomy = load_taxonomy()
    for info in index.docs.values():
        words_ |= set(taxonomy.kind(info.doc_type).aliases) | {
            w.lower() for w in re.findall(r"[A-Za-z]+", info.publisher)
        }
    return words_


def _year_documents(
    intent: Intent, naming: set[str], council_docs: tuple[str, ...], index: Index, skip: set[str]
) -> tuple[str, ...]:
    """The documents the question designates by a year: named as documents ("the 2025 report"),
    else as the named council's reports of that year or period."""
    return _named_year_documents(intent.text, naming, index, skip=skip) or _council_year_documents(
        intent, council_docs, index
    )


def _lead_names(intent: Intent, council_docs: tuple[str, ...], index: Index) -> tuple[str, ...] | None:
    """The lead inspectors' names (as describe read them, role left out) of the reports a "who
    led ...?" question designates: its councils' documents (every document when it names none)
    of the years it names, if it names any. Empty when no such report is indexed ("who led X's
    2012 inspection?" of a council whose reports are of 2017 and 2020); None when those reports'
    lead inspectors were not read."""
    years = set(intent.named_years) - set(intent.period_years)
    docs = [index.docs[d] for d in council_docs or index.docs]
    docs = [info for info in docs if not years or _dated_in(info, years, "", "")]
    names = tuple(sorted({without_role(info.lead_inspector) for info in docs} - {""}))
    return names if names or not docs else None


def _named_year_documents(question: str, naming: set[str], index: Index, skip: set[str]) -> tuple[str, ...]:
    """Documents a question designates by year ("the 2025 report", "the 2019 JTAI"): a year
    that dates an indexed document, in a question with a word naming a kind of document.
    Years in `skip` designate nothing; a year that bounds a period ("improved since the 2016
    inspection") designates the documents of that period, the premise's and the later ones."""
    doc_words = naming - set(YEAR.findall(question))
    if not doc_words:
        return ()
    years = set(YEAR.findall(question)) - skip
    start, end = period(question) if years & period_years(question) else ("", "")
    exact = years - period_years(question)
    return tuple(d for d, info in index.docs.items() if _dated_in(info, exact, start, end))


def _council_year_documents(intent: Intent, council_docs: tuple[str, ...], index: Index) -> tuple[str, ...]:
    """The named council's documents of a year the question names ("Anytown's overall
    effectiveness in 2016"): with the council named, a year that dates one of its reports (by
    publication or inspection) designates that report, and a year bounding a period ("has it
    improved since 2016?") the reports of that period."""
    exact = set(intent.named_years) - set(intent.period_years)
    start, end = intent.period
    if not council_docs or not (exact or start or end):
        return ()
    return tuple(d for d in council_docs if _dated_in(index.docs[d], exact, start, end))


def _dated_in(info: DocumentInfo, years: set[str], start: str, end: str) -> bool:
    """Whether a document is of one of `years` (published or inspected then), or dated within
    the period from `start` to `end` (ISO days, "" unbounded; the premise's year included)."""
    if info.published[:4] in years or years & set(YEAR.findall(info.inspection_dates)):
        return True
    if not (start or end) or not info.published:
        return False
    return (not start or info.published[:4] >= start[:4]) and (not end or info.published <= end)


# How much of a document's opening text names its council, where its facts name none: the title
# page and the first paragraphs, where a report names the council it inspected.
_OPENING_CHARS = 3000


def _named_councils(intent: Intent, index: Index) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The documents of the councils the question names, and those councils as the index calls
    them: by each document's council, else (its council not read) by the council its opening names."""
    taxonomy = load_taxonomy()
    docs = _named_authorities(intent.text, index)
    unread = _councils_of_unread(index)
    named = {taxonomy.authority_key(a) for a in intent.authorities}
    docs += [d for d, name in unread.items() if taxonomy.authority_key(name) in named and d not in docs]
    councils = tuple(dict.fromkeys(index.docs[d].local_authority or unread[d] for d in docs))
    return tuple(docs), councils


def _councils_of_unread(index: Index) -> dict[str, str]:
    """Document id -> the council its opening text names first, for the documents whose council
    was not read (no manifest entry, a layout the reader does not know): such a document still
    answers for its council. Made once per loaded generation."""

    def build() -> dict[str, str]:
        taxonomy = load_taxonomy()
        found = {}
        for doc_id, info in index.docs.items():
            if not info.local_authority:
                named = taxonomy.authorities_named(index.raw_texts.get(doc_id, "")[:_OPENING_CHARS])
                if named:
                    found[doc_id] = named[0]
        return found

    return index.derived("question.councils_of_unread", build)


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
