"""The real Gradio app under real use, driven through gradio_client and HTTP: many users at once,
downloads kept private and removed with the session, and a login that cannot be guessed at speed.

The app runs in this process on a free loopback port over the session's small index
(tests/conftest.py), launched exactly as `assistant serve` launches it (`set_gradio_environment`,
`configure_queue`, `launch_kwargs`). Timings are printed: run with -s to see them.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import socket
import stat
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from gradio.utils import get_upload_folder

from assistant.answering.pipeline import warm_up
from assistant.store import open_index
from ui.app import build_app
from ui.export import SessionFiles
from ui.queue import configure_queue
from ui.serve import launch_kwargs, set_gradio_environment

ROOT = Path(__file__).resolve().parents[2]
QUESTION = "What did inspectors say about CAMHS waiting times?"


def _load_chat():
    """scripts/load_chat.py as a module: the test measures what the script measures."""
    spec = importlib.util.spec_from_file_location("load_chat", ROOT / "scripts" / "load_chat.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["load_chat"] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _launch(settings, files=None):
    index = open_index(settings)
    warm_up(settings, index)  # as `assistant serve` does: the model is loaded
    set_gradio_environment()  # this process serves the app, as `assistant serve`'s does
    app = configure_queue(build_app(settings, index, files=files))
    app.launch(prevent_thread_lock=True, **launch_kwargs(settings))
    return app, f"http://127.0.0.1:{settings.port}/"


@pytest.fixture(scope="module")
def live(small_index_template, tmp_path_factory):
    """(url, SessionFiles) of the chat over the small index, launched as `assistant serve` does."""
    settings = small_index_template.settings.replace(
        port=_free_port(), feedback_db=tmp_path_factory.mktemp("feedback") / "feedback.sqlite3"
    )
    files = SessionFiles(get_upload_folder())
    app, url = _launch(settings, files)
    yield url, files
    app.close()
    files.remove_all()


def _client(url):
    from gradio_client import Client

    return Client(url, verbose=False, download_files=False, ssl_verify=False)


def _ask(client, question=QUESTION):
    return client.predict(question, [], [], "", "", api_name="/respond")


def _updates(url, question=QUESTION) -> list:
    """Every update /respond sent for one question, in order."""
    client = _client(url)
    try:
        job = client.submit(question, [], [], "", "", api_name="/respond")
        job.result(timeout=60)
        return job.outputs()
    finally:
        client.close()


def test_an_answer_is_one_update_not_paced_out(live):
    url, _ = live
    updates = _updates(url)
    assert len(updates) == 1, f"{len(updates)} updates: the answer is paced out instead of sent whole"
    assert 'class="answer turn-1' in str(updates[0][0]) and "answer-sources" in str(updates[0][0])


def test_answers_are_not_followed_by_a_summary_of_the_queue(live, monkeypatch):
    """Gradio summarised its last 10,000 events in a DataFrame after every event (26 ms of CPU an
    answer on a server that has run a while), for a monitoring page this app does not show."""
    from gradio.queueing import Queue

    summaries = []
    summarise = Queue._get_df
    monkeypatch.setattr(
        Queue, "_get_df", staticmethod(lambda records: summaries.append(len(records)) or summarise(records))
    )
    url, _ = live
    client = _client(url)
    try:
        for _ in range(3):
            _ask(client)
    finally:
        client.close()
    assert summaries == []  # before: one after each answer


def test_twenty_users_at_once_are_all_answered(live):
    url, _ = live
    load_chat = _load_chat()
    users, questions = 20, 3
    results = load_chat.Results()
    barrier = threading.Barrier(users)
    threads = [
        threading.Thread(target=load_chat.user, args=(url, n, questions, results, barrier, 60)) for n in range(users)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print("\n[load] " + load_chat.report(f"{users} users x {questions}", results, time.perf_counter() - started))
    errors = [t.error for t in results.timings if t.error]
    fulls = [t.full for t in results.timings if t.full is not None]
    assert not errors and len(fulls) == users * questions, errors[:3]
    # The times are printed, not asserted: this machine is shared and noisy. The figures of
    # record come from scripts/load_chat.py (medians of repeated runs).


def test_waiting_users_hear_their_place_on_a_timer_not_at_every_answer(live, monkeypatch):
    """Gradio's default told every waiting user their place each time any answer started: with
    twenty users at once, ~16 extra messages per answer for the server to send and the browsers
    to read. Now a waiting user hears it on arrival and then every QUEUE_STATUS_EVERY_S."""
    from gradio.queueing import Queue
    from gradio.server_messages import EstimationMessage, ProcessStartsMessage

    from ui.queue import QUEUE_STATUS_EVERY_S

    sent: dict[str, list[tuple[str, float]]] = {}
    send = Queue.send_message

    def recording(self, event, message):
        sent.setdefault(event._id, []).append((type(message).__name__, time.monotonic()))
        return send(self, event, message)

    monkeypatch.setattr(Queue, "send_message", recording)
    url, _ = live
    users = 12  # three times the answers that run at once, so most wait
    barrier = threading.Barrier(users)
    errors: list[Exception] = []

    def one_user():
        client = _client(url)
        try:
            barrier.wait()
            _ask(client)
        except Exception as error:  # counted below
            errors.append(error)
        finally:
            client.close()

    threads = [threading.Thread(target=one_user) for _ in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors[:3]
    answered = {k: v for k, v in sent.items() if any(kind == ProcessStartsMessage.__name__ for kind, _ in v)}
    assert len(answered) >= users
    for messages in answered.values():
        places = [t for kind, t in messages if kind == EstimationMessage.__name__]
        started = next(t for kind, t in messages if kind == ProcessStartsMessage.__name__)
        waited = started - (places[0] if places else started)
        # On arrival, then one per period waited (one more for a timer tick that fell inside it).
        assert len(places) <= 2 + waited / QUEUE_STATUS_EVERY_S, (len(places), round(waited, 2))


def test_an_answer_does_not_search_the_disk_for_matplotlib(live, monkeypatch):
    """Gradio tries `import matplotlib` twice around every event; where it is not installed
    (here), each try searched sys.path again, with the GIL held."""
    asked = []

    class Recorder(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.partition(".")[0] == "matplotlib":
                asked.append(name)
            return None  # the real finders answer

    monkeypatch.setattr(sys, "meta_path", [Recorder(), *sys.meta_path])
    url, _ = live
    client = _client(url)
    try:
        _ask(client)
    finally:
        client.close()
    assert asked == []


def test_start_up_objects_are_left_out_of_garbage_collections(small_index):
    """A full garbage collection walked every object start-up made (gradio, the index: ~200,000,
    200-400 ms with the GIL held, every answer in flight waiting); `assistant serve` freezes them
    once started. An index generation the server moves on from is still freed."""
    import gc

    from assistant.store import forget_loaded
    from ui.serve import freeze_startup_objects

    index = open_index(small_index.settings)
    lease = index.lease
    try:
        freeze_startup_objects()
        walked = {id(o) for o in gc.get_objects()}
        assert id(index.chunks) not in walked and id(index.passages) not in walked
        del index, walked
        forget_loaded(release=False)  # as when an ingest commits a new generation and the next question opens it
        assert lease.fd is None, "a frozen generation is never let go, so an ingest can never remove it"
    finally:
        gc.unfreeze()


def test_exports_are_private_and_go_when_the_tab_closes(live):
    url, files = live
    client = _client(url)
    first = _export(client)
    session = first.parent.parent
    assert session.parent == files.root
    for folder in (files.root, session, first.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    assert first.read_text(encoding="utf-8").startswith("# Conversation")

    second = _export(client, "What's the status of action 2.2.2?")
    assert second.exists() and not first.exists(), "only the latest export of a conversation is kept"

    client.close()  # ends the session's heartbeat, as closing the tab does
    deadline = time.monotonic() + 20
    while session.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not session.exists(), "the session's exports outlive its tab"


def _export(client, question=QUESTION) -> Path:
    """Ask, export the conversation as the Export button does, and return where the server wrote it."""
    _ask(client, question)
    written = client.predict(api_name="/export")  # the file is written when asked for, not with each answer
    path = written.get("path") if isinstance(written, dict) else written
    assert str(path).endswith(".md"), written
    return Path(path)


def test_an_answer_sends_no_component_updates(live):
    """An answer's outputs are values only: a gr.update (or gr.skip()) makes Gradio rebuild the
    component and its API schema on every answer, and the export is written only when asked for."""
    url, files = live
    client = _client(url)
    try:
        outputs = _ask(client)
        session_files = list(files.folder(client.session_hash).rglob("conversation.md"))
    finally:
        client.close()
    assert not any(isinstance(o, dict) and o.get("__type__") == "update" for o in outputs), outputs
    assert not session_files, "the conversation is written after every answer instead of on export"


def test_failed_logins_are_rate_limited(small_index_template):
    settings = small_index_template.settings.replace(
        port=_free_port(), auth_user="trainer", auth_password="correct horse"
    )
    files = SessionFiles(get_upload_folder())
    app, url = _launch(settings, files)
    try:
        with httpx.Client(base_url=url, timeout=30) as http:

            def login(user, password):
                return http.post("login", data={"username": user, "password": password}).status_code

            assert login("trainer", "correct horse") == 200
            assert [login("trainer", f"guess {n}") for n in range(5)] == [400] * 5
            refused = http.post("login", data={"username": "trainer", "password": "correct horse"})
            assert refused.status_code == 429, "the right password after 5 failures must wait"
            assert int(refused.headers["retry-after"]) > 0 and "wait" in refused.json()["detail"]
            assert login("someone-else", "guess") == 400  # other names are not locked out
    finally:
        app.close()
        files.remove_all()


def test_login_guard_forgets_failures_after_the_lockout():
    from ui.auth import LOGIN_LOCKOUT_S, LOGIN_WINDOW_S, LoginGuard

    now = [1000.0]
    guard = LoginGuard("trainer", "pw", clock=lambda: now[0])
    for _ in range(4):
        assert guard("trainer", "wrong") is False
    now[0] += LOGIN_WINDOW_S + 1  # failures spread over more than a minute never lock
    assert guard("Trainer ", "wrong") is False and guard("trainer", "pw") is True
    for _ in range(5):
        guard("trainer", "wrong")
    with pytest.raises(Exception) as refused:
        guard("trainer", "pw")
    assert getattr(refused.value, "status_code", None) == 429
    now[0] += LOGIN_LOCKOUT_S + 1
    assert guard("trainer", "pw") is True


def test_with_an_llm_endpoint_the_answer_comes_from_the_streaming_handler(small_index_template):
    """With ASSISTANT_LLM_URL set, /respond is the generator that streams verified sentences; an
    endpoint that is down ends it with the quoted answer and a notice, in the same five outputs."""
    settings = small_index_template.settings.replace(
        port=_free_port(), llm_url="http://127.0.0.1:9/v1", llm_timeout=5.0
    )
    files = SessionFiles(get_upload_folder())
    app, url = _launch(settings, files)
    try:
        updates = _updates(url)
    finally:
        app.close()
        files.remove_all()
    chat = str(updates[-1][0])
    assert len(updates[-1]) == 4  # chat, sources, rating choice, question box (the state is not in the API)
    assert 'class="answer turn-1' in chat and "answer-sources" in chat and 'class="notice"' in chat


def test_the_floor_serves_the_chat_s_endpoint_to_the_load_script(tmp_path):
    # `load_chat.py --floor`: the same endpoint and queue doing no work, answered as the chat's
    # answers are timed (the README's floor figures come from it).
    load_chat = _load_chat()
    proc, url = load_chat.start_server(None, tmp_path / "floor.log")
    try:
        results = load_chat.Results()
        load_chat.user(url, 0, 2, results, threading.Barrier(1), 60)
        assert [t.error for t in results.timings] == ["", ""]
        assert all(t.full is not None and t.first is not None for t in results.timings)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
