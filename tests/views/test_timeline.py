"""The timeline on the real corpus: documents in date order with kinds, dates, judgements and
quoted key findings; the chart's judgement points; the council filter and the CLI verb."""

from __future__ import annotations

import json

import pytest

from assistant.core.errors import AssistantError
from assistant.store import open_index
from assistant.views.timeline import timeline
from conftest import run_cli


@pytest.fixture(scope="module")
def index(corpus_index):
    return open_index(corpus_index.settings, with_collection=False)


@pytest.fixture(scope="module")
def sefton(index, corpus_index):
    return timeline(index, "Sefton", settings=corpus_index.settings)


def test_documents_in_date_order_undated_last(sefton):
    ids = [e.doc.doc_id for e in sefton.entries]
    assert ids[:2] == ["sefton-ofsted-inspection-2016", "sefton-jtai-letter-2019"]
    assert ids.index("sefton-ilacs-2022") < ids.index("sefton-ilacs-2025")
    assert ids[-1] == "sefton-cqc-health-review"  # undated
    dated = [e.doc.published for e in sefton.entries if e.doc.published]
    assert dated == sorted(dated) and len(dated) == len(ids) - 1
    kinds = {e.doc.doc_id: e.kind_label for e in sefton.entries}
    assert "Joint targeted area inspection" in kinds["sefton-jtai-letter-2019"]


def test_overall_judgements_of_2022_and_2025(sefton):
    docs = {e.doc.doc_id: e.doc for e in sefton.entries}
    assert docs["sefton-ilacs-2022"].judgement("Overall effectiveness") == "Inadequate"
    assert docs["sefton-ilacs-2025"].judgement("Overall effectiveness") == "Good"
    assert docs["sefton-ofsted-inspection-2016"].judgement("Local Safeguarding Children Board") == "Inadequate"
    overall = [(p.date[:4], p.grade, p.score) for p in sefton.points if p.area == "Overall effectiveness"]
    assert overall == [("2016", "Requires improvement to be good", 2), ("2022", "Inadequate", 1), ("2025", "Good", 3)]
    assert {p.doc_id for p in sefton.points} == {
        "sefton-ofsted-inspection-2016",
        "sefton-ilacs-2022",
        "sefton-ilacs-2025",
    }


def test_three_to_five_key_findings_each_verbatim(sefton, corpus_index):
    for entry in sefton.entries:
        assert 3 <= len(entry.findings) <= 5, entry.doc.doc_id
        for c in entry.findings:
            assert c.chunk.doc_id == entry.doc.doc_id
            assert c.sentences and all(s in c.chunk.passage for s in c.sentences)
    ilacs_2022 = next(e for e in sefton.entries if e.doc.doc_id == "sefton-ilacs-2022")
    assert all("improve" in c.chunk.section.lower() for c in ilacs_2022.findings)


def test_council_filter(index, sefton):
    assert [e.doc.doc_id for e in timeline(index).entries] == [e.doc.doc_id for e in sefton.entries]
    assert len(timeline(index, "Sefton Metropolitan Borough Council").entries) == len(sefton.entries)
    with pytest.raises(AssistantError, match="Sefton"):
        timeline(index, "Leeds City Council")


def test_cli_timeline(corpus_index):
    done = run_cli("timeline", "--json", "--council", "Sefton", "--index-dir", corpus_index.index_dir)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    docs = {d["doc_id"]: d for d in data["documents"]}
    assert docs["sefton-ilacs-2025"]["judgements"]["Overall effectiveness"] == "Good"
    assert all(f["quote"] in f["text"] for d in data["documents"] for f in d["findings"])
    done = run_cli("timeline", "--council", "Nowhere", "--index-dir", corpus_index.index_dir)
    assert done.returncode == 2 and "use one of Sefton" in done.stderr
