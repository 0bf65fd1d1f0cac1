"""What the views over councils' reports share: a council's documents, the documents grouped by
council, and each report's judgements under their areas, each linked to the passage that gives it.

The timeline and the table of judgements read these the same way, so a grade has one page
wherever it is shown and a council one name and one set of documents.
"""

from __future__ import annotations

import re

from assistant.core.errors import AssistantError
from assistant.core.taxonomy import load_taxonomy
from assistant.core.types import Chunk, Citation, DocumentInfo, Judgement, JudgementPoint
from assistant.store import Index


def council_docs(index: Index, council: str | None) -> list[DocumentInfo]:
    """The documents of `council`, as users write it (every document when none is given).

    Raises:
        AssistantError: no document of the index belongs to `council` (the message lists those that do).
    """
    taxonomy = load_taxonomy()
    docs = list(index.docs.values())
    if not (council and council.strip()):
        return docs
    key = taxonomy.authority_key(council)
    docs = [d for d in docs if d.local_authority and taxonomy.authority_key(d.local_authority) == key]
    if not docs:
        known = sorted({d.local_authority for d in index.docs.values() if d.local_authority})
        raise AssistantError(
            f"No document of the index belongs to {council.strip()!r}: use one of "
            f"{', '.join(known) or '(none: set local_authority in corpus/manifest.toml)'}, "
            "or leave the council out for every document"
        )
    return docs


def by_council(docs: list[DocumentInfo]) -> list[tuple[str, list[DocumentInfo]]]:
    """(council, its documents), councils in alphabetical order and "" (no council read) last.

    Documents that spell one council two ways ("Anytown", "Anytown Metropolitan Borough Council")
    are one group, named as most of them name it."""
    taxonomy = load_taxonomy()
    groups: dict[str, list[DocumentInfo]] = {}
    for doc in docs:
        name = doc.local_authority.strip()
        # A name made only of council words ("City of London") has no key: it is its own.
        key = (taxonomy.authority_key(name) or name.casefold()) if name else ""
        groups.setdefault(key, []).append(doc)
    named = []
    for key, members in groups.items():
        names = [d.local_authority.strip() for d in members]
        named.append((min(set(names), key=lambda n: (-names.count(n), n)) if key else "", members))
    return sorted(named, key=lambda g: (not g[0], g[0].casefold()))


def judgement_points(index: Index, doc: DocumentInfo) -> list[JudgementPoint]:
    """One point per judgement area of the document (its first wording of the area, as the
    grid is read before headings repeat it), each with the passage that gives it."""
    taxonomy = load_taxonomy()
    positions = index.doc_chunks.get(doc.doc_id, ())
    chunks = sorted((index.chunks[p] for p in positions), key=lambda c: (c.start, c.part))
    seen: set[str] = set()
    points: list[JudgementPoint] = []
    for judged in doc.graded:
        key = judged.area or judged.wording
        if key in seen:
            continue
        seen.add(key)
        points.append(
            JudgementPoint(
                date=doc.published,
                doc_id=doc.doc_id,
                area=judged.label or judged.wording,
                grade=judged.grade,
                score=taxonomy.grade_score(judged.grade),
                area_id=judged.area,
                wording=judged.wording,
                source=judgement_source(chunks, judged, len(points) + 1),
            )
        )
    return points


def judgement_source(chunks: list[Chunk], judged: Judgement, n: int) -> Citation | None:
    """Citation `n` of the passage that gives a judgement: the document's grid (the one naming
    the wording when the grid is cut in several), else a passage giving the wording its grade
    ("The Local Safeguarding Children Board is good"), else the document's first grid, else the
    first passage naming the wording, else the first passage of page 1 (of the document, when it
    has no pages); None without chunks.

    `chunks` are the document's, in text order."""
    if not chunks:
        return None
    wording = re.compile(r"\b" + r"\W+".join(re.escape(w) for w in re.findall(r"\w+", judged.wording)) + r"\b", re.I)
    grids = [c for c in chunks if c.kind == "judgement"]
    chunk = (
        next((c for c in grids if wording.search(c.passage)), None)
        # A SIF report grades its LSCB review in a sentence of its own, on page 1 after the grid or
        # pages later: its page is where that sentence is, not the grid's.
        or next((c for c in chunks if _graded(c.passage, wording, judged.grade)), None)
        or (grids[0] if grids else None)
        or next((c for c in chunks if wording.search(c.passage)), None)
        or next((c for c in chunks if c.page == 1), chunks[0])
    )
    return Citation(n, chunk, _quoted(chunk.passage, wording, judged.grade))


# What stands between a judgement's wording and its grade where a passage gives it: a grid's
# separators ("... care leavers | Grade: Good"), or a sentence's verb ("... Board (LSCB) is good").
_BETWEEN = r"[\s|:]*(?:\([^()]{1,12}\)[\s|:]*)?(?:(?:grades?|is|are)[\s|:]*)?"


def _graded(passage: str, wording: re.Pattern[str], grade: str) -> bool:
    """Whether `passage` names the wording with the grade right after it."""
    after = re.compile(_BETWEEN + re.escape(grade) + r"\b", re.I)
    return any(after.match(passage, found.end()) for found in wording.finditer(passage))


def _quoted(passage: str, wording: re.Pattern[str], grade: str) -> tuple[str, ...]:
    """The words of `passage` that give the judgement, verbatim: its wording and, when only a
    grid's separators or a verb stand between them, its grade (the first place where they do);
    () when the wording is not there."""
    found = list(wording.finditer(passage))
    if not found:
        return ()
    after = re.compile(_BETWEEN + re.escape(grade) + r"\b", re.I)
    graded = next(((m, a) for m in found if (a := after.match(passage, m.end()))), None)
    if graded is None:
        return (passage[found[0].start() : found[0].end()],)
    return (passage[graded[0].start() : graded[1].end()],)
