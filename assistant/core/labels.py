"""How the assistant names a document to its reader: the line that opens a document's part of
an answer, made from the document's own facts (kind, title, council, date), never from a passage."""

from __future__ import annotations

from assistant.core.dates import human_date
from assistant.core.taxonomy import load_taxonomy


def attribution(doc_type: str, title: str, iso_date: str, authority: str = "", what: str = "") -> str:
    """The line that opens a document's part of an answer:
    "From the action plan, Anytown (22 September 2020):"; a document of no known kind by its title.

    Args:
        what: which part of the document the part quotes ("the finding", "action 1.2.3"), said
            after the document's name: "From the action plan, action 1.2.3 (22 September 2020):".
    """
    kind = load_taxonomy().kind(doc_type)
    name = kind.short if kind.id != "other" else f"“{title}”"
    where = f", {authority}" if authority and authority.lower() not in name.lower() else ""
    said = f", {what}" if what else ""
    return f"From {name}{where}{said} ({human_date(iso_date)}):"
