"""Months and dates: the one table of month names, and the checks and forms every floor shares.

Inspection documents write dates in words ("22 September 2020"); filters and the index keep ISO
strings ("2020-09-22"), compared as strings, so an ISO date must be exactly YYYY-MM-DD.
"""

from __future__ import annotations

import re
from datetime import date

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
# The full names as one regex alternation ("January|February|..."), capitalised as documents write them.
MONTH_ALTERNATION = "|".join(MONTHS)
# Lower-case full names and the abbreviations documents use, with their numbers (1-12).
MONTH_NUMBERS: dict[str, int] = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# A year as documents and questions write it ("2019"): 1900-2099.
YEAR = re.compile(r"\b((?:19|20)\d\d)\b")


def is_iso_date(value: str) -> bool:
    """Whether `value` is a real date written YYYY-MM-DD.

    `date.fromisoformat` alone also takes "20191218" and "2019-W51-3" (Python 3.11), which the
    filters' string comparison would get wrong; the pattern pins the form.
    """
    if not _ISO_DATE.fullmatch(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def month_name(iso: str) -> str:
    """ "may" for "2020-05-14"; "" when the month is not given."""
    if len(iso) >= 7 and iso[5:7].isdigit() and 1 <= int(iso[5:7]) <= 12:
        return MONTHS[int(iso[5:7]) - 1].lower()
    return ""


def human_date(iso_date: str) -> str:
    """ "18 December 2019" for "2019-12-18"; "undated" when unknown."""
    try:
        d = date.fromisoformat(iso_date)
    except ValueError:
        return "undated"
    return f"{d.day} {d:%B %Y}"


_MONTH_WORD = "|".join(sorted(MONTH_NUMBERS, key=len, reverse=True))  # longest first: "sept" before "sep"
# One day of a range: "18", "18 February", "18 February 2019", "18th Feb. 2019"; or 18/02/2019.
_RANGE_DAY = re.compile(
    r"(?<![\d/])(?:(?P<d>\d{1,2})[/.](?P<m>\d{1,2})[/.](?P<y>(?:19|20)\d\d)|(?P<day>\d{1,2})(?:st|nd|rd|th)?"
    rf"(?:\s+(?P<month>{_MONTH_WORD})\.?)?(?:,?\s+(?P<year>(?:19|20)\d\d))?)(?![\d/])",
    re.I,
)


def date_range(text: str) -> tuple[str, str]:
    """The first and last day of dates as an inspection report writes them, as ISO dates.

    "18 February to 1 March 2019", "29 April – 22 May 2014", "18 to 22 February 2019" and
    "05/11/2018 - 16/11/2018" all work: a day without its month or year takes the next day's
    ("18 to 22 February 2019" starts on 18 February 2019).

    Returns:
        (first day, last day); ("", "") when no day of `text` can be dated.
    """
    days: list[list[int | None]] = []
    for m in _RANGE_DAY.finditer(text or ""):
        if m["d"]:
            days.append([int(m["y"]), int(m["m"]), int(m["d"])])
        else:
            month = MONTH_NUMBERS[m["month"].lower().rstrip(".")] if m["month"] else None
            days.append([int(m["year"]) if m["year"] else None, month, int(m["day"])])
    for later, earlier in zip(reversed(days), list(reversed(days))[1:]):
        earlier[0] = earlier[0] or later[0]
        earlier[1] = earlier[1] or later[1]
    dated = [f"{y:04d}-{mo:02d}-{d:02d}" for y, mo, d in days if y and mo and d]
    return (dated[0], dated[-1]) if dated else ("", "")
