"""read_manifest's checks (each error names the line and the fix) and describe_unlisted's guesses."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.core.errors import ManifestError
from assistant.core.types import DocumentInfo
from ingest.describe import describe_unlisted
from ingest.manifest import read_manifest

CORPUS = Path(__file__).resolve().parents[2] / "corpus"

GOOD = """\
# A comment line
[[document]]
id = "letter-2019"
file = "letter.txt"
title = "Inspection letter"
doc_type = "inspection_letter"
publisher = "Ofsted"
local_authority = "Sefton"
published = "2019-12-18"
notes = "Findings letter."

[[document]]
id = "review"
file = "sub/review.pdf"
title = "Health review"
published = ""
"""


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "manifest.toml").write_text(text, encoding="utf-8")
    return tmp_path


def manifest_error(tmp_path: Path, text: str) -> str:
    with pytest.raises(ManifestError) as caught:
        read_manifest(write(tmp_path, text))
    message = str(caught.value)
    assert str(tmp_path / "manifest.toml") in message
    assert "\n" not in message
    return message


def test_reads_every_field(tmp_path):
    infos = read_manifest(write(tmp_path, GOOD))
    assert infos == [
        DocumentInfo(
            doc_id="letter-2019",
            file="letter.txt",
            title="Inspection letter",
            doc_type="inspection_letter",
            publisher="Ofsted",
            local_authority="Sefton",
            published="2019-12-18",
            notes="Findings letter.",
            in_manifest=True,
        ),
        DocumentInfo(doc_id="review", file="sub/review.pdf", title="Health review", doc_type="unknown"),
    ]


def test_real_manifest():
    infos = read_manifest(CORPUS)
    assert [i.doc_id for i in infos] == [
        "sefton-jtai-letter-2019",
        "sefton-jtai-scrutiny-report-2020",
        "sefton-cqc-health-review",
        "sefton-jtai-action-plan-2020",
        "sefton-ofsted-inspection-2016",
        "sefton-ilacs-2022",
        "sefton-ilacs-2025",
    ]
    assert all((CORPUS / i.file).is_file() for i in infos)
    assert [i.published for i in infos] == [
        "2019-12-18",
        "2020-09-22",
        "",
        "2020-09-22",
        "2016-06-27",
        "2022-05-09",
        "2025-08-12",
    ]
    # Judgements may be given as a table of area = grade.
    assert dict(infos[4].judgements)["Overall effectiveness"] == "Requires improvement to be good"


def test_missing_manifest_is_an_empty_list(tmp_path):
    assert read_manifest(tmp_path) == []


def test_unquoted_toml_date_is_accepted(tmp_path):
    infos = read_manifest(write(tmp_path, '[[document]]\nid = "a"\nfile = "a.txt"\npublished = 2020-01-31\n'))
    assert infos[0].published == "2020-01-31"


def test_syntax_error_names_line_and_column(tmp_path):
    text = GOOD.replace('title = "Health review"', "title = Health review")
    message = manifest_error(tmp_path, text)
    assert "manifest.toml:15:" in message
    assert "line 15, column" in message
    assert "fix that line" in message


def test_duplicate_id_names_the_second_line_and_the_first(tmp_path):
    text = GOOD.replace('id = "review"', 'id = "letter-2019"')
    message = manifest_error(tmp_path, text)
    assert "manifest.toml:13:" in message
    assert "duplicate id 'letter-2019' (first at line 3)" in message
    assert "give each document its own id" in message


def test_duplicate_file(tmp_path):
    text = GOOD.replace('file = "sub/review.pdf"', 'file = "./letter.txt"')
    message = manifest_error(tmp_path, text)
    assert "manifest.toml:14:" in message
    assert "'letter.txt' is listed twice (first at line 4)" in message


def test_bad_date_names_its_line(tmp_path):
    message = manifest_error(tmp_path, GOOD.replace('"2019-12-18"', '"18 December 2019"'))
    assert "manifest.toml:9:" in message
    assert "published '18 December 2019'" in message
    assert '"YYYY-MM-DD"' in message


@pytest.mark.parametrize("date", ["2019-13-01", "2019-02-30", "2019-1-5", "2019"])
def test_impossible_or_partial_dates_are_refused(tmp_path, date):
    message = manifest_error(tmp_path, GOOD.replace("2019-12-18", date))
    assert "manifest.toml:9:" in message


@pytest.mark.parametrize("bad_id", ["Letter-2019", "-letter", "letter 2019", "lettér"])
def test_bad_id_names_its_line_and_suggests_one(tmp_path, bad_id):
    message = manifest_error(tmp_path, GOOD.replace('"letter-2019"', f'"{bad_id}"'))
    assert "manifest.toml:3:" in message
    assert "lower-case" in message


@pytest.mark.parametrize("key", ["id", "file"])
def test_entry_without_id_or_file_names_its_table(tmp_path, key):
    line = {"id": 'id = "review"\n', "file": 'file = "sub/review.pdf"\n'}[key]
    message = manifest_error(tmp_path, GOOD.replace(line, ""))
    assert "manifest.toml:12:" in message
    assert f"document #2 has no '{key}'" in message


def test_non_string_value(tmp_path):
    message = manifest_error(tmp_path, GOOD.replace('title = "Health review"', "title = 2019"))
    assert "manifest.toml:15:" in message
    assert "double quotes" in message


def test_file_outside_the_corpus(tmp_path):
    message = manifest_error(tmp_path, GOOD.replace('"sub/review.pdf"', '"../review.pdf"'))
    assert "manifest.toml:14:" in message
    assert "relative to the corpus folder" in message


# --- describe_unlisted ----------------------------------------------------------------------


def test_markdown_title_and_date():
    info = describe_unlisted(
        Path("corpus/Area Review_2020 (final).md"),
        "Draft for partners\n\n# Area review of SEND\n\nPublished 23rd January 2020, after the visit on 2019-12-18.\n",
    )
    assert info == DocumentInfo(
        doc_id="area-review_2020-final",
        file="Area Review_2020 (final).md",
        title="Area review of SEND",
        doc_type="unknown",
        published="2020-01-23",
        in_manifest=False,
    )


def test_text_title_skips_dates_and_page_numbers():
    text = "\n  \n 18 December 2019 \nPage 2 of 14\n3\n\nJoint targeted area inspection of Sefton\nDear partners,\n"
    info = describe_unlisted(Path("letter.txt"), text)
    assert info.title == "Joint targeted area inspection of Sefton"
    assert info.published == "2019-12-18"


def test_date_split_across_lines_and_first_one_wins():
    text = "Date of Meeting: Tuesday 22\nSeptember 2020\n\nInspection on 2019-09-23.\n"
    assert describe_unlisted(Path("r.txt"), text).published == "2020-09-22"


@pytest.mark.parametrize(
    "text, iso",
    [
        ("on 2019-12-18 we", "2019-12-18"),
        ("on 23rd January 2020 we", "2020-01-23"),
        ("on 1st of March 2021", "2021-03-01"),
        ("on 5 Sept 2018", "2018-09-05"),
        ("on December 18, 2019", "2019-12-18"),
        ("on 18/12/2019", "2019-12-18"),
        ("between 11 April and 5 May 2016", "2016-05-05"),
        ("on 31 February 2020, or 1 March 2020", "2020-03-01"),
        ("in 2015-16 and September 2020", ""),
        ("no date at all", ""),
    ],
)
def test_first_full_date(text, iso):
    assert describe_unlisted(Path("x.txt"), "Title line\n" + text).published == iso


def test_html_title_then_h1():
    html = "<html><head><title> Report  title </title></head><body><h1>Heading</h1><p>On 2 June 2021.</p></body></html>"
    info = describe_unlisted(Path("page.html"), html)
    assert (info.title, info.published) == ("Report title", "2021-06-02")
    no_title = "<html><body><script>var d='1 January 2000'</script><h1>The heading</h1><p>7 July 2017</p></body></html>"
    info = describe_unlisted(Path("page.htm"), no_title)
    assert (info.title, info.published) == ("The heading", "2017-07-07")


def test_title_falls_back_to_the_file_name():
    info = describe_unlisted(Path("annual_report-2021.txt"), "12\n\n2021-03-04\n")
    assert info.title == "annual report 2021"
    assert info.doc_id == "annual_report-2021"
    assert info.published == "2021-03-04"


def test_slug_of_a_name_of_symbols_is_still_an_id():
    info = describe_unlisted(Path("(((.txt"), "Some title\n")
    assert info.doc_id.startswith("document-")
