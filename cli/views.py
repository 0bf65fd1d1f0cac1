"""The verbs that show the index without a question: docs, timeline, judgements, actions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from assistant import AssistantError, Settings
from assistant.core.types import NO_COUNCIL, DocumentInfo, JudgementRow, JudgementsTable, TimelineEntry
from cli.common import example, printable, with_settings


@click.command(epilog=example("assistant docs --json"))
@click.option("--json", "as_json", is_flag=True, help="print JSON: every field read of each document")
@with_settings
def docs(settings: Settings, as_json: bool) -> int:
    """List the indexed documents, their metadata and chunk counts."""
    from assistant import open_index

    index = open_index(settings, with_collection=False)
    rows = []
    for doc_id, info in sorted(index.docs.items()):
        chunks = [c for c in index.chunks if c.doc_id == doc_id]
        rows.append(_doc_json(info, len(chunks), len({c.passage_id for c in chunks})))
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


def _doc_json(info: DocumentInfo, chunks: int, passages: int) -> dict[str, Any]:
    """Every field of a document as read (from its manifest entry or its text); a field not read
    is empty, never guessed: no kind label for a kind not read, no ISO date for dates not read."""
    from assistant import load_taxonomy

    kind = load_taxonomy().kind(info.doc_type)
    start, end = info.inspection_period
    return {
        "doc_id": info.doc_id,
        "title": info.title,
        "doc_type": info.doc_type,
        "kind": kind.label if kind.id != "other" or info.doc_type == "other" else "",
        "publisher": info.publisher,
        "local_authority": info.local_authority,
        "published": info.published,
        "inspection_dates": info.inspection_dates,
        "inspection_start": start,
        "inspection_end": end,
        "lead_inspector": info.lead_inspector,
        "judgement": info.overall_judgement,
        "judgements": [{"area": j.area, "label": j.label, "grade": j.grade, "wording": j.wording} for j in info.graded],
        "notes": info.notes,
        "file": info.file,
        "chunks": chunks,
        "passages": passages,
        "in_manifest": info.in_manifest,
    }


@click.command(epilog=example("assistant timeline --council Anytown --json"))
@click.option("--council", default="", metavar="NAME", help="only this council's documents (default: all, by council)")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
@with_settings
def timeline(settings: Settings, council: str, as_json: bool) -> int:
    """Each council's documents in date order: judgements and key findings."""
    from assistant import open_index, timeline_json
    from assistant import timeline as make_timeline

    result = make_timeline(open_index(settings, with_collection=False), council, settings=settings)
    if as_json:
        click.echo(json.dumps(timeline_json(result), indent=1, ensure_ascii=False))
        return 0
    for group in result.groups:
        count = len(group.entries)
        click.echo(f"== {printable(group.label)}: {count} document{'s' if count != 1 else ''}")
        for entry in group.entries:
            _print_entry(entry)
    return 0


def _print_entry(entry: TimelineEntry) -> None:
    """One document of the timeline: date, kind, title, dates, each judgement with its page, findings."""
    doc = entry.doc
    click.echo(
        f"{doc.published or 'undated'}  {printable(entry.kind_label)}\n    {printable(doc.title)}"
        + (f"\n    inspected {printable(doc.inspection_dates)}" if doc.inspection_dates else "")
    )
    for point in entry.judgements:
        written = f" (as written: {printable(point.wording)})" if point.wording != point.area else ""
        page = f" [p. {point.page}]" if point.page is not None else ""
        click.echo(f"    {printable(point.area)}: {printable(point.grade)}{written}{page}")
    for c in entry.findings:
        click.echo(f'    - "{printable(" ".join(c.sentences[0].split()))}" [{printable(c.label)}]')


@click.command(
    epilog=example(
        "assistant judgements --council Anytown --area 'overall effectiveness'",
        "assistant judgements --csv judgements.csv",
    )
)
@click.option("--council", default="", metavar="NAME", help="only this council's reports (default: every council)")
@click.option(
    "--area",
    default="",
    metavar="AREA",
    help="only this judgement area: its id (lscb, overall_effectiveness) or words for it ('children in care')",
)
@click.option("--json", "as_json", is_flag=True, help="print JSON: one object per row, with the passage of its grade")
@click.option(
    "--csv",
    "csv_file",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    metavar="FILE",
    help="write the rows as CSV to FILE ('-' for standard output) instead of the table",
)
@with_settings
def judgements(settings: Settings, council: str, area: str, as_json: bool, csv_file: Path | None) -> int:
    """Every report's judgements: grade, movement since the council's previous report, page."""
    from assistant import judgements_csv, judgements_json, judgements_table, open_index

    if as_json and csv_file:
        raise click.UsageError("give --json or --csv, not both")
    table = judgements_table(open_index(settings, with_collection=False), council, area)
    if as_json:
        click.echo(json.dumps(judgements_json(table), indent=1, ensure_ascii=False))
    elif csv_file and str(csv_file) == "-":
        click.echo(judgements_csv(table), nl=False)
    elif csv_file:
        try:
            csv_file.write_text(judgements_csv(table), encoding="utf-8")
        except OSError as error:
            raise AssistantError(
                f"Cannot write {csv_file}: {error.strerror} - give a file in a folder you can write to"
            ) from None
        click.echo(f"Wrote {len(table.rows)} judgements of {len(table.reports)} reports to {printable(csv_file)}")
    else:
        _print_judgements(table)
    return 0


def _print_judgements(table: JudgementsTable) -> None:
    """The table as text: each council, then each report (date, framework), then its areas in
    aligned columns (area, grade, movement, page)."""
    if not table.rows:
        from assistant import load_taxonomy

        area = load_taxonomy().area_by_id(table.area)
        click.echo(
            f"No judgement{' of ' + area.label.lower() if area else ''} in the reports"
            f"{' of ' + printable(table.council) if table.council else ''} (area SEND reports and inspection "
            "letters grade none, and not every framework grades every area)."
        )
        return
    cells = [(printable(r.area), printable(r.grade), _moved(r)) for r in table.rows]
    widths = [max(len(c[i]) for c in cells) for i in range(3)]
    council: str | None = None
    doc_id: str | None = None
    for row, columns in zip(table.rows, cells):
        if row.council != council:
            council, doc_id = row.council, None
            click.echo(f"== {printable(row.council or NO_COUNCIL)}")
        if row.doc_id != doc_id:
            doc_id = row.doc_id
            click.echo(f"{row.date or 'undated'}  {printable(row.framework)}  ({printable(row.doc_id)})")
        page = f"[p. {row.page}]" if row.page is not None else ""
        click.echo(("    " + "  ".join(c.ljust(w) for c, w in zip(columns, widths)) + f"  {page}").rstrip())
    click.echo(f"{len(table.rows)} judgements of {len(table.reports)} reports")


def _moved(row: JudgementRow) -> str:
    """How a row's grade moved: "up (was Requires improvement, 2014-08-08)"; "" when first graded."""
    if not row.previous_grade:
        return ""
    was = f"was {printable(row.previous_grade)}, {row.previous_date}"
    return f"{row.movement} ({was})" if row.movement else was


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
