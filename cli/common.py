"""What every verb shares: the settings flags, read once into a `Settings`, and safe printing."""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from assistant import Settings

# Control characters (C0, DEL, C1) and the bidirectional overrides: in a file name they would
# move the cursor, recolour or clear the terminal, or reorder what the user reads.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
PORT = click.IntRange(1, 65535)


def example(*commands: str) -> str:
    """A verb's help epilog: its example commands, each on its own line as written (not re-wrapped)."""
    if len(commands) == 1:
        return f"\b\nexample: {commands[0]}"
    return "\b\nexamples:\n" + "\n".join(f"  {c}" for c in commands)


def printable(text: object) -> str:
    """Text safe to print as one line: control characters written as escapes (\\n, \\x1b, \\u202e)."""
    return _UNPRINTABLE.sub(_escape, str(text))


def _escape(match: re.Match[str]) -> str:
    char = match.group(0)
    return _ESCAPES.get(char) or (f"\\x{ord(char):02x}" if ord(char) <= 0xFF else f"\\u{ord(char):04x}")


def with_settings(verb: Callable[..., Any]) -> Callable[..., Any]:
    """Give a verb the flags every verb takes and call it with `settings` (the environment's
    `ASSISTANT_*` variables, then these flags), read once here and passed down."""

    @click.option(
        "--index-dir", type=click.Path(path_type=Path), help="index folder (default .index, or ASSISTANT_INDEX_DIR)"
    )
    @click.option(
        "--corpus-dir", type=click.Path(path_type=Path), help="corpus folder (default corpus, or ASSISTANT_CORPUS_DIR)"
    )
    @click.option("--chroma-host", help="use a 'chroma run' server at this host instead of the embedded store")
    @click.option("--chroma-port", type=PORT, help="port of the Chroma server (default 8000)")
    @click.option("-v", "--verbose", is_flag=True, help="log what happens")
    @functools.wraps(verb)
    def run(
        *,
        index_dir: Path | None,
        corpus_dir: Path | None,
        chroma_host: str | None,
        chroma_port: int | None,
        verbose: bool,
        **kwargs: Any,
    ) -> Any:
        logging.basicConfig(
            level=logging.DEBUG if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
        )
        settings = Settings.from_env().replace(
            index_dir=index_dir, corpus_dir=corpus_dir, chroma_host=chroma_host, chroma_port=chroma_port
        )
        return verb(settings, **kwargs)

    return run
