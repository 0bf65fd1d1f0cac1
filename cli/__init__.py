"""The `assistant` command line (see `cli.main`)."""

from cli.main import assistant, main

__all__ = ["assistant", "main"]
