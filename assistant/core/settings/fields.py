"""How a setting is declared: a field with a default, a description, bounds, and its group.

Where a tuned figure came from is said in its description; the strings below say it once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import Field

TRACE_TUNED = (
    "Tuned on the tuning part of tests/data/trace_gold.toml by scripts/tune_trace.py (best F1 of finding -> "
    "action links; the held-out part only measures it)."
)
BEFORE_SPLIT = "Chosen on the first 139-question set before it was split into tuning and held-out parts."


def group(title: str) -> Callable[..., Any]:
    """A field maker for one group of settings: `group(title)(default, description, **bounds)`."""

    def make(default: Any, description: str, **bounds: Any) -> Any:
        return Field(default, description=description, json_schema_extra={"group": title}, **bounds)

    return make


where = group("Where things are")
chroma = group("Chroma: embedded by default, a server when chroma_host is set")
ingest = group("Ingest")
retrieval = group("Retrieval")
councils = group("Questions across councils")
answering = group("Answering")
scoring = group("The extractive composer's sentence scoring and the evidence figure")
over_time = group("Timeline, action tracker and trace")
llm = group("Optional LLM answers (off while llm_url is empty)")
web = group("Web chat")
