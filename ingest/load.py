"""Load the corpus: every supported file becomes a `Document` with its raw text and pages.

One bad file never stops ingest: it becomes a `LoadError` whose reason says what to do, and the
other files load. Only a broken manifest stops everything (it raises `ManifestError`), because
ids and dates from a half-read manifest would be published wrongly. Nothing here downloads.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import logging
import re
from pathlib import Path
from typing import Callable, Iterable

import docx
from docx.table import Table
import pypdf
from bs4 import BeautifulSoup, NavigableString, Tag
from pypdf.errors import DependencyError

from assistant.errors import LoadError
from assistant.settings import Settings
from assistant.types import Document, DocumentInfo
from ingest.manifest import MANIFEST_NAME, describe_unlisted, read_manifest

logger = logging.getLogger(__name__)

TEXT_SUFFIXES = {".txt", ".md"}
HTML_SUFFIXES = {".html", ".htm"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | {".pdf", ".docx"}

PageList = list[tuple[int, int]]


def load_documents(
    corpus_dir: Path, paths: list[Path] | None, settings: Settings
) -> tuple[list[Document], list[LoadError]]:
    """Load the corpus, or part of it, with the manifest's facts about each document.

    Args:
        corpus_dir: Folder holding the documents and `manifest.toml`.
        paths: Files or folders to load instead of the whole corpus; relative paths are looked
            up as given, then inside `corpus_dir`. None loads everything under `corpus_dir`.
        settings: Uses `max_file_mb`.

    Returns:
        The loaded documents in path order (`raw_text`, `pages`, `content_hash` set; `text` and
        `offsets` left for the cleaning stage), and one `LoadError` per file that could not be
        loaded or manifest entry whose file is missing.

    Raises:
        ManifestError: The manifest is malformed; nothing is loaded.
    """
    corpus_dir = Path(corpus_dir)
    listed = {info.file: info for info in read_manifest(corpus_dir)}
    errors: list[LoadError] = []
    files, roots = _select_files(corpus_dir, paths, set(listed), errors)
    errors.extend(_missing_entries(corpus_dir, listed.values(), roots))

    documents: list[Document] = []
    used_ids = {info.doc_id for info in listed.values()}
    for name, path in files:
        try:
            document = _load_one(path, name, listed.get(name), settings, used_ids)
        except LoadError as error:
            logger.warning("Skipped %s", error)
            errors.append(error)
            continue
        used_ids.add(document.info.doc_id)
        documents.append(document)
    logger.info("Loaded %d documents, %d errors", len(documents), len(errors))
    return documents, errors


def _load_one(
    path: Path, name: str, info: DocumentInfo | None, settings: Settings, used_ids: set[str]
) -> Document:
    try:
        size = path.stat().st_size
        limit = settings.max_file_mb * 1024 * 1024
        # Checked before reading, so a stray multi-GB file costs nothing.
        if size > limit:
            raise LoadError(
                path,
                f"file is {size / 1048576:.3g} MB, over the {settings.max_file_mb:g} MB limit: "
                "split it, or raise ASSISTANT_MAX_FILE_MB",
            )
        if size == 0:
            raise LoadError(path, "file is empty: add its text, or delete the file")
        data = path.read_bytes()
    except OSError as exc:
        raise LoadError(path, f"cannot be read ({exc.strerror or exc}): check it exists and is readable") from None
    suffix = path.suffix.lower()
    raw_text, pages = _READERS[suffix](path, data)
    if not raw_text.strip():
        raise LoadError(path, "no text in the file: add its text, or delete the file")

    if info is None or not info.title:
        # The guess reads HTML's <title>, which is in the markup but not in the text.
        guess = describe_unlisted(path, _decode_text(path, data) if suffix in HTML_SUFFIXES else raw_text)
        if info is None:
            info = dataclasses.replace(guess, file=name, doc_id=_unique_id(guess.doc_id, path, used_ids))
            logger.info("%s is not in the manifest: described as %r (%r)", name, info.doc_id, info.title)
        else:
            info = dataclasses.replace(info, title=guess.title)
    return Document(
        info=info,
        raw_text=raw_text,
        pages=pages,
        content_hash=hashlib.sha256(data).hexdigest(),
    )


def _select_files(
    corpus_dir: Path, paths: list[Path] | None, listed: set[str], errors: list[LoadError]
) -> tuple[list[tuple[str, Path]], list[Path]]:
    """(name, path) of each file to load, sorted by name, and the files and folders selected."""
    roots: list[Path] = []
    chosen: dict[Path, str] = {}
    for given in [corpus_dir] if paths is None else [Path(p) for p in paths]:
        root = _locate(corpus_dir, given)
        if root.is_dir():
            candidates = sorted(p for p in root.rglob("*") if p.is_file())
        elif root.is_file():
            candidates = [root]
        else:
            errors.append(LoadError(given, f"no such file or folder (nor in {corpus_dir}/): check the path"))
            continue
        roots.append(root)
        for path in candidates:
            name = _name_in_corpus(corpus_dir, path)
            # Hidden files are editor backups and caches, unless the manifest names one.
            if name == MANIFEST_NAME or (_is_hidden(path, root) and name not in listed):
                continue
            if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                # Not an error: corpora carry READMEs, spreadsheets and images beside documents.
                # A file asked for by name is worth a warning, though.
                log = logger.info if root.is_dir() else logger.warning
                log("Skipping %s: %s files are not read (supported: %s)", path,
                    path.suffix or "extension-less", ", ".join(sorted(SUPPORTED_SUFFIXES)))
                continue
            chosen.setdefault(path.resolve(), name)
    files = sorted(((name, path) for path, name in chosen.items()), key=lambda item: item[0])
    return files, roots


def _missing_entries(
    corpus_dir: Path, entries: Iterable[DocumentInfo], roots: list[Path]
) -> list[LoadError]:
    """Errors for manifest entries, within the selection, whose file cannot be loaded."""
    errors = []
    for info in entries:
        path = corpus_dir / info.file
        if not any(_within(path, root) for root in roots):
            continue
        if not path.is_file():
            errors.append(LoadError(
                path,
                f"manifest entry '{info.doc_id}' names file '{info.file}', which is not in "
                f"{corpus_dir}/: add the file or remove the entry",
            ))
        elif path.suffix.lower() not in SUPPORTED_SUFFIXES:
            errors.append(LoadError(
                path,
                f"manifest entry '{info.doc_id}' names '{info.file}', a format that is not read "
                f"(supported: {', '.join(sorted(SUPPORTED_SUFFIXES))}): convert it or remove the entry",
            ))
    return errors


def _locate(corpus_dir: Path, path: Path) -> Path:
    if path.exists() or path.is_absolute():
        return path
    return corpus_dir / path


def _within(path: Path, root: Path) -> bool:
    path, root = path.resolve(), root.resolve()
    return path == root or root in path.parents


def _is_hidden(path: Path, root: Path) -> bool:
    if path == root:
        return False
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def _name_in_corpus(corpus_dir: Path, path: Path) -> str:
    """The path as the manifest writes it: relative to the corpus, POSIX.

    A file outside the corpus keeps its absolute path, so a manifest entry of the same base
    name is never mistaken for it.
    """
    for inside, folder in ((path.absolute(), corpus_dir.absolute()), (path.resolve(), corpus_dir.resolve())):
        if inside.is_relative_to(folder):
            return inside.relative_to(folder).as_posix()
    return path.absolute().as_posix()


def _unique_id(doc_id: str, path: Path, used: set[str]) -> str:
    # Two files may share a stem ("letter.pdf" beside the manifest's "letter.txt"); ids must not.
    if doc_id not in used:
        return doc_id
    candidate = f"{doc_id}-{path.suffix.lstrip('.').lower()}"
    number = 2
    while candidate in used:
        candidate = f"{doc_id}-{number}"
        number += 1
    return candidate


# --- Readers: (path, bytes) -> (raw_text, pages) ---------------------------------------------


def _read_text_file(path: Path, data: bytes) -> tuple[str, PageList]:
    """Plain text or Markdown: decoded text, no pages."""
    return _decode_text(path, data), []


def _decode_text(path: Path, data: bytes) -> str:
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
    raise LoadError(
        path, "text is not UTF-8, Windows-1252 or Latin-1: re-save it as UTF-8"
    )


def _read_pdf(path: Path, data: bytes) -> tuple[str, PageList]:
    """A PDF's extracted text, pages joined by a blank line, with each page's start offset."""
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            _decrypt(path, reader)
        texts = [page.extract_text() or "" for page in reader.pages]
    except LoadError:
        raise
    except Exception as exc:
        # pypdf reports damage through many exception types (its own, ValueError, KeyError,
        # zlib.error, ...); all mean the same here, and one bad file must not stop ingest.
        logger.debug("pypdf failed on %s", path, exc_info=True)
        raise LoadError(
            path, f"not a readable PDF ({type(exc).__name__}: {exc}): re-export or re-download it"
        ) from None
    pieces: list[str] = []
    pages: PageList = []
    offset = 0
    for number, text in enumerate(texts, 1):
        pages.append((offset, number))
        pieces.append(text)
        offset += len(text) + 2
    raw_text = "\n\n".join(pieces)
    if texts and not raw_text.strip():
        raise LoadError(
            path, "PDF has no text layer (a scan?): run OCR on it, or add a text version"
        )
    return raw_text, pages


def _decrypt(path: Path, reader: pypdf.PdfReader) -> None:
    try:
        # Many PDFs are encrypted only against editing and open with an empty password.
        opened = reader.decrypt("")
    except DependencyError:
        raise LoadError(
            path, "PDF is AES-encrypted and cannot be opened here: save an unencrypted copy"
        ) from None
    if not opened:
        raise LoadError(
            path, "PDF is encrypted with a password: save an unencrypted copy (print to PDF) and load that"
        )


def _read_docx(path: Path, data: bytes) -> tuple[str, PageList]:
    """A Word document: paragraphs in order, headings as "# " lines, table rows as "a | b"."""
    try:
        document = docx.Document(io.BytesIO(data))
        blocks = [_docx_block(item) for item in document.iter_inner_content()]
    except Exception as exc:
        # As with pypdf: a damaged package surfaces as zip, XML, key or value errors.
        logger.debug("python-docx failed on %s", path, exc_info=True)
        raise LoadError(
            path,
            f"not a readable .docx file ({type(exc).__name__}): open it in Word and save it as .docx "
            "(an old .doc renamed to .docx is not one)",
        ) from None
    return "\n\n".join(block for block in blocks if block.strip()), []


def _docx_block(item: object) -> str:
    if isinstance(item, Table):
        rows = []
        for row in item.rows:
            cells, previous = [], None
            for cell in row.cells:
                # A merged cell is returned once per grid column it spans; show it once.
                if previous is not None and cell._tc is previous:
                    continue
                previous = cell._tc
                cells.append(" ".join(cell.text.split()))
            if any(cells):
                rows.append(" | ".join(cells))
        return "\n".join(rows)
    text = item.text.strip()
    style = item.style.name if item.style is not None else ""
    level = 1 if style == "Title" else _heading_level(style)
    return "#" * level + " " + text if level and text else text


def _heading_level(style: str) -> int:
    match = re.fullmatch(r"Heading (\d)", style or "")
    return int(match[1]) if match else 0


# <title> is metadata (describe_unlisted reads it); html.parser leaves it outside <head> at times.
_HTML_DROP = ["script", "style", "nav", "noscript", "template", "head", "title", "svg"]
_HTML_BLOCKS = {
    "address", "article", "aside", "blockquote", "dd", "div", "dl", "dt", "figcaption",
    "figure", "footer", "form", "header", "hr", "li", "main", "ol", "p", "pre", "section",
    "table", "tbody", "thead", "tfoot", "ul", "caption",
}


def _read_html(path: Path, data: bytes) -> tuple[str, PageList]:
    """A web page's visible text: headings as "# " lines, a blank line between blocks."""
    soup = BeautifulSoup(_decode_text(path, data), "html.parser")
    for tag in soup(_HTML_DROP):
        tag.decompose()
    blocks: list[str] = []
    _html_walk(soup, blocks, [])
    return "\n\n".join(blocks), []


def _html_walk(node: Tag, blocks: list[str], line: list[str]) -> None:
    """Append the text of `node` to `blocks`; `line` gathers inline text of the open block."""
    for child in node.children:
        if isinstance(child, NavigableString):
            if type(child) is NavigableString:  # not a comment, doctype or CDATA
                line.append(str(child))
            continue
        if not isinstance(child, Tag):
            continue
        name = child.name
        if re.fullmatch(r"h[1-6]", name):
            _flush(blocks, line)
            text = " ".join(child.get_text(" ").split())
            if text:
                blocks.append("#" * int(name[1]) + " " + text)
        elif name == "br":
            line.append("\n")
        elif name == "tr":
            _flush(blocks, line)
            cells = [" ".join(c.get_text(" ").split()) for c in child.find_all(["td", "th"], recursive=False)]
            if any(cells):
                blocks.append(" | ".join(cells))
        elif name in _HTML_BLOCKS:
            _flush(blocks, line)
            _html_walk(child, blocks, line)
            _flush(blocks, line)
        else:
            _html_walk(child, blocks, line)


def _flush(blocks: list[str], line: list[str]) -> None:
    # HTML whitespace is not significant except where <br> put a line break.
    text = "\n".join(" ".join(part.split()) for part in "".join(line).split("\n"))
    text = "\n".join(part for part in text.split("\n") if part)
    if text:
        blocks.append(text)
    line.clear()


# Control codes other than tab, newline, vertical tab, form feed and carriage return.
_C0 = bytes(range(0x00, 0x09)) + bytes(range(0x0E, 0x20)) + b"\x7f"
_C1 = re.compile(r"[\x80-\x9f]")


def _control_share(data: bytes) -> float:
    """Share of bytes that are C0 control codes, which text files do not contain."""
    return (len(data) - len(data.translate(None, _C0))) / len(data) if data else 0.0


def _c1_share(text: str) -> float:
    """Share of C1 control characters: what latin-1 makes of bytes that were not latin-1 text."""
    return len(_C1.findall(text)) / len(text) if text else 0.0


def _newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


_READERS: dict[str, Callable[[Path, bytes], tuple[str, PageList]]] = {
    ".txt": _read_text_file,
    ".md": _read_text_file,
    ".pdf": _read_pdf,
    ".docx": _read_docx,
    ".html": _read_html,
    ".htm": _read_html,
}
