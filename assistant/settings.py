"""One settings object for the whole assistant, read once at an entry point.

Every field has a default and a description. `Settings.from_env()` reads `ASSISTANT_<NAME>`
variables (for example `ASSISTANT_INDEX_DIR=/data/index`); the CLI then applies its flags with
`settings.replace(...)`. Nothing deeper in the code reads the environment.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from assistant.errors import SettingsError


# Where a tuned figure came from, said in its description.
_TRACE_TUNED = ("Tuned on the tuning part of tests/data/trace_gold.toml by scripts/tune_trace.py (best F1 of finding -> "
                "action links; the held-out part only measures it).")
_BEFORE_SPLIT = "Chosen on the first 139-question set before it was split into tuning and held-out parts."


def _f(default: Any, help: str) -> Any:
    if isinstance(default, (list, dict)):
        return field(default_factory=lambda: type(default)(default), metadata={"help": help})
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class Settings:
    # Where things are
    corpus_dir: Path = _f(Path("corpus"), "Folder of documents and manifest.toml to ingest.")
    index_dir: Path = _f(Path(".index"), "Folder holding the Chroma store, BM25 index and ingest state.")
    feedback_db: Path = _f(Path(".feedback/feedback.sqlite3"),
                           "SQLite file for thumbs up/down feedback; outside index_dir, so deleting the index keeps it.")

    # Chroma: embedded by default; a server when chroma_host is set
    chroma_host: str = _f("", "Host of a 'chroma run' server; empty uses the embedded store in index_dir.")
    chroma_port: int = _f(8000, "Port of the Chroma server when chroma_host is set.")
    collection_prefix: str = _f("chunks", "Prefix of the Chroma collection names this index uses.")

    # Ingest
    max_file_mb: float = _f(20.0, "Files larger than this many MB are refused at ingest.")
    embed_max_tokens: int = _f(180, "Longest text embedded, in tiktoken tokens (the model stops at 256 word pieces).")
    pack_tokens: int = _f(180, "Short paragraphs of one section are packed into one passage up to this many tokens.")
    max_passage_tokens: int = _f(2000, "Longest passage a citation shows, in tiktoken tokens: a longer paragraph or line is cut into passages of at most this size, so the index grows in step with the corpus.")
    embed_batch_size: int = _f(32, "Texts embedded per model call during ingest.")
    ingest_workers: int = _f(0, "Processes that read PDFs side by side during ingest (from 4 PDFs on); 0 is one per CPU core, 1 reads them in the ingest's own process.")

    # Retrieval
    top_k: int = _f(5, "Passages returned by retrieval and offered to the answerer.")
    candidates: int = _f(40, "Candidates taken from each of the dense and lexical retrievers before fusion.")
    rrf_k: int = _f(20, "Constant of reciprocal-rank fusion: higher flattens the rank weights.")
    dense_weight: float = _f(1.0, "Weight of the dense (embedding) ranking in fusion.")
    lexical_weight: float = _f(1.0, "Weight of the BM25 ranking in fusion.")
    sentence_weight: float = _f(1.0, "Weight of the best-matching-sentence ranking in fusion.")
    hub_penalty: float = _f(0.5, "Share of a passage's closeness to everything subtracted from its dense score.")
    doc_prior_weight: float = _f(0.3, "Weight of the lift for documents a question names ('the JTAI letter', 'Ofsted').")
    section_weight: float = _f(1.0, "Lift of a passage in a finding section of the class a question asks for ('areas for improvement', 'strengths'), as a share of a first rank in fusion. Tuned on the tuning parts of both question sets (scripts/tune.py).")
    judgement_weight: float = _f(1.0, "Lift of a judgement grid for a question about grades, as a share of a first rank in fusion (set by hand, not tuned).")

    # Questions across councils (assistant/retrieve.py)
    home_council: str = _f("", "The council whose documents answer first a question that names no council (e.g. Anytown); empty takes the corpus manifest's top-level home_council, and with neither there is no home council.")
    council_k: int = _f(2, "Passages taken from each council for a question that names several councils or asks 'which councils ...': top_k is split across them, at least this many each, and no more than this many per council for 'which councils'; also the home council's passages put first for a question that names no council (set by hand, not tuned).")
    which_councils: int = _f(5, "Most councils a 'which councils ...' question hears from: those of the best passages, in rank order (set by hand, not tuned).")

    # Answering
    answer_words: int = _f(120, "Target length of an answer in words (lists may run longer).")
    list_answer_words: int = _f(220, "Target length of an answer to a 'list' question.")
    abstain_threshold: float = _f(0.65, "Evidence score below which the assistant says the documents do not cover the question. Tuned on the tuning parts of both question sets (scripts/tune.py abstain_threshold=0.45..0.9): 0.45-0.65 tie on the most unanswerable questions declined with the fewest answerable ones declined; the top of that plateau is kept.")
    focus_share_min: float = _f(0.5, "Share of the question's focus (IDF-weighted) a cited sentence must hold for the figure, name, date or grade in it to count as the answer. Tuned on the tuning parts of both question sets (scripts/tune.py): the most unanswerable questions declined less answerable ones declined.")
    max_question_chars: int = _f(1000, "Longer questions are shortened to this many characters before search.")

    # The extractive composer's sentence scoring (assistant/compose.py) and the evidence figure
    # (assistant/evidence.py). Chosen by hand on the first 139-question set, before it was
    # split: those questions are now in both parts, so re-tune on the tuning parts only.
    sentence_lexical_weight: float = _f(0.8, "Weight of the IDF-weighted share of the question's terms a sentence holds, beside its cosine. %s" % _BEFORE_SPLIT)
    passage_prior: float = _f(0.25, "What a sentence gains for standing in the best-ranked passage (scaled by its passage's score). %s" % _BEFORE_SPLIT)
    numeric_bonus: float = _f(0.08, "What a sentence holding a number gains when the question asks for a figure or date. %s" % _BEFORE_SPLIT)
    sentence_floor: float = _f(0.6, "Sentences scoring below this share of the best one are not added to fill an answer. %s" % _BEFORE_SPLIT)
    quoted_passage_penalty: float = _f(0.06, "Score a sentence loses for each sentence of its passage already quoted, so an answer hears from several passages. %s" % _BEFORE_SPLIT)
    near_duplicate_cosine: float = _f(0.92, "Cosine above which two sentences count as saying the same, and only one is quoted. %s" % _BEFORE_SPLIT)
    fill_share: float = _f(0.8, "An answer stops taking further sentences once this share of its word budget is used. %s" % _BEFORE_SPLIT)
    unknown_name_penalty: float = _f(0.5, "Evidence lost when the question names something (a capitalised word, acronym or year) the corpus never mentions. %s" % _BEFORE_SPLIT)
    unseen_word_penalty: float = _f(0.3, "Evidence lost, times the share of the question's focus words the corpus never uses. %s" % _BEFORE_SPLIT)
    brief_min_overlap: float = _f(0.34, "Share of a theme's weighted terms a quote must carry to go into a theme brief. %s" % _BEFORE_SPLIT)
    brief_phrase_bonus: float = _f(0.5, "What a brief quote gains for holding the theme's words as a phrase. %s" % _BEFORE_SPLIT)

    # Timeline, action tracker and trace (assistant/timeline.py, tracker.py, trace.py)
    timeline_findings: int = _f(4, "Key findings quoted for each document of the timeline (3 to 5 read well).")
    trace_link_threshold: float = _f(0.42, "Score (0-1, meaning and shared words) a finding and an action-plan row's action, reason and impact must reach to be linked. " + _TRACE_TUNED)
    trace_lexical_weight: float = _f(0.25, "Share of the finding's rare words (idf-weighted, abbreviations and their long forms counted as one word) that the row's cells use, in a trace link score; the rest is closeness of meaning. " + _TRACE_TUNED)
    trace_pairing: str = _f("sym", "How the closeness of a finding's and a row's sentences is made one number: 'mean' (each finding sentence's closest row sentence, averaged), 'sym' (that and the same from the row's side, averaged) or 'max' (the best sentence pair). " + _TRACE_TUNED)
    trace_row_rank: int = _f(1, "A link passes when the finding is among the row's first this many findings (a row answers few findings) or the row among the finding's first trace_finding_rank rows. " + _TRACE_TUNED)
    trace_finding_rank: int = _f(1, "A link passes when the row is among the finding's first this many rows (a finding is answered somewhere), or by trace_row_rank; 0 leaves it to trace_row_rank. " + _TRACE_TUNED)
    trace_report_rank: int = _f(3, "A progress report's paragraph is shown for a plan row when it is the row's best and the row is among the paragraph's first this many rows (set by hand, not tuned).")
    trace_later_threshold: float = _f(0.6, "Closeness of meaning (cosine to the centre of a finding's sentences) a later report's sentence must reach to be quoted as speaking on its theme (set by hand: about the closest 2% of finding and later-sentence pairs of the corpus; not tuned on the gold mapping).")
    asof_threshold: float = _f(0.6, "Closeness of meaning a newer inspection's sentence must reach to the theme of an answer's quotes to be added as what the newer document says (set by hand, as trace_later_threshold; not tuned).")

    # Optional LLM answers (assistant/generate.py, assistant/verify.py): off while llm_url is empty
    llm_url: str = _f("", "Base URL of an OpenAI-compatible endpoint (e.g. http://127.0.0.1:8080/v1); empty keeps answers extractive, with no model called.")
    llm_model: str = _f("local", "Model name sent to the endpoint (a llama.cpp server answers whatever it was started with).")
    llm_api_key: str = _f("", "API key for the endpoint, if it wants one (never logged).")
    llm_timeout: float = _f(60.0, "Seconds to wait for the endpoint before showing the extractive answer with a notice.")
    llm_max_tokens: int = _f(256, "Longest generated answer, in the model's tokens.")
    llm_passages: int = _f(4, "Passages offered to the model: the extractive answer's cited ones first, then the next retrieved.")
    llm_passage_tokens: int = _f(300, "Longest passage text offered to the model, in tiktoken tokens, kept around the sentences the extractive answer cites.")
    verify_min_similarity: float = _f(0.5, "Cosine (all-MiniLM-L6-v2) a generated sentence must reach with some sentence, or two adjacent sentences, of the passage it cites to be shown. Tuned on the tuning part of the project set (scripts/tune_verify.py: best F0.5 of reference-answer sentences citing their gold passages against the same citing a wrong one; recall 0.58, precision 0.99, most misses on the figure, name and status rules).")
    verify_min_overlap: float = _f(0.6, "Share of a generated sentence's content words (stemmed) its cited passage (or its title) must hold for it to be shown. Tuned with verify_min_similarity (0.4 to 0.7 tie on the tuning part; 0.6 kept).")
    verify_cite_missing: bool = _f(True, "A generated sentence without a marker [n] is given the offered passage closest in meaning and checked against it like any other (small models often leave markers out); false drops it.")
    verify_min_kept: float = _f(0.5, "Share of generated sentences that must pass verification (and at least one) for the generated answer to be shown; otherwise the extractive answer is shown with a notice.")

    # Web chat
    host: str = _f("127.0.0.1", "Address the web chat binds to (loopback unless told otherwise).")
    port: int = _f(7860, "Port of the web chat.")
    auth_user: str = _f("", "User name for basic authentication of the web chat; empty for none.")
    auth_password: str = _f("", "Password for basic authentication of the web chat.")

    def replace(self, **changes: Any) -> "Settings":
        """A copy with `changes` applied; None values are ignored so CLI flags can pass through."""
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})

    @property
    def uses_server(self) -> bool:
        return bool(self.chroma_host)

    @property
    def home(self) -> str:
        """The home council: `home_council`, else the corpus manifest's `home_council`, else ""."""
        return self.home_council or manifest_home_council(self.corpus_dir)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "Settings":
        """Defaults overridden by `ASSISTANT_<FIELD>` environment variables."""
        environ = os.environ if environ is None else environ
        changes: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            raw = environ.get("ASSISTANT_" + f.name.upper())
            if raw is None:
                continue
            changes[f.name] = _convert(f.name, f.default, raw)
        return cls(**changes)

    @classmethod
    def describe(cls) -> list[tuple[str, Any, str]]:
        """(variable, default, help) for every setting, for the README and `--help`."""
        return [
            ("ASSISTANT_" + f.name.upper(), f.default, f.metadata.get("help", ""))
            for f in dataclasses.fields(cls)
        ]


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


def _convert(name: str, default: Any, raw: str) -> Any:
    try:
        if isinstance(default, bool):
            return raw.strip().lower() in {"1", "true", "yes", "on"}
        if isinstance(default, Path):
            return Path(raw)
        if isinstance(default, (int, float)):
            return type(default)(raw)
        return raw
    except ValueError:
        raise SettingsError(
            f"ASSISTANT_{name.upper()}={raw!r} is not a valid {type(default).__name__}: "
            f"set it to a value like {default!r} or unset it"
        ) from None
