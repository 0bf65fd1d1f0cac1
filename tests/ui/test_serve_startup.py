"""`assistant serve`'s start-up (ui/startup.py, ui.serve.serve): what it imports, what it skips of
Gradio's, what it refuses before Gradio is imported, and a question asked while the model loads. No timings here: scripts/bench_serve.py measures
them."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

from assistant.answering.pipeline import answer, warm_up
from assistant.core import embed as embedder
from assistant.core.types import Answer
from assistant.store import forget_loaded

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}
# Packages a web chat over a built index never needs: ingest's readers and chunkers, the eval
# runner, torch (the model runs on ONNX Runtime), the LLM clients and their tokenisers.
NOT_NEEDED = (
    "torch",
    "transformers",
    "sentence_transformers",
    "llama_index",
    "tiktoken",
    "openai",
    "fitz",
    "pymupdf",
    "docx",
    "bs4",
    "sklearn",
    "scipy",
    "ingest",
    "evals",
)
# Run as `assistant serve`; when it is about to say "Ready" (the page up, the model loaded), report
# the modules loaded and whether / answers, then stop as on Ctrl-C. The hook is ui.startup's, so
# nothing here imports Gradio before the command does.
SERVE_AND_REPORT = textwrap.dedent(
    """
    import json, sys, urllib.request
    import ui.startup

    def report():
        import gradio.component_meta
        with urllib.request.urlopen(URL) as page:
            status = page.status
        print("REPORT " + json.dumps({
            "modules": sorted(sys.modules),
            "stub_writer": gradio.component_meta.create_or_modify_pyi.__name__,
            "page": status,
        }), flush=True)
        raise KeyboardInterrupt

    ui.startup.seconds_since_start = report
    """
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _python(code: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env or ENV, capture_output=True, text=True, timeout=300
    )


def test_serve_imports_only_what_it_needs_and_skips_gradios_stub_writing(small_index, tmp_path):
    port = _free_port()
    args = ["serve", "--index-dir", str(small_index.index_dir), "--host", "127.0.0.1", "--port", str(port)]
    code = (
        f"URL = 'http://127.0.0.1:{port}/'\n"
        + SERVE_AND_REPORT
        + f"from cli.main import main\nsys.argv = ['assistant', *{args!r}]\nmain()\n"
    )
    done = _python(code, {**ENV, "ASSISTANT_FEEDBACK_DB": str(tmp_path / "fb.sqlite3")})
    assert done.returncode == 0, done.stdout + done.stderr
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("REPORT ")), None)
    assert line is not None, done.stdout + done.stderr
    report = json.loads(line.removeprefix("REPORT "))
    assert report["page"] == 200
    assert report["stub_writer"] == "_write_no_stub"
    loaded = {name.split(".")[0] for name in report["modules"]}
    assert not loaded & set(NOT_NEEDED), sorted(loaded & set(NOT_NEEDED))
    assert {"gradio", "chromadb", "onnxruntime"} <= loaded  # the server itself did start


def test_the_command_line_loads_no_stage_before_a_verb_runs():
    done = _python("import sys, cli.main; print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))")
    assert done.returncode == 0, done.stderr
    loaded = set(done.stdout.split())
    assert not loaded & {"gradio", "chromadb", "onnxruntime", "ui", *NOT_NEEDED}, sorted(loaded)


def test_a_question_asked_while_the_model_loads_waits_for_it(small_index, monkeypatch):
    """The server loads the model after its page is up: a question asked meanwhile (from a server
    thread) is answered as any later one, by the one model loaded."""
    import onnxruntime

    settings = small_index.settings
    question = "What did inspectors say about the front door?"
    loads = []
    session = onnxruntime.InferenceSession

    def counted(*args, **kwargs):
        loads.append(args[0])
        return session(*args, **kwargs)

    monkeypatch.setattr(onnxruntime, "InferenceSession", counted)
    forget_loaded()
    embedder._session.cache_clear()
    early: list[Answer] = []
    try:
        asker = threading.Thread(target=lambda: early.append(answer(question, settings=settings)))
        asker.start()
        warm_up(settings)  # as ui.serve.serve does once the page is up
        asker.join()
        later = answer(question, settings=settings)
    finally:
        embedder._session.cache_clear()
        forget_loaded()
    assert early and early[0].text == later.text and later.text
    assert [c.chunk.chunk_id for c in early[0].citations] == [c.chunk.chunk_id for c in later.citations]
    assert len(loads) == 1, loads  # one model load for both


def test_serve_refuses_a_missing_index_before_gradio_is_imported(tmp_path):
    code = textwrap.dedent(
        f"""
        import sys
        from cli.main import main
        sys.argv = ["assistant", "serve", "--index-dir", {str(tmp_path / "none")!r}, "--port", "{_free_port()}"]
        try:
            main()
        finally:
            print("GRADIO", "gradio" in sys.modules, flush=True)
        """
    )
    done = _python(code)
    assert done.returncode == 2
    assert "No index at" in done.stderr and "assistant ingest" in done.stderr
    assert "GRADIO False" in done.stdout


def test_ui_serve_called_directly_makes_the_same_start(small_index, tmp_path):
    """`ui.serve.serve` without the CLI runs `ui.startup.begin` itself."""
    port = _free_port()
    code = (
        f"URL = 'http://127.0.0.1:{port}/'\n"
        + SERVE_AND_REPORT
        + textwrap.dedent(
            f"""
            from pathlib import Path
            from assistant.core.settings import Settings
            from ui.serve import serve
            serve(Settings(index_dir=Path({str(small_index.index_dir)!r}), port={port}))
            """
        )
    )
    done = _python(code, {**ENV, "ASSISTANT_FEEDBACK_DB": str(tmp_path / "fb.sqlite3")})
    assert done.returncode == 0, done.stdout + done.stderr
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("REPORT ")), None)
    assert line is not None, done.stdout + done.stderr
    assert json.loads(line.removeprefix("REPORT "))["page"] == 200


def test_seconds_since_start_counts_from_the_process_start():
    done = _python(
        "import time; time.sleep(1.0); from ui.startup import seconds_since_start; print(seconds_since_start())"
    )
    assert done.returncode == 0, done.stderr
    assert 1.0 <= float(done.stdout) < 60
