"""The web chat's verbs (ui/): serve, feedback."""

from __future__ import annotations

from pathlib import Path

import click

from assistant import Settings
from cli.common import PORT, example, printable, with_settings


@click.command(epilog=example("assistant serve --host 127.0.0.1 --port 7860"))
@click.option("--host", help="address to bind (default 127.0.0.1)")
@click.option("--port", type=PORT, help="port (default 7860)")
@with_settings
def serve(settings: Settings, host: str | None, port: int | None) -> int:
    """Start the web chat."""
    from ui.startup import begin

    settings = settings.replace(host=host, port=port)
    begin(settings)  # before Gradio is imported: the quick checks, and two of Gradio's costs cut
    from ui.serve import serve as serve_app

    serve_app(settings, begun=True)
    return 0


@click.command(epilog=example("assistant feedback --out feedback.csv"))
@click.option("--out", type=click.Path(path_type=Path), help="CSV file (default: standard output)")
@with_settings
def feedback(settings: Settings, out: Path | None) -> int:
    """Export the web chat's thumbs up/down as CSV."""
    from assistant import export_csv

    count = export_csv(settings.feedback_db, out)
    if out:
        click.echo(f"Wrote {count} feedback rows to {printable(out)}")
    return 0
