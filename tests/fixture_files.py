"""Small real documents of every format the loader reads, and of every way a file can be bad.

Made on demand into a test's folder (no binary files in the repository); each maker writes one
file and returns its path. Tests import this module by name (pytest puts tests/ on sys.path).
"""

from __future__ import annotations

import random
from pathlib import Path

import docx
import pymupdf
from fpdf import FPDF

PDF_PAGES = [
    "Inspection findings\nLeaders understand the mental health needs of children.",
    "Areas for improvement\nThe quality of assessments is not consistently good.",
    "Strengths\nPractitioners know their children well.",
]


def make_pdf(path: Path, pages: list[str] = PDF_PAGES) -> Path:
    """A PDF with one page per string (core font, so ASCII/latin-1 text only)."""
    path.write_bytes(_pdf_bytes(pages))
    return path


def make_encrypted_pdf(path: Path, password: str = "secret", *, aes: bool = False) -> Path:
    """A PDF that needs `password` to open (RC4-128, or AES-256 with `aes`)."""
    return _encrypt(path, user=password, owner=password, aes=aes)


def make_owner_only_pdf(path: Path, *, aes: bool = False) -> Path:
    """A PDF encrypted against editing only: it opens with the empty password."""
    return _encrypt(path, user="", owner="owner", aes=aes)


def _encrypt(path: Path, *, user: str, owner: str, aes: bool) -> Path:
    with pymupdf.open(stream=_pdf_bytes(), filetype="pdf") as doc:
        method = pymupdf.PDF_ENCRYPT_AES_256 if aes else pymupdf.PDF_ENCRYPT_RC4_128
        path.write_bytes(doc.tobytes(encryption=method, user_pw=user, owner_pw=owner))
    return path


def make_corrupt_pdf(path: Path) -> Path:
    """A PDF cut off half way, as an interrupted download leaves it."""
    data = _pdf_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def make_docx(path: Path) -> Path:
    """A Word file with a title, headings, body text and a table (with a merged cell)."""
    document = docx.Document()
    document.add_heading("Action plan update", 0)
    document.add_heading("Priority 1", 1)
    document.add_paragraph("Children's mental health needs are understood.")
    table = document.add_table(rows=2, cols=3)
    for cell, text in zip(table.rows[0].cells, ["Ref", "Action", "Status"]):
        cell.text = text
    for cell, text in zip(table.rows[1].cells, ["1.2.7", "Audit CAMHS waiting times", "Completed"]):
        cell.text = text
    document.add_heading("Progress", 2)
    document.add_paragraph("Progress August 2020: audit completed.")
    merged = document.add_table(rows=1, cols=2)
    merged.cell(0, 0).merge(merged.cell(0, 1)).text = "Spans both columns"
    document.save(path)
    return path


HTML = """<!DOCTYPE html>
<html><head><title>Scrutiny report: JTAI progress</title>
<style>body { color: red; }</style>
<script>var secret = "do-not-index";</script></head>
<body>
<nav><a href="/">Home</a> <a href="/menu">Site menu</a></nav>
<h1>Progress of the action plan</h1>
<p>Report published 22 September 2020.</p>
<p>The   partnership has   made progress.<br>Waiting times fell.</p>
<h2>Recommendations</h2>
<ul><li>Improve assessments</li><li>Review supervision</li></ul>
<table><tr><th>Ref</th><th>Status</th></tr><tr><td>1.1</td><td>Completed</td></tr></table>
<!-- a comment that is not text -->
<script>console.log("also-not-text")</script>
</body></html>
"""


def make_html(path: Path, html: str = HTML) -> Path:
    path.write_text(html, encoding="utf-8")
    return path


def make_cp1252_text(path: Path) -> Path:
    """A Windows-1252 file: curly quotes and a pound sign that are not valid UTF-8."""
    path.write_bytes("The \u201cfront door\u201d service\u2019s budget is \u00a3120,000.\r\n".encode("cp1252"))
    return path


def make_random_bytes(path: Path, size: int = 4096) -> Path:
    """Binary noise under a text extension (seeded, so every run makes the same file)."""
    path.write_bytes(random.Random(7).randbytes(size))
    return path


def make_big_file(path: Path, size: int = 200_000) -> Path:
    path.write_text("x" * (size - 1) + "\n", encoding="utf-8")
    return path


def _pdf_bytes(pages: list[str] = PDF_PAGES) -> bytes:
    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 8, text)
    return bytes(pdf.output())
