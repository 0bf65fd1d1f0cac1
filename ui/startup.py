"""What `assistant serve` does before Gradio is imported; this module imports no Gradio.

Importing Gradio is the largest part of the web chat's start-up, so the checks that fail in a
moment (no index, a taken port, a login without a password) come first, and two costs of
Gradio's own are avoided (CPU seconds on this 2-core machine, from `python -X importtime` and
cProfile; start-up as a whole is measured by scripts/bench_serve.py):

- At every import Gradio regenerates the type stubs (`.pyi`) of its ~80 component classes
  beside its own sources (`gradio.component_meta.create_or_modify_pyi`: reading and parsing each
  source file, rendering a template): ~2.4 of the ~5.8 s of `import gradio`. The stubs are for
  editors only and are already installed; `skip_gradio_stub_writing` turns this off.
- Start-up makes a few hundred thousand objects that live as long as the server; the garbage
  collector walked them again and again as they were made (~0.6 s of `import gradio` alone).
  `pause_garbage_collection` stops it until the server is up, when `ui.serve` collects once and
  freezes what start-up made (`ui.serve.freeze_startup_objects`).

Loading the index and the model in a thread was tried and measured slower (scripts/bench_serve.py,
medians of 5, seconds to the page): begun before `import gradio`, 12.3 against 10.5 in sequence
on a busy machine; begun after it, beside the app's build, 7.8 against 6.6. Both sides are
mostly Python holding the GIL, and the import's thousands of file reads each waited for it.
"""

from __future__ import annotations

import errno
import gc
import importlib.abc
import importlib.machinery
import logging
import os
import socket
import sys
import time
from pathlib import Path
from types import ModuleType

from assistant import IndexNotFound, IndexOutdated, Settings, SettingsError
from assistant.store import PIPELINE_VERSION, read_state

log = logging.getLogger(__name__)
_STUB_MODULE = "gradio.component_meta"
_STUB_WRITER = "create_or_modify_pyi"
_began = time.perf_counter()  # when this module was imported: the fallback for `seconds_since_start`


def begin(settings: Settings) -> None:
    """The start of `assistant serve`, before Gradio is imported: check what fails fast, pause the
    garbage collector and turn Gradio's stub writing off.

    Raises:
        SettingsError: a login user without a password, or a port that cannot be served.
        IndexNotFound, IndexOutdated, IndexDamaged: nothing has been ingested, or not by this
            version, or state.json cannot be read.
    """
    check_login(settings)
    check_index(settings)
    check_port(settings.host, settings.port)
    pause_garbage_collection()
    skip_gradio_stub_writing()


def check_login(settings: Settings) -> None:
    """Raise SettingsError when a login user is set without a password."""
    if settings.auth_user and not settings.auth_password:
        raise SettingsError(
            "ASSISTANT_AUTH_USER is set but ASSISTANT_AUTH_PASSWORD is empty: set a password, "
            "or unset ASSISTANT_AUTH_USER to run without a login"
        )


def check_index(settings: Settings) -> None:
    """Raise what `open_index` would for an index that is missing or of another version, in
    milliseconds: the rest of its checks come as it loads."""
    state = read_state(settings.index_dir)
    if state is None:
        raise IndexNotFound(settings.index_dir)
    if state.version != PIPELINE_VERSION:
        raise IndexOutdated(settings.index_dir, state.version, PIPELINE_VERSION)


def check_port(host: str, port: int) -> None:
    """Raise SettingsError, naming the flag and variable to change, when host:port cannot be served.

    Runs before anything is loaded, so a taken port costs one line, not a start-up.
    """
    try:
        family, _, _, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except (socket.gaierror, UnicodeError) as error:
        raise SettingsError(
            f"Cannot resolve the host {host!r} ({error}): set --host or ASSISTANT_HOST to an "
            "address of this machine, e.g. 127.0.0.1"
        ) from None
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server will: TIME_WAIT is no obstacle
        try:
            probe.bind(address)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise SettingsError(
                    f"Port {port} on {host} is already in use (another 'assistant serve'?): "
                    "choose a free one with --port or ASSISTANT_PORT"
                ) from None
            raise SettingsError(
                f"Cannot listen on {host}:{port} ({error.strerror}): choose another address with "
                "--host/--port or ASSISTANT_HOST/ASSISTANT_PORT"
            ) from None


def pause_garbage_collection() -> None:
    """Stop automatic garbage collection until `ui.serve.freeze_startup_objects` collects once and
    starts it again: what start-up makes lives as long as the server, and walking it repeatedly
    while it is made is wasted."""
    gc.disable()


def skip_gradio_stub_writing() -> None:
    """Make the next `import gradio` leave its type stubs alone (see the module's docstring).

    Replaces `gradio.component_meta.create_or_modify_pyi` with a function that does nothing, as
    soon as that module has run and before any component class is made. Gradio behaves the same
    otherwise: the function only reads and writes the `.pyi` files. Does nothing when Gradio is
    already imported, and nothing in a Gradio without that function.
    """
    if _STUB_MODULE in sys.modules or any(isinstance(f, _StubWriterOff) for f in sys.meta_path):
        return
    sys.meta_path.insert(0, _StubWriterOff())


def _write_no_stub(*args: object, **kwargs: object) -> None:
    """Gradio's stub writer, turned off."""


class _StubWriterOff(importlib.abc.MetaPathFinder):
    """Finds `gradio.component_meta` as Python would, and once it has run, turns its stub writer off."""

    def find_spec(self, fullname: str, path=None, target: ModuleType | None = None):
        if fullname != _STUB_MODULE:
            return None
        sys.meta_path.remove(self)  # once
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        loader = getattr(spec, "loader", None)
        if spec is None or loader is None or not hasattr(loader, "exec_module"):
            return spec
        run = loader.exec_module

        def exec_module(module: ModuleType) -> None:
            run(module)
            if callable(getattr(module, _STUB_WRITER, None)):
                setattr(module, _STUB_WRITER, _write_no_stub)
            else:
                log.debug("gradio has no %s: nothing to turn off", _STUB_WRITER)

        loader.exec_module = exec_module
        return spec


def seconds_since_start() -> float:
    """Seconds since this process began (Linux: its start time in /proc), as the user who typed
    the command counts them; elsewhere, since this module was imported."""
    try:
        fields = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        began = int(fields[19]) / os.sysconf("SC_CLK_TCK")  # starttime: clock ticks after boot
        return float(Path("/proc/uptime").read_text().split()[0]) - began
    except (OSError, ValueError, IndexError):
        return time.perf_counter() - _began
