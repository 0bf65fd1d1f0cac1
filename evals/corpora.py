"""The corpus a question set was written against, gathered into one folder for an index.

A question set under `evals/sets/<name>/` may carry a `corpus.toml` listing its documents (paths
relative to the repository root: files of corpus/ and reports elsewhere, such as the national
sample beside the repository). `stage_corpus` copies them into a folder with the manifest
entries corpus/ has for them; documents without an entry are described from their own text, as
a user's dropped-in report would be.
"""

from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SETS = Path(__file__).with_name("sets")


def set_files(set_dir: Path) -> list[Path]:
    """The documents of a question set's `corpus.toml`, resolved from the repository root.

    Raises:
        FileNotFoundError: the set has no corpus.toml, or a listed file is missing (the message
            names it and says where it is looked for).
    """
    spec = Path(set_dir) / "corpus.toml"
    if not spec.is_file():
        raise FileNotFoundError(f"{spec} is missing: a question set's corpus.toml lists its documents")
    files = [(ROOT / name).resolve() for name in tomllib.loads(spec.read_text(encoding="utf-8"))["files"]]
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise FileNotFoundError(
            f"{spec} lists files that are not there: {', '.join(missing)} "
            "(the national sample is expected in ../shared/ beside the repository)"
        )
    return files


def stage_corpus(files: list[Path], dest: Path) -> Path:
    """Copy `files` into `dest` with corpus/manifest.toml's entries for those that have one (and
    not its home council)."""
    dest.mkdir(parents=True, exist_ok=True)
    for path in files:
        shutil.copy2(path, dest / path.name)
    manifest = (CORPUS / "manifest.toml").read_text(encoding="utf-8")
    head, *blocks = re.split(r"(?m)^(?=\[\[document\]\])", manifest)
    # A question set's corpus mixes councils: its questions are measured with no home council.
    head = re.sub(r"(?m)^home_council\s*=.*\n", "", head)
    names = {p.name for p in files}
    kept = [b for b in blocks if (m := re.search(r'(?m)^file\s*=\s*"([^"]+)"', b)) and m.group(1) in names]
    (dest / "manifest.toml").write_text(head + "".join(kept), encoding="utf-8")
    return dest
