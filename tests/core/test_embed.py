"""The ONNX embedder gives sentence-transformers' vectors, from a one-time local export."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.core import embed as embedder


@pytest.fixture(scope="module")
def corpus_lines(corpus_index) -> list[str]:
    """Real lines of the project's documents, short and long, and a few odd ones."""
    from assistant.store import open_index

    lines = [c.text for c in open_index(corpus_index.settings, with_collection=False).chunks[:300]]
    return lines + ["CAMHS", "x " * 600, "   ", "Ümlaut — café “quoted”"]


def test_vectors_match_sentence_transformers_on_torch(corpus_lines):
    """What retrieval was tuned with (sentence-transformers on torch) is what the ONNX model gives,
    so switching the runtime moves no ranking."""
    from sentence_transformers import SentenceTransformer

    reference = SentenceTransformer(str(embedder.model_dir()), device="cpu")
    expected = reference.encode(corpus_lines, normalize_embeddings=True, convert_to_numpy=True)
    got = embedder.embed(corpus_lines)
    assert got.dtype == np.float32 and got.shape == expected.shape
    assert float((got * expected).sum(axis=1).min()) > 0.9999
    # Word pieces are counted as the model's own tokenizer counts them, untruncated.
    counts = [len(reference.tokenizer(t, add_special_tokens=True)["input_ids"]) for t in corpus_lines]
    assert [embedder.word_pieces(t) for t in corpus_lines] == counts
    assert embedder.max_word_pieces() == reference.max_seq_length == 256


def test_one_text_alone_and_in_a_batch_give_the_same_vector(corpus_lines):
    """Padding inside a batch must not change a text's vector (the question is embedded alone,
    the passages in batches)."""
    batch = embedder.embed(corpus_lines[:40], batch_size=16)
    alone = np.stack([embedder.embed([t])[0] for t in corpus_lines[:40]])
    assert np.allclose(batch, alone, atol=1e-5)


def test_export_is_made_once_and_reused(tmp_path, monkeypatch):
    """A fresh cache folder gets the exported model on first use; later sessions read it."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    embedder._session.cache_clear()
    try:
        vector = embedder.embed(["the front door responds quickly"])
        files = list((tmp_path / "inspection-assistant").glob("*.onnx"))
        assert len(files) == 1 and files[0].stat().st_size > 50_000_000
        assert not list((tmp_path / "inspection-assistant").glob("*.part"))
        stamp = files[0].stat().st_mtime_ns
        embedder._session.cache_clear()
        again = embedder.embed(["the front door responds quickly"])
        assert files[0].stat().st_mtime_ns == stamp
        assert np.allclose(vector, again)
    finally:
        embedder._session.cache_clear()
