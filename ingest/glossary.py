"""Mine acronyms and their expansions from the documents: "multi-agency safeguarding hub (MASH)".

Retrieval uses the glossary both ways, so a question that says "CAMHS" finds a passage that
spells the service out, and one that spells it out finds "CAMHS". The rule follows Schwartz and
Hearst (2003): for an acronym in brackets, take the shortest run of words just before it whose
initials, in order, spell the acronym's letters (small words like "and", "of" may be skipped).
The other order, "LAC [Looked After Children]", is read too.
"""

from __future__ import annotations

import re
from collections import defaultdict

from assistant.core.types import Document

_SMALL = {"and", "of", "the", "for", "in", "to", "on", "&", "with", "a"}
_BRACKETED = re.compile(r"[(\[]([A-Z][A-Za-z&]{1,7}s?)[)\]]")
_WORD = re.compile(r"[A-Za-z0-9’']+")


def mine_glossary(docs: list[Document]) -> dict[str, list[str]]:
    """Acronym -> its expansions as written (lower case), most frequent first.

    Args:
        docs: cleaned documents.
    Returns:
        A mapping such as {"MASH": ["multi-agency safeguarding hub"]}.
    """
    found: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for doc in docs:
        text = doc.text
        for match in _BRACKETED.finditer(text):
            acronym = match.group(1)
            letters = acronym.rstrip("s") if acronym.endswith("s") and acronym[:-1].isupper() else acronym
            if sum(ch.isupper() for ch in letters) < 2:
                continue
            before = _expansion_before(text[max(0, match.start() - 200) : match.start()], letters)
            if before:
                found[letters.upper()][before.lower()] += 1
        for match in re.finditer(r"\b([A-Z]{2,7})\s*\[([A-Za-z][A-Za-z ’'-]{3,80})\]", text):
            acronym, inside = match.groups()
            if _initials_match(inside.split(), acronym):
                found[acronym][inside.lower()] += 1
    return {a: sorted(e, key=lambda x: (-e[x], x)) for a, e in sorted(found.items())}


def _expansion_before(preceding: str, letters: str) -> str:
    """The words just before an acronym whose initials spell it, as the text has them."""
    preceding = preceding.rstrip()
    # Hyphenated words count one initial per part: "multi-agency" gives "m" and "a".
    tokens = list(re.finditer(r"[^\s-]+", preceding))
    for size in range(1, min(len(tokens), len(letters) + 4) + 1):
        window = tokens[-size:]
        if _initials_match([t.group(0) for t in window], letters):
            return preceding[window[0].start() :]
    return ""


def _initials_match(words: list[str], letters: str) -> bool:
    """Do the initials of `words` spell `letters`, skipping small words, using every word's
    initial that is not small, and starting with the first letter?"""
    words = [w.strip("()[],.;:") for w in words if w.strip("()[],.;:")]
    if not words or words[0].lower() in _SMALL:
        return False
    letters = letters.lower()
    i = 0
    for word in words:
        initial = word[0].lower()
        if i < len(letters) and initial == letters[i]:
            i += 1
            # Words like "CAMHS" in "mental health services" take extra letters: "Services" -> s.
            continue
        if word.lower() in _SMALL:
            continue
        return False
    return i == len(letters)
