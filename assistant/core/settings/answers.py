"""Settings of answering: the outcome, the composer's scoring and the evidence figure, the brief."""

from __future__ import annotations

from pydantic import BaseModel

from assistant.core.settings import fields


class AnsweringSettings(BaseModel):
    """Answering"""

    answer_words: int = fields.answering(120, "Target length of an answer in words (lists may run longer).", ge=1)
    list_answer_words: int = fields.answering(220, "Target length of an answer to a 'list' question.", ge=1)
    abstain_threshold: float = fields.answering(
        0.65,
        "Evidence score below which the assistant says the documents do not cover the question. Tuned on the tuning parts of both question sets (scripts/tune.py abstain_threshold=0.45..0.9): 0.45-0.65 tie on the most unanswerable questions declined with the fewest answerable ones declined; the top of that plateau is kept.",
        ge=0,
    )
    focus_share_min: float = fields.answering(
        0.5,
        "Share of the question's focus (IDF-weighted) a cited sentence must hold for the figure, name, date or grade in it to count as the answer. Tuned on the tuning parts of both question sets (scripts/tune.py): the most unanswerable questions declined less answerable ones declined.",
        ge=0,
        le=1,
    )
    max_question_chars: int = fields.answering(
        1000, "Longer questions are shortened to this many characters before search.", ge=1
    )

    min_sentence_words: int = fields.answering(
        3,
        "Shortest sentence, in words, an answer quotes on its own: shorter ones are fragments ('1.', 'Good.') (set by hand, not tuned).",
        ge=1,
    )
    status_action_rank: int = fields.answering(
        3,
        "An action-plan row among the first this many passages answers a question about progress, with its action, status and latest note (set by hand, not tuned).",
        ge=0,
    )
    action_answer_words: int = fields.answering(
        110,
        "Word budget of an answer from an action-plan row: what the action is, its status or completion date, its progress (set by hand, not tuned).",
        ge=1,
    )
    action_progress_share: float = fields.answering(
        0.5,
        "Share of action_answer_words the row's status and progress cell may fill before its latest dated note and its sentences closest to the question are added (set by hand, not tuned).",
        ge=0,
        le=1,
    )
    foreign_min_words: int = fields.answering(
        4,
        "Shortest question, in words, that may be told 'the documents are in English' (a short one is too little to judge its language; set by hand).",
        ge=1,
    )
    foreign_ascii_share: float = fields.answering(
        0.8,
        "A question with less than this share of ASCII characters is told the documents are in English (set by hand).",
        ge=0,
        le=1,
    )
    foreign_stopword_share: float = fields.answering(
        0.12,
        "A question with less than this share of English function words ('the', 'of', 'what') is told the documents are in English (set by hand).",
        ge=0,
        le=1,
    )


class ScoringSettings(BaseModel):
    """The extractive composer's sentence scoring (assistant/answering/compose.py) and the evidence figure (assistant/answering/evidence.py). Chosen by hand on the first 139-question set, before it was split: those questions are now in both parts, so re-tune on the tuning parts only."""

    sentence_lexical_weight: float = fields.scoring(
        0.8,
        "Weight of the IDF-weighted share of the question's terms a sentence holds, beside its cosine. %s"
        % fields.BEFORE_SPLIT,
        ge=0,
    )
    passage_prior: float = fields.scoring(
        0.25,
        "What a sentence gains for standing in the best-ranked passage (scaled by its passage's score). %s"
        % fields.BEFORE_SPLIT,
        ge=0,
    )
    numeric_bonus: float = fields.scoring(
        0.08,
        "What a sentence holding a number gains when the question asks for a figure or date. %s" % fields.BEFORE_SPLIT,
        ge=0,
    )
    sentence_floor: float = fields.scoring(
        0.6,
        "Sentences scoring below this share of the best one are not added to fill an answer. %s" % fields.BEFORE_SPLIT,
        ge=0,
        le=1,
    )
    quoted_passage_penalty: float = fields.scoring(
        0.06,
        "Score a sentence loses for each sentence of its passage already quoted, so an answer hears from several passages. %s"
        % fields.BEFORE_SPLIT,
        ge=0,
    )
    near_duplicate_cosine: float = fields.scoring(
        0.92,
        "Cosine above which two sentences count as saying the same, and only one is quoted. %s" % fields.BEFORE_SPLIT,
        ge=-1,
        le=1,
    )
    fill_share: float = fields.scoring(
        0.8,
        "An answer stops taking further sentences once this share of its word budget is used. %s" % fields.BEFORE_SPLIT,
        ge=0,
        le=1,
    )
    unknown_name_penalty: float = fields.scoring(
        0.5,
        "Evidence lost when the question names something (a capitalised word, acronym or year) the corpus never mentions. %s"
        % fields.BEFORE_SPLIT,
        ge=0,
    )
    unseen_word_penalty: float = fields.scoring(
        0.3,
        "Evidence lost, times the share of the question's focus words the corpus never uses. %s" % fields.BEFORE_SPLIT,
        ge=0,
    )
    brief_min_overlap: float = fields.scoring(
        0.34,
        "Share of a theme's weighted terms a quote must carry to go into a theme brief. %s" % fields.BEFORE_SPLIT,
        ge=0,
        le=1,
    )
    brief_phrase_bonus: float = fields.scoring(
        0.5, "What a brief quote gains for holding the theme's words as a phrase. %s" % fields.BEFORE_SPLIT, ge=0
    )

    evidence_passages: int = fields.scoring(
        5,
        "Retrieved passages whose sentences the evidence figure reads, best first (as top_k). %s" % fields.BEFORE_SPLIT,
        ge=1,
    )
    evidence_window_share: float = fields.scoring(
        0.5,
        "Share of the evidence's coverage given by the best sentence with its neighbours; the rest is the coverage by the evidence passages together (a question across documents is answered by several). %s"
        % fields.BEFORE_SPLIT,
        ge=0,
        le=1,
    )
    brief_passages: int = fields.scoring(
        30,
        "Passages retrieved for a brief's theme before the action-plan rows that carry it are added (set by hand).",
        ge=1,
    )
    brief_per_doc: int = fields.scoring(
        8, "Most points a brief keeps for one document, the most relevant first (set by hand).", ge=1
    )
    brief_rank_bonus: float = fields.scoring(
        0.5,
        "What a retrieved passage's point gains in a brief, divided by one plus its retrieval rank (set by hand).",
        ge=0,
    )
    brief_min_quote_words: int = fields.scoring(
        4, "Shortest sentence, in words, a brief quotes: a shorter one is a fragment or a heading (set by hand).", ge=1
    )
    brief_short_quote_words: int = fields.scoring(
        12, "A brief quote shorter than this many words is quoted with the sentence after it (set by hand).", ge=1
    )
