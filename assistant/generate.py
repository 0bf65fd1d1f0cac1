"""Optional LLM answers: a model rewrites the answer from its passages, and only what the
passages support is shown.

Off unless `llm_url` names an OpenAI-compatible endpoint (a llama.cpp or vLLM server, Ollama, a
hosted service); then `answer()` hands its extractive answer here. The model (llama-index's
`OpenAILike`) is given the passages that answer cites, then the next retrieved ones, each under
a marker [n], with the question and a prompt that forbids anything the passages do not say.
Every sentence it writes is checked against the passage it cites (`assistant.verify`):
unsupported sentences are dropped and counted. What decides the outcome stays with `answer()`:

- *not covered*: the model is not asked; the answer says the documents do not cover it;
- *partial*: the model may only summarise what the passages say, and the answer keeps its
  first line ("The documents do not give the figure asked for. ...") as written;
- *answered*: the model answers from the passages.

When the endpoint fails or too little of what it wrote holds (`verify_min_kept`), the
extractive answer is shown with a notice saying why. `stream_generated` yields the answer as
each verified sentence arrives, for the web chat; `generated` returns it whole.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Iterator, Sequence
from functools import lru_cache

from assistant.embed import embed
from assistant.settings import Settings
from assistant.store import Index
from assistant.text import count_tokens, sentence_spans
from assistant.types import Answer, Citation, Hit
from assistant.verify import Check, Source, check, markers, source, split_generated

log = logging.getLogger(__name__)

SYSTEM_PROMPT = (
    "You answer questions about children's services inspection documents. Use ONLY the numbered "
    "passages you are given: no outside knowledge, no guesses, no figures, dates or names that the "
    "passages do not contain. Write {count} short sentences in plain English. End every sentence "
    "with the number of the passage it comes from in square brackets, like [1]."
)
PARTIAL_RULE = (
    " The passages do not give what was asked ({missing}). Do not give it or guess it: only "
    "summarise what the passages say."
)
FAILED_NOTICE = "The language model did not answer ({reason}), so the quoted answer is shown."
UNVERIFIED_NOTICE = ("The language model's answer did not hold up against its passages ({verified} of {total} "
                     "sentences verified), so the quoted answer is shown.")


def make_llm(settings: Settings):
    """The endpoint's LLM, or None when no endpoint is set (`llm_url` empty)."""
    if not settings.llm_url:
        return None
    return _llm(settings.llm_url, settings.llm_model, settings.llm_api_key, settings.llm_timeout,
                settings.llm_max_tokens)


@lru_cache(maxsize=4)
def _llm(url: str, model: str, key: str, timeout: float, max_tokens: int):
    from llama_index.llms.openai_like import OpenAILike

    # Greedy decoding: the same passages give the same answer, so runs can be compared.
    # No retries: a down endpoint should cost one timeout at most before the quoted answer.
    return OpenAILike(model=model, api_base=url.rstrip("/"), api_key=key or "none", is_chat_model=True,
                      temperature=0.0, max_tokens=max_tokens, timeout=timeout, max_retries=0,
                      context_window=4096)


def offered(extractive: Answer, settings: Settings) -> list[tuple[int, Hit | Citation]]:
    """The passages shown to the model with their markers: the answer's citations under their
    own numbers, then further retrieved passages, up to `llm_passages`."""
    chosen: list[tuple[int, Hit | Citation]] = [(c.n, c) for c in extractive.citations][: settings.llm_passages]
    seen = {c.chunk.passage_id or c.chunk.chunk_id for _, c in chosen}
    n = max((c.n for c in extractive.citations), default=0)
    for hit in extractive.retrieved:
        if len(chosen) >= settings.llm_passages:
            break
        key = hit.chunk.passage_id or hit.chunk.chunk_id
        if key not in seen:
            seen.add(key)
            n += 1
            chosen.append((n, hit))
    return chosen


def passage_text(item: Hit | Citation, budget: int) -> str:
    """The passage, cut to about `budget` tokens around the sentences the answer cites."""
    passage = item.chunk.passage
    if count_tokens(passage) <= budget:
        return passage
    spans = sentence_spans(passage) or [(0, len(passage))]
    cited = getattr(item, "sentences", ())
    first = next((i for i, (a, b) in enumerate(spans) if passage[a:b] in cited), 0)
    lo = hi = first
    used = count_tokens(passage[slice(*spans[first])])
    while True:  # grow forward first, then back, while the budget lasts
        grown = False
        for i in (hi + 1, lo - 1):
            if 0 <= i < len(spans) and not lo <= i <= hi:
                cost = count_tokens(passage[slice(*spans[i])])
                if used + cost <= budget:
                    used += cost
                    lo, hi = min(lo, i), max(hi, i)
                    grown = True
        if not grown:
            break
    return passage[spans[lo][0]:spans[hi][1]]


def prompt(extractive: Answer, passages: Sequence[tuple[int, str]]) -> list:
    """The chat messages: the rules, then the passages and the question."""
    from llama_index.core.llms import ChatMessage

    many = extractive.answer_type == "list"
    system = SYSTEM_PROMPT.format(count="two to five" if many else "one to three")
    if extractive.outcome == "partial":
        system += PARTIAL_RULE.format(missing=_missing(extractive))
    body = "\n\n".join(f"[{n}] {text}" for n, text in passages)
    user = f"Passages:\n\n{body}\n\nQuestion: {extractive.resolved_question}\nAnswer:"
    return [ChatMessage(role="system", content=system), ChatMessage(role="user", content=user)]


def answer_stream(question: str, *, settings: Settings | None = None, llm=None, **kwargs) -> Iterator[Answer]:
    """`answer()`, yielding the generated answer as each verified sentence arrives (the web chat
    shows these); the last one yielded is what `answer()` returns. Takes answer()'s arguments."""
    from assistant.answer import answer  # answer() calls this module: imported late

    settings = settings or Settings.from_env()
    llm = llm if llm is not None else make_llm(settings)
    extractive = answer(question, settings=settings.replace(llm_url=""), llm=None, **kwargs)
    yield from stream_generated(extractive, llm=llm, settings=settings, index=kwargs.get("index"))


def generated(extractive: Answer, *, llm, settings: Settings, index: Index | None = None) -> Answer:
    """The generated answer, verified; or `extractive` unchanged or with a notice. See the module."""
    result = extractive
    for result in stream_generated(extractive, llm=llm, settings=settings, index=index):
        pass
    return result


def stream_generated(extractive: Answer, *, llm, settings: Settings, index: Index | None = None) -> Iterator[Answer]:
    """The generated answer so far, once for each verified sentence as the model writes, then
    the final answer (the generated one, or the extractive one with a notice).

    Args:
        extractive: what `answer()` decided, with its outcome, citations and retrieved passages.
        llm: a llama-index LLM (`make_llm`); None yields `extractive` alone.
        settings: the verify_* thresholds and llm_* limits.
        index: the open index, whose stored sentence vectors spare embedding the passages.
    """
    # A traced finding's chain (assistant/trace.py) keeps its quoted, per-document shape.
    if (llm is None or extractive.outcome == "not_covered" or not (extractive.citations or extractive.retrieved)
            or "trace" in extractive.timings_ms):
        yield extractive
        return
    started = time.perf_counter()
    items = offered(extractive, settings)
    sources = {n: source(n, item.chunk, passage_text(item, settings.llm_passage_tokens), index)
               for n, item in items}
    messages = prompt(extractive, [(n, s.text) for n, s in sources.items()])
    checks: list[Check] = []
    buffer = ""
    try:
        for chunk in llm.stream_chat(messages):
            buffer += chunk.delta or ""
            complete, buffer = split_generated(buffer)
            for sentence in complete:
                checks.append(_check(sentence, sources, settings))
                if checks[-1].supported:
                    yield _compose(extractive, checks, sources, started)
        if buffer.strip():
            checks.append(_check(buffer.strip(), sources, settings))
    except Exception as error:  # any failure of the endpoint: connection, timeout, HTTP error, bad reply
        log.warning("LLM endpoint failed: %s: %s", type(error).__name__, error)
        yield _fallback(extractive, FAILED_NOTICE.format(reason=_reason(error)), checks, started)
        return
    checks = [c for c in checks if any(ch.isalpha() for ch in c.sentence)]
    kept = [c for c in checks if c.supported]
    for c in checks:
        if not c.supported:
            log.info("dropped generated sentence %r: %s", c.sentence, c.reason)
    if not kept or len(kept) < settings.verify_min_kept * len(checks):
        notice = UNVERIFIED_NOTICE.format(verified=len(kept), total=len(checks))
        yield _fallback(extractive, notice, checks, started)
        return
    yield _compose(extractive, checks, sources, started)


def _check(sentence: str, sources: dict[int, Source], settings: Settings) -> Check:
    _, body = markers(sentence)
    return check(sentence, sources, settings, vector=embed([body])[0] if body else None)


def _compose(extractive: Answer, checks: Sequence[Check], sources: dict[int, Source], started: float) -> Answer:
    """The answer of the verified sentences so far, markers renumbered 1, 2, ... in order."""
    kept = [c for c in checks if c.supported]
    numbers: dict[int, int] = {}
    support: dict[int, list[str]] = {}
    lines = []
    for c in kept:
        for n in c.cites:
            numbers.setdefault(n, len(numbers) + 1)
            support.setdefault(n, [])
            support[n] += [s for s in c.support if s in sources[n].chunk.passage and s not in support[n]]
        lines.append(c.sentence + " " + "".join(f"[{numbers[n]}]" for n in c.cites))
    text = " ".join(lines)
    if extractive.outcome == "partial":
        text = extractive.text.split("\n", 1)[0] + "\n" + text  # "The documents do not give ...": kept as is
    citations = tuple(Citation(numbers[n], sources[n].chunk, tuple(support[n])) for n in numbers)
    timings = {**extractive.timings_ms, "generation": (time.perf_counter() - started) * 1000}
    return dataclasses.replace(
        extractive, text=text, citations=citations, mode="generated", timings_ms=timings,
        sentences_generated=len(checks), sentences_verified=len(kept),
        sentences_dropped=len(checks) - len(kept))


def _fallback(extractive: Answer, notice: str, checks: Sequence[Check], started: float) -> Answer:
    kept = sum(c.supported for c in checks)
    timings = {**extractive.timings_ms, "generation": (time.perf_counter() - started) * 1000}
    return dataclasses.replace(
        extractive, notice=" ".join(p for p in (extractive.notice, notice) if p), timings_ms=timings,
        sentences_generated=len(checks), sentences_verified=kept, sentences_dropped=len(checks) - kept)


def _missing(extractive: Answer) -> str:
    """"the figure asked for", from the partial answer's first line."""
    line = extractive.text.split("\n", 1)[0]
    start = line.find("do not give ")
    return line[start + len("do not give "):].split(".", 1)[0] if start >= 0 else "what was asked"


def _reason(error: BaseException) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    name = type(error).__name__
    return f"{name}: {text[:120]}" if text else name
