"""The same corpus indexed in the embedded Chroma store and in a `chroma run` server: same answers?

Usage: python scripts/compare_chroma_server.py [--corpus ../shared/national] [--sample 20]
           [--questions FILE.jsonl] [--keep]

Ingests the corpus (or --sample N of its reports, spread over its folders) twice with the
project's own code, `ingest.index.build_index`: once into an index folder using the embedded
store, once into a second folder whose vectors go to a `chroma run` server started on a free port
of 127.0.0.1 (its data in the same temporary folder). Then asks every question through
`assistant.answer()` against both and counts the answers that are identical (text,
outcome and cited passages and sentences); for the others it prints both answers and where their
dense rankings (Chroma's k nearest chunks) and final rankings first part. The temporary folder and
the server are removed on exit, Ctrl-C included, unless --keep.

Questions: --questions takes JSONL with a "question" field (the question-set contract of
../shared/DESIGN.md), and optional "doc_type", "from", "to" filters; by default a few generic
questions about inspection themes, some with filters so Chroma's `where` is exercised too.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_chroma_million import free_port, start_server, stop_server  # noqa: E402

QUESTIONS = [
    {"question": "What did inspectors find about the quality of social work practice?"},
    {"question": "How well are care leavers supported into suitable accommodation?"},
    {"question": "What are the areas for improvement in help and protection for children?"},
    {"question": "How effective are the arrangements at the front door when concerns are first raised?"},
    {"question": "What did inspectors say about the stability of the social work workforce?"},
    {"question": "How well do leaders understand the quality of practice?"},
    {"question": "What are the experiences and progress of children in care?"},
    {"question": "Which councils were judged inadequate overall?"},
    {"question": "How long do families wait for education, health and care plans?"},
    {"question": "How well are children and young people with SEND prepared for adulthood?"},
    {
        "question": "What did inspectors say about waiting times for neurodevelopmental assessments?",
        "doc_type": "area_send",
    },
    {"question": "What did inspectors say about private fostering?", "from": "2024-01-01"},
    {"question": "How are children at risk of exploitation protected?", "from": "2023-01-01", "to": "2025-12-31"},
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "national")
    parser.add_argument("--sample", type=int, default=0, help="index only N reports (0: all)")
    parser.add_argument("--questions", type=Path, help="JSONL with a 'question' field per line")
    parser.add_argument("--keep", action="store_true", help="leave the temporary folder (and print it)")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started in the background
    questions = _read_questions(args.questions) if args.questions else QUESTIONS

    tmp = Path(tempfile.mkdtemp(prefix="compare-chroma-"))
    server = None
    try:
        corpus = _sample(args.corpus, args.sample, tmp / "corpus") if args.sample else args.corpus.resolve()
        port = free_port()
        server = start_server(tmp / "chroma-server", "127.0.0.1", port, tmp / "chroma-server.log")
        print(f"chroma run on 127.0.0.1:{port} (pid {server.pid}); working in {tmp}", flush=True)
        run(corpus, questions, tmp, port)
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
    finally:
        if server is not None:
            stop_server(server)
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def run(corpus: Path, questions: list[dict], tmp: Path, port: int) -> None:
    from assistant import Settings, answer, forget_loaded, open_index
    from assistant.core.types import Filters
    from ingest.index import build_index

    base = Settings.from_env().replace(corpus_dir=corpus, llm_url="", chroma_host="")
    sides = {
        "embedded": base.replace(index_dir=tmp / "index-embedded"),
        "server": base.replace(index_dir=tmp / "index-server", chroma_host="127.0.0.1", chroma_port=port),
    }
    for side, settings in sides.items():
        started = time.perf_counter()
        report = build_index(settings, progress=True)
        print(
            f"{side}: {report.documents} documents, {report.chunks} chunks in "
            f"{time.perf_counter() - started:.0f} s" + (f"; {len(report.errors)} failed" if report.errors else ""),
            flush=True,
        )
    indexes = {side: open_index(settings) for side, settings in sides.items()}
    same = 0
    differences = []
    for q in questions:
        filters = Filters(
            doc_types=tuple(filter(None, [q.get("doc_type", "")])), date_from=q.get("from", ""), date_to=q.get("to", "")
        )
        got = {
            side: answer(q["question"], filters=filters, settings=sides[side], index=indexes[side]) for side in sides
        }
        if _signature(got["embedded"]) == _signature(got["server"]):
            same += 1
        else:
            differences.append((q, got))
    forget_loaded()
    print(f"\n{same} of {len(questions)} answers identical (text, outcome, cited passages and sentences)")
    for q, got in differences:
        _explain(q, got["embedded"], got["server"], indexes)


def _signature(a) -> tuple:
    return (a.text, a.outcome, tuple((c.n, c.chunk.chunk_id, c.sentences) for c in a.citations))


def _explain(q: dict, emb, srv, indexes) -> None:
    """Both answers, and where their retrieval first parts."""
    print(f"\n--- {q['question']}" + (f"  { ({k: v for k, v in q.items() if k != 'question'}) }" if len(q) > 1 else ""))
    for side, a in (("embedded", emb), ("server", srv)):
        print(f"  {side} ({a.outcome}): {a.text[:300]}")
        print(f"    cites: {[c.chunk.chunk_id for c in a.citations]}")
    e_ids = [h.chunk.chunk_id for h in emb.retrieved]
    s_ids = [h.chunk.chunk_id for h in srv.retrieved]
    first = next((i for i, (x, y) in enumerate(zip(e_ids, s_ids)) if x != y), None)
    print(
        f"  retrieved: {len(e_ids)} / {len(s_ids)} passages; first difference at rank "
        f"{first + 1 if first is not None else '-'}; in common {len(set(e_ids) & set(s_ids))}"
    )
    # Chroma's own answer to the dense query, from each store, for the resolved question.
    from assistant import understand  # noqa: PLC0415

    vector = understand(emb.resolved_question, indexes["embedded"]).vector
    near = {}
    for side, index in indexes.items():
        result = index.collection.query(query_embeddings=[vector.tolist()], n_results=40, include=["distances"])
        near[side] = list(zip(result["ids"][0], result["distances"][0]))
    e_near, s_near = [i for i, _ in near["embedded"]], [i for i, _ in near["server"]]
    print(
        f"  Chroma's 40 nearest chunks (no filter): {len(set(e_near) & set(s_near))} in common, "
        f"same order: {e_near == s_near}"
    )
    for rank, ((ei, ed), (si, sd)) in enumerate(zip(near["embedded"], near["server"])):
        if ei != si:
            print(f"    first differs at rank {rank + 1}: embedded {ei} ({ed:.6f}), server {si} ({sd:.6f})")
            break
    # The exact 40 nearest, from the vectors the embedded store holds: which side missed one?
    stored = indexes["embedded"].collection.get(include=["embeddings"])
    vectors = np.asarray(stored["embeddings"], dtype=np.float32)
    cosines = vectors @ vector / (np.linalg.norm(vectors, axis=1) * np.linalg.norm(vector))
    exact = {stored["ids"][i] for i in np.argsort(-cosines)[:40]}
    for side in ("embedded", "server"):
        missed = sorted(exact - {i for i, _ in near[side]})
        print(f"  {side}: {40 - len(missed)} of the exact 40 nearest" + (f"; missed {missed}" if missed else ""))


def _sample(corpus: Path, n: int, out: Path) -> Path:
    """N reports of the corpus, taken evenly from each of its folders in name order, linked into out."""
    from ingest.load import SUPPORTED_SUFFIXES

    files = sorted(
        p
        for p in corpus.resolve().rglob("*")
        if p.is_file()
        and p.suffix.lower() in SUPPORTED_SUFFIXES
        and p.name.lower() != "readme.md"
        and not p.name.startswith(".")
    )
    step = max(1, len(files) // n)
    chosen = files[::step][:n]
    for path in chosen:
        target = out / path.relative_to(corpus.resolve())
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    manifest = corpus / "manifest.toml"
    if manifest.exists():
        shutil.copyfile(manifest, out / "manifest.toml")
    print(f"sample: {len(chosen)} of {len(files)} reports", flush=True)
    return out


def _read_questions(path: Path) -> list[dict]:
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [{k: r[k] for k in ("question", "doc_type", "from", "to") if r.get(k)} for r in rows]


def _interrupt(signum, frame):
    raise KeyboardInterrupt


if __name__ == "__main__":
    main()
