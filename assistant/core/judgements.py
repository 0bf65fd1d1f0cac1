"""What a line of a report grades, by the taxonomy's vocabulary of judgement areas: a row of a
judgement grid, or a sentence that states a judgement ("The Local Safeguarding Children Board is
good")."""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.core.taxonomy import load_taxonomy, wording_form

# A sentence that states a judgement and ends there: "The Local Safeguarding Children Board is
# good", "Children's services in X require improvement to be good".
_GRADE_STATED = re.compile(
    r"\b(?:is|are|was|were|requires?|required)\s+(?:judged\s+(?:to\s+be\s+)?)?"
    r"(?:good|outstanding|inadequate|adequate|improvement(?: to be good)?)\W*$",
    re.I,
)


@lru_cache(maxsize=1)
def grade_alternation() -> str:
    """The taxonomy's grades as one regex alternation, longest first as the taxonomy lists them."""
    return "|".join(re.escape(g) for g in load_taxonomy().grades)


@lru_cache(maxsize=1)
def _grade_pattern() -> re.Pattern[str]:
    return re.compile(rf"\b(?:{grade_alternation()})\b", re.I)


def states_grade(sentence: str) -> bool:
    """Whether a sentence states a judgement, ending in its grade."""
    return bool(_GRADE_STATED.search(sentence))


def grades_area(row: str, area_id: str, *, grid_row: bool = False) -> bool:
    """Whether `row` gives a grade for the area `area_id`: a grid's row ("Children looked after
    and achieving permanence Good") or a statement ("Children's services in X are good") that
    the vocabulary reads as that area. A grid row (`grid_row`) may hold several areas with their
    grades (an early ILACS grid read as one line): any of them counts."""
    if not _grade_pattern().search(row):
        return False
    taxonomy = load_taxonomy()
    if grid_row:
        form = wording_form(row)
        return any(a == area_id and pattern.search(form) for pattern, a in taxonomy.judgement_wordings)
    area = taxonomy.judgement_area(row)
    return area is not None and area.id == area_id
