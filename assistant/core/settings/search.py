"""Settings of the index and of search: where things are, Chroma, ingest, retrieval, councils."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, field_validator

from assistant.core.settings import fields


class WhereSettings(BaseModel):
    """Where things are"""

    corpus_dir: Path = fields.where(Path("corpus"), "Folder of documents and manifest.toml to ingest.")
    index_dir: Path = fields.where(Path(".index"), "Folder holding the Chroma store, BM25 index and ingest state.")
    feedback_db: Path = fields.where(
        Path(".feedback/feedback.sqlite3"),
        "SQLite file for thumbs up/down feedback; outside index_dir, so deleting the index keeps it.",
    )

    @field_validator("corpus_dir", "index_dir", "feedback_db", mode="before")
    @classmethod
    def _not_empty(cls, value: Any) -> Any:
        # Path("") is the working directory: an empty variable is a slip, not a wish to write there.
        if isinstance(value, str) and not value.strip():
            raise ValueError("a path is needed, not an empty value")
        return value


class ChromaSettings(BaseModel):
    """Chroma: embedded by default; a server when chroma_host is set"""

    chroma_host: str = fields.chroma("", "Host of a 'chroma run' server; empty uses the embedded store in index_dir.")
    chroma_port: int = fields.chroma(8000, "Port of the Chroma server when chroma_host is set.", ge=1, le=65535)
    collection_prefix: str = fields.chroma(
        "chunks", "Prefix of the Chroma collection names this index uses.", pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
    )


class IngestSettings(BaseModel):
    """Ingest"""

    max_file_mb: float = fields.ingest(20.0, "Files larger than this many MB are refused at ingest.", gt=0)
    embed_max_tokens: int = fields.ingest(
        180, "Longest text embedded, in tiktoken tokens (the model stops at 256 word pieces).", ge=1
    )
    pack_tokens: int = fields.ingest(
        180, "Short paragraphs of one section are packed into one passage up to this many tokens.", ge=1
    )
    max_passage_tokens: int = fields.ingest(
        2000,
        "Longest passage a citation shows, in tiktoken tokens: a longer paragraph or line is cut into passages of at most this size, so the index grows in step with the corpus.",
        ge=1,
    )
    embed_batch_size: int = fields.ingest(32, "Texts embedded per model call during ingest.", ge=1)
    passage_vectors: Literal["embedded", "sentences"] = fields.ingest(
        "embedded",
        "How a passage's vector is made: 'embedded' runs the model over the passage; 'sentences' averages its sentences' vectors (embedded anyway), which roughly halves a cold ingest of many reports (see ingest/vectors.py). Changing it embeds every document again; `assistant ingest` keeps an existing index's own choice unless this variable is set.",
    )
    ingest_workers: int = fields.ingest(
        0,
        "Processes that read PDFs side by side during ingest (from 4 PDFs on); 0 is one per CPU core, 1 reads them in the ingest's own process.",
        ge=0,
    )


class RetrievalSettings(BaseModel):
    """Retrieval"""

    top_k: int = fields.retrieval(5, "Passages returned by retrieval and offered to the answerer.", ge=1)
    candidates: int = fields.retrieval(
        40, "Candidates taken from each of the dense and lexical retrievers before fusion.", ge=1
    )
    rrf_k: int = fields.retrieval(20, "Constant of reciprocal-rank fusion: higher flattens the rank weights.", ge=0)
    dense_weight: float = fields.retrieval(1.0, "Weight of the dense (embedding) ranking in fusion.", ge=0)
    sentence_mean_dense_weight: float = fields.retrieval(
        0.5,
        "Weight of the dense ranking in fusion, in place of dense_weight, for an index whose passage vectors are means of sentence vectors (passage_vectors = 'sentences'): they echo the sentence ranking, so count for less. Tuned on the tuning parts of both question sets (0.4 to 1.2 tried).",
        ge=0,
    )
    lexical_weight: float = fields.retrieval(1.0, "Weight of the BM25 ranking in fusion.", ge=0)
    sentence_weight: float = fields.retrieval(1.0, "Weight of the best-matching-sentence ranking in fusion.", ge=0)
    hub_penalty: float = fields.retrieval(
        0.5, "Share of a passage's closeness to everything subtracted from its dense score.", ge=0
    )
    doc_prior_weight: float = fields.retrieval(
        0.3, "Weight of the lift for documents a question names ('the JTAI letter', 'Ofsted').", ge=0
    )
    section_weight: float = fields.retrieval(
        1.0,
        "Lift of a passage in a finding section of the class a question asks for ('areas for improvement', 'strengths'), as a share of a first rank in fusion. Tuned on the tuning parts of both question sets (scripts/tune.py).",
        ge=0,
    )
    section_items: int = fields.retrieval(
        8,
        "Most passages of a listing section ('What needs to improve': one passage per item) gathered after the best of them, in document order, for a question asking for that class of findings (set by hand, not tuned).",
        ge=0,
    )
    count_weight: float = fields.retrieval(
        1.0,
        'Lift of a passage that counts what a "how many ...?" question counts (a figure just before the counted noun: "227 children were being looked after"), as a share of a first rank in fusion: statistics lines share their template across reports, so the embedding finds them last. Tuned on the tuning parts of both question sets (0, 0.5, 1.0 and 2.0 tried: 1.0 and 2.0 find two more gold passages than 0, 0.5 one).',
        ge=0,
    )
    judgement_weight: float = fields.retrieval(
        1.0,
        "Lift of a judgement grid for a question about grades, as a share of a first rank in fusion (set by hand, not tuned).",
        ge=0,
    )

    sentence_candidates_factor: int = fields.retrieval(
        8,
        "Sentences ranked, per passage wanted, in the best-sentence ranking: the best sentences cluster in few passages, so several per passage are read to find that many distinct passages (set by hand, not tuned).",
        ge=1,
    )


class CouncilSettings(BaseModel):
    """Questions across councils (assistant/retrieval/retrieve.py)"""

    home_council: str = fields.councils(
        "",
        "The council whose documents answer first a question that names no council (e.g. Anytown); empty takes the corpus manifest's top-level home_council, and with neither there is no home council.",
    )
    council_k: int = fields.councils(
        2,
        "Passages taken from each council for a question that names several councils or asks 'which councils ...': top_k is split across them, at least this many each, and no more than this many per council for 'which councils'; also the home council's passages put first for a question that names no council (set by hand, not tuned).",
        ge=1,
    )
    which_councils: int = fields.councils(
        5,
        "Most councils a 'which councils ...' question hears from: those of the best passages, in rank order (set by hand, not tuned).",
        ge=1,
    )
