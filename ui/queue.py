"""The queue sized for a millisecond answerer: how many answers, briefs and evaluations run at
once, how many events may wait, and how often waiting browsers hear their place.

The listeners name their own limits (`concurrency_id`, `concurrency_limit` in ui/tabs/);
`configure_queue` sets the rest. Gradio's own analytics variables are set by `ui.serve.serve`,
the process's entry, not here (see `GRADIO_QUEUE_ENV`).
"""

from __future__ import annotations

import importlib.util
import sys

import gradio as gr

# Answers running at once. An answer costs the server ~75-85 ms of CPU in all under load, about
# half of it in answer() (~44 ms, some in ONNX Runtime and numpy with the GIL released) and the
# rest in Gradio's HTTP, SSE, queue and pre/postprocessing on its one event-loop thread; a few overlap
# usefully on 2 cores. Measured with scripts/load_chat.py (20 users): 1, 2, 4 and 8 are alike
# within this shared machine's noise (p50 1.1-1.3 s); 20 at once was slower (p50 2.8 s against 1.2 s).
ANSWER_CONCURRENCY = 4
BRIEF_CONCURRENCY = 2  # a brief scans more passages (~0.1-1 s); two leave room for the chat
EVAL_CONCURRENCY = 1  # a question set holds its worker for seconds to minutes
OTHER_CONCURRENCY = 8  # feedback, filters, new conversation, tab close: trivial handlers
QUEUE_MAX = 500  # events waiting at most; beyond that a user is told the queue is full
# After every event Gradio's queue summarises its last 10,000 events in a pandas DataFrame, for a
# monitoring page this app does not enable: 8 ms of CPU an answer on a fresh server, 26 ms once it
# has served 10,000 events (an answer then cost ~150 ms of server CPU in all). Its own variables,
# read when the queue is made, keep a short record summarised once in a thousand events.
GRADIO_QUEUE_ENV = {"GRADIO_ANALYTICS_MAX_EVENTS": "100", "GRADIO_ANALYTICS_CACHE_FREQUENCY": "1000"}
# Seconds between the queue's "n ahead of you" messages to waiting browsers. Gradio's default
# ("auto") sends one to every waiting event each time an event starts: with 20 users asking at
# once, ~16 extra SSE messages per answer, each parsed by its browser. Answers take milliseconds,
# so a waiting user is told their place on arrival and then every QUEUE_STATUS_EVERY_S.
QUEUE_STATUS_EVERY_S = 2.0


def configure_queue(app: gr.Blocks) -> gr.Blocks:
    """The queue sized for a millisecond answerer; the listeners name their own limits."""
    _no_matplotlib()
    return app.queue(
        status_update_rate=QUEUE_STATUS_EVERY_S, default_concurrency_limit=OTHER_CONCURRENCY, max_size=QUEUE_MAX
    )


def _no_matplotlib() -> None:
    """Gradio wraps every event in `import matplotlib` (to switch its backend), twice. Without
    matplotlib installed each is a failed import that searches sys.path (~0.1 ms of CPU held under
    the GIL, more under load); marking it absent in sys.modules makes both fail at once."""
    if "matplotlib" not in sys.modules and importlib.util.find_spec("matplotlib") is None:
        sys.modules["matplotlib"] = None  # type: ignore[assignment]  # "import matplotlib" raises ImportError
