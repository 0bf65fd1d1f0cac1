"""The inspection assistant's public surface: what ui/, cli/, evals/ and scripts/ may use.

Everything else inside `assistant/` may move between releases. The packages are floors, each
importing only the floors below it (the contract is in `.importlinter`, checked by `make lint`):

    answering   the one path from a question to a cited answer (pipeline, compose, render, llm/)
    views       other readers of the index: timeline, table of judgements and its national picture,
                action tracker, theme brief, finding trace
    retrieval   hybrid search over the index, with filters
    question    the only readers of the user's wording (understand, resolve)
    store       the index on disk: files, Chroma, locks, feedback
    core        records, settings, errors, text, dates, weights, taxonomy, the embedder

Names are loaded on first use (PEP 562), so `import assistant` stays cheap: a CLI verb that
only reads settings does not load the embedding model or Chroma.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# name -> the module that defines it
_EXPORTS: dict[str, str] = {
    # answering
    "answer": "assistant.answering.pipeline",
    "answer_stream": "assistant.answering.pipeline",
    "answer_lines": "assistant.answering.render",
    "warm_up": "assistant.answering.pipeline",
    "verification_label": "assistant.answering.llm.generate",
    "check_sentence": "assistant.answering.llm.verify",
    "verify_source": "assistant.answering.llm.verify",
    "sentence_before": "assistant.answering.answerability",
    "singular": "assistant.answering.answerability",
    # views
    "brief": "assistant.views.brief",
    "timeline": "assistant.views.timeline",
    "timeline_json": "assistant.views.timeline",
    "judgements_table": "assistant.views.judgements",
    "judgements_json": "assistant.views.judgements",
    "judgements_csv": "assistant.views.judgements",
    "national_picture": "assistant.views.national",
    "trace": "assistant.views.trace",
    "TraceFinding": "assistant.views.linking",
    "trace_plans": "assistant.views.linking",
    "trace_link_scores": "assistant.views.linking",
    "trace_by_reference": "assistant.views.linking",
    "trace_links": "assistant.views.linking",
    "action_rows": "assistant.views.tracker",
    "action_json": "assistant.views.tracker",
    "actions_csv": "assistant.views.tracker",
    "priority_name": "assistant.views.tracker",
    "OPEN": "assistant.views.tracker",
    "OVERDUE": "assistant.views.tracker",
    # retrieval and question
    "retrieve": "assistant.retrieval.retrieve",
    "understand": "assistant.question.understand",
    # store
    "Index": "assistant.store",
    "open_index": "assistant.store",
    "read_state": "assistant.store",
    "forget_loaded": "assistant.store",
    "PIPELINE_VERSION": "assistant.store",
    "record_feedback": "assistant.store.feedback",
    "export_csv": "assistant.store.feedback",
    "warn_of_old_feedback": "assistant.store.feedback",
    # core
    "Settings": "assistant.core.settings",
    "load_taxonomy": "assistant.core.taxonomy",
    "embed": "assistant.core.embed",
    "human_date": "assistant.core.dates",
    "is_iso_date": "assistant.core.dates",
    "count_tokens": "assistant.core.text",
    "sentence_spans": "assistant.core.text",
    "split_sentences": "assistant.core.text",
    "terms": "assistant.core.text",
    "Answer": "assistant.core.types",
    "Citation": "assistant.core.types",
    "Filters": "assistant.core.types",
    "AssistantError": "assistant.core.errors",
    "EvalSetError": "assistant.core.errors",
    "IndexDamaged": "assistant.core.errors",
    "IndexNotFound": "assistant.core.errors",
    "IndexOutdated": "assistant.core.errors",
    "SettingsError": "assistant.core.errors",
}
# Exported under another name than the one they have where they are defined.
_RENAMED = {
    "check_sentence": "check",
    "verify_source": "source",
    "TraceFinding": "Finding",
    "trace_plans": "plans",
    "trace_link_scores": "link_scores",
    "trace_by_reference": "by_reference",
    "trace_links": "links",
}

# Every name of _EXPORTS, spelled out so that readers and linters see the surface (a test checks both agree).
__all__ = [
    "warm_up",
    "answer_lines",
    "Answer",
    "AssistantError",
    "Citation",
    "EvalSetError",
    "Filters",
    "Index",
    "IndexDamaged",
    "IndexNotFound",
    "IndexOutdated",
    "OPEN",
    "OVERDUE",
    "PIPELINE_VERSION",
    "Settings",
    "SettingsError",
    "TraceFinding",
    "action_json",
    "action_rows",
    "actions_csv",
    "answer",
    "answer_stream",
    "brief",
    "check_sentence",
    "count_tokens",
    "embed",
    "export_csv",
    "forget_loaded",
    "human_date",
    "is_iso_date",
    "judgements_csv",
    "judgements_json",
    "judgements_table",
    "load_taxonomy",
    "national_picture",
    "open_index",
    "priority_name",
    "read_state",
    "record_feedback",
    "retrieve",
    "sentence_before",
    "sentence_spans",
    "singular",
    "split_sentences",
    "terms",
    "timeline",
    "timeline_json",
    "trace",
    "trace_by_reference",
    "trace_link_scores",
    "trace_links",
    "trace_plans",
    "understand",
    "verification_label",
    "verify_source",
    "warn_of_old_feedback",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'assistant' has no attribute {name!r}; its public names are assistant.__all__")
    value = getattr(importlib.import_module(module), _RENAMED.get(name, name))
    globals()[name] = value  # looked up once
    return value


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:  # what type checkers and editors see; at run time __getattr__ loads them
    from assistant.answering.answerability import sentence_before, singular
    from assistant.answering.llm.generate import verification_label
    from assistant.answering.llm.verify import check as check_sentence
    from assistant.answering.llm.verify import source as verify_source
    from assistant.answering.pipeline import answer, answer_stream, warm_up
    from assistant.answering.render import answer_lines
    from assistant.core.dates import human_date, is_iso_date
    from assistant.core.embed import embed
    from assistant.core.errors import (
        AssistantError,
        EvalSetError,
        IndexDamaged,
        IndexNotFound,
        IndexOutdated,
        SettingsError,
    )
    from assistant.core.settings import Settings
    from assistant.core.taxonomy import load_taxonomy
    from assistant.core.text import count_tokens, sentence_spans, split_sentences, terms
    from assistant.core.types import Answer, Citation, Filters
    from assistant.question.understand import understand
    from assistant.retrieval.retrieve import retrieve
    from assistant.store import PIPELINE_VERSION, Index, forget_loaded, open_index, read_state
    from assistant.store.feedback import export_csv, record_feedback, warn_of_old_feedback
    from assistant.views.brief import brief
    from assistant.views.judgements import judgements_csv, judgements_json, judgements_table
    from assistant.views.linking import Finding as TraceFinding
    from assistant.views.linking import by_reference as trace_by_reference
    from assistant.views.linking import link_scores as trace_link_scores
    from assistant.views.linking import links as trace_links
    from assistant.views.linking import plans as trace_plans
    from assistant.views.national import national_picture
    from assistant.views.timeline import timeline, timeline_json
    from assistant.views.trace import trace
    from assistant.views.tracker import OPEN, OVERDUE, action_json, action_rows, actions_csv, priority_name
