"""Reliable under real use: an ingest beside a running server, a bounded index, readers that
never stop the run, one ingest at a time, and a damaged index explained and rebuilt.

Real parts throughout: the real embedding model and Chroma store, real files and links, a real
`assistant serve` process asked through gradio_client. Tests that damage or rebuild an index use
`tiny`, a one-document corpus that embeds in a second or two once the model is loaded.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

import fixture_files as ff
from assistant.core.errors import IndexDamaged, IndexOutdated, IngestBusy
from assistant.core.settings import Settings
from assistant.store import (
    GENERATION_FILES,
    PIPELINE_VERSION,
    STATE_FILE,
    chroma_client,
    forget_loaded,
    ingest_lock,
    open_index,
    read_state,
)
from conftest import ASSISTANT, ROOT, run_cli
from ingest.chunk import chunk_document
from ingest.clean import clean_document
from ingest.load import load_documents

ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}
NEW_FILE = (
    "Partnership update, March 2021\n\n"
    "The partnership opened a zebrafish therapy garden in Bootle for children who are waiting "
    "for CAMHS support. Families said the garden helped while they waited.\n"
)
NEW_QUESTION = "Where did the partnership open a zebrafish therapy garden?"
TINY = (
    "Review of services, January 2021\n\n"
    "Strengths\n\n"
    "Social workers know their children well and visit them often. Managers check the quality "
    "of plans every month.\n\n"
    "Areas for improvement\n\n"
    "Children wait too long for an assessment of their emotional health. Records of strategy "
    "meetings are not always complete.\n"
)


def _generations(index_dir: Path) -> list[str]:
    return sorted(p.name for p in index_dir.glob("gen-*"))


def _collections(settings: Settings) -> list[str]:
    prefix = settings.collection_prefix + "-g"
    names = [c if isinstance(c, str) else c.name for c in chroma_client(settings).list_collections()]
    return sorted(n for n in names if n.startswith(prefix))


@pytest.fixture
def tiny(tmp_path) -> Settings:
    """A one-document corpus, indexed in this process (the model stays loaded between tests)."""
    from ingest.index import build_index

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "review.txt").write_text(TINY, encoding="utf-8")
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "index", feedback_db=tmp_path / "fb.sqlite3")
    report = build_index(settings, progress=False)
    assert not report.errors and report.chunks
    forget_loaded()
    yield settings
    forget_loaded()


# --- 1. Ingest while serving -------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ask_server(url: str, question: str) -> str:
    from gradio_client import Client

    client = Client(url, verbose=False, download_files=False)
    outputs = client.predict(question, [], [], "", "", api_name="/respond")
    return json.dumps(outputs, ensure_ascii=False)


def test_the_server_answers_from_a_file_ingested_while_it_runs(small_index, tmp_path):
    port = _free_port()
    log = (tmp_path / "serve.log").open("w+")
    server = subprocess.Popen(
        [
            str(ASSISTANT),
            "serve",
            "--port",
            str(port),
            "--index-dir",
            str(small_index.index_dir),
            "--corpus-dir",
            str(small_index.corpus_dir),
        ],
        cwd=ROOT,
        env={**ENV, "ASSISTANT_FEEDBACK_DB": str(tmp_path / "fb.sqlite3")},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 240
        while "Ready on" not in Path(log.name).read_text():
            assert server.poll() is None, Path(log.name).read_text()
            assert time.monotonic() < deadline, "the server never said it was ready"
            time.sleep(0.5)
        url = f"http://127.0.0.1:{port}/"
        before = _ask_server(url, NEW_QUESTION)
        assert "zebrafish" not in before.replace(NEW_QUESTION, "")
        old = read_state(small_index.index_dir).generation

        (small_index.corpus_dir / "partnership-update-2021.txt").write_text(NEW_FILE, encoding="utf-8")
        done = run_cli(
            "ingest", "--quiet", "--corpus-dir", small_index.corpus_dir, "--index-dir", small_index.index_dir
        )
        assert done.returncode == 0, done.stderr
        assert "partnership-update-2021" in done.stdout
        # The server still reads the old generation (its lock holds it), so the ingest left it.
        assert f"gen-{old}" in _generations(small_index.index_dir)

        after = _ask_server(url, NEW_QUESTION)  # the reported defect: "Collection [...] does not exist"
        assert "does not exist" not in after
        assert "Bootle" in after and "zebrafish" in after.replace(NEW_QUESTION, "")
        again = _ask_server(url, "What did inspectors say about CAMHS waiting times?")
        assert "CAMHS" in again
        assert server.poll() is None
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
    assert "Traceback" not in Path(log.name).read_text()
    # Nothing reads the old generation now: the next ingest (nothing to embed) removes it. (The
    # server itself removes it when it moves on, if nothing of its own still holds it: see
    # test_a_generation_someone_reads_is_kept_and_goes_once_let_go.)
    done = run_cli("ingest", "--quiet", "--corpus-dir", small_index.corpus_dir, "--index-dir", small_index.index_dir)
    assert done.returncode == 0 and "up to date" in done.stdout, done.stderr
    live = read_state(small_index.index_dir).generation
    assert _generations(small_index.index_dir) == [f"gen-{live}"]
    assert _collections(small_index.settings) == [f"chunks-g{live}"]


def test_a_generation_someone_reads_is_kept_and_goes_once_let_go(tiny):
    from ingest.index import build_index

    reader = open_index(tiny)
    old = reader.generation
    (tiny.corpus_dir / "partnership-update-2021.txt").write_text(NEW_FILE, encoding="utf-8")
    report = build_index(tiny, progress=False)
    assert report.generation > old
    assert f"gen-{old}" in _generations(tiny.index_dir)
    assert reader.collection.count() == len(reader.chunks)  # still answerable while held

    reader.close()  # the reader lets it go; moving to the new generation removes the old one
    assert open_index(tiny).generation == report.generation
    assert _generations(tiny.index_dir) == [f"gen-{report.generation}"]
    assert _collections(tiny) == [f"chunks-g{report.generation}"]


def test_an_ingest_reads_the_generation_it_replaces_itself_not_through_the_readers_cache(tiny, monkeypatch):
    """The writer reads the vectors it reuses with its own lease, and a reader's copy is untouched."""
    from assistant.store import read
    from ingest.index import build_index

    reader = open_index(tiny)

    def no_cache(*args, **kwargs):
        raise AssertionError("the ingest read the live generation through the process's cache")

    monkeypatch.setattr(read.loaded, "get", no_cache)
    (tiny.corpus_dir / "partnership-update-2021.txt").write_text(NEW_FILE, encoding="utf-8")
    report = build_index(tiny, progress=False)
    assert report.reused_docs == ["review"] and report.embedded_docs == ["partnership-update-2021"]
    assert reader.lease.fd is not None and reader.collection.count() == len(reader.chunks)
    monkeypatch.undo()
    reader.close()
    assert open_index(tiny).generation == report.generation
    assert _generations(tiny.index_dir) == [f"gen-{report.generation}"]


# --- 2. A bounded index ------------------------------------------------------------------------


def _one_line(size: int) -> str:
    """Real report sentences run together on one line (the measuring script's own text)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("measure_long_line", ROOT / "scripts" / "measure_long_line.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    return script.one_line(size)


def test_a_one_megabyte_line_becomes_bounded_passages(tmp_path):
    (tmp_path / "long.txt").write_text(_one_line(1_000_000) + "\n", encoding="utf-8")
    settings = Settings()
    docs, errors = load_documents(tmp_path, None, settings)
    assert not errors
    chunks = chunk_document(
        clean_document(docs[0]),
        max_tokens=settings.embed_max_tokens,
        pack_tokens=settings.pack_tokens,
        max_passage_tokens=settings.max_passage_tokens,
    )
    passages = {c.passage_id: c.passage for c in chunks}
    assert len(passages) > 50  # about 2,000 tokens each
    # Before: one passage of 1 MB, carried by each of its ~1,200 pieces (1.27 GB on disk).
    assert max(len(p) for p in passages.values()) <= settings.max_passage_tokens * 6
    assert sum(len(p) for p in passages.values()) <= 1_000_000
    assert max(c.tokens for c in chunks) <= settings.embed_max_tokens


def test_a_line_without_spaces_is_bounded_too(tmp_path):
    (tmp_path / "blob.txt").write_text("x" * 200_000 + "\n", encoding="utf-8")
    docs, _ = load_documents(tmp_path, None, Settings())
    chunks = chunk_document(clean_document(docs[0]), max_passage_tokens=500)
    assert max(len(c.passage) for c in chunks) <= 500 * 8
    assert sum(len(p) for p in {c.passage_id: c.passage for c in chunks}.values()) == 200_000


def test_the_index_of_a_long_line_grows_in_step_with_it(tmp_path):
    from ingest.index import build_index

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    line = _one_line(30_000)
    (corpus / "long.txt").write_text(line + "\n", encoding="utf-8")
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "index", max_passage_tokens=1000)
    report = build_index(settings, progress=False)
    assert not report.errors
    folder = tmp_path / "index" / f"gen-{report.generation}"
    # Each passage is written once, not once per piece cut from it, and a piece's text not again.
    assert (folder / "chunks.jsonl").stat().st_size < len(line) / 2
    # The whole generation: before, 14x the text (float32 sentence vectors, texts written out
    # three times); the 1 MB line's whole index must stay under 10x with Chroma's share
    # (scripts/measure_long_line.py), which for a file this small is mostly its fixed start-up size.
    assert sum(p.stat().st_size for p in folder.iterdir()) < 8 * len(line)
    vectors = np.load(folder / "sentence_vectors.npy", mmap_mode="r")
    assert vectors.dtype == np.float16
    index = open_index(settings)
    assert len(index.chunks) > 20
    assert sum(len(p) for p in {c.passage_id: c.passage for c in index.chunks}.values()) <= len(line)
    # What is read back is what was built: texts within their passages, vectors within float16's reach.
    assert all(c.text and c.text in c.passage for c in index.chunks)
    assert index.sentence_vectors.dtype == np.float32 and len(index.sentence_vectors) == len(vectors)
    assert np.allclose(np.linalg.norm(index.sentence_vectors, axis=1), 1.0, atol=2e-3)
    forget_loaded()


# --- 3. Readers that never stop the run --------------------------------------------------------


def test_links_are_followed_inside_the_corpus_and_refused_outside(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "review.txt").write_text(TINY, encoding="utf-8")
    (corpus / "same-review.txt").symlink_to("review.txt")
    (corpus / "passwd.txt").symlink_to("/etc/passwd")  # before: KeyError: '' stopped the ingest
    outside = tmp_path / "outside.txt"
    outside.write_text("A private note that is not part of the corpus.\n", encoding="utf-8")
    (corpus / "note.txt").symlink_to(outside)  # before: ingested silently
    (corpus / "gone.txt").symlink_to(tmp_path / "nothing-here.txt")

    docs, errors = load_documents(corpus, None, Settings())

    assert [d.info.file for d in docs] == ["review.txt"]  # the inside link is the same file, read once
    reasons = {Path(e.path).name: e.reason for e in errors}
    assert set(reasons) == {"passwd.txt", "note.txt", "gone.txt"}
    assert "outside" in reasons["passwd.txt"] and "/etc/passwd" in reasons["passwd.txt"]
    assert "outside" in reasons["note.txt"] and "copy the file" in reasons["note.txt"]
    assert "does not exist" in reasons["gone.txt"]
    # Named on the command line, an outside link is refused all the same.
    _, errors = load_documents(corpus, [corpus / "passwd.txt"], Settings())
    assert [Path(e.path).name for e in errors] == ["passwd.txt"]


def test_an_aes_pdf_with_an_owner_password_only_opens(tmp_path):
    ff.make_owner_only_pdf(tmp_path / "locked.pdf", aes=True)  # AES-256
    docs, errors = load_documents(tmp_path, None, Settings())
    assert not errors, [str(e) for e in errors]
    assert "Practitioners know their children well." in docs[0].raw_text


def test_an_aes_pdf_with_a_user_password_is_one_clear_line(tmp_path):
    ff.make_encrypted_pdf(tmp_path / "secret.pdf", aes=True)
    docs, errors = load_documents(tmp_path, None, Settings())
    assert docs == [] and len(errors) == 1
    message = str(errors[0])
    assert "\n" not in message and "password" in message and "unencrypted copy" in message


def test_control_characters_are_removed_at_load(tmp_path):
    # A few stray codes in a text file (a file mostly of them is refused as binary).
    (tmp_path / "escapes.txt").write_text(
        TINY + "Children \x1b[2Jwait\x07 too long.\x0cNext\x0bpage \x85here.\x7f\n", encoding="utf-8"
    )
    docs, errors = load_documents(tmp_path, None, Settings())
    assert not errors
    assert docs[0].raw_text == TINY + "Children [2Jwait too long.\nNext\npage here.\n"


# --- 4. One ingest at a time -------------------------------------------------------------------


def test_a_second_ingest_is_refused_with_one_line_while_the_first_runs(tiny):
    from ingest.index import build_index

    with ingest_lock(tiny.index_dir):  # as a running ingest holds it
        with pytest.raises(IngestBusy, match=rf"process {os.getpid()}\).*wait for it to finish"):
            build_index(tiny, progress=False)
        done = run_cli("ingest", "--quiet", "--corpus-dir", tiny.corpus_dir, "--index-dir", tiny.index_dir)
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and "Another ingest" in done.stderr and "Traceback" not in done.stderr
    assert build_index(tiny, progress=False).up_to_date  # free again once the first is done


def test_two_real_ingests_at_once_one_runs_one_is_told(small_index):
    (small_index.corpus_dir / "partnership-update-2021.txt").write_text(NEW_FILE, encoding="utf-8")
    args = [
        str(ASSISTANT),
        "ingest",
        "--rebuild",
        "--corpus-dir",
        str(small_index.corpus_dir),
        "--index-dir",
        str(small_index.index_dir),
    ]
    first = subprocess.Popen(args, cwd=ROOT, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not (small_index.index_dir / "ingest.lock").read_text().strip() == str(first.pid):
            assert first.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        second = run_cli(
            "ingest", "--quiet", "--corpus-dir", small_index.corpus_dir, "--index-dir", small_index.index_dir
        )
        out, err = first.communicate(timeout=600)
    finally:
        if first.poll() is None:
            first.kill()
    assert second.returncode == 2 and f"Another ingest (process {first.pid})" in second.stderr
    assert "Traceback" not in second.stderr
    assert first.returncode == 0, err
    assert "partnership-update-2021" in out


def test_a_killed_ingests_leftovers_go_even_when_nothing_changed(tiny):
    from ingest.index import build_index

    live = read_state(tiny.index_dir)
    # What a killed ingest leaves: a half-written generation folder and its collection.
    left = tiny.index_dir / f"gen-{live.generation + 1}.tmp"
    left.mkdir()
    (left / "chunks.jsonl").write_bytes(b"x" * 1_000_000)
    client = chroma_client(tiny)
    client.create_collection(f"chunks-g{live.generation + 1}", embedding_function=None)

    report = build_index(tiny, progress=False)

    assert report.up_to_date  # before: "up to date", and the leftovers stayed for ever
    assert _generations(tiny.index_dir) == [f"gen-{live.generation}"]
    assert _collections(tiny) == [live.collection]


# --- 5. A damaged index explained and rebuilt --------------------------------------------------


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


@pytest.mark.parametrize("name", [STATE_FILE, *GENERATION_FILES])
def test_a_cut_short_file_is_named_and_ingest_rebuilds_it(tiny, name):
    from ingest.index import build_index

    live = read_state(tiny.index_dir)
    path = tiny.index_dir / (name if name == STATE_FILE else f"gen-{live.generation}/{name}")
    _truncate(path)

    with pytest.raises(IndexDamaged) as caught:
        open_index(tiny)
    message = str(caught.value)
    assert name in message and "run 'assistant ingest --rebuild'" in message and "\n" not in message

    report = build_index(tiny, progress=False)  # before: "Index up to date" on a damaged index
    assert not report.up_to_date and name in report.damaged
    assert report.chunks == sum(d.chunks for d in live.docs.values())
    index = open_index(tiny)
    assert index.collection.count() == len(index.chunks) == report.chunks
    forget_loaded()


def test_an_index_of_another_format_is_refused_with_the_fix_and_ingest_rebuilds_it(tiny):
    from ingest.index import build_index

    state_path = tiny.index_dir / STATE_FILE
    state = json.loads(state_path.read_text())
    state["version"] = PIPELINE_VERSION - 1  # what an index written before a format change records
    state_path.write_text(json.dumps(state))

    with pytest.raises(IndexOutdated) as caught:  # before: its files were misread
        open_index(tiny)
    assert "run 'assistant ingest'" in str(caught.value) and "\n" not in str(caught.value)
    report = build_index(tiny, progress=False)
    assert not report.up_to_date and report.embedded_docs == ["review"]
    assert open_index(tiny).state.version == PIPELINE_VERSION
    forget_loaded()


def test_chunks_are_read_back_as_written(tmp_path):
    """chunks.jsonl leaves out what repeats; every field of every chunk still comes back."""
    from assistant.core.types import Chunk
    from assistant.store import write_generation
    from assistant.store.codec import decode_chunks
    from assistant.store.lexical import BM25

    text = "First passage here. It has two sentences.\n\nSecond passage."
    common = dict(doc_id="a", title="A report", doc_type="inspection_report", publisher="Ofsted", date="2021-01-05")
    chunks = [
        Chunk(
            chunk_id="a:0:0",
            text="First passage here.",
            passage=text[:41],
            passage_id="a:0",
            start=0,
            end=41,
            section="Strengths",
            **common,
        ),
        Chunk(
            chunk_id="a:0:1",
            text="It has two sentences.",
            passage=text[:41],
            passage_id="a:0",
            start=0,
            end=41,
            section="Strengths",
            part=1,
            **common,
        ),
        # A passage that is not its span of the text, and a piece that is not part of its passage.
        Chunk(
            chunk_id="a:1:0",
            text="Strengths. Second passage.",
            passage="Second passage, as shown.",
            passage_id="a:1",
            start=43,
            end=58,
            section="",
            kind="finding",
            page=2,
            **common,
        ),
        Chunk(
            chunk_id="b:0:0",
            doc_id="b",
            title="B plan",
            doc_type="action_plan",
            publisher="Anytown Council",
            date="",
            text="Second passage.",
            passage="Second passage.",
            passage_id="b:0",
            end=15,
        ),
    ]
    docs = [
        {"info": {"doc_id": "a"}, "raw_text": text, "text": text},
        {"info": {"doc_id": "b"}, "raw_text": "Second passage.", "text": "Second passage."},
    ]
    write_generation(
        tmp_path,
        1,
        chunks=chunks,
        lexical=BM25.build([]),
        sentence_rows=[],
        sentence_vectors=np.zeros((0, 384)),
        sentence_hub=np.zeros(0),
        chunk_hub=np.zeros(4),
        actions=[],
        glossary={},
        docs=docs,
    )
    data = (tmp_path / "gen-1" / "chunks.jsonl").read_bytes()
    assert data.count(b"A report") == 1 and b"It has two sentences" not in data

    assert decode_chunks(data, {d["info"]["doc_id"]: d["text"] for d in docs}) == chunks


def test_a_missing_generation_or_collection_is_named(tiny):
    live = read_state(tiny.index_dir)
    chroma_client(tiny).delete_collection(live.collection)
    with pytest.raises(IndexDamaged, match=rf"collection '{live.collection}' is missing"):
        open_index(tiny)
    os.rename(tiny.index_dir / f"gen-{live.generation}", tiny.index_dir / "elsewhere")
    with pytest.raises(IndexDamaged, match=rf"gen-{live.generation}/ is missing.*--rebuild"):
        open_index(tiny)


def test_a_damaged_index_is_one_line_at_the_command_line_and_ingest_mends_it(small_index):
    index_dir = small_index.index_dir
    live = read_state(index_dir)
    _truncate(index_dir / f"gen-{live.generation}" / "lexical.npz")
    sqlite = index_dir / "chroma" / "chroma.sqlite3"
    with sqlite.open("r+b") as f:  # a corrupt Chroma file too
        f.seek(4096 * 2)
        f.write(os.urandom(4096 * 8))

    asked = run_cli("ask", "--index-dir", index_dir, "What did inspectors say about CAMHS?")
    assert asked.returncode == 2 and asked.stdout == ""
    assert asked.stderr.count("\n") == 1 and "damaged" in asked.stderr and "--rebuild" in asked.stderr
    assert "chroma run" not in asked.stderr  # no advice about a server nobody runs
    assert "Traceback" not in asked.stderr

    done = run_cli("ingest", "--quiet", "--corpus-dir", small_index.corpus_dir, "--index-dir", index_dir)
    assert done.returncode == 0, done.stderr
    assert "damaged" in done.stderr and "up to date" not in done.stdout
    asked = run_cli("ask", "--index-dir", index_dir, "What did inspectors say about CAMHS?")
    assert asked.returncode == 0, asked.stderr
    assert "CAMHS" in asked.stdout
