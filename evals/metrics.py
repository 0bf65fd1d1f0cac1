"""Metrics of one evaluated question, and the summary of a run. Pure and deterministic: no LLM judge.

Matching rule (how a passage "matches" a gold quote)
----------------------------------------------------
Gold quotes are copied from the documents as a reader sees them; passages come from the index,
where ingest has cleaned the PDF text (hyphen breaks joined, page numbers and footnote digits
removed, curly quotes kept or straightened). Both are therefore compared on a canonical form,
`normalise(text)`:

1. superscript digits are dropped and the text is NFKC-folded ("ﬁ" -> "fi") and lowercased;
2. curly quotes and dashes become plain ones; apostrophes inside words are dropped
   ("children’s" -> "childrens");
3. a hyphen between letters is dropped, with any line break after it ("multi-\\nagency" and
   "multi-agency" -> "multiagency");
4. a footnote number (1-3 digits) glued to a word of 3+ letters or its punctuation is dropped
   ("borough.1 This" -> "borough this"; "M62" is kept);
5. everything but letters and digits becomes a single space.

A passage matches a quote when, after normalising both,

* the quote occurs in the passage as a run of whole words, or
* the passage covers most of the quote: at least `threshold` (default 0.8) of the quote's word
  4-grams occur in the passage; for a quote under 8 words, whose 4-grams are too few to share,
  the longest common subsequence of its words with a window of the passage a few words longer
  than the quote covers at least `threshold` of its words. The window keeps a short quote from
  "matching" words scattered across a long passage.

Everything below that needs "is this the gold evidence?" uses `matches`, so one rule decides.

Retrieval metrics are undefined (None) for a question without gold quotes, answer metrics are
None when what they need is missing; `summarise` skips None values in its means and reports how
many questions each mean is over.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from evals.modes import generation_figures
from evals.questions import Question

DEFAULT_THRESHOLD = 0.8
RANK_CUTOFF = 10  # MRR and nDCG look at the top 10 whatever k is

# Pass rules of the per-question `passed` flags: metric -> (comparison, bound). Metrics without a
# rule (hit_at_1, mrr_at_10, ndcg_at_10, answer_words, latency_ms) are graded or diagnostic: they
# are reported and gated as run means, but one question's value is not a pass or a fail.
PASS_RULES: dict[str, tuple[str, float]] = {
    "hit_at_k": ("==", 1.0),  # some gold passage is among the k shown
    "quote_recall_at_k": (">=", 0.5),  # at least half of the gold quotes are among the k shown
    "key_fact_recall": (">=", 0.5),  # the answer states at least half of the key facts
    "groundedness": ("==", 1.0),  # every sentence is traceable to its cited passage (the promise)
    "citation_precision": (">=", 0.5),  # at least half of the citations are gold passages
    "abstention_correct": ("==", 1.0),  # an unanswerable question was declined
    "false_abstention": ("==", 0.0),  # an answerable question was not declined
}

# Every per-question figure, in report order.
METRICS: tuple[str, ...] = (
    "hit_at_1",
    "hit_at_k",
    "mrr_at_10",
    "ndcg_at_10",
    "quote_recall_at_k",
    "key_fact_recall",
    "groundedness",
    "citation_precision",
    "abstention_correct",
    "false_abstention",
    "answer_words",
    "latency_ms",
)


@dataclass(frozen=True)
class Passage:
    """A retrieved or cited passage: its text and the document it comes from.

    Relevance is decided on the text alone: gold is text, never chunk or document ids, so a
    re-chunked index is scored the same way (DESIGN.md). `doc_id` travels along for reports.
    """

    text: str
    doc_id: str = ""


@dataclass(frozen=True)
class Sentence:
    """One sentence of an answer with its [n] markers stripped, and the markers' numbers."""

    text: str
    markers: tuple[int, ...]


# --------------------------------------------------------------------------------------------
# Matching

_SUPERSCRIPTS = str.maketrans("", "", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_PLAIN = str.maketrans(
    {
        "‘": "'",
        "’": "'",
        "‚": "'",
        "‛": "'",
        "′": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "‐": "-",
        "‑": "-",
        "‒": "-",
        "–": "-",
        "—": "-",
        "―": "-",
        "−": "-",
        "\u00ad": "",
    }
)  # a soft hyphen is a PDF line-break artefact
_APOSTROPHE = re.compile(r"(?<=[^\W\d_])'(?=[^\W\d_])")
_HYPHEN_JOIN = re.compile(r"(?<=[^\W\d_])-\s*(?=[^\W\d_])")
# A footnote number follows a word of 3+ letters or its punctuation; "M62", "Y6" are kept.
_FOOTNOTE = re.compile(r"(?<=[^\W\d_]{3})([.,;:)]?)\d{1,3}(?=\s|$)")
_NON_WORD = re.compile(r"[\W_]+")


@lru_cache(maxsize=65536)
def normalise(text: str) -> str:
    """The canonical form gold quotes and passages are compared on (see the module docstring).

    Args:
        text: any text: a gold quote, a passage, an answer sentence, a key fact.

    Returns:
        Lowercase letters and digits separated by single spaces; "" when there are none.
    """
    text = unicodedata.normalize("NFKC", text.translate(_SUPERSCRIPTS)).lower().translate(_PLAIN)
    text = _APOSTROPHE.sub("", text)
    text = _HYPHEN_JOIN.sub("", text)
    text = _FOOTNOTE.sub(r"\1", text)
    return _NON_WORD.sub(" ", text).strip()


def _contains(haystack: str, needle: str) -> bool:
    """Whole-word containment of normalised texts ("12" is not found in "2012")."""
    return bool(needle) and f" {needle} " in f" {haystack} "


def _grams(words: Sequence[str], n: int) -> list[tuple[str, ...]]:
    return [tuple(words[i : i + n]) for i in range(len(words) - n + 1)]


def _lcs(a: Sequence[str], b: Sequence[str]) -> int:
    """Length of the longest common subsequence of two short word lists."""
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0]
        for j, y in enumerate(b):
            cur.append(prev[j] + 1 if x == y else max(prev[j + 1], cur[j]))
        prev = cur
    return prev[-1]


@lru_cache(maxsize=65536)
def matches(quote: str, passage: str, threshold: float = DEFAULT_THRESHOLD) -> bool:
    """Whether `passage` holds the gold `quote`, by the rule of the module docstring.

    Args:
        quote: a gold quote as written in the question set.
        passage: a retrieved or cited passage.
        threshold: the share of the quote's 4-grams (or, under 8 words, of its words in order)
            the passage must cover when the quote is not found whole.

    Returns:
        True when the passage matches; False for an empty quote or passage.
    """
    q, p = normalise(quote), normalise(passage)
    if not q or not p:
        return False
    if _contains(p, q):
        return True
    qw, pw = q.split(), p.split()
    if len(qw) >= 8:
        grams = set(_grams(pw, 4))
        quote_grams = _grams(qw, 4)
        return sum(g in grams for g in quote_grams) >= threshold * len(quote_grams)
    need = math.ceil(threshold * len(qw) - 1e-9)
    missing = len(qw) - need
    firsts = set(qw[: missing + 1])  # the first matched word is one of these
    window = len(qw) + 3  # room for a stray page number or footnote between quote words
    for start, word in enumerate(pw):
        if word in firsts and _lcs(qw, pw[start : start + window]) >= need:
            return True
    return False


def _covered(passages: Sequence[Passage], gold_quotes: Sequence[str], threshold: float) -> list[set[int]]:
    """Per ranked passage, the gold quotes (by index) it matches."""
    return [{i for i, q in enumerate(gold_quotes) if matches(q, p.text, threshold)} for p in passages]


# --------------------------------------------------------------------------------------------
# Retrieval: each takes the ranked passages and the gold quotes; None when there is no gold.


def hit_at(
    passages: Sequence[Passage], gold_quotes: Sequence[str], k: int, *, threshold: float = DEFAULT_THRESHOLD
) -> float | None:
    """1.0 when some passage in the top `k` matches a gold quote, else 0.0.

    Args:
        passages: retrieved passages, best first.
        gold_quotes: the question's gold quotes.
        k: how many of the top passages count.
        threshold: matching threshold (see `matches`).

    Returns:
        1.0 or 0.0; None when there are no gold quotes.
    """
    if not gold_quotes:
        return None
    return 1.0 if any(_covered(passages[:k], gold_quotes, threshold)) else 0.0


def mrr(
    passages: Sequence[Passage],
    gold_quotes: Sequence[str],
    k: int = RANK_CUTOFF,
    *,
    threshold: float = DEFAULT_THRESHOLD,
) -> float | None:
    """Reciprocal rank of the first passage in the top `k` that matches a gold quote.

    Args:
        passages: retrieved passages, best first.
        gold_quotes: the question's gold quotes.
        k: rank cutoff (10 for MRR@10).
        threshold: matching threshold (see `matches`).

    Returns:
        1/rank, 0.0 when none of the top `k` matches; None when there are no gold quotes.
    """
    if not gold_quotes:
        return None
    for rank, covered in enumerate(_covered(passages[:k], gold_quotes, threshold), start=1):
        if covered:
            return 1.0 / rank
    return 0.0


def ndcg(
    passages: Sequence[Passage],
    gold_quotes: Sequence[str],
    k: int = RANK_CUTOFF,
    *,
    threshold: float = DEFAULT_THRESHOLD,
) -> float | None:
    """Normalised discounted cumulative gain with binary gains.

    A passage gains 1 when it matches a gold quote that no higher-ranked passage matched, so a
    duplicate of a passage (or a second window onto the same evidence) counts once and the
    score never exceeds 1. The ideal ranking puts min(number of gold quotes, k) gains first.

    Args:
        passages: retrieved passages, best first.
        gold_quotes: the question's gold quotes.
        k: rank cutoff (10 for nDCG@10).
        threshold: matching threshold (see `matches`).

    Returns:
        DCG / ideal DCG in [0, 1]; None when there are no gold quotes.
    """
    if not gold_quotes:
        return None
    seen: set[int] = set()
    dcg = 0.0
    for rank, covered in enumerate(_covered(passages[:k], gold_quotes, threshold), start=1):
        if covered - seen:
            dcg += 1.0 / math.log2(rank + 1)
        seen |= covered
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(len(gold_quotes), k) + 1))
    return dcg / ideal


def quote_recall(
    passages: Sequence[Passage], gold_quotes: Sequence[str], k: int, *, threshold: float = DEFAULT_THRESHOLD
) -> float | None:
    """Share of gold quotes matched by some passage in the top `k`.

    Args:
        passages: retrieved passages, best first.
        gold_quotes: the question's gold quotes.
        k: how many of the top passages count.
        threshold: matching threshold (see `matches`).

    Returns:
        A share in [0, 1]; None when there are no gold quotes.
    """
    if not gold_quotes:
        return None
    found = set().union(*_covered(passages[:k], gold_quotes, threshold))
    return len(found) / len(gold_quotes)


# --------------------------------------------------------------------------------------------
# Answers

_MARKER = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")
# A sentence ends at . ! or ? (after any closing quote and any [n] markers) when whitespace and
# something other than a lowercase letter follow, so "e.g. the" and "3.5" do not split.
_SENTENCE_END = re.compile(r"[.!?][\"'”’)]*(?:\s*\[\d+(?:\s*,\s*\d+)*\])*(?=\s+[^\sa-z]|\s*$)")


def strip_markers(text: str) -> str:
    """The text without its [n] citation markers."""
    text = re.sub(r"[ \t]+", " ", _MARKER.sub("", text))
    return re.sub(r" (?=[.,;:!?])", "", text).strip()  # "monthly [1]." -> "monthly."


# A line that opens a document's part of an answer, "From the action plan (22 September 2020):",
# is made from the citation's own title and date, not a claim from a passage: not judged.
ATTRIBUTION = re.compile(r"^From .{3,200} \((?:\d{1,2} [A-Z][a-z]+ \d{4}|undated)\):$")
# A marker group ends a sentence: the composer writes each sentence, then its marker, then the
# next sentence, even where the source (a table cell) has no full stop.
_AFTER_MARKERS = re.compile(r"\[\d+(?:\s*,\s*\d+)*\](?:\s*\[\d+(?:\s*,\s*\d+)*\])*[.!?]?(?=\s+\S)")
_LIST_NUMBER = re.compile(r"^\d{1,2}[.)]\s+")


def split_sentences(text: str) -> list[tuple[int, Sentence]]:
    """The sentences of an answer with their markers, each with the index of its line.

    In a line with markers, a sentence is the text up to each marker group; in a line without,
    a sentence ends at a full stop (or ! ?) followed by a capital.
    Attribution lines ("From the action plan (22 September 2020):") are left out.

    Args:
        text: the answer text with [n] markers.

    Returns:
        (line index, Sentence) pairs in order. Fragments without a letter ("1.", "[2]") are not
        sentences and are left out.
    """
    out: list[tuple[int, Sentence]] = []
    for line_no, line in enumerate(text.splitlines()):
        if ATTRIBUTION.match(line.strip()):
            continue
        # With markers, the text up to each marker group is what that marker vouches for
        # (judged whole: any part of it missing from the passage fails it). Without, sentences.
        if _MARKER.search(line):
            pieces = _split_after(line, _AFTER_MARKERS)
        else:
            pieces = _split_after(line, _SENTENCE_END)
        for piece in pieces:
            body = _LIST_NUMBER.sub("", strip_markers(piece))  # "1. Next item": the number is no claim
            if not any(ch.isalpha() for ch in body):
                continue
            nums = tuple(int(n) for group in _MARKER.findall(piece) for n in re.split(r"\s*,\s*", group))
            out.append((line_no, Sentence(body, nums)))
    return out


def _split_after(text: str, pattern: re.Pattern[str]) -> list[str]:
    pieces, start = [], 0
    for m in pattern.finditer(text):
        pieces.append(text[start : m.end()])
        start = m.end()
    pieces.append(text[start:])
    return pieces


def answer_words(text: str) -> int:
    """Length of an answer in words, markers not counted."""
    return len(strip_markers(text).split())


def key_fact_recall(answer_text: str, key_facts: Sequence[str]) -> float | None:
    """Share of key facts that occur, normalised and as whole words, in the answer.

    Args:
        answer_text: the answer (markers are ignored).
        key_facts: short strings a correct answer must contain.

    Returns:
        A share in [0, 1]; None when the question has no key facts.
    """
    if not key_facts:
        return None
    answer = normalise(strip_markers(answer_text))
    return sum(_contains(answer, normalise(f)) for f in key_facts) / len(key_facts)


def groundedness(answer_text: str, cited: Mapping[int, Sequence[str]], *, abstained: bool = False) -> float | None:
    """Share of answer sentences found, normalised, in a passage cited by a marker on that sentence.

    A sentence without a marker is ungrounded. When the answer is flagged `abstained`, the
    unmarked sentences of its first line are the "documents do not cover this" boilerplate and
    are not judged; without the flag nothing is excused.

    Args:
        answer_text: the answer with [n] markers.
        cited: citation number -> the passage text(s) it points at.
        abstained: the answer's abstained flag.

    Returns:
        A share in [0, 1]; None when there is no sentence to judge (an empty answer, or an
        abstention that is only boilerplate).
    """
    judged = grounded = 0
    for line_no, sentence in split_sentences(answer_text):
        if abstained and line_no == 0 and not sentence.markers:
            continue
        judged += 1
        text = normalise(sentence.text)
        passages = [p for n in sentence.markers for p in cited.get(n, ())]
        if text and any(_contains(normalise(p), text) for p in passages):
            grounded += 1
    return grounded / judged if judged else None


def citation_precision(
    cited_passages: Sequence[str], gold_quotes: Sequence[str], *, threshold: float = DEFAULT_THRESHOLD
) -> float | None:
    """Share of citations whose passage matches a gold quote.

    Args:
        cited_passages: the passage text of each citation.
        gold_quotes: the question's gold quotes.
        threshold: matching threshold (see `matches`).

    Returns:
        A share in [0, 1]; None when there are no gold quotes or no citations.
    """
    if not gold_quotes or not cited_passages:
        return None
    return sum(any(matches(q, p, threshold) for q in gold_quotes) for p in cited_passages) / len(cited_passages)


def abstention_correct(abstained: bool | None, answerable: bool | None) -> float | None:
    """1.0 when an unanswerable question was declined, 0.0 when it was answered; None otherwise."""
    if answerable is not False or abstained is None:
        return None
    return 1.0 if abstained else 0.0


def false_abstention(abstained: bool | None, answerable: bool | None) -> float | None:
    """1.0 when an answerable question was declined, 0.0 when it was answered; None otherwise."""
    if answerable is not True or abstained is None:
        return None
    return 1.0 if abstained else 0.0


# --------------------------------------------------------------------------------------------
# One question


def passed(name: str, value: float | None) -> bool | None:
    """The pass flag of one metric value by `PASS_RULES`; None without a value or a rule."""
    if value is None or name not in PASS_RULES:
        return None
    op, bound = PASS_RULES[name]
    return value >= bound - 1e-9 if op == ">=" else abs(value - bound) < 1e-9


def score(
    question: Question, row: Mapping[str, Any], *, k: int = 5, threshold: float = DEFAULT_THRESHOLD
) -> dict[str, Any]:
    """Every metric of one answered question, and its pass flags.

    Args:
        question: the question with its gold fields.
        row: the results row so far (`Answer.to_json()` fields with `latency_ms`).
        k: passages that count for hit@k and quote recall@k.
        threshold: matching threshold (see `matches`).

    Returns:
        {metric: value or None for each of METRICS, "passed": {metric: bool or None}}.
    """
    retrieved = [Passage(h.get("text", ""), h.get("doc_id", "")) for h in row.get("retrieved", [])]
    citations = row.get("citations", [])
    cited: dict[int, list[str]] = {}
    for c in citations:
        cited.setdefault(int(c.get("n", 0)), []).append(c.get("text", ""))
    gold, text, abstained = question.gold_quotes, row.get("answer", ""), row.get("abstained")
    values: dict[str, Any] = {
        "hit_at_1": hit_at(retrieved, gold, 1, threshold=threshold),
        "hit_at_k": hit_at(retrieved, gold, k, threshold=threshold),
        "mrr_at_10": mrr(retrieved, gold, RANK_CUTOFF, threshold=threshold),
        "ndcg_at_10": ndcg(retrieved, gold, RANK_CUTOFF, threshold=threshold),
        "quote_recall_at_k": quote_recall(retrieved, gold, k, threshold=threshold),
        "key_fact_recall": key_fact_recall(text, question.key_facts),
        "groundedness": groundedness(text, cited, abstained=bool(abstained)),
        "citation_precision": citation_precision([c.get("text", "") for c in citations], gold, threshold=threshold),
        "abstention_correct": abstention_correct(abstained, question.answerable),
        "false_abstention": false_abstention(abstained, question.answerable),
        "answer_words": answer_words(text),
        "latency_ms": row.get("latency_ms"),
    }
    values = {name: (round(v, 4) if isinstance(v, float) else v) for name, v in values.items()}
    values["passed"] = {name: passed(name, values[name]) for name in PASS_RULES}
    return values


def failed(row: Mapping[str, Any]) -> bool:
    """A row fails when its answerer raised or any of its pass flags is False."""
    flags = (row.get("metrics") or {}).get("passed") or {}
    return bool(row.get("error")) or any(flag is False for flag in flags.values())


# --------------------------------------------------------------------------------------------
# A run


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0-100) by linear interpolation between closest ranks; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def _group(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The figures of a set of rows: counts, and per metric its mean, n and pass rate."""
    n_errors = sum(1 for r in rows if r.get("error"))
    figures: dict[str, Any] = {}
    for name in METRICS:
        values = [r["metrics"][name] for r in rows if (r.get("metrics") or {}).get(name) is not None]
        figure: dict[str, Any] = {"mean": round(sum(values) / len(values), 4) if values else None, "n": len(values)}
        if name in PASS_RULES:
            flags = [r["metrics"]["passed"].get(name) for r in rows if (r.get("metrics") or {}).get("passed")]
            flags = [f for f in flags if f is not None]
            figure["pass_rate"] = round(sum(flags) / len(flags), 4) if flags else None
        if name == "latency_ms":
            figure["p50"] = _round(percentile(values, 50))
            figure["p95"] = _round(percentile(values, 95))
        figures[name] = figure
    return {
        "n_questions": len(rows),
        "n_errors": n_errors,
        "error_rate": round(n_errors / len(rows), 4) if rows else 0.0,
        "n_failed": sum(1 for r in rows if failed(r)),
        "metrics": figures,
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def summarise(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Every figure of a run, overall and by question type.

    Args:
        rows: results rows, each with `type`, `error` and `metrics` as `run_eval` writes them.

    Returns:
        {"n_questions", "overall": group, "by_type": {type: group}} where a group is
        {"n_questions", "n_errors", "error_rate", "n_failed", "metrics": {metric: {"mean", "n",
        "pass_rate" (metrics with a pass rule), "p50", "p95" (latency_ms)}}}. Means skip None
        values; `n` says how many questions a mean is over. "outcomes" counts the answers'
        outcomes (answered, partial, not_covered) by the answer type the question asked for,
        separately for answerable and unanswerable questions.
    """
    types = sorted({str(r.get("type", "unlabelled")) for r in rows})
    outcomes: dict[str, dict[str, dict[str, int]]] = {}
    for r in rows:
        if r.get("outcome"):
            side = "unanswerable" if r.get("type") == "unanswerable" else "answerable"
            by = outcomes.setdefault(side, {}).setdefault(str(r.get("answer_type", "")), {})
            by[r["outcome"]] = by.get(r["outcome"], 0) + 1
    return {
        "n_questions": len(rows),
        "overall": _group(rows),
        "by_type": {t: _group([r for r in rows if r.get("type", "unlabelled") == t]) for t in types},
        "outcomes": outcomes,
        "generation": generation_figures(rows),  # the LLM mode's sentence counts (evals/modes.py)
    }
