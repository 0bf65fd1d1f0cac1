"""`assistant chat`: a terminal conversation whose follow-ups are resolved against earlier turns."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ASSISTANT = Path(sys.executable).parent / "assistant"


def test_chat_keeps_history_and_shows_the_resolved_follow_up(corpus_index):
    turns = "what's the status of action 2.2.2?\nand was that done?\n\n"
    done = subprocess.run(
        [
            str(ASSISTANT),
            "chat",
            "--index-dir",
            str(corpus_index.index_dir),
            "--corpus-dir",
            str(corpus_index.corpus_dir),
        ],
        input=turns,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.count("you>") == 3  # two questions, then the empty line that ends the chat
    assert "(searched: Was action 2.2.2 done?)" in out
    assert out.count("Sources:") == 2 and "action 2.2.2" in out


def test_chat_without_an_index_says_how_to_build_one(tmp_path):
    done = subprocess.run(
        [str(ASSISTANT), "chat", "--index-dir", str(tmp_path / "none")],
        input="hello\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "run 'assistant ingest' first" in done.stderr
