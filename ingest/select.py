"""Which files of the corpus to load: the selection asked for, less what is not a document.

Hidden files, a folder's README, unsupported formats and links that leave the corpus are left
out here; manifest entries whose file is missing are reported here. Nothing is read.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

from assistant.core.errors import LoadError
from assistant.core.types import DocumentInfo
from ingest.manifest import MANIFEST_NAME
from ingest.readers import SUPPORTED_SUFFIXES

logger = logging.getLogger(__name__)

_FOLDER_NOTES = {"readme", "licence", "license", "changelog", "contributing"}  # file stems that describe a folder


def select_files(
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
            if not _is_document(path, name, root, listed):
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


def _is_document(path: Path, name: str, root: Path, listed: set[str]) -> bool:
    """Whether a file found under the selection is one to read (logging why when it is not)."""
    # Hidden files are editor backups and caches, unless the manifest names one.
    if name == MANIFEST_NAME or (_is_hidden(path, root) and name not in listed):
        return False
    if path.stem.lower() in _FOLDER_NOTES and name not in listed:
        # A folder's README describes the folder: it is not a report (unless the manifest says so).
        logger.info("Skipping %s: a note about the folder, not a document (list it in the manifest to read it)", path)
        return False
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
        return False
    return True


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


def missing_entries(corpus_dir: Path, entries: Iterable[DocumentInfo], roots: list[Path]) -> list[LoadError]:
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


def unique_id(doc_id: str, path: Path, used: set[str]) -> str:
    """`doc_id`, or a variant of it no document in `used` has."""
    # Two files may share a stem ("letter.pdf" beside the manifest's "letter.txt"); ids must not.
    if doc_id not in used:
        return doc_id
    candidate = f"{doc_id}-{path.suffix.lstrip('.').lower()}"
    number = 2
    while candidate in used:
        candidate = f"{doc_id}-{number}"
        number += 1
    return candidate
