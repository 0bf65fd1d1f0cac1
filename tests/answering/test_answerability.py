"""What counts as the thing asked for (assistant/answering/answerability.py): fast checks of the answer
types' rules on sentences, no index needed."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.answering.answerability import _has_date, _has_figure, _has_grade
from assistant.answering.names import CorpusWords, has_person
from assistant.core.types import Query


def query(text: str, named_years: tuple[str, ...] = (), count: bool = False) -> Query:
    return Query(text, np.zeros(3), [], [], [], [], {}, named_years=named_years, count=count)


@pytest.mark.parametrize(
    "sentence, gives",
    [
        ("The trust has recruited four specialist safeguarding nurses.", True),
        ("Waiting times can remain for up to 40 weeks.", True),
        # A number that labels (a level, a section, a key stage) counts nothing.
        ("Specialist safeguarding nurses have level three safeguarding training.", False),
        ("Children detained under section 136 are seen promptly.", False),
        ("Attainment at key stage 4 is improving.", False),
        ("Training had to be cancelled due to COVID-19.", False),
    ],
)
def test_a_figure_is_a_quantity_not_a_label(sentence, gives):
    assert _has_figure(sentence, query("how many nurses?", count=True), frozenset()) is gives


def test_a_length_of_time_in_words_answers_how_long_but_counts_nothing():
    sentence = "A small number of care leavers have waited for assessments for over a year."
    assert _has_figure(sentence, query("how long did care leavers wait?"), frozenset())
    assert not _has_figure(sentence, query("how many care leavers waited?", count=True), frozenset())


@pytest.mark.parametrize(
    "sentence, gives",
    [
        ("In 2023, a new chief executive arrived.", False),  # the question already says 2023
        ("In March 2023, a new chief executive arrived.", True),
        ("The chief executive arrived on 4 March.", True),
        ("A new chief executive arrived in 2022.", True),
    ],
)
def test_a_year_the_question_names_is_not_the_date_asked_for(sentence, gives):
    asked = query("what month in 2023 did the chief executive start?", named_years=("2023",))
    assert _has_date(sentence, asked, frozenset()) is gives


@pytest.mark.parametrize(
    "sentence, gives",
    [
        ("Services for children were judged to be good overall.", True),
        ("All three homes were rated outstanding at their last inspection.", True),
        ("Overall effectiveness: Requires improvement to be good", True),
        ("The experiences and progress of care leavers: good", True),
        ("The quality of referrals to the front door is good.", False),  # describes, grades nothing
        ("Practice with care leavers remains inconsistent and some is inadequate.", False),
    ],
)
def test_a_grade_is_a_judgement_not_a_description(sentence, gives):
    assert _has_grade(sentence, query("what grade did it get?"), frozenset()) is gives


@pytest.mark.parametrize(
    "sentence, gives",
    [
        ("Staff receive safeguarding supervision from the named nurse quarterly.", True),
        ("The group meets twice a year.", True),
        ("Reviews are held every six weeks.", True),
        # A figure or a time limit is not how often.
        ("The quality assurance is undertaken within a month by the specialist nurse.", False),
        ("Three nurses give supervision.", False),
    ],
)
def test_how_often_asks_for_a_frequency(sentence, gives):
    asked = Query("how often?", np.zeros(3), [], [], [], [], {}, frequency=True)
    assert _has_figure(sentence, asked, frozenset()) is gives


@pytest.mark.parametrize(
    "sentence, gives",
    [
        ("Long-standing relationships with two local colleges support the 53 care leavers in education.", True),
        ("No care leavers live in unregistered homes.", True),  # none is a count
        # A figure of something else is not the count asked for.
        ("There were 12 complaints about the service.", False),
        ("Carers who move to SGO arrangements face no detriment to carers' allowances.", False),
    ],
)
def test_a_count_counts_what_was_asked_for(sentence, gives):
    asked = Query("how many care leavers ...?", np.zeros(3), [], [], [], [], {}, count=True, counted=("leaver",))
    assert _has_figure(sentence, asked, frozenset()) is gives


def test_what_how_many_counts():
    from assistant.question.parse import counted

    assert counted("how many approved foster carers does Anytown have?") == ("approv", "foster", "carer")
    assert counted("how many people held the DCS role?") == ("peopl",)


def test_words_of_an_organisation_s_name_are_not_a_person_s_name():
    words = CorpusWords(
        frozenset({"director", "community", "lead"}),
        organisation=frozenset({"alder", "hey", "children's", "nhs", "foundation", "trust"}),
    )
    asked = query("who is the commissioning lead?")
    assert has_person("The lead is Fiona Taylor, executive lead.", asked, words)
    assert not has_person("The lead is the director of community health at Alder Hey.", asked, words)


def test_a_name_run_into_the_next_field_of_a_header_is_still_a_name():
    words = CorpusWords(
        frozenset({"quality", "assurance", "manager", "any", "complaints", "about", "the", "named", "safeguarding"})
    )
    asked = query("who was the quality assurance manager?")
    assert has_person("Quality assurance manager: Christine Williams Any complaints about the inspection", asked, words)
    assert not has_person("Named GP Safeguarding Any complaints", asked, words)


def test_a_council_s_name_is_a_place_not_part_of_a_person_s_name():
    from dataclasses import replace

    from assistant.answering.names import _place_words
    from assistant.core.taxonomy import load_taxonomy

    words = CorpusWords(frozenset({"the", "family", "team", "within", "receive", "supervision", "chair"}))
    words = replace(words, not_names=words.not_names | {"anytown"})  # a council's name
    asked = query("who is the named GP?")
    assert not has_person("The family team within Ambition Anytown receive supervision.", asked, words)
    assert has_person("The chair is Fiona Taylor of Anytown.", asked, words)
    # Every council the taxonomy knows gives its words.
    council = load_taxonomy().authority_names[-1][0]
    assert set(council.lower().split()) & _place_words()


def test_an_email_address_does_not_make_a_name_a_common_word():
    from types import SimpleNamespace

    from assistant.answering.names import _read_corpus_words

    passage = "The contact officer is Jane Smith: jane.smith@anytown.gov.uk, or see www.anytown.gov.uk/jane"
    index = SimpleNamespace(chunks=[SimpleNamespace(passage_id="p1", passage=passage)])
    words = _read_corpus_words(index)  # type: ignore[arg-type]
    assert "jane" not in words and "smith" not in words and "see" in words
    assert has_person("The contact officer is Jane Smith.", query("who is the contact officer?"), words)


def test_a_sentence_that_points_back_takes_its_subject_from_the_sentences_before():
    from assistant.answering.answerability import sentence_before

    passage = (
        "There are inconsistencies in how speech and language practitioners provide services. "
        "For example, some areas use advice helplines. "
        "The latter does reduce waiting times, but waiting times can remain for up to 40 weeks. "
        "Leaders know this."
    )
    before = sentence_before(
        "The latter does reduce waiting times, but waiting times can remain for up to 40 weeks.", passage
    )
    assert "speech and language" in before and "helplines" in before
    assert sentence_before("Leaders know this.", passage) == ""


def test_over_a_number_is_an_age_only_when_it_could_be_one():
    providers = Query("how many providers ...?", np.zeros(3), [], [], [], [], {}, count=True, counted=("provider",))
    assert _has_figure("The small team covers over 1000 providers.", providers, CorpusWords(frozenset()))
    children = Query("how many children ...?", np.zeros(3), [], [], [], [], {}, count=True, counted=("children",))
    assert _has_figure("Under 20 children wait for a plan.", children, CorpusWords(frozenset()))
    assert not _has_figure("Services for children over 16 are limited.", children, CorpusWords(frozenset()))
