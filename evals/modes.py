"""The two answer modes side by side: extractive (quoted) and generated (an LLM, verified).

`assistant eval --llm-url URL` runs a set once in each mode (`extractive/` and `generated/`
under the run folder, each with its own results and reports) and writes `comparison.md` and
`comparison.html` here: the main figures of both modes, and for the generated mode how many
of the model's sentences were verified and dropped, and how often the quoted answer was shown
instead (the endpoint failed, or too little of what it wrote held).
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from evals.metrics import RANKING, SHOWN

# Both modes answer from the same retrieved passages, so retrieval's ranking figures are the same
# in both columns: the side-by-side leaves them out, hit_at_k standing for retrieval.
COMPARED = tuple(name for name in SHOWN if name not in RANKING)


def _rows(summaries: Mapping[str, Mapping[str, Any]]) -> list[tuple[str, list[str]]]:
    rows = [("questions", [str(s["n_questions"]) for s in summaries.values()])]
    for name in COMPARED:
        cells = []
        for s in summaries.values():
            mean = s["overall"]["metrics"].get(name, {}).get("mean")
            cells.append("–" if mean is None else (f"{mean:.0f}" if name == "answer_words" else f"{mean:.3f}"))
        rows.append((name, cells))
    for p in ("p50", "p95"):
        rows.append(
            (
                f"latency_ms {p}",
                [f"{s['overall']['metrics']['latency_ms'].get(p) or 0:,.0f}" for s in summaries.values()],
            )
        )
    for key in (
        "answers_generated",
        "fallbacks",
        "sentences_generated",
        "sentences_verified",
        "sentences_dropped",
        "dropped_share",
    ):
        cells = []
        for s in summaries.values():
            value = (s.get("generation") or {}).get(key)
            cells.append("–" if value is None else (f"{value:.3f}" if isinstance(value, float) else str(value)))
        rows.append((key, cells))
    return rows


def comparison_markdown(summaries: Mapping[str, Mapping[str, Any]], *, model: str = "") -> str:
    """A Markdown table of the modes' figures, one column a mode."""
    lines = ["# Answer modes side by side", ""]
    if model:
        lines += [f"Generated mode: model `{model}`; every generated sentence checked against its cited passage.", ""]
    lines += ["| figure | " + " | ".join(summaries) + " |", "|---|" + "---|" * len(summaries)]
    lines += [f"| {label} | " + " | ".join(cells) + " |" for label, cells in _rows(summaries)]
    lines += [
        "",
        "Groundedness counts a sentence as grounded when it is found, normalised, in its cited passage: "
        "a verified paraphrase is not, so the generated mode scores lower on it by construction.",
        "",
    ]
    return "\n".join(lines)


def comparison_html(summaries: Mapping[str, Mapping[str, Any]], *, model: str = "") -> str:
    """The same table as a self-contained page."""
    head = "".join(f"<th>{html.escape(m)}</th>" for m in summaries)
    body = "".join(
        "<tr><td>" + html.escape(label) + "</td>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>"
        for label, cells in _rows(summaries)
    )
    note = f"<p>Generated mode: model <code>{html.escape(model)}</code>.</p>" if model else ""
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>Answer modes side by side</title>"
        "<style>body{font:14px system-ui,sans-serif;margin:2em}td,th{border:1px solid #ccc;padding:3px 8px}"
        "table{border-collapse:collapse}</style></head><body><h1>Answer modes side by side</h1>"
        f"{note}<table><tr><th>figure</th>{head}</tr>{body}</table></body></html>\n"
    )


def write_comparison(
    summaries: Mapping[str, Mapping[str, Any]], out_dir: Path, *, model: str = ""
) -> tuple[Path, Path]:
    """comparison.md and comparison.html in `out_dir`."""
    md, page = out_dir / "comparison.md", out_dir / "comparison.html"
    md.write_text(comparison_markdown(summaries, model=model), encoding="utf-8")
    page.write_text(comparison_html(summaries, model=model), encoding="utf-8")
    return md, page
