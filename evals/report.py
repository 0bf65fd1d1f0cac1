"""Write the reports of a run: report.md and a self-contained report.html.

Both hold a table of every metric by question type, a bar chart of each metric by type, and a
row per question (failures first) with its answer, citations and pass/fail per metric.
The HTML page needs nothing from outside: inline CSS, charts as inline SVG, no script.
Questions, answers and passages are untrusted text: every one goes through `html.escape`, in
the Markdown too (Markdown viewers render raw HTML).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from evals.metrics import METRICS, PASS_RULES, SHOWN, failed

SHARE_METRICS = frozenset(METRICS) - {"answer_words", "latency_ms"}  # values in [0, 1]
_LOWER_IS_BETTER = frozenset({"false_abstention", "answer_words", "latency_ms"})


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _fmt(name: str, value: Any) -> str:
    if value is None:
        return "–"
    if name in SHARE_METRICS:
        return f"{value:.3f}"
    return f"{value:,.1f}" if name == "latency_ms" else f"{value:,.0f}"


def _groups(summary: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """("overall", group) then each question type's group."""
    return [("overall", summary["overall"]), *summary.get("by_type", {}).items()]


def _figure_rows(summary: Mapping[str, Any]) -> list[tuple[str, list[str]]]:
    """Table rows: a label and one cell per group ("0.833 (n=12)"), latency as mean, p50 and p95."""
    groups = _groups(summary)
    rows: list[tuple[str, list[str]]] = [
        ("questions", [str(g["n_questions"]) for _, g in groups]),
        ("errors", [str(g["n_errors"]) for _, g in groups]),
        ("failed", [str(g["n_failed"]) for _, g in groups]),
    ]
    for name in METRICS:
        stats = [(g["metrics"][name]["mean"], g["metrics"][name]["n"]) for _, g in groups]
        label = "latency_ms mean" if name == "latency_ms" else name
        rows.append((label, [f"{_fmt(name, m)} (n={n})" for m, n in stats]))
    for p in ("p50", "p95"):
        rows.append((f"latency_ms {p}", [_fmt("latency_ms", g["metrics"]["latency_ms"][p]) for _, g in groups]))
    return rows


def _sorted_rows(rows: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Failing rows first, each part in run order."""
    return sorted(rows, key=lambda r: not failed(r))


def _flag(row: Mapping[str, Any], name: str) -> str:
    """'pass', 'fail' or 'n/a' for one metric of one row."""
    flag = ((row.get("metrics") or {}).get("passed") or {}).get(name)
    return "n/a" if flag is None else ("pass" if flag else "fail")


def _citation_labels(row: Mapping[str, Any]) -> list[str]:
    """'[n] doc_id, section (date)' for each citation, unescaped."""
    out = []
    for c in row.get("citations") or []:
        label = f"[{c.get('n')}] {c.get('doc_id', '')}"
        if c.get("section"):
            label += f", {c['section']}"
        if c.get("ref"):
            label += f", ref {c['ref']}"
        out.append(label + f" ({c.get('date') or 'undated'})")
    return out


# --------------------------------------------------------------------------------------------
# Markdown


def _md(value: Any) -> str:
    """A Markdown table cell: escaped, one line, no column breaks."""
    return _e(value).replace("|", "\\|").replace("\r", "").replace("\n", "<br>")


def _bar(fraction: float) -> str:
    filled = round(max(0.0, min(1.0, fraction)) * 20)
    return "█" * filled + "░" * (20 - filled)


def _markdown(rows: Sequence[Mapping[str, Any]], summary: Mapping[str, Any]) -> str:
    groups = _groups(summary)
    lines = [
        "# Evaluation report",
        "",
        f"{summary['n_questions']} questions, k = {summary.get('k', '?')}, "
        f"{summary['overall']['n_failed']} failing (errors: {summary['overall']['n_errors']}).",
        "",
        "## Metrics by question type",
        "",
        "| metric | " + " | ".join(_md(name) for name, _ in groups) + " |",
        "|---|" + "---|" * len(groups),
    ]
    lines += [f"| {_md(label)} | " + " | ".join(_md(c) for c in cells) + " |" for label, cells in _figure_rows(summary)]
    lines += [
        "",
        "Pass rules: " + ", ".join(f"{n} {op} {b:g}" for n, (op, b) in PASS_RULES.items()) + ".",
        "",
        "## Charts",
        "",
    ]
    for name in METRICS:
        means = [(g_name, g["metrics"][name]["mean"]) for g_name, g in groups]
        top = 1.0 if name in SHARE_METRICS else max([m for _, m in means if m] or [1.0])
        lines += [f"### {name}", "", "| type | | value |", "|---|---|---|"]
        lines += [f"| {_md(g)} | {_bar((m or 0) / top)} | {_fmt(name, m)} |" for g, m in means]
        lines.append("")
    lines += [
        "## Questions (failures first)",
        "",
        "| status | id | type | question | answer | citations | " + " | ".join(PASS_RULES) + " |",
        "|---|---|---|---|---|---|" + "---|" * len(PASS_RULES),
    ]
    for row in _sorted_rows(rows):
        status = "error" if row.get("error") else ("FAIL" if failed(row) else "pass")
        answer = row.get("error") or row.get("answer", "")
        cells = [
            status,
            row.get("id", ""),
            row.get("type", ""),
            row.get("question", ""),
            answer,
            "<br>".join(_md(c) for c in _citation_labels(row)),
        ]
        flags = [_flag(row, name) for name in PASS_RULES]
        lines.append("| " + " | ".join([*(_md(c) for c in cells[:5]), cells[5], *flags]) + " |")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------
# HTML

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:2em;color:#1b1b1b;max-width:1400px}
h1{font-size:1.6em}h2{margin-top:2em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #ccc;padding:4px 8px;vertical-align:top;text-align:left}
th{background:#f2f2f2}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.charts{display:flex;flex-wrap:wrap;gap:1.2em}.chart{border:1px solid #ddd;padding:6px}
.answer{white-space:pre-wrap;max-width:40em}.question{max-width:22em}
.pass{color:#0a6b2a}.fail{color:#b00020;font-weight:600}.na{color:#888}.error{color:#b00020}
tr.failed td:first-child{border-left:4px solid #b00020}tr.passed td:first-child{border-left:4px solid #0a6b2a}
ul.flags,ul.cites{margin:0;padding-left:1.1em}
"""


def _svg_chart(name: str, means: Sequence[tuple[str, float | None]]) -> str:
    """A horizontal bar chart of one metric's mean by group, as inline SVG."""
    label_w, bar_w, row_h, top_pad = 110, 200, 20, 24
    top = 1.0 if name in SHARE_METRICS else max([m for _, m in means if m] or [1.0])
    height = top_pad + row_h * len(means) + 6
    width = label_w + bar_w + 70
    parts = [
        f'<svg class="chart" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{_e(name)} by question type">',
        f'<text x="4" y="16" font-size="13" font-weight="600">{_e(name)}</text>',
    ]
    for i, (group, mean) in enumerate(means):
        y = top_pad + i * row_h
        length = 0 if mean is None else round(bar_w * max(0.0, min(1.0, mean / top)), 1)
        colour = "#555" if group == "overall" else ("#c0504d" if name in _LOWER_IS_BETTER else "#4f81bd")
        parts += [
            f'<text x="{label_w - 6}" y="{y + 14}" font-size="12" text-anchor="end">{_e(group)}</text>',
            f'<rect x="{label_w}" y="{y + 3}" width="{bar_w}" height="14" fill="#eee"/>',
            f'<rect x="{label_w}" y="{y + 3}" width="{length}" height="14" fill="{colour}"/>',
            f'<text x="{label_w + bar_w + 6}" y="{y + 14}" font-size="12">{_e(_fmt(name, mean))}</text>',
        ]
    return "".join(parts) + "</svg>"


def _html(rows: Sequence[Mapping[str, Any]], summary: Mapping[str, Any]) -> str:
    groups = _groups(summary)
    out = [
        '<!doctype html><html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Evaluation report</title><style>{_CSS}</style></head><body>",
        "<h1>Evaluation report</h1>",
        f"<p>{_e(summary['n_questions'])} questions, k = {_e(summary.get('k', '?'))}, "
        f"{_e(summary['overall']['n_failed'])} failing (errors: {_e(summary['overall']['n_errors'])}).</p>",
        "<h2>Metrics by question type</h2><table><thead><tr><th>metric</th>",
        *(f"<th>{_e(g)}</th>" for g, _ in groups),
        "</tr></thead><tbody>",
    ]
    for label, cells in _figure_rows(summary):
        out.append(f"<tr><th>{_e(label)}</th>" + "".join(f'<td class="num">{_e(c)}</td>' for c in cells) + "</tr>")
    out.append(
        "</tbody></table><p>Pass rules: "
        + _e(", ".join(f"{n} {op} {b:g}" for n, (op, b) in PASS_RULES.items()))
        + ".</p>"
    )
    out.append('<h2>Charts</h2><div class="charts">')
    out += [_svg_chart(name, [(g, grp["metrics"][name]["mean"]) for g, grp in groups]) for name in METRICS]
    out.append(
        "</div><h2>Questions (failures first)</h2><table><thead><tr><th>id</th><th>type</th>"
        "<th>question</th><th>answer</th><th>citations</th><th>metrics</th></tr></thead><tbody>"
    )
    for row in _sorted_rows(rows):
        is_failed = failed(row)
        if row.get("error"):
            answer = f'<span class="error">error: {_e(row["error"])}</span>'
        else:
            answer = _e(row.get("answer", "")) + (" <em>(abstained)</em>" if row.get("abstained") else "")
        cites = "".join(f"<li>{_e(c)}</li>" for c in _citation_labels(row))
        metrics = row.get("metrics") or {}
        flags = []
        for name in PASS_RULES:
            flag = _flag(row, name)
            css = {"pass": "pass", "fail": "fail"}.get(flag, "na")
            flags.append(f'<li class="{css}">{_e(name)}: {_e(flag)} ({_e(_fmt(name, metrics.get(name)))})</li>')
        flags.append(f'<li class="na">latency_ms: {_e(_fmt("latency_ms", row.get("latency_ms")))}</li>')
        out.append(
            f'<tr class="{"failed" if is_failed else "passed"}"><td>{_e(row.get("id", ""))}</td>'
            f'<td>{_e(row.get("type", ""))}</td><td class="question">{_e(row.get("question", ""))}</td>'
            f'<td class="answer">{answer}</td><td><ul class="cites">{cites}</ul></td>'
            f'<td><ul class="flags">{"".join(flags)}</ul></td></tr>'
        )
    out.append("</tbody></table></body></html>")
    return "\n".join(out) + "\n"


def write_reports(
    rows: Sequence[Mapping[str, Any]], summary: Mapping[str, Any], out_dir: str | Path
) -> tuple[Path, Path]:
    """Write report.md and report.html for a run.

    Args:
        rows: the results rows (as in results.jsonl).
        summary: the run's summary (as in summary.json).
        out_dir: the folder to write into (created).

    Returns:
        The paths of report.md and report.html.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    md, page = out / "report.md", out / "report.html"
    md.write_text(_markdown(rows, summary), encoding="utf-8")
    page.write_text(_html(rows, summary), encoding="utf-8")
    return md, page


def summary_table(summary: dict) -> str:
    """The summary overall and by type, as a fixed-width table for the terminal."""
    groups = [("overall", summary["overall"])] + sorted(summary["by_type"].items())
    head = f"{'':14}{'n':>4}" + "".join(f"{name[:10]:>11}" for name in SHOWN) + f"{'p50 ms':>9}{'p95 ms':>9}"
    lines = [head]
    for name, group in groups:
        metrics = group["metrics"]
        cells = []
        for metric in SHOWN:
            mean = metrics.get(metric, {}).get("mean")
            cells.append(f"{'-' if mean is None else format(mean, '.3f' if metric != 'answer_words' else '.0f'):>11}")
        latency = metrics.get("latency_ms", {})
        lines.append(
            f"{name[:14]:14}{group['n_questions']:>4}"
            + "".join(cells)
            + f"{latency.get('p50') or 0:>9.0f}{latency.get('p95') or 0:>9.0f}"
        )
    return "\n".join(lines) + outcome_table(summary)


def outcome_table(summary: dict) -> str:
    """Outcomes (answered / partial / not covered) by the answer type the question asked for,
    for answerable and unanswerable questions apart."""
    outcomes = summary.get("outcomes") or {}
    if not outcomes:
        return ""
    lines = ["", f"{'outcome by answer type':28}{'answered':>10}{'partial':>10}{'not covered':>13}"]
    for side in ("answerable", "unanswerable"):
        for answer_type, counts in sorted(outcomes.get(side, {}).items()):
            lines.append(
                f"{side + ' / ' + answer_type:28}{counts.get('answered', 0):>10}"
                f"{counts.get('partial', 0):>10}{counts.get('not_covered', 0):>13}"
            )
    return "\n".join(lines)
