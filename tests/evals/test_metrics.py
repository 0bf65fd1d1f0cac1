"""Hand-made cases for every metric of evals.metrics, edge cases included."""

from __future__ import annotations

import math

import pytest

from evals.metrics import (
    Passage,
    abstention_correct,
    answer_words,
    citation_precision,
    false_abstention,
    groundedness,
    hit_at,
    key_fact_recall,
    matches,
    mrr,
    ndcg,
    normalise,
    passed,
    percentile,
    quote_recall,
    score,
    split_sentences,
    summarise,
)
from evals.questions import Question

GOLD_A = "The partnership has not taken effective action to use information about children's mental health needs"
GOLD_B = "Health visitors and school nurses are not routinely informed when children go missing"
PASSAGE_A = (
    "Summary. The partnership has not taken effective action to use information about children’s "
    "mental health needs in order to inform appropriate commissioning decisions."
)
PASSAGE_B = (
    "In Sefton, health visitors and school nurses are not routinely informed when children go missing from home."
)
OTHER = "The youth offending team has a well-established health offer with access to a clinical psychologist."
OTHER_2 = "Leaders have commissioned an independent review of the front door arrangements in 2019."


def P(*texts: str) -> list[Passage]:
    return [Passage(t, f"doc-{i}") for i, t in enumerate(texts)]


# --------------------------------------------------------------------------------------------
# normalise and matches


def test_normalise_folds_case_quotes_dashes_and_punctuation():
    assert normalise("  Children’s “Front Door” – MASH!  ") == "childrens front door mash"
    assert normalise('children\'s "front door" - mash') == "childrens front door mash"
    assert normalise("") == ""
    assert normalise("3.5 per cent; 2019–2020") == "3 5 per cent 2019 2020"


def test_normalise_joins_hyphen_breaks_and_drops_footnote_digits():
    assert normalise("multi-\nagency") == normalise("multi-agency") == normalise("multiagency")
    assert normalise("emotional well-\n\n being") == "emotional wellbeing"
    assert normalise("neglect in Sefton.1 This inspection") == normalise("neglect in Sefton. This inspection")
    assert normalise("superscript note² here") == "superscript note here"


def test_whole_quote_inside_passage_matches():
    assert matches(GOLD_A, PASSAGE_A)
    assert not matches(GOLD_A, OTHER)


def test_quote_split_across_hyphenation_still_matches():
    quote = "the multi-agency safeguarding hub (MASH) with co-located partners from the police"
    passage = (
        "In Sefton the front door includes a multi-\nagency safeguarding hub (MASH) with co-\n"
        "located partners from the police and health services."
    )
    assert matches(quote, passage)
    # and the other way round: ingest joined the break into one word
    assert matches(quote, passage.replace("multi-\n", "multi").replace("co-\n", "co"))


def test_quote_with_footnote_digit_removed_at_ingest_still_matches():
    quote = (
        "joint inspection of the multi-agency response to abuse and neglect in Sefton.1 "
        "This inspection included a deep dive"
    )
    passage = (
        "carried out a joint inspection of the multi-agency response to abuse and neglect in Sefton. "
        "This inspection included a ‘deep dive’ focus."
    )
    assert matches(quote, passage)


def test_quote_with_page_number_removed_matches_by_4grams():
    words = (
        "the local safeguarding children board has not ensured that partners understand the "
        "thresholds for intervention and that referrals from schools are of a consistently good quality"
    ).split()
    quote = " ".join(words[:15] + ["Page", "12"] + words[15:])  # copied across a page break
    passage = "We found that " + " ".join(words) + " in all areas."
    assert normalise(quote) not in normalise(passage)
    assert matches(quote, passage)


def test_quote_only_half_covered_does_not_match():
    words = (
        "leaders have not ensured that the quality of return home interviews for children who go "
        "missing is monitored and that the information gathered informs plans"
    ).split()
    quote = " ".join(words[:20])
    passage = "Inspectors found " + " ".join(words[:10]) + " but the remaining text of this passage differs entirely."
    assert not matches(quote, passage)
    # half the words are 7 of its 17 4-grams: a looser threshold (a parameter) lets it through
    assert matches(quote, passage, threshold=0.4)


def test_short_quote_uses_words_in_order():
    passage = "Inspectors saw strong leadership from the board across partners."
    assert matches("strong leadership of the board", passage)  # 4 of 5 words in order
    assert not matches("weak leadership of a board", passage)  # 3 of 5
    assert not matches("board the leadership strong", passage)  # right words, wrong order


def test_short_quote_words_scattered_over_a_long_passage_do_not_match():
    passage = (
        "The board met. "
        + "Other text follows here about many things. " * 10
        + "It has a plan. "
        + "More filler sentences are written. " * 10
        + "It was not reviewed."
    )
    assert not matches("the board has not reviewed", passage)


def test_matching_is_on_whole_words_and_empty_never_matches():
    assert not matches("12", "In 2012 the board met")
    assert not matches("", PASSAGE_A)
    assert not matches(GOLD_A, "")


# --------------------------------------------------------------------------------------------
# retrieval


def test_empty_retrieval_scores_zero_not_an_error():
    gold = [GOLD_A]
    assert hit_at([], gold, 1) == 0.0
    assert hit_at([], gold, 5) == 0.0
    assert mrr([], gold) == 0.0
    assert ndcg([], gold) == 0.0
    assert quote_recall([], gold, 5) == 0.0


def test_no_gold_quotes_is_undefined():
    passages = P(PASSAGE_A, OTHER)
    for value in (hit_at(passages, [], 1), mrr(passages, []), ndcg(passages, []), quote_recall(passages, [], 5)):
        assert value is None


def test_hit_at_1_and_k():
    passages = P(OTHER, OTHER_2, PASSAGE_A)
    assert hit_at(passages, [GOLD_A], 1) == 0.0
    assert hit_at(passages, [GOLD_A], 2) == 0.0
    assert hit_at(passages, [GOLD_A], 3) == 1.0
    assert hit_at(P(PASSAGE_A), [GOLD_A], 1) == 1.0


def test_mrr_is_reciprocal_rank_of_first_relevant_within_10():
    assert mrr(P(OTHER, OTHER_2, PASSAGE_A), [GOLD_A]) == pytest.approx(1 / 3)
    assert mrr(P(PASSAGE_B, PASSAGE_A), [GOLD_A, GOLD_B]) == 1.0
    eleven = P(*([OTHER] * 10 + [PASSAGE_A]))
    assert mrr(eleven, [GOLD_A]) == 0.0


def test_ndcg_perfect_and_discounted():
    assert ndcg(P(PASSAGE_A, PASSAGE_B, OTHER), [GOLD_A, GOLD_B]) == pytest.approx(1.0)
    expected = (1 / math.log2(3) + 1 / math.log2(4)) / (1 + 1 / math.log2(3))
    assert ndcg(P(OTHER, PASSAGE_A, PASSAGE_B), [GOLD_A, GOLD_B]) == pytest.approx(expected)


def test_duplicate_passages_do_not_inflate_ndcg():
    once = ndcg(P(OTHER, PASSAGE_A), [GOLD_A])
    repeated = ndcg(P(OTHER, PASSAGE_A, PASSAGE_A, PASSAGE_A), [GOLD_A])
    assert once == repeated == pytest.approx(1 / math.log2(3))
    # at the top, duplicates do not push it past 1
    assert ndcg(P(PASSAGE_A, PASSAGE_A), [GOLD_A]) == pytest.approx(1.0)
    # and a duplicate cannot stand in for a second, missing gold quote
    assert ndcg(P(PASSAGE_A, PASSAGE_A), [GOLD_A, GOLD_B]) == pytest.approx(1 / (1 + 1 / math.log2(3)))
    assert quote_recall(P(PASSAGE_A, PASSAGE_A), [GOLD_A, GOLD_B], 5) == 0.5


def test_fewer_relevant_than_k():
    passages = P(PASSAGE_A, OTHER, OTHER_2)  # fewer passages than k, one relevant
    assert hit_at(passages, [GOLD_A], 5) == 1.0
    assert quote_recall(passages, [GOLD_A], 5) == 1.0
    assert ndcg(passages, [GOLD_A], 10) == pytest.approx(1.0)  # ideal is one gain, not ten


def test_quote_recall_counts_quotes_in_the_top_k_only():
    passages = P(PASSAGE_A, OTHER, PASSAGE_B)
    assert quote_recall(passages, [GOLD_A, GOLD_B], 2) == 0.5
    assert quote_recall(passages, [GOLD_A, GOLD_B], 3) == 1.0


# --------------------------------------------------------------------------------------------
# answers


def test_key_fact_recall():
    answer = "The review found 12 missing episodes [1]. The MASH is multi-agency [2]."
    assert key_fact_recall(answer, ["12 missing episodes", "Multiagency", "2019"]) == pytest.approx(2 / 3)
    assert key_fact_recall(answer, []) is None
    assert key_fact_recall("", ["anything"]) == 0.0
    assert key_fact_recall("In 2012 it met.", ["12"]) == 0.0  # whole words only
    assert key_fact_recall("See item [1].", ["1"]) == 0.0  # markers are not content


def test_split_sentences_keeps_markers_with_their_sentence():
    text = "The board meets monthly [1]. It reviews plans, e.g. the action plan. [2]\n1. Next item [3, 4]"
    got = [(line, s.text, s.markers) for line, s in split_sentences(text)]
    assert got == [
        (0, "The board meets monthly.", (1,)),
        (0, "It reviews plans, e.g. the action plan.", (2,)),
        (1, "Next item", (3, 4)),
    ]


def test_groundedness_sentence_with_and_without_its_marker():
    cited = {1: [PASSAGE_B]}
    with_marker = "Health visitors and school nurses are not routinely informed when children go missing [1]."
    assert groundedness(with_marker, cited) == 1.0
    without_marker = "Health visitors and school nurses are not routinely informed when children go missing."
    assert groundedness(without_marker, cited) == 0.0
    wrong_marker = "Health visitors and school nurses are not routinely informed when children go missing [2]."
    assert groundedness(wrong_marker, {1: [PASSAGE_B], 2: [OTHER]}) == 0.0


def test_groundedness_is_a_share_of_sentences_and_normalised():
    text = (
        "Health visitors and school nurses are not routinely informed when children go missing [1]. "
        "The partnership has not taken effective action [2]. Everything else is fine [2]."
    )
    assert groundedness(text, {1: [PASSAGE_B], 2: [PASSAGE_A]}) == pytest.approx(2 / 3)
    # curly quotes and a hyphen break in the passage do not matter
    assert groundedness("The front door is multi-agency [1].", {1: ["the “front door” is multi-\nagency"]}) == 1.0
    assert groundedness("", {}) is None


def test_groundedness_excuses_boilerplate_only_when_flagged_abstained():
    text = "The documents do not cover this question.\nThe nearest passage: The partnership has not taken effective action [1]."
    cited = {1: [PASSAGE_A]}
    assert groundedness(text, cited, abstained=True) == 0.0  # "The nearest passage:" joins the quote: not verbatim
    text = "The documents do not cover this question.\nThe partnership has not taken effective action [1]."
    assert groundedness(text, cited, abstained=True) == 1.0
    assert groundedness(text, cited, abstained=False) == 0.5
    assert groundedness("The documents do not cover this question.", {}, abstained=True) is None


def test_citation_precision():
    assert citation_precision([PASSAGE_A, OTHER], [GOLD_A]) == 0.5
    assert citation_precision([PASSAGE_A, PASSAGE_B], [GOLD_A, GOLD_B]) == 1.0
    assert citation_precision([], [GOLD_A]) is None
    assert citation_precision([PASSAGE_A], []) is None


def test_abstention_metrics():
    assert abstention_correct(True, False) == 1.0
    assert abstention_correct(False, False) == 0.0
    assert abstention_correct(True, True) is None
    assert false_abstention(True, True) == 1.0
    assert false_abstention(False, True) == 0.0
    assert false_abstention(True, False) is None
    assert false_abstention(True, None) is None and abstention_correct(True, None) is None


def test_answer_words_ignores_markers():
    assert answer_words("One two three [1]. Four [2][3].") == 4
    assert answer_words("") == 0


def test_pass_rules():
    assert passed("hit_at_k", 1.0) is True and passed("hit_at_k", 0.0) is False
    assert passed("key_fact_recall", 0.5) is True and passed("key_fact_recall", 0.49) is False
    assert passed("groundedness", 0.99) is False
    assert passed("false_abstention", 0.0) is True and passed("false_abstention", 1.0) is False
    assert passed("hit_at_k", None) is None
    assert passed("mrr_at_10", 0.1) is None  # graded: no per-question rule


# --------------------------------------------------------------------------------------------
# a question, a run


def _row(answer: str, *, abstained=False, retrieved=(), citations=(), latency=100.0, qtype="lookup"):
    return {
        "answer": answer,
        "abstained": abstained,
        "retrieved": [{"doc_id": "d", "chunk_id": f"c{i}", "text": t, "score": 1.0} for i, t in enumerate(retrieved)],
        "citations": [{"n": i + 1, "doc_id": "d", "text": t} for i, t in enumerate(citations)],
        "latency_ms": latency,
        "type": qtype,
        "error": None,
    }


def test_score_a_question():
    q = Question(id="q1", question="?", type="lookup", gold_quotes=(GOLD_A,), key_facts=("commissioning",))
    row = _row(
        "The partnership has not taken effective action to use information about children’s mental health "
        "needs in order to inform appropriate commissioning decisions [1].",
        retrieved=[OTHER, PASSAGE_A],
        citations=[PASSAGE_A],
    )
    m = score(q, row, k=5)
    assert (m["hit_at_1"], m["hit_at_k"], m["mrr_at_10"], m["quote_recall_at_k"]) == (0.0, 1.0, 0.5, 1.0)
    assert (m["key_fact_recall"], m["groundedness"], m["citation_precision"]) == (1.0, 1.0, 1.0)
    assert m["abstention_correct"] is None and m["false_abstention"] == 0.0
    assert m["passed"]["hit_at_k"] is True and m["passed"]["abstention_correct"] is None


def test_score_without_gold_reports_only_what_it_can():
    m = score(Question(id="q", question="?"), _row("Some words here.", latency=42.0))
    assert m["hit_at_k"] is None and m["key_fact_recall"] is None and m["citation_precision"] is None
    assert m["abstention_correct"] is None and m["false_abstention"] is None
    assert m["answer_words"] == 3 and m["latency_ms"] == 42.0
    assert m["groundedness"] == 0.0  # an unmarked sentence is ungrounded whatever the gold


def test_percentile():
    assert percentile([], 50) is None
    assert percentile([5.0], 95) == 5.0
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile(list(range(1, 101)), 95) == pytest.approx(95.05)


def test_summarise_overall_and_by_type_skipping_none():
    rows = []
    for qtype, hit, latency in [("lookup", 1.0, 100), ("lookup", 0.0, 200), ("list", None, 300)]:
        metrics = {
            name: None
            for name in (
                "hit_at_1",
                "mrr_at_10",
                "ndcg_at_10",
                "quote_recall_at_k",
                "key_fact_recall",
                "groundedness",
                "citation_precision",
                "abstention_correct",
                "false_abstention",
            )
        }
        metrics.update(hit_at_k=hit, answer_words=10, latency_ms=latency, passed={"hit_at_k": passed("hit_at_k", hit)})
        rows.append({"type": qtype, "error": None, "metrics": metrics})
    rows.append({"type": "list", "error": "RuntimeError: boom", "metrics": {"latency_ms": 5, "passed": {}}})
    s = summarise(rows)
    assert s["n_questions"] == 4
    assert s["overall"]["metrics"]["hit_at_k"] == {"mean": 0.5, "n": 2, "pass_rate": 0.5}
    assert s["overall"]["n_errors"] == 1 and s["overall"]["error_rate"] == 0.25
    assert s["overall"]["n_failed"] == 2  # the hit@k miss and the error
    assert s["by_type"]["list"]["metrics"]["hit_at_k"]["mean"] is None
    assert s["by_type"]["lookup"]["metrics"]["hit_at_k"]["n"] == 2
    latency = s["overall"]["metrics"]["latency_ms"]
    assert latency["n"] == 4 and latency["p50"] == 150 and latency["mean"] == 151.25
    assert s["by_type"]["list"]["n_questions"] == 2
