"""The assistant's public surface: what `assistant` exports is what ui/, cli/, evals/ and scripts/
use, it loads lazily, and nothing outside the package reaches past it (the floors themselves are
checked by lint-imports in `make lint`)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import assistant

ROOT = Path(__file__).resolve().parent.parent
# The public surface: a name added or dropped here is a change callers must hear about.
EXPORTED = {
    "OPEN",
    "OVERDUE",
    "PIPELINE_VERSION",
    "Answer",
    "AssistantError",
    "Citation",
    "EvalSetError",
    "Filters",
    "Index",
    "IndexDamaged",
    "IndexNotFound",
    "IndexOutdated",
    "Settings",
    "SettingsError",
    "TraceFinding",
    "action_json",
    "action_rows",
    "actions_csv",
    "answer",
    "answer_lines",
    "answer_stream",
    "brief",
    "check_sentence",
    "count_tokens",
    "embed",
    "export_csv",
    "forget_loaded",
    "human_date",
    "is_iso_date",
    "judgements_csv",
    "judgements_json",
    "judgements_table",
    "load_taxonomy",
    "national_picture",
    "open_index",
    "priority_name",
    "read_state",
    "record_feedback",
    "retrieve",
    "sentence_before",
    "sentence_spans",
    "singular",
    "split_sentences",
    "terms",
    "timeline",
    "timeline_json",
    "trace",
    "trace_by_reference",
    "trace_link_scores",
    "trace_links",
    "trace_plans",
    "understand",
    "verification_label",
    "verify_source",
    "warm_up",
    "warn_of_old_feedback",
}
# What code outside assistant/ may import from it (the facade's own modules aside).
ALLOWED = {"assistant", "assistant.core.types", "assistant.store"}


def test_the_facade_exports_exactly_the_public_names():
    assert set(assistant.__all__) == EXPORTED
    assert len(assistant.__all__) == len(set(assistant.__all__))
    assert set(assistant._EXPORTS) == EXPORTED  # the lazy map and __all__ agree
    for name in EXPORTED:
        assert getattr(assistant, name) is not None, name
    assert set(dir(assistant)) == EXPORTED


def test_an_unknown_name_says_where_the_public_names_are():
    try:
        assistant.no_such_name  # noqa: B018
    except AttributeError as error:
        assert "assistant.__all__" in str(error)
    else:
        raise AssertionError("an unknown name was found")


def test_importing_the_facade_loads_no_model_and_no_store():
    # A CLI verb that only reads settings must not pay for the embedder or Chroma.
    code = "import sys, assistant; assistant.Settings; print(sorted(m for m in ('chromadb', 'onnxruntime', 'torch') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"


def _assistant_imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "assistant":
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "assistant"}
    return found


def test_scripts_and_the_outer_floors_import_only_the_public_surface():
    # lint-imports checks ui/, cli/ and evals/ as packages; scripts/ is not one, so it is read here.
    files = [p for d in ("scripts", "ui", "cli", "evals") for p in (ROOT / d).rglob("*.py")]
    outside = {f"{p.relative_to(ROOT)}: {m}" for p in files for m in _assistant_imports(p) if m not in ALLOWED}
    assert not outside, sorted(outside)
