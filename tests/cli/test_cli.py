"""The `assistant` command on the real index, run in process by click's CliRunner: output, exit
status and the one-line errors, as a user sees them."""

from __future__ import annotations

import json
import re

import pytest

from assistant.store import open_index
from conftest import invoke_cli

DOCS = (
    "sefton-cqc-health-review",
    "sefton-ilacs-2022",
    "sefton-ilacs-2025",
    "sefton-jtai-action-plan-2020",
    "sefton-jtai-letter-2019",
    "sefton-jtai-scrutiny-report-2020",
    "sefton-ofsted-inspection-2016",
)


@pytest.fixture(scope="module")
def index_dir(corpus_index):
    return corpus_index.settings.index_dir


@pytest.fixture(scope="module")
def chunk_counts(corpus_index) -> dict[str, int]:
    index = open_index(corpus_index.settings, with_collection=False)
    return {doc_id: sum(1 for c in index.chunks if c.doc_id == doc_id) for doc_id in DOCS}


def test_docs_lists_every_document_with_chunk_counts(index_dir, chunk_counts):
    done = invoke_cli("docs", "--index-dir", index_dir)
    assert done.returncode == 0, done.stderr
    for doc_id, count in chunk_counts.items():
        line = next((ln for ln in done.stdout.splitlines() if ln.startswith(doc_id + " ")), None)
        assert line is not None, (doc_id, done.stdout)
        assert re.search(rf"\b{count} chunks\b", line), line
    assert f"{len(DOCS)} documents, {sum(chunk_counts.values())} chunks" in done.stdout

    done = invoke_cli("docs", "--json", "--index-dir", index_dir)
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert [r["doc_id"] for r in rows] == list(DOCS)
    assert {r["doc_id"]: r["chunks"] for r in rows} == chunk_counts
    letter = next(r for r in rows if r["doc_id"] == "sefton-jtai-letter-2019")
    assert letter["doc_type"] == "jtai" and letter["published"] == "2019-12-18"


def test_docs_json_shows_every_field_read(index_dir):
    """Each field read of a real report: its kind's label, dates as written and as ISO, lead
    inspector and every judgement under its area; a field not read is empty."""
    rows = {r["doc_id"]: r for r in json.loads(invoke_cli("docs", "--json", "--index-dir", index_dir).stdout)}
    report = rows["sefton-ilacs-2022"]
    assert report["kind"].startswith("Ofsted inspection of local authority children's services")
    assert report["local_authority"] == "Sefton" and report["published"] == "2022-05-09"
    assert report["inspection_dates"] == "21 February to 4 March 2022"
    assert (report["inspection_start"], report["inspection_end"]) == ("2022-02-21", "2022-03-04")
    assert report["lead_inspector"].startswith("Lisa Summers")
    assert report["judgement"] == "Inadequate"
    assert report["judgements"] == [
        {
            "area": "impact_of_leaders",
            "label": "Impact of leaders",
            "grade": "Inadequate",
            "wording": "The impact of leaders on social work practice with children and families",
        },
        {
            "area": "help_and_protection",
            "label": "Children who need help and protection",
            "grade": "Inadequate",
            "wording": "The experiences and progress of children who need help and protection",
        },
        {
            "area": "children_in_care",
            "label": "Children in care",
            "grade": "Inadequate",
            "wording": "The experiences and progress of children in care and care leavers",
        },
        {
            "area": "overall_effectiveness",
            "label": "Overall effectiveness",
            "grade": "Inadequate",
            "wording": "Overall effectiveness",
        },
    ]
    sif = rows["sefton-ofsted-inspection-2016"]
    assert (sif["inspection_start"], sif["inspection_end"]) == ("2016-04-11", "2016-05-05")
    assert [j["area"] for j in sif["judgements"]] == ["overall_effectiveness", "lscb"]
    review = rows["sefton-cqc-health-review"]  # undated, no grid, no lead inspector read
    assert review["published"] == review["inspection_start"] == review["inspection_end"] == ""
    assert review["lead_inspector"] == "" and review["judgements"] == [] and review["judgement"] == ""
    assert {"title", "doc_type", "publisher", "notes", "file", "chunks", "passages", "in_manifest"} <= set(review)


def test_timeline_prints_each_council_apart(reports_index):
    done = invoke_cli("timeline", "--index-dir", reports_index.index_dir)
    assert done.returncode == 0, done.stderr
    heads = [ln[3:].split(":")[0] for ln in done.stdout.splitlines() if ln.startswith("== ")]
    assert len(heads) > 2 and heads == sorted(heads, key=str.casefold)
    barnsley = done.stdout.split("== Barnsley:")[1].split("\n== ")[0]
    # The SIF report's row under the area's label, with its wording and its page.
    assert (
        "Children in care: Requires improvement (as written: Children looked after and achieving permanence) [p. 1]"
        in barnsley
    )


def test_ask_json_prints_one_results_record(index_dir, corpus_index):
    question = "what's the status of action 2.2.2?"
    done = invoke_cli("ask", "--json", "--index-dir", index_dir, question)
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout)  # the whole output is one JSON object
    assert isinstance(record, dict)
    # The results contract of DESIGN.md.
    assert record["question"] == question
    assert isinstance(record["answer"], str) and record["answer"]
    assert record["abstained"] is False
    assert isinstance(record["latency_ms"], (int, float)) and record["latency_ms"] > 0
    assert record["citations"], record
    index = open_index(corpus_index.settings, with_collection=False)
    for n, citation in enumerate(record["citations"], 1):
        assert {"n", "doc_id", "title", "section", "date", "text"} <= set(citation)
        assert citation["n"] == n
        assert citation["doc_id"] in DOCS
        assert citation["title"] == index.docs[citation["doc_id"]].title
        assert citation["date"] == index.docs[citation["doc_id"]].published
        assert isinstance(citation["section"], str)
        assert citation["text"] in {c.passage for c in index.chunks if c.doc_id == citation["doc_id"]}
        assert f"[{n}]" in record["answer"]
    assert record["citations"][0]["doc_id"] == "sefton-jtai-action-plan-2020"
    assert record["citations"][0]["text"].startswith("2.2.2")
    assert record["retrieved"]
    by_id = {c.chunk_id: c for c in index.chunks}
    scores = []
    for hit in record["retrieved"]:
        assert {"doc_id", "chunk_id", "text", "score"} <= set(hit)
        chunk = by_id[hit["chunk_id"]]
        assert hit["doc_id"] == chunk.doc_id and hit["text"] == chunk.passage
        scores.append(hit["score"])
    assert scores == sorted(scores, reverse=True)
    assert record["retrieved"][0]["text"].startswith("2.2.2")


def test_ask_prints_the_answer_and_its_sources(index_dir):
    done = invoke_cli("ask", "--index-dir", index_dir, "What did inspectors say about CAMHS waiting times?")
    assert done.returncode == 0, done.stderr
    text, _, sources = done.stdout.partition("Sources:")
    assert sources, done.stdout
    assert re.search(r"\[1\]", text)
    cited = re.findall(r"(?m)^\s+\[(\d+)\] (.+)$", sources)
    assert cited and cited[0][0] == "1"
    assert all(re.search(r"\((\d{4}-\d{2}-\d{2}|undated)\)", label) for _, label in cited), cited


def test_ingest_of_an_unchanged_corpus_says_up_to_date(small_index):
    # On a copy: the session's shared index is never written by a test.
    before = (small_index.index_dir / "state.json").read_bytes()
    done = invoke_cli("ingest", "--corpus-dir", small_index.corpus_dir, "--index-dir", small_index.index_dir)
    assert done.returncode == 0, done.stderr
    assert re.match(r"Index up to date: 2 documents, \d+ chunks, nothing embedded", done.stdout), done.stdout
    assert "embedding" not in done.stderr
    assert (small_index.index_dir / "state.json").read_bytes() == before


def test_settings_lists_every_variable(index_dir):
    done = invoke_cli("settings", "--index-dir", index_dir)
    assert done.returncode == 0, done.stderr
    assert f"ASSISTANT_INDEX_DIR={index_dir}" in done.stdout
    for name in ("ASSISTANT_CORPUS_DIR", "ASSISTANT_CHROMA_HOST", "ASSISTANT_EMBED_MAX_TOKENS", "ASSISTANT_TOP_K"):
        assert re.search(rf"(?m)^{name}=", done.stdout), name


def test_settings_never_prints_a_secret(tmp_path):
    """A user pasting `assistant settings` into a ticket must not paste the LLM key or the login password."""
    done = invoke_cli(
        "settings",
        "--index-dir",
        tmp_path,
        env={"ASSISTANT_LLM_API_KEY": "sk-secret-123", "ASSISTANT_AUTH_PASSWORD": "hunter2-pw"},
    )
    assert done.returncode == 0, done.stderr
    assert "sk-secret-123" not in done.stdout and "hunter2-pw" not in done.stdout
    assert "ASSISTANT_LLM_API_KEY=(set, not shown)" in done.stdout
    assert "ASSISTANT_AUTH_PASSWORD=(set, not shown)" in done.stdout


VERBS = (
    "ingest",
    "docs",
    "timeline",
    "judgements",
    "actions",
    "ask",
    "chat",
    "serve",
    "eval",
    "eval run",
    "eval diff",
    "feedback",
    "settings",
)


def test_every_verb_has_an_example_in_its_help():
    from cli import assistant

    assert {name for name in assistant.commands} | {"eval run", "eval diff"} == set(VERBS)
    for verb in VERBS:
        done = invoke_cli(*verb.split(), "--help")
        assert done.returncode == 0, (verb, done.stderr)
        assert re.search(rf"(?m)^\s+(example: )?assistant {verb} ", done.stdout), (verb, done.stdout)
    done = invoke_cli()
    assert done.returncode == 0 and "Commands:" in done.stdout


@pytest.mark.parametrize(
    "args, words",
    [
        (("ask", "--nope", "x"), ["No such option '--nope'", "(see 'assistant ask --help')"]),
        (("frobnicate",), ["No such command 'frobnicate'", "'assistant --help'"]),
        (("serve", "--port", "0"), ["'--port'", "1<=x<=65535"]),
        (("eval", "diff", "/no/run-a", "/no/run-b"), ["no run at /no/run-a", "assistant eval run --out"]),
        (("eval", "--questions", "/no/set.jsonl"), ["no question set at /no/set.jsonl"]),  # eval alone is eval run
        (("docs", "--index-dir", "/no/index"), ["No index at /no/index/", "run 'assistant ingest' first"]),
    ],
)
def test_every_error_is_one_line_that_says_the_fix(args, words):
    done = invoke_cli(*args)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1 and lines[0].startswith("error: "), (done.returncode, done.stderr)
    assert all(w in lines[0] for w in words), lines[0]
    assert done.stdout == ""


@pytest.mark.parametrize("variable, value", [("ASSISTANT_TOP_K", "0"), ("ASSISTANT_TRACE_PAIRING", "median")])
def test_a_bad_setting_is_one_line_naming_it(tmp_path, variable, value):
    done = invoke_cli("docs", "--index-dir", tmp_path, env={variable: value})
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(f"error: {variable}={value!r} is not allowed") and done.stderr.count("\n") == 1
