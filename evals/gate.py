"""Gate a run against a committed baseline, and say which questions changed between two runs.

`compare` checks the run's figures against the baseline summary within `tolerances.toml`
(overall, and per question type where both runs have enough questions of that type to mean
something). `diff_runs` lists the questions whose outcome changed, newly failing first.
`format_regressions` and `format_diff` render both for the CLI.

Every input may be given as data or as a path: a summary as summary.json or its run folder,
results as results.jsonl or its run folder, tolerances as a .toml file.
"""

from __future__ import annotations

import json
import shutil
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant import EvalSetError

DEFAULT_TOLERANCES = Path(__file__).with_name("tolerances.toml")
# The baseline of the held-out part of the project's own set: what `assistant eval run` gates by default.
BASELINE = Path(__file__).with_name("sets") / "corpus" / "baseline.json"
_KINDS = ("drop", "rise", "rise_ratio")
_STATUS_ORDER = ("newly failing", "newly passing", "changed", "added", "removed")


@dataclass(frozen=True)
class Regression:
    """A figure that moved the wrong way by more than its tolerance."""

    scope: str  # "overall" or a question type
    figure: str  # "hit_at_k", "latency_p95_ms", "error_rate", ...
    baseline: float
    current: float | None  # None: the run no longer reports the figure
    allowed: float
    kind: str  # "drop", "rise" or "rise_ratio"

    def __str__(self) -> str:
        if self.current is None:
            return f"{self.scope} {self.figure}: {self.baseline:g} -> missing (no question measured it)"
        if self.kind == "rise_ratio":
            ratio = self.current / self.baseline if self.baseline else float("inf")
            return (
                f"{self.scope} {self.figure}: {self.baseline:g} -> {self.current:g} "
                f"({ratio:.2f}x, allowed {self.allowed:g}x)"
            )
        delta = self.current - self.baseline
        return (
            f"{self.scope} {self.figure}: {self.baseline:.4g} -> {self.current:.4g} "
            f"({delta:+.4f}, allowed {self.kind} {self.allowed:g})"
        )


@dataclass(frozen=True)
class MetricChange:
    """One flag of one question in the two runs: a pass flag, `abstained`, or `error`."""

    metric: str
    before: bool | None
    after: bool | None


@dataclass(frozen=True)
class Change:
    """A question whose outcome differs between two runs."""

    id: str
    question: str
    status: str  # "newly failing", "newly passing", "changed", "added" or "removed"
    changes: tuple[MetricChange, ...]


def accept_baseline(summary_file: Path, baseline: Path | None = None) -> Path:
    """Make a run's summary.json the baseline later runs are gated against.

    Args:
        summary_file: the run's summary.json.
        baseline: the baseline file to replace; None is the project set's (`BASELINE`). A
            question set other than the default one keeps its own baseline and names it here.

    Returns:
        The baseline file written.
    """
    target = baseline or BASELINE
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(summary_file, target)
    return target


def _json_file(source: Mapping[str, Any] | str | Path, name: str) -> Mapping[str, Any]:
    if isinstance(source, Mapping):
        return source
    path = Path(source)
    return json.loads((path / name if path.is_dir() else path).read_text(encoding="utf-8"))


def _rows(source: Sequence[Mapping[str, Any]] | str | Path) -> list[Mapping[str, Any]]:
    if not isinstance(source, (str, Path)):
        return list(source)
    path = Path(source)
    path = path / "results.jsonl" if path.is_dir() else path
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _tolerances(source: Mapping[str, Any] | str | Path | None) -> Mapping[str, Any]:
    if source is None:
        source = DEFAULT_TOLERANCES
    if isinstance(source, Mapping):
        return source
    with Path(source).open("rb") as handle:
        return tomllib.load(handle)


def _figure(group: Mapping[str, Any], name: str) -> float | None:
    """One figure of a summary group by its tolerance name."""
    if name == "error_rate":
        return group.get("error_rate")
    if name in ("latency_p50_ms", "latency_p95_ms"):
        return group["metrics"]["latency_ms"].get(name.split("_")[1])
    if name not in group["metrics"]:
        raise EvalSetError(
            f"tolerances name '{name}', which no summary has: fix the name in tolerances.toml "
            "(a metric of a summary, error_rate, latency_p50_ms or latency_p95_ms)"
        )
    return group["metrics"][name]["mean"]


def _check(
    scope: str,
    current: Mapping[str, Any],
    base: Mapping[str, Any],
    tolerances: Mapping[str, Any],
    kinds: Sequence[str],
    resolution: float = 0.0,
) -> list[Regression]:
    out: list[Regression] = []
    for kind in kinds:
        for name, allowed in tolerances.get(kind, {}).items():
            if kind in ("drop", "rise"):
                allowed = max(float(allowed), resolution)
            before, now = _figure(base, name), _figure(current, name)
            if before is None:
                continue  # nothing to fall from
            # Summaries keep means to 4 decimals (evals/metrics/summary.py): a change of exactly one
            # question's worth must not fail on the rounding of both figures.
            eps = 1e-4
            # Latency well inside the product's target is not a regression, whatever the ratio:
            # a 2-core machine under load can triple a 20 ms p95 without anyone noticing.
            ceiling = max(before * float(allowed), float(tolerances.get("latency_floor_ms", 0.0)))
            worse = (
                now is None
                or (kind == "drop" and now < before - allowed - eps)
                or (kind == "rise" and now > before + allowed + eps)
                or (kind == "rise_ratio" and now > ceiling + eps)
            )
            if worse:
                out.append(Regression(scope, name, before, now, float(allowed), kind))
    return out


def compare(
    summary: Mapping[str, Any] | str | Path,
    baseline: Mapping[str, Any] | str | Path,
    tolerances: Mapping[str, Any] | str | Path | None = None,
) -> list[Regression]:
    """The figures of a run that fell behind the baseline by more than their tolerance.

    Args:
        summary: the run's summary.json (data, file or run folder).
        baseline: the committed baseline summary (data, file or run folder).
        tolerances: tolerances.toml (data or file); None reads evals/tolerances.toml.

    Returns:
        Regressions overall, then per question type where both runs have at least
        `min_type_questions` (default 5) questions of the type; empty when the run passes.
        Ratio tolerances (latency) are checked overall only: percentiles over a handful of
        questions are noise.
    """
    current, base = _json_file(summary, "summary.json"), _json_file(baseline, "summary.json")
    tol = _tolerances(tolerances)
    out = _check("overall", current["overall"], base["overall"], tol, _KINDS)
    min_n = int(tol.get("min_type_questions", 5))
    for qtype, group in current.get("by_type", {}).items():
        base_group = base.get("by_type", {}).get(qtype)
        if base_group and group["n_questions"] >= min_n and base_group["n_questions"] >= min_n:
            # One question of a type moves its figures by 1/n: a type's figure cannot be
            # gated more finely than that without failing on a single near-tie.
            one_question = 1.0 / group["n_questions"] if tol.get("per_type_one_question", True) else 0.0
            out += _check(qtype, group, base_group, tol, ("drop", "rise"), one_question)
    return out


def _flags(row: Mapping[str, Any]) -> dict[str, bool | None]:
    """The outcome of one row: each pass flag, plus `abstained` and `error` (True when it raised)."""
    flags = dict(((row.get("metrics") or {}).get("passed")) or {})
    flags["abstained"] = row.get("abstained")
    flags["error"] = bool(row.get("error"))
    return flags


def _fails(name: str, value: bool | None) -> bool:
    """Whether a flag value is a failure: a False pass flag, or an error."""
    if name == "abstained":
        return False  # abstaining is judged by abstention_correct / false_abstention, not here
    return value is True if name == "error" else value is False


def diff_runs(
    results_a: Sequence[Mapping[str, Any]] | str | Path,
    results_b: Sequence[Mapping[str, Any]] | str | Path,
) -> list[Change]:
    """Questions whose outcome changed from run A (before) to run B (after).

    Args:
        results_a: the earlier run's rows (data, results.jsonl or run folder).
        results_b: the later run's rows, matched to A by `id`.

    Returns:
        Changes, newly failing first (some flag fails in B that did not in A, or B raised), then
        newly passing (a failure of A is gone and none is new), then other changes (a flag became
        or stopped being measurable, `abstained` flipped), then questions added in B and removed
        from it. Within each group, in run order.
    """
    rows_a, rows_b = _rows(results_a), _rows(results_b)
    by_id_a = {r.get("id"): r for r in rows_a}
    ids_b = {r.get("id") for r in rows_b}
    changes: list[Change] = []
    for row in rows_b:
        before_row = by_id_a.get(row.get("id"))
        if before_row is None:
            changes.append(Change(str(row.get("id")), row.get("question", ""), "added", ()))
            continue
        before, after = _flags(before_row), _flags(row)
        moved = tuple(
            MetricChange(name, before.get(name), after.get(name))
            for name in [*before, *(n for n in after if n not in before)]
            if before.get(name) != after.get(name)
        )
        if not moved:
            continue
        if any(_fails(m.metric, m.after) and not _fails(m.metric, m.before) for m in moved):
            status = "newly failing"
        elif any(_fails(m.metric, m.before) and not _fails(m.metric, m.after) for m in moved):
            status = "newly passing"
        else:
            status = "changed"
        changes.append(Change(str(row.get("id")), row.get("question", ""), status, moved))
    changes += [
        Change(str(r.get("id")), r.get("question", ""), "removed", ()) for r in rows_a if r.get("id") not in ids_b
    ]
    return sorted(changes, key=lambda c: _STATUS_ORDER.index(c.status))  # stable: run order kept


def format_regressions(regressions: Sequence[Regression]) -> str:
    """Regressions as lines for a terminal; one line saying so when there are none."""
    if not regressions:
        return "No regressions beyond tolerance."
    return "\n".join([f"{len(regressions)} regression(s) beyond tolerance:", *(f"  {r}" for r in regressions)])


def _word(metric: str, value: bool | None) -> str:
    if value is None:
        return "n/a"
    if metric == "abstained":
        return "yes" if value else "no"
    if metric == "error":
        return "raised" if value else "ok"
    return "pass" if value else "fail"


def format_diff(changes: Sequence[Change]) -> str:
    """Changes grouped by status, one line a question with what moved; a line when none."""
    if not changes:
        return "No question changed outcome."
    lines: list[str] = []
    for status in _STATUS_ORDER:
        group = [c for c in changes if c.status == status]
        if not group:
            continue
        lines.append(f"{status.capitalize()} ({len(group)}):")
        for c in group:
            question = c.question if len(c.question) <= 70 else c.question[:67] + "..."
            moved = ", ".join(
                f"{m.metric} {_word(m.metric, m.before)} -> {_word(m.metric, m.after)}" for m in c.changes
            )
            lines.append(f"  {c.id}: {question}" + (f"  [{moved}]" if moved else ""))
    return "\n".join(lines)
