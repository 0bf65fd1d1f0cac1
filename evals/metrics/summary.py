"""The figures of one answered question (`score`, with its pass flags) and of a run (`summarise`)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from evals.metrics.answer import (
    abstention_correct,
    answer_words,
    citation_precision,
    false_abstention,
    groundedness,
    key_fact_recall,
)
from evals.metrics.matching import DEFAULT_THRESHOLD
from evals.metrics.retrieval import RANK_CUTOFF, Passage, hit_at, mrr, ndcg, quote_recall
from evals.questions import Question

# Pass rules of the per-question `passed` flags: metric -> (comparison, bound). Metrics without a
# rule (hit_at_1, mrr_at_10, ndcg_at_10, answer_words, latency_ms) are graded or diagnostic: they
# are reported and gated as run means, but one question's value is not a pass or a fail.
PASS_RULES: dict[str, tuple[str, float]] = {
    "hit_at_k": ("==", 1.0),  # some gold passage is among the k shown
    "quote_recall_at_k": (">=", 0.5),  # at least half of the gold quotes are among the k shown
    "key_fact_recall": (">=", 0.5),  # the answer states at least half of the key facts
    "groundedness": ("==", 1.0),  # every sentence is traceable to its cited passage (the promise)
    "citation_precision": (">=", 0.5),  # at least half of the citations are gold passages
    "abstention_correct": ("==", 1.0),  # an unanswerable question was declined
    "false_abstention": ("==", 0.0),  # an answerable question was not declined
}

# Every per-question figure, in report order.
METRICS: tuple[str, ...] = (
    "hit_at_1",
    "hit_at_k",
    "mrr_at_10",
    "ndcg_at_10",
    "quote_recall_at_k",
    "key_fact_recall",
    "groundedness",
    "citation_precision",
    "abstention_correct",
    "false_abstention",
    "answer_words",
    "latency_ms",
)

# The ranking figures beyond hit@k: the same in every answer mode (retrieval does not change),
# and more than a glance needs.
RANKING: tuple[str, ...] = ("hit_at_1", "mrr_at_10", "ndcg_at_10")
# The figures the web chat's Evaluate tab shows at a glance, in report order.
AT_A_GLANCE: tuple[str, ...] = tuple(name for name in METRICS if name not in RANKING)

# The figures a run's tables show, in order: the terminal's summary table (evals/report.py) and
# the answer modes side by side (evals/modes.py). Latency is shown beside them as p50 and p95.
SHOWN: tuple[str, ...] = (
    "hit_at_1",
    "hit_at_k",
    "mrr_at_10",
    "ndcg_at_10",
    "key_fact_recall",
    "groundedness",
    "citation_precision",
    "abstention_correct",
    "false_abstention",
    "answer_words",
)


def passed(name: str, value: float | None) -> bool | None:
    """The pass flag of one metric value by `PASS_RULES`; None without a value or a rule."""
    if value is None or name not in PASS_RULES:
        return None
    op, bound = PASS_RULES[name]
    return value >= bound - 1e-9 if op == ">=" else abs(value - bound) < 1e-9


def score(
    question: Question, row: Mapping[str, Any], *, k: int = 5, threshold: float = DEFAULT_THRESHOLD
) -> dict[str, Any]:
    """Every metric of one answered question, and its pass flags.

    Args:
        question: the question with its gold fields.
        row: the results row so far (`Answer.to_json()` fields with `latency_ms`).
        k: passages that count for hit@k and quote recall@k.
        threshold: matching threshold (see `matches`).

    Returns:
        {metric: value or None for each of METRICS, "passed": {metric: bool or None}}.
    """
    retrieved = [Passage(h.get("text", ""), h.get("doc_id", "")) for h in row.get("retrieved", [])]
    citations = row.get("citations", [])
    cited: dict[int, list[str]] = {}
    for c in citations:
        cited.setdefault(int(c.get("n", 0)), []).append(c.get("text", ""))
    gold, text, abstained = question.gold_quotes, row.get("answer", ""), row.get("abstained")
    values: dict[str, Any] = {
        "hit_at_1": hit_at(retrieved, gold, 1, threshold=threshold),
        "hit_at_k": hit_at(retrieved, gold, k, threshold=threshold),
        "mrr_at_10": mrr(retrieved, gold, RANK_CUTOFF, threshold=threshold),
        "ndcg_at_10": ndcg(retrieved, gold, RANK_CUTOFF, threshold=threshold),
        "quote_recall_at_k": quote_recall(retrieved, gold, k, threshold=threshold),
        "key_fact_recall": key_fact_recall(text, question.key_facts),
        "groundedness": groundedness(text, cited, abstained=bool(abstained)),
        "citation_precision": citation_precision([c.get("text", "") for c in citations], gold, threshold=threshold),
        "abstention_correct": abstention_correct(abstained, question.answerable),
        "false_abstention": false_abstention(abstained, question.answerable),
        "answer_words": answer_words(text),
        "latency_ms": row.get("latency_ms"),
    }
    values = {name: (round(v, 4) if isinstance(v, float) else v) for name, v in values.items()}
    values["passed"] = {name: passed(name, values[name]) for name in PASS_RULES}
    return values


def failed(row: Mapping[str, Any]) -> bool:
    """A row fails when its answerer raised or any of its pass flags is False."""
    flags = (row.get("metrics") or {}).get("passed") or {}
    return bool(row.get("error")) or any(flag is False for flag in flags.values())


# --------------------------------------------------------------------------------------------
# A run


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0-100) by linear interpolation between closest ranks; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def _group(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The figures of a set of rows: counts, and per metric its mean, n and pass rate."""
    n_errors = sum(1 for r in rows if r.get("error"))
    figures: dict[str, Any] = {}
    for name in METRICS:
        values = [r["metrics"][name] for r in rows if (r.get("metrics") or {}).get(name) is not None]
        figure: dict[str, Any] = {"mean": round(sum(values) / len(values), 4) if values else None, "n": len(values)}
        if name in PASS_RULES:
            flags = [r["metrics"]["passed"].get(name) for r in rows if (r.get("metrics") or {}).get("passed")]
            flags = [f for f in flags if f is not None]
            figure["pass_rate"] = round(sum(flags) / len(flags), 4) if flags else None
        if name == "latency_ms":
            figure["p50"] = _round(percentile(values, 50))
            figure["p95"] = _round(percentile(values, 95))
        figures[name] = figure
    return {
        "n_questions": len(rows),
        "n_errors": n_errors,
        "error_rate": round(n_errors / len(rows), 4) if rows else 0.0,
        "n_failed": sum(1 for r in rows if failed(r)),
        "metrics": figures,
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def summarise(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Every figure of a run, overall and by question type.

    Args:
        rows: results rows, each with `type`, `error` and `metrics` as `run_eval` writes them.

    Returns:
        {"n_questions", "overall": group, "by_type": {type: group}} where a group is
        {"n_questions", "n_errors", "error_rate", "n_failed", "metrics": {metric: {"mean", "n",
        "pass_rate" (metrics with a pass rule), "p50", "p95" (latency_ms)}}}. Means skip None
        values; `n` says how many questions a mean is over. "outcomes" counts the answers'
        outcomes (answered, partial, not_covered) by the answer type the question asked for,
        separately for answerable and unanswerable questions.
    """
    types = sorted({str(r.get("type", "unlabelled")) for r in rows})
    outcomes: dict[str, dict[str, dict[str, int]]] = {}
    for r in rows:
        if r.get("outcome"):
            side = "unanswerable" if r.get("type") == "unanswerable" else "answerable"
            by = outcomes.setdefault(side, {}).setdefault(str(r.get("answer_type", "")), {})
            by[r["outcome"]] = by.get(r["outcome"], 0) + 1
    return {
        "n_questions": len(rows),
        "overall": _group(rows),
        "by_type": {t: _group([r for r in rows if r.get("type", "unlabelled") == t]) for t in types},
        "outcomes": outcomes,
        "generation": generation_figures(rows),  # the LLM mode's sentence counts
    }


def generation_figures(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Counts of a run's generated sentences: written, verified, dropped, and answers by mode.

    `fallbacks` are answers where the model was asked but the quoted answer was shown;
    `dropped_share` is dropped / written (None when the model wrote nothing).
    """
    counts = [r.get("sentences") or {} for r in rows]
    written = sum(c.get("generated", 0) for c in counts)
    verified = sum(c.get("verified", 0) for c in counts)
    dropped = sum(c.get("dropped", 0) for c in counts)
    generated = sum(1 for r in rows if r.get("mode") == "generated")
    notices = sum(1 for r in rows if r.get("mode") != "generated" and "language model" in (r.get("notice") or ""))
    return {
        "answers_generated": generated,
        "fallbacks": notices,
        "sentences_generated": written,
        "sentences_verified": verified,
        "sentences_dropped": dropped,
        "dropped_share": round(dropped / written, 4) if written else None,
    }
