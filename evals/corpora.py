"""The corpus a question set was written against, gathered into one folder for an index.

A question set under `evals/sets/<name>/` may carry a `corpus.toml` listing its documents (paths
relative to the repository root: files of corpus/ and reports elsewhere, such as the national
sample beside the repository). `stage_corpus` copies them into a folder with the manifest
entries corpus/ has for them; documents without an entry are described from their own text, as
a user's dropped-in report would be.
"""

from __future__ import annotations

import json
import re
import shutil
import tomllib
from collections.abc import Callable, Collection
from datetime import date, time
from pathlib import Path
from typing import Any

from assistant import EvalSetError

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SETS = Path(__file__).with_name("sets")


def set_files(set_dir: Path) -> list[Path]:
    """The documents of a question set's `corpus.toml`, resolved from the repository root.

    Raises:
        EvalSetError: the set has no corpus.toml, or a listed file is missing (the message
            names it and says where it is looked for).
    """
    spec = Path(set_dir) / "corpus.toml"
    if not spec.is_file():
        raise EvalSetError(
            f'{spec} is missing: write it with the set\'s documents, files = ["corpus/...", ...] '
            "(paths from the repository root)"
        )
    files = [(ROOT / name).resolve() for name in tomllib.loads(spec.read_text(encoding="utf-8"))["files"]]
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise EvalSetError(
            f"{spec} lists files that are not there: {', '.join(missing)}: put them there or take them "
            "out of its list (the national sample is expected in ../shared/ beside the repository)"
        )
    return files


def stage_corpus(files: list[Path], dest: Path) -> Path:
    """Copy `files` into `dest` with corpus/manifest.toml's entries for those that have one (and
    not its home council)."""
    dest.mkdir(parents=True, exist_ok=True)
    for path in files:
        shutil.copy2(path, dest / path.name)
    names = {p.name for p in files}
    # A question set's corpus mixes councils: its questions are measured with no home council.
    text = manifest_subset(lambda entry: entry.get("file") in names, leave_out=("home_council",))
    (dest / "manifest.toml").write_text(text, encoding="utf-8")
    return dest


def manifest_subset(keep: Callable[[dict[str, Any]], bool], *, leave_out: Collection[str] = ()) -> str:
    """corpus/manifest.toml as TOML text with only the `[[document]]` entries `keep` accepts.

    Args:
        keep: whether to keep a document's entry (its table as read).
        leave_out: top-level keys to drop (`home_council`).

    Returns:
        The text of a manifest that reads as corpus/manifest.toml's facts for those entries
        (its comments are not kept).
    """
    manifest = tomllib.loads((CORPUS / "manifest.toml").read_text(encoding="utf-8"))
    lines = ["# The entries of corpus/manifest.toml for the documents of this folder."]
    lines += [f"{_key(k)} = {_value(v)}" for k, v in manifest.items() if k != "document" and k not in leave_out]
    for entry in manifest.get("document", []):
        if keep(entry):
            lines += ["", "[[document]]", *(f"{_key(k)} = {_value(v)}" for k, v in entry.items())]
    return "\n".join(lines) + "\n"


def _key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _value(key)


def _value(value: Any) -> str:
    """A value read from TOML written back as TOML: JSON's string escapes are TOML's too, but
    for DEL, which TOML wants escaped."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (date, time)):  # a datetime is a date
        return value.isoformat()
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"{type(value).__name__} is not a TOML value")
