"""Whether a sentence names someone: a person ("Lisa Summers"), an organisation ("Public
Health"), or any proper name or acronym the question does not already hold. A capitalised word
is a name word only when the corpus never writes it in lower case (`CorpusWords`), so the rules
need no list of names; the taxonomy says which words are places and publishers.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from assistant.core.dates import MONTHS
from assistant.core.taxonomy import load_taxonomy
from assistant.core.types import Query
from assistant.store import Index

_TITLE_RUN = re.compile(r"(?<![.!?:]\s)\b[A-Z][a-z'’]+(?: (?:and |of |for )?[A-Z][a-z'’]+)+\b")
_CAPITALISED = re.compile(r"\b[A-Z][a-z'’]+(?:-[A-Z][a-z]+)?\b")
_ACRONYM = re.compile(r"\b[A-Z]{2,6}s?\b")
_CALENDAR = frozenset(m.lower() for m in MONTHS) | {
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
}
_PARTICLES = frozenset({"st", "de", "van", "von", "le", "la", "o", "mc", "mac"})


def has_person(sentence: str, query: Query, lower: CorpusWords) -> bool:
    """A run of capitalised words of which two or more the corpus never writes in lower case and
    none it does ("Lisa Summers", "Paula St Aubyn"); a run holding a common word or an acronym
    names an organisation ("North West Boroughs Healthcare NHS Foundation Trust") or a role
    ("Named GP"), and so does a run whose words the corpus uses in an organisation's name
    elsewhere ("Alder Hey", of "Alder Hey Children's NHS Foundation Trust")."""
    run: list[str] = []
    for token in re.findall(r"[A-Za-z'’-]+|[^\sA-Za-z]", sentence) + ["."]:
        word = token.lower().strip("'’")
        if token[:1].isupper() or (run and word in _PARTICLES):
            run.append(token)
            continue
        if any(_names_someone(part, lower) for part in _name_parts(run, lower)):
            return True
        run = []
    return False


def _name_parts(run: list[str], lower: CorpusWords) -> list[list[str]]:
    """The parts of a run of capitalised words between words the corpus writes in lower case or
    as acronyms: a header line runs a name into the next field ("Quality assurance manager:
    Christine Williams Any complaints ..." gives "Christine Williams")."""
    parts: list[list[str]] = [[]]
    for t in run:
        bare = t.lower().strip("'’")
        if t.isupper() or (bare in lower and bare not in _PARTICLES):
            parts.append([])
        else:
            parts[-1].append(t)
    return [p for p in parts if p]


def _names_someone(part: list[str], lower: CorpusWords) -> bool:
    """Two or more name words, not all of them words of organisations' names ("Alder Hey"); a
    council's name is a place, not part of a person's (a service called "Ambition Anytown")."""
    names = [t for t in part if t.lower().strip("'’") not in lower.not_names]
    return len(names) >= 2 and not all(t.lower().strip("'’") in lower.organisation for t in names)


def has_name(sentence: str, query: Query, lower: CorpusWords) -> bool:
    """A proper name (a capitalised word the corpus never writes in lower case, not the
    sentence's first word) or an acronym that the question does not already hold."""
    asked = query.intent.written_acronyms if query.intent else frozenset()
    if any(a not in asked and a.lower() not in _publishers() for a in _ACRONYM.findall(sentence)):
        return True
    first = re.match(r"\W*\w+", sentence)
    start = first.end() if first else 0

    # Months, days and the names of publishers ("Ofsted") are capitalised but name no organisation asked for.
    def named(word: str) -> bool:
        bare = word.lower().strip("'’")
        return bare not in lower and bare not in _CALENDAR and word.lower() not in _publishers()

    return any(named(m.group()) for m in _CAPITALISED.finditer(sentence, start))


def has_agent(sentence: str, query: Query, lower: CorpusWords) -> bool:
    """A person's or an organisation's name: for "who runs ...", a body such as "Public Health"
    or "Children's Social Care" (capitalised words in a row, not opening the sentence) answers."""
    if has_person(sentence, query, lower) or has_name(sentence, query, lower):
        return True
    return bool(_TITLE_RUN.search(sentence[1:]))


@functools.lru_cache(maxsize=1)
def _place_words() -> frozenset[str]:
    """The words of every local authority's name and alias in the taxonomy, less the words
    around them ("city", "council")."""
    taxonomy = load_taxonomy()
    words = {w for written, _ in taxonomy.authority_names for w in re.findall(r"[a-z'’-]+", written.lower())}
    return frozenset(words - set(taxonomy.authority_words))


@functools.lru_cache(maxsize=1)
def _publishers() -> frozenset[str]:
    """Words of the taxonomy's publishers ("Ofsted", "CQC"): the source, not an answer."""
    taxonomy = load_taxonomy()
    return frozenset(w.lower() for k in taxonomy.kinds.values() for w in re.findall(r"[A-Za-z]+", k.publisher))


@dataclass(frozen=True)
class CorpusWords:
    """Every word the corpus writes in lower case somewhere (`lower`: such a word is not a name),
    with `organisation`: the capitalised words it uses in organisations' names, and `not_names`:
    the words that are never part of a person's name (particles, and the words of local
    authorities' names from the taxonomy), joined once rather than per word read.
    `word in words` asks `lower`."""

    lower: frozenset[str]
    organisation: frozenset[str] = frozenset()
    not_names: frozenset[str] = _PARTICLES

    def __contains__(self, word: object) -> bool:
        return word in self.lower


_ADDRESS = re.compile(r"\S+@\S+|\b(?:https?://|www\.)\S+", re.I)
_NAME_RUN = re.compile(r"[A-Z][\w'’-]*(?:\s+(?:(?:and|of|for|&)\s+)?[A-Z][\w'’-]*)+")


def corpus_words(index: Index) -> CorpusWords:
    """The corpus's `CorpusWords`, made once per loaded generation."""
    return index.derived("answerability.corpus_words", lambda: _read_corpus_words(index))


def _read_corpus_words(index: Index) -> CorpusWords:
    marks = load_taxonomy().organisation_words
    seen: set[str] = set()
    bodies: set[str] = set()
    for passage in {c.passage_id: c.passage for c in index.chunks}.values():
        # An address writes names in lower case ("jane.smith@anytown.gov.uk"): not prose.
        prose = _ADDRESS.sub(" ", passage) if "@" in passage or "www." in passage or "://" in passage else passage
        seen.update(re.findall(r"\b[a-z][a-z'’-]*\b", prose))
        for run in _NAME_RUN.findall(passage):
            words = re.findall(r"[A-Za-z'’-]+", run)
            if any(w in marks for w in words):
                bodies.update(w.lower().strip("'’") for w in words)
    return CorpusWords(
        frozenset(w.strip("'’") for w in seen), organisation=frozenset(bodies), not_names=_PARTICLES | _place_words()
    )
