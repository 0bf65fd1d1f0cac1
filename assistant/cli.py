"""The `assistant` command: verbs mirror the folders (ingest, docs, ask, chat, serve, eval).

Each verb is a thin call into one stage; errors from `assistant.errors` become one line on
stderr and exit status 2. Examples:

    assistant ingest                      # build or update the index from corpus/
    assistant docs                        # what is indexed
    assistant timeline --council Anytown   # documents in date order: judgements, key findings
    assistant actions --status overdue    # the action plan's rows, filtered
    assistant ask "What did inspectors say about CAMHS waiting times?"
    assistant ask --json --type action_plan "what's the status of 2.2.2?"
    assistant ask --council Anytown --judgement inadequate --from 2023-01-01 "what needs to improve?"
    assistant chat                        # a conversation in the terminal
    assistant serve --port 7860           # the web chat
    assistant eval --baseline evals/sets/corpus/baseline.json
    assistant eval diff runs/a runs/b
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sys
from datetime import date
from pathlib import Path

from assistant.errors import AssistantError
from assistant.settings import Settings
from assistant.types import Answer, Filters

log = logging.getLogger("assistant")

# Control characters (C0, DEL, C1) and the bidirectional overrides: in a file name they would
# move the cursor, recolour or clear the terminal, or reorder what the user reads.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    if argv[:2] == ["eval", "diff"]:
        return _guard(lambda: _eval_diff(argv[2:]))
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "verb", None):
        parser.print_help()
        return 0
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    return _guard(lambda: args.run(args, _settings(args)))


def _guard(run) -> int:
    try:
        return run() or 0
    except AssistantError as error:
        print(f"error: {printable(error)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away ("| head"): nothing more to say
        sys.stderr.close()
        return 0


def _settings(args: argparse.Namespace) -> Settings:
    return Settings.from_env().replace(
        index_dir=args.index_dir, corpus_dir=args.corpus_dir, chroma_host=args.chroma_host,
        chroma_port=args.chroma_port,
    )


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--index-dir", type=Path, help="index folder (default .index, or ASSISTANT_INDEX_DIR)")
    common.add_argument("--corpus-dir", type=Path, help="corpus folder (default corpus, or ASSISTANT_CORPUS_DIR)")
    common.add_argument("--chroma-host", help="use a 'chroma run' server at this host instead of the embedded store")
    common.add_argument("--chroma-port", type=int, help="port of the Chroma server (default 8000)")
    common.add_argument("-v", "--verbose", action="store_true", help="log what happens")

    parser = argparse.ArgumentParser(
        prog="assistant", description="Cited answers from children's services inspection documents.",
        epilog="Settings: every ASSISTANT_* variable is listed by 'assistant settings'.",
    )
    verbs = parser.add_subparsers(dest="verb", metavar="VERB")

    p = verbs.add_parser("ingest", parents=[common], help="build or update the index from the corpus",
                         epilog="example: assistant ingest corpus/new-report.pdf")
    p.add_argument("paths", nargs="*", type=Path, help="only these files or folders (default: the whole corpus)")
    p.add_argument("--rebuild", action="store_true", help="embed everything again")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.set_defaults(run=_ingest)

    p = verbs.add_parser("docs", parents=[common], help="list the indexed documents",
                         epilog="example: assistant docs --json")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(run=_docs)

    p = verbs.add_parser("timeline", parents=[common], help="a council's documents in date order: judgements and key findings",
                         epilog='example: assistant timeline --council Anytown --json')
    p.add_argument("--council", default="", metavar="NAME", help="only this council's documents (default: all)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(run=_timeline)

    p = verbs.add_parser("actions", parents=[common], help="the action plans' rows: status, due date, latest progress",
                         epilog='example: assistant actions --status overdue --agency "Alder Hey"  (statuses: see the table)')
    p.add_argument("--status", default="", metavar="S",
                   help="only rows with this written status (e.g. Completed), or 'overdue' or 'open'")
    p.add_argument("--agency", default="", metavar="A", help="only rows whose agencies or lead mention this")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--csv", type=Path, metavar="FILE", help="also write the rows as CSV to FILE")
    p.set_defaults(run=_actions)

    for name, helptext, run in (("ask", "answer one question", _ask), ("chat", "a conversation in the terminal", _chat)):
        p = verbs.add_parser(name, parents=[common], help=helptext,
                             epilog='example: assistant ask --doc anytown-jtai-letter-2019 "what were the strengths?"  (ids: assistant docs)')
        if name == "ask":
            p.add_argument("question", help="the question, in quotes")
            p.add_argument("--json", action="store_true", help="print the answer record as JSON")
        p.add_argument("--doc", action="append", default=[], metavar="ID", help="only this document (repeatable)")
        p.add_argument("--type", "--kind", dest="type", action="append", default=[], metavar="KIND",
                       help="only this kind of document, e.g. ilacs, area_send (repeatable; kinds: assistant docs)")
        p.add_argument("--council", action="append", default=[], metavar="NAME",
                       help="only this council's documents (repeatable: several councils are each heard)")
        p.add_argument("--judgement", action="append", default=[], metavar="GRADE",
                       help="only reports with this overall judgement, e.g. inadequate, 'requires improvement', "
                            "good (repeatable)")
        p.add_argument("--from", dest="date_from", default="", metavar="YYYY-MM-DD", help="documents dated on or after")
        p.add_argument("--to", dest="date_to", default="", metavar="YYYY-MM-DD", help="documents dated on or before")
        p.set_defaults(run=run)

    p = verbs.add_parser("serve", parents=[common], help="start the web chat",
                         epilog="example: assistant serve --host 127.0.0.1 --port 7860")
    p.add_argument("--host", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (default 7860)")
    p.set_defaults(run=_serve)

    p = verbs.add_parser("eval", parents=[common], help="run question sets; 'assistant eval diff A B' compares runs",
                         epilog="example: assistant eval --questions my-set.csv --out runs/mine")
    p.add_argument("--questions", action="append", type=Path, metavar="FILE",
                   help="JSONL or CSV question set (repeatable; default evals/sets/corpus/heldout.jsonl)")
    p.add_argument("--out", type=Path, help="output folder (default runs/<time>)")
    p.add_argument("--baseline", type=Path, help="summary.json to compare with: exit 1 on a regression")
    p.add_argument("--update-baseline", action="store_true", help="accept this run as the --baseline file (evals/sets/corpus/baseline.json by default)")
    p.add_argument("--k", type=int, default=5, help="cut-off for hit@k and recall@k (default 5)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--llm-url", metavar="URL", help="also run with answers written by the LLM at this "
                   "OpenAI-compatible endpoint, verified, and compare both modes (e.g. http://127.0.0.1:8080/v1)")
    p.add_argument("--llm-model", metavar="NAME", help="model name to ask the endpoint for (default ASSISTANT_LLM_MODEL)")
    p.set_defaults(run=_eval)

    p = verbs.add_parser("feedback", parents=[common], help="export the web chat's feedback as CSV",
                         epilog="example: assistant feedback --out feedback.csv")
    p.add_argument("--out", type=Path, help="CSV file (default: standard output)")
    p.set_defaults(run=_feedback)

    p = verbs.add_parser("settings", parents=[common], help="list every setting, its variable and default")
    p.set_defaults(run=_show_settings)
    return parser


def printable(text: object) -> str:
    """Text safe to print as one line: control characters written as escapes (\\n, \\x1b, \\u202e)."""
    return _UNPRINTABLE.sub(_escape, str(text))


def _escape(match: re.Match) -> str:
    char = match.group(0)
    return _ESCAPES.get(char) or (f"\\x{ord(char):02x}" if ord(char) <= 0xFF else f"\\u{ord(char):04x}")


def _filters(args: argparse.Namespace) -> Filters:
    """The --doc/--type/--from/--to/--council/--judgement filters; a bad date or grade is one error
    line that shows the form."""
    for flag, value in (("--from", args.date_from), ("--to", args.date_to)):
        if value and not _is_iso_date(value):
            raise AssistantError(f"{flag} {printable(value)} is not a date: write it as YYYY-MM-DD, e.g. 2019-12-18")
    if args.date_from and args.date_to and args.date_from > args.date_to:
        raise AssistantError(f"--from {args.date_from} is after --to {args.date_to}: swap them or drop one")
    filters = Filters(tuple(args.doc), tuple(args.type), args.date_from, args.date_to, tuple(args.council),
                      tuple(args.judgement))
    for grade in args.judgement:
        if not Filters(judgements=(grade,)).grades:
            from assistant.taxonomy import load_taxonomy

            grades = ", ".join(g.lower() for g in load_taxonomy().grades)
            raise AssistantError(f"--judgement {printable(grade)} is not a grade: write one of {grades}")
    return filters


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


def _ingest(args, settings: Settings) -> int:
    from ingest.index import build_index

    report = build_index(settings, paths=args.paths or None, rebuild=args.rebuild, progress=not args.quiet)
    if report.damaged:
        print(f"note: the index was damaged ({printable(report.damaged)}): rebuilt it from the whole corpus",
              file=sys.stderr)
    for doc_id in report.kept_after_error:
        print(f"kept: {printable(doc_id)} stays as last indexed, because its file failed to load", file=sys.stderr)
    if report.up_to_date:
        print(f"Index up to date: {report.documents} documents, {report.chunks} chunks, nothing embedded "
              f"({report.seconds:.1f} s).")
    else:
        resumed = (f", {report.resumed_texts} more taken from the ingest that stopped before"
                   if report.resumed_texts else "")
        removed = f"; removed {_some(report.removed_docs)}" if report.removed_docs else ""
        print(f"Indexed {report.documents} documents, {report.chunks} chunks in {report.seconds:.1f} s: "
              f"{len(report.embedded_docs)} new or changed ({_some(report.embedded_docs)}){removed}; "
              f"embedded {report.embedded_texts} texts{resumed}.")
    # Failures last, one line each with the reason, where a long run's user looks when it ends.
    for error in report.errors:
        print(f"failed: {printable(error)}", file=sys.stderr)
    if report.errors:
        print(f"{len(report.errors)} file(s) failed: see the lines above.", file=sys.stderr)
        return 1
    return 0


def _some(names: list[str], shown: int = 5) -> str:
    """A few names and how many more: a national ingest's summary is one line, not 200 names."""
    text = ", ".join(names[:shown]) or "none"
    return printable(text + (f" and {len(names) - shown} more" if len(names) > shown else ""))


def _docs(args, settings: Settings) -> int:
    from assistant.store import open_index

    index = open_index(settings, with_collection=False)
    rows = []
    for doc_id, info in sorted(index.docs.items()):
        chunks = [c for c in index.chunks if c.doc_id == doc_id]
        rows.append({"doc_id": doc_id, "title": info.title, "doc_type": info.doc_type, "publisher": info.publisher,
                     "local_authority": info.local_authority, "judgement": info.overall_judgement,
                     "published": info.published, "file": info.file, "chunks": len(chunks),
                     "passages": len({c.passage_id for c in chunks}), "in_manifest": info.in_manifest})
    if args.json:
        print(json.dumps(rows, indent=1))
        return 0
    for row in rows:
        print(f"{printable(row['doc_id'])}  [{row['doc_type']}, {row['published'] or 'undated'}]  "
              f"{row['chunks']} chunks / {row['passages']} passages\n    {printable(row['title'])}")
    print(f"{len(rows)} documents, {len(index.chunks)} chunks (generation {index.generation})")
    return 0


def _timeline(args, settings: Settings) -> int:
    from assistant.store import open_index
    from assistant.timeline import timeline

    result = timeline(open_index(settings, with_collection=False), args.council, settings=settings)
    if args.json:
        print(json.dumps(timeline_json(result), indent=1, ensure_ascii=False))
        return 0
    for entry in result.entries:
        doc = entry.doc
        print(f"{doc.published or 'undated'}  {printable(entry.kind_label)}\n    {printable(doc.title)}"
              + (f"\n    inspected {printable(doc.inspection_dates)}" if doc.inspection_dates else ""))
        for area, grade in doc.judgements:
            print(f"    {printable(area)}: {printable(grade)}")
        for c in entry.findings:
            print(f"    - \"{printable(' '.join(c.sentences[0].split()))}\" [{printable(c.label)}]")
    return 0


def timeline_json(result) -> dict:
    """A `Timeline` as JSON: documents with judgements and quoted findings, and the chart points."""
    return {
        "council": result.council,
        "documents": [{
            "doc_id": e.doc.doc_id, "title": e.doc.title, "doc_type": e.doc.doc_type, "kind": e.kind_label,
            "published": e.doc.published, "inspection_dates": e.doc.inspection_dates,
            "judgements": {area: grade for area, grade in e.doc.judgements},
            "findings": [{"quote": c.sentences[0], **c.to_json()} for c in e.findings],
        } for e in result.entries],
        "judgements": [{"date": p.date, "doc_id": p.doc_id, "area": p.area, "grade": p.grade, "score": p.score}
                       for p in result.points],
    }


def _actions(args, settings: Settings) -> int:
    from assistant.store import open_index
    from assistant.tracker import action_rows

    tracker = action_rows(open_index(settings, with_collection=False), status=args.status, agency=args.agency)
    if args.csv:
        args.csv.write_text(actions_csv(tracker), encoding="utf-8")
    if args.json:
        print(json.dumps({"rows": [action_json(r) for r in tracker.rows],
                          "by_priority": [vars(u) for u in tracker.by_priority],
                          "by_agency": [vars(u) for u in tracker.by_agency]}, indent=1, ensure_ascii=False))
        return 0
    if not tracker.rows:
        print(f"No row matches (statuses: {', '.join(tracker.statuses)}; or 'overdue', 'open').")
        return 0
    for r in tracker.rows:
        note = r.latest
        flag = "OVERDUE " if r.overdue else ""
        print(f"{r.row.ref:7} {flag}{printable(r.row.status or '(not stated)')} | due {printable(r.row.due or '-')[:40]}"
              f"\n        {printable(' '.join(r.row.action.split()))[:110]}"
              + (f"\n        latest: {printable(note.label)}: {printable(' '.join(note.text.split()))[:90]}" if note else ""))
    print(f"{len(tracker.rows)} rows, {sum(r.completed for r in tracker.rows)} completed, "
          f"{sum(r.overdue for r in tracker.rows)} overdue (against the plan's own date)")
    for u in tracker.by_priority:
        print(f"  {printable(u.key)[:70]}: {u.total} rows, {u.completed} completed, {u.overdue} overdue")
    if args.csv:
        print(f"Wrote {len(tracker.rows)} rows to {printable(args.csv)}")
    return 0


def action_json(r) -> dict:
    """A `TrackerRow` as JSON, with its cited passage."""
    note = r.latest
    return {"doc_id": r.row.doc_id, "ref": r.row.ref, "priority": r.row.priority, "action": r.row.action,
            "lead": r.row.lead, "agencies": list(r.agencies), "due": r.row.due, "due_date": r.due_date,
            "status": r.row.status, "completed": r.completed, "overdue": r.overdue, "plan_date": r.plan_date,
            "latest_progress": {"label": note.label, "date": note.date, "text": note.text} if note else None,
            "citation": r.citation.to_json()}


def actions_csv(tracker) -> str:
    """The tracker's rows as CSV text (one row per action, the latest note in two columns)."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["ref", "priority", "action", "lead", "agencies", "due", "due_month", "status", "overdue",
                     "latest_progress_date", "latest_progress", "document", "plan_date"])
    for r in tracker.rows:
        note = r.latest
        writer.writerow([r.row.ref, r.row.priority, " ".join(r.row.action.split()), r.row.lead, "; ".join(r.agencies),
                         r.row.due, r.due_date, r.row.status, "yes" if r.overdue else "",
                         (note.date or note.label) if note else "", " ".join(note.text.split()) if note else "",
                         r.row.doc_id, r.plan_date])
    return out.getvalue()


def _ask(args, settings: Settings) -> int:
    from assistant.answer import answer

    result = answer(args.question, filters=_filters(args), settings=settings)
    if args.json:
        print(json.dumps(result.to_json(), indent=1, ensure_ascii=False))
    else:
        print(format_answer(result))
    return 0


def format_answer(result: Answer) -> str:
    """An answer as a person reads it in a terminal: text, then its sources."""
    lines = []
    if result.resolved_question != result.question.strip():
        lines.append(f"(searched: {result.resolved_question})")
    if result.notice:
        lines.append(f"note: {result.notice}")
    if result.mode == "generated":
        from assistant.generate import verification_label

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


def _chat(args, settings: Settings) -> int:
    from assistant.answer import answer
    from assistant.store import open_index

    filters = _filters(args)
    open_index(settings)  # fail now, not after the first question
    print("Ask about the inspection documents. An empty line or Ctrl-D ends the chat.")
    history: list[Answer] = []
    while True:
        try:
            question = input("\nyou> ")
        except EOFError:
            print()
            return 0
        if not question.strip():
            return 0
        result = answer(question, history=history, filters=filters, settings=settings)
        history.append(result)
        print(format_answer(result))


def _serve(args, settings: Settings) -> int:
    from ui.app import serve

    serve(settings.replace(host=args.host, port=args.port))
    return 0


def _eval(args, settings: Settings) -> int:
    from evals.cli import run_eval_command

    return run_eval_command(args, settings)


def _eval_diff(argv: list[str]) -> int:
    from evals.cli import run_diff_command

    return run_diff_command(argv)


def _feedback(args, settings: Settings) -> int:
    from ui.feedback import export_csv

    count = export_csv(settings.feedback_db, args.out)
    if args.out:
        print(f"Wrote {count} feedback rows to {printable(args.out)}")
    return 0


def _show_settings(args, settings: Settings) -> int:
    group = None
    for info in Settings.describe():
        if info.group != group:
            group = info.group
            print(f"# {group}")
        current = getattr(settings, info.name)
        if info.secret:  # said whether it is set, never what it is
            current = "(set, not shown)" if current.get_secret_value() else ""
        print(f"{info.variable}={current}\n    {info.help} (default: {info.default})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
