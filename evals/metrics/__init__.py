"""Metrics of one evaluated question, and the summary of a run. Pure and deterministic: no LLM judge.

    matching    the rule that decides whether a passage holds a gold quote (`normalise`, `matches`)
    retrieval   hit@k, MRR, nDCG and quote recall of the ranked passages
    answer      key facts, groundedness, citation precision and abstention of the answer
    summary     `score` (one question, with its pass flags) and `summarise` (a run)

Retrieval metrics are undefined (None) for a question without gold quotes, answer metrics are
None when what they need is missing; `summarise` skips None values in its means and reports how
many questions each mean is over. Metrics import nothing of the reports (evals/report.py,
evals/modes.py): the reports import them.
"""

from evals.metrics.answer import (
    ATTRIBUTION,
    Sentence,
    abstention_correct,
    answer_words,
    citation_precision,
    false_abstention,
    groundedness,
    key_fact_recall,
    split_sentences,
    strip_markers,
)
from evals.metrics.matching import DEFAULT_THRESHOLD, matches, normalise
from evals.metrics.retrieval import RANK_CUTOFF, Passage, hit_at, mrr, ndcg, quote_recall
from evals.metrics.summary import (
    AT_A_GLANCE,
    METRICS,
    PASS_RULES,
    RANKING,
    SHOWN,
    failed,
    generation_figures,
    passed,
    percentile,
    score,
    summarise,
)

__all__ = [
    "ATTRIBUTION",
    "DEFAULT_THRESHOLD",
    "AT_A_GLANCE",
    "METRICS",
    "PASS_RULES",
    "RANK_CUTOFF",
    "RANKING",
    "SHOWN",
    "Passage",
    "Sentence",
    "abstention_correct",
    "answer_words",
    "citation_precision",
    "failed",
    "false_abstention",
    "generation_figures",
    "groundedness",
    "hit_at",
    "key_fact_recall",
    "matches",
    "mrr",
    "ndcg",
    "normalise",
    "passed",
    "percentile",
    "quote_recall",
    "score",
    "split_sentences",
    "strip_markers",
    "summarise",
]
