"""Start-up of the web chat: seconds from `assistant serve` to the page answering and to the first
answer, and the server's memory.

Usage: python scripts/bench_serve.py --index-dir .index-national [--runs 5] [--question "..."]

Each run starts `python -m cli serve` (the `assistant serve` command) on a free loopback port,
polls / until it answers 200, asks one question through the chat's endpoint (/respond, with
gradio_client, as a browser would: the client reads the app's config first), then stops the
server's whole process group. Printed per run and as medians: seconds from the command to / (page),
to the first answer (answer), the server's own "started in" figure, and its resident memory once
answered (RSS). --cwd runs the code of another checkout (e.g. `git archive HEAD` unpacked) with the
same Python, for a before/after comparison; runs of several checkouts can be alternated with
--alternate, so a busy machine weighs on both alike. The load average is printed with every run: on
this shared 2-core machine a figure means little without it.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "How are care leavers supported into housing?"
POLL_S = 0.05
_STARTED = re.compile(r"started in ([\d.]+) s")
_TAG = re.compile(r"<[^>]+>")


@dataclass
class Run:
    label: str
    page: float | None = None  # seconds from the command to / answering 200
    answer: float | None = None  # ... to the first answer returned by /respond
    started: float | None = None  # the server's own count ("started in X s")
    rss_mb: float | None = None  # resident memory once the first answer is in
    load: float = 0.0  # 1-minute load average when the run started
    text: str = ""  # the first answer's opening, to see it is an answer
    error: str = ""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def page_answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def answer_text(outputs) -> str:
    """The last chat message of /respond's outputs (the Chatbot's value comes first)."""
    chat = outputs[0] if isinstance(outputs, (list, tuple)) else outputs
    if not isinstance(chat, list) or not chat:
        return ""
    last = chat[-1]
    content = last.get("content") if isinstance(last, dict) else last
    if isinstance(content, list):  # Gradio 5+: a list of {"type": "text", "text": ...}
        content = " ".join(str(part.get("text", part)) if isinstance(part, dict) else str(part) for part in content)
    return str(content)


def one_run(label: str, cwd: Path, index_dir: Path, question: str, timeout: float, log_dir: Path) -> Run:
    from gradio_client import Client  # imported before the clock starts: the client's cost is not the server's

    run = Run(label, load=os.getloadavg()[0])
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "ANONYMIZED_TELEMETRY": "False",
        "ASSISTANT_FEEDBACK_DB": str(log_dir / "feedback.sqlite3"),
    }
    env.pop("ASSISTANT_AUTH_USER", None)
    log_path = log_dir / f"serve-{label}-{port}.log"
    command = [sys.executable, "-m", "cli", "serve", "--index-dir", str(index_dir), "--host", "127.0.0.1"]
    with log_path.open("w") as log:
        started = time.perf_counter()
        proc = subprocess.Popen(
            [*command, "--port", str(port)],
            cwd=cwd,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, stopped whole below
        )
    try:
        while not page_answers(url):
            if proc.poll() is not None:
                raise RuntimeError(f"the server exited ({proc.returncode}): {log_path.read_text()[-500:]}")
            if time.perf_counter() - started > timeout:
                raise TimeoutError(f"/ did not answer in {timeout:.0f} s")
            time.sleep(POLL_S)
        run.page = time.perf_counter() - started
        client = Client(url, verbose=False, download_files=False, ssl_verify=False)
        outputs = client.predict(question, [], [], "", "", [], [], api_name="/respond")
        run.answer = time.perf_counter() - started
        client.close()
        run.text = " ".join(_TAG.sub(" ", answer_text(outputs)).split())[:80]
        if not run.text:
            run.error = "the answer was empty"
        run.rss_mb = rss_mb(proc.pid)
        found = _STARTED.search(log_path.read_text())
        run.started = float(found.group(1)) if found else None
    except Exception as error:  # one failed run is reported, the others still count
        run.error = f"{type(error).__name__}: {error}"[:300]
    finally:
        stop(proc)
    return run


def stop(proc: subprocess.Popen) -> None:
    """Stop the server's process group: SIGINT (as Ctrl-C), then SIGKILL if it lingers."""
    for sig, wait in ((signal.SIGINT, 10), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def fmt(value: float | None, unit: str = "s") -> str:
    if value is None:
        return "-"
    return f"{value:.0f} MB" if unit == "MB" else f"{value:.2f} s"


def median(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index-dir", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--question", default=QUESTION)
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds a run may take")
    parser.add_argument(
        "--cwd",
        type=Path,
        action="append",
        help="checkout whose code is run (repeatable: each is measured; default this one)",
    )
    parser.add_argument("--alternate", action="store_true", help="interleave the checkouts' runs (a, b, a, b, ...)")
    args = parser.parse_args(argv)
    checkouts = [c.resolve() for c in (args.cwd or [ROOT])]
    labels = {c: (c.name if len(checkouts) > 1 else "run") for c in checkouts}
    order = (
        [c for _ in range(args.runs) for c in checkouts]
        if args.alternate
        else [c for c in checkouts for _ in range(args.runs)]
    )
    runs: dict[Path, list[Run]] = {c: [] for c in checkouts}
    print(f"question: {args.question!r}; index: {args.index_dir}", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-serve-") as tmp:
        for checkout in order:
            run = one_run(labels[checkout], checkout, args.index_dir.resolve(), args.question, args.timeout, Path(tmp))
            runs[checkout].append(run)
            print(
                f"{run.label:>10} #{len(runs[checkout])}: page {fmt(run.page)}, answer {fmt(run.answer)}, "
                f"'started in' {fmt(run.started)}, RSS {fmt(run.rss_mb, 'MB')}, load {run.load:.2f}"
                + (f", error: {run.error}" if run.error else f" | {run.text}"),
                flush=True,
            )
    failed = 0
    for checkout in checkouts:
        done = runs[checkout]
        failed += sum(1 for r in done if r.error)
        print(
            f"{labels[checkout]:>10} median of {len(done)}: page {fmt(median([r.page for r in done]))}, "
            f"answer {fmt(median([r.answer for r in done]))}, 'started in' {fmt(median([r.started for r in done]))}, "
            f"RSS {fmt(median([r.rss_mb for r in done]), 'MB')}; load {median([r.load for r in done]) or 0:.2f}"
            f" (min {min(r.load for r in done):.2f}, max {max(r.load for r in done):.2f})",
            flush=True,
        )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
