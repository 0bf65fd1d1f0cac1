"""The verbs that show the index without a question: docs, timeline, actions."""

from __future__ import annotations

import json
from pathlib import Path

import click

from assistant import Settings
from cli.common import example, printable, with_settings


@click.command(epilog=example("assistant docs --json"))
@click.option("--json", "as_json", is_flag=True, help="print JSON")
@with_settings
def docs(settings: Settings, as_json: bool) -> int:
    """List the indexed documents, their metadata and chunk counts."""
    from assistant import open_index

    index = open_index(settings, with_collection=False)
    rows = []
    for doc_id, info in sorted(index.docs.items()):
        chunks = [c for c in index.chunks if c.doc_id == doc_id]
        rows.append(
            {
                "doc_id": doc_id,
                "title": info.title,
                "doc_type": info.doc_type,
                "publisher": info.publisher,
                "local_authority": info.local_authority,
                "judgement": info.overall_judgement,
                "published": info.published,
                "file": info.file,
                "chunks": len(chunks),
                "passages": len({c.passage_id for c in chunks}),
                "in_manifest": info.in_manifest,
            }
        )
    if as_json:
        click.echo(json.dumps(rows, indent=1))
        return 0
    for row in rows:
        click.echo(
            f"{printable(row['doc_id'])}  [{row['doc_type']}, {row['published'] or 'undated'}]  "
            f"{row['chunks']} chunks / {row['passages']} passages\n    {printable(row['title'])}"
        )
    click.echo(f"{len(rows)} documents, {len(index.chunks)} chunks (generation {index.generation})")
    return 0


@click.command(epilog=example("assistant timeline --council Anytown --json"))
@click.option("--council", default="", metavar="NAME", help="only this council's documents (default: all)")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
@with_settings
def timeline(settings: Settings, council: str, as_json: bool) -> int:
    """A council's documents in date order: judgements and key findings."""
    from assistant import open_index, timeline_json
    from assistant import timeline as make_timeline

    result = make_timeline(open_index(settings, with_collection=False), council, settings=settings)
    if as_json:
        click.echo(json.dumps(timeline_json(result), indent=1, ensure_ascii=False))
        return 0
    for entry in result.entries:
        doc = entry.doc
        click.echo(
            f"{doc.published or 'undated'}  {printable(entry.kind_label)}\n    {printable(doc.title)}"
            + (f"\n    inspected {printable(doc.inspection_dates)}" if doc.inspection_dates else "")
        )
        for area, grade in doc.judgements:
            click.echo(f"    {printable(area)}: {printable(grade)}")
        for c in entry.findings:
            click.echo(f'    - "{printable(" ".join(c.sentences[0].split()))}" [{printable(c.label)}]')
    return 0


@click.command(epilog=example("assistant actions --status overdue --agency police  (statuses: see the table)"))
@click.option(
    "--status",
    default="",
    metavar="S",
    help="only rows with this written status (e.g. Completed), or 'overdue' or 'open'",
)
@click.option("--agency", default="", metavar="A", help="only rows whose agencies or lead mention this")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
@click.option(
    "--csv", "csv_file", type=click.Path(path_type=Path), metavar="FILE", help="also write the rows as CSV to FILE"
)
@with_settings
def actions(settings: Settings, status: str, agency: str, as_json: bool, csv_file: Path | None) -> int:
    """The action plans' rows: status, due date, latest progress."""
    from assistant import action_json, action_rows, actions_csv, open_index

    tracker = action_rows(open_index(settings, with_collection=False), status=status, agency=agency)
    if csv_file:
        csv_file.write_text(actions_csv(tracker), encoding="utf-8")
    if as_json:
        click.echo(
            json.dumps(
                {
                    "rows": [action_json(r) for r in tracker.rows],
                    "by_priority": [vars(u) for u in tracker.by_priority],
                    "by_agency": [vars(u) for u in tracker.by_agency],
                },
                indent=1,
                ensure_ascii=False,
            )
        )
        return 0
    if not tracker.rows:
        click.echo(f"No row matches (statuses: {', '.join(tracker.statuses)}; or 'overdue', 'open').")
        return 0
    for r in tracker.rows:
        note = r.latest
        flag = "OVERDUE " if r.overdue else ""
        click.echo(
            f"{r.row.ref:7} {flag}{printable(r.row.status or '(not stated)')} | due "
            f"{printable(r.row.due or '-')[:40]}\n        {printable(' '.join(r.row.action.split()))[:110]}"
            + (
                f"\n        latest: {printable(note.label)}: {printable(' '.join(note.text.split()))[:90]}"
                if note
                else ""
            )
        )
    click.echo(
        f"{len(tracker.rows)} rows, {sum(r.completed for r in tracker.rows)} completed, "
        f"{sum(r.overdue for r in tracker.rows)} overdue (against the plan's own date)"
    )
    for u in tracker.by_priority:
        click.echo(f"  {printable(u.key)[:70]}: {u.total} rows, {u.completed} completed, {u.overdue} overdue")
    if csv_file:
        click.echo(f"Wrote {len(tracker.rows)} rows to {printable(csv_file)}")
    return 0
