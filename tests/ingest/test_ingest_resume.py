"""A killed ingest resumes: the next run embeds nothing the killed one had already embedded."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time

from conftest import ASSISTANT, ROOT, run_cli

NATIONAL = ROOT.parent / "shared" / "national"


def _summary(stdout: str) -> tuple[int, int]:
    """(texts embedded, texts taken from the stopped ingest) from the ingest's summary line."""
    embedded = int(re.search(r"embedded (\d+) texts", stdout).group(1))
    resumed = re.search(r"(\d+) more taken from the ingest that stopped before", stdout)
    return embedded, int(resumed.group(1)) if resumed else 0


def test_an_ingest_killed_part_way_resumes_without_embedding_again(tmp_path):
    # Two real published reports, the smallest of the national folder (any two would do).
    reports = sorted((NATIONAL / "childrens-services").glob("*.pdf"), key=lambda p: p.stat().st_size)[:2]
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for report in reports:
        shutil.copy2(report, corpus / report.name)
    index = tmp_path / "index"
    args = [str(ASSISTANT), "ingest", "--quiet", "--corpus-dir", str(corpus), "--index-dir", str(index)]
    # Small batches, so vectors reach the disk a few hundred at a time and the kill lands mid-way.
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "ASSISTANT_EMBED_BATCH_SIZE": "8"}
    killed = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    pending = index / "pending-vectors"
    deadline = time.monotonic() + 600
    while not list(pending.glob("shard-*.npz")) and killed.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert killed.poll() is None, "the ingest ended before any vectors were kept: nothing to resume"
    killed.send_signal(signal.SIGKILL)
    killed.wait(timeout=30)
    assert not (index / "state.json").exists(), "a killed first ingest has committed nothing"

    resumed = run_cli(
        "ingest",
        "--quiet",
        "--corpus-dir",
        corpus,
        "--index-dir",
        index,
        timeout=900,
        env={"ASSISTANT_EMBED_BATCH_SIZE": "8"},
    )
    assert resumed.returncode == 0, resumed.stderr
    embedded, taken = _summary(resumed.stdout)
    assert taken >= 256, resumed.stdout
    assert not pending.exists(), "a commit empties the pending vectors"

    # The same documents from nothing: every distinct text embedded once, no more, no fewer.
    again = run_cli("ingest", "--quiet", "--rebuild", "--corpus-dir", corpus, "--index-dir", index, timeout=900)
    assert again.returncode == 0, again.stderr
    total, none_taken = _summary(again.stdout)
    assert none_taken == 0
    assert embedded + taken == total, (resumed.stdout, again.stdout)
    asked = run_cli("ask", "--index-dir", index, "what did inspectors find about care leavers?")
    assert asked.returncode == 0 and "[1]" in asked.stdout, asked.stdout + asked.stderr
