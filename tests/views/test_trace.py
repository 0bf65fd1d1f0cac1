"""The trace on the real corpus, checked against a gold mapping written by hand from the documents
(tests/data/trace_gold.toml): finding -> action rows -> latest progress and the scrutiny report's
paragraph -> what later inspections say; and the chat's traced answer, every sentence verbatim.

The linking numbers were chosen on the gold's "tune" findings (scripts/tune_trace.py); the
precision and recall asserted here are measured on its "test" findings.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from assistant.answering.traced import trace_answer
from assistant.question.cues import TRACE_QUESTION, traced_topic
from assistant.store import open_index
from assistant.views.trace import trace
from evals.metrics import groundedness
from evals.trace_links import link_quality

GOLD_FILE = Path(__file__).resolve().parents[1] / "data" / "trace_gold.toml"
GOLD = tomllib.loads(GOLD_FILE.read_text(encoding="utf-8"))


def _norm(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def index(corpus_index):
    return open_index(corpus_index.settings, with_collection=False)


@pytest.fixture(scope="module")
def traces(index, corpus_index):
    return trace(index, settings=corpus_index.settings)


def _trace_of(traces, quote):
    return next((t for t in traces if _norm(quote) in _norm(t.finding.chunk.passage)), None)


def test_every_gold_finding_is_followed(traces):
    assert all(t.finding.chunk.doc_id == "sefton-jtai-letter-2019" for t in traces)
    missing = [f["quote"] for f in GOLD["finding"] if _trace_of(traces, f["quote"]) is None]
    assert not missing
    assert not any(t.finding.chunk.section.lower().startswith("key strength") for t in traces)


def test_at_least_five_findings_match_the_gold_mapping(traces):
    exact = [
        f["quote"]
        for f in GOLD["finding"]
        if {s.row.ref for s in _trace_of(traces, f["quote"]).steps} == set(f["actions"])
    ]
    print(f"\n[trace] {len(exact)} of {len(GOLD['finding'])} findings link exactly the gold rows")
    assert len(exact) >= 5
    # The four areas for priority action are answered by the plan's four priorities, by reference.
    for f in (f for f in GOLD["finding"] if f.get("section")):
        steps = _trace_of(traces, f["quote"]).steps
        assert {s.row.ref for s in steps} == set(f["actions"]) and {s.by for s in steps} == {"reference"}


def test_precision_and_recall_on_the_held_out_findings(index, corpus_index):
    settings = corpus_index.settings
    priority = link_quality(index, GOLD_FILE, "test", settings=settings, part="priority")
    similarity = link_quality(index, GOLD_FILE, "test", settings=settings, part="improvement")
    overall = link_quality(index, GOLD_FILE, "test", settings=settings)
    print(
        f"\n[trace] held-out priority actions: precision {priority['precision']:.2f} recall "
        f"{priority['recall']:.2f}; areas for improvement: precision {similarity['precision']:.2f} recall "
        f"{similarity['recall']:.2f}; all: precision {overall['precision']:.2f} recall {overall['recall']:.2f}"
    )
    assert not overall["missing"]
    assert priority["precision"] >= 0.95 and priority["recall"] >= 0.95  # 1.00 / 1.00 when committed
    assert similarity["precision"] >= 0.7 and similarity["recall"] >= 0.42  # 0.83 / 0.52 when committed
    assert overall["precision"] >= 0.82 and overall["recall"] >= 0.62  # 0.92 / 0.71 when committed


def test_the_camhs_waiting_times_finding_links_its_rows(index, corpus_index):
    # The issue's own example: the finding names "CAMHS"; the rows say "Specialist Mental Health
    # Services" (the taxonomy's vocabulary counts them as one word).
    gold = next(f for f in GOLD["finding"] if "accessing CAMHS" in f["quote"])
    found = trace(index, "CAMHS waiting times", settings=corpus_index.settings)
    assert len(found) == 1 and _norm(gold["quote"]) in _norm(found[0].finding.chunk.passage)
    linked = {s.row.ref for s in found[0].steps}
    print(f"\n[trace] CAMHS waiting times: linked {sorted(linked)}, gold {gold['actions']}")
    assert linked & set(gold["actions"])
    assert linked <= set(gold["actions"])  # nothing a reader would not link


def test_rows_carry_their_latest_note_and_the_scrutiny_paragraph(traces):
    steps = {s.row.ref: s for t in traces for s in t.steps}
    found = {ref: steps[ref].report.chunk.ref for ref in GOLD["scrutiny"] if ref in steps and steps[ref].report}
    right = [ref for ref, para in found.items() if para in GOLD["scrutiny"][ref]]
    print(f"\n[trace] scrutiny paragraph right for {len(right)} of {len(GOLD['scrutiny'])} gold rows")
    assert len(right) >= 8
    assert all(s.report.chunk.doc_id == "sefton-jtai-scrutiny-report-2020" for s in steps.values() if s.report)
    note = steps["4.1.2"].progress
    assert note is not None and note.sentences[0].startswith("Progress August 2020")


def test_every_quote_is_verbatim(traces):
    for t in traces:
        cited = [t.finding, *t.later] + [c for s in t.steps for c in (s.action, s.progress, s.report) if c]
        for c in cited:
            assert c.sentences and all(s and s in c.chunk.passage for s in c.sentences)
        assert all(later.chunk.date > "2020-09-22" for later in t.later)


def test_later_inspections_speak_on_the_theme(traces):
    for f in GOLD["finding"]:
        for quote in f.get("later", [])[:1]:
            t = _trace_of(traces, f["quote"])
            if "CAMHS" in f["quote"]:
                assert any(_norm(quote) in _norm(" ".join(c.sentences)) for c in t.later)


def test_chat_answers_what_happened_to_a_finding(index, corpus_index):
    from assistant.answering.pipeline import answer

    result = answer(
        "What happened to the finding on the mental health triage car?", settings=corpus_index.settings, index=index
    )
    assert not result.abstained
    assert "action 4.1.2" in result.text and "paragraph 3.2" in result.text
    docs = [c.chunk.doc_id for c in result.citations]
    assert docs[0] == "sefton-jtai-letter-2019" and "sefton-jtai-action-plan-2020" in docs
    assert "sefton-jtai-scrutiny-report-2020" in docs
    assert groundedness(result.text, {c.n: [c.chunk.passage] for c in result.citations}) == 1.0
    assert [c.n for c in result.citations] == list(range(1, len(result.citations) + 1))


def test_chat_answers_what_happened_to_the_camhs_finding(index, corpus_index):
    from assistant.answering.pipeline import answer

    result = answer("what happened to the finding on CAMHS waiting times?", settings=corpus_index.settings, index=index)
    assert not result.abstained and "trace" in result.timings_ms
    lines = result.text.split("\n")
    assert lines[0].startswith("From the joint targeted area inspection letter") and "the finding" in lines[0]
    assert "accessing CAMHS" in lines[1]
    gold = next(f for f in GOLD["finding"] if "accessing CAMHS" in f["quote"])
    assert any(f"action {ref}" in result.text for ref in gold["actions"])
    docs = [c.chunk.doc_id for c in result.citations]
    assert docs[0] == "sefton-jtai-letter-2019" and "sefton-jtai-action-plan-2020" in docs
    assert any(d in docs for d in ("sefton-ilacs-2022", "sefton-ilacs-2025"))  # what inspectors found next
    assert groundedness(result.text, {c.n: [c.chunk.passage] for c in result.citations}) == 1.0


def test_only_questions_about_a_finding_are_traced(index, corpus_index):
    assert TRACE_QUESTION.search("what happened to the finding on CAMHS waiting times?")
    assert TRACE_QUESTION.search("What came of the area for improvement about GPs and MARAC?")
    for question in (
        "what happened to therapy waiting times in sefton during covid?",
        "what happened to the joint meetings between the rainbow centre and the A&E safeguarding leads?",
    ):
        about = traced_topic(question)
        assert (
            about is None
            or trace_answer(question, question, about, index=index, settings=corpus_index.settings) is None
        )


def test_an_answer_on_an_older_inspection_quotes_the_newer_one(corpus_index):
    from assistant.answering.pipeline import answer
    from assistant.core.types import Filters

    index = open_index(corpus_index.settings)  # with the Chroma collection: the answer retrieves
    question = "What did the 2022 inspection say about children missing from home?"
    result = answer(question, settings=corpus_index.settings, index=index)
    assert not result.abstained
    lines = result.text.split("\n")
    older = lines.index("From the Ofsted inspection report, Sefton (9 May 2022):")
    assert older < lines.index("From a newer document, the Ofsted inspection report, Sefton (12 August 2025):")
    newest = result.citations[-1]
    assert newest.chunk.doc_id == "sefton-ilacs-2025" and newest.sentences[0] in newest.chunk.passage
    assert lines[-1].endswith(f"[{newest.n}]")
    assert groundedness(result.text, {c.n: [c.chunk.passage] for c in result.citations}) == 1.0
    # Limited to the 2022 report by a filter, the answer stays within it.
    limited = answer(
        question, filters=Filters(doc_ids=("sefton-ilacs-2022",)), settings=corpus_index.settings, index=index
    )
    assert "newer document" not in limited.text
