"""The eval runner, question-set reader, reports and gate, with a small fake answerer.

The fake stands in for `assistant.answering.pipeline.answer` only because this is a unit test of the runner:
what is scored and written, not how answers are made.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant import EvalSetError
from assistant.core.types import Answer, Chunk, Citation, Hit
from evals.corpora import set_files
from evals.gate import compare, diff_runs, format_diff, format_regressions
from evals.metrics import METRICS, PASS_RULES
from evals.questions import Question, read_questions
from evals.run import run_eval

GOOD = "Health visitors and school nurses are not routinely informed when children go missing from home."
OTHER = "The youth offending team has a well-established health offer with access to a clinical psychologist."


def _chunk(i: int, passage: str, doc_id: str = "sefton-jtai-letter-2019") -> Chunk:
    return Chunk(
        chunk_id=f"{doc_id}:{i}",
        doc_id=doc_id,
        title="JTAI letter",
        doc_type="inspection_letter",
        publisher="Ofsted",
        date="2019-12-18",
        text=passage[:80],
        passage=passage,
        section="Areas for improvement",
        ref=f"{i}",
    )


def _answer(question: str, text: str, passages: list[str], *, cite: bool = True, abstained: bool = False) -> Answer:
    chunks = [_chunk(i, p) for i, p in enumerate(passages)]
    citations = (Citation(1, chunks[0], (chunks[0].passage,)),) if cite and chunks else ()
    return Answer(
        question=question,
        resolved_question=question,
        text=text,
        citations=citations,
        retrieved=tuple(Hit(c, 1.0 / (i + 1)) for i, c in enumerate(chunks)),
        abstained=abstained,
        timings_ms={"retrieve": 1.0, "compose": 2.0},
    )


def fake_answer(question: str) -> Answer:
    """Right for 'missing', wrong passage for 'offer', abstains on 'weather', raises on 'crash'."""
    if "crash" in question:
        raise RuntimeError("the answerer fell over")
    if "missing" in question:
        return _answer(question, GOOD.replace("from home.", "from home [1]."), [GOOD, OTHER])
    if "weather" in question:
        return _answer(question, "The documents do not cover this question.", [OTHER], cite=False, abstained=True)
    if "script" in question:
        return _answer(question, "<script>alert('x')</script> Injected [1].", [OTHER + " <b>bold</b>"])
    return _answer(question, "The team has a psychologist [1].", [OTHER, OTHER])


QUESTIONS = [
    Question(
        id="q-good",
        question="Are school nurses told when children go missing?",
        type="lookup",
        gold_quotes=("school nurses are not routinely informed when children go missing",),
        key_facts=("not routinely informed",),
    ),
    Question(
        id="q-bad",
        question="What health offer does the team have?",
        type="lookup",
        gold_quotes=("school nurses are not routinely informed when children go missing",),
        key_facts=("school nurses",),
    ),
    Question(id="q-none", question="What about the weather?", type="unanswerable"),
    Question(id="q-crash", question="Please crash now", type="lookup", gold_quotes=("anything at all here",)),
    Question(id="q-plain", question="Tell me about the team"),
]


@pytest.fixture()
def run(tmp_path):
    return run_eval(QUESTIONS, fake_answer, k=5, out_dir=tmp_path / "run", progress=False)


def _read_rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# --------------------------------------------------------------------------------------------
# run_eval


def test_run_writes_all_four_files(run):
    for name in ("results.jsonl", "summary.json", "report.md", "report.html"):
        assert (run.out_dir / name).is_file(), name
    rows = _read_rows(run.out_dir / "results.jsonl")
    assert [r["id"] for r in rows] == [q.id for q in QUESTIONS]
    for field in (
        "id",
        "type",
        "question",
        "answer",
        "abstained",
        "citations",
        "retrieved",
        "latency_ms",
        "error",
        "metrics",
    ):
        assert field in rows[0], field
    assert set(rows[0]["citations"][0]) >= {"n", "doc_id", "title", "section", "date", "text"}
    assert set(rows[0]["retrieved"][0]) == {"doc_id", "chunk_id", "text", "score"}
    assert set(rows[0]["metrics"]) == {*METRICS, "passed"} and set(rows[0]["metrics"]["passed"]) == set(PASS_RULES)
    summary = json.loads((run.out_dir / "summary.json").read_text())
    assert summary["n_questions"] == 5 and summary["k"] == 5
    assert set(summary["by_type"]) == {"lookup", "unanswerable", "unlabelled"}


def test_rows_are_scored(run):
    rows = {r["id"]: r for r in run.rows}
    good, bad, none = rows["q-good"]["metrics"], rows["q-bad"]["metrics"], rows["q-none"]["metrics"]
    assert good["hit_at_1"] == 1.0 and good["groundedness"] == 1.0 and good["key_fact_recall"] == 1.0
    assert all(flag in (True, None) for flag in good["passed"].values())
    assert bad["hit_at_k"] == 0.0 and bad["passed"]["hit_at_k"] is False
    assert bad["ndcg_at_10"] == 0.0  # two copies of a wrong passage score nothing
    assert none["abstention_correct"] == 1.0 and none["passed"]["abstention_correct"] is True
    assert none["groundedness"] is None  # only boilerplate, flagged abstained


def test_question_without_gold_still_reports_answer_and_latency(run):
    plain = next(r for r in run.rows if r["id"] == "q-plain")
    assert plain["type"] == "unlabelled" and plain["answer"] and plain["error"] is None
    assert plain["latency_ms"] >= 0 and plain["metrics"]["latency_ms"] == plain["latency_ms"]
    assert plain["metrics"]["answer_words"] == 5
    assert plain["metrics"]["hit_at_k"] is None and plain["metrics"]["key_fact_recall"] is None


def test_raising_answerer_gives_an_error_row_and_the_run_goes_on(run):
    crash = next(r for r in run.rows if r["id"] == "q-crash")
    assert crash["error"] == "RuntimeError: the answerer fell over"
    assert crash["answer"] == "" and crash["abstained"] is None
    assert all(crash["metrics"]["passed"][name] is None for name in PASS_RULES)
    assert run.rows[-1]["id"] == "q-plain" and run.rows[-1]["error"] is None  # the question after it ran
    assert run.summary["overall"]["n_errors"] == 1 and run.summary["overall"]["error_rate"] == 0.2


def test_report_lists_failures_first(run):
    md = (run.out_dir / "report.md").read_text()
    page = (run.out_dir / "report.html").read_text()
    for text in (md, page):
        # q-bad fails hit@k, q-crash raised: both before the passing q-good and q-plain
        positions = {qid: text.index(qid) for qid in ("q-bad", "q-crash", "q-good", "q-plain")}
        assert max(positions["q-bad"], positions["q-crash"]) < min(positions["q-good"], positions["q-plain"])
    assert "Areas for improvement" in page and "sefton-jtai-letter-2019" in page  # citation doc/section
    assert "<svg" in page and "<style>" in page


def test_html_is_self_contained_and_escapes_untrusted_text(tmp_path):
    q = Question(id="x<1>", question="Does the script <run>?", type="lookup")
    result = run_eval([q], fake_answer, out_dir=tmp_path, progress=False)
    page = result.files["html"].read_text()
    assert "<script>" not in page and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "<b>bold</b>" not in page and "x&lt;1&gt;" in page
    assert "http://" not in page and "https://" not in page and "<link" not in page
    md = result.files["markdown"].read_text()
    assert "<script>" not in md and "&lt;script&gt;" in md


# --------------------------------------------------------------------------------------------
# read_questions


def test_malformed_lines_are_reported_by_line_and_the_rest_read(tmp_path):
    path = tmp_path / "set.jsonl"
    path.write_text(
        "\n".join(
            [
                json.dumps({"id": "a", "question": "First?", "type": "lookup", "gold_quotes": ["x  y\nz"]}),
                "{not json",
                "",
                json.dumps({"id": "b", "type": "lookup"}),
                json.dumps({"id": "c", "question": "Typed?", "type": "riddle"}),
                json.dumps({"id": "d", "question": "Types?", "docs": "one-doc"}),
                json.dumps({"question": "No id?", "key_facts": ["fact"]}),
                json.dumps({"id": "a", "question": "Again?"}),
                json.dumps(["not", "an", "object"]),
            ]
        )
        + "\n"
    )
    questions, errors = read_questions(path)
    assert [q.id for q in questions] == ["a", "row-7"]
    assert questions[0].gold_quotes == ("x y z",) and questions[1].type == "unlabelled"
    assert [e.line for e in errors] == [2, 4, 5, 6, 8, 9]
    messages = [e.message for e in errors]
    assert "not valid JSON" in messages[0] and "no 'question'" in messages[1]
    assert "unknown type 'riddle'" in messages[2] and "'docs' must be a list" in messages[3]
    assert "duplicate id 'a'" in messages[4] and "line 1" in messages[4]
    assert str(errors[0]).startswith("line 2: ")


def test_csv_question_set(tmp_path):
    path = tmp_path / "set.csv"
    path.write_text(
        "id,question,type,docs,gold_quotes,key_facts,answer\n"
        'c1,Are nurses told when children go missing?,lookup,sefton-jtai-letter-2019,"[""school nurses are not routinely informed""]",'
        "not routinely | informed,No.\n"
        ',"A question\nover two lines?",,,,,\n'
        "c3,,lookup,,,,\n"
        'c4,Bad list?,lookup,,"[broken",,\n',
        encoding="utf-8",
    )
    questions, errors = read_questions(path)
    assert [q.id for q in questions] == ["c1", "row-3"]
    c1 = questions[0]
    assert c1.docs == ("sefton-jtai-letter-2019",) and c1.gold_quotes == ("school nurses are not routinely informed",)
    assert c1.key_facts == ("not routinely", "informed") and c1.answer == "No."
    assert questions[1].question == "A question\nover two lines?"
    assert [(e.line, "question" in e.message or "JSON" in e.message) for e in errors] == [(5, True), (6, True)]
    result = run_eval(questions, fake_answer, out_dir=tmp_path / "csv-run", progress=False)
    assert result.rows[0]["metrics"]["hit_at_1"] == 1.0


# --------------------------------------------------------------------------------------------
# gate


def _summary(hit: float, *, lookup_n: int = 6, p95: float = 1000.0) -> dict:
    def group(n: int) -> dict:
        metrics = {name: {"mean": 1.0, "n": n} for name in METRICS}
        metrics["hit_at_k"] = {"mean": hit, "n": n}
        metrics["false_abstention"] = {"mean": 0.0, "n": n}
        metrics["latency_ms"] = {"mean": p95 / 2, "n": n, "p50": p95 / 2, "p95": p95}
        return {"n_questions": n, "n_errors": 0, "error_rate": 0.0, "n_failed": 0, "metrics": metrics}

    return {
        "n_questions": lookup_n + 2,
        "overall": group(lookup_n + 2),
        "by_type": {"lookup": group(lookup_n), "acronym": group(2)},
    }


STRICT = {
    "min_type_questions": 5,
    "per_type_one_question": False,
    "drop": {"hit_at_k": 0.02},
    "rise_ratio": {"latency_p95_ms": 1.5, "latency_p50_ms": 1.5},
}


def test_compare_flags_a_drop_beyond_tolerance_not_within():
    baseline = _summary(0.90)
    assert compare(_summary(0.89), baseline, STRICT) == []  # 0.01 within hit_at_k's 0.02
    assert compare(_summary(0.88), baseline, STRICT) == []  # exactly at the tolerance
    regressions = compare(_summary(0.85), baseline, STRICT)
    assert [(r.scope, r.figure) for r in regressions] == [("overall", "hit_at_k"), ("lookup", "hit_at_k")]
    # by default a type may move by one question (1/6 here) but overall may not
    assert [(r.scope, r.figure) for r in compare(_summary(0.85), baseline)] == [("overall", "hit_at_k")]
    assert "0.9 -> 0.85" in format_regressions(regressions)
    assert format_regressions([]) == "No regressions beyond tolerance."


def test_one_question_of_a_type_moving_passes_though_both_figures_are_rounded():
    # 5 of 26 -> 6 of 26 lookups declined, as summaries store them (4 decimals): one question's worth.
    def declined(mean: float) -> dict:
        summary = _summary(0.9, lookup_n=26)
        summary["by_type"]["lookup"]["metrics"]["false_abstention"]["mean"] = mean
        return summary

    assert compare(declined(0.2308), declined(0.1923)) == []
    assert [r.figure for r in compare(declined(0.2692), declined(0.1923))] == ["false_abstention"]


def test_compare_skips_small_types_and_checks_latency_ratio(tmp_path):
    small = compare(_summary(0.5, lookup_n=4), _summary(0.9, lookup_n=4), STRICT)
    assert [r.scope for r in small] == ["overall"]  # lookup has 4 questions: not gated by type
    slow = compare(_summary(0.9, p95=1600.0), _summary(0.9, p95=1000.0), STRICT)
    assert [(r.scope, r.figure, r.kind) for r in slow] == [
        ("overall", "latency_p95_ms", "rise_ratio"),
        ("overall", "latency_p50_ms", "rise_ratio"),
    ]
    assert compare(_summary(0.9, p95=1400.0), _summary(0.9, p95=1000.0), STRICT) == []
    # paths work as well as data, and tolerances can be given
    (tmp_path / "summary.json").write_text(json.dumps(_summary(0.85)))
    assert compare(tmp_path, _summary(0.9), {"drop": {"hit_at_k": 0.1}}) == []


def test_a_tolerance_no_summary_has_is_an_error_that_says_the_fix():
    with pytest.raises(EvalSetError, match="fix the name in tolerances.toml"):
        compare(_summary(0.9), _summary(0.9), {"drop": {"hit_at_kk": 0.02}})


def test_a_set_without_its_corpus_is_an_error_that_says_the_fix(tmp_path):
    with pytest.raises(EvalSetError, match="corpus.toml is missing: write it"):
        set_files(tmp_path)
    (tmp_path / "corpus.toml").write_text('files = ["corpus/no-such-report.pdf"]\n')
    with pytest.raises(EvalSetError, match="no-such-report.pdf: put them there or take them out"):
        set_files(tmp_path)


def test_diff_runs_orders_newly_failing_first(run, tmp_path):
    def fixed(question: str) -> Answer:
        if "health offer" in question:  # q-bad now finds the gold passage
            return _answer(question, GOOD.replace("from home.", "from home [1]."), [GOOD])
        if "missing" in question:  # q-good now cites nothing
            return _answer(question, "Nurses are told.", [OTHER], cite=False)
        if "weather" in question:  # q-none now answers
            return _answer(question, "It rains [1].", [OTHER])
        return fake_answer(question)

    later = run_eval(QUESTIONS, fixed, out_dir=tmp_path / "later", progress=False)
    changes = diff_runs(run.out_dir / "results.jsonl", later.out_dir)
    assert [(c.id, c.status) for c in changes] == [
        ("q-good", "newly failing"),
        ("q-none", "newly failing"),
        ("q-bad", "newly passing"),
    ]
    moved = {m.metric: (m.before, m.after) for m in changes[1].changes}
    assert moved["abstained"] == (True, False) and moved["abstention_correct"] == (True, False)
    text = format_diff(changes)
    assert text.index("Newly failing") < text.index("Newly passing")
    assert "abstained yes -> no" in text
    assert diff_runs(run.rows, run.rows) == [] and format_diff([]) == "No question changed outcome."


def test_latency_under_the_floor_never_fails_the_gate():
    floor = {**STRICT, "latency_floor_ms": 150.0}
    assert compare(_summary(0.9, p95=60.0), _summary(0.9, p95=20.0), floor) == []  # 3x, but well under 150 ms
    slow = compare(_summary(0.9, p95=400.0), _summary(0.9, p95=100.0), floor)
    assert ("overall", "latency_p95_ms") in [(r.scope, r.figure) for r in slow]
