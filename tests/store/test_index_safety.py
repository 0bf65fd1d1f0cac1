"""A killed ingest never breaks the live index, and the next ingest clears what it left.

The ingest is a real `assistant ingest` process killed with SIGKILL (no clean-up code runs);
the index is then read by a fresh `assistant ask` process, as a user would.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

from assistant.store import STATE_FILE, chroma_client, forget_loaded, open_index, read_state
from conftest import ASSISTANT, ROOT, run_cli

SCRUTINY = "sefton-jtai-scrutiny-report-2020"
ADDENDUM = (
    "Addendum September 2020. The partnership opened a zebrafish therapy garden in Bootle "
    "for children who are waiting for CAMHS support."
)
ADDENDUM_QUESTION = "Where did the partnership open a zebrafish therapy garden?"


def start_ingest(corpus_dir: Path, index_dir: Path, *extra: str, stderr=subprocess.PIPE) -> subprocess.Popen:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}
    return subprocess.Popen(
        [str(ASSISTANT), "ingest", *extra, "--corpus-dir", str(corpus_dir), "--index-dir", str(index_dir)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=stderr,
    )


def kill(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)


def wait_for_stderr(proc: subprocess.Popen, text: str, timeout: float = 240) -> str:
    """Read the process's stderr (progress bars end in \\r, not \\n) until `text` appears."""
    seen: list[bytes] = []
    found = threading.Event()

    def reader() -> None:
        while True:
            data = os.read(proc.stderr.fileno(), 4096)
            if not data:
                return
            seen.append(data)
            if text.encode() in b"".join(seen):
                found.set()

    threading.Thread(target=reader, daemon=True).start()
    deadline = time.monotonic() + timeout
    while not found.is_set():
        if proc.poll() is not None or time.monotonic() > deadline:
            kill(proc)
            raise AssertionError(f"ingest never printed {text!r}:\n" + b"".join(seen).decode(errors="replace"))
        time.sleep(0.01)
    return b"".join(seen).decode(errors="replace")


def generation_folders(index_dir: Path) -> list[str]:
    return sorted(p.name for p in index_dir.glob("gen-*"))


def chunk_ids(index_dir: Path, generation: int) -> set[str]:
    lines = (index_dir / f"gen-{generation}" / "chunks.jsonl").read_text().splitlines()
    return {json.loads(line)["chunk_id"] for line in lines if line}


def ask_json(index_dir: Path, question: str) -> dict:
    done = run_cli("ask", "--json", "--index-dir", index_dir, question)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_killed_ingest_leaves_the_live_index_whole_and_the_next_ingest_cleans_up(small_index):
    corpus_dir, index_dir = small_index.corpus_dir, small_index.index_dir
    state_bytes = (index_dir / STATE_FILE).read_bytes()
    live = read_state(index_dir)
    old_ids = chunk_ids(index_dir, live.generation)
    scrutiny = small_index.file_of(SCRUTINY)
    scrutiny.write_text(scrutiny.read_text(encoding="utf-8") + "\n\n" + ADDENDUM + "\n", encoding="utf-8")

    # 1. Killed while embedding a full rebuild of the changed corpus.
    proc = start_ingest(corpus_dir, index_dir, "--rebuild")
    try:
        wait_for_stderr(proc, "embedding")
    finally:
        kill(proc)
    assert proc.returncode == -signal.SIGKILL
    assert (index_dir / STATE_FILE).read_bytes() == state_bytes

    result = ask_json(index_dir, ADDENDUM_QUESTION)
    assert result["retrieved"], result
    assert {hit["chunk_id"] for hit in result["retrieved"]} <= old_ids
    assert not any("zebrafish" in hit["text"] for hit in result["retrieved"])
    assert not any("zebrafish" in c["text"] for c in result["citations"])

    # 2. Killed while writing the new generation: the moment its folder appears.
    proc = start_ingest(corpus_dir, index_dir, "--quiet", stderr=subprocess.DEVNULL)
    live_folder = f"gen-{live.generation}"
    deadline = time.monotonic() + 240
    try:
        while not [n for n in generation_folders(index_dir) if n != live_folder]:
            assert proc.poll() is None, "ingest finished before its new generation was seen"
            assert time.monotonic() < deadline, "no new generation folder appeared"
            time.sleep(0.002)
    finally:
        kill(proc)
    leftovers = [n for n in generation_folders(index_dir) if n != live_folder]
    state_after_kill = (index_dir / STATE_FILE).read_bytes()
    # The rename of state.json is the commit: before it, the old index is live, whole.
    assert state_after_kill == state_bytes, "the kill came after the commit (the race was lost)"
    assert leftovers, "a killed ingest should have left its unfinished generation"
    index = open_index(small_index.settings)
    assert index.generation == live.generation
    assert {c.chunk_id for c in index.chunks} == old_ids
    assert index.collection.count() == len(old_ids)
    forget_loaded()

    # 3. The next ingest completes, and leaves only the live generation.
    done = run_cli("ingest", "--quiet", "--corpus-dir", corpus_dir, "--index-dir", index_dir)
    assert done.returncode == 0, done.stderr
    assert "embedded" in done.stdout and SCRUTINY in done.stdout, done.stdout
    state = read_state(index_dir)
    assert state.generation > live.generation
    assert generation_folders(index_dir) == [f"gen-{state.generation}"]
    assert not list(index_dir.glob("*.tmp"))
    prefix = small_index.settings.collection_prefix + "-g"
    names = [c if isinstance(c, str) else c.name for c in chroma_client(small_index.settings).list_collections()]
    assert [n for n in names if n.startswith(prefix)] == [state.collection]

    index = open_index(small_index.settings)
    assert index.collection.count() == len(index.chunks)
    assert any("zebrafish" in c.passage for c in index.chunks)
    forget_loaded()
