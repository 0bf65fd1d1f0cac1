"""Shared session fixtures: the real corpus indexed once with the real model, and small corpora.

`corpus_index` builds the whole corpus (a copy of corpus/) into a temporary index once per test
session; any test module may depend on it. Tests that change a corpus or an index take
`small_corpus` (a fresh copy of two documents and an empty index folder) or `small_index` (the
same, with an index already built: a copy of one built once per session, so no test pays for
embedding the two documents again).
"""

from __future__ import annotations

import os

# Before anything imports transformers or chromadb: the model is on disk, nothing is sent out.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["ANONYMIZED_TELEMETRY"] = "False"

import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

from assistant.core.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
ASSISTANT = Path(sys.executable).parent / "assistant"
CHROMA = Path(sys.executable).parent / "chroma"

# The two smallest documents, of two different kinds: each rebuild of them takes a few seconds.
SMALL_DOCS = ("sefton-jtai-letter-2019", "sefton-jtai-scrutiny-report-2020")


@dataclass(frozen=True)
class BuiltIndex:
    """An index built from a corpus copy: where it is, and what the build reported."""

    settings: Settings
    corpus_dir: Path
    report: object  # ingest.index.IngestReport

    @property
    def index_dir(self) -> Path:
        return self.settings.index_dir


@dataclass(frozen=True)
class SmallCorpus:
    """A fresh copy of SMALL_DOCS with their manifest entries, and an index folder for it."""

    settings: Settings
    corpus_dir: Path
    index_dir: Path

    def file_of(self, doc_id: str) -> Path:
        return self.corpus_dir / f"{doc_id}.txt"


def write_manifest(corpus_dir: Path, doc_ids: tuple[str, ...] | list[str]) -> None:
    """corpus/manifest.toml with only the entries of `doc_ids` (and its home council)."""
    from evals.corpora import manifest_subset

    text = manifest_subset(lambda entry: entry.get("id") in doc_ids)
    kept = tomllib.loads(text).get("document", [])
    assert len(kept) == len(doc_ids), f"not all of {doc_ids} are in corpus/manifest.toml"
    (corpus_dir / "manifest.toml").write_text(text, encoding="utf-8")


def copy_small_corpus(corpus_dir: Path, doc_ids=SMALL_DOCS) -> Path:
    corpus_dir.mkdir(parents=True, exist_ok=True)
    for doc_id in doc_ids:
        shutil.copy2(CORPUS / f"{doc_id}.txt", corpus_dir / f"{doc_id}.txt")
    write_manifest(corpus_dir, doc_ids)
    return corpus_dir


def run_cli(*args: str, timeout: float = 300, env: dict | None = None) -> subprocess.CompletedProcess:
    """`assistant ARGS` from the venv, as a user runs it; output captured as text."""
    full_env = {**os.environ, "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False", **(env or {})}
    return subprocess.run(
        [str(ASSISTANT), *map(str, args)], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=timeout
    )


def invoke_cli(*args: object, env: dict | None = None) -> subprocess.CompletedProcess:
    """`assistant ARGS` run in this process by click's CliRunner; exit status and output as `run_cli` gives them."""
    from click.testing import CliRunner

    from cli import assistant

    result = CliRunner().invoke(assistant, [str(a) for a in args], env=env, catch_exceptions=False)
    return subprocess.CompletedProcess(list(args), result.exit_code, result.stdout, result.stderr)


def stop_server(proc: subprocess.Popen) -> None:
    """End a server a test started: politely, then for good after 20 seconds."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory) -> BuiltIndex:
    """The whole corpus (copied) indexed once per session with the real model and Chroma store.

    Returns an object with `.settings` (index_dir, corpus_dir set), `.corpus_dir` and `.report`
    (the `IngestReport` of the build). Treat it as read-only: tests that change an index use
    `small_index` or `small_corpus`.
    """
    from ingest.index import build_index

    corpus_dir = tmp_path_factory.mktemp("corpus")
    shutil.copytree(CORPUS, corpus_dir, dirs_exist_ok=True)
    index_dir = tmp_path_factory.mktemp("index")
    settings = Settings(corpus_dir=corpus_dir, index_dir=index_dir, feedback_db=index_dir / "feedback.sqlite3")
    report = build_index(settings, progress=False)
    assert not report.errors, [str(e) for e in report.errors]
    return BuiltIndex(settings=settings, corpus_dir=corpus_dir, report=report)


@pytest.fixture(scope="session")
def small_index_template(tmp_path_factory) -> BuiltIndex:
    """SMALL_DOCS indexed once, in a subprocess, so every file of the store is closed and complete
    when tests copy it."""
    base = tmp_path_factory.mktemp("small-template")
    corpus_dir = copy_small_corpus(base / "corpus")
    index_dir = base / "index"
    done = run_cli("ingest", "--quiet", "--corpus-dir", corpus_dir, "--index-dir", index_dir)
    assert done.returncode == 0, done.stderr
    settings = Settings(corpus_dir=corpus_dir, index_dir=index_dir)
    return BuiltIndex(settings=settings, corpus_dir=corpus_dir, report=done.stdout)


@pytest.fixture
def small_corpus(tmp_path) -> SmallCorpus:
    """A fresh copy of two documents (SMALL_DOCS) and their manifest entries; an empty index folder."""
    corpus_dir = copy_small_corpus(tmp_path / "corpus")
    index_dir = tmp_path / "index"
    settings = Settings(corpus_dir=corpus_dir, index_dir=index_dir, feedback_db=tmp_path / "feedback.sqlite3")
    return SmallCorpus(settings=settings, corpus_dir=corpus_dir, index_dir=index_dir)


@pytest.fixture
def small_index(small_corpus, small_index_template) -> SmallCorpus:
    """`small_corpus` with its index already built (a copy of the session's template build)."""
    shutil.copytree(small_index_template.index_dir, small_corpus.index_dir)
    return small_corpus


@pytest.fixture(scope="session")
def reports_index(tmp_path_factory) -> BuiltIndex:
    """The documents of the "reports" question set (evals/sets/reports/corpus.toml: real PDFs of
    ../shared/national/ and Sefton's two newest reports) indexed once per session, as a user's
    dropped-in reports would be: national reports have no manifest entry."""
    from evals.corpora import SETS, set_files, stage_corpus
    from ingest.index import build_index

    base = tmp_path_factory.mktemp("reports")
    corpus_dir = stage_corpus(set_files(SETS / "reports"), base / "corpus")
    settings = Settings(corpus_dir=corpus_dir, index_dir=base / "index", feedback_db=base / "feedback.sqlite3")
    report = build_index(settings, progress=False)
    assert not report.errors, [str(e) for e in report.errors]
    return BuiltIndex(settings=settings, corpus_dir=corpus_dir, report=report)
