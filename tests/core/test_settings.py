"""Settings: every one described, grouped and in the README's table; read from ASSISTANT_* variables
only where an entry point asks; a bad value is one line that names the variable and says the fix."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from assistant.core.errors import SettingsError
from assistant.core.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def test_every_setting_has_a_description_a_group_and_a_row_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    infos = Settings.describe()
    assert [i.name for i in infos] == list(Settings.model_fields)  # every field, none left out
    missing = []
    for info in infos:
        assert info.variable == "ASSISTANT_" + info.name.upper()
        assert len(info.help.split()) >= 4, f"{info.variable} has no description"
        assert info.group, f"{info.variable} is in no group"
        if readme_row(info) not in readme:
            missing.append(info.variable)
    assert not missing, f"settings missing from the README's table, or with another default or description: {missing}"


def readme_row(info) -> str:
    """A setting's row in the README's table: variable, default, description, as the code has them."""
    default = "(empty)" if info.default in ("", None) else f"`{info.default}`"
    return f"| `{info.variable}` | {default} | {info.help} |\n"


@pytest.mark.parametrize(
    "variable, value, words",
    [
        ("ASSISTANT_TOP_K", "0", "greater than or equal to 1"),
        ("ASSISTANT_TRACE_PAIRING", "median", "'mean', 'sym' or 'max'"),
        ("ASSISTANT_PORT", "70000", "less than or equal to 65535"),
        ("ASSISTANT_CANDIDATES", "many", "valid integer"),
        ("ASSISTANT_FOCUS_SHARE_MIN", "1.5", "less than or equal to 1"),
        ("ASSISTANT_INDEX_DIR", "", "a path is needed"),
        ("ASSISTANT_LLM_URL", "localhost:8080", "http://"),
        ("ASSISTANT_VERIFY_CITE_MISSING", "maybe", "valid boolean"),
    ],
)
def test_a_bad_variable_is_one_line_naming_it_and_the_fix(variable, value, words):
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({variable: value})
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{variable}={value!r} is not allowed"), message
    assert words in message and "unset it" in message


def test_a_bad_flag_value_is_the_same_one_line():
    with pytest.raises(SettingsError, match=r"^ASSISTANT_TOP_K=0 is not allowed .*set it to a value like 5"):
        Settings().replace(top_k=0)


def test_the_environment_is_read_by_from_env_only(monkeypatch):
    monkeypatch.setenv("ASSISTANT_TOP_K", "7")
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", "/data/index")
    monkeypatch.setenv("ASSISTANT_VERIFY_CITE_MISSING", "no")
    read = Settings.from_env()
    assert (read.top_k, read.index_dir, read.verify_cite_missing) == (7, Path("/data/index"), False)
    assert Settings().top_k == 5 and Settings().index_dir == Path(".index")
    assert Settings.from_env({}).top_k == 5  # a mapping given is the whole environment
    # Flags override variables; a flag not given (None) leaves the variable's value.
    assert read.replace(top_k=None, index_dir=Path("x")).top_k == 7
    assert read.replace(index_dir=Path("x")).index_dir == Path("x")


def test_secrets_are_never_shown_by_the_object():
    settings = Settings.from_env({"ASSISTANT_LLM_API_KEY": "sk-secret-123", "ASSISTANT_AUTH_PASSWORD": "hunter2"})
    assert isinstance(settings.llm_api_key, SecretStr) and isinstance(settings.auth_password, SecretStr)
    assert "sk-secret-123" not in repr(settings) and "hunter2" not in str(settings)
    assert settings.llm_api_key.get_secret_value() == "sk-secret-123"
    assert {i.name for i in Settings.describe() if i.secret} == {"llm_api_key", "auth_password"}
    with pytest.raises(SettingsError) as caught:
        Settings().replace(llm_api_key=SecretStr("sk-secret-123"), top_k=0)
    assert "sk-secret-123" not in str(caught.value)


def test_settings_are_frozen_and_replace_gives_a_copy():
    settings = Settings()
    with pytest.raises(ValidationError, match="frozen"):
        settings.top_k = 3  # type: ignore[misc]
    assert settings.replace(top_k=3).top_k == 3 and settings.top_k == 5
