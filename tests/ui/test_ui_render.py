"""The chat's HTML: untrusted text escaped, cited sentences marked, abstentions set apart."""

from __future__ import annotations

import re

from assistant.answering.render import render
from assistant.core.types import Answer, AnswerPart, Chunk, Citation, DocumentInfo, Hit
from ui.render import answer_html, chat_messages, corpus_line, highlight, sources_html, user_html

EVIL = "<script>alert('x')</script>"
CITED = "Health visitors are not routinely informed when children go missing."
PASSAGE = f"Some context comes first. {CITED} A <b>bold</b> claim {EVIL} follows."


def _chunk(passage: str = PASSAGE, **changes) -> Chunk:
    fields = dict(
        chunk_id="letter:7",
        doc_id="sefton-jtai-letter-2019",
        title="JTAI letter <i>2019</i>",
        doc_type="inspection_letter",
        publisher="Ofsted",
        date="2019-12-18",
        text=passage[:60],
        passage=passage,
        section="Areas for improvement",
        kind="finding",
        ref="8.4",
        page=3,
    )
    fields.update(changes)
    return Chunk(**fields)


def _answer(question: str = "Are health visitors told?", **changes) -> Answer:
    """An answer as the pipeline makes one: parts, then the text rendered from them."""
    chunk = _chunk()
    fields = dict(
        question=question,
        resolved_question=question,
        text="",
        citations=(Citation(1, chunk, (CITED,)),),
        retrieved=(Hit(chunk, 1.0),),
        abstained=False,
        parts=(AnswerPart(((CITED, (1,)),)),),
    )
    fields.update(changes)
    return render(Answer(**fields))


def test_script_in_passage_is_escaped():
    page = sources_html([_answer()])
    assert EVIL not in page and "<b>bold</b>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "<i>2019</i>" not in page and "&lt;i&gt;2019&lt;/i&gt;" in page


def test_script_in_question_is_escaped():
    question = f"What about {EVIL} and <img src=x onerror=alert(1)>?"
    answer = _answer(question, resolved_question=f"{question} (police)")
    html = "".join(m["content"] for m in chat_messages([answer])) + sources_html([answer])
    assert "<script" not in html and "<img" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in user_html(question)
    assert "Searched: What about &lt;script&gt;" in answer_html(answer, 1)


def test_script_in_answer_text_is_escaped_and_markers_still_link():
    answer = _answer(parts=(AnswerPart(((f"{EVIL} Injected", (1,)), ("and a stray [9].", ()))),))
    html = answer_html(answer, 2)
    assert "<script" not in html
    assert '<a class="cite" href="#cite-2-1"' in html
    assert "[9]" in html and "#cite-2-9" not in html


def test_cited_sentence_is_inside_mark():
    page = sources_html([_answer()])
    assert f"<mark>{CITED}</mark>" in page
    assert 'id="cite-1-1"' in page
    assert highlight("a <b> c. x", ["<b> c."]) == "a <mark>&lt;b&gt; c.</mark> x"


def test_rendered_html_has_no_line_breaks():
    cited = _chunk("Line one.\n\nLine two. " + CITED)
    answer = _answer(
        citations=(Citation(1, cited, (CITED,)),),
        parts=(AnswerPart(((CITED, (1,)),), source=cited),),
    )
    assert answer.text.startswith("From the joint targeted area inspection letter (18 December 2019):\n")
    for message in chat_messages([answer]):
        assert "\n" not in message["content"]
    assert '<p class="from">From the joint targeted area inspection letter' in answer_html(answer, 1)


def test_abstained_answer_looks_different_and_shows_closest_passages():
    near = _chunk("The youth offending team has a health offer.", title="Scrutiny report", date="")
    abstained = _answer(
        "What is the weather?",
        parts=(),
        outcome="not_covered",
        citations=(),
        retrieved=(Hit(near, 0.2),),
        abstained=True,
    )
    html = answer_html(abstained, 1)
    assert re.search(r'class="answer[^"]*\babstained\b', html)
    assert "I can&#x27;t find this in the documents" in html
    assert "The youth offending team has a health offer." in html and "undated" in html
    assert not re.search(r'class="answer[^"]*\babstained\b', answer_html(_answer(), 1))
    assert 'id="near-1-1"' in sources_html([abstained])


def test_follow_up_shows_what_was_searched_only_when_it_differs():
    assert "Searched:" not in answer_html(_answer(), 1)
    followed = _answer("and the police?", resolved_question="Are health visitors told (police)?")
    assert "Searched: Are health visitors told (police)?" in answer_html(followed, 1)


def test_corpus_line():
    docs = [
        DocumentInfo("a", "a.txt", "A", published="2016-06-27"),
        DocumentInfo("b", "b.txt", "B"),
        DocumentInfo("c", "c.txt", "C", published="2020-09-22"),
    ]
    assert corpus_line(docs) == "3 documents from 27 June 2016 to 22 September 2020, one undated"
    assert re.match(r"No documents", corpus_line([]))


def test_login_needs_a_password_and_binds_loopback_by_default():
    import pytest

    from assistant.core.errors import SettingsError
    from assistant.core.settings import Settings
    from ui.serve import launch_kwargs

    plain = launch_kwargs(Settings())
    assert plain["server_name"] == "127.0.0.1" and plain["server_port"] == 7860 and plain["auth"] is None
    guard = launch_kwargs(Settings(auth_user="trainer", auth_password="s3cret"))["auth"]
    assert guard("trainer", "s3cret") and not guard("trainer", "wrong") and not guard("someone", "s3cret")
    with pytest.raises(SettingsError, match="ASSISTANT_AUTH_PASSWORD"):
        launch_kwargs(Settings(auth_user="trainer"))


def test_serve_refuses_to_start_without_an_index(tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "HF_HUB_OFFLINE": "1", "ASSISTANT_INDEX_DIR": str(tmp_path / "none")}
    done = subprocess.run(
        [sys.executable, "-m", "cli", "serve", "--port", "1"], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode != 0
    assert "No index at" in done.stderr and "assistant ingest" in done.stderr


def test_a_bad_date_filter_says_which_and_how_to_write_it():
    """The web filters check dates as the CLI's --from and --to do (`assistant.is_iso_date`),
    and say which box is wrong in the CLI's words."""
    import gradio as gr
    import pytest

    from ui.tabs.filters import chosen_filters

    for wrong in ("18/12/2019", "20191218", "2019-02-30"):
        with pytest.raises(gr.Error) as refused:
            chosen_filters([], [], wrong, "")
        message = str(refused.value)
        assert "'Dated from'" in message and repr(wrong) in message, message
        assert "is not a date: write it as YYYY-MM-DD, e.g. 2019-12-18" in message, message
    with pytest.raises(gr.Error, match="'Dated from' 2020-01-01 is after 'Dated to' 2019-01-01"):
        chosen_filters([], [], "2020-01-01", "2019-01-01")
    assert chosen_filters(["a"], [], " 2019-01-01 ", "").date_from == "2019-01-01"


def test_long_text_is_cut_at_a_word_or_at_the_character():
    from ui.render import short

    text = "What did inspectors say about waiting times"
    assert short(text, 80) == text
    assert short(text, 22) == "What did inspectors…"
    assert short(text, 22, at_word=False) == "What did inspectors s…"
