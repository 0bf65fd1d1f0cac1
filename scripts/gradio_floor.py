"""The floor under the web chat's latency: Gradio with the chat's endpoint and queue settings and
a handler that does no work (it returns a fixed answer at once). What scripts/load_chat.py
measures against it is what Gradio and gradio_client cost on this machine before the assistant
does anything; `python scripts/load_chat.py --floor` starts it and loads it.

    python scripts/gradio_floor.py --port 7862
"""

from __future__ import annotations

import argparse
import gc
import sys
from pathlib import Path

import gradio as gr

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from ui.queue import ANSWER_CONCURRENCY, OTHER_CONCURRENCY, QUEUE_MAX, QUEUE_STATUS_EVERY_S  # noqa: E402

# Marked as the chat marks an answer and its sources, so the load script times it the same way.
ANSWER = '<div class="answer turn-1">A fixed answer.</div><div class="answer-sources">[1] A source</div>'


def respond(text, history, doc_ids, doc_types, date_from, date_to):
    return [{"role": "user", "content": text}, {"role": "assistant", "content": ANSWER}], history, "", None, ""


def build() -> gr.Blocks:
    with gr.Blocks() as app:
        chatbot = gr.Chatbot()
        question = gr.Textbox()
        answers = gr.State([])
        doc_ids, doc_types = gr.Dropdown([], multiselect=True), gr.Dropdown([], multiselect=True)
        date_from, date_to = gr.Textbox(), gr.Textbox()
        sources, rated = gr.HTML(), gr.Dropdown([])
        gr.Button().click(
            respond,
            [question, answers, doc_ids, doc_types, date_from, date_to],
            [chatbot, answers, sources, rated, question],
            api_name="respond",
            concurrency_id="answer",
            concurrency_limit=ANSWER_CONCURRENCY,
        )
    return app.queue(
        status_update_rate=QUEUE_STATUS_EVERY_S, default_concurrency_limit=OTHER_CONCURRENCY, max_size=QUEUE_MAX
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=7862)
    port = parser.parse_args().port
    app = build()
    gc.freeze()  # as `assistant serve` does after start-up
    app.launch(server_name="127.0.0.1", server_port=port, quiet=True, prevent_thread_lock=True)
    print(f"Ready on http://127.0.0.1:{port}", flush=True)  # listening now: the load script may start
    app.block_thread()


if __name__ == "__main__":
    main()
