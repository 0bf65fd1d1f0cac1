"""The command line on bad input: dates, a taken port, file names with control characters.

Each mistake is one line on stderr that says the fix, printed before anything slow starts.
"""

from __future__ import annotations

import socket
import time

import pytest

from conftest import invoke_cli


def _error_line(done) -> str:
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1, (done.returncode, done.stderr)
    assert lines[0].startswith("error: "), lines
    return lines[0]


@pytest.mark.parametrize("flag, value", [("--from", "2020-13-45"), ("--to", "18/12/2019"), ("--from", "20191218")])
def test_a_bad_date_is_one_line_showing_the_form(small_index, flag, value):
    done = invoke_cli("ask", "--index-dir", small_index.index_dir, flag, value, "What about CAMHS?")
    line = _error_line(done)
    assert flag in line and value in line and "YYYY-MM-DD" in line
    assert done.stdout == ""


def test_dates_in_the_wrong_order_are_one_line(small_index):
    done = invoke_cli("ask", "--index-dir", small_index.index_dir, "--from", "2020-01-01", "--to", "2019-01-01", "x")
    assert "swap them" in _error_line(done)


def test_a_taken_port_is_one_line_before_start_up(small_index):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        started = time.monotonic()
        done = invoke_cli("serve", "--index-dir", small_index.index_dir, "--port", port)
        seconds = time.monotonic() - started
    line = _error_line(done)
    assert str(port) in line and "--port" in line and "ASSISTANT_PORT" in line
    assert "Ready" not in done.stdout
    print(f"\n[cli] taken port refused in {seconds:.1f} s")


def test_file_names_with_control_characters_are_printed_escaped(small_index):
    evil = small_index.corpus_dir / "report\x1b[2J\x1b]0;pwned\x07\nfailed: fake.txt"
    done = invoke_cli(
        "ingest", "--quiet", "--corpus-dir", small_index.corpus_dir, "--index-dir", small_index.index_dir, evil
    )
    failed = [line for line in done.stderr.splitlines() if line.startswith("failed:")]
    assert len(failed) == 1, done.stderr  # the newline in the name did not start a second line
    assert "report\\x1b[2J\\x1b]0;pwned\\x07\\nfailed: fake.txt" in failed[0]
    assert not any(c in done.stderr + done.stdout for c in "\x1b\x07")
