"""Checks on the known-question evaluation set, evals/questions.jsonl.

Standard library only: the set is checked against the corpus text as listed in
corpus/manifest.toml, without importing any project code.
"""

import json
import re
import tomllib
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "evals" / "questions.jsonl"
MANIFEST = ROOT / "corpus" / "manifest.toml"

ALLOWED_TYPES = {
    "lookup", "list", "numeric", "action_status", "cross_doc", "acronym", "unanswerable", "trainer",
}
REQUIRED_FIELDS = {
    "id": str, "question": str, "type": str, "docs": list,
    "gold_quotes": list, "key_facts": list, "answer": str,
}
MIN_QUESTIONS = 100
MIN_UNANSWERABLE = 10


def normalise(text):
    """Collapse every run of whitespace (blank lines included) to one space and strip."""
    return re.sub(r"\s+", " ", text).strip()


def report(problems, what):
    """One line per problem, each naming its question id."""
    return f"{len(problems)} question(s) {what}:\n  " + "\n  ".join(problems)


@lru_cache(maxsize=None)
def raw_lines():
    assert QUESTIONS.is_file(), f"missing {QUESTIONS}"
    return QUESTIONS.read_text(encoding="utf-8").splitlines()


@lru_cache(maxsize=None)
def questions():
    """Parsed records; lines that do not parse are skipped here and reported by their own test."""
    records = []
    for line in raw_lines():
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(record, dict):
            records.append(record)
    return records


def qid(record):
    return record.get("id", "<no id>")


def answerable(record):
    return record.get("type") != "unanswerable"


@lru_cache(maxsize=None)
def manifest_documents():
    data = tomllib.loads(MANIFEST.read_text(encoding="utf-8"))
    return data["document"]


@lru_cache(maxsize=None)
def corpus_texts():
    """Whitespace-normalised text of each document, keyed by its manifest id."""
    texts = {}
    for doc in manifest_documents():
        path = MANIFEST.parent / doc["file"]
        if not path.is_file():
            path = ROOT / doc["file"]
        assert path.is_file(), f"manifest document {doc['id']!r}: file {doc['file']!r} not found"
        texts[doc["id"]] = normalise(path.read_text(encoding="utf-8"))
    return texts


# ---------------------------------------------------------------- structure


def test_every_line_parses():
    problems = []
    for number, line in enumerate(raw_lines(), 1):
        if not line.strip():
            problems.append(f"line {number}: blank line")
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            problems.append(f"line {number}: not JSON ({error})")
            continue
        if not isinstance(record, dict):
            problems.append(f"line {number}: not a JSON object")
    assert not problems, report(problems, "on lines that do not parse")


def test_required_fields_and_types():
    problems = []
    for record in questions():
        for field, kind in REQUIRED_FIELDS.items():
            if field not in record:
                problems.append(f"{qid(record)}: missing field {field!r}")
            elif not isinstance(record[field], kind):
                problems.append(f"{qid(record)}: field {field!r} should be {kind.__name__}")
        for field in ("docs", "gold_quotes", "key_facts"):
            values = record.get(field)
            if isinstance(values, list) and not all(isinstance(v, str) and v.strip() for v in values):
                problems.append(f"{qid(record)}: {field} must hold non-empty strings")
        if isinstance(record.get("question"), str) and not record["question"].strip():
            problems.append(f"{qid(record)}: empty question")
        if isinstance(record.get("answer"), str) and not record["answer"].strip():
            problems.append(f"{qid(record)}: empty answer")
    assert not problems, report(problems, "with missing or mistyped fields")


def test_ids_unique():
    seen = {}
    problems = []
    for number, record in enumerate(questions(), 1):
        ident = qid(record)
        if ident in seen:
            problems.append(f"{ident}: used by record {seen[ident]} and record {number}")
        else:
            seen[ident] = number
    assert not problems, report(problems, "with duplicate ids")


def test_types_allowed():
    problems = [f"{qid(r)}: type {r.get('type')!r}" for r in questions() if r.get("type") not in ALLOWED_TYPES]
    assert not problems, report(problems, f"with a type outside {sorted(ALLOWED_TYPES)}")


def test_docs_are_manifest_ids():
    known = {doc["id"] for doc in manifest_documents()}
    problems = []
    for record in questions():
        for doc in record.get("docs", []):
            if doc not in known:
                problems.append(f"{qid(record)}: unknown document id {doc!r}")
        if len(record.get("docs", [])) != len(set(record.get("docs", []))):
            problems.append(f"{qid(record)}: a document is listed twice in docs")
    assert not problems, report(problems, "naming documents not in corpus/manifest.toml")


# ---------------------------------------------------------------- coverage


def test_at_least_100_questions():
    count = len(questions())
    assert count >= MIN_QUESTIONS, f"only {count} questions; need at least {MIN_QUESTIONS}"


def test_at_least_10_unanswerable():
    count = sum(1 for r in questions() if r.get("type") == "unanswerable")
    assert count >= MIN_UNANSWERABLE, f"only {count} unanswerable questions; need at least {MIN_UNANSWERABLE}"


def test_every_type_present():
    present = {r.get("type") for r in questions()}
    missing = sorted(ALLOWED_TYPES - present)
    assert not missing, f"no question of type(s): {missing}"


def test_every_manifest_document_used():
    used = {doc for r in questions() for doc in r.get("docs", [])}
    missing = sorted({doc["id"] for doc in manifest_documents()} - used)
    assert not missing, f"manifest document(s) named in no question's docs: {missing}"


# ---------------------------------------------------------------- evidence


def test_answerable_questions_have_evidence():
    problems = []
    for record in filter(answerable, questions()):
        if not record.get("docs"):
            problems.append(f"{qid(record)}: empty docs")
        if not 1 <= len(record.get("gold_quotes", [])) <= 3:
            problems.append(f"{qid(record)}: {len(record.get('gold_quotes', []))} gold quotes (want 1-3)")
        if not 1 <= len(record.get("key_facts", [])) <= 4:
            problems.append(f"{qid(record)}: {len(record.get('key_facts', []))} key facts (want 1-4)")
    assert not problems, report(problems, "without the evidence an answerable question needs")


def test_gold_quote_length():
    problems = []
    for record in questions():
        for quote in record.get("gold_quotes", []):
            words = len(normalise(quote).split())
            if not 8 <= words <= 60:
                problems.append(f"{qid(record)}: quote of {words} words (want 8-60): {quote[:70]!r}")
    assert not problems, report(problems, "with gold quotes of the wrong length")


def test_gold_quotes_occur_in_named_documents():
    texts = corpus_texts()
    problems = []
    for record in questions():
        named = [doc for doc in record.get("docs", []) if doc in texts]
        for quote in record.get("gold_quotes", []):
            needle = normalise(quote)
            if not any(needle in texts[doc] for doc in named):
                elsewhere = [doc for doc, text in texts.items() if needle in text and doc not in named]
                hint = f" (found in {elsewhere}, not in docs)" if elsewhere else ""
                problems.append(f"{qid(record)}: quote not found in {named}{hint}: {quote[:80]!r}")
    assert not problems, report(problems, "with gold quotes that are not verbatim in their documents")


def test_key_facts_occur_in_gold_quotes():
    problems = []
    for record in questions():
        quotes = [normalise(q).casefold() for q in record.get("gold_quotes", [])]
        for fact in record.get("key_facts", []):
            if not any(normalise(fact).casefold() in quote for quote in quotes):
                problems.append(f"{qid(record)}: key fact {fact!r} is in none of its gold quotes")
    assert not problems, report(problems, "with key facts missing from their gold quotes")


def test_key_fact_length():
    problems = []
    for record in questions():
        for fact in record.get("key_facts", []):
            words = len(normalise(fact).split())
            if not 1 <= words <= 6:
                problems.append(f"{qid(record)}: key fact of {words} words (want 1-6): {fact!r}")
    assert not problems, report(problems, "with key facts of the wrong length")


def test_unanswerable_questions_have_no_evidence():
    problems = []
    for record in questions():
        if record.get("type") != "unanswerable":
            continue
        for field in ("docs", "gold_quotes", "key_facts"):
            if record.get(field):
                problems.append(f"{qid(record)}: unanswerable but {field} is not empty")
    assert not problems, report(problems, "marked unanswerable yet carrying evidence")
