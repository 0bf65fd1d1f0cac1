"""End-to-end ingest: the real corpus, the real model and a real Chroma store; no mocks.

What the whole corpus must come out as (chunks that fit the model, passages that are spans of the
cleaned text, action rows, findings, references), then what ingest does when the corpus changes:
nothing to do, one file changed, one deleted, one added without a manifest entry, bad files, a
broken manifest.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

import fixture_files as ff
from assistant.core.errors import ManifestError
from assistant.core.types import Filters, date_as_int
from assistant.store import STATE_FILE, chroma_client, forget_loaded, open_index
from conftest import CORPUS, SMALL_DOCS, run_cli, write_manifest

LETTER = "sefton-jtai-letter-2019"
SCRUTINY = "sefton-jtai-scrutiny-report-2020"
PLAN = "sefton-jtai-action-plan-2020"
CQC = "sefton-cqc-health-review"
OFSTED = "sefton-ofsted-inspection-2016"
ILACS_2022, ILACS_2025 = "sefton-ilacs-2022", "sefton-ilacs-2025"
ALL_DOCS = {LETTER, SCRUTINY, PLAN, CQC, OFSTED, ILACS_2022, ILACS_2025}

# A paragraph no document holds, so a search for it can only find the changed document.
ADDENDUM = (
    "Addendum September 2020. The partnership opened a zebrafish therapy garden in Bootle "
    "for children who are waiting for CAMHS support."
)
ADDENDUM_QUESTION = "Where did the partnership open a zebrafish therapy garden?"

EXPECTED_ACTIONS = (
    [f"1.1.{i}" for i in range(1, 4)]
    + [f"1.2.{i}" for i in range(1, 9)]
    + ["1.3.1", "1.3.2", "2.1.1"]
    + [f"2.2.{i}" for i in range(1, 4)]
    + [f"2.3.{i}" for i in range(1, 7)]
    + ["3.1.1", "3.2.1"]
    + [f"3.3.{i}" for i in range(1, 5)]
    + [f"4.1.{i}" for i in range(1, 5)]
    + ["4.2.1"]
    + [f"4.3.{i}" for i in range(1, 5)]
)
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def manifest_ids() -> set[str]:
    return set(re.findall(r'(?m)^id\s*=\s*"([^"]+)"', (CORPUS / "manifest.toml").read_text()))


def letters(text: str) -> str:
    """Only the letters, lower-cased: compares raw and cleaned text across line breaks,
    hyphenation, bullets and footnote markers."""
    return re.sub(r"[^a-z]", "", text.lower())


def append(path: Path, paragraph: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").rstrip() + "\n\n" + paragraph + "\n", encoding="utf-8")


def collection_ids(collection) -> list[str]:
    return list(collection.get(include=[])["ids"])


@pytest.fixture(scope="module")
def index(corpus_index):
    return open_index(corpus_index.settings)


@pytest.fixture(scope="module")
def cleaned(corpus_index):
    """Every corpus document loaded and cleaned again, as ingest cleaned it (no model needed)."""
    from ingest.clean import clean_document
    from ingest.load import load_documents

    documents, errors = load_documents(corpus_index.corpus_dir, None, corpus_index.settings)
    assert not errors
    return {doc.info.doc_id: clean_document(doc) for doc in documents}


# --- The real corpus ---------------------------------------------------------------------------


def test_every_document_of_the_corpus_has_chunks(corpus_index, index):
    report = corpus_index.report
    assert report.documents == len(ALL_DOCS) and not report.errors
    assert set(index.docs) == ALL_DOCS == manifest_ids()
    assert sorted(report.embedded_docs) == sorted(ALL_DOCS)
    counts = Counter(c.doc_id for c in index.chunks)
    assert set(counts) == ALL_DOCS
    assert all(n > 0 for n in counts.values()), counts
    assert report.chunks == len(index.chunks) == sum(counts.values())
    assert index.collection.count() == len(index.chunks)
    assert len({c.chunk_id for c in index.chunks}) == len(index.chunks)


def test_every_chunk_fits_the_models_word_piece_limit(index):
    """The encoder reads 256 word pieces: the chunk text, and what is embedded (context + text),
    must fit or the end of the text would be silently cut off."""
    from assistant.core.embed import max_word_pieces, word_pieces
    from ingest.index import embedding_input

    assert max_word_pieces() == 256
    too_long = [(c.chunk_id, n) for c in index.chunks if (n := word_pieces(c.text)) > 256]
    assert not too_long
    embedded_too_long = [(c.chunk_id, n) for c in index.chunks if (n := word_pieces(embedding_input(c))) > 256]
    assert not embedded_too_long


def test_every_chunk_fits_embed_max_tokens(corpus_index, index):
    from assistant.core.text import count_tokens

    limit = corpus_index.settings.embed_max_tokens
    too_long = [(c.chunk_id, n) for c in index.chunks if (n := count_tokens(c.text)) > limit]
    assert not too_long, f"{len(too_long)} chunks over embed_max_tokens={limit}: {too_long}"
    assert all(c.tokens == count_tokens(c.text) for c in index.chunks)


def test_passages_are_spans_of_the_cleaned_text(index, cleaned):
    for chunk in index.chunks:
        doc = cleaned[chunk.doc_id]
        assert doc.text[chunk.start : chunk.end] == chunk.passage, chunk.chunk_id
        assert chunk.text and chunk.text in chunk.passage, chunk.chunk_id
        assert (chunk.raw_start, chunk.raw_end) == doc.raw_span(chunk.start, chunk.end), chunk.chunk_id
        # The raw span starts and ends where the passage does, in the source as it was loaded
        # (it may start with the bullet glyph, "o " included, that the passage shows as "• ").
        raw = letters(doc.raw_text[chunk.raw_start : chunk.raw_end])
        assert letters(chunk.passage)[:20] in raw[:22], chunk.chunk_id
        assert raw.endswith(letters(chunk.passage)[-20:]), chunk.chunk_id


def test_pieces_of_a_passage_share_it_and_cover_it_in_order(index):
    by_passage: dict[str, list] = {}
    for chunk in index.chunks:
        by_passage.setdefault(chunk.passage_id, []).append(chunk)
    for pid, pieces in by_passage.items():
        pieces.sort(key=lambda c: c.part)
        assert [c.part for c in pieces] == list(range(len(pieces))), pid
        assert len({(c.passage, c.section, c.kind, c.ref) for c in pieces}) == 1, pid
        at = 0
        for piece in pieces:
            found = pieces[0].passage.find(piece.text, at)
            assert found >= at, (pid, piece.part)
            at = found + len(piece.text)


def test_chunk_metadata_comes_from_the_manifest(index):
    from ingest.manifest import read_manifest

    infos = {info.doc_id: info for info in read_manifest(CORPUS)}
    for chunk in index.chunks:
        info = infos[chunk.doc_id]
        assert (chunk.title, chunk.doc_type, chunk.publisher, chunk.date) == (
            info.title,
            info.doc_type,
            info.publisher,
            info.published,
        ), chunk.chunk_id
        assert chunk.title and chunk.doc_type != "unknown"
    for doc_id in ALL_DOCS:
        chunks = [c for c in index.chunks if c.doc_id == doc_id]
        with_section = sum(1 for c in chunks if c.section)
        assert with_section >= 0.9 * len(chunks), (doc_id, with_section, len(chunks))
    # Chroma holds the facts filters use, and only those (each field is a row of its sqlite file).
    first = index.chunks[0]
    sample = index.collection.get(ids=[first.chunk_id], include=["metadatas"])["metadatas"][0]
    assert sample == {
        "doc_id": first.doc_id,
        "doc_type": first.doc_type,
        "date_int": date_as_int(first.date),
        "council": first.council,
        "judgement": first.judgement,
    }


# --- The action plan ---------------------------------------------------------------------------


def action_refs_in_raw_file() -> list[str]:
    raw = (CORPUS / f"{PLAN}.txt").read_text(encoding="utf-8")
    found = set()
    for m in re.finditer(r"(?<![\d.])([1-4])\.(\d{1,2})\.(\d{1,2})(?![.\d])", raw):
        if re.search(r"\bsee\s+$", raw[max(0, m.start() - 5) : m.start()], re.I):
            continue  # a cross-reference to another row ("See 1.1.13", a typo in the source)
        day, month, year = map(int, m.groups())
        if month <= 12 and 19 <= year <= 21:
            continue  # a date ("1.5.20: Presentation developed ...")
        found.add(m.group(0))
    return sorted(found, key=lambda r: tuple(map(int, r.split("."))))


def test_every_action_reference_is_a_row_and_an_action_chunk(index):
    refs = action_refs_in_raw_file()
    assert refs == EXPECTED_ACTIONS
    missing_rows = [r for r in refs if r not in index.actions]
    assert not missing_rows
    action_chunks = {c.ref for c in index.chunks if c.doc_id == PLAN and c.kind == "action"}
    assert [r for r in refs if r not in action_chunks] == []
    for ref in refs:
        row = index.actions[ref]
        assert row.doc_id == PLAN
        chunk = next(c for c in index.chunks if c.ref == ref and c.kind == "action")
        assert chunk.passage.startswith(ref), ref
        assert chunk.section.startswith(f"Priority {ref[0]}"), (ref, chunk.section)


def test_known_progress_notes_and_status(index):
    row = index.actions["1.1.2"]
    notes = {p.label: p for p in row.progress}
    assert notes["Progress August 2020"].date == "2020-08"
    assert "delayed" in notes["Progress August 2020"].text
    row = index.actions["1.1.1"]
    notes = {p.label: p for p in row.progress}
    assert notes["Progress April 2020"].date == "2020-04"
    assert "launch event" in notes["Progress April 2020"].text
    assert row.status == "Completed"
    assert row.latest_progress().label == "Progress April 2020"


def test_every_dated_progress_note_of_a_row_is_parsed(index):
    """A row whose text says "Progress August 2020 ..." carries that note with its date."""
    pattern = re.compile(r"\bProgress ((" + "|".join(_MONTHS) + r") (20\d\d))\b")
    missing = []
    for ref in EXPECTED_ACTIONS:
        row = index.actions[ref]
        labels = {p.label: p.date for p in row.progress}
        for m in pattern.finditer(row.text):
            date = f"{m.group(3)}-{_MONTHS.index(m.group(2)) + 1:02d}"
            if labels.get(m.group(0)) != date:
                missing.append((ref, m.group(0)))
    assert not missing, f"dated progress notes in the row text but not parsed: {missing}"


# --- The letter, the scrutiny report, the health review -----------------------------------------


def test_each_area_for_improvement_is_its_own_finding(index):
    raw = (CORPUS / f"{LETTER}.txt").read_text(encoding="utf-8")
    start = re.search(r"(?m)^Areas for improvement\s*$", raw).end()
    end = re.search(r"(?m)^\s*Case study", raw[start:]).start() + start
    glyphs = raw[start:end].count("◼")
    assert glyphs == 34
    findings = [
        c
        for c in index.chunks
        if c.doc_id == LETTER
        and c.kind == "finding"
        and c.part == 0
        and c.section.split(" > ")[-1] == "Areas for improvement"
    ]
    assert len(findings) == glyphs
    for chunk in findings:
        assert chunk.passage.count("• ") == 1, chunk.passage[:80]
        assert "Areas for improvement" in chunk.section.split(" > ")


def test_every_finding_of_the_letter_is_one_whole_passage(index):
    """Each ◼ finding, up to the next finding, blank line or case study, is inside one
    passage of kind "finding" (no part of it left in a passage of its own)."""
    raw = (CORPUS / f"{LETTER}.txt").read_text(encoding="utf-8")
    passages = {c.passage_id: c for c in index.chunks if c.doc_id == LETTER}
    broken = []
    for m in re.finditer("◼", raw):
        rest = raw[m.end() :]
        stop = re.search(r"\n[ \t]*\n|◼|\n *Case study", rest)
        finding = letters(rest[: stop.start()] if stop else rest)
        holders = [c for c in passages.values() if finding[:60] in letters(c.passage)]
        if len(holders) != 1 or holders[0].kind != "finding" or finding not in letters(holders[0].passage):
            broken.append(rest[:70].strip())
    assert not broken, f"findings cut in two or merged: {broken}"


def test_scrutiny_paragraphs_keep_their_references(index):
    raw = (CORPUS / f"{SCRUTINY}.txt").read_text(encoding="utf-8")
    refs = re.findall(r"(?m)^\s*(\d{1,2}\.\d{1,2})\.?\s+\S", raw)
    assert "8.4" in refs
    chunks = {c.ref: c for c in index.chunks if c.doc_id == SCRUTINY and c.ref}
    assert [r for r in refs if r not in chunks] == []
    para = chunks["8.4"]
    assert para.passage.startswith("8.4 There has been a significant reduction of referrals in MASH")
    assert para.kind == "paragraph"
    assert para.section


def test_cqc_recommendation_15_7_is_a_recommendation(index):
    chunk = next(c for c in index.chunks if c.doc_id == CQC and c.ref == "15.7")
    assert chunk.passage.startswith("15.7 Ensure that practitioners are able to access")
    assert chunk.kind == "recommendation", (chunk.kind, chunk.section)


def test_cqc_recommendation_15_7_is_filed_under_recommendations(index):
    chunk = next(c for c in index.chunks if c.doc_id == CQC and c.ref == "15.7")
    top = chunk.section.split(" > ")[0]
    assert top == "Recommendations", chunk.section
    assert not chunk.section.split(" > ")[-1].startswith("14."), chunk.section


# --- Ingest again ------------------------------------------------------------------------------


def test_ingest_twice_changes_nothing_and_embeds_nothing(corpus_index, index):
    from ingest.index import build_index

    settings = corpus_index.settings
    state_before = (settings.index_dir / STATE_FILE).read_bytes()
    files_before = sorted(p.name for p in settings.index_dir.iterdir())
    ids_before = [c.chunk_id for c in index.chunks]

    report = build_index(settings, progress=False)

    assert report.up_to_date
    assert report.embedded_chunks == 0 and report.embedded_docs == [] and report.removed_docs == []
    assert report.documents == corpus_index.report.documents
    assert report.chunks == corpus_index.report.chunks
    assert (settings.index_dir / STATE_FILE).read_bytes() == state_before
    assert sorted(p.name for p in settings.index_dir.iterdir()) == files_before
    forget_loaded()
    again = open_index(settings)
    assert [c.chunk_id for c in again.chunks] == ids_before
    assert again.collection.count() == len(ids_before)


def test_chunk_ids_are_the_same_in_separate_builds(corpus_index, index, small_index_template):
    """Chunk ids depend on the text, not on the build: two builds of a document agree."""
    small = open_index(small_index_template.settings, with_collection=False)
    for doc_id in SMALL_DOCS:
        assert [c.chunk_id for c in small.chunks if c.doc_id == doc_id] == [
            c.chunk_id for c in index.chunks if c.doc_id == doc_id
        ]
    forget_loaded()


def test_a_changed_document_alone_is_embedded_again(small_index):
    from assistant.retrieval.retrieve import retrieve
    from ingest.index import build_index

    settings = small_index.settings
    old = open_index(settings)
    old_ids = {d: [c.chunk_id for c in old.chunks if c.doc_id == d] for d in SMALL_DOCS}
    old_letter_vectors = old.collection.get(ids=old_ids[LETTER], include=["embeddings"])
    forget_loaded()

    append(small_index.file_of(SCRUTINY), ADDENDUM)
    report = build_index(settings, progress=False)

    assert not report.errors and not report.up_to_date
    assert report.embedded_docs == [SCRUTINY]
    assert report.reused_docs == [LETTER]
    index = open_index(settings)
    new_scrutiny = [c for c in index.chunks if c.doc_id == SCRUTINY]
    assert report.embedded_chunks == len(new_scrutiny)
    assert [c.chunk_id for c in index.chunks if c.doc_id == LETTER] == old_ids[LETTER]
    assert any("zebrafish" in c.passage for c in new_scrutiny)
    assert {c.chunk_id for c in new_scrutiny} != set(old_ids[SCRUTINY])
    # The letter's vectors were copied, not computed again.
    got = index.collection.get(ids=old_ids[LETTER], include=["embeddings"])
    new_vectors = dict(zip(got["ids"], got["embeddings"]))
    for cid, vec in zip(old_letter_vectors["ids"], old_letter_vectors["embeddings"]):
        np.testing.assert_allclose(new_vectors[cid], vec, atol=1e-6)
    # One entry per chunk in the store: the old version's chunks are gone, none duplicated.
    ids = collection_ids(index.collection)
    assert len(ids) == len(set(ids)) == index.collection.count() == len(index.chunks)
    assert set(ids) == {c.chunk_id for c in index.chunks}

    hits = retrieve(ADDENDUM_QUESTION, settings=settings, index=index)
    assert hits and hits[0].chunk.doc_id == SCRUTINY and "zebrafish" in hits[0].chunk.passage
    forget_loaded()


def test_a_deleted_document_is_removed_from_everything(small_index):
    from assistant.retrieval.retrieve import retrieve
    from ingest.index import build_index

    settings = small_index.settings
    small_index.file_of(LETTER).unlink()
    write_manifest(small_index.corpus_dir, [SCRUTINY])
    report = build_index(settings, progress=False)

    assert not report.errors
    assert report.removed_docs == [LETTER]
    assert report.embedded_docs == [] and report.embedded_chunks == 0
    index = open_index(settings)
    assert set(index.docs) == {SCRUTINY}
    assert not [c for c in index.chunks if c.doc_id == LETTER]
    assert not [a for a in index.actions.values() if a.doc_id == LETTER]
    assert index.collection.count() == len(index.chunks)
    assert index.collection.get(where={"doc_id": LETTER}, include=[])["ids"] == []
    assert set(read_state_docs(settings)) == {SCRUTINY}
    for question in (
        "What are the areas for improvement in the JTAI letter?",
        "Do emergency department staff at Alder Hey have the right training?",
        "What did inspectors say about the police vulnerable person referral form?",
    ):
        hits = retrieve(question, settings=settings, index=index, k=10)
        assert hits and all(h.chunk.doc_id != LETTER for h in hits), question
    assert retrieve("areas for improvement", settings=settings, index=index, filters=Filters(doc_ids=(LETTER,))) == []
    forget_loaded()


def read_state_docs(settings) -> dict:
    from assistant.store import read_state

    return read_state(settings.index_dir).docs


def test_a_document_without_a_manifest_entry_is_described_from_its_text(small_index):
    from assistant.retrieval.retrieve import retrieve
    from ingest.index import build_index

    settings = small_index.settings
    (small_index.corpus_dir / "local-offer-review.md").write_text(
        "# Local offer review notes\n\n"
        "Published 3 March 2021\n\n"
        "The partnership reviewed its local offer for children with special educational needs. "
        "Parents said the new sensory play service in Formby was hard to find online.\n",
        encoding="utf-8",
    )
    report = build_index(settings, progress=False)

    assert not report.errors
    assert report.embedded_docs == ["local-offer-review"]
    index = open_index(settings)
    info = index.docs["local-offer-review"]
    assert info.doc_type == "other"  # of no kind the taxonomy knows
    assert info.title == "Local offer review notes"
    assert info.published == "2021-03-03"
    assert info.in_manifest is False
    chunks = [c for c in index.chunks if c.doc_id == "local-offer-review"]
    assert chunks and all(
        c.date == "2021-03-03" and c.doc_type == "other" and c.title == "Local offer review notes" for c in chunks
    )
    hits = retrieve("Where is the sensory play service?", settings=settings, index=index)
    assert hits[0].chunk.doc_id == "local-offer-review"
    forget_loaded()


# --- Bad input -------------------------------------------------------------------------------


def test_bad_files_are_one_error_each_and_the_rest_is_ingested(small_index):
    corpus = small_index.corpus_dir
    (corpus / "empty.txt").write_bytes(b"")
    ff.make_random_bytes(corpus / "binary.txt")
    ff.make_corrupt_pdf(corpus / "corrupt.pdf")
    bad = ["empty.txt", "binary.txt", "corrupt.pdf"]
    append(small_index.file_of(SCRUTINY), ADDENDUM)

    done = run_cli("ingest", "--quiet", "--corpus-dir", corpus, "--index-dir", small_index.index_dir)

    assert done.returncode == 1, done.stderr
    failed = [line for line in done.stderr.splitlines() if line.startswith("failed:")]
    assert len(failed) == 3, done.stderr
    for name in bad:
        assert sum(name in line for line in failed) == 1, (name, failed)
    assert "embedded" in done.stdout and SCRUTINY in done.stdout
    index = open_index(small_index.settings)
    assert set(index.docs) == set(SMALL_DOCS)
    assert any("zebrafish" in c.passage for c in index.chunks if c.doc_id == SCRUTINY)
    assert index.collection.count() == len(index.chunks)
    forget_loaded()


def test_a_malformed_manifest_stops_ingest_before_anything_changes(small_index):
    from ingest.index import build_index

    settings = small_index.settings
    manifest = small_index.corpus_dir / "manifest.toml"
    lines = manifest.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines) if line.startswith("title = ")) + 1
    lines[number - 1] = "title = Joint targeted area inspection, without quotes"
    manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")
    append(small_index.file_of(SCRUTINY), ADDENDUM)  # there would be something to do
    state = (settings.index_dir / STATE_FILE).read_bytes()
    files = sorted(str(p.relative_to(settings.index_dir)) for p in settings.index_dir.rglob("*"))

    with pytest.raises(ManifestError, match=rf"manifest\.toml:{number}\b"):
        build_index(settings, progress=False)
    done = run_cli("ingest", "--quiet", "--corpus-dir", small_index.corpus_dir, "--index-dir", settings.index_dir)

    assert done.returncode == 2, (done.stdout, done.stderr)
    assert f"manifest.toml:{number}" in done.stderr
    assert f"line {number}" in done.stderr
    assert (settings.index_dir / STATE_FILE).read_bytes() == state
    assert sorted(str(p.relative_to(settings.index_dir)) for p in settings.index_dir.rglob("*")) == files
    names = [c if isinstance(c, str) else c.name for c in chroma_client(settings).list_collections()]
    assert names == [read_state_collection(settings)]


def read_state_collection(settings) -> str:
    from assistant.store import read_state

    return read_state(settings.index_dir).collection


def test_ask_without_an_index_says_to_run_ingest(tmp_path):
    empty = tmp_path / "no-index"
    empty.mkdir()
    done = run_cli("ask", "--index-dir", empty, "what's the status of action 2.2.2?")
    assert done.returncode == 2
    assert "run 'assistant ingest' first" in done.stderr
    assert done.stdout == ""
    assert list(empty.iterdir()) == []  # asking creates nothing
