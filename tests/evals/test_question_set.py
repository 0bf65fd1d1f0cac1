"""Checks on the question sets: every set's records, coverage, and gold quotes verbatim in the
documents they name.

The sets, each a tuning and a held-out part: the Sefton set (evals/sets/corpus/) over corpus/,
and the "reports" set (evals/sets/reports/) over the documents its corpus.toml lists
(real national reports without manifest entries, by file stem, and Sefton's newest two). Gold
quotes are looked for in a document's text as the project reads it (a PDF through the layout
reader and cleaner, as passages are) and, for text files, also as written.
"""

import json
import re
import tomllib
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = ROOT / "corpus" / "manifest.toml"
EVALS = ROOT / "evals"
SETS = {
    # name: (question files, least questions, least unanswerable, corpus.toml or None for corpus/)
    "corpus": ((EVALS / "sets" / "corpus" / "tune.jsonl", EVALS / "sets" / "corpus" / "heldout.jsonl"), 100, 10, None),
    "reports": (
        (EVALS / "sets" / "reports" / "tune.jsonl", EVALS / "sets" / "reports" / "heldout.jsonl"),
        60,
        10,
        EVALS / "sets" / "reports" / "corpus.toml",
    ),
}

ALLOWED_TYPES = {
    "lookup",
    "list",
    "numeric",
    "action_status",
    "cross_doc",
    "acronym",
    "unanswerable",
    "trainer",
}
REQUIRED_FIELDS = {
    "id": str,
    "question": str,
    "type": str,
    "docs": list,
    "gold_quotes": list,
    "key_facts": list,
    "answer": str,
}


def normalise(text):
    """Collapse every run of whitespace (blank lines included) to one space and strip."""
    return re.sub(r"\s+", " ", text).strip()


def report(problems, what):
    """One line per problem, each naming its question id."""
    return f"{len(problems)} question(s) {what}:\n  " + "\n  ".join(problems)


@cache
def raw_lines(name):
    """(file:line, text) of every line of the set's files."""
    lines = []
    for path in SETS[name][0]:
        assert path.is_file(), f"missing {path}"
        text = path.read_text(encoding="utf-8")
        lines += [(f"{path.name}:{n}", line) for n, line in enumerate(text.splitlines(), 1)]
    return tuple(lines)


@cache
def questions(name):
    """Parsed records; lines that do not parse are skipped here and reported by their own test."""
    records = []
    for _, line in raw_lines(name):
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


@cache
def set_documents(name):
    """Document id -> file of the set's corpus: corpus/manifest.toml's entries, or the files of
    its corpus.toml (by manifest id where corpus/ has one, else by file stem)."""
    entries = tomllib.loads(MANIFEST.read_text(encoding="utf-8"))["document"]
    by_file = {doc["file"]: doc["id"] for doc in entries}
    spec = SETS[name][3]
    if spec is None:
        return {doc_id: MANIFEST.parent / file for file, doc_id in by_file.items()}
    files = [(ROOT / f).resolve() for f in tomllib.loads(spec.read_text(encoding="utf-8"))["files"]]
    return {by_file.get(f.name, f.stem): f for f in files}


@cache
def document_texts(path):
    """Whitespace-normalised texts of a document: as the project cleans it, and as written."""
    from assistant.core.settings import Settings
    from ingest.clean import clean_document
    from ingest.load import load_documents

    assert path.is_file(), f"{path} not found"
    documents, errors = load_documents(path.parent, [path], Settings(corpus_dir=path.parent))
    assert not errors, errors
    texts = [normalise(clean_document(documents[0]).text)]
    if path.suffix in (".txt", ".md"):
        texts.append(normalise(path.read_text(encoding="utf-8")))
    return tuple(texts)


# ---------------------------------------------------------------- structure


@pytest.mark.parametrize("name", SETS)
def test_every_line_parses(name):
    problems = []
    for number, line in raw_lines(name):
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


@pytest.mark.parametrize("name", SETS)
def test_required_fields_and_types(name):
    problems = []
    for record in questions(name):
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


@pytest.mark.parametrize("name", SETS)
def test_ids_unique(name):
    seen = {}
    problems = []
    for number, record in enumerate(questions(name), 1):
        ident = qid(record)
        if ident in seen:
            problems.append(f"{ident}: used by record {seen[ident]} and record {number}")
        else:
            seen[ident] = number
    assert not problems, report(problems, "with duplicate ids")


@pytest.mark.parametrize("name", SETS)
def test_types_allowed(name):
    problems = [f"{qid(r)}: type {r.get('type')!r}" for r in questions(name) if r.get("type") not in ALLOWED_TYPES]
    assert not problems, report(problems, f"with a type outside {sorted(ALLOWED_TYPES)}")


@pytest.mark.parametrize("name", SETS)
def test_docs_are_manifest_ids(name):
    known = set(set_documents(name))
    problems = []
    for record in questions(name):
        for doc in record.get("docs", []):
            if doc not in known:
                problems.append(f"{qid(record)}: unknown document id {doc!r}")
        if len(record.get("docs", [])) != len(set(record.get("docs", []))):
            problems.append(f"{qid(record)}: a document is listed twice in docs")
    assert not problems, report(problems, "naming documents not in corpus/manifest.toml")


# ---------------------------------------------------------------- coverage


@pytest.mark.parametrize("name", SETS)
def test_at_least_100_questions(name):
    count = len(questions(name))
    assert count >= SETS[name][1], f"only {count} questions; need at least {SETS[name][1]}"


@pytest.mark.parametrize("name", SETS)
def test_at_least_10_unanswerable(name):
    count = sum(1 for r in questions(name) if r.get("type") == "unanswerable")
    assert count >= SETS[name][2], f"only {count} unanswerable questions; need at least {SETS[name][2]}"


@pytest.mark.parametrize("name", SETS)
def test_every_type_present(name):
    present = {r.get("type") for r in questions(name)}
    missing = sorted(ALLOWED_TYPES - present)
    assert not missing, f"no question of type(s): {missing}"


@pytest.mark.parametrize("name", SETS)
def test_every_manifest_document_used(name):
    used = {doc for r in questions(name) for doc in r.get("docs", [])}
    missing = sorted(set(set_documents(name)) - used)
    assert not missing, f"manifest document(s) named in no question's docs: {missing}"


# ---------------------------------------------------------------- evidence


@pytest.mark.parametrize("name", SETS)
def test_answerable_questions_have_evidence(name):
    problems = []
    for record in filter(answerable, questions(name)):
        if not record.get("docs"):
            problems.append(f"{qid(record)}: empty docs")
        if not 1 <= len(record.get("gold_quotes", [])) <= 3:
            problems.append(f"{qid(record)}: {len(record.get('gold_quotes', []))} gold quotes (want 1-3)")
        if not 1 <= len(record.get("key_facts", [])) <= 4:
            problems.append(f"{qid(record)}: {len(record.get('key_facts', []))} key facts (want 1-4)")
    assert not problems, report(problems, "without the evidence an answerable question needs")


@pytest.mark.parametrize("name", SETS)
def test_gold_quote_length(name):
    problems = []
    for record in questions(name):
        for quote in record.get("gold_quotes", []):
            words = len(normalise(quote).split())
            if not 8 <= words <= 60:
                problems.append(f"{qid(record)}: quote of {words} words (want 8-60): {quote[:70]!r}")
    assert not problems, report(problems, "with gold quotes of the wrong length")


@pytest.mark.parametrize("name", SETS)
def test_gold_quotes_occur_in_named_documents(name):
    files = set_documents(name)
    problems = []
    for record in questions(name):
        named = [doc for doc in record.get("docs", []) if doc in files]
        for quote in record.get("gold_quotes", []):
            needle = normalise(quote)
            if not any(needle in text for doc in named for text in document_texts(files[doc])):
                problems.append(f"{qid(record)}: quote not found in {named}: {quote[:80]!r}")
    assert not problems, report(problems, "with gold quotes that are not verbatim in their documents")


@pytest.mark.parametrize("name", SETS)
def test_key_facts_occur_in_gold_quotes(name):
    problems = []
    for record in questions(name):
        quotes = [normalise(q).casefold() for q in record.get("gold_quotes", [])]
        for fact in record.get("key_facts", []):
            if not any(normalise(fact).casefold() in quote for quote in quotes):
                problems.append(f"{qid(record)}: key fact {fact!r} is in none of its gold quotes")
    assert not problems, report(problems, "with key facts missing from their gold quotes")


@pytest.mark.parametrize("name", SETS)
def test_key_fact_length(name):
    problems = []
    for record in questions(name):
        for fact in record.get("key_facts", []):
            words = len(normalise(fact).split())
            if not 1 <= words <= 6:
                problems.append(f"{qid(record)}: key fact of {words} words (want 1-6): {fact!r}")
    assert not problems, report(problems, "with key facts of the wrong length")


@pytest.mark.parametrize("name", SETS)
def test_unanswerable_questions_have_no_evidence(name):
    problems = []
    for record in questions(name):
        if record.get("type") != "unanswerable":
            continue
        for field in ("docs", "gold_quotes", "key_facts"):
            if record.get(field):
                problems.append(f"{qid(record)}: unanswerable but {field} is not empty")
    assert not problems, report(problems, "marked unanswerable yet carrying evidence")
