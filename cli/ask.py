"""The verbs that read the index (assistant/): ask, chat, docs, timeline, actions."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import click

from assistant.core.errors import AssistantError
from assistant.core.settings import Settings
from assistant.core.types import Answer, Filters
from cli.common import example, printable, with_settings

_FILTER_EXAMPLE = 'assistant ask --doc anytown-jtai-letter-2019 "what were the strengths?"  (ids: assistant docs)'


@click.command(epilog=example("assistant docs --json"))
@click.option("--json", "as_json", is_flag=True, help="print JSON")
@with_settings
def docs(settings: Settings, as_json: bool) -> int:
    """List the indexed documents, their metadata and chunk counts."""
    from assistant.store import open_index

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
    from assistant.store import open_index
    from assistant.views.timeline import timeline as make_timeline
    from assistant.views.timeline import timeline_json

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
    from assistant.store import open_index
    from assistant.views.tracker import action_json, action_rows, actions_csv

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


def filter_options(verb: Callable[..., Any]) -> Callable[..., Any]:
    """The --doc/--type/--council/--judgement/--from/--to flags of ask and chat, as one `filters`."""
    options = [
        click.option("--doc", "doc_ids", multiple=True, metavar="ID", help="only this document (repeatable)"),
        click.option(
            "--type",
            "--kind",
            "kinds",
            multiple=True,
            metavar="KIND",
            help="only this kind of document, e.g. ilacs, area_send (repeatable; kinds: assistant docs)",
        ),
        click.option(
            "--council",
            "councils",
            multiple=True,
            metavar="NAME",
            help="only this council's documents (repeatable: several councils are each heard)",
        ),
        click.option(
            "--judgement",
            "judgements",
            multiple=True,
            metavar="GRADE",
            help="only reports with this overall judgement, e.g. inadequate, 'requires improvement', good (repeatable)",
        ),
        click.option("--from", "date_from", default="", metavar="YYYY-MM-DD", help="documents dated on or after"),
        click.option("--to", "date_to", default="", metavar="YYYY-MM-DD", help="documents dated on or before"),
    ]
    for option in reversed(options):
        verb = option(verb)
    return verb


@click.command(epilog=example(_FILTER_EXAMPLE))
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="print the answer record as JSON")
@filter_options
@with_settings
def ask(settings: Settings, question: str, as_json: bool, **filters: Any) -> int:
    """Answer one QUESTION (in quotes), citing the passages it rests on."""
    from assistant.answering.pipeline import answer

    result = answer(question, filters=make_filters(**filters), settings=settings)
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=1, ensure_ascii=False))
    else:
        click.echo(format_answer(result))
    return 0


@click.command(epilog=example('assistant chat --council Anytown  (then "what about the police?" follows on)'))
@filter_options
@with_settings
def chat(settings: Settings, **filters: Any) -> int:
    """A conversation in the terminal; follow-ups are resolved against earlier turns."""
    from assistant.answering.pipeline import answer
    from assistant.store import open_index

    picked = make_filters(**filters)
    open_index(settings)  # fail now, not after the first question
    click.echo("Ask about the inspection documents. An empty line or Ctrl-D ends the chat.")
    history: list[Answer] = []
    while True:
        try:
            question = input("\nyou> ")
        except EOFError:
            click.echo()
            return 0
        if not question.strip():
            return 0
        result = answer(question, history=history, filters=picked, settings=settings)
        history.append(result)
        click.echo(format_answer(result))


def make_filters(
    doc_ids: tuple[str, ...],
    kinds: tuple[str, ...],
    councils: tuple[str, ...],
    judgements: tuple[str, ...],
    date_from: str,
    date_to: str,
) -> Filters:
    """The filter flags as `Filters`; a bad date or grade is one error line that shows the form."""
    for flag, value in (("--from", date_from), ("--to", date_to)):
        if value and not _is_iso_date(value):
            raise AssistantError(f"{flag} {printable(value)} is not a date: write it as YYYY-MM-DD, e.g. 2019-12-18")
    if date_from and date_to and date_from > date_to:
        raise AssistantError(f"--from {date_from} is after --to {date_to}: swap them or drop one")
    for grade in judgements:
        if not Filters(judgements=(grade,)).grades:
            from assistant.core.taxonomy import load_taxonomy

            grades = ", ".join(g.lower() for g in load_taxonomy().grades)
            raise AssistantError(f"--judgement {printable(grade)} is not a grade: write one of {grades}")
    return Filters(doc_ids, kinds, date_from, date_to, councils, judgements)


def _is_iso_date(value: str) -> bool:
    # fromisoformat alone also takes "20191218" and "2019-W51-3" (Python 3.11), which the
    # filters' string comparison would get wrong; the pattern pins the form.
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def format_answer(result: Answer) -> str:
    """An answer as a person reads it in a terminal: text, then its sources."""
    lines: list[str] = []
    if result.resolved_question != result.question.strip():
        lines.append(f"(searched: {result.resolved_question})")
    if result.notice:
        lines.append(f"note: {result.notice}")
    if result.mode == "generated":
        from assistant.answering.llm.generate import verification_label

        lines.append(f"({verification_label(result)})")
    lines.append(result.text)
    if result.citations:
        lines.append("")
        lines.append("Sources:")
        for c in result.citations:
            lines.append(f"  [{c.n}] {c.label}")
    elif result.abstained and result.retrieved:
        lines.append("")
        lines.append("Closest passages:")
        for i, hit in enumerate(result.retrieved[:3], 1):
            snippet = hit.chunk.passage[:160].replace("\n", " ")
            lines.append(f"  {i}. {hit.chunk.title} ({hit.chunk.date or 'undated'}): {snippet}…")
    return "\n".join(lines)
