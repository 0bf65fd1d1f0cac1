"""Settings of the views over time, the optional LLM and the web chat."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, SecretStr, field_validator

from assistant.core.settings import fields


class OverTimeSettings(BaseModel):
    """Timeline, action tracker and trace (assistant/views/timeline.py, tracker.py, trace.py)"""

    timeline_findings: int = fields.over_time(
        4, "Key findings quoted for each document of the timeline (3 to 5 read well).", ge=0
    )
    trace_link_threshold: float = fields.over_time(
        0.42,
        "Score (0-1, meaning and shared words) a finding and an action-plan row's action, reason and impact must reach to be linked. "
        + fields.TRACE_TUNED,
        ge=0,
        le=1,
    )
    trace_lexical_weight: float = fields.over_time(
        0.25,
        "Share of the finding's rare words (idf-weighted, abbreviations and their long forms counted as one word) that the row's cells use, in a trace link score; the rest is closeness of meaning. "
        + fields.TRACE_TUNED,
        ge=0,
        le=1,
    )
    trace_pairing: Literal["mean", "sym", "max"] = fields.over_time(
        "sym",
        "How the closeness of a finding's and a row's sentences is made one number: 'mean' (each finding sentence's closest row sentence, averaged), 'sym' (that and the same from the row's side, averaged) or 'max' (the best sentence pair). "
        + fields.TRACE_TUNED,
    )
    trace_row_rank: int = fields.over_time(
        1,
        "A link passes when the finding is among the row's first this many findings (a row answers few findings) or the row among the finding's first trace_finding_rank rows. "
        + fields.TRACE_TUNED,
        ge=0,
    )
    trace_finding_rank: int = fields.over_time(
        1,
        "A link passes when the row is among the finding's first this many rows (a finding is answered somewhere), or by trace_row_rank; 0 leaves it to trace_row_rank. "
        + fields.TRACE_TUNED,
        ge=0,
    )
    trace_report_rank: int = fields.over_time(
        3,
        "A progress report's paragraph is shown for a plan row when it is the row's best and the row is among the paragraph's first this many rows (set by hand, not tuned).",
        ge=0,
    )
    trace_later_threshold: float = fields.over_time(
        0.6,
        "Closeness of meaning (cosine to the centre of a finding's sentences) a later report's sentence must reach to be quoted as speaking on its theme (set by hand: about the closest 2% of finding and later-sentence pairs of the corpus; not tuned on the gold mapping).",
        ge=-1,
        le=1,
    )
    trace_chat_rows: int = fields.over_time(
        4,
        "Linked action-plan rows a chat answer about a finding quotes, best first (the action tracker shows them all; set by hand, not tuned).",
        ge=0,
    )
    trace_due_words: int = fields.over_time(
        12,
        "Longest due date, in words, a chat answer about a finding quotes after a row's action; a longer one is a sentence, not a date (set by hand).",
        ge=1,
    )
    asof_threshold: float = fields.over_time(
        0.6,
        "Closeness of meaning a newer inspection's sentence must reach to the theme of an answer's quotes to be added as what the newer document says (set by hand, as trace_later_threshold; not tuned).",
        ge=-1,
        le=1,
    )

    timeline_min_words: int = fields.over_time(
        8, "Shortest key finding of the timeline, in words: a shorter sentence is a heading (set by hand).", ge=1
    )
    timeline_max_words: int = fields.over_time(
        70, "Longest key finding of the timeline, in words: a longer one is a paragraph (set by hand).", ge=1
    )
    timeline_near_duplicate: float = fields.over_time(
        0.8,
        "Cosine above which two key findings of a document say the same thing, and only one is shown (set by hand).",
        ge=-1,
        le=1,
    )
    timeline_grade_lift: float = fields.over_time(
        0.2,
        "What a sentence naming a grade ('... is inadequate') gains as a key finding: it is the headline of its section (set by hand).",
        ge=0,
    )
    timeline_improvement_lift: float = fields.over_time(
        0.1,
        "What a sentence of a section that calls for action gains as a key finding: what must improve comes before what works, at equal centrality (set by hand).",
        ge=0,
    )
    finding_min_words: int = fields.over_time(
        6,
        "Shortest sentence, in words, quoted as what a later or newer inspection says on a theme: a shorter one is a heading (set by hand).",
        ge=1,
    )
    trace_reference_overlap: float = fields.over_time(
        0.6,
        "Share of words a plan's priority heading and a finding must share to be the same text, linking every row under the heading to the finding (set by hand, not tuned).",
        ge=0,
        le=1,
    )
    trace_quoted_words: int = fields.over_time(
        8,
        "Words running in both a finding and a plan row's cells that make the row a quote of the finding, and linked to it (set by hand, not tuned).",
        ge=1,
    )
    trace_quote_sentences: int = fields.over_time(
        2, "Sentences a trace quotes from a progress note or a report paragraph (set by hand).", ge=1
    )
    trace_untuned_lexical_weight: float = fields.over_time(
        0.5,
        "Weight of shared rare words against closeness of meaning where the trace has nothing tuned: a question's topic against findings, and report paragraphs against rows (set by hand: evenly).",
        ge=0,
        le=1,
    )


class LLMSettings(BaseModel):
    """Optional LLM answers (assistant/answering/llm/generate.py, assistant/answering/llm/verify.py): off while llm_url is empty"""

    llm_url: str = fields.llm(
        "",
        "Base URL of an OpenAI-compatible endpoint (e.g. http://127.0.0.1:8080/v1); empty keeps answers extractive, with no model called.",
    )
    llm_model: str = fields.llm(
        "local", "Model name sent to the endpoint (a llama.cpp server answers whatever it was started with)."
    )
    llm_api_key: SecretStr = fields.llm("", "API key for the endpoint, if it wants one (never logged).")
    llm_timeout: float = fields.llm(
        60.0, "Seconds to wait for the endpoint before showing the extractive answer with a notice.", gt=0
    )
    llm_max_tokens: int = fields.llm(256, "Longest generated answer, in the model's tokens.", ge=1)
    llm_passages: int = fields.llm(
        4, "Passages offered to the model: the extractive answer's cited ones first, then the next retrieved.", ge=1
    )
    llm_passage_tokens: int = fields.llm(
        300,
        "Longest passage text offered to the model, in tiktoken tokens, kept around the sentences the extractive answer cites.",
        ge=1,
    )
    verify_min_similarity: float = fields.llm(
        0.5,
        "Cosine (all-MiniLM-L6-v2) a generated sentence must reach with some sentence, or two adjacent sentences, of the passage it cites to be shown. Tuned on the tuning part of the project set (scripts/tune_verify.py: best F0.5 of reference-answer sentences citing their gold passages against the same citing a wrong one; recall 0.58, precision 0.99, most misses on the figure, name and status rules).",
        ge=-1,
        le=1,
    )
    verify_min_overlap: float = fields.llm(
        0.6,
        "Share of a generated sentence's content words (stemmed) its cited passage (or its title) must hold for it to be shown. Tuned with verify_min_similarity (0.4 to 0.7 tie on the tuning part; 0.6 kept).",
        ge=0,
        le=1,
    )
    verify_cite_missing: bool = fields.llm(
        True,
        "A generated sentence without a marker [n] is given the offered passage closest in meaning and checked against it like any other (small models often leave markers out); false drops it.",
    )
    verify_min_kept: float = fields.llm(
        0.5,
        "Share of generated sentences that must pass verification (and at least one) for the generated answer to be shown; otherwise the extractive answer is shown with a notice.",
        ge=0,
        le=1,
    )

    @field_validator("llm_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("an http:// or https:// URL is needed (e.g. http://127.0.0.1:8080/v1), or empty")
        return value


class WebSettings(BaseModel):
    """Web chat"""

    host: str = fields.web("127.0.0.1", "Address the web chat binds to (loopback unless told otherwise).", min_length=1)
    port: int = fields.web(7860, "Port of the web chat.", ge=1, le=65535)
    auth_user: str = fields.web(
        "", "User name of the web chat's login form (a form, not HTTP basic authentication); empty for no login."
    )
    auth_password: SecretStr = fields.web("", "Password of the web chat's login form; attempts are rate-limited.")
