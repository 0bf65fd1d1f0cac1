"""Counting and comparing questions answered from the table of judgements (issue 26 item 4), on
the real reports of three frameworks (SIF 2014-2017, ILACS 2018-2025, the April 2026 framework)
that the `reports_index` fixture indexes: a count with every council cited, a movement from one
grade to another, "when was X last judged ...?", questions the table cannot answer, and that any
other question is left to the ordinary path.

The grades expected here were read from the reports' own text (`ingest.readers`, the page each
citation names), not from the table alone: each report's overall effectiveness grade since 2020
in its grid ("Overall effectiveness | Grade: Inadequate"), Croydon's 2017 and Tower Hamlets'
2017 SIF reports "Children's services in ... are inadequate" and their 2019/2020 grids "Overall
effectiveness | Grade Good", Sefton's 2022 and 2025 grids, Barnsley's 2018 grid (four times Good)
after its 2014 "The overall judgement is requires improvement".
"""

from __future__ import annotations

import json
import re

import pytest

from assistant.answering.pipeline import answer
from assistant.answering.tabled import table_answer
from assistant.core.types import Filters
from assistant.question.understand import understand
from assistant.store import open_index
from assistant.views.judgements import judgements_table
from conftest import invoke_cli
from ingest.readers import READERS

# Overall effectiveness judged inadequate in a report published since 2020, as each report's grid gives it.
INADEQUATE_SINCE_2020 = {
    "Bury": "bury-childrens-services-2021-12-17",
    "Devon": "devon-childrens-services-2025-05-13",
    "Havering": "havering-childrens-services-2024-02-16",
    "Knowsley": "knowsley-childrens-services-2025-01-20",
    "Nottingham": "nottingham-childrens-services-2022-09-05",
    "Sefton": "sefton-ilacs-2022",
}
# Inadequate, then good at the council's next report.
INADEQUATE_TO_GOOD = {
    "Croydon": ("croydon-childrens-services-2017-09-04", "croydon-childrens-services-2020-03-16"),
    "Sefton": ("sefton-ilacs-2022", "sefton-ilacs-2025"),
    "Tower Hamlets": ("tower-hamlets-childrens-services-2017-04-07", "tower-hamlets-childrens-services-2019-07-22"),
}


@pytest.fixture(scope="module")
def index(reports_index):
    return open_index(reports_index.settings)


@pytest.fixture(scope="module")
def settings(reports_index):
    return reports_index.settings


@pytest.fixture(scope="module")
def page_text(index, reports_index):
    """(document id, page) -> the page's text as the project's reader reads the report, white space squashed."""
    pages: dict[tuple[str, int], str] = {}

    def read(doc_id: str, page: int) -> str:
        if (doc_id, page) not in pages:
            path = reports_index.corpus_dir / index.docs[doc_id].file
            done = READERS[path.suffix](path, path.read_bytes())
            bounds = [*done.pages, (len(done.raw_text), 0)]
            for (a, n), (b, _) in zip(bounds, bounds[1:]):
                pages[(doc_id, n)] = " ".join(done.raw_text[a:b].split())
        return pages[(doc_id, page)]

    return read


def _flat(text: str) -> str:
    return " ".join(text.split())


def _quoted_grades(result, page_text) -> dict[str, list[str]]:
    """Document id -> the sentences its parts quote, each checked to be the report's own words on
    the cited page (the page text as the reader gives it)."""
    found: dict[str, list[str]] = {}
    numbers = {c.n: c for c in result.citations}
    for part in result.parts:
        for sentence, marks in part.sentences:
            citation = numbers[marks[0]]
            assert part.source is not None and part.source.passage_id == citation.chunk.passage_id
            assert sentence in citation.chunk.passage
            assert sentence in citation.sentences
            assert _flat(sentence) in page_text(citation.chunk.doc_id, citation.chunk.page), (sentence, citation.label)
            found.setdefault(citation.chunk.doc_id, []).append(_flat(sentence))
    return found


def test_a_count_names_and_cites_every_council_the_table_counts(index, settings, page_text):
    result = answer("How many councils were judged inadequate since 2020?", settings=settings, index=index)
    assert (result.kind, result.outcome, result.abstained, result.answer_type) == ("table", "answered", False, "number")
    # The count agrees with the table itself.
    table = judgements_table(index, area="overall effectiveness")
    counted = {r.council for r in table.rows if r.grade == "Inadequate" and r.date >= "2020"}
    assert counted == set(INADEQUATE_SINCE_2020)
    opening = result.text.splitlines()[0]
    assert opening == (
        "6 councils judged inadequate for overall effectiveness since 2020 (counted from the grades quoted below): "
        "Bury, Devon, Havering, Knowsley, Nottingham and Sefton."
    )
    # One cited grade per council, from its own report, under a line naming the council and date.
    assert [c.chunk.doc_id for c in result.citations] == list(INADEQUATE_SINCE_2020.values())
    quoted = _quoted_grades(result, page_text)
    assert set(quoted) == set(INADEQUATE_SINCE_2020.values())
    for sentences in quoted.values():
        assert re.search(r"\bInadequate\b", " ".join(sentences))
    froms = [ln for ln in result.text.splitlines() if ln.startswith("From ")]
    assert len(froms) == 6 and all(council in line for council, line in zip(INADEQUATE_SINCE_2020, froms))
    assert "From the Ofsted inspection report, Bury, overall effectiveness (17 December 2021):" in froms
    # Every line but the opening and the "From ..." lines is quoted, with its marker.
    for line in result.text.splitlines()[1:]:
        assert line.startswith("From ") or re.search(r"\[\d+\]$", line), line


def test_reports_are_counted_by_area_and_grade(index, settings, page_text):
    result = answer("How many reports graded care leavers requires improvement?", settings=settings, index=index)
    table = judgements_table(index, area="care_leavers")
    expected = [r.doc_id for r in table.rows if r.grade.startswith("Requires improvement")]
    assert len(expected) > 3
    assert result.outcome == "answered" and [c.chunk.doc_id for c in result.citations] == expected
    assert result.text.startswith(f"{len(expected)} reports gave a grade of requires improvement for care leavers ")
    for sentences in _quoted_grades(result, page_text).values():
        assert re.search(r"care leavers.*requires? improvement", " ".join(sentences), re.I | re.S)
    assert result.notice == next(a.note for a in _areas() if a.id == "care_leavers")  # graded apart only since 2023


def test_a_move_from_one_grade_to_another_quotes_both_reports(index, settings, page_text):
    result = answer("Which councils moved from inadequate to good?", settings=settings, index=index)
    assert (result.kind, result.outcome, result.answer_type) == ("table", "answered", "list")
    assert result.text.splitlines()[0] == (
        "3 councils moved from inadequate to good for overall effectiveness (counted from the grades quoted below): "
        "Croydon, Sefton and Tower Hamlets."
    )
    quoted = _quoted_grades(result, page_text)
    assert [c.chunk.doc_id for c in result.citations] == [d for pair in INADEQUATE_TO_GOOD.values() for d in pair]
    for before, after in INADEQUATE_TO_GOOD.values():
        assert re.search(r"\binadequate\b", " ".join(quoted[before]), re.I)
        assert re.search(r"\bGood\b", " ".join(quoted[after]))
    assert "Children’s services in Croydon are inadequate" in quoted[INADEQUATE_TO_GOOD["Croydon"][0]]
    # "improved" without the grades: every council whose overall grade went up, Barnsley among them.
    improved = answer("Which councils improved their overall judgement?", settings=settings, index=index)
    assert improved.text.startswith("6 councils improved their overall effectiveness grade ")
    assert {"barnsley-childrens-services-2014-08-08", "barnsley-childrens-services-2018-11-19"} <= {
        c.chunk.doc_id for c in improved.citations
    }


def test_when_a_council_was_last_judged_a_grade(index, settings, page_text):
    result = answer("When was Barnsley last judged good?", settings=settings, index=index)
    assert (result.kind, result.outcome, result.answer_type) == ("table", "answered", "date")
    assert result.text.splitlines()[0] == (
        "Barnsley was last judged good for overall effectiveness in its report of 19 November 2018 (quoted below)."
    )
    assert [c.chunk.doc_id for c in result.citations] == ["barnsley-childrens-services-2018-11-19"]
    assert _quoted_grades(result, page_text) == {
        "barnsley-childrens-services-2018-11-19": ["Overall effectiveness | Grade: Good"]
    }
    earlier = answer("When was Barnsley last judged requires improvement?", settings=settings, index=index)
    assert "in its report of 8 August 2014" in earlier.text
    assert _quoted_grades(earlier, page_text) == {
        "barnsley-childrens-services-2014-08-08": ["The overall judgement is requires improvement"]
    }


def test_what_the_table_does_not_give_is_said_plainly(index, settings):
    result = answer("How many councils were judged outstanding in 2016?", settings=settings, index=index)
    assert (result.kind, result.outcome, result.abstained) == ("table", "not_covered", True)
    assert result.text == (
        "The indexed reports give no council judged outstanding for overall effectiveness in 2016. "
        "The nearest grades they do give are listed below."
    )
    assert not result.citations and not result.parts
    # The nearest: the reports judged outstanding in other years.
    table = judgements_table(index, area="overall_effectiveness")
    assert [h.chunk.doc_id for h in result.retrieved] == [r.doc_id for r in table.rows if r.grade == "Outstanding"]
    nobody = answer("Which councils moved from outstanding to inadequate?", settings=settings, index=index)
    assert nobody.outcome == "not_covered" and nobody.text.startswith(
        "The indexed reports give no council that moved from outstanding to inadequate for overall effectiveness."
    )
    assert {h.chunk.doc_id for h in nobody.retrieved} == {  # the moves down to inadequate that there were
        "st-helens-childrens-services-2019-11-04",
        "wakefield-childrens-services-2018-07-17",
    }
    never = answer("When was Liverpool last judged outstanding?", settings=settings, index=index)
    assert never.outcome == "not_covered"
    assert never.text.startswith("The indexed reports never judge Liverpool outstanding for overall effectiveness.")
    unheld = answer("When was Leicester last judged good?", settings=settings, index=index)
    assert unheld.outcome == "not_covered" and unheld.text.startswith("No indexed report is of Leicester")


def test_the_filters_narrow_what_is_counted(index, settings):
    question = "Which councils moved from inadequate to good?"
    sefton = answer(question, settings=settings, index=index, filters=Filters(councils=("Sefton",)))
    assert sefton.text.splitlines()[0].startswith("1 council moved from inadequate to good ")
    assert [c.chunk.doc_id for c in sefton.citations] == list(INADEQUATE_TO_GOOD["Sefton"])
    assert "filters" in sefton.notice
    later = answer(question, settings=settings, index=index, filters=Filters(date_from="2026-01-01"))
    assert later.outcome == "not_covered" and "widen or clear them" in later.notice


@pytest.mark.parametrize(
    "question",
    [
        "What did inspectors say about care leavers?",
        "which councils judged inadequate have improved their help for care leavers?",
        "how do councils judged good or outstanding support care leavers into housing?",
        "what do the councils rated outstanding do for their care leavers?",
        "which councils treat care experience as a protected characteristic?",
        "how many councils have outstanding actions?",
        "how many children were in care in Barnsley?",
        "what was Barnsley judged in 2014?",
        "when was the Barnsley report published?",
        "which councils were judged inadequate and improved?",  # which grade is the move's?
        "how many councils were judged good for leadership and for care leavers?",  # which area?
    ],
)
def test_other_questions_are_left_to_the_ordinary_path(question, index, settings):
    assert table_answer(question, understand(question, index), index=index, settings=settings) is None


def test_an_ordinary_question_is_answered_as_before(index, settings):
    result = answer("What did inspectors say about care leavers?", settings=settings, index=index)
    assert result.kind == "answer" and result.outcome == "answered" and "table" not in result.timings_ms


def test_ask_json_on_a_counting_question(reports_index):
    done = invoke_cli(
        "ask", "--json", "How many councils were judged inadequate since 2020?", "--index-dir", reports_index.index_dir
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert (data["outcome"], data["abstained"], data["answer_type"]) == ("answered", False, "number")
    assert data["answer"].startswith("6 councils judged inadequate for overall effectiveness since 2020 ")
    assert [c["doc_id"] for c in data["citations"]] == list(INADEQUATE_SINCE_2020.values())
    assert all(s in c["text"] and "Inadequate" in s for c in data["citations"] for s in c["sentences"])
    assert "table" in data["timings_ms"]


def _areas():
    from assistant.core.taxonomy import load_taxonomy

    return load_taxonomy().judgement_areas
