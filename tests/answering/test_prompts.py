"""The model's prompts are data whose placeholders are checked when they load."""

from __future__ import annotations

import pytest

from assistant.answering.llm import prompts


def test_every_prompt_has_the_placeholders_its_caller_fills():
    prompts._check_placeholders()  # as on import
    assert "{count}" in prompts.SYSTEM_PROMPT and "{missing}" in prompts.PARTIAL_RULE


def test_a_prompt_edited_without_its_placeholder_is_refused(monkeypatch):
    monkeypatch.setattr(prompts, "PARTIAL_RULE", " The passages do not give what was asked.")
    with pytest.raises(ValueError, match="PARTIAL_RULE has placeholders \\[\\], but generate.py fills \\['missing'\\]"):
        prompts._check_placeholders()
