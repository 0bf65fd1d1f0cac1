"""Load the corpus: every supported file becomes a `Document` with its raw text and pages.

One bad file never stops ingest: it becomes a `LoadError` whose reason says what to do, and the
other files load. Only a broken manifest stops everything (it raises `ManifestError`), because
ids and dates from a half-read manifest would be published wrongly. Nothing here downloads.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import hashlib
import io
import logging
import multiprocessing
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import docx
from bs4 import BeautifulSoup, NavigableString, Tag
from docx.table import Table
from tqdm import tqdm

from assistant.core.errors import LoadError
from assistant.core.settings import Settings
from assistant.core.taxonomy import load_taxonomy
from assistant.core.types import Document, DocumentInfo, LayoutLine
from ingest.describe import describe
from ingest.layout import LayoutText
from ingest.manifest import MANIFEST_NAME, read_manifest
from ingest.pdf import read_pdf

logger = logging.getLogger(__name__)

TEXT_SUFFIXES = {".txt", ".md"}
HTML_SUFFIXES = {".html", ".htm"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | {".pdf", ".docx"}
_FOLDER_NOTES = {"readme", "licence", "license", "changelog", "contributing"}  # file stems that describe a folder

PageList = list[tuple[int, int]]
# Worker processes pay for themselves (about a second each to start) from this many PDFs on.
_PARALLEL_FROM = 4


def load_documents(
    corpus_dir: Path, paths: list[Path] | None, settings: Settings, *, progress: bool = False
) -> tuple[list[Document], list[LoadError]]:
    """Load the corpus, or part of it, with the manifest's facts about each document.

    Args:
        corpus_dir: Folder holding the documents and `manifest.toml`.
        paths: Files or folders to load instead of the whole corpus; relative paths are looked
            up as given, then inside `corpus_dir`. None loads everything under `corpus_dir`.
        settings: Uses `max_file_mb` and `ingest_workers`.
        progress: show a progress bar on stderr.

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
    for (name, path), loaded in zip(files, _load_all(files, listed, settings, progress)):
        if isinstance(loaded, LoadError):
            logger.warning("Skipped %s", loaded)
            errors.append(loaded)
            continue
        if name not in listed:
            # Ids are made unique here, in path order, so parallel loading names files as serial would.
            loaded.info = dataclasses.replace(loaded.info, doc_id=_unique_id(loaded.info.doc_id, path, used_ids))
            logger.info(
                "%s is not in the manifest: described as %r (%r, %s)",
                name,
                loaded.info.doc_id,
                loaded.info.title,
                loaded.info.doc_type,
            )
        used_ids.add(loaded.info.doc_id)
        documents.append(loaded)
    logger.info("Loaded %d documents, %d errors", len(documents), len(errors))
    return documents, errors


def _load_all(
    files: list[tuple[str, Path]], listed: dict[str, DocumentInfo], settings: Settings, progress: bool
) -> list[Document | LoadError]:
    """Every file read, in order. PDFs (seconds each, all CPU) are parsed in worker processes
    when there are enough of them to pay for starting the workers."""
    jobs = [(path, name, listed.get(name), settings) for name, path in files]
    workers = settings.ingest_workers or os.cpu_count() or 1
    pdfs = sum(1 for _, path in files if path.suffix.lower() == ".pdf")
    bar = tqdm(total=len(jobs), desc="reading", unit="file", disable=not progress or not jobs)
    if workers < 2 or pdfs < _PARALLEL_FROM:
        results = []
        for job in jobs:
            results.append(_load_or_error(*job))
            bar.update(1)
        bar.close()
        return results
    # Spawned, not forked: the ingest already holds threads (Chroma's), and a fork copies their locks.
    context = multiprocessing.get_context("spawn")
    results_by_job: dict[int, Document | LoadError] = {}
    with concurrent.futures.ProcessPoolExecutor(max_workers=min(workers, pdfs), mp_context=context) as pool:
        futures = {pool.submit(_load_or_error, *job): i for i, job in enumerate(jobs)}
        for future in concurrent.futures.as_completed(futures):
            i = futures[future]
            try:
                results_by_job[i] = future.result()
            except concurrent.futures.process.BrokenProcessPool:
                results_by_job[i] = LoadError(
                    jobs[i][0],
                    "the reader stopped without a word while this or another "
                    "file was read: ingest this file alone to see which is damaged",
                )
            bar.update(1)
    bar.close()
    return [results_by_job[i] for i in range(len(jobs))]


def _load_or_error(path: Path, name: str, info: DocumentInfo | None, settings: Settings) -> Document | LoadError:
    """One file, or the reason it cannot be read: nothing a reader raises stops the run."""
    try:
        return _load_one(path, name, info, settings)
    except LoadError as error:
        return error
    except RecursionError:
        return LoadError(path, "the file is nested too deeply to read: save it again from its application")
    except Exception as exc:  # a reader's bug or a library's surprise costs this file, not the run
        logger.debug("reading %s failed", path, exc_info=True)
        return LoadError(
            path,
            f"could not be read ({type(exc).__name__}: {exc}): check the file opens, or save it again as PDF or text",
        )


def _load_one(path: Path, name: str, info: DocumentInfo | None, settings: Settings) -> Document:
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
    read = _READERS[suffix](path, data)
    if not read.raw_text.strip():
        raise LoadError(path, "no text in the file: add its text, or delete the file")
    markup = _decode_text(path, data) if suffix in HTML_SUFFIXES else None
    described = describe(path, read.raw_text, read.layout, read.meta, info, markup)
    if info is None:
        described = dataclasses.replace(described, file=name)
    return Document(
        info=described,
        raw_text=read.raw_text,
        pages=read.pages,
        layout=read.layout,
        content_hash=hashlib.sha256(data).hexdigest(),
    )


def _select_files(
    corpus_dir: Path, paths: list[Path] | None, listed: set[str], errors: list[LoadError]
) -> tuple[list[tuple[str, Path]], list[Path]]:
    """(name, path) of each file to load, sorted by name, and the files and folders selected."""
    roots: list[Path] = []
    chosen: dict[Path, tuple[str, Path]] = {}  # real file -> (name, path as found)
    for given in [corpus_dir] if paths is None else [Path(p) for p in paths]:
        root = _locate(corpus_dir, given)
        if root.is_dir():
            # Links are listed too (is_file follows them): one pointing nowhere is reported below.
            candidates = sorted(p for p in root.rglob("*") if p.is_file() or p.is_symlink())
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
            if path.stem.lower() in _FOLDER_NOTES and name not in listed:
                # A folder's README describes the folder: it is not a report (unless the manifest says so).
                logger.info(
                    "Skipping %s: a note about the folder, not a document (list it in the manifest to read it)", path
                )
                continue
            if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                # Not an error: corpora carry READMEs, spreadsheets and images beside documents.
                # A file asked for by name is worth a warning, though.
                log = logger.info if root.is_dir() else logger.warning
                log(
                    "Skipping %s: %s files are not read (supported: %s)",
                    path,
                    path.suffix or "extension-less",
                    ", ".join(sorted(SUPPORTED_SUFFIXES)),
                )
                continue
            refused = _refused_link(corpus_dir, path)
            if refused:
                errors.append(refused)
                continue
            # Read through the link, by the link's name and suffix: a link "x.txt" to "notes"
            # is read as text, and two links to one file load it once.
            chosen.setdefault(path.resolve(), (name, path))
    files = sorted(chosen.values(), key=lambda item: item[0])
    return files, roots


def _refused_link(corpus_dir: Path, path: Path) -> LoadError | None:
    """Why a symbolic link (the file, or a folder on its way) is not read, or None to read it.

    A link may point within the corpus; one pointing outside it would publish a file nobody put
    in the corpus (a link to /etc/passwd, to a home folder), so it is refused, as is a dangling one.
    """
    if path.resolve() == path.absolute() and not path.is_symlink():
        return None
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):  # dangling, or a loop of links
        return LoadError(path, "is a symbolic link to a file that does not exist: fix or delete the link")
    if not target.is_file():
        return LoadError(path, f"is a symbolic link to {target}, which is not a file: delete the link")
    if not _within(target, corpus_dir):
        return LoadError(
            path,
            f"is a symbolic link to {target}, outside {corpus_dir}/: copy the file into "
            "the corpus instead of linking to it",
        )
    return None


def _missing_entries(corpus_dir: Path, entries: Iterable[DocumentInfo], roots: list[Path]) -> list[LoadError]:
    """Errors for manifest entries, within the selection, whose file cannot be loaded."""
    errors = []
    for info in entries:
        path = corpus_dir / info.file
        if not any(_within(path, root) for root in roots):
            continue
        if not path.is_file():
            errors.append(
                LoadError(
                    path,
                    f"manifest entry '{info.doc_id}' names file '{info.file}', which is not in "
                    f"{corpus_dir}/: add the file or remove the entry",
                )
            )
        elif path.suffix.lower() not in SUPPORTED_SUFFIXES:
            errors.append(
                LoadError(
                    path,
                    f"manifest entry '{info.doc_id}' names '{info.file}', a format that is not read "
                    f"(supported: {', '.join(sorted(SUPPORTED_SUFFIXES))}): convert it or remove the entry",
                )
            )
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


@dataclass
class _Read:
    """What a reader gives: the text, its pages, and the line roles of a structured format."""

    raw_text: str
    pages: PageList = field(default_factory=list)
    layout: list[LayoutLine] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)


def _read_text_file(path: Path, data: bytes) -> _Read:
    """Plain text or Markdown: decoded text, no pages; the cleaner reads its structure."""
    return _Read(_decode_text(path, data))


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
    raise LoadError(path, "text is not UTF-8, Windows-1252 or Latin-1: re-save it as UTF-8")


def _read_pdf(path: Path, data: bytes) -> _Read:
    """A PDF read by layout (see ingest/pdf.py): lines with roles, pages, creation date."""
    text, meta = read_pdf(path, data)
    return _Read(text.raw_text, text.pages, text.layout, meta)


def _read_docx(path: Path, data: bytes) -> _Read:
    """A Word document: paragraphs in order, heading styles as headings, list styles as items,
    each table row one line carrying its column headers."""
    try:
        document = docx.Document(io.BytesIO(data))
        out = LayoutText()
        for item in document.iter_inner_content():
            if isinstance(item, Table):
                _table_or_text(path, partial(_docx_table, item, out), partial(_docx_table_text, item, out))
                continue
            style = item.style.name if item.style is not None else ""
            level = 1 if style == "Title" else _heading_level(style)
            role = "heading" if level else ("bullet" if "List" in style else "body")
            out.add(item.text, role, level=level)
    except Exception as exc:
        # A damaged package surfaces as zip, XML, key or value errors: all mean the same here.
        logger.debug("python-docx failed on %s", path, exc_info=True)
        raise LoadError(
            path,
            f"not a readable .docx file ({type(exc).__name__}): open it in Word and save it as .docx "
            "(an old .doc renamed to .docx is not one)",
        ) from None
    return _Read(out.raw_text, [], out.layout)


def _docx_table(table: Table, out: LayoutText) -> None:
    rows = []
    for row in table.rows:
        cells, previous = [], None
        for cell in row.cells:
            # A merged cell is returned once per grid column it spans; take it once.
            if previous is not None and cell._tc is previous:
                continue
            previous = cell._tc
            cells.append(" ".join(cell.text.split()))
        if any(cells):
            rows.append(cells)
    _table_lines(rows, header=bool(rows) and len(rows) > 1 and _bold_row(table), out=out)


def _table_or_text(path: Path, as_rows: Callable[[], None], as_text: Callable[[], None]) -> None:
    """A table as rows with headers; one that cannot be read so is kept as its text, with a
    warning, never lost."""
    try:
        as_rows()
    except Exception as exc:  # a table no rule foresaw must not cost the document its text
        logger.warning(
            "%s: a table could not be read as rows (%s: %s); kept as text lines", path.name, type(exc).__name__, exc
        )
        as_text()


def _docx_table_text(table: Table, out: LayoutText) -> None:
    for row in table.rows:
        out.add(" ".join(cell.text for cell in row.cells))


def _html_table_text(table: Tag, out: LayoutText, done_rows: set[int]) -> None:
    for tr in table.find_all("tr"):
        done_rows.add(id(tr))
    for line in table.get_text("\n").splitlines():
        out.add(line)


def _bold_row(table: Table) -> bool:
    runs = [r for cell in table.rows[0].cells for p in cell.paragraphs for r in p.runs if r.text.strip()]
    return bool(runs) and all(r.bold for r in runs)


def _table_lines(rows: list[list[str]], header: bool, out: LayoutText) -> None:
    """One line per row, each cell with its column header ("Grade: Good"); a grid of grades is
    marked as one."""
    header = header or _looks_like_header(rows)
    head = rows[0] if header else None
    taxonomy = load_taxonomy()
    body = rows[1:] if header else rows
    graded = sum(1 for cells in body if any(taxonomy.grade_in(c) for c in cells))
    role = "grid" if graded and graded * 2 >= len(body) else "row"
    for cells in body:
        if head:
            text = " | ".join(f"{h}: {c}" if h else c for h, c in zip(head, cells) if c)
        else:
            text = " | ".join(c for c in cells if c)
        out.add(text, role)


def _looks_like_header(rows: list[list[str]]) -> bool:
    """A first row of short labels over at least one more row ("Ref | Action | Status")."""
    first = rows[0] if rows else []
    return (
        len(rows) > 1
        and len(first) > 1
        and all(c and len(c.split()) <= 6 for c in first)
        and not any(re.fullmatch(r"[\d.,%/ -]+", c) for c in first)
    )


def _heading_level(style: str) -> int:
    match = re.fullmatch(r"Heading (\d)", style or "")
    return int(match[1]) if match else 0


# <title> is metadata (describe_unlisted reads it); html.parser leaves it outside <head> at times.
_HTML_DROP = ["script", "style", "nav", "noscript", "template", "head", "title", "svg"]
_HTML_BLOCKS = {
    "address",
    "article",
    "aside",
    "blockquote",
    "dd",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "footer",
    "form",
    "header",
    "hr",
    "li",
    "main",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "tbody",
    "thead",
    "tfoot",
    "ul",
    "caption",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "br",
}


def _read_html(path: Path, data: bytes) -> _Read:
    """A web page's visible text: each block element a line, headings with their level, list
    items as items, each table row one line carrying its column headers.

    Walks the tree without recursion (`descendants` is a flat iterator), so a page of a thousand
    unclosed or nested elements reads like any other.
    """
    soup = BeautifulSoup(_decode_text(path, data), "lxml")
    for tag in soup.find_all(_HTML_DROP):
        tag.decompose()
    out = LayoutText()
    line: list[str] = []
    owner = None  # the block element the gathered text belongs to
    done_rows: set[int] = set()
    for node in soup.descendants:
        if isinstance(node, Tag):
            if node.name == "br":
                line.append(" ")
            elif node.name == "table":
                _flush_html(out, line, owner)
                owner = None
                _table_or_text(
                    path, partial(_html_table, node, out, done_rows), partial(_html_table_text, node, out, done_rows)
                )
            continue
        if type(node) is not NavigableString:  # a comment, doctype or CDATA
            continue
        block = node.find_parent(_HTML_BLOCKS)
        if block is not None and block.name in ("tr", "table", "tbody", "thead", "tfoot") or _in_done(node, done_rows):
            continue
        if block is not owner:
            _flush_html(out, line, owner)
            owner = block
        line.append(str(node))
    _flush_html(out, line, owner)
    return _Read(out.raw_text, [], out.layout)


def _in_done(node: NavigableString, done_rows: set[int]) -> bool:
    row = node.find_parent("tr")
    return row is not None and id(row) in done_rows


def _html_table(table: Tag, out: LayoutText, done_rows: set[int]) -> None:
    rows: list[list[str]] = []
    header = False
    for tr in table.find_all("tr"):
        if tr.find_parent("table") is not table:
            continue  # a nested table's rows are read with that table
        done_rows.add(id(tr))
        cells = [" ".join(c.get_text(" ").split()) for c in tr.find_all(["td", "th"], recursive=False)]
        if not any(cells):
            continue
        if not rows and all(c.name == "th" for c in tr.find_all(["td", "th"], recursive=False)):
            header = True
        rows.append(cells)
    if rows:
        _table_lines(rows, header=header and len(rows) > 1, out=out)


def _flush_html(out: LayoutText, line: list[str], owner: Tag | None) -> None:
    # HTML white space is not significant: a block's text is one line.
    text = " ".join("".join(line).split())
    line.clear()
    if not text:
        return
    name = owner.name if owner is not None else ""
    if re.fullmatch(r"h[1-6]", name):
        out.add(text, "heading", level=int(name[1]))
    else:
        out.add(text, "bullet" if name == "li" else "body")


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


_READERS: dict[str, Callable[[Path, bytes], _Read]] = {
    ".txt": _read_text_file,
    ".md": _read_text_file,
    ".pdf": _read_pdf,
    ".docx": _read_docx,
    ".html": _read_html,
    ".htm": _read_html,
}
