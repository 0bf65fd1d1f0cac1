"""How well the finding trace links findings to action-plan rows, against a hand-written gold mapping.

Evaluation code, kept out of `assistant/views/linking.py` (which only links): `link_quality` scores
the links that `trace` makes, and `link_candidates` with `candidate_links` let a tuning script
(scripts/tune_trace.py) try thresholds and ranks without scoring the pairs again.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np

from assistant import (
    Index,
    Settings,
    TraceFinding,
    trace_by_reference,
    trace_link_scores,
    trace_links,
    trace_plans,
)
from assistant.core.types import ActionRow


def link_quality(
    index: Index,
    gold_file,
    split: str = "test",
    *,
    settings: Settings | None = None,
    similarity_only: bool = False,
    part: str = "",
) -> dict:
    """Precision and recall of finding -> action links against a hand-written gold mapping.

    Args:
        index: an open index.
        gold_file: a TOML file of `[[finding]]` tables (`quote`, `actions`, `split`, optional
            `section = "priority action"`), as tests/data/trace_gold.toml.
        split: which findings to score ("tune" or "test"); "" for all.
        settings: the linking numbers to score; defaults when None.
        similarity_only: score only the findings without a `section` (those linked by similarity);
            the same as part="improvement".
        part: "priority" for the findings with a `section` (areas for priority action, linked by a
            plan's priority headings), "improvement" for those without (areas for improvement),
            "" for both.
    Returns:
        {"precision", "recall", "f1", "findings", "gold", "found", "missing"}; "missing" lists gold
        quotes that match no followed finding.
    """
    settings = settings or Settings()
    found_by = {}
    for _, findings, links in trace_plans(index, settings).values():
        for finding, linked in zip(findings, links):
            found_by[" ".join(finding.chunk.passage.split())] = {row.ref for row, _, _ in linked}
    return score_links(read_gold(gold_file), found_by, split, part="improvement" if similarity_only else part)


def read_gold(gold_file) -> list[dict]:
    """The `[[finding]]` tables of a gold mapping file."""
    return tomllib.loads(Path(gold_file).read_text(encoding="utf-8"))["finding"]


def score_links(gold: list[dict], found_by: dict[str, set[str]], split: str = "test", part: str = "") -> dict:
    """`link_quality` of links already found: `found_by` maps each followed finding's passage
    (whitespace-normalised) to the refs of the rows linked to it."""
    tp = fp = fn = scored = 0
    missing = []
    for entry in gold:
        if split and entry.get("split") != split:
            continue
        if (part == "improvement" and entry.get("section")) or (part == "priority" and not entry.get("section")):
            continue
        quote = " ".join(entry["quote"].split())
        got = next((refs for text, refs in found_by.items() if quote in text), None)
        if got is None:
            missing.append(entry["quote"])
            got = set()
        want = set(entry["actions"])
        tp, fp, fn, scored = tp + len(got & want), fp + len(got - want), fn + len(want - got), scored + 1
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "findings": scored,
        "gold": tp + fn,
        "found": tp + fp,
        "missing": missing,
    }


def link_candidates(
    index: Index, settings: Settings
) -> list[tuple[list[TraceFinding], list[ActionRow], np.ndarray, list]]:
    """Per plan, what linking decides from: its findings, rows, their scores (which depend on
    `trace_pairing` and `trace_lexical_weight` only) and the links by reference. With
    `candidate_links` a tuning script tries thresholds and ranks without scoring again."""
    out = []
    for plan_id, (source_id, findings, _) in trace_plans(index, settings).items():
        rows = [r for r in index.actions.values() if r.doc_id == plan_id]
        out.append(
            (
                findings,
                rows,
                trace_link_scores(index, source_id, plan_id, findings, rows, settings),
                trace_by_reference(findings, rows, settings),
            )
        )
    return out


def candidate_links(candidates, settings: Settings) -> dict[str, set[str]]:
    """`score_links`' `found_by` for `link_candidates` linked with `settings`' threshold and ranks."""
    found_by = {}
    for findings, rows, scores, refs in candidates:
        for finding, linked in zip(findings, trace_links(findings, rows, scores, refs, settings)):
            found_by[" ".join(finding.chunk.passage.split())] = {row.ref for row, _, _ in linked}
    return found_by
