"""What every tab's handlers share (`AppContext`), and how a handler is given it (`bind`)."""

from __future__ import annotations

import types
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from assistant import Settings
from assistant.store import Index, open_index
from ui.export import SessionFiles


@dataclass(frozen=True)
class AppContext:
    """The app's settings, its index and its sessions' downloads, as the handlers read them.

    Attributes:
        settings: where the index and the feedback database are, and the LLM endpoint if any.
        files: where sessions' downloads go (`ui.export.SessionFiles`).
        fixed: the index the app was built over, or None to read the live generation per request.
    """

    settings: Settings
    files: SessionFiles
    fixed: Index | None = None

    def current(self) -> Index:
        """The index to answer from now."""
        # Read per question (cached while state.json names the same generation): a new
        # generation is taken up between questions, never in the middle of one.
        return self.fixed or open_index(self.settings)


def bind(handler: Callable[..., Any], first: object) -> Callable[..., Any]:
    """`handler` with `first` given as its first argument, for an event listener.

    A bound method, not a `functools.partial`: Gradio reads a handler's type hints to hand it the
    `gr.Request`, checks whether it is a generator to stream it, and names the event's API
    endpoint after it; a partial shows it none of these. Bind once per handler and reuse the
    result: listeners that share one function share its default concurrency group.
    """
    return types.MethodType(handler, first)
