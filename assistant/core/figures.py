"""Figures in text: a number written in digits or words, and a figure that counts something
("227 children", "no new carers"). Shared by retrieval (which lifts a passage that counts what
"how many ...?" asks about) and the answer check (which asks a cited sentence to hold it)."""

from __future__ import annotations

import re

from assistant.core.text import terms

_NUMBER_WORDS = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|"
    r"thirty|forty|fifty|hundred|thousand|half|third|quarter|dozen|twice|once|daily|weekly|"
    r"fortnightly|monthly|quarterly|annually|yearly|bi-?monthly"
)
# A figure in digits or words, a share or a frequency ("227", "a third", "monthly").
FIGURE = re.compile(rf"\d|\b(?:{_NUMBER_WORDS})\b", re.I)
_WORD = r"[\w'’-]"  # what a word of a passage is made of ("COVID-19", "children’s" are one word)
# A word that may open a count: "no", or a whole word that is a figure ("227", "three").
_COUNT_START = re.compile(rf"(?<!{_WORD})(?:no|\d+|{_NUMBER_WORDS})(?!{_WORD})", re.I)
_WORDS = re.compile(rf"{_WORD}+")

_PEOPLE = frozenset(terms("children child kids young people person pupils families family users residents adults"))


def counts(text: str, counted: tuple[str, ...]) -> bool:
    """A figure followed within four words by what is counted ("53 care leavers" for "how many
    care leavers", "no children" for none); any word for people counts people ("140 children
    and young people")."""
    wanted = set(counted) | (_PEOPLE if set(counted) & _PEOPLE else set())
    # Only the words after a figure are read and stemmed: a passage is read for every candidate
    # of a "how many" question, and stemming all its words would double the retrieval's time.
    for start in _COUNT_START.finditer(text):
        after = _WORDS.findall(text, start.end(), start.end() + 200)
        within = 2 if start.group().lower() == "no" else 4  # "no detriment to carers" counts none
        if any((terms(t) or [""])[0] in wanted for t in after[:within]):
            return True
    return False
