"""Fill a `chroma run` server with N synthetic chunks and time inserts and filtered k-NN queries.

Usage: python scripts/bench_chroma_million.py [--n 1000000] [--queries 200] [--batch B] [--keep]
       python scripts/bench_chroma_million.py --url http://127.0.0.1:8000   # a server already running

Starts `chroma run` on a free port of 127.0.0.1 with its data in a temporary folder (unless --url
is given), creates one collection configured as ingest/index.py configures the project's (cosine
space, ef_construction 200, ef_search 200, max_neighbors 32), and adds N random unit 384-d float32
vectors (all-MiniLM-L6-v2's size) with synthetic metadata shaped like the project's: doc_id,
doc_type, council, date_int; 50 chunks a document, 150 councils. Prints progress with the insert
rate and an ETA, then runs --queries queries of k=40 nearest neighbours (the project's
`candidates`) without a filter and with the `where` filters the project builds (a council; a kind
of report and a date range), and prints p50/p95 latency in ms, the recall of the approximate
search against exact search on a sample of queries, the server's resident memory and its data
size on disk. The server and its folder are removed on exit, Ctrl-C included, unless --keep.

Random vectors have no clusters, which is the hardest case for an HNSW graph: recall and latency
on real embeddings are at least as good.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import urlparse

import numpy as np

DIM = 384
K = 40
CHUNKS_PER_DOC = 50
COUNCILS = [f"council-{i:03d}" for i in range(150)]
DOC_TYPES = [
    "ilacs",
    "ilacs_short",
    "focused_visit",
    "monitoring_visit",
    "jtai",
    "area_send",
    "health_review",
    "action_plan",
    "scrutiny_report",
]
# As ingest/index.py creates the project's collection (its sync_threshold, sized for a small
# corpus's sqlite file, is left at Chroma's default here).
HNSW = {"space": "cosine", "ef_construction": 200, "ef_search": 200, "max_neighbors": 32}
CHROMA = Path(sys.executable).parent / "chroma"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="chunks to insert")
    parser.add_argument("--queries", type=int, default=200, help="queries of each kind")
    parser.add_argument("--batch", type=int, default=0, help="chunks per add (default: the server's maximum)")
    parser.add_argument("--url", default="", help="a running Chroma server, e.g. http://127.0.0.1:8000")
    parser.add_argument("--keep", action="store_true", help="leave the server running and its data in place")
    parser.add_argument("--recall-queries", type=int, default=20, help="queries checked against exact search")
    parser.add_argument(
        "--hnsw", default="", help="JSON merged into the HNSW configuration, e.g. '{\"sync_threshold\": 100000}'"
    )
    parser.add_argument(
        "--max-insert-minutes",
        type=float,
        default=0,
        help="stop inserting after this long and measure what is there (0: no limit)",
    )
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    # Ctrl-C and a plain `kill` both unwind through the finally blocks below.
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started in the background

    tmp = Path(tempfile.mkdtemp(prefix="chroma-million-"))
    server = None
    try:
        if args.url:
            parsed = urlparse(args.url)
            host, port = parsed.hostname or "127.0.0.1", parsed.port or 8000
            data_dir = None
        else:
            host, port, data_dir = "127.0.0.1", free_port(), tmp / "data"
            server = start_server(data_dir, host, port, tmp / "server.log")
            print(f"chroma run on {host}:{port}, data in {data_dir} (pid {server.pid})", flush=True)
        run(args, host, port, server, data_dir)
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
    finally:
        if args.keep:
            print(f"kept: server pid {server.pid if server else '-'} on {host}:{port}, folder {tmp}")
        else:
            if server is not None:
                stop_server(server)
            shutil.rmtree(tmp, ignore_errors=True)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def run(args, host: str, port: int, server: subprocess.Popen | None, data_dir: Path | None) -> None:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    client = chromadb.HttpClient(host=host, port=port, settings=ChromaSettings(anonymized_telemetry=False))
    max_batch = client.get_max_batch_size()
    batch = min(args.batch or max_batch, max_batch)
    name = f"bench-{uuid.uuid4().hex[:8]}"
    hnsw = {**HNSW, **json.loads(args.hnsw or "{}")}
    collection = client.create_collection(name, configuration={"hnsw": hnsw}, embedding_function=None)
    print(
        f"collection {name} (hnsw {hnsw}): {args.n:,} chunks in batches of {batch:,} (server maximum {max_batch:,})",
        flush=True,
    )
    try:
        meta = synthetic_metadata(args.n, np.random.default_rng(args.seed))
        # Every vector is kept (1.5 GB at a million) for the exact-search recall check.
        vectors = np.empty((args.n, DIM), dtype=np.float32)
        rng = np.random.default_rng(args.seed + 1)
        started = time.perf_counter()
        deadline = started + args.max_insert_minutes * 60 if args.max_insert_minutes else float("inf")
        inserted = 0
        try:
            for start in range(0, args.n, batch):
                stop = min(start + batch, args.n)
                part = unit_vectors(rng, stop - start)
                vectors[start:stop] = part
                collection.add(
                    ids=[f"c{i:07d}" for i in range(start, stop)], embeddings=part, metadatas=meta[start:stop]
                )
                inserted = stop
                elapsed = time.perf_counter() - started
                rate = stop / elapsed
                eta = (args.n - stop) / rate
                print(
                    f"\r  {stop:>9,}/{args.n:,} ({100 * stop / args.n:5.1f}%)  {rate:,.0f} chunks/s  "
                    f"elapsed {fmt_time(elapsed)}  ETA {fmt_time(eta)}  server RSS {rss_mb(server)}",
                    end="",
                    flush=True,
                )
                if time.perf_counter() > deadline:
                    print(f"\n--max-insert-minutes reached: querying the {inserted:,} chunks inserted", end="")
                    break
        except KeyboardInterrupt:
            # The first Ctrl-C ends the inserts and measures what is there; a second one ends all.
            print(f"\ninterrupted: querying the {inserted:,} chunks inserted", end="")
        insert_seconds = time.perf_counter() - started
        print()
        vectors, meta = vectors[:inserted], meta[:inserted]
        count = collection.count()
        print(
            f"inserted {count:,} chunks in {fmt_time(insert_seconds)}: {inserted / insert_seconds:,.0f} chunks/s",
            flush=True,
        )

        queries = unit_vectors(np.random.default_rng(args.seed + 2), args.queries)
        qrng = np.random.default_rng(args.seed + 3)
        council_filters = [{"council": COUNCILS[qrng.integers(len(COUNCILS))]} for _ in range(args.queries)]
        kind_filters = [kind_and_dates(qrng) for _ in range(args.queries)]
        start_q = time.perf_counter()
        first = timed_query(collection, queries[0], None)[0]  # the first query after the writes
        print(
            f"first query after the inserts: {first:.0f} ms (waited {time.perf_counter() - start_q:.1f} s)", flush=True
        )
        results = {}
        for label, wheres in (
            ("no filter", [None] * args.queries),
            ("council", council_filters),
            ("doc_type + date range", kind_filters),
        ):
            for q in range(min(5, args.queries)):  # warm caches of this path
                timed_query(collection, queries[q], wheres[q])
            latencies, got = [], []
            for q in range(args.queries):
                ms, ids = timed_query(collection, queries[q], wheres[q])
                latencies.append(ms)
                got.append(ids)
            recall = exact_recall(vectors, meta, queries, wheres, got, args.recall_queries)
            results[label] = (latencies, recall, statistics.mean(len(g) for g in got))
            print(
                f"  {label}: p50 {percentile(latencies, 50):.1f} ms, p95 {percentile(latencies, 95):.1f} ms", flush=True
            )  # each kind as it is done: filtered queries can take minutes in all
        print()
        print(
            f"chunks: {count:,}; insert: {inserted / insert_seconds:,.0f} chunks/s "
            f"({fmt_time(insert_seconds)}, batches of {batch:,})"
        )
        print(f"queries: {args.queries} of each kind, k={K}, one at a time; latency in ms")
        print(f"  {'where':<24}{'p50':>8}{'p95':>8}{'max':>8}{'hits':>7}  recall@{K} (first {args.recall_queries})")
        for label, (latencies, recall, hits) in results.items():
            print(
                f"  {label:<24}{percentile(latencies, 50):8.1f}{percentile(latencies, 95):8.1f}"
                f"{max(latencies):8.1f}{hits:7.1f}  {recall:.3f}"
            )
        if server is not None:
            print(f"server resident memory: {rss_mb(server)} now, {rss_mb(server, peak=True)} peak")
        if data_dir is not None:
            print(f"data on disk: {du_mb(data_dir):,.0f} MB in {data_dir}")
    finally:
        if not args.keep:
            try:
                client.delete_collection(name)
            except Exception:
                pass  # the server is gone already; its folder goes with it


def synthetic_metadata(n: int, rng: np.random.Generator) -> list[dict]:
    """The project's filter fields, one document every CHUNKS_PER_DOC chunks."""
    docs = (n + CHUNKS_PER_DOC - 1) // CHUNKS_PER_DOC
    councils = rng.integers(len(COUNCILS), size=docs)
    kinds = rng.integers(len(DOC_TYPES), size=docs)
    days = rng.integers(0, 11 * 365, size=docs)  # 2015 to 2025
    base = np.datetime64("2015-01-01")
    dates = [int(str(base + int(d)).replace("-", "")) for d in days]
    return [
        {
            "doc_id": f"doc-{i // CHUNKS_PER_DOC:06d}",
            "doc_type": DOC_TYPES[kinds[i // CHUNKS_PER_DOC]],
            "council": COUNCILS[councils[i // CHUNKS_PER_DOC]],
            "date_int": dates[i // CHUNKS_PER_DOC],
        }
        for i in range(n)
    ]


def kind_and_dates(rng: np.random.Generator) -> dict:
    """As assistant/retrieval/retrieve.py `_where` builds it for --type T --from D --to D."""
    year = int(rng.integers(2015, 2023))
    kinds = [DOC_TYPES[int(rng.integers(len(DOC_TYPES)))]]
    return {
        "$and": [
            {"doc_type": {"$in": kinds}},
            {"date_int": {"$gt": 0}},
            {"date_int": {"$gte": year * 10000 + 101}},
            {"date_int": {"$lte": (year + 3) * 10000 + 1231}},
        ]
    }


def matches(meta: dict, where: dict | None) -> bool:
    """Whether a chunk's metadata passes one of the filters this script builds."""
    if where is None:
        return True
    if "$and" in where:
        return all(matches(meta, w) for w in where["$and"])
    ((key, cond),) = where.items()
    if not isinstance(cond, dict):
        return meta[key] == cond
    ((op, value),) = cond.items()
    return {
        "$in": lambda v: v in value,
        "$gt": lambda v: v > value,
        "$gte": lambda v: v >= value,
        "$lte": lambda v: v <= value,
    }[op](meta[key])


def exact_recall(
    vectors: np.ndarray, meta: list[dict], queries: np.ndarray, wheres: list, got: list[list[str]], n: int
) -> float:
    """Share of the exact k nearest (passing the filter) that the server returned, over n queries."""
    found = total = 0
    for q in range(min(n, len(queries))):
        allowed = np.array([matches(m, wheres[q]) for m in meta]) if wheres[q] is not None else None
        sims = vectors @ queries[q]
        if allowed is not None:
            sims = np.where(allowed, sims, -np.inf)
        top = np.argpartition(-sims, K)[:K] if len(sims) > K else np.arange(len(sims))
        truth = {f"c{i:07d}" for i in top if np.isfinite(sims[i])}
        found += len(truth & set(got[q]))
        total += len(truth)
    return found / total if total else 1.0


def timed_query(collection, vector: np.ndarray, where: dict | None) -> tuple[float, list[str]]:
    started = time.perf_counter()
    result = collection.query(query_embeddings=[vector], n_results=K, where=where, include=["distances"])
    return (time.perf_counter() - started) * 1000, result["ids"][0]


def unit_vectors(rng: np.random.Generator, n: int) -> np.ndarray:
    v = rng.standard_normal((n, DIM), dtype=np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def percentile(values: list[float], p: float) -> float:
    return float(np.percentile(values, p))


def fmt_time(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def rss_mb(proc: subprocess.Popen | None, peak: bool = False) -> str:
    """Resident memory of the server (VmRSS, or VmHWM for the peak), from /proc."""
    if proc is None:
        return "n/a"
    field = "VmHWM:" if peak else "VmRSS:"
    try:
        for line in Path(f"/proc/{proc.pid}/status").read_text().splitlines():
            if line.startswith(field):
                return f"{int(line.split()[1]) / 1024:,.0f} MB"
    except OSError:
        pass
    return "n/a"


def du_mb(path: Path) -> float:
    """Bytes actually allocated under path (as `du`), in MB."""
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            try:
                total += os.stat(os.path.join(root, f)).st_blocks * 512
            except OSError:
                pass
    return total / 1e6


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(data_dir: Path, host: str, port: int, log_path: Path) -> subprocess.Popen:
    """`chroma run` on host:port, returned once its heartbeat answers."""
    log = open(log_path, "w")
    # Its own session: Ctrl-C reaches only this script, which then stops the server itself.
    proc = subprocess.Popen(
        [str(CHROMA), "run", "--path", str(data_dir), "--host", host, "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://{host}:{port}/api/v2/heartbeat", timeout=2) as response:
                if response.status == 200:
                    return proc
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            stop_server(proc)
            raise SystemExit("chroma run did not start:\n" + log_path.read_text())
        time.sleep(0.2)


def stop_server(proc: subprocess.Popen) -> None:
    """Politely (chroma run stops at once on SIGINT, but not on SIGTERM), then for good after 20 seconds."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


if __name__ == "__main__":
    main()
