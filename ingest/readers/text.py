"""Plain text and Markdown, and the decoding every text-based format (HTML too) goes through."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from assistant.core.errors import LoadError
from ingest.readers.layout import Read

logger = logging.getLogger(__name__)


def read_text_file(path: Path, data: bytes) -> Read:
    """Plain text or Markdown: decoded text, no pages; the cleaner reads its structure."""
    return Read(decode_text(path, data))


def decode_text(path: Path, data: bytes) -> str:
    """Bytes of a text file as str: UTF-8 (BOM stripped), else cp1252, else latin-1.

    Newlines are normalised to "\\n" so later stages see one line ending whatever the editor.
    Raises LoadError when the bytes look binary or decode to control characters.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # UTF-16 with a BOM ("Unicode" in Notepad) is text, although it is full of NUL bytes.
        try:
            return _newlines(data.decode("utf-16"))
        except UnicodeDecodeError:
            raise LoadError(path, "starts as UTF-16 but does not decode: save it as UTF-8") from None
    if b"\x00" in data or _control_share(data) > 0.05:
        raise LoadError(
            path,
            f"binary data, not text, in a {path.suffix} file: give it its real extension or export it as text",
        )
    try:
        return _newlines(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        pass
    for encoding in ("cp1252", "latin-1"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        # latin-1 decodes any byte; C1 control characters in the result mean it was not latin-1.
        if _c1_share(text) <= 0.01:
            logger.info("%s is not UTF-8: read as %s", path, encoding)
            return _newlines(text)
    raise LoadError(path, "text is not UTF-8, Windows-1252 or Latin-1: re-save it as UTF-8")


# Control codes other than tab, newline, vertical tab, form feed and carriage return.
_C0 = bytes(range(0x00, 0x09)) + bytes(range(0x0E, 0x20)) + b"\x7f"
_C1 = re.compile(r"[\x80-\x9f]")


def _control_share(data: bytes) -> float:
    """Share of bytes that are C0 control codes, which text files do not contain."""
    return (len(data) - len(data.translate(None, _C0))) / len(data) if data else 0.0


def _c1_share(text: str) -> float:
    """Share of C1 control characters: what latin-1 makes of bytes that were not latin-1 text."""
    return len(_C1.findall(text)) / len(text) if text else 0.0


# Removed from decoded text: C0 controls but tab and newline, DEL and C1. A form feed or vertical
# tab (a page or section break in exported text) becomes a line break.
_CONTROLS = {
    **dict.fromkeys([*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F, *range(0x80, 0xA0)]),
    0x0B: "\n",
    0x0C: "\n",
}


def _newlines(text: str) -> str:
    """Newlines normalised to "\\n" and control characters removed: stray escape codes or NULs
    would otherwise reach passages, answers and the terminal."""
    return text.replace("\r\n", "\n").replace("\r", "\n").translate(_CONTROLS)
