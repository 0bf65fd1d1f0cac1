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
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Literal, NamedTuple

from pydantic import BaseModel, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, EnvSettingsSource, PydanticBaseSettingsSource, SettingsConfigDict
from pydantic_settings.sources.utils import parse_env_vars

from assistant.core.errors import SettingsError

PREFIX = "ASSISTANT_"

# Where a tuned figure came from, said in its description.
_TRACE_TUNED = (
    "Tuned on the tuning part of tests/data/trace_gold.toml by scripts/tune_trace.py (best F1 of finding -> "
    "action links; the held-out part only measures it)."
)
_BEFORE_SPLIT = "Chosen on the first 139-question set before it was split into tuning and held-out parts."


def _group(title: str) -> Callable[..., Any]:
    """A field maker for one group of settings: `_group(title)(default, description, **bounds)`."""

    def make(default: Any, description: str, **bounds: Any) -> Any:
        return Field(default, description=description, json_schema_extra={"group": title}, **bounds)

    return make


_where = _group("Where things are")
_chroma = _group("Chroma: embedded by default, a server when chroma_host is set")
_ingest = _group("Ingest")
_retrieval = _group("Retrieval")
_councils = _group("Questions across councils")
_answering = _group("Answering")
_scoring = _group("The extractive composer's sentence scoring and the evidence figure")
_over_time = _group("Timeline, action tracker and trace")
_llm = _group("Optional LLM answers (off while llm_url is empty)")
_web = _group("Web chat")


class SettingInfo(NamedTuple):
    """One setting as `describe()` lists it."""

    name: str
    variable: str
    default: Any
    help: str
    group: str
    secret: bool


class Settings(BaseSettings):
    # Where things are
    corpus_dir: Path = _where(Path("corpus"), "Folder of documents and manifest.toml to ingest.")
    index_dir: Path = _where(Path(".index"), "Folder holding the Chroma store, BM25 index and ingest state.")
    feedback_db: Path = _where(
        Path(".feedback/feedback.sqlite3"),
        "SQLite file for thumbs up/down feedback; outside index_dir, so deleting the index keeps it.",
    )

    # Chroma: embedded by default; a server when chroma_host is set
    chroma_host: str = _chroma("", "Host of a 'chroma run' server; empty uses the embedded store in index_dir.")
    chroma_port: int = _chroma(8000, "Port of the Chroma server when chroma_host is set.", ge=1, le=65535)
    collection_prefix: str = _chroma(
        "chunks", "Prefix of the Chroma collection names this index uses.", pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
    )

    # Ingest
    max_file_mb: float = _ingest(20.0, "Files larger than this many MB are refused at ingest.", gt=0)
    embed_max_tokens: int = _ingest(
        180, "Longest text embedded, in tiktoken tokens (the model stops at 256 word pieces).", ge=1
    )
    pack_tokens: int = _ingest(
        180, "Short paragraphs of one section are packed into one passage up to this many tokens.", ge=1
    )
    max_passage_tokens: int = _ingest(
        2000,
        "Longest passage a citation shows, in tiktoken tokens: a longer paragraph or line is cut into passages of at most this size, so the index grows in step with the corpus.",
        ge=1,
    )
    embed_batch_size: int = _ingest(32, "Texts embedded per model call during ingest.", ge=1)
    passage_vectors: Literal["embedded", "sentences"] = _ingest(
        "embedded",
        "How a passage's vector is made: 'embedded' runs the model over the passage; 'sentences' averages its sentences' vectors (embedded anyway), which roughly halves a cold ingest of many reports (see ingest/vectors.py). Changing it embeds every document again; `assistant ingest` keeps an existing index's own choice unless this variable is set.",
    )
    ingest_workers: int = _ingest(
        0,
        "Processes that read PDFs side by side during ingest (from 4 PDFs on); 0 is one per CPU core, 1 reads them in the ingest's own process.",
        ge=0,
    )

    # Retrieval
    top_k: int = _retrieval(5, "Passages returned by retrieval and offered to the answerer.", ge=1)
    candidates: int = _retrieval(
        40, "Candidates taken from each of the dense and lexical retrievers before fusion.", ge=1
    )
    rrf_k: int = _retrieval(20, "Constant of reciprocal-rank fusion: higher flattens the rank weights.", ge=0)
    dense_weight: float = _retrieval(1.0, "Weight of the dense (embedding) ranking in fusion.", ge=0)
    sentence_mean_dense_weight: float = _retrieval(
        0.5,
        "Weight of the dense ranking in fusion, in place of dense_weight, for an index whose passage vectors are means of sentence vectors (passage_vectors = 'sentences'): they echo the sentence ranking, so count for less. Tuned on the tuning parts of both question sets (0.4 to 1.2 tried).",
        ge=0,
    )
    lexical_weight: float = _retrieval(1.0, "Weight of the BM25 ranking in fusion.", ge=0)
    sentence_weight: float = _retrieval(1.0, "Weight of the best-matching-sentence ranking in fusion.", ge=0)
    hub_penalty: float = _retrieval(
        0.5, "Share of a passage's closeness to everything subtracted from its dense score.", ge=0
    )
    doc_prior_weight: float = _retrieval(
        0.3, "Weight of the lift for documents a question names ('the JTAI letter', 'Ofsted').", ge=0
    )
    section_weight: float = _retrieval(
        1.0,
        "Lift of a passage in a finding section of the class a question asks for ('areas for improvement', 'strengths'), as a share of a first rank in fusion. Tuned on the tuning parts of both question sets (scripts/tune.py).",
        ge=0,
    )
    judgement_weight: float = _retrieval(
        1.0,
        "Lift of a judgement grid for a question about grades, as a share of a first rank in fusion (set by hand, not tuned).",
        ge=0,
    )

    # Questions across councils (assistant/retrieval/retrieve.py)
    home_council: str = _councils(
        "",
        "The council whose documents answer first a question that names no council (e.g. Anytown); empty takes the corpus manifest's top-level home_council, and with neither there is no home council.",
    )
    council_k: int = _councils(
        2,
        "Passages taken from each council for a question that names several councils or asks 'which councils ...': top_k is split across them, at least this many each, and no more than this many per council for 'which councils'; also the home council's passages put first for a question that names no council (set by hand, not tuned).",
        ge=1,
    )
    which_councils: int = _councils(
        5,
        "Most councils a 'which councils ...' question hears from: those of the best passages, in rank order (set by hand, not tuned).",
        ge=1,
    )

    # Answering
    answer_words: int = _answering(120, "Target length of an answer in words (lists may run longer).", ge=1)
    list_answer_words: int = _answering(220, "Target length of an answer to a 'list' question.", ge=1)
    abstain_threshold: float = _answering(
        0.65,
        "Evidence score below which the assistant says the documents do not cover the question. Tuned on the tuning parts of both question sets (scripts/tune.py abstain_threshold=0.45..0.9): 0.45-0.65 tie on the most unanswerable questions declined with the fewest answerable ones declined; the top of that plateau is kept.",
        ge=0,
    )
    focus_share_min: float = _answering(
        0.5,
        "Share of the question's focus (IDF-weighted) a cited sentence must hold for the figure, name, date or grade in it to count as the answer. Tuned on the tuning parts of both question sets (scripts/tune.py): the most unanswerable questions declined less answerable ones declined.",
        ge=0,
        le=1,
    )
    max_question_chars: int = _answering(
        1000, "Longer questions are shortened to this many characters before search.", ge=1
    )

    # The extractive composer's sentence scoring (assistant/answering/compose.py) and the evidence figure
    # (assistant/answering/evidence.py). Chosen by hand on the first 139-question set, before it was
    # split: those questions are now in both parts, so re-tune on the tuning parts only.
    sentence_lexical_weight: float = _scoring(
        0.8,
        "Weight of the IDF-weighted share of the question's terms a sentence holds, beside its cosine. %s"
        % _BEFORE_SPLIT,
        ge=0,
    )
    passage_prior: float = _scoring(
        0.25,
        "What a sentence gains for standing in the best-ranked passage (scaled by its passage's score). %s"
        % _BEFORE_SPLIT,
        ge=0,
    )
    numeric_bonus: float = _scoring(
        0.08,
        "What a sentence holding a number gains when the question asks for a figure or date. %s" % _BEFORE_SPLIT,
        ge=0,
    )
    sentence_floor: float = _scoring(
        0.6,
        "Sentences scoring below this share of the best one are not added to fill an answer. %s" % _BEFORE_SPLIT,
        ge=0,
        le=1,
    )
    quoted_passage_penalty: float = _scoring(
        0.06,
        "Score a sentence loses for each sentence of its passage already quoted, so an answer hears from several passages. %s"
        % _BEFORE_SPLIT,
        ge=0,
    )
    near_duplicate_cosine: float = _scoring(
        0.92,
        "Cosine above which two sentences count as saying the same, and only one is quoted. %s" % _BEFORE_SPLIT,
        ge=-1,
        le=1,
    )
    fill_share: float = _scoring(
        0.8,
        "An answer stops taking further sentences once this share of its word budget is used. %s" % _BEFORE_SPLIT,
        ge=0,
        le=1,
    )
    unknown_name_penalty: float = _scoring(
        0.5,
        "Evidence lost when the question names something (a capitalised word, acronym or year) the corpus never mentions. %s"
        % _BEFORE_SPLIT,
        ge=0,
    )
    unseen_word_penalty: float = _scoring(
        0.3,
        "Evidence lost, times the share of the question's focus words the corpus never uses. %s" % _BEFORE_SPLIT,
        ge=0,
    )
    brief_min_overlap: float = _scoring(
        0.34,
        "Share of a theme's weighted terms a quote must carry to go into a theme brief. %s" % _BEFORE_SPLIT,
        ge=0,
        le=1,
    )
    brief_phrase_bonus: float = _scoring(
        0.5, "What a brief quote gains for holding the theme's words as a phrase. %s" % _BEFORE_SPLIT, ge=0
    )

    # Timeline, action tracker and trace (assistant/views/timeline.py, tracker.py, trace.py)
    timeline_findings: int = _over_time(
        4, "Key findings quoted for each document of the timeline (3 to 5 read well).", ge=0
    )
    trace_link_threshold: float = _over_time(
        0.42,
        "Score (0-1, meaning and shared words) a finding and an action-plan row's action, reason and impact must reach to be linked. "
        + _TRACE_TUNED,
        ge=0,
        le=1,
    )
    trace_lexical_weight: float = _over_time(
        0.25,
        "Share of the finding's rare words (idf-weighted, abbreviations and their long forms counted as one word) that the row's cells use, in a trace link score; the rest is closeness of meaning. "
        + _TRACE_TUNED,
        ge=0,
        le=1,
    )
    trace_pairing: Literal["mean", "sym", "max"] = _over_time(
        "sym",
        "How the closeness of a finding's and a row's sentences is made one number: 'mean' (each finding sentence's closest row sentence, averaged), 'sym' (that and the same from the row's side, averaged) or 'max' (the best sentence pair). "
        + _TRACE_TUNED,
    )
    trace_row_rank: int = _over_time(
        1,
        "A link passes when the finding is among the row's first this many findings (a row answers few findings) or the row among the finding's first trace_finding_rank rows. "
        + _TRACE_TUNED,
        ge=0,
    )
    trace_finding_rank: int = _over_time(
        1,
        "A link passes when the row is among the finding's first this many rows (a finding is answered somewhere), or by trace_row_rank; 0 leaves it to trace_row_rank. "
        + _TRACE_TUNED,
        ge=0,
    )
    trace_report_rank: int = _over_time(
        3,
        "A progress report's paragraph is shown for a plan row when it is the row's best and the row is among the paragraph's first this many rows (set by hand, not tuned).",
        ge=0,
    )
    trace_later_threshold: float = _over_time(
        0.6,
        "Closeness of meaning (cosine to the centre of a finding's sentences) a later report's sentence must reach to be quoted as speaking on its theme (set by hand: about the closest 2% of finding and later-sentence pairs of the corpus; not tuned on the gold mapping).",
        ge=-1,
        le=1,
    )
    trace_chat_rows: int = _over_time(
        4,
        "Linked action-plan rows a chat answer about a finding quotes, best first (the action tracker shows them all; set by hand, not tuned).",
        ge=0,
    )
    trace_due_words: int = _over_time(
        12,
        "Longest due date, in words, a chat answer about a finding quotes after a row's action; a longer one is a sentence, not a date (set by hand).",
        ge=1,
    )
    asof_threshold: float = _over_time(
        0.6,
        "Closeness of meaning a newer inspection's sentence must reach to the theme of an answer's quotes to be added as what the newer document says (set by hand, as trace_later_threshold; not tuned).",
        ge=-1,
        le=1,
    )

    # Optional LLM answers (assistant/answering/llm/generate.py, assistant/answering/llm/verify.py): off while llm_url is empty
    llm_url: str = _llm(
        "",
        "Base URL of an OpenAI-compatible endpoint (e.g. http://127.0.0.1:8080/v1); empty keeps answers extractive, with no model called.",
    )
    llm_model: str = _llm(
        "local", "Model name sent to the endpoint (a llama.cpp server answers whatever it was started with)."
    )
    llm_api_key: SecretStr = _llm("", "API key for the endpoint, if it wants one (never logged).")
    llm_timeout: float = _llm(
        60.0, "Seconds to wait for the endpoint before showing the extractive answer with a notice.", gt=0
    )
    llm_max_tokens: int = _llm(256, "Longest generated answer, in the model's tokens.", ge=1)
    llm_passages: int = _llm(
        4, "Passages offered to the model: the extractive answer's cited ones first, then the next retrieved.", ge=1
    )
    llm_passage_tokens: int = _llm(
        300,
        "Longest passage text offered to the model, in tiktoken tokens, kept around the sentences the extractive answer cites.",
        ge=1,
    )
    verify_min_similarity: float = _llm(
        0.5,
        "Cosine (all-MiniLM-L6-v2) a generated sentence must reach with some sentence, or two adjacent sentences, of the passage it cites to be shown. Tuned on the tuning part of the project set (scripts/tune_verify.py: best F0.5 of reference-answer sentences citing their gold passages against the same citing a wrong one; recall 0.58, precision 0.99, most misses on the figure, name and status rules).",
        ge=-1,
        le=1,
    )
    verify_min_overlap: float = _llm(
        0.6,
        "Share of a generated sentence's content words (stemmed) its cited passage (or its title) must hold for it to be shown. Tuned with verify_min_similarity (0.4 to 0.7 tie on the tuning part; 0.6 kept).",
        ge=0,
        le=1,
    )
    verify_cite_missing: bool = _llm(
        True,
        "A generated sentence without a marker [n] is given the offered passage closest in meaning and checked against it like any other (small models often leave markers out); false drops it.",
    )
    verify_min_kept: float = _llm(
        0.5,
        "Share of generated sentences that must pass verification (and at least one) for the generated answer to be shown; otherwise the extractive answer is shown with a notice.",
        ge=0,
        le=1,
    )

    # Web chat
    host: str = _web("127.0.0.1", "Address the web chat binds to (loopback unless told otherwise).", min_length=1)
    port: int = _web(7860, "Port of the web chat.", ge=1, le=65535)
    auth_user: str = _web(
        "", "User name of the web chat's login form (a form, not HTTP basic authentication); empty for no login."
    )
    auth_password: SecretStr = _web("", "Password of the web chat's login form; attempts are rate-limited.")

    model_config = SettingsConfigDict(env_prefix=PREFIX, frozen=True, extra="forbid", validate_default=True)

    @field_validator("corpus_dir", "index_dir", "feedback_db", mode="before")
    @classmethod
    def _not_empty(cls, value: Any) -> Any:
        # Path("") is the working directory: an empty variable is a slip, not a wish to write there.
        if isinstance(value, str) and not value.strip():
            raise ValueError("a path is needed, not an empty value")
        return value

    @field_validator("llm_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("an http:// or https:// URL is needed (e.g. http://127.0.0.1:8080/v1), or empty")
        return value

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
