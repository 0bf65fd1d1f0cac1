"""One settings object for the whole assistant, read once at an entry point.

Every field has a default, a description and, where a value can be wrong, its bounds or choices;
fields come in groups (`Settings.describe()` and `assistant settings` list them by group).
`Settings.from_env()` reads `ASSISTANT_<NAME>` variables (for example `ASSISTANT_INDEX_DIR=/data/index`);
the CLI then applies its flags with `settings.replace(...)`. `Settings(...)` alone is the defaults and
what it is given: nothing deeper in the code reads the environment. A value out of bounds is one
`SettingsError` line that names the variable and says the fix.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from pydantic import BaseModel, SecretStr, ValidationError
from pydantic_settings import BaseSettings, EnvSettingsSource, PydanticBaseSettingsSource, SettingsConfigDict
from pydantic_settings.sources.utils import parse_env_vars

from assistant.core.errors import SettingsError
from assistant.core.settings.answers import AnsweringSettings, ScoringSettings
from assistant.core.settings.search import (
    ChromaSettings,
    CouncilSettings,
    IngestSettings,
    RetrievalSettings,
    WhereSettings,
)
from assistant.core.settings.views import LLMSettings, OverTimeSettings, WebSettings

PREFIX = "ASSISTANT_"


class SettingInfo(NamedTuple):
    """One setting as `describe()` lists it."""

    name: str
    variable: str
    default: Any
    help: str
    group: str
    secret: bool


# The groups, last first: pydantic lists inherited fields from the farthest base to the nearest,
# so this order keeps `describe()` (and `assistant settings`, the README table) in group order.
class Settings(
    WebSettings,
    LLMSettings,
    OverTimeSettings,
    ScoringSettings,
    AnsweringSettings,
    CouncilSettings,
    RetrievalSettings,
    IngestSettings,
    ChromaSettings,
    WhereSettings,
    BaseSettings,
):
    """Every setting of the assistant, flat (`settings.top_k`), declared by group in the modules
    beside this one; one variable `ASSISTANT_<NAME>` each."""

    model_config = SettingsConfigDict(env_prefix=PREFIX, frozen=True, extra="forbid", validate_default=True)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Only what the caller passes: the environment is read where an entry point asks (from_env),
        # so a library call never picks up a variable behind its caller's back.
        return (init_settings,)

    def replace(self, **changes: Any) -> Settings:
        """A validated copy with `changes` applied; None values are ignored so CLI flags can pass through."""
        values = {**dict(self), **{k: v for k, v in changes.items() if v is not None}}
        copy = type(self).__new__(type(self))
        try:
            # Validated as a plain model: BaseSettings.__init__ would gather its sources again, ten
            # times the cost, and a tuning grid or a generated answer makes copies by the thousand.
            BaseModel.__init__(copy, **values)
        except ValidationError as exc:
            raise SettingsError(_one_line(exc)) from None
        return copy

    @property
    def uses_server(self) -> bool:
        return bool(self.chroma_host)

    @property
    def home(self) -> str:
        """The home council: `home_council`, else the corpus manifest's `home_council`, else ""."""
        return self.home_council or manifest_home_council(self.corpus_dir)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Defaults overridden by `ASSISTANT_<FIELD>` environment variables (of `environ`, else the process's).

        Raises:
            SettingsError: a variable's value is not of its setting's type, bounds or choices.
        """
        source = EnvSettingsSource(cls)
        if environ is not None:
            source.env_vars = parse_env_vars(
                environ, source.case_sensitive, source.env_ignore_empty, source.env_parse_none_str
            )
        try:
            return cls(**source())
        except ValidationError as exc:
            raise SettingsError(_one_line(exc)) from None

    @classmethod
    def describe(cls) -> list[SettingInfo]:
        """Every setting in order (name, variable, default, description, group, secret), for the README
        and `assistant settings`."""
        infos = []
        for name, info in cls.model_fields.items():
            extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
            infos.append(
                SettingInfo(
                    name,
                    PREFIX + name.upper(),
                    info.default,
                    info.description or "",
                    str(extra.get("group", "")),
                    info.annotation is SecretStr,
                )
            )
        return infos


def _one_line(exc: ValidationError) -> str:
    """A validation failure as one line naming the variable, what is wrong and the fix."""
    fields = Settings.model_fields
    parts = []
    for error in exc.errors():
        name = str(error["loc"][0]) if error["loc"] else ""
        if name not in fields:
            parts.append(f"{name or 'a setting'}: {error['msg']}: remove it (see 'assistant settings')")
            continue
        shown = "(not shown)" if fields[name].annotation is SecretStr else repr(_plain(error.get("input")))
        reason = error["msg"].removeprefix("Value error, ")
        parts.append(
            f"{PREFIX}{name.upper()}={shown} is not allowed ({reason[:1].lower()}{reason[1:]}): "
            f"set it to a value like {_plain(fields[name].default)!r}, or unset it"
        )
    return "; ".join(parts)


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, Path) else value


def manifest_home_council(corpus_dir: Path) -> str:
    """The top-level `home_council` of `corpus_dir/manifest.toml`, or "" (no manifest, no key, or one
    ingest would refuse: ingest is where a malformed manifest is reported)."""
    path = Path(corpus_dir) / "manifest.toml"
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        return ""
    return _read_home_council(path, stamp)


@functools.lru_cache(maxsize=8)
def _read_home_council(path: Path, stamp: int) -> str:  # stamp: read again when the file changes
    try:
        value = tomllib.loads(path.read_bytes().decode("utf-8-sig")).get("home_council", "")
    except (OSError, ValueError):
        return ""
    return value.strip() if isinstance(value, str) else ""
