"""load_documents on real files of every format, on bad files, and on the real corpus."""

from __future__ import annotations

import hashlib
import logging
import shutil
from pathlib import Path

import pytest

import fixture_files as ff
from assistant.core.errors import LoadError, ManifestError
from assistant.core.settings import Settings
from ingest.load import load_documents

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
SETTINGS = Settings()


def load_one(folder: Path, settings: Settings = SETTINGS):
    documents, errors = load_documents(folder, None, settings)
    assert errors == [], [str(e) for e in errors]
    assert len(documents) == 1
    return documents[0]


# --- Each format ---------------------------------------------------------------------------


def test_pdf_pages_are_joined_and_numbered(tmp_path):
    path = ff.make_pdf(tmp_path / "findings.pdf")
    doc = load_one(tmp_path)

    assert [number for _, number in doc.pages] == [1, 2, 3]
    assert doc.pages[0][0] == 0
    for (start, number), text in zip(doc.pages, ff.PDF_PAGES):
        first_line = text.splitlines()[0]
        assert doc.raw_text.startswith(first_line, start)
        assert doc.page_at(start + 3) == number
    # Pages are separated by a blank line, and the separator belongs to the page before.
    second = doc.pages[1][0]
    assert doc.raw_text[second - 2 : second] == "\n\n"
    assert doc.page_at(second - 1) == 1
    assert "consistently good" in doc.raw_text
    assert doc.content_hash == hashlib.sha256(path.read_bytes()).hexdigest()
    assert doc.text == "" and doc.offsets == []


def test_pdf_encrypted_against_editing_only_still_loads(tmp_path):
    ff.make_owner_only_pdf(tmp_path / "locked.pdf")
    doc = load_one(tmp_path)
    assert "Practitioners know their children well." in doc.raw_text
    assert len(doc.pages) == 3


def _lines_and_roles(doc):
    return [(doc.raw_text[ln.start : ln.end], ln.role, ln.level) for ln in doc.layout]


def test_docx_headings_paragraphs_and_tables_in_order(tmp_path):
    ff.make_docx(tmp_path / "plan.docx")
    doc = load_one(tmp_path)

    assert _lines_and_roles(doc) == [
        ("Action plan update", "heading", 1),
        ("Priority 1", "heading", 1),
        ("Children's mental health needs are understood.", "body", 0),
        # A table row is one line that carries its column headers.
        ("Ref: 1.2.7 | Action: Audit CAMHS waiting times | Status: Completed", "row", 0),
        ("Progress", "heading", 2),
        ("Progress August 2020: audit completed.", "body", 0),
        ("Spans both columns", "row", 0),  # a merged cell appears once, not once per column
    ]
    assert doc.pages == []


def test_html_keeps_headings_and_drops_script_style_nav(tmp_path):
    ff.make_html(tmp_path / "report.html")
    doc = load_one(tmp_path)

    assert _lines_and_roles(doc) == [
        ("Progress of the action plan", "heading", 1),
        ("Report published 22 September 2020.", "body", 0),
        ("The partnership has made progress. Waiting times fell.", "body", 0),
        ("Recommendations", "heading", 2),
        ("Improve assessments", "bullet", 0),
        ("Review supervision", "bullet", 0),
        ("Ref: 1.1 | Status: Completed", "row", 0),
    ]
    for hidden in ("do-not-index", "also-not-text", "color: red", "Site menu", "a comment"):
        assert hidden not in doc.raw_text
    assert doc.pages == []


def test_html_elements_side_by_side_are_separated_and_tables_are_rows(tmp_path):
    ff.make_html(
        tmp_path / "table.html",
        "<table><tr><th>Count</th><th>Who</th></tr>"
        "<tr><td>153</td><td>Local authorities</td></tr><tr><td>12</td><td>Trusts</td></tr></table>"
        "<div>one</div><div>two</div><span>three</span><span>four</span>",
    )
    doc = load_one(tmp_path)
    assert [line for line, _, _ in _lines_and_roles(doc)] == [
        "Count: 153 | Who: Local authorities",
        "Count: 12 | Who: Trusts",
        "one",
        "two",
        "threefour",
    ]


def test_a_table_that_cannot_be_read_as_rows_is_kept_as_text_with_a_warning(tmp_path, monkeypatch, caplog):
    import ingest.readers.html

    def broken(*args, **kwargs):
        raise IndexError("a layout no rule foresaw")

    monkeypatch.setattr(ingest.readers.html, "_html_table", broken)
    ff.make_html(
        tmp_path / "table.html",
        "<p>Before.</p><table><tr><td>153</td><td>Local authorities</td></tr></table><p>After.</p>",
    )
    with caplog.at_level("WARNING", logger="ingest.readers.tables"):
        doc = load_one(tmp_path)
    assert [line for line, _, _ in _lines_and_roles(doc)] == ["Before.", "153", "Local authorities", "After."]
    assert any("table.html: a table could not be read as rows" in r.getMessage() for r in caplog.records)


def test_html_of_a_thousand_unclosed_or_nested_elements_loads(tmp_path):
    ff.make_html(tmp_path / "unclosed.html", "<p>para " * 1000)
    ff.make_html(tmp_path / "nested.html", "<div>" * 1000 + "deep text" + "</div>" * 1000)
    documents, errors = load_documents(tmp_path, None, SETTINGS)
    assert errors == []
    assert {d.info.file: d.raw_text.count("para") for d in documents}["unclosed.html"] == 1000
    assert "deep text" in next(d.raw_text for d in documents if d.info.file == "nested.html")


def test_htm_extension_is_read_as_html(tmp_path):
    ff.make_html(tmp_path / "report.htm", "<html><body><h2>Sub</h2><p>Body text here.</p></body></html>")
    doc = load_one(tmp_path)
    assert _lines_and_roles(doc) == [("Sub", "heading", 2), ("Body text here.", "body", 0)]


def test_markdown_and_text_are_read_as_utf8(tmp_path):
    (tmp_path / "notes.md").write_bytes("\ufeff# Notes\r\n\r\nChildren\u2019s services.\r\n".encode("utf-8"))
    doc = load_one(tmp_path)
    # The BOM goes; line endings become "\n"; the curly apostrophe survives.
    assert doc.raw_text == "# Notes\n\nChildren\u2019s services.\n"
    assert doc.pages == []


def test_cp1252_text_falls_back_and_keeps_curly_quotes(tmp_path):
    ff.make_cp1252_text(tmp_path / "windows.txt")
    doc = load_one(tmp_path)
    assert doc.raw_text == "The \u201cfront door\u201d service\u2019s budget is \u00a3120,000.\n"


def test_utf16_with_bom_is_text_not_binary(tmp_path):
    (tmp_path / "notepad.txt").write_bytes("Unicode from Notepad\n".encode("utf-16"))
    doc = load_one(tmp_path)
    assert doc.raw_text == "Unicode from Notepad\n"


# --- Bad input: one LoadError each, the others still load -----------------------------------


BAD_FILES = {
    "empty.md": (lambda p: p.write_bytes(b""), "empty"),
    "blank.txt": (lambda p: p.write_text(" \n\t\n"), "no text"),
    "noise.txt": (ff.make_random_bytes, "binary"),
    "control.txt": (lambda p: p.write_bytes(b"ok\x01\x02\x03\x04\x05\x06" * 50), "binary"),
    "mojibake.txt": (lambda p: p.write_bytes(b"ab\x81\x8d\x90\x9d" * 50), "not UTF-8"),
    "cut.pdf": (ff.make_corrupt_pdf, "damaged PDF"),
    "fake.pdf": (lambda p: p.write_text("just text, not a PDF"), "not a readable PDF"),
    "locked.pdf": (ff.make_encrypted_pdf, "encrypted with a password"),
    "blank.pdf": (lambda p: ff.make_pdf(p, ["", ""]), "no text layer"),
    "fake.docx": (lambda p: p.write_text("not a zip"), "not a readable .docx"),
    "noise.html": (ff.make_random_bytes, "binary"),
    "big.md": (ff.make_big_file, "over the 0.1 MB limit"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_file_gives_one_error_and_the_rest_load(tmp_path, name):
    make, expected = BAD_FILES[name]
    make(tmp_path / name)
    ff.make_pdf(tmp_path / "good.pdf")
    ff.make_html(tmp_path / "good.html")
    (tmp_path / "good.md").write_text("# Good\n\nFine text.\n", encoding="utf-8")

    documents, errors = load_documents(tmp_path, None, Settings(max_file_mb=0.1))

    assert [d.info.file for d in documents] == ["good.html", "good.md", "good.pdf"]
    assert len(errors) == 1
    error = errors[0]
    assert isinstance(error, LoadError)
    assert Path(error.path).name == name
    assert expected in error.reason
    assert ":" in error.reason  # the reason goes on to say what to do
    assert "\n" not in str(error)


def test_all_bad_files_together(tmp_path):
    for name, (make, _) in BAD_FILES.items():
        make(tmp_path / name)
    ff.make_docx(tmp_path / "good.docx")

    documents, errors = load_documents(tmp_path, None, Settings(max_file_mb=0.1))

    assert [d.info.file for d in documents] == ["good.docx"]
    assert sorted(Path(e.path).name for e in errors) == sorted(BAD_FILES)


def test_size_is_checked_before_reading(tmp_path, monkeypatch):
    ff.make_big_file(tmp_path / "big.txt", size=300_000)

    def no_reading(self):
        raise AssertionError("an oversized file was read")

    monkeypatch.setattr(Path, "read_bytes", no_reading)
    documents, errors = load_documents(tmp_path, None, Settings(max_file_mb=0.1))
    assert documents == []
    assert "over the 0.1 MB limit" in errors[0].reason


def test_unsupported_hidden_and_manifest_files_are_skipped_quietly(tmp_path, caplog):
    (tmp_path / "sheet.xlsx").write_bytes(b"PK\x03\x04")
    (tmp_path / "README").write_text("read me")
    (tmp_path / "README.md").write_text("# About this folder\nWhat the reports here are.\n")  # not a report
    (tmp_path / ".draft.md").write_text("# Hidden draft")
    (tmp_path / ".cache").mkdir()
    (tmp_path / ".cache" / "x.txt").write_text("cached")
    (tmp_path / "manifest.toml").write_text("")
    (tmp_path / "real.md").write_text("# Real\n")

    with caplog.at_level(logging.INFO, logger="ingest.select"):
        documents, errors = load_documents(tmp_path, None, SETTINGS)

    assert [d.info.file for d in documents] == ["real.md"]
    assert errors == []
    skipped = [r for r in caplog.records if r.levelno == logging.INFO and "Skipping" in r.getMessage()]
    assert {Path(str(r.args[0])).name for r in skipped} == {"sheet.xlsx", "README", "README.md"}


def test_order_is_sorted_and_subfolders_are_read(tmp_path):
    (tmp_path / "b.md").write_text("# B\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.txt").write_text("A text\n")
    (tmp_path / "a.md").write_text("# A\n")

    documents, _ = load_documents(tmp_path, None, SETTINGS)
    assert [d.info.file for d in documents] == ["a.md", "b.md", "sub/a.txt"]
    # "a.md" took the id "a", so "sub/a.txt" gets one of its own.
    assert [d.info.doc_id for d in documents] == ["a", "b", "a-txt"]


def test_paths_limit_what_is_loaded(tmp_path):
    (tmp_path / "one.md").write_text("# One\n")
    (tmp_path / "two.md").write_text("# Two\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "three.md").write_text("# Three\n")

    documents, errors = load_documents(tmp_path, [tmp_path / "two.md", Path("sub")], SETTINGS)
    assert [d.info.file for d in documents] == ["sub/three.md", "two.md"]
    assert errors == []

    documents, errors = load_documents(tmp_path, [Path("nowhere.md")], SETTINGS)
    assert documents == []
    assert len(errors) == 1 and "no such file or folder" in errors[0].reason


# --- Manifest and unlisted files ------------------------------------------------------------


def test_real_corpus_loads_with_manifest_metadata():
    documents, errors = load_documents(CORPUS, None, SETTINGS)

    assert errors == []
    by_id = {d.info.doc_id: d for d in documents}
    assert sorted(by_id) == [
        "sefton-cqc-health-review",
        "sefton-ilacs-2022",
        "sefton-ilacs-2025",
        "sefton-jtai-action-plan-2020",
        "sefton-jtai-letter-2019",
        "sefton-jtai-scrutiny-report-2020",
        "sefton-ofsted-inspection-2016",
    ]
    letter = by_id["sefton-jtai-letter-2019"].info
    assert letter.in_manifest
    assert letter.doc_type == "jtai"
    assert letter.published == "2019-12-18"
    assert letter.local_authority == "Sefton"
    assert letter.title.startswith("Joint targeted area inspection")
    assert by_id["sefton-cqc-health-review"].info.published == ""
    for doc in documents:
        assert doc.info.in_manifest
        assert len(doc.raw_text) > 10_000
        assert (doc.pages != []) == doc.info.file.endswith(".pdf")
        assert doc.content_hash == hashlib.sha256((CORPUS / doc.info.file).read_bytes()).hexdigest()
    assert "Dear local partnership" in by_id["sefton-jtai-letter-2019"].raw_text


def test_loading_is_deterministic():
    first, _ = load_documents(CORPUS, None, SETTINGS)
    second, _ = load_documents(CORPUS, None, SETTINGS)
    assert [(d.info, d.raw_text, d.content_hash) for d in first] == [
        (d.info, d.raw_text, d.content_hash) for d in second
    ]


def test_unlisted_file_is_described_from_its_text(tmp_path):
    shutil.copy(CORPUS / "manifest.toml", tmp_path)
    shutil.copy(CORPUS / "sefton-jtai-letter-2019.txt", tmp_path)
    (tmp_path / "Review Notes (Draft).md").write_text(
        "Meeting on 23rd January 2020\n\n# Review of early help\n\nNotes follow.\n", encoding="utf-8"
    )

    documents, errors = load_documents(tmp_path, None, SETTINGS)

    # Every other manifest entry names a file that is not here.
    assert len(errors) == 6
    assert all("which is not in" in e.reason for e in errors)
    unlisted = next(d for d in documents if not d.info.in_manifest)
    assert unlisted.info.doc_id == "review-notes-draft"
    assert unlisted.info.file == "Review Notes (Draft).md"
    assert unlisted.info.title == "Review of early help"
    assert unlisted.info.published == "2020-01-23"
    assert unlisted.info.doc_type == "other"  # nothing in it says which kind of report it is


def test_unlisted_file_sharing_a_manifest_id_gets_its_own(tmp_path):
    (tmp_path / "manifest.toml").write_text('[[document]]\nid = "letter"\nfile = "letter.txt"\ntitle = "The letter"\n')
    (tmp_path / "letter.txt").write_text("Letter text\n")
    ff.make_pdf(tmp_path / "letter.pdf")

    documents, errors = load_documents(tmp_path, None, SETTINGS)
    assert errors == []
    assert [(d.info.doc_id, d.info.in_manifest) for d in documents] == [
        ("letter-pdf", False),
        ("letter", True),
    ]


def test_manifest_entry_without_a_file_is_reported(tmp_path):
    (tmp_path / "manifest.toml").write_text(
        '[[document]]\nid = "gone"\nfile = "gone.pdf"\ntitle = "Gone"\n\n'
        '[[document]]\nid = "here"\nfile = "here.md"\ntitle = "Here"\npublished = "2020-01-02"\n'
    )
    (tmp_path / "here.md").write_text("# Here\n")

    documents, errors = load_documents(tmp_path, None, SETTINGS)

    assert [(d.info.doc_id, d.info.title, d.info.published) for d in documents] == [("here", "Here", "2020-01-02")]
    assert len(errors) == 1
    assert errors[0].path == str(tmp_path / "gone.pdf")
    assert errors[0].reason == (
        f"manifest entry 'gone' names file 'gone.pdf', which is not in {tmp_path}/: add the file or remove the entry"
    )


def test_manifest_entry_without_title_takes_it_from_the_text(tmp_path):
    (tmp_path / "manifest.toml").write_text('[[document]]\nid = "page"\nfile = "page.html"\n')
    ff.make_html(tmp_path / "page.html")
    doc = load_one(tmp_path)
    assert doc.info.in_manifest
    assert doc.info.title == "Scrutiny report: JTAI progress"


def test_broken_manifest_stops_loading(tmp_path):
    (tmp_path / "manifest.toml").write_text('[[document]]\nid = "x\n')
    (tmp_path / "a.md").write_text("# A\n")
    with pytest.raises(ManifestError, match="manifest.toml:2"):
        load_documents(tmp_path, None, SETTINGS)


def test_hidden_file_named_in_the_manifest_is_loaded(tmp_path):
    (tmp_path / "manifest.toml").write_text('[[document]]\nid = "kept"\nfile = ".archive/kept.md"\ntitle = "Kept"\n')
    (tmp_path / ".archive").mkdir()
    (tmp_path / ".archive" / "kept.md").write_text("# Kept\n")
    (tmp_path / ".archive" / "other.md").write_text("# Other\n")

    documents, errors = load_documents(tmp_path, None, SETTINGS)
    assert errors == []
    assert [(d.info.doc_id, d.info.file) for d in documents] == [("kept", ".archive/kept.md")]


def test_file_outside_the_corpus_is_not_matched_to_the_manifest(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "manifest.toml").write_text('[[document]]\nid = "letter"\nfile = "letter.txt"\ntitle = "T"\n')
    (corpus / "letter.txt").write_text("In the corpus\n")
    outside = tmp_path / "letter.txt"
    outside.write_text("Elsewhere, dated 1 May 2020\n")

    documents, errors = load_documents(corpus, [outside], SETTINGS)
    assert errors == []  # the corpus's letter.txt was not asked for
    [doc] = documents
    assert not doc.info.in_manifest
    assert doc.info.doc_id == "letter-txt"
    assert doc.info.file == outside.as_posix()
    assert doc.info.published == "2020-05-01"
