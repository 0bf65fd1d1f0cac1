"""`assistant ingest`: build or update the index from the corpus (ingest/)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from assistant import Settings
from cli.common import example, printable, with_settings


@click.command(epilog=example("assistant ingest corpus/new-report.pdf"))
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--rebuild", is_flag=True, help="embed everything again")
@click.option("--quiet", is_flag=True, help="no progress bars")
@with_settings
def ingest(settings: Settings, paths: tuple[Path, ...], rebuild: bool, quiet: bool) -> int:
    """Build or update the index from the corpus.

    Only new or changed files are embedded; PATHS (files or folders) limits the run to them.
    """
    from ingest.index import build_index

    settings = _keep_passage_vectors(settings)
    report = build_index(settings, paths=list(paths) or None, rebuild=rebuild, progress=not quiet)
    if report.damaged:
        click.echo(
            f"note: the index was damaged ({printable(report.damaged)}): rebuilt it from the whole corpus", err=True
        )
    for doc_id in report.kept_after_error:
        click.echo(f"kept: {printable(doc_id)} stays as last indexed, because its file failed to load", err=True)
    if report.up_to_date:
        click.echo(
            f"Index up to date: {report.documents} documents, {report.chunks} chunks, nothing embedded "
            f"({report.seconds:.1f} s)."
        )
    else:
        resumed = (
            f", {report.resumed_texts} more taken from the ingest that stopped before" if report.resumed_texts else ""
        )
        removed = f"; removed {_some(report.removed_docs)}" if report.removed_docs else ""
        click.echo(
            f"Indexed {report.documents} documents, {report.chunks} chunks in {report.seconds:.1f} s: "
            f"{len(report.embedded_docs)} new or changed ({_some(report.embedded_docs)}){removed}; "
            f"embedded {report.embedded_texts} texts{resumed}."
        )
    # Failures last, one line each with the reason, where a long run's user looks when it ends.
    for error in report.errors:
        click.echo(f"failed: {printable(error)}", err=True)
    if report.errors:
        click.echo(f"{len(report.errors)} file(s) failed: see the lines above.", err=True)
        return 1
    return 0


def _keep_passage_vectors(settings: Settings) -> Settings:
    """The index's own way of making passage vectors, unless ASSISTANT_PASSAGE_VECTORS says
    otherwise: updating (or rebuilding) a national index built with 'sentences' must not embed
    all its documents again, or switch them, because the default is 'embedded'."""
    from assistant import IndexDamaged, read_state

    if "ASSISTANT_PASSAGE_VECTORS" in os.environ:
        return settings
    try:
        state = read_state(settings.index_dir)
    except IndexDamaged:
        return settings  # the ingest says so and rebuilds
    if state is None or state.passage_vectors == settings.passage_vectors:
        return settings
    click.echo(
        f"note: keeping this index's passage vectors ({state.passage_vectors!r}); "
        "set ASSISTANT_PASSAGE_VECTORS to change them (every document is embedded again)",
        err=True,
    )
    return settings.replace(passage_vectors=state.passage_vectors)


def _some(names: list[str], shown: int = 5) -> str:
    """A few names and how many more: a national ingest's summary is one line, not 200 names."""
    text = ", ".join(names[:shown]) or "none"
    return printable(text + (f" and {len(names) - shown} more" if len(names) > shown else ""))
