"""The timeline on the real corpus: documents in date order with kinds, dates, judgements and
quoted key findings; the chart's judgement points, each under its taxonomy area and linked to the
passage that gives it; one group per council; the council filter and the CLI verb."""

from __future__ import annotations

import json

import pytest

from assistant.core.errors import AssistantError
from assistant.core.types import NO_COUNCIL, DocumentInfo, TimelineGroup
from assistant.store import open_index
from assistant.views.council_reports import by_council
from assistant.views.timeline import timeline, timeline_json
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


def test_each_judgement_links_to_its_grid_on_its_page(sefton):
    ilacs = next(e for e in sefton.entries if e.doc.doc_id == "sefton-ilacs-2022")
    assert [p.area for p in ilacs.judgements] == [
        "Impact of leaders",
        "Children who need help and protection",
        "Children in care",  # "... children in care and care leavers": one grade, filed here
        "Overall effectiveness",
    ]
    for point in ilacs.judgements:
        assert point.source is not None and point.source.chunk.kind == "judgement" and point.page == 1
        quote = point.source.sentences[0]
        assert quote in point.source.chunk.passage and quote.startswith(point.wording) and quote.endswith(point.grade)
    # A manifest's wording the text does not hold: the first passage naming it, else the document's opening.
    sif = next(e for e in sefton.entries if e.doc.doc_id == "sefton-ofsted-inspection-2016")
    lscb = next(p for p in sif.judgements if p.area_id == "lscb")
    assert lscb.area == "Local Safeguarding Children Board" and lscb.wording.startswith("Review of")
    assert lscb.source is not None and lscb.source.chunk.doc_id == "sefton-ofsted-inspection-2016"


def test_no_council_given_one_group_per_council_and_no_line_across(reports_index):
    index = open_index(reports_index.settings, with_collection=False)
    result = timeline(index, settings=reports_index.settings)
    labels = [g.label for g in result.groups]
    councils = {d.local_authority for d in index.docs.values() if d.local_authority}
    assert labels == sorted(councils, key=str.casefold)  # every council read, alphabetical
    for group in result.groups:
        mine = {e.doc.doc_id for e in group.entries}
        assert {e.doc.local_authority for e in group.entries} == {group.council}
        assert {p.doc_id for p in group.points} <= mine  # a group's lines join its own reports only
    # Two councils with reports of two frameworks: each its own group, the areas under one label.
    barnsley = next(g for g in result.groups if g.council == "Barnsley")
    in_care = [p for p in barnsley.points if p.area_id == "children_in_care"]
    assert [p.date[:4] for p in in_care] == ["2014", "2018"]
    assert in_care[0].wording.startswith("Children looked after")  # SIF, 2014
    assert in_care[1].wording.startswith("The experiences and progress of children in care")  # ILACS, 2018
    assert len({p.area for p in in_care}) == 1
    blackpool = next(g for g in result.groups if g.council == "Blackpool")
    assert not {p.doc_id for p in blackpool.points} & {p.doc_id for p in barnsley.points}
    assert result.entries == tuple(e for g in result.groups for e in g.entries)
    data = timeline_json(result)
    assert [g["label"] for g in data["groups"]] == labels
    assert {d["doc_id"] for d in data["documents"]} == set(index.docs)
    point = data["groups"][0]["judgements"][0]
    assert {"date", "doc_id", "area", "grade", "score", "area_id", "wording", "council", "page", "source"} <= set(point)


def test_documents_of_no_council_read_are_one_group_last():
    docs = [
        DocumentInfo("b", "b.pdf", "B", local_authority="Sefton"),
        DocumentInfo("a", "a.pdf", "A", local_authority=""),
        DocumentInfo("c", "c.pdf", "C", local_authority="Sefton Metropolitan Borough Council"),
        DocumentInfo("d", "d.pdf", "D", local_authority="Anytown"),
        DocumentInfo("e", "e.pdf", "E", local_authority="Sefton"),
    ]
    groups = by_council(docs)
    assert [(name, [d.doc_id for d in members]) for name, members in groups] == [
        ("Anytown", ["d"]),
        ("Sefton", ["b", "c", "e"]),  # one council however its documents spell it
        ("", ["a"]),
    ]
    assert TimelineGroup("", (), ()).label == NO_COUNCIL == "council not read"
