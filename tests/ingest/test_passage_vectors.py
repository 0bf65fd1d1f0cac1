"""Passage vectors as means of sentence vectors (`passage_vectors = "sentences"`): what they are,
and an ingest that embeds only sentences, records the choice, and answers from it."""

from __future__ import annotations

import json
import re
import shutil

import numpy as np

from assistant.core.types import Chunk
from conftest import ROOT, run_cli
from ingest.vectors import mean_of_sentences

NATIONAL = ROOT.parent / "shared" / "national"


def _chunk(text: str, passage: str, passage_id: str = "d:1") -> Chunk:
    return Chunk(
        chunk_id=f"{passage_id}:{passage.find(text)}",
        doc_id="d",
        title="t",
        doc_type="report",
        publisher="p",
        date="2024-01-01",
        text=text,
        passage=passage,
        passage_id=passage_id,
    )


def test_a_chunk_vector_is_the_mean_of_the_sentences_it_holds():
    passage = "One. Two. Three."
    sentences = [("d:1", 0, 4), ("d:1", 5, 9), ("d:1", 10, 16)]
    vectors = np.eye(3, dtype=np.float32)
    first, second, orphan = mean_of_sentences(
        [_chunk("One. Two.", passage), _chunk("Three.", passage), _chunk("Alone", "Alone", "d:2")], sentences, vectors
    )
    assert np.allclose(first, np.array([1, 1, 0]) / np.sqrt(2))
    assert np.allclose(second, [0, 0, 1])
    assert orphan is None  # a passage with no sentence row is embedded instead


def _ingest(corpus, index, mode: str):
    done = run_cli(
        "ingest",
        "--quiet",
        "--corpus-dir",
        corpus,
        "--index-dir",
        index,
        timeout=900,
        env={"ASSISTANT_PASSAGE_VECTORS": mode},
    )
    assert done.returncode == 0, done.stderr
    found = re.search(r"embedded (\d+) texts", done.stdout)
    return int(found.group(1)) if found else 0


def test_an_ingest_with_sentence_mean_passages_embeds_less_and_answers(tmp_path):
    report = min((NATIONAL / "childrens-services").glob("*.pdf"), key=lambda p: p.stat().st_size)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy2(report, corpus / report.name)
    index = tmp_path / "index"

    from_sentences = _ingest(corpus, index, "sentences")
    state = json.loads((index / "state.json").read_text())
    assert state["passage_vectors"] == "sentences"
    asked = run_cli("ask", "--index-dir", index, "What did inspectors find about care leavers?")
    assert asked.returncode == 0 and "[1]" in asked.stdout, asked.stdout + asked.stderr

    # An update that does not name the mode keeps the index's own: nothing is embedded again.
    kept = run_cli("ingest", "--quiet", "--corpus-dir", corpus, "--index-dir", index, timeout=900)
    assert kept.returncode == 0 and "nothing embedded" in kept.stdout, kept.stdout + kept.stderr
    assert "keeping this index's passage vectors ('sentences')" in kept.stderr
    assert json.loads((index / "state.json").read_text())["passage_vectors"] == "sentences"

    # Switching back embeds every passage as well: the same document costs more texts.
    embedded = _ingest(corpus, index, "embedded")
    assert json.loads((index / "state.json").read_text())["passage_vectors"] == "embedded"
    assert from_sentences < embedded, (from_sentences, embedded)
    # ... and with nothing changed, nothing is embedded again.
    assert _ingest(corpus, index, "embedded") == 0
