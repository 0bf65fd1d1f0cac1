"""Grade questions on earlier reports (issue 24): a SIF report's grid and its LSCB review answer
"what was X judged ...?", a year names the report it dates, and a question over time hears
every report's grade. Real reports of ../shared/national/history, one council with a SIF
(2016) and an ILACS (2020) report, and a second council's SIF report."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.answering.pipeline import answer
from assistant.core.settings import Settings
from assistant.core.text import without_role
from assistant.question.understand import understand
from assistant.store import forget_loaded, open_index

HISTORY = Path(__file__).resolve().parents[3] / "shared" / "national" / "history"
SIF = "greenwich-childrens-services-2016-08-05"
ILACS = "greenwich-childrens-services-2020-01-27"
OTHER = "bury-childrens-services-2016-05-16"


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    from ingest.index import build_index

    base = tmp_path_factory.mktemp("history-grades")
    corpus = base / "corpus"
    corpus.mkdir()
    for name in (SIF, ILACS, OTHER):
        source = HISTORY / f"{name}.pdf"
        if not source.exists():
            pytest.skip(f"{source} not present")
        shutil.copy(source, corpus)
    settings = Settings(
        corpus_dir=corpus,
        index_dir=base / "index",
        feedback_db=base / "feedback.sqlite3",
        passage_vectors="sentences",  # the faster ingest: these tests are about grids, not vectors
    )
    report = build_index(settings, progress=False)
    assert not report.errors, [str(e) for e in report.errors]
    forget_loaded()
    return settings, open_index(settings, with_collection=True)


def _cited(result) -> set[str]:
    return {c.chunk.doc_id for c in result.citations}


def test_a_year_names_the_report_it_dates(history):
    settings, index = history
    query = understand("What was Greenwich's overall effectiveness in 2016?", index)
    assert query.year_docs == (SIF,) and query.judgement_area == "overall_effectiveness"
    result = answer("What was Greenwich's overall effectiveness in 2016?", settings=settings, index=index)
    assert result.outcome == "answered", result.text
    assert "Children’s services in the Royal Borough of Greenwich are good" in result.text
    assert _cited(result) <= {SIF, ILACS} and SIF in _cited(result)


def test_a_period_names_the_reports_within_it(history):
    _, index = history
    query = understand("How has Greenwich's overall judgement changed since 2016?", index)
    assert set(query.year_docs) >= {SIF, ILACS}, query.year_docs


def test_a_question_over_time_hears_every_reports_grade(history):
    settings, index = history
    result = answer("How has Greenwich's overall judgement changed since 2016?", settings=settings, index=index)
    assert result.outcome == "answered", result.text
    grids = {c.chunk.doc_id for c in result.citations if c.chunk.kind == "judgement"}
    assert grids == {SIF, ILACS}, result.text
    assert "The documents do not give" not in result.text


def test_the_lscb_review_grade_answers(history):
    settings, index = history
    result = answer("How was the LSCB in Bury judged?", settings=settings, index=index)
    assert result.outcome == "answered", result.text
    assert "The Local Safeguarding Children Board is good" in result.text
    assert _cited(result) == {OTHER}


def test_a_sif_grid_row_is_quoted_whole(history):
    settings, index = history
    result = answer(
        "What grade did Bury get for children looked after and achieving permanence?", settings=settings, index=index
    )
    assert result.outcome == "answered", result.text
    # The row's name, wrapped over two lines of its cell on page 1, and its grade, as one quoted line.
    assert "Children looked after and achieving permanence | Requires improvement" in result.text


def test_who_led_an_inspection_is_the_lead_inspector_the_report_names(history):
    settings, index = history
    lead = without_role(index.docs[OTHER].lead_inspector)
    assert lead, "this test needs the lead inspector read"
    result = answer("Who led the 2016 inspection of Bury?", settings=settings, index=index)
    assert result.outcome == "answered", result.text
    assert lead in result.text.split("\n")[0], result.text  # the name opens the answer
    assert OTHER in _cited(result)


def test_who_led_a_year_with_no_report_is_not_given(history):
    settings, index = history
    result = answer("Who led Greenwich's 2012 inspection?", settings=settings, index=index)
    assert result.outcome == "partial", result.text
    assert result.text.startswith("The documents do not give"), result.text


def test_a_year_of_inspection_names_the_report_published_after_it(history):
    # The ILACS report was inspected in December 2019 and published in January 2020: "the 2019
    # inspection" is that report, and its grid's row answers (read from its ruled table, the
    # grade centred beside areas wrapped over two lines).
    settings, index = history
    result = answer("What was Greenwich's overall judgement at the 2019 inspection?", settings=settings, index=index)
    assert result.outcome == "answered", result.text
    assert "Overall effectiveness | Grade: Good" in result.text, result.text
    assert ILACS in _cited(result)


def test_a_question_on_a_councils_overall_grade_over_time_quotes_each_grid(history):
    settings, index = history
    question = "How did Greenwich's overall grade change from its 2016 inspection to the 2020 one?"
    assert understand(question, index).judgement_area == "overall_effectiveness"
    result = answer(question, settings=settings, index=index)
    assert result.outcome == "answered", result.text
    grids = {c.chunk.doc_id for c in result.citations if c.chunk.kind == "judgement"}
    assert grids == {SIF, ILACS}, result.text


def test_the_verb_grade_asks_for_no_grade(history):
    # "grade" as what a team does to requests is no judgement: the question is not a grade question.
    _, index = history
    assert understand("How does the MASH grade information requests to partners?", index).answer_type != "rating"


def test_how_many_in_care_finds_the_statistics_line_that_counts_them(history):
    # A SIF report's statistics say "looked after", the question "in care", and the line reads
    # alike in every report of its framework; the line that counts the children is found.
    settings, index = history
    from assistant.retrieval.retrieve import retrieve

    hits = retrieve("How many children were in care in Bury at the 2016 inspection?", settings=settings, index=index)
    assert any("300 children and young people were being looked after" in h.chunk.passage for h in hits), [
        h.chunk.passage[:80] for h in hits
    ]


def test_another_councils_report_of_the_year_does_not_answer_for_a_council(history):
    # Bury has no report of 2019; Greenwich's report of its 2019 inspection is not Bury's grade.
    settings, index = history
    for question in ("What was Bury's overall judgement at the 2019 inspection?", "What grade did Bury get in 2020?"):
        result = answer(question, settings=settings, index=index)
        assert result.outcome == "partial", result.text
        assert result.text.startswith("The documents do not give the grade asked for in 20"), result.text
        assert _cited(result) <= {OTHER}, result.text
