"""Read `corpus/manifest.toml`, the facts about each document (strict TOML, checked).

Document ids are published (evaluation sets and citations refer to them), so the manifest is
checked strictly: a mistake stops ingest with the manifest's path, the line and the fix, rather
than being indexed under a wrong id or date.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import tomllib
from pathlib import Path, PurePosixPath

from assistant.core.dates import is_iso_date
from assistant.core.errors import ManifestError
from assistant.core.types import DocumentInfo

logger = logging.getLogger(__name__)

MANIFEST_NAME = "manifest.toml"

ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]*")
_KEYS = (
    "id",
    "file",
    "title",
    "doc_type",
    "publisher",
    "local_authority",
    "published",
    "notes",
    "inspection_dates",
    "lead_inspector",
    "judgements",
)
_TABLE_HEADER = re.compile(r"^\s*\[\[\s*document\s*\]\]")
_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")


def read_manifest(corpus_dir: Path) -> list[DocumentInfo]:
    """Read and check `corpus_dir/manifest.toml`.

    Args:
        corpus_dir: The corpus folder; its `manifest.toml` lists `[[document]]` tables with
            `id`, `file`, `title`, `doc_type`, `publisher`, `local_authority`, `published`
            (ISO date or "") and `notes`.

    Returns:
        One `DocumentInfo` per entry, in manifest order; an empty list when there is no manifest.

    Raises:
        ManifestError: The manifest is not valid TOML, or an entry lacks `id`/`file`, repeats
            another's id or file, has an id that is not a slug, or a `published` that is not
            "" or YYYY-MM-DD. The message names the file and line and says the fix.
    """
    path = Path(corpus_dir) / MANIFEST_NAME
    if not path.is_file():
        logger.info("No manifest at %s: every document will be described from its text", path)
        return []
    text = _manifest_text(path)
    infos = _unique_entries(path, text, _document_tables(path, text))
    logger.info("Read %d manifest entries from %s", len(infos), path)
    return infos


def _manifest_text(path: Path) -> str:
    try:
        # utf-8-sig: a BOM left by a Windows editor is not worth failing over.
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ManifestError(
            f"{path}: not UTF-8 (byte {exc.start}): save the manifest as UTF-8, as TOML requires"
        ) from None
    except OSError as exc:
        raise ManifestError(f"{path}: cannot be read ({exc.strerror or exc}): check its permissions") from None


def _document_tables(path: Path, text: str) -> list[dict]:
    """The [[document]] tables of the manifest, once its TOML and top-level keys are checked."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _syntax_error(path, exc) from None
    entries = data.get("document", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ManifestError(
            f"{path}:{_line_of_key(text, 'document')}: 'document' must be a list of tables: "
            "write each document as a [[document]] table"
        )
    home = data.get("home_council", "")
    if not isinstance(home, str):
        raise ManifestError(
            f"{path}:{_line_of_key(text, 'home_council')}: 'home_council' must be a council's name in quotes, "
            'e.g. home_council = "Anytown"'
        )
    for key in data.keys() - {"document", "home_council"}:
        logger.warning("%s: ignoring top-level key %r (only [[document]] tables are read)", path, key)
    return entries


def _unique_entries(path: Path, text: str, entries: list[dict]) -> list[DocumentInfo]:
    """Each entry checked and read, no id or file twice."""
    infos: list[DocumentInfo] = []
    seen_ids: dict[str, int] = {}
    seen_files: dict[str, int] = {}
    for index, entry in enumerate(entries):
        info = _entry_info(path, text, index, entry)
        line = _line_in_entry(text, index, "id")
        if info.doc_id in seen_ids:
            raise ManifestError(
                f"{path}:{line}: duplicate id '{info.doc_id}' (first at line {seen_ids[info.doc_id]}): "
                "give each document its own id"
            )
        file_line = _line_in_entry(text, index, "file")
        if info.file in seen_files:
            raise ManifestError(
                f"{path}:{file_line}: file '{info.file}' is listed twice (first at line "
                f"{seen_files[info.file]}): keep one entry per file"
            )
        seen_ids[info.doc_id] = line
        seen_files[info.file] = file_line
        infos.append(info)
    return infos


def slugify(name: str) -> str:
    """A manifest-style id from a file name: "JTAI Letter (2019)" -> "jtai-letter-2019"."""
    slug = re.sub(r"[^a-z0-9._-]+", "-", name.lower())
    slug = re.sub(r"-{2,}", "-", slug).strip("-._")
    if not slug:
        # A name of symbols only still needs a stable id.
        slug = "document-" + hashlib.sha256(name.encode()).hexdigest()[:8]
    return slug


def _entry_info(path: Path, text: str, index: int, entry: dict) -> DocumentInfo:
    header = _entry_lines(text, index)[0]
    for key in ("id", "file"):
        if not str(entry.get(key, "")).strip():
            raise ManifestError(f"{path}:{header}: document #{index + 1} has no '{key}': add {key} = \"...\" to it")
    values: dict[str, str] = {}
    judgements: tuple[tuple[str, str], ...] = ()
    for key, value in entry.items():
        if key == "judgements":
            if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
                raise ManifestError(
                    f"{path}:{_line_in_entry(text, index, key)}: 'judgements' must be a table of "
                    'area = "grade" (e.g. judgements = { "Overall effectiveness" = "Good" })'
                )
            judgements = tuple((k.strip(), v.strip()) for k, v in value.items())
            continue
        if key not in _KEYS:
            logger.warning("%s:%d: ignoring unknown key %r", path, _line_in_entry(text, index, key), key)
            continue
        if key == "published" and isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            value = value.isoformat()  # `published = 2019-12-18` unquoted is a TOML date
        if not isinstance(value, str):
            raise ManifestError(
                f"{path}:{_line_in_entry(text, index, key)}: '{key}' must be a string: "
                f'put the value in double quotes ({key} = "...")'
            )
        values[key] = value.strip()

    doc_id = values["id"]
    if not ID_PATTERN.fullmatch(doc_id):
        raise ManifestError(
            f"{path}:{_line_in_entry(text, index, 'id')}: id '{doc_id}' is not allowed: use lower-case "
            f"letters, digits, '.', '_' and '-', starting with a letter or digit (e.g. '{slugify(doc_id)}')"
        )
    published = values.get("published", "")
    if published and not is_iso_date(published):
        raise ManifestError(
            f"{path}:{_line_in_entry(text, index, 'published')}: published '{published}' of '{doc_id}' "
            'is not a date: write it as "YYYY-MM-DD" (e.g. "2019-12-18"), or "" when unknown'
        )
    file = _clean_file(path, text, index, values["file"])
    return DocumentInfo(
        doc_id=doc_id,
        file=file,
        title=values.get("title", ""),
        doc_type=values.get("doc_type") or "unknown",
        publisher=values.get("publisher", ""),
        local_authority=values.get("local_authority", ""),
        published=published,
        notes=values.get("notes", ""),
        in_manifest=True,
        inspection_dates=values.get("inspection_dates", ""),
        lead_inspector=values.get("lead_inspector", ""),
        judgements=judgements,
    )


def _clean_file(path: Path, text: str, index: int, file: str) -> str:
    # Files are matched against paths found under the corpus, so keep one spelling: POSIX, relative.
    posix = PurePosixPath(file.replace("\\", "/"))
    if posix.is_absolute() or ".." in posix.parts or re.match(r"^[A-Za-z]:", file):
        raise ManifestError(
            f"{path}:{_line_in_entry(text, index, 'file')}: file '{file}' is outside the corpus: "
            "give its path relative to the corpus folder"
        )
    return posix.as_posix()


def _syntax_error(path: Path, exc: tomllib.TOMLDecodeError) -> ManifestError:
    message = str(exc)
    # Python 3.11's TOMLDecodeError carries its position only in the message.
    where = _TOML_POSITION.search(message)
    if where:
        message = message[: where.start()]
        location = f"{path}:{where[1]}: TOML syntax error at line {where[1]}, column {where[2]}"
    else:
        location = f"{path}: TOML syntax error"
    return ManifestError(
        f"{location}: {message}: fix that line (strings need double quotes, each key = value "
        "on its own line, each document starts with [[document]])"
    )


def _entry_lines(text: str, index: int) -> tuple[int, int]:
    """First and last line (1-based) of the `index`-th [[document]] table in the text."""
    lines = text.splitlines()
    headers = [n for n, line in enumerate(lines, 1) if _TABLE_HEADER.match(line)]
    if index >= len(headers):  # written some other way (inline array): fall back to the top
        return (1, len(lines))
    end = headers[index + 1] - 1 if index + 1 < len(headers) else len(lines)
    return (headers[index], end)


def _line_in_entry(text: str, index: int, key: str) -> int:
    """The line of `key = ...` inside the `index`-th table, else the table's first line."""
    first, last = _entry_lines(text, index)
    pattern = re.compile(r"^\s*[\"']?" + re.escape(key) + r"[\"']?\s*=")
    for number, line in enumerate(text.splitlines()[first - 1 : last], first):
        if pattern.match(line):
            return number
    return first


def _line_of_key(text: str, key: str) -> int:
    pattern = re.compile(r"^\s*(\[\[?\s*)?[\"']?" + re.escape(key) + r"\b")
    for number, line in enumerate(text.splitlines(), 1):
        if pattern.match(line):
            return number
    return 1
