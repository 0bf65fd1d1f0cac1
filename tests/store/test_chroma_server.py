"""The index in a real `chroma run` server gives what the embedded store gives; a stopped server
is one clear error that says to start it."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request

import pytest

from assistant.core.errors import StoreError
from assistant.store import chroma_client, forget_loaded, open_index, read_state
from conftest import CHROMA, ROOT, stop_server

pytestmark = pytest.mark.server

QUESTIONS = (
    "What did inspectors say about CAMHS waiting times?",
    "How did referrals to the MASH change during Covid-19?",
    "Are emergency department staff trained to recognise children's mental health needs?",
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(path, port: int, log) -> subprocess.Popen:
    proc = subprocess.Popen(
        [str(CHROMA), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/api/v2/heartbeat"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return proc
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            stop_server(proc)
            log.flush()
            raise AssertionError("chroma run did not start:\n" + open(log.name).read())
        time.sleep(0.2)


@pytest.fixture
def chroma_server(tmp_path):
    """A `chroma run` server on a free port of 127.0.0.1: yields (port, process); stopped after."""
    port = free_port()
    with open(tmp_path / "chroma-server.log", "w") as log:
        proc = start_server(tmp_path / "chroma-server", port, log)
        try:
            yield port, proc
        finally:
            stop_server(proc)


def test_server_store_answers_as_the_embedded_store_and_a_stopped_server_is_a_clear_error(
    small_corpus, small_index_template, chroma_server
):
    from assistant.retrieval.retrieve import retrieve
    from ingest.index import build_index

    port, proc = chroma_server
    settings = small_corpus.settings.replace(chroma_host="127.0.0.1", chroma_port=port)
    report = build_index(settings, progress=False)

    assert not report.errors and report.documents == 2
    state = read_state(settings.index_dir)
    assert state.chroma == f"127.0.0.1:{port}"
    assert not (settings.index_dir / "chroma").exists(), "nothing goes to the embedded store"
    names = [c if isinstance(c, str) else c.name for c in chroma_client(settings).list_collections()]
    assert names == [state.collection]

    server_index = open_index(settings)
    assert server_index.collection.count() == len(server_index.chunks) == report.chunks
    from_server = {q: [h.chunk.chunk_id for h in retrieve(q, settings=settings, index=server_index)] for q in QUESTIONS}
    forget_loaded()
    embedded = small_index_template.settings
    embedded_index = open_index(embedded)
    assert sorted(c.chunk_id for c in embedded_index.chunks) == sorted(c.chunk_id for c in server_index.chunks)
    from_embedded = {
        q: [h.chunk.chunk_id for h in retrieve(q, settings=embedded, index=embedded_index)] for q in QUESTIONS
    }
    forget_loaded()
    assert all(from_server.values())
    assert from_server == from_embedded

    stop_server(proc)
    with pytest.raises(StoreError) as error:
        open_index(settings)
    message = str(error.value)
    assert f"127.0.0.1:{port}" in message
    assert "start the server" in message and "chroma run" in message
    forget_loaded()


def test_two_index_folders_on_one_server_keep_their_collections_apart(small_corpus, chroma_server, tmp_path):
    """Two indexes with the same collection prefix on one server: rebuilding one (which drops
    its old generation's collection) leaves the other answering."""
    from assistant.retrieval.retrieve import retrieve
    from ingest.index import build_index

    port, _ = chroma_server
    first = small_corpus.settings.replace(chroma_host="127.0.0.1", chroma_port=port)
    second = first.replace(index_dir=tmp_path / "second-index")
    build_index(first, progress=False)
    build_index(second, progress=False)
    build_index(first, progress=False, rebuild=True)
    forget_loaded()
    names = sorted(c if isinstance(c, str) else c.name for c in chroma_client(first).list_collections())
    assert names == sorted([read_state(first.index_dir).collection, read_state(second.index_dir).collection])
    index = open_index(second)
    assert retrieve(QUESTIONS[0], settings=second, index=index)
    forget_loaded()
