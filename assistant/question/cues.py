"""Cues in the user's wording that send a question down a path of its own, read before anything
else is made of it (no index, no embedding)."""

from __future__ import annotations

import re

from assistant.core.settings import Settings
from assistant.core.text import STOPWORDS, words

# "what happened to the finding on ...", "what came of the area for improvement about ...",
# "trace the priority action on ...": a question about what became of an inspection finding.
TRACE_QUESTION = re.compile(
    r"\b(?:what\s+(?:has\s+)?happened|what\s+(?:came|has\s+come|became)\s+of|what\s+(?:was|has\s+been)\s+done|"
    r"follow(?:ed)?[\s-]+up|trace)\b.{0,40}?\b(?:findings?|criticisms?|areas?\s+for\s+(?:priority\s+action|improvement)|"
    r"priority\s+actions?|recommendations?)\b",
    re.I,
)
_TOPIC = re.compile(
    r"\b(?:findings?|criticisms?|improvement|actions?|recommendations?)\b\s*(?:on|about|of|regarding|"
    r"that|concerning|into|re)?\s*(.*)$",
    re.I,
)


def traced_topic(question: str) -> str | None:
    """What a question about an inspection finding's fate asks after ("... the finding on CAMHS
    waiting times" -> "CAMHS waiting times"), the whole question when it names no topic; None
    when it does not ask what became of a finding."""
    asked = TRACE_QUESTION.search(question)
    if not asked:
        return None
    topic = _TOPIC.search(question[asked.start() :])
    return (topic.group(1) if topic and topic.group(1).strip(" ?.") else question).strip(" ?.")


def looks_foreign(text: str, settings: Settings) -> bool:
    """Whether a question seems not to be in English (few ASCII letters, or few English function
    words): its asker is told the documents are in English."""
    tokens = words(text)
    if len(tokens) < settings.foreign_min_words:
        return False
    ascii_share = sum(ch.isascii() for ch in text) / len(text)
    english = sum(t in STOPWORDS for t in tokens) / len(tokens)
    return ascii_share < settings.foreign_ascii_share or english < settings.foreign_stopword_share
