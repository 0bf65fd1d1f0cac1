"""The verbs that answer questions: ask, and chat (a conversation of them)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import click

from assistant import AssistantError, Settings, is_iso_date
from assistant.core.types import Answer, Filters
from cli.common import example, printable, with_settings

_FILTER_EXAMPLE = 'assistant ask --doc anytown-jtai-letter-2019 "what were the strengths?"  (ids: assistant docs)'


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
    from assistant import answer

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
    from assistant import answer, open_index

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
        if value and not is_iso_date(value):
            raise AssistantError(f"{flag} {printable(value)} is not a date: write it as YYYY-MM-DD, e.g. 2019-12-18")
    if date_from and date_to and date_from > date_to:
        raise AssistantError(f"--from {date_from} is after --to {date_to}: swap them or drop one")
    for grade in judgements:
        if not Filters(judgements=(grade,)).grades:
            from assistant import load_taxonomy

            grades = ", ".join(g.lower() for g in load_taxonomy().grades)
            raise AssistantError(f"--judgement {printable(grade)} is not a grade: write one of {grades}")
    return Filters(doc_ids, kinds, date_from, date_to, councils, judgements)


def format_answer(result: Answer) -> str:
    """An answer as a person reads it in a terminal: text, then its sources."""
    lines: list[str] = []
    if result.resolved_question != result.question.strip():
        lines.append(f"(searched: {result.resolved_question})")
    if result.notice:
        lines.append(f"note: {result.notice}")
    if result.mode == "generated":
        from assistant import verification_label

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
