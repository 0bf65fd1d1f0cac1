"""`assistant settings`: every setting by group, its variable, current value and default."""

from __future__ import annotations

import click

from assistant import Settings
from cli.common import example, with_settings


@click.command(epilog=example("assistant settings --index-dir .index-national"))
@with_settings
def settings(settings: Settings) -> int:
    """List every setting, its variable, current value and default.

    The LLM key and the login password are said to be set or not, never shown.
    """
    group = None
    for info in Settings.describe():
        if info.group != group:
            group = info.group
            click.echo(f"# {group}")
        current = getattr(settings, info.name)
        if info.secret:
            current = "(set, not shown)" if current.get_secret_value() else ""
        click.echo(f"{info.variable}={current}\n    {info.help} (default: {info.default})")
    return 0
