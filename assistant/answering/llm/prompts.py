"""What the model is told, and what the user is told when the model fails, as data.

Each text is a `str.format` template; the placeholders it must have are checked when this module
is imported, so a template edited without its placeholder (or with a new one no caller fills)
fails at once rather than on the first generated answer.
"""

from __future__ import annotations

import string

SYSTEM_PROMPT = (
    "You answer questions about children's services inspection documents. Use ONLY the numbered "
    "passages you are given: no outside knowledge, no guesses, no figures, dates or names that the "
    "passages do not contain. Write {count} short sentences in plain English. End every sentence "
    "with the number of the passage it comes from in square brackets, like [1]."
)
PARTIAL_RULE = (
    " The passages do not give what was asked ({missing}). Do not give it or guess it: only "
    "summarise what the passages say."
)
FAILED_NOTICE = "The language model did not answer ({reason}), so the quoted answer is shown."
UNVERIFIED_NOTICE = (
    "The language model's answer did not hold up against its passages ({verified} of {total} "
    "sentences verified), so the quoted answer is shown."
)

# template -> the placeholders generate.py fills
_PLACEHOLDERS = {
    "SYSTEM_PROMPT": {"count"},
    "PARTIAL_RULE": {"missing"},
    "FAILED_NOTICE": {"reason"},
    "UNVERIFIED_NOTICE": {"verified", "total"},
}


def _check_placeholders() -> None:
    for name, wanted in _PLACEHOLDERS.items():
        found = {field for _, field, _, _ in string.Formatter().parse(globals()[name]) if field}
        if found != wanted:
            raise ValueError(f"{name} has placeholders {sorted(found)}, but generate.py fills {sorted(wanted)}")


_check_placeholders()
