"""`assistant serve`: check, load, launch, warm up, and block until interrupted.

`serve(settings)` checks the index and the port (before Gradio is imported, see `ui.startup`),
loads the index, starts the Gradio app on settings.host:settings.port (loopback unless told
otherwise), then loads the embedding model before saying it is ready. When a user is set,
Gradio's login form asks for it first (`ui.auth.LoginGuard`). `launch_kwargs` are the arguments
of `Blocks.launch`, shared with the tests that launch the app in-process.
"""

from __future__ import annotations

import gc
import logging
import os
import sys
from importlib import resources

import gradio as gr
from gradio.utils import get_upload_folder

from assistant import Settings, open_index, warm_up, warn_of_old_feedback
from ui.app import build_app
from ui.auth import LOGIN_MESSAGE, LoginGuard
from ui.export import SessionFiles
from ui.queue import GRADIO_QUEUE_ENV, configure_queue
from ui.startup import begin, check_login, seconds_since_start

log = logging.getLogger(__name__)

_LOOPBACK = {"127.0.0.1", "localhost", "::1"}
STYLE_SHEET = "style.css"  # ui/style.css, package data (pyproject.toml)


def style_sheet() -> str:
    """The app's CSS, read from the package (so it is there however the package is installed)."""
    return resources.files("ui").joinpath(STYLE_SHEET).read_text(encoding="utf-8")


def launch_kwargs(settings: Settings) -> dict:
    """Arguments of `Blocks.launch` for these settings: address, auth, look."""
    check_login(settings)
    return {
        "server_name": settings.host,
        "server_port": settings.port,
        "auth": LoginGuard(settings.auth_user, settings.auth_password.get_secret_value())
        if settings.auth_user
        else None,
        "auth_message": LOGIN_MESSAGE if settings.auth_user else None,
        "css": style_sheet(),
        # System fonts: the default theme fetches Google Fonts, and this machine has no internet.
        "theme": gr.themes.Default(
            font=["system-ui", "Segoe UI", "Arial", "sans-serif"], font_mono=["ui-monospace", "Consolas", "monospace"]
        ),
        "footer_links": ["settings"],
        "ssr_mode": False,
        "show_error": True,
        "quiet": True,
    }


def set_gradio_environment() -> None:
    """Gradio's own queue variables (`ui.queue.GRADIO_QUEUE_ENV`), for a process that serves the app.

    Gradio reads them from the environment when the queue is made, so there is no argument to
    pass instead. The environment belongs to the whole process: only its entry (`serve`, or a test
    that launches the app as `serve` does) sets it, never the code that builds or queues an app.
    An operator's own value stands.
    """
    for name, value in GRADIO_QUEUE_ENV.items():
        os.environ.setdefault(name, value)


def freeze_startup_objects() -> None:
    """Leave what start-up made (Gradio's modules and app, the index, the model) out of every
    later garbage collection.

    A full collection walks every container object: ~200,000 once gradio is imported and the
    index loaded, 200-400 ms with the GIL held on this 2-core machine, during which every answer
    in flight waits. Under 20 users at once one came every ~200 answers (scripts/load_chat.py);
    after the freeze one walks only what was made since (conversations, sessions): ~30 ms.
    Frozen objects are still freed when their last reference goes (an index generation the
    server has moved on from is: it is in no reference cycle), only the cycle collector skips them.
    """
    gc.collect()  # start-up's own garbage goes first, so it is not kept for ever
    gc.freeze()
    gc.enable()  # paused during start-up (ui.startup.pause_garbage_collection)


def serve(settings: Settings, *, begun: bool = False) -> None:
    """Load the index, start the web chat, load the model, and block until interrupted.

    The page answers once the app is launched; the embedding model loads next, before "Ready" is
    printed (a question asked meanwhile waits for it: `assistant.core.embed` loads it once).

    Args:
        settings: host, port, auth, index and feedback locations.
        begun: `ui.startup.begin` has run (the CLI runs it before Gradio is imported).
    Raises:
        IndexNotFound: nothing has been ingested (the CLI prints the fix and exits non-zero).
        SettingsError: a login user without a password, or a port that is taken.
    """
    try:
        if not begun:
            begin(settings)
        kwargs = launch_kwargs(settings)
        open_index(settings)  # the rest of its checks; the model loads once the page is up
        if settings.host not in _LOOPBACK:
            log.warning(
                "binding to %s: anyone who can reach this machine can use the chat%s",
                settings.host,
                "" if settings.auth_user else " (no login: set ASSISTANT_AUTH_USER and ASSISTANT_AUTH_PASSWORD)",
            )
        warn_of_old_feedback(settings)
        files = SessionFiles(get_upload_folder())
        set_gradio_environment()  # before the queue is made, which reads it
        app = configure_queue(build_app(settings, files=files))  # the live index at each question
    except BaseException:
        gc.enable()  # paused by begin
        raise
    _run(app, kwargs, settings, files)


def _run(app: gr.Blocks, kwargs: dict, settings: Settings, files: SessionFiles) -> None:
    """Launch, warm up, say "Ready", and serve until Ctrl-C; then close and remove the downloads."""
    try:
        app.launch(prevent_thread_lock=True, **kwargs)
        # Loads the embedding model before "Ready". No reference to the index is kept here: a
        # generation the server has moved on from must be free to go (assistant.store).
        warm_up(settings)
        freeze_startup_objects()
        print(
            f"Ready on http://{settings.host}:{settings.port} (started in {seconds_since_start():.1f} s)",
            flush=True,
        )
        app.block_thread()
    except KeyboardInterrupt:
        pass
    finally:
        gc.enable()
        app.close()
        files.remove_all()
        sys.stdout.flush()
