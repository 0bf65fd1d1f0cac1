"""Load test of the web chat: many users asking at once, through the same API the browser uses.

Talks to a running `assistant serve` with gradio_client (one Client, so one browser session, a
user), first one user alone, then USERS users at once, each asking QUESTIONS questions of one
conversation from a fixed list. Prints p50/p95 of the time to the first answer text and to the
full answer (sources included), and the number of errors; then the CPU each answer cost the
server (with --serve or --pid), this script, and everything else on the machine, with the load
average: on a shared machine a latency means little without them. --runs repeats the
concurrent phase and prints the medians.

    assistant serve --port 7860 &                 # in another terminal, or:
    python scripts/load_chat.py --url http://127.0.0.1:7860/ --pid $(pgrep -f 'cli serve') --users 20
    python scripts/load_chat.py --serve .index --runs 3   # its own server on a free port, stopped after
    python scripts/load_chat.py --floor --runs 3          # the same endpoint doing no work: Gradio's floor

Only loopback addresses are accepted: this is a load generator, and pointing it at someone
else's server is not what it is for.
"""

from __future__ import annotations

import argparse
import ipaddress
import math
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

os.environ.setdefault("HF_HUB_OFFLINE", "1")

ROOT = Path(__file__).resolve().parents[1]
MAX_USERS = 50
MAX_QUESTIONS = 50
MAX_RUNS = 10
ENDPOINT = "/respond"
# What practitioners ask (README, evals/sets/): lookups, action status, follow-ups
# that need the conversation, lists, figures, and one the documents do not cover.
QUESTIONS = (
    "What did inspectors say about CAMHS waiting times?",
    "What's the status of action 2.2.2?",
    "and was it completed?",
    "What were the key strengths in the 2019 letter?",
    "How many children were looked after in April 2016?",
    "What did the JTAI letter say about the voice of the child?",
    "Which agencies lead on information sharing in the action plan?",
    "What are the areas for improvement for the MASH?",
    "How are children missing from home followed up?",
    "What did the CQC review find about health assessments for looked after children?",
    "What does the scrutiny report say about progress since the inspection?",
    "Who is the named GP for safeguarding?",
)
# The answer's own element; the "Searching the documents" placeholder has no turn class.
_ANSWER = re.compile(r'class="answer turn-\d+')
_FULL = re.compile(r'class="(answer-sources|closest)"|abstain-title')


@dataclass
class Timing:
    first: float | None = None  # seconds to the first answer text
    full: float | None = None  # seconds to the final update
    error: str = ""


@dataclass
class Results:
    timings: list[Timing] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, timing: Timing) -> None:
        with self.lock:
            self.timings.append(timing)


def loopback_url(url: str) -> str:
    """The URL if its host is this machine; SystemExit naming the fix otherwise."""
    host = urlparse(url).hostname or ""
    try:
        local = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        local = False
    if not local:
        raise SystemExit(
            f"error: {url} is not on this machine: use a loopback address such as "
            "http://127.0.0.1:7860/ (this script only loads servers you run here)"
        )
    return url if url.endswith("/") else url + "/"


def _last_assistant_text(chat) -> str:
    """The content of the last message of a Chatbot value, as text (gr.skip() gives None)."""
    if not isinstance(chat, list) or not chat:
        return ""
    last = chat[-1]
    content = last.get("content") if isinstance(last, dict) else last
    return str(content)


def ask(client, question: str, timeout: float) -> Timing:
    """One question through the chat's endpoint: times to first answer text and to the end."""
    timing = Timing()
    started = time.perf_counter()
    try:
        job = client.submit(question, [], [], "", "", api_name=ENDPOINT)
        seen = 0
        while True:
            done = job.done()  # read before the outputs, so the last update is never missed
            outputs = job.outputs()
            for update in outputs[seen:]:
                text = _last_assistant_text(update[0] if isinstance(update, (list, tuple)) else update)
                if timing.first is None and _ANSWER.search(text):
                    timing.first = time.perf_counter() - started
                if _FULL.search(text):
                    timing.full = time.perf_counter() - started
            seen = len(outputs)
            if done:
                break
            if time.perf_counter() - started > timeout:
                raise TimeoutError(f"no answer after {timeout:.0f} s")
            time.sleep(0.005)  # 5 ms resolution; a tighter poll would steal the server's CPU
        job.result()  # raises what the server raised
        if timing.full is None:
            timing.error = "the last update held no answer"
    except Exception as error:  # every failure is counted, with its reason
        timing.error = f"{type(error).__name__}: {error}"[:200]
    return timing


def user(
    url: str,
    n: int,
    questions: int,
    results: Results,
    start: threading.Barrier | None,
    timeout: float,
    think: float = 0.0,
) -> None:
    """A browser session asking `questions` questions of one conversation, from QUESTIONS[n:]."""
    from gradio_client import Client

    try:
        # download_files=False: a browser fetches the conversation export only when clicked.
        # ssl_verify=False: the URL is plain HTTP on loopback, and building a verifying SSL
        # context for every request costs ~70 ms of CPU, which on this 2-core machine would be
        # taken from the server under test.
        client = Client(url, verbose=False, download_files=False, ssl_verify=False)
    except Exception as error:
        results.add(Timing(error=f"connect: {error}"))
        if start:
            start.abort()
        return
    if start:
        start.wait()
    pause = random.Random(n)  # each user reads for its own, repeatable, time
    for i in range(questions):
        if think:  # readers arrive spread over one reading time, then read each answer before the next
            time.sleep(think * (pause.uniform(0.5, 1.5) if i else pause.uniform(0, 1)))
        results.add(ask(client, QUESTIONS[(n + i) % len(QUESTIONS)], timeout))
    client.close()


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile, None when there is nothing to rank."""
    if not values:
        return None
    ranked = sorted(values)
    return ranked[max(0, math.ceil(p / 100 * len(ranked)) - 1)]


def report(label: str, results: Results, seconds: float) -> str:
    firsts = [t.first for t in results.timings if t.first is not None and not t.error]
    fulls = [t.full for t in results.timings if t.full is not None and not t.error]
    errors = [t.error for t in results.timings if t.error]

    def fmt(p):
        value = percentile(p[0], p[1])
        return "-" if value is None else f"{value:.2f}"

    line = (
        f"{label:<28} answers {len(results.timings):>4}  "
        f"first text p50 {fmt((firsts, 50))} s p95 {fmt((firsts, 95))} s  "
        f"full answer p50 {fmt((fulls, 50))} s p95 {fmt((fulls, 95))} s  "
        f"errors {len(errors)}  ({seconds:.1f} s wall)"
    )
    for error in sorted(set(errors))[:5]:
        line += f"\n    error: {error}"
    return line


class CpuMeter:
    """CPU seconds spent during a phase by the server, by this script and by everything else.

    On a shared 2-core machine the latencies say little without knowing who else was busy: the
    server's share is what a change to the server can reduce, this script's share is the load
    generator's own cost, and the rest is other people's work (`uptime` beside it).
    """

    def __init__(self, server_pid: int | None):
        self.server_pid = server_pid
        self._tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

    def _server(self) -> float:
        try:
            fields = Path(f"/proc/{self.server_pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, TypeError, IndexError):
            return float("nan")
        return (int(fields[11]) + int(fields[12])) / self._tick  # utime + stime

    def _machine(self) -> float:
        try:
            cpu = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
        except OSError:
            return float("nan")
        busy = sum(int(v) for v in cpu) - int(cpu[3]) - int(cpu[4])  # all but idle and iowait
        return busy / self._tick

    def start(self) -> None:
        self._at = (self._server(), time.process_time(), self._machine())

    def stop(self, answers: int) -> str:
        server, client, machine = (self._server(), time.process_time(), self._machine())
        server, client, machine = server - self._at[0], client - self._at[1], machine - self._at[2]
        per = 1000 / max(1, answers)
        line = f"CPU per answer: client {client * per:.0f} ms"
        if self.server_pid:
            line = f"CPU per answer: server {server * per:.0f} ms, client {client * per:.0f} ms"
            client += server
        return line + f", others {max(0.0, machine - client) * per:.0f} ms; load average {_loadavg()}"


def _loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def figures(results: Results) -> tuple[float | None, ...]:
    """(first text p50, p95, full answer p50, p95) of a phase, in seconds."""
    firsts = [t.first for t in results.timings if t.first is not None and not t.error]
    fulls = [t.full for t in results.timings if t.full is not None and not t.error]
    return percentile(firsts, 50), percentile(firsts, 95), percentile(fulls, 50), percentile(fulls, 95)


def phase(url: str, users: int, questions: int, timeout: float, meter: CpuMeter, think: float = 0.0) -> Results:
    """`users` users at once (one alone when 1), each asking `questions` questions; prints its line."""
    results = Results()
    barrier = threading.Barrier(users) if users > 1 else None
    threads = [
        threading.Thread(target=user, args=(url, n, questions, results, barrier, timeout, think), daemon=True)
        for n in range(users)
    ]
    meter.start()
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    label = "serial (1 user)" if users == 1 else f"concurrent ({users} users)"
    if think and users > 1:
        label = f"{users} users, {think:g} s reading"
    print(report(label, results, time.perf_counter() - started), flush=True)
    print("    " + meter.stop(len(results.timings)), flush=True)
    return results


def run(
    url: str,
    users: int,
    questions: int,
    timeout: float,
    server_pid: int | None = None,
    runs: int = 1,
    think: float = 0.0,
) -> int:
    """The serial phase, then the concurrent one `runs` times (with their medians); 1 on any error."""
    meter = CpuMeter(server_pid)
    errors = bool([t for t in phase(url, 1, questions, timeout, meter).timings if t.error])
    each = []
    for _ in range(runs):
        results = phase(url, users, questions, timeout, meter, think)
        errors = errors or any(t.error for t in results.timings)
        each.append(figures(results))
    if runs > 1:
        medians = [
            statistics.median(v for v in column if v is not None) if any(v is not None for v in column) else None
            for column in zip(*each)
        ]
        shown = ["-" if v is None else f"{v:.2f}" for v in medians]
        print(
            f"median of {runs} runs ({users} users)  first text p50 {shown[0]} s p95 {shown[1]} s  "
            f"full answer p50 {shown[2]} s p95 {shown[3]} s",
            flush=True,
        )
    return 1 if errors else 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(index_dir: Path | None, log_path: Path) -> tuple[subprocess.Popen, str]:
    """`assistant serve` on a free loopback port over `index_dir` (None: scripts/gradio_floor.py,
    the same endpoint doing no work); returns it once it is ready."""
    port = _free_port()
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "ANONYMIZED_TELEMETRY": "False",
        "ASSISTANT_FEEDBACK_DB": str(log_path.parent / "load-feedback.sqlite3"),
    }
    env.pop("ASSISTANT_AUTH_USER", None)  # the load users do not log in
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [sys.executable, str(ROOT / "scripts" / "gradio_floor.py"), "--port", str(port)]
            if index_dir is None
            else [
                sys.executable,
                "-m",
                "cli",
                "serve",
                "--index-dir",
                str(index_dir),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 300
    while "Ready on" not in log_path.read_text():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise SystemExit(f"error: the server did not start (log: {log_path}):\n{log_path.read_text()[-2000:]}")
        time.sleep(0.1)
    return proc, f"http://127.0.0.1:{port}/"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], epilog="example: python scripts/load_chat.py --url http://127.0.0.1:7860/"
    )
    parser.add_argument("--url", default="http://127.0.0.1:7860/", help="a running 'assistant serve' (loopback only)")
    parser.add_argument(
        "--serve",
        type=Path,
        metavar="INDEX_DIR",
        help="start 'assistant serve' over this index on a free port instead, and stop it after",
    )
    parser.add_argument(
        "--floor",
        action="store_true",
        help="start scripts/gradio_floor.py instead (the chat's endpoint doing no work): what Gradio "
        "and this client cost before the assistant does anything",
    )
    parser.add_argument("--users", type=int, default=20, help=f"users at once (1-{MAX_USERS}, default 20)")
    parser.add_argument("--questions", type=int, default=10, help=f"questions per user (1-{MAX_QUESTIONS}, default 10)")
    parser.add_argument("--pid", type=int, help="with --url: the server's process id, to report its CPU per answer")
    parser.add_argument(
        "--runs", type=int, default=1, help=f"concurrent runs, then their medians (1-{MAX_RUNS}, default 1)"
    )
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="each concurrent user arrives within this time and reads each answer for about this long "
        "(0.5-1.5 times) before asking again; default 0: all start together and ask again "
        "at once (the issue's target is measured so)",
    )
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds one answer may take (default 120)")
    args = parser.parse_args(argv)
    if (
        not 1 <= args.users <= MAX_USERS
        or not 1 <= args.questions <= MAX_QUESTIONS
        or not 1 <= args.runs <= MAX_RUNS
        or not 0 <= args.think <= 600
    ):
        parser.error(
            f"--users must be 1-{MAX_USERS}, --questions 1-{MAX_QUESTIONS}, --runs 1-{MAX_RUNS} and --think 0-600"
        )
    proc = None
    if args.serve or args.floor:
        import tempfile

        log_path = Path(tempfile.mkdtemp(prefix="load-chat-")) / "server.log"
        proc, url = start_server(None if args.floor else args.serve, log_path)
        what = "the no-work Gradio floor" if args.floor else "assistant serve"
        print(f"started {what} at {url} (log: {log_path})", flush=True)
    else:
        url = loopback_url(args.url)
    try:
        return run(url, args.users, args.questions, args.timeout, proc.pid if proc else args.pid, args.runs, args.think)
    finally:
        if proc:
            proc.terminate()
            proc.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
