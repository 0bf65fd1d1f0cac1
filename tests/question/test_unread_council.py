"""A document whose council was not read (no manifest, a title that names none) still answers for
the council its opening names: the assistant never says no document is about a council whose
report is indexed (issue 24, item 3)."""

from __future__ import annotations

import pytest

from assistant.answering.pipeline import answer
from assistant.core.settings import Settings
from assistant.question.understand import understand
from assistant.store import forget_loaded, open_index

REVIEW = (
    "Practice review of early help\n\n"
    "This review of early help in Barnsley found that families wait too long for a first visit from the "
    "early help team. Leaders have begun to reduce the waiting times by adding two workers to each team. "
    "Families said that the help they got made a difference once it started.\n"
)
OTHER = (
    "Practice review of youth services\n\n"
    "The youth service offers evening clubs in four centres. Young people said that the clubs help them to "
    "make friends and stay safe. Attendance has grown since the clubs moved to the town centre.\n"
)


@pytest.fixture(scope="module")
def reviews(tmp_path_factory):
    from ingest.index import build_index

    base = tmp_path_factory.mktemp("unread-council")
    corpus = base / "corpus"
    corpus.mkdir()
    (corpus / "early-help-review.txt").write_text(REVIEW, encoding="utf-8")
    (corpus / "youth-review.txt").write_text(OTHER, encoding="utf-8")
    settings = Settings(corpus_dir=corpus, index_dir=base / "index", feedback_db=base / "feedback.sqlite3")
    report = build_index(settings, progress=False)
    assert not report.errors, [str(e) for e in report.errors]
    forget_loaded()
    return settings, open_index(settings, with_collection=True)


def test_a_document_whose_council_was_not_read_answers_for_the_council_its_opening_names(reviews):
    settings, index = reviews
    assert index.docs["early-help-review"].local_authority == "", "this test needs a council the reader misses"
    query = understand("What did the review find about early help in Barnsley?", index)
    assert query.council_docs == ("early-help-review",) and query.councils == ("Barnsley",)
    assert query.unheld_councils == ()
    result = answer("What did the review find about early help in Barnsley?", settings=settings, index=index)
    assert "no document searched is about" not in result.text
    assert result.outcome == "answered"
    assert {c.chunk.doc_id for c in result.citations} == {"early-help-review"}


def test_a_council_no_document_names_is_not_answered_from_another_s(reviews):
    settings, index = reviews
    assert understand("What did the review find about early help in Leeds?", index).unheld_councils == ("Leeds",)
    result = answer("What did the review find about early help in Leeds?", settings=settings, index=index)
    assert result.abstained  # Barnsley's review does not speak for Leeds
