"""Answer a question: check the input, resolve a follow-up, retrieve, compose, or abstain.

This is the one path every caller takes: the CLI, the web chat and the eval runner. Two kinds
of question take a shorter way, each quoting its passages as the composer does: what became of
an inspection finding is traced through the documents (traced.py), and a question counting or
comparing grades ("how many councils were judged outstanding in 2024?", "which councils moved
from inadequate to good?", "when was Anytown last judged good?") is read off the table of
judgements (tabled.py) once the question is understood; any other question is retrieved for.
"""

from __future__ import annotations

import logging
import re
import time
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import replace

from assistant.answering.answerability import judge
from assistant.answering.asof import as_of
from assistant.answering.compose import Composer, ExtractiveComposer
from assistant.answering.llm.generate import make_llm, stream_generated
from assistant.answering.render import render
from assistant.answering.tabled import table_answer
from assistant.answering.traced import trace_answer
from assistant.core.settings import Settings
from assistant.core.types import Answer, Filters, Outcome
from assistant.question.cues import looks_foreign, traced_topic
from assistant.question.resolve import resolve
from assistant.question.understand import understand
from assistant.retrieval.retrieve import retrieve
from assistant.store import Index, open_index

log = logging.getLogger(__name__)

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
        It is the last answer `answer_stream` yields.
    Raises:
        IndexNotFound: nothing has been ingested yet.
    """
    *_, result = answer_stream(  # the updates before it are for a page that shows them as they come
        question, history=history, filters=filters, settings=settings, index=index, composer=composer, llm=llm
    )
    return result


def answer_stream(
    question: str,
    *,
    history: Sequence[object] | None = None,
    filters: Filters | None = None,
    settings: Settings | None = None,
    index: Index | None = None,
    composer: Composer | None = None,
    llm=None,
) -> Iterator[Answer]:
    """`answer()`, yielding a generated answer as each verified sentence arrives (the web chat
    shows these); the last one yielded is what `answer()` returns. Takes answer()'s arguments.

    The one place that decides whether a model writes the answer: with an LLM (given, or the
    endpoint of `settings.llm_url`), the extractive answer is handed to it, and only sentences
    their passages support are kept (assistant/answering/llm/generate.py).
    """
    settings = settings or Settings()
    cleaned, notices = _clean_question(question, settings)
    if not cleaned:
        yield render(Answer(question, "", "", (), (), True, notice=" ".join(notices), outcome="not_covered"))
        return
    index = index or open_index(settings)
    extractive = _extractive(question, cleaned, notices, history, filters, settings, index, composer)
    yield from stream_generated(
        extractive, llm=llm if llm is not None else make_llm(settings), settings=settings, index=index
    )


def warm_up(settings: Settings, index: Index | None = None) -> None:
    """Answer two throwaway questions, so that the embedding model, the table of judgements (and
    whatever else the first answer loads) are in memory before anything is timed or a user waits.

    Args:
        settings: the settings the answers to come use.
        index: the open index they use; None opens the live one (as each answer would).
    """
    answer("warm up", settings=settings, index=index)
    answer("how many councils were judged good in any area?", settings=settings, index=index)  # the table's


def _extractive(
    question: str,
    cleaned: str,
    notices: list[str],
    history: Sequence[object] | None,
    filters: Filters | None,
    settings: Settings,
    index: Index,
    composer: Composer | None,
) -> Answer:
    """The answer quoted from the passages: traced, read off the table of judgements, or
    retrieved, composed, judged and checked against newer inspections."""
    started = time.perf_counter()
    resolved = resolve(cleaned, history)
    about = traced_topic(resolved)  # "what happened to the finding on ...?"
    traced = trace_answer(question, resolved, about, index=index, settings=settings) if about is not None else None
    if traced is not None:
        return render(traced)
    query = understand(resolved, index)
    # "How many councils were judged outstanding in 2024?": counted off the table of judgements.
    tabled = table_answer(question, query, index=index, settings=settings, filters=filters)
    if tabled is not None:
        return render(replace(tabled, notice=" ".join([*notices, tabled.notice]).strip()))
    if filters is not None and len(filters.council_keys) > 1:
        query = replace(query, across_councils=True, many=True)  # as if the question named them
    hits = retrieve(resolved, filters=filters, settings=settings, index=index, query=query)
    retrieved_at = time.perf_counter()
    composition = (composer or ExtractiveComposer()).compose(resolved, query, hits, index, settings)
    done = time.perf_counter()
    if looks_foreign(cleaned, settings):
        notices.append(_ENGLISH_HINT)
    if not hits and filters is not None and not filters.is_empty():
        notices.append("No passage matches the filters you set: widen or clear them.")
    outcome: Outcome = "not_covered"
    missing = ""
    if not composition.abstained:
        # Whatever composed the answer, it must hold what was asked (a figure, a name, ...).
        verdict = judge(query, composition.citations, index, settings)
        outcome, missing = verdict.outcome, verdict.missing if verdict.outcome == "partial" else ""
    log.debug("answered %r (evidence %.3f, %s)", resolved, composition.evidence, outcome)
    composed = Answer(
        question=question,
        resolved_question=resolved,
        text="",
        citations=composition.citations if outcome != "not_covered" else (),
        retrieved=tuple(hits),
        abstained=outcome != "answered",
        outcome=outcome,
        answer_type=query.answer_type,
        notice=" ".join(notices),
        timings_ms={"retrieval": (retrieved_at - started) * 1000, "composition": (done - retrieved_at) * 1000},
        evidence=composition.evidence,
        parts=composition.parts if outcome != "not_covered" else (),
        missing=missing,
        focus=query.focus_phrase,
    )
    # A newer inspection on the same theme is quoted too (assistant/answering/asof.py).
    return render(as_of(composed, index=index, settings=settings, filters=filters))


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
