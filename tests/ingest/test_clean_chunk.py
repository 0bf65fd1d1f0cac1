"""Cleaning and chunking on small hand-made text (no model, no index): fast."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.core.text import count_tokens
from assistant.core.types import Document, DocumentInfo
from ingest.chunk import chunk_document
from ingest.clean import clean_document

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
INSERTED = " \n•"  # what cleaning adds: paragraph breaks, joining spaces, bullets


def clean(raw: str, doc_type: str = "unknown") -> Document:
    return clean_document(Document(DocumentInfo("test-doc", "test-doc.txt", "Test document", doc_type=doc_type), raw))


def assert_offsets_map_back(doc: Document) -> None:
    assert len(doc.offsets) == len(doc.text)
    for i, ch in enumerate(doc.text):
        if ch in INSERTED:
            continue
        assert doc.raw_text[doc.offsets[i]] == ch, (i, ch, doc.text[max(0, i - 20) : i + 20])


# --- Page furniture ----------------------------------------------------------------------------


def test_page_number_lines_are_removed():
    raw = (
        "Leaders have a clear vision for children's mental health services.\n\n"
        "12\n\n"
        "more detail follows on the next page about the plans that were agreed.\n\n"
        "Page 12 of 46\n\n"
        "the plans were agreed by the board in January 2020.\n"
    )
    doc = clean(raw)
    assert "12" not in doc.text.replace("2020", "")
    assert "Page" not in doc.text
    assert doc.text.startswith("Leaders have a clear vision for children's mental health services.")
    assert "more detail follows on the next page about the plans that were agreed." in doc.text
    assert doc.text.endswith("the plans were agreed by the board in January 2020.")
    assert_offsets_map_back(doc)


def test_a_running_header_beside_a_page_number_is_removed():
    raw = (
        "Health visitors see every family with a new baby within fourteen days of the birth.\n\n"
        "Review of Health services for Children Looked After and Safeguarding in Sefton\n"
        "Page 12 of 46\n\n"
        "School nurses run drop-in sessions in every secondary school in the borough.\n"
    )
    doc = clean(raw)
    assert "Review of Health services" not in doc.text
    assert "Page 12" not in doc.text
    assert "Health visitors see every family" in doc.text and "School nurses run drop-in" in doc.text


def test_a_sentence_line_beside_a_page_number_is_kept():
    """A page break inside a sentence: the line before the page number ends with "to", so it
    is the sentence's text, not a running header."""
    raw = (
        "The partnership has not yet reviewed how it responds to\n\n"
        "12\n\n"
        "children who go missing from home or care, and it plans to do so in 2020.\n"
    )
    doc = clean(raw)
    assert doc.text == (
        "The partnership has not yet reviewed how it responds to children who go missing "
        "from home or care, and it plans to do so in 2020."
    )


# --- Footnotes ---------------------------------------------------------------------------------


def test_footnote_markers_are_removed_and_footnote_text_moves_to_the_end():
    # As the letter has it: the page ends mid-sentence, a rule of spaces, the footnote, and the
    # sentence goes on on the next page.
    raw = (
        "This inspection evaluated the multi-agency response to children in Sefton.1 This "
        "inspection was carried out by four inspectorates working together to look at\n\n"
        "                                        \n"
        "1 This joint inspection was conducted under section 20 of the Children Act 2004.\n"
        "the experiences of children and the plans made for them.\n\n"
        "The partnership has agreed an action plan in response to the findings.\n"
    )
    doc = clean(raw)
    assert doc.text.split("\n\n") == [
        "This inspection evaluated the multi-agency response to children in Sefton. This inspection was "
        "carried out by four inspectorates working together to look at the experiences of children and "
        "the plans made for them.",
        "The partnership has agreed an action plan in response to the findings.",
        "1 This joint inspection was conducted under section 20 of the Children Act 2004.",
    ]
    assert_offsets_map_back(doc)


def test_every_footnote_under_one_rule_moves_to_the_end():
    raw = (
        "Inspectors looked at the experiences of children in Sefton.1 They also looked at\n\n"
        "                                        \n"
        "1 The inspectorates are Ofsted, CQC, HMICFRS and HMI Probation.\n"
        "2 Children and young people aged 10 to 17.\n"
        "the plans made for them by the partnership.\n"
    )
    doc = clean(raw)
    assert doc.text.split("\n\n") == [
        "Inspectors looked at the experiences of children in Sefton. They also looked at the plans made "
        "for them by the partnership.",
        "1 The inspectorates are Ofsted, CQC, HMICFRS and HMI Probation.",
        "2 Children and young people aged 10 to 17.",
    ]


# --- Tables ------------------------------------------------------------------------------------


HEADER = (
    "The Outcomes we are\naiming for\nAction\nRef.\nThe actions we are\ntaking\n"
    "Why we are doing\nthis?\nResponsible\nlead\n"
)
ROWS = [
    "1.1.1 To refresh the strategy for children and young people.\nThe strategy was agreed by Council in January.\n",
    "1.1.2 To review the joint commissioning plan for mental health.\nThis has been delayed by Covid.\n",
    "1.1.3 To publish the market position statement for providers.\nIt was published in March 2020.\n",
    "1.2.1 To audit waiting times for CAMHS across the borough.\nThe audit was completed in August.\n",
]


def test_table_headers_repeated_on_every_page_are_removed():
    doc = clean("\n".join(HEADER + row for row in ROWS), doc_type="action_plan")
    for word in ("Outcomes", "aiming for", "Ref.", "Why we are doing", "Responsible"):
        assert word not in doc.text, word
    for row in ROWS:
        first, second = row.splitlines()
        assert first in doc.text and second in doc.text
    assert doc.text.startswith("1.1.1 To refresh the strategy")
    assert_offsets_map_back(doc)


def test_rows_parsed_once_give_the_chunks_parsing_inside_gives(monkeypatch):
    """Ingest parses an action plan once and hands its rows to chunking: the same chunks."""
    import ingest.chunk
    from ingest.actions import parse_action_plan

    doc = clean("\n".join(HEADER + row for row in ROWS), doc_type="action_plan")
    expected = chunk_document(doc)
    rows = parse_action_plan(doc)
    assert rows and any(c.kind == "action" for c in expected)
    monkeypatch.setattr(ingest.chunk, "parse_action_plan", lambda doc: pytest.fail("parsed a second time"))
    assert chunk_document(doc, action_rows=rows) == expected


# --- Line breaks -------------------------------------------------------------------------------


def test_words_hyphenated_across_lines_are_joined_as_the_document_spells_them():
    raw = (
        "The partnership has made progress in commis-\n\n"
        "sioning services, and its commissioning plan is clear. Children's well-\n\n"
        "being is a priority, because well-being matters to every agency. Multi-\n\n"
        "agency meetings take place every month.\n"
    )
    doc = clean(raw)
    assert "progress in commissioning services" in doc.text
    assert "Children's well-being is a priority" in doc.text
    # Neither spelling elsewhere: the hyphen, which the source shows, stays.
    assert "Multi-agency meetings" in doc.text
    assert "commis-" not in doc.text and "sioning" not in doc.text.replace("commissioning", "")
    assert_offsets_map_back(doc)


def test_wrapped_lines_join_into_one_paragraph():
    raw = (
        "Leaders across the strategic partnership need to take swift and decisive action\n"
        "to ensure that the mental health needs of children in the borough are fully\n"
        "understood and addressed, with a particular focus on avoiding drift and delay.\n\n"
        "Areas for improvement\n\n"
        "The relevant strategic partners are not always involved in decisions about which\n"
        "services are needed for children with emotional well-being needs.\n"
    )
    doc = clean(raw)
    assert doc.text.split("\n\n") == [
        "Leaders across the strategic partnership need to take swift and decisive action to ensure that "
        "the mental health needs of children in the borough are fully understood and addressed, with a "
        "particular focus on avoiding drift and delay.",
        "Areas for improvement",
        "The relevant strategic partners are not always involved in decisions about which services are "
        "needed for children with emotional well-being needs.",
    ]
    assert_offsets_map_back(doc)


# --- Bullets -----------------------------------------------------------------------------------


@pytest.mark.parametrize("glyph", ["◼", "▪", "■", "●", "•", "o"])
def test_bullets_become_bullet_paragraphs(glyph):
    raw = (
        f"Leaders need to ensure that:\n\n"
        f"{glyph} the mental health needs of children in the borough are fully understood and\n"
        f"addressed, with a particular focus on avoiding drift and delay\n"
        f" {glyph} there is improvement in communication and information-sharing\n"
        f"{glyph} child protection procedures are followed.\n"
    )
    doc = clean(raw)
    assert doc.text.split("\n\n") == [
        "Leaders need to ensure that:",
        "• the mental health needs of children in the borough are fully understood and addressed, "
        "with a particular focus on avoiding drift and delay",
        "• there is improvement in communication and information-sharing",
        "• child protection procedures are followed.",
    ]
    assert_offsets_map_back(doc)
    # The bullet stands where the glyph was.
    for i, ch in enumerate(doc.text):
        if ch == "•":
            assert doc.raw_text[doc.offsets[i]] == glyph


# --- Offsets -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(p.name for p in CORPUS.glob("*.txt")))
def test_offsets_of_the_real_documents_map_back_to_the_same_characters(name):
    doc = clean((CORPUS / name).read_text(encoding="utf-8"))
    assert doc.text
    assert_offsets_map_back(doc)
    # Cleaned text is the raw text minus furniture: offsets only go forward, except at the
    # footnotes moved to the end.
    backwards = sum(1 for a, b in zip(doc.offsets, doc.offsets[1:]) if b < a)
    assert backwards <= doc.text.count("\n\n") and backwards <= 2


def test_raw_span_of_a_cleaned_span_shows_the_source():
    raw = "Areas for improvement\n\n◼ Joint commissioning across the partnership is under-\ndeveloped and is not\nbased on need.\n"
    doc = clean(raw)
    start = doc.text.index("Joint")
    end = doc.text.index("need.") + len("need.")
    a, b = doc.raw_span(start, end)
    assert raw[a:b] == "Joint commissioning across the partnership is under-\ndeveloped and is not\nbased on need."


# --- Chunks ------------------------------------------------------------------------------------


LETTER = """Areas for improvement

◼ Leaders do not seek analysis or detailed information on children's equality and
diversity needs, and this limits their understanding of need.

◼ Joint commissioning across the partnership is underdeveloped and is not based on a
clear understanding of need.

Key strengths

◼ Senior leaders across the partnership share a commitment to multi-agency working.
"""


def test_each_finding_of_a_letter_is_its_own_passage_under_its_heading():
    doc = clean(LETTER, doc_type="inspection_letter")
    chunks = chunk_document(doc, max_tokens=180)
    assert [(c.kind, c.section) for c in chunks] == [
        ("finding", "Areas for improvement"),
        ("finding", "Areas for improvement"),
        ("finding", "Key strengths"),
    ]
    assert chunks[0].passage.startswith("Areas for improvement\n\n• Leaders do not seek")
    assert chunks[1].passage.startswith("• Joint commissioning") and chunks[1].passage.endswith("need.")
    for chunk in chunks:
        assert doc.text[chunk.start : chunk.end] == chunk.passage
        assert chunk.passage.count("•") == 1
    # Ids stay while the text does, and change with it.
    assert [c.chunk_id for c in chunk_document(clean(LETTER, "inspection_letter"))] == [c.chunk_id for c in chunks]
    changed = chunk_document(clean(LETTER.replace("multi-agency working", "joint working"), "inspection_letter"))
    assert [c.chunk_id for c in changed][:2] == [c.chunk_id for c in chunks][:2]
    assert changed[2].chunk_id != chunks[2].chunk_id


SCRUTINY = (
    "Impact of Covid 19\n\n"
    "8.3 Children's Social Care kept in touch with children through virtual visits.\n\n"
    "8.4 There has been a significant reduction of referrals in MASH.\n\n"
    + "\n\n".join(
        [
            "Referrals fell in April.",
            "Visits moved online.",
            "Courts were delayed.",
            "Schools stayed open.",
            "Staff were redeployed.",
            "Demand rose in June.",
        ]
        * 2
    )
    + "\n"
)


def test_numbered_paragraphs_keep_their_reference_and_continuation():
    doc = clean(SCRUTINY, doc_type="scrutiny_report")
    chunks = chunk_document(doc, max_tokens=180)
    assert [(c.ref, c.kind, c.section) for c in chunks] == [
        ("8.3", "paragraph", "Impact of Covid 19"),
        ("8.4", "paragraph", "Impact of Covid 19"),
    ]
    assert chunks[1].passage.startswith("8.4 There has been") and chunks[1].passage.endswith("Demand rose in June.")


def test_a_long_passage_is_cut_into_pieces_within_max_tokens():
    # Without 8.3 the heading is shown with 8.4, as part of its passage.
    doc = clean(SCRUTINY.replace(SCRUTINY.split("\n\n")[1] + "\n\n", ""), doc_type="scrutiny_report")
    chunks = [c for c in chunk_document(doc, max_tokens=24) if c.ref == "8.4"]
    assert len(chunks) > 1
    assert len({c.passage for c in chunks}) == 1 and len({c.passage_id for c in chunks}) == 1
    assert [c.part for c in chunks] == list(range(len(chunks)))
    for chunk in chunks:
        assert chunk.text in chunk.passage
    too_long = [(c.part, count_tokens(c.text)) for c in chunk_document(doc, max_tokens=24) if count_tokens(c.text) > 24]
    assert not too_long, f"pieces over max_tokens=24 (part, tokens): {too_long}"
