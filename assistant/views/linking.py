"""Which action-plan rows answer which findings of an inspection: by reference and by similarity.

- An action plan (a document with parsed rows) answers the inspection of its council, dated no
  later than it, whose findings its rows match best.
- By reference: a plan's priority heading that repeats a finding's words
  (`trace_reference_overlap` of them) links every row under it to that finding; a row whose cells
  quote `trace_quoted_words` words running of a finding is linked to it too.
- By similarity: a finding is scored against what a row sets out to do, its action, reason and
  impact cells (not its progress notes, leads or dates): closeness of meaning of their sentences
  (`trace_pairing`: each finding sentence's closest row sentence, averaged, and the same from the
  row's side), with `trace_lexical_weight` of the finding's rare words the cells use. Words are
  compared through the taxonomy's `[vocabulary]` (data): an abbreviation and the words it stands
  for count as one word ("CAMHS" in a finding, "specialist mental health services" in a row).
  A finding and a row are linked when the score reaches `trace_link_threshold` and either the
  finding is among the row's `trace_row_rank` best findings (a row answers few findings) or the
  row is among the finding's `trace_finding_rank` best rows (a finding is answered somewhere),
  under any priority. These numbers were chosen on the tuning part of tests/data/trace_gold.toml
  (scripts/tune_trace.py); the held-out part only measures them.

What is worked out here is kept per index generation (`Index.derived`), keyed by the settings it
reads. evals/trace_links.py scores these links against the gold mapping.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import numpy as np

from assistant.core.settings import Settings
from assistant.core.taxonomy import load_taxonomy
from assistant.core.text import terms
from assistant.core.types import NON_CONTENT_KINDS, ActionRow, Chunk, DocumentInfo
from assistant.core.weights import idf_share, idf_weights
from assistant.store import Index
from assistant.views.finding_words import finding_idf, words
from assistant.views.tracker import priority_name, row_chunk, verbatim

log = logging.getLogger(__name__)

# (row, score, "reference" or "similarity"): one row linked to a finding.
Link = tuple[ActionRow, float, str]


@dataclass
class Finding:
    """A followed finding: its passage's chunk and the sentence rows (embeddings) of the passage."""

    chunk: Chunk
    rows: list[int]


# plan doc id -> (source inspection id, its findings, per finding its links)
Plans = dict[str, tuple[str, list[Finding], list[list[Link]]]]


def plans(index: Index, settings: Settings) -> Plans:
    """Each action plan with the inspection it answers, that inspection's findings and, per
    finding, the linked rows, best first (those by reference first)."""
    key = (
        "trace.plans",
        settings.trace_link_threshold,
        settings.trace_lexical_weight,
        settings.trace_row_rank,
        settings.trace_finding_rank,
        settings.trace_pairing,
        settings.trace_reference_overlap,
        settings.trace_quoted_words,
    )
    return index.derived(key, lambda: _plans(index, settings))


def _plans(index: Index, settings: Settings) -> Plans:
    rows_by_plan: dict[str, list[ActionRow]] = {}
    for row in index.actions.values():
        rows_by_plan.setdefault(row.doc_id, []).append(row)
    result = {}
    for plan_id, rows in rows_by_plan.items():
        plan = index.docs.get(plan_id)
        best = None
        for doc in inspections(index, plan, before=True):
            findings = _findings(index, doc.doc_id)
            if not findings:
                continue
            scores = link_scores(index, doc.doc_id, plan_id, findings, rows, settings)
            refs = by_reference(findings, rows, settings)
            fit = (sum(len(r) for r, _ in refs), float(scores.max(axis=0).mean()))
            if best is None or fit > best[0]:
                best = (fit, doc.doc_id, findings, scores, refs)
        if best is None:
            continue
        _, source_id, findings, scores, refs = best
        result[plan_id] = (source_id, findings, links(findings, rows, scores, refs, settings))
        log.debug("plan %s answers %s (%d findings)", plan_id, source_id, len(findings))
    return result


def inspections(index: Index, doc: DocumentInfo | None, *, before: bool) -> list[DocumentInfo]:
    """Inspections of `doc`'s council dated no later than it (before) or after it; undated ones
    count as before, never as after."""
    taxonomy = load_taxonomy()
    council = taxonomy.authority_key(doc.local_authority) if doc and doc.local_authority else ""
    date = doc.published if doc else ""
    found = []
    for other in index.docs.values():
        if not taxonomy.kind(other.doc_type).inspection or (doc and other.doc_id == doc.doc_id):
            continue
        if council and other.local_authority and taxonomy.authority_key(other.local_authority) != council:
            continue
        if before and (not date or not other.published or other.published <= date):
            found.append(other)
        elif not before and date and other.published and other.published > date:
            found.append(other)
    return sorted(found, key=lambda d: d.published)


def _findings(index: Index, doc_id: str) -> list[Finding]:
    taxonomy = load_taxonomy()
    found: dict[str, Finding] = {}
    for position in index.doc_chunks.get(doc_id, ()):  # the document's own chunks, in order
        chunk = index.chunks[position]
        if chunk.kind in NON_CONTENT_KINDS or chunk.passage_id in found:
            continue
        passage = index.passages.get(chunk.passage_id)
        # A list's lead-in ("... need to take swift and decisive action to ensure that:") is no finding.
        if (
            passage
            and passage.rows
            and taxonomy.is_improvement_section(chunk.section)
            and not chunk.passage.rstrip().endswith(":")
        ):
            found[chunk.passage_id] = Finding(chunk, list(passage.rows))
    return sorted(found.values(), key=lambda f: f.chunk.start)


def row_cells(row: ActionRow) -> str:
    """What a row sets out to do: its action, reason and impact cells."""
    return f"{row.action} {row.reason} {row.impact}"


def _cell_sentences(index: Index, row: ActionRow) -> list[int]:
    """The sentence rows of the row's action, reason and impact cells (all of its sentences when
    the cells cannot be found in its passage)."""
    chunk = row_chunk(index, row)
    passage = index.passages.get(chunk.passage_id) if chunk else None
    if chunk is None or not passage:
        return []
    spans = []
    for cell in (row.action, row.reason, row.impact):
        found = verbatim(cell, chunk.passage)
        if found:
            at = chunk.passage.index(found)
            spans.append((at, at + len(found)))
    inside = [r for (a, b), r in zip(passage.spans, passage.rows) if any(a < end and b > start for start, end in spans)]
    return inside or list(passage.rows)


def link_scores(
    index: Index, source_id: str, plan_id: str, findings: list[Finding], rows: list[ActionRow], settings: Settings
) -> np.ndarray:
    """findings x rows: (1 - w) * closeness of the finding's sentences and the row's cell sentences
    (`trace_pairing`) + w * the share of the finding's rare words (idf-weighted) the cells use,
    words compared through the taxonomy's vocabulary; kept per (inspection, plan) and settings."""
    key = ("trace.scores", source_id, plan_id, settings.trace_lexical_weight, settings.trace_pairing)
    return index.derived(key, lambda: _scores(index, findings, rows, settings))


def _scores(index: Index, findings: list[Finding], rows: list[ActionRow], settings: Settings) -> np.ndarray:
    vectors = index.sentence_vectors
    w = settings.trace_lexical_weight
    idf = finding_idf(index)
    row_sents = [_cell_sentences(index, r) for r in rows]
    row_words = [words(row_cells(r)) for r in rows]
    out = np.zeros((len(findings), len(rows)))
    for i, f in enumerate(findings):
        fv = vectors[f.rows]
        said = words(f.chunk.passage)
        weights = idf_weights(said, idf)
        for j in range(len(rows)):
            dense = _closeness(fv @ vectors[row_sents[j]].T, settings.trace_pairing) if row_sents[j] else 0.0
            lexical = idf_share(said & row_words[j], weights)
            out[i, j] = (1 - w) * dense + w * lexical
    return out


def _closeness(pairs: np.ndarray, pairing: str) -> float:
    """One number from finding sentences x row sentences cosines: "mean" averages each finding
    sentence's closest row sentence; "sym" also each row sentence's closest finding sentence, and
    takes the mean of the two; "max" is the best sentence pair."""
    if pairing == "max":
        return float(pairs.max())
    finding_side = float(pairs.max(axis=1).mean())
    if pairing == "sym":
        return (finding_side + float(pairs.max(axis=0).mean())) / 2
    return finding_side


def _overlap(a: str, b: str) -> float:
    """The smaller of the two shares of words each text shares with the other."""
    ta, tb = set(terms(a)), set(terms(b))
    if not ta or not tb:
        return 0.0
    return min(len(ta & tb) / len(ta), len(ta & tb) / len(tb))


def by_reference(findings: list[Finding], rows: list[ActionRow], settings: Settings) -> list[tuple[list[int], bool]]:
    """Per finding, the rows that cite it: those under a priority heading that repeats the
    finding's words, or whose own cells quote a stretch of it (`trace_quoted_words` words running);
    and whether they came by the heading (then they are the finding's whole answer)."""
    run = settings.trace_quoted_words
    headings = {priority_name(r.priority).split(":", 1)[-1] for r in rows if r.priority}
    row_shingles = [_shingles(f"{r.action} {r.reason} {r.impact}", run) for r in rows]
    out = []
    for f in findings:
        matched = {h for h in headings if _overlap(f.chunk.passage, h) >= settings.trace_reference_overlap}
        under = [j for j, r in enumerate(rows) if r.priority and priority_name(r.priority).split(":", 1)[-1] in matched]
        quoting = [] if under else [j for j, sh in enumerate(row_shingles) if sh & _shingles(f.chunk.passage, run)]
        out.append((under, True) if under else (quoting, False))
    return out


def _shingles(text: str, run: int) -> set[tuple[str, ...]]:
    """Every run of `run` words of `text`, lower-cased, punctuation dropped."""
    found = re.findall(r"[a-z0-9]+", text.lower().replace("’", "'"))
    return {tuple(found[i : i + run]) for i in range(len(found) - run + 1)}


def links(
    findings: list[Finding],
    rows: list[ActionRow],
    scores: np.ndarray,
    refs: list[tuple[list[int], bool]],
    settings: Settings,
) -> list[list[Link]]:
    """Per finding, its linked rows: by reference, then by similarity best first."""
    # Ranks are counted among the findings that no priority heading repeats (those are linked by
    # reference instead): a row's best findings (`trace_row_rank`) and a finding's best rows
    # (`trace_finding_rank`); either lets a link through that reaches `trace_link_threshold`.
    heading = [bool(r) and by_heading for r, by_heading in refs]
    open_scores = np.where(np.array(heading)[:, None], -np.inf, scores)
    row_rank = np.argsort(np.argsort(-open_scores, axis=0), axis=0)  # the finding's place among the row's
    finding_rank = np.argsort(np.argsort(-open_scores, axis=1), axis=1)  # the row's place among the finding's
    out: list[list[Link]] = []
    for i in range(len(findings)):
        cited = refs[i][0]
        chosen: list[Link] = [(rows[j], 1.0, "reference") for j in cited]
        if heading[i]:
            out.append(chosen)
            continue
        chosen += sorted(
            (
                (rows[j], float(scores[i, j]), "similarity")
                for j in range(len(rows))
                if j not in cited
                and scores[i, j] >= settings.trace_link_threshold
                and (row_rank[i, j] < settings.trace_row_rank or finding_rank[i, j] < settings.trace_finding_rank)
            ),
            key=lambda x: -x[1],
        )
        out.append(chosen)
    return out
