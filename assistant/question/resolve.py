"""Resolve a follow-up ("what about the police?", "and was that done?") against earlier turns.

The rule: a question is a follow-up when it opens like one ("and", "what about", "how about",
"also") or is short and leans on a pronoun ("was it done?"). "What/how about X" asks the last
question again about X: the last question's words up to its last "about/on/for/regarding/of"
take X (with no such word, X is searched with the last question beside it). A pronoun is
replaced by what the last question was about: its action reference, else its topic. The
resolved question is what gets searched, and it is shown to the user.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.core.text import terms

_OPENER = re.compile(r"^\s*(?:and|but|also|so|ok(?:ay)?|then)\b[\s,]*", re.I)
_ABOUT = re.compile(r"^\s*(?:and\s+)?(?:what|how)\s+about\s+(.+?)\s*\??\s*$", re.I)
_PRONOUN = re.compile(r"\b(it|that|this|they|them|those|these|its|their)\b", re.I)
_TOPIC = re.compile(r"^(.*\b(?:about|on|for|regarding|of|with))\s+(.+?)\s*\??\s*$", re.I)
_ACTION_REF = re.compile(r"\b(?:action\s+)?[1-9]\.\d{1,2}\.\d{1,2}\b", re.I)


def resolve(question: str, history: Sequence[object] | None) -> str:
    """The question to search, given earlier questions (strings, or records with a
    `resolved_question` / `question` attribute or key), most recent last."""
    previous = _last_question(history)
    q = question.strip()
    if not previous or not q:
        return q
    about = _ABOUT.match(q)
    if about:
        focus = about.group(1).strip()
        topic = _TOPIC.match(previous)
        return f"{topic.group(1)} {focus}?" if topic else f"{focus} ({previous.rstrip('?')})?"
    opener = _OPENER.match(q)
    pronoun = _PRONOUN.search(q)
    short = len(terms(q)) <= 3
    if not (opener or (pronoun and short)):
        return q
    body = q[opener.end() :] if opener else q
    if pronoun and short:
        ref = _ACTION_REF.search(previous)
        topic = _TOPIC.match(previous)
        subject = ref.group(0) if ref else (topic.group(2) if topic else previous.rstrip("?"))
        if ref and not ref.group(0).lower().startswith("action"):
            subject = "action " + subject
        body = _PRONOUN.sub(subject, body, count=1)
        return body[0].upper() + body[1:] if body else q
    return f"{body.rstrip('?')} ({previous.rstrip('?')})?"


def _last_question(history: Sequence[object] | None) -> str:
    for item in reversed(list(history or [])):
        if isinstance(item, str):
            text = item
        elif isinstance(item, dict):
            text = item.get("resolved_question") or item.get("question") or ""
        else:
            text = getattr(item, "resolved_question", "") or getattr(item, "question", "")
        if text and text.strip():
            return text.strip()
    return ""
