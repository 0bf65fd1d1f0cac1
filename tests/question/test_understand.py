"""Reading a question once (assistant/question/understand.py): fast checks, no index needed."""

from __future__ import annotations

import pytest

from assistant.core.taxonomy import load_taxonomy
from assistant.core.text import terms
from assistant.question.cues import asks_for_sections
from assistant.question.parse import answer_focus, answer_type, parse, speaking_years


@pytest.mark.parametrize(
    "question, kind",
    [
        ("What's the social worker vacancy rate in Anytown?", "number"),
        ("what is Anytown's agency social worker rate now, as a figure?", "number"),
        ("what is the average social worker caseload in Anytown?", "number"),
        ("what's the name of Anytown City's DCIS?", "person"),
        ("whats the average caseload in Anytown?", "number"),  # typed without the apostrophe
        ("On what dates did the CQC carry out its review?", "date"),
        ("When should transition to adult services start?", "date"),
        ("What does the service do?", "explanation"),
        # A role a person holds asks for a person's name, whoever's role it is.
        ("who is Anytown's DfE improvement adviser?", "person"),
        ("who is Anytown's improvement partner?", "agent"),
        # "Still outstanding" is unfinished business, not a grade.
        ("which area for development was still outstanding at the review?", "status"),
        ("how many homes were judged outstanding?", "number"),
        ("which consultancy carried out the independent review?", "organisation"),
        ("which two colleges work with care leavers?", "organisation"),
    ],
)
def test_the_kind_of_answer_asked_for(question, kind):
    assert parse(question).answer_type == kind


def test_the_clause_asking_binds_the_answer_and_a_back_reference_brings_its_subject():
    def focus(text):
        return tuple(t for t in terms(text) if len(t) > 2)

    question = "when was the interim DCS appointed, and what difference did it make?"
    assert "differ" not in " ".join(answer_focus(question, 0, focus))
    question = "What does CAS do and when did it start?"
    assert set(answer_focus(question, question.index("when"), focus)) >= {"cas", "start"}


@pytest.mark.parametrize(
    "question, years",
    [
        ("How many children were looked after in 2031?", ("2031",)),
        ("what changed since 2023 in the 2025 report?", ("2025",)),
        ("our 2022 report flagged private fostering - is that fixed now?", ()),
        ("what was Anytown judged at its last inspection before 2026?", ()),
    ],
)
def test_years_that_must_speak(question, years):
    assert speaking_years(question) == years


def test_a_question_asking_for_areas_for_improvement_lifts_any_report_s_name_for_them():
    taxonomy = load_taxonomy()
    assert asks_for_sections("What are the areas for improvement in Anytown?") == "improvement"
    assert asks_for_sections("what are Anytown's strengths?") == "strength"
    assert asks_for_sections("how long do children wait?") == ""
    assert taxonomy.in_section_class("What needs to improve", "ilacs", "improvement")
    assert not taxonomy.in_section_class("Strengths", "jtai", "improvement")
    assert taxonomy.in_section_class("Strengths", "jtai", "strength")


@pytest.mark.parametrize(
    "question, named",
    [
        ("What did the joint targeted area inspection in Liverpool find?", ("Liverpool",)),
        ("whats in worcestershire county council's toolkit?", ("Worcestershire",)),
        ("north lincolnshire or lincolnshire?", ("North Lincolnshire", "Lincolnshire")),
        ("Hull and Stoke-on-Trent", ("Stoke-on-Trent", "Kingston upon Hull")),
        # Names that are common words count only as names.
        ("a reading list from New York", ()),
        ("bury the past", ()),
    ],
)
def test_every_english_local_authority_is_recognised_whether_indexed_or_not(question, named):
    assert load_taxonomy().authorities_named(question) == named


def test_abbreviations_no_document_spells_out_are_expanded_from_the_taxonomy():
    from assistant.question.parse import expand_acronyms

    glossary = load_taxonomy().abbreviations()
    assert glossary["CP"] == ["child protection"] and "children in care" in glossary["CIC"]
    assert ("CP", "child protection") in expand_acronyms("how many kids were on CP plans?", glossary)


def test_a_cue_typed_without_its_apostrophe_is_placed_in_the_question_as_typed():

    question = "when did it start, and whats the rate?"
    kind, at = answer_type(question, False)
    assert kind == "number" and question[at:].startswith("whats the rate")


@pytest.mark.parametrize(
    "question, topic",
    [
        ("For a training session: what did inspectors say about the voice of the child?", {"voic", "child"}),
        ("I'm running a session on management oversight - what did inspectors find?", {"management", "oversight"}),
        ("prepping a session on supervision, what do the reports say?", {"supervision"}),
        ("Summarise for trainees what inspectors said about care leavers' housing", {"leaver", "hous"}),
        ("what do inspectors say about supervision, for a training session?", {"supervision"}),
        ("For a workshop on drift and delay, what examples do the reports give?", {"drift", "delay"}),
    ],
)
def test_a_trainers_framing_is_not_the_focus(question, topic):
    # Why a trainer asks ("for a training session") is not what the documents are searched for.
    intent = parse(question)
    focus = set(terms(intent.text))
    assert topic <= focus, intent.text
    assert not focus & set(terms("training session prepping running summarise trainees")), intent.text


def test_words_like_a_framings_stay_when_they_are_the_question():
    assert parse("What did the team meeting decide about supervision?").text.startswith("What did the team meeting")
    assert parse("before the meeting, who chairs the board?").text.startswith("before the meeting")
