"""The readers, one module per format: (path, bytes) -> `Read` (text, pages, line roles, facts).

Text and Markdown leave their structure to the cleaner; PDF (by layout), HTML and Word say of
each line what it is, through `LayoutText`. Tables in any of them become one line per row.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ingest.readers.docx import read_docx
from ingest.readers.html import read_html
from ingest.readers.layout import Read
from ingest.readers.pdf import read_pdf_file
from ingest.readers.text import decode_text, read_text_file

TEXT_SUFFIXES = {".txt", ".md"}
HTML_SUFFIXES = {".html", ".htm"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | {".pdf", ".docx"}

READERS: dict[str, Callable[[Path, bytes], Read]] = {
    ".txt": read_text_file,
    ".md": read_text_file,
    ".pdf": read_pdf_file,
    ".docx": read_docx,
    ".html": read_html,
    ".htm": read_html,
}

__all__ = ["HTML_SUFFIXES", "READERS", "SUPPORTED_SUFFIXES", "TEXT_SUFFIXES", "Read", "decode_text"]
