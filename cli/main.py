"""The `assistant` command: verbs mirror the folders (ingest; ask, chat; docs, timeline,
judgements, actions; serve, feedback; eval run|diff; settings).

Each verb is a thin call into one stage and returns its exit status. Every error a user can fix,
whether an `AssistantError` from a stage or a mistyped flag, becomes one line on stderr, `error: ...`
with the fix, and exit status 2: that translation is `AssistantCommand`, and nowhere else.
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import IO, Any

import click

from assistant import AssistantError
from cli.ask import ask, chat
from cli.common import printable
from cli.eval import eval_group
from cli.ingest import ingest
from cli.serve import feedback, serve
from cli.settings import settings
from cli.views import actions, docs, judgements, timeline

EPILOG = "Settings: every ASSISTANT_* variable is listed by 'assistant settings'. Each verb's --help has an example."


class OneLine(click.ClickException):
    """An error shown as one line on stderr: `error: ...` with the fix."""

    exit_code = 2

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"error: {printable(self.message)}", err=True)


class Interrupted(click.ClickException):
    """Ctrl-C: one word, and the shell's status for it."""

    exit_code = 130

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo("interrupted", err=True)


def _one_line(error: click.UsageError) -> OneLine:
    # A usage error's status is 2 as well (click's UsageError.exit_code).
    where = f" (see '{error.ctx.command_path} --help')" if error.ctx else ""
    return OneLine(error.format_message() + where)


class AssistantCommand(click.Group):
    """The top-level group: every error a user can fix becomes one line, and a verb's return value
    is the exit status."""

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as error:  # a mistyped flag or verb of `assistant` itself
            raise _one_line(error) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            status = super().invoke(ctx)
        except AssistantError as error:
            raise OneLine(str(error)) from None
        except click.UsageError as error:  # a verb's flags, parsed when the verb is found
            raise _one_line(error) from None
        except KeyboardInterrupt:
            raise Interrupted("interrupted") from None
        except BrokenPipeError:
            # The reader went away ("| head"): nothing more to say, and nothing left to flush.
            with contextlib.suppress(OSError, ValueError, AttributeError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            status = 0
        if isinstance(status, int) and status:
            ctx.exit(status)
        return status


@click.group(
    cls=AssistantCommand,
    invoke_without_command=True,
    epilog=EPILOG,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.pass_context
def assistant(ctx: click.Context) -> None:
    """Cited answers from children's services inspection documents.

    \b
    Examples:
      assistant ingest                       # build or update the index from corpus/
      assistant ask "What did inspectors say about CAMHS waiting times?"
      assistant serve                        # the web chat
    """
    # Nothing is downloaded at run time, and Chroma sends no telemetry.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())


for verb in (ingest, docs, timeline, judgements, actions, ask, chat, serve, eval_group, feedback, settings):
    assistant.add_command(verb)


def main() -> None:
    """The console script `assistant`."""
    assistant.main(prog_name="assistant")
