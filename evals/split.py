"""Question sets in two parts: a tuning part (60%) and a held-out part (40%), stratified by type.

Every set lives in `evals/sets/<name>/` as `tune.jsonl` and `heldout.jsonl`. Weights and
thresholds are chosen on `tune.jsonl` only (scripts refuse a held-out file: `refuse_heldout`);
the README, the gate and closing notes report `heldout.jsonl`.

The first split fixed each question's part by a hash of its id within its type, so it is the
same on every machine:

    python -m evals.split evals/sets/NAME/all.jsonl      # writes tune.jsonl and heldout.jsonl beside it

Questions written since are appended to a part by hand, both questions of a near-twin pair to
the same one (a twin in the tuning part would tell what its held-out partner asks), keeping
each type's split at 60/40 within one question (tests/answering/test_outcomes.py checks it). A question
moves only from the held-out part to the tuning part, never back: once tuned on, it cannot
judge.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections import defaultdict
from pathlib import Path

SETS = Path(__file__).with_name("sets")
TUNE, HELDOUT = "tune.jsonl", "heldout.jsonl"
TUNE_SHARE = 0.6


class HeldOutRefused(ValueError):
    """A tuning script was pointed at held-out questions."""


def split(records: list[dict]) -> tuple[list[dict], list[dict]]:
    """(tuning, held-out) records: per type, the first 60% by the hash of their id tune."""
    by_type: dict[str, list[dict]] = defaultdict(list)
    for record in records:
        by_type[record["type"]].append(record)
    tune_ids: set[str] = set()
    for group in by_type.values():
        ranked = sorted(group, key=lambda r: hashlib.sha256(r["id"].encode()).hexdigest())
        tune_ids |= {r["id"] for r in ranked[: round(TUNE_SHARE * len(ranked))]}
    return [r for r in records if r["id"] in tune_ids], [r for r in records if r["id"] not in tune_ids]


def heldout_questions() -> set[str]:
    """The normalised text of every held-out question of every set."""
    out: set[str] = set()
    for path in SETS.glob(f"*/{HELDOUT}"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                out.add(" ".join(json.loads(line)["question"].lower().split()))
    return out


def refuse_heldout(path: Path, questions: list) -> None:
    """Raise `HeldOutRefused` when `path` is a held-out part or holds any held-out question.

    Args:
        path: the question file a tuning script was given.
        questions: its questions (records with a `question` attribute or key).
    """
    if Path(path).name == HELDOUT:
        raise HeldOutRefused(f"{path} is a held-out part: tune on {Path(path).with_name(TUNE)} instead")
    held = heldout_questions()
    texts = [q["question"] if isinstance(q, dict) else q.question for q in questions]
    leaked = [t for t in texts if " ".join(t.lower().split()) in held]
    if leaked:
        raise HeldOutRefused(
            f"{path} holds {len(leaked)} held-out question(s), e.g. {leaked[0]!r}: tune on a set's tune.jsonl only"
        )


def read_tuning(path: Path) -> list:
    """The questions of a tuning part, for a tuning script.

    Raises:
        HeldOutRefused: `path` is a held-out part or holds a held-out question.
    """
    from evals.questions import read_questions

    questions, _ = read_questions(path)
    refuse_heldout(path, questions)
    return questions


def main(argv: list[str]) -> int:
    for name in argv:
        path = Path(name)
        records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        tune, heldout = split(records)
        for part, rows in ((TUNE, tune), (HELDOUT, heldout)):
            (path.parent / part).write_text(
                "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
            )
        print(f"{path}: {len(tune)} tuning, {len(heldout)} held-out")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
