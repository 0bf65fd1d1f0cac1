"""Questions across councils, on a national sample: ten real reports of ../shared/national/.

The sample is picked by rows of the folder's catalogue.csv: children's services inspections
judged inadequate, requires improvement, good and outstanding, and area SEND inspections (which
have no overall judgement). It is indexed once per session with the real model and Chroma store,
as a user's `assistant ingest` over those files would (no manifest: every fact is read from the
reports). Expectations come from what the index records about each report, not from this file.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from assistant.answering.pipeline import answer
from assistant.core.settings import Settings
from assistant.core.types import Filters, council_key
from assistant.store import open_index
from conftest import CORPUS, BuiltIndex, run_cli

NATIONAL = Path(__file__).resolve().parents[3] / "shared" / "national"
# Rows of catalogue.csv (its `file` column): overall judgements of every grade, and both folders.
SAMPLE = (
    "childrens-services/peterborough-childrens-services-2024-01-30.pdf",
    "childrens-services/harrow-childrens-services-2025-03-04.pdf",
    "childrens-services/stoke-on-trent-childrens-services-2025-07-15.pdf",
    "childrens-services/reading-childrens-services-2024-07-12.pdf",
    "childrens-services/bath-and-north-east-somerset-childrens-services-2025-08-05.pdf",
    "childrens-services/windsor-maidenhead-childrens-services-2024-11-19.pdf",
    "childrens-services/bromley-childrens-services-2024-01-12.pdf",
    "area-send/bedford-area-send-2025-02-04.pdf",
    "area-send/bexley-area-send-2024-02-23.pdf",
    "area-send/hartlepool-area-send-2023-05-16.pdf",
)


@pytest.fixture(scope="session")
def catalogue_rows() -> list[dict[str, str]]:
    with (NATIONAL / "catalogue.csv").open(encoding="utf-8", newline="") as f:
        rows = {row["file"]: row for row in csv.DictReader(f)}
    assert set(SAMPLE) <= set(rows), set(SAMPLE) - set(rows)
    return [rows[name] for name in SAMPLE]


@pytest.fixture(scope="session")
def national_index(tmp_path_factory, catalogue_rows) -> BuiltIndex:
    """The sample indexed once per session (no manifest, no home council)."""
    from ingest.index import build_index

    base = tmp_path_factory.mktemp("national")
    corpus_dir = base / "corpus"
    for row in catalogue_rows:
        target = corpus_dir / row["file"]
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(NATIONAL / row["file"], target)
    settings = Settings(corpus_dir=corpus_dir, index_dir=base / "index", feedback_db=base / "feedback.sqlite3")
    report = build_index(settings, progress=False)
    assert not report.errors, [str(e) for e in report.errors]
    return BuiltIndex(settings=settings, corpus_dir=corpus_dir, report=report)


@pytest.fixture(scope="module")
def live(national_index):
    settings = national_index.settings
    return settings, open_index(settings)


@pytest.fixture(scope="module")
def councils(live, catalogue_rows) -> dict[str, str]:
    """Council as the catalogue writes it ("windsor & maidenhead") -> the index's council key,
    for every sampled report; each must be recognised as the council the catalogue says."""
    _, index = live
    by_file = {Path(info.file).name: info for info in index.docs.values()}
    out = {}
    for row in catalogue_rows:
        info = by_file[Path(row["file"]).name]
        assert info.council == council_key(row["council"]), (row["council"], info.local_authority)
        out[row["council"]] = info.council
    return out


def _ask(live, question: str, **kwargs):
    settings, index = live
    return answer(question, settings=kwargs.pop("settings", settings), index=index, **kwargs)


def _cited_councils(index, result) -> list[str]:
    return [index.docs[c.chunk.doc_id].council for c in result.citations]


def _catalogue_name(councils: dict[str, str], grade: str, index) -> str:
    """The catalogue's name of the council of the first sampled report with this overall judgement."""
    for name, key in councils.items():
        if any(i.council == key and i.overall_judgement == grade for i in index.docs.values()):
            return name
    raise AssertionError(f"no sampled report is judged {grade}")


def test_each_report_records_its_council_and_overall_judgement(live, councils):
    _, index = live
    grades = {info.overall_judgement for info in index.docs.values()}
    # Read from each report's judgement grid at ingest: every grade of the sample, and none for
    # the area SEND reports (they have no overall effectiveness judgement).
    assert {"Inadequate", "Requires improvement to be good", "Good", "Outstanding"} <= grades
    assert all(i.overall_judgement == "" for i in index.docs.values() if i.doc_type == "area_send")
    # Kept beside each vector, so a judgement filter is a Chroma `where`.
    stored = index.collection.get(where={"judgement": "Inadequate"}, include=["metadatas"])
    assert stored["ids"]
    assert {m["doc_id"] for m in stored["metadatas"]} == {
        d for d, i in index.docs.items() if i.overall_judgement == "Inadequate"
    }


def test_filter_by_council_answers_only_from_that_council(live, councils):
    _, index = live
    for name in ("windsor & maidenhead", "bedford"):  # written as the catalogue writes them
        result = _ask(live, "what needs to improve?", filters=Filters(councils=(name,)))
        assert result.outcome == "answered", result.text
        assert result.retrieved and result.citations
        assert {index.docs[h.chunk.doc_id].council for h in result.retrieved} == {councils[name]}
        assert set(_cited_councils(index, result)) == {councils[name]}


def test_filter_by_judgement_answers_only_from_reports_so_judged(live):
    _, index = live
    result = _ask(live, "how well are children in care supported?", filters=Filters(judgements=("inadequate",)))
    assert result.outcome == "answered", result.text
    assert {index.docs[h.chunk.doc_id].overall_judgement for h in result.retrieved} == {"Inadequate"}
    # "requires improvement" is the grid's "Requires improvement to be good"; "good" is not it.
    ri = _ask(live, "how well are children in care supported?", filters=Filters(judgements=("requires improvement",)))
    assert {index.docs[h.chunk.doc_id].overall_judgement for h in ri.retrieved} == {"Requires improvement to be good"}
    good = _ask(live, "how well are children in care supported?", filters=Filters(judgements=("good",)))
    assert {index.docs[h.chunk.doc_id].overall_judgement for h in good.retrieved} == {"Good"}


def test_cli_filters_by_council_kind_judgement_and_dates(national_index, live, councils):
    _, index = live
    index_dir = national_index.index_dir
    done = run_cli(
        "ask",
        "--json",
        "--index-dir",
        index_dir,
        "--judgement",
        "outstanding",
        "--kind",
        "ilacs",
        "--from",
        "2024-01-01",
        "--to",
        "2024-12-31",
        "what do leaders do well?",
    )
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout)
    assert record["citations"], record["answer"]
    for hit in record["retrieved"]:
        info = index.docs[hit["doc_id"]]
        # ILACS reports, standard or short (councils judged outstanding are re-inspected short).
        assert info.overall_judgement == "Outstanding" and info.doc_type in ("ilacs", "ilacs_short")
        assert "2024-01-01" <= info.published <= "2024-12-31"
    done = run_cli("ask", "--json", "--index-dir", index_dir, "--council", "hartlepool", "what are the strengths?")
    assert done.returncode == 0, done.stderr
    assert {index.docs[c["doc_id"]].council for c in json.loads(done.stdout)["citations"]} == {councils["hartlepool"]}
    done = run_cli("ask", "--index-dir", index_dir, "--judgement", "brilliant", "what are the strengths?")
    assert done.returncode == 2 and "--judgement brilliant is not a grade" in done.stderr


def test_a_question_naming_two_councils_cites_both_grouped_by_council(live, councils):
    _, index = live
    first = _catalogue_name(councils, "Inadequate", index)
    second = _catalogue_name(councils, "Good", index)
    question = f"What did inspectors say about care leavers in {first.title()} and {second.title()}?"
    result = _ask(live, question)
    assert result.outcome == "answered", result.text
    cited = _cited_councils(index, result)
    assert set(cited) == {councils[first], councils[second]}, result.text
    # Grouped by council: each council's points are together, each part opened by a line naming it.
    assert cited == sorted(cited, key=cited.index)
    openings = [line for line in result.text.splitlines() if line.startswith("From ")]
    for key in (councils[first], councils[second]):
        assert any(key in council_key(line) for line in openings), result.text


def test_several_council_filters_hear_from_each(live, councils):
    _, index = live
    names = ("peterborough", "reading", "bromley")
    result = _ask(live, "how are care leavers helped into suitable accommodation?", filters=Filters(councils=names))
    assert set(_cited_councils(index, result)) == {councils[n] for n in names}, result.text


def test_which_councils_spreads_across_councils(live):
    settings, index = live
    result = _ask(live, "Which councils help care leavers into suitable accommodation?")
    assert result.outcome == "answered", result.text
    retrieved = [index.docs[h.chunk.doc_id].council for h in result.retrieved]
    assert len(set(retrieved)) >= 3, retrieved
    assert max(retrieved.count(c) for c in retrieved) <= settings.council_k
    assert len(set(_cited_councils(index, result))) >= 3, result.text


def test_which_councils_were_judged_a_grade_hears_from_the_reports_so_judged(live):
    _, index = live
    result = _ask(live, "Which councils were judged inadequate, and why?")
    assert result.outcome == "answered", result.text
    judged = {i.council for i in index.docs.values() if any(g == "Inadequate" for _, g in i.judgements)}
    assert len(judged) >= 2
    assert set(_cited_councils(index, result)) == judged, result.text


def test_home_council_is_answered_first(live, councils):
    settings, index = live
    question = "How are care leavers helped into suitable accommodation?"
    plain = _ask(live, question)
    assert plain.citations
    # A council the answer does not open with when there is no home council.
    home = next(
        name
        for name, key in councils.items()
        if key != _cited_councils(index, plain)[0]
        and any(i.council == key and i.doc_type != "area_send" for i in index.docs.values())
    )
    homed = _ask(live, question, settings=settings.replace(home_council=home.title()))
    assert homed.outcome == "answered", homed.text
    assert _cited_councils(index, homed)[0] == councils[home], homed.text
    assert index.docs[homed.retrieved[0].chunk.doc_id].council == councils[home]
    # Other councils' passages still follow; and a question naming a council is not pulled home.
    assert {index.docs[h.chunk.doc_id].council for h in homed.retrieved} - {councils[home]}
    named = next(
        name
        for name, key in councils.items()
        if key not in (councils[home], _cited_councils(index, plain)[0])
        and any(i.council == key and i.doc_type != "area_send" for i in index.docs.values())
    )
    elsewhere = _ask(
        live,
        f"How are care leavers helped into suitable accommodation in {named.title()}?",
        settings=settings.replace(home_council=home.title()),
    )
    assert set(_cited_councils(index, elsewhere)) == {councils[named]}, elsewhere.text


def test_home_council_comes_from_the_corpus_manifest_or_the_environment():
    assert Settings(corpus_dir=CORPUS).home == "Sefton"  # corpus/manifest.toml: the default corpus
    assert Settings.from_env({"ASSISTANT_HOME_COUNCIL": "Anytown"}).replace(corpus_dir=CORPUS).home == "Anytown"
    assert Settings(corpus_dir=NATIONAL).home == ""  # no manifest: no home council


def test_web_chat_offers_council_and_judgement_filters(live, councils):
    from ui.app import build_app
    from ui.tabs.filters import chosen_filters as _filters

    settings, index = live
    config = build_app(settings, index).get_config_file()
    choices = {
        c["props"]["elem_id"]: [value for _, value in c["props"]["choices"]]
        for c in config["components"]
        if c.get("props", {}).get("elem_id") in ("f-councils", "f-judgements")
    }
    assert {council_key(name) for name in choices["f-councils"]} == set(councils.values())
    assert choices["f-judgements"] == ["Outstanding", "Good", "Requires improvement to be good", "Inadequate"]
    picked = _filters([], [], "", "", [choices["f-councils"][0]], ["Inadequate"])
    assert picked == Filters(councils=(choices["f-councils"][0],), judgements=("Inadequate",))


def test_a_period_across_councils_is_a_date_filter(live):
    """ "Judged inadequate since <year>" hears only from reports published in that period, and
    "before <year>" only from earlier ones."""
    _, index = live
    judged = {d: i for d, i in index.docs.items() if any(g == "Inadequate" for _, g in i.judgements)}
    years = sorted({i.published[:4] for i in judged.values()})
    assert len(years) >= 2, years  # the sample holds inadequate reports of two years at least
    cut = years[-1]
    for question, inside in (
        (f"Which councils were judged inadequate since {cut}, and why?", lambda y: y >= cut),
        (f"Which councils were judged inadequate before {cut}?", lambda y: y < cut),
    ):
        result = _ask(live, question)
        assert result.outcome == "answered", result.text
        cited_years = {index.docs[c.chunk.doc_id].published[:4] for c in result.citations}
        assert cited_years and all(inside(y) for y in cited_years), (question, cited_years)
        expected = {i.council for i in judged.values() if inside(i.published[:4])}
        assert set(_cited_councils(index, result)) == expected, result.text
