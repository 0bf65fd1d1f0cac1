"""Figures in text: a number written in digits or words, and a figure that counts something
("227 children", "no new carers"). Shared by retrieval (which lifts a passage that counts what
"how many ...?" asks about) and the answer check (which asks a cited sentence to hold it)."""

from __future__ import annotations

import re

from assistant.core.text import terms

# A figure in digits or words, a share or a frequency ("227", "a third", "monthly").
FIGURE = re.compile(
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|"
    r"thirty|forty|fifty|hundred|thousand|half|third|quarter|dozen|twice|once|daily|weekly|"
    r"fortnightly|monthly|quarterly|annually|yearly|bi-?monthly)\b",
    re.I,
)

_PEOPLE = frozenset(terms("children child kids young people person pupils families family users residents adults"))


def counts(text: str, counted: tuple[str, ...]) -> bool:
    """A figure followed within four words by what is counted ("53 care leavers" for "how many
    care leavers", "no children" for none); any word for people counts people ("140 children
    and young people")."""
    tokens = re.findall(r"[\w'’-]+", text)
    stems = [(terms(t) or [""])[0] for t in tokens]
    wanted = set(counted) | (_PEOPLE if set(counted) & _PEOPLE else set())
    for i, token in enumerate(tokens):
        if token.lower() == "no":  # "no children", "no new carers": none of them; "no detriment to carers" is not
            if any(s in wanted for s in stems[i + 1 : i + 3]):
                return True
        elif FIGURE.fullmatch(token) or re.fullmatch(r"[\d,.]+", token):
            if any(s in wanted for s in stems[i + 1 : i + 5]):
                return True
    return False
