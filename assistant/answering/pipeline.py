"""Answer a question: check the input, resolve a follow-up, retrieve, compose, or abstain.

This is the one path every caller takes: the CLI, the web chat and the eval runner.
"""

from __future__ import annotations

import logging
import re
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import replace

from assistant.answering.answerability import judge
from assistant.answering.asof import as_of
from assistant.answering.compose import Composer, ExtractiveComposer
from assistant.question.resolve import resolve
from assistant.answering.llm.generate import generated, make_llm
from assistant.retrieval.retrieve import retrieve
from assistant.core.settings import Settings
from assistant.store import Index, open_index
from assistant.core.text import STOPWORDS, words
from assistant.views.trace import trace_answer
from assistant.core.types import Answer, Filters
from assistant.question.understand import understand

log = logging.getLogger(__name__)

EMPTY_REPLY = (
    "Please type a question about the inspection documents, for example "
    '"What did inspectors say about CAMHS waiting times?"'
)
ABSTAIN_REPLY = (
    "The documents do not cover this question, as far as I can find. "
    "The closest passages are listed below; they may help you rephrase."
)
PARTIAL_OPENING = "The documents do not give {missing}. What they say about {focus}:"
_ENGLISH_HINT = "The documents are in English; a question in English will find more."


def answer(
    question: str,
    *,
    history: Sequence[object] | None = None,
    filters: Filters | None = None,
    settings: Settings | None = None,
    index: Index | None = None,
    composer: Composer | None = None,
    llm=None,
) -> Answer:
    """Answer `question` from the indexed documents, every sentence cited.

    Args:
        question: what the user typed; any text is accepted.
        history: earlier turns (questions or `Answer`s), most recent last, to resolve follow-ups.
        filters: restrict retrieval to documents, kinds, a date range, councils or overall
            judgements; filtering by several councils answers from each of them.
        settings: the defaults when None (an entry point reads the environment: `Settings.from_env()`).
        index: an open index; the live one when None (loaded once per process).
        composer: the answer composer; the extractive one when None.
        llm: a llama-index LLM to write the answer from its passages, each sentence verified
            (assistant/answering/llm/generate.py); when None, the endpoint of `settings.llm_url`, if any.
    Returns:
        An `Answer` whose `outcome` is "answered", "partial" (the documents speak of the
        question's focus but do not give the figure, name, date or grade asked for: the text
        says so, then quotes what they do say) or "not_covered" (the closest passages are in
        `retrieved`); `abstained` is True for the last two, and when there was no question.
    Raises:
        IndexNotFound: nothing has been ingested yet.
    """
    settings = settings or Settings()
    started = time.perf_counter()
    cleaned, notices = _clean_question(question, settings)
    if not cleaned:
        return Answer(question, "", EMPTY_REPLY, (), (), True, notice=" ".join(notices), outcome="not_covered")
    index = index or open_index(settings)
    resolved = resolve(cleaned, history)
    traced = trace_answer(question, resolved, index=index, settings=settings)  # "what happened to the finding on ...?"
    if traced is not None:
        return traced

    query = understand(resolved, index)
    if filters is not None and len(filters.council_keys) > 1:
        query = replace(query, across_councils=True, many=True)  # as if the question named them
    hits = retrieve(resolved, filters=filters, settings=settings, index=index, query=query)
    retrieved_at = time.perf_counter()
    composition = (composer or ExtractiveComposer()).compose(resolved, query, hits, index, settings)
    done = time.perf_counter()
    if _looks_foreign(cleaned):
        notices.append(_ENGLISH_HINT)
    if not hits and filters is not None and not filters.is_empty():
        notices.append("No passage matches the filters you set: widen or clear them.")
    if composition.abstained:
        outcome, text = "not_covered", ABSTAIN_REPLY
    else:
        # Whatever composed the answer, it must hold what was asked (a figure, a name, ...).
        verdict = judge(query, composition.citations, index, settings)
        outcome, text = verdict.outcome, composition.text
        if outcome == "partial":
            text = PARTIAL_OPENING.format(missing=verdict.missing, focus=query.focus_phrase) + "\n" + text
    log.debug("answered %r (evidence %.3f, %s)", resolved, composition.evidence, outcome)
    result = as_of(
        Answer(  # a newer inspection on the same theme is quoted too (assistant/answering/asof.py)
            question=question,
            resolved_question=resolved,
            text=text,
            citations=composition.citations,
            retrieved=tuple(hits),
            abstained=outcome != "answered",
            outcome=outcome,
            answer_type=query.answer_type,
            notice=" ".join(notices),
            timings_ms={"retrieval": (retrieved_at - started) * 1000, "composition": (done - retrieved_at) * 1000},
            evidence=composition.evidence,
        ),
        index=index,
        settings=settings,
        filters=filters,
    )
    # With an LLM endpoint set, a model rewrites it; only sentences their passages support stay.
    return generated(result, llm=llm if llm is not None else make_llm(settings), settings=settings, index=index)


def _clean_question(question: str, settings: Settings) -> tuple[str, list[str]]:
    """Drop control characters and squash white space; shorten an over-long question."""
    notices: list[str] = []
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in str(question or ""))
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) > settings.max_question_chars:
        text = text[: settings.max_question_chars].rsplit(" ", 1)[0]
        notices.append(
            f"Your question was long, so only its first {settings.max_question_chars} characters were searched."
        )
    if text and not re.search(r"\w", text):
        return "", notices
    return text, notices


def _looks_foreign(text: str) -> bool:
    tokens = words(text)
    if len(tokens) < 4:
        return False
    ascii_share = sum(ch.isascii() for ch in text) / len(text)
    english = sum(t in STOPWORDS for t in tokens) / len(tokens)
    return ascii_share < 0.8 or english < 0.12
