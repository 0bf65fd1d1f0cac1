"""The Timeline, National picture and Action tracker tabs in a real browser (Debian's Chromium,
Selenium) against `assistant serve` over the session's real index, with the server, browser and
helpers of tests/ui/test_web.py. Screenshots go to artifacts/; with UPDATE_SCREENSHOTS=1 they are copied to
docs/ for the README.
"""

from __future__ import annotations

import csv
import io
import os
import shutil

import pytest

pytest.importorskip("selenium.webdriver")
from selenium.webdriver.common.by import By  # noqa: E402

from test_web import ROOT, _screenshot, _wait, browser, downloads, server, serving  # noqa: E402,F401  (fixtures)

pytestmark = pytest.mark.browser


def _open_tab(browser, url: str, tab: str) -> None:
    browser.get(url)
    button = _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, f"button[role=tab][data-tab-id={tab}]"), 60)[0]
    button.click()


def _keep(shot, name: str) -> None:
    if os.environ.get("UPDATE_SCREENSHOTS"):  # the README's pictures change only when asked to
        (ROOT / "docs").mkdir(exist_ok=True)
        shutil.copyfile(shot, ROOT / "docs" / name)


def test_timeline_tab_orders_documents_with_judgements_and_chart(server, browser):
    url, _ = server
    _open_tab(browser, url, "timeline-tab")
    docs = _wait(
        browser,
        lambda d: [e for e in d.find_elements(By.CSS_SELECTOR, "#timeline-out .tl-doc") if e.is_displayed()],
        30,
    )
    assert len(docs) == 7
    dates = [d.find_element(By.CSS_SELECTOR, ".tl-date").text for d in docs]
    assert dates[0].endswith("2016") and dates[-1] == "undated"
    text = browser.find_element(By.CSS_SELECTOR, "#timeline-out").text
    assert "Overall effectiveness" in text and "Inadequate" in text and "Good" in text
    # One council, one section and one chart; a grade opens the grid that gives it.
    groups = browser.find_elements(By.CSS_SELECTOR, "#timeline-out section.tl-group")
    assert len(groups) == 1 and groups[0].get_attribute("data-council") == "Sefton"
    assert len(groups[0].find_elements(By.CSS_SELECTOR, "figure.tl-chart svg")) == 1
    grade = docs[-2].find_element(By.CSS_SELECTOR, "table.grades a.cite")  # the 2025 grid
    assert grade.text == "[p. 1]"
    target = grade.get_attribute("href").split("#", 1)[1]
    grade.click()
    _wait(browser, lambda d: d.find_element(By.ID, target).is_displayed(), 10)
    assert "Grade: Good" in browser.find_element(By.CSS_SELECTOR, f"#{target} mark").text
    browser.execute_script("window.location.hash = ''")

    link = docs[-2].find_element(By.CSS_SELECTOR, "ul.findings a.cite")  # a key finding of the 2025 inspection
    anchor = link.get_attribute("href").split("#", 1)[1]
    assert not browser.find_element(By.ID, anchor).is_displayed()
    link.click()
    _wait(browser, lambda d: d.find_element(By.ID, anchor).is_displayed(), 10)
    assert browser.find_elements(By.CSS_SELECTOR, f"#{anchor} mark")
    browser.execute_script("window.location.hash = ''")
    _keep(_screenshot(browser, "timeline.png"), "screenshot-timeline.png")


@pytest.fixture(scope="module")
def reports_server(reports_index, tmp_path_factory):
    """`assistant serve` over the reports set's index: many councils' reports of every framework."""
    with serving(reports_index.settings, tmp_path_factory.mktemp("reports-feedback") / "feedback.sqlite3") as url:
        yield url


def test_timeline_of_many_councils_has_one_chart_per_council(reports_server, reports_index, browser):
    from assistant.store import open_index

    index = open_index(reports_index.settings, with_collection=False)
    councils = sorted({d.local_authority for d in index.docs.values() if d.local_authority}, key=str.casefold)
    _open_tab(browser, reports_server, "timeline-tab")
    groups = _wait(
        browser,
        lambda d: [e for e in d.find_elements(By.CSS_SELECTOR, "#timeline-out section.tl-group") if e.is_displayed()],
        60,
    )
    assert [g.get_attribute("data-council") for g in groups] == councils
    for group in groups:
        charts = group.find_elements(By.CSS_SELECTOR, "figure.tl-chart svg")
        graded = group.find_elements(By.CSS_SELECTOR, "table.grades td[class^=grade-]:not(.grade-0)")
        assert len(charts) == (1 if graded else 0), group.get_attribute("data-council")
    # A point of a chart opens the passage of its judgement, inside its own council's section.
    barnsley = next(g for g in groups if g.get_attribute("data-council") == "Barnsley")
    point = barnsley.find_element(By.CSS_SELECTOR, "figure.tl-chart svg a")
    target = point.get_dom_attribute("href").split("#", 1)[1]
    browser.execute_script("window.location.hash = arguments[0]", target)
    _wait(browser, lambda d: d.find_element(By.ID, target).is_displayed(), 10)
    assert barnsley.find_elements(By.ID, target)
    browser.execute_script("window.location.hash = ''")


def test_action_tracker_filters_downloads_and_follows_a_trace(server, browser, downloads):
    url, _ = server
    _open_tab(browser, url, "actions-tab")

    def rows(d):
        return [r for r in d.find_elements(By.CSS_SELECTOR, "#tracker-out table.tracker tbody tr") if r.is_displayed()]

    assert len(_wait(browser, lambda d: len(rows(d)) == 38 and rows(d), 30)) == 38
    _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#tk-chart-priority canvas, #tk-chart-priority svg"), 30)

    # Follow a trace: from a row to the finding it answers, its progress and later inspections.
    link = next(r for r in rows(browser) if r.get_attribute("data-ref") == "4.1.2").find_element(
        By.CSS_SELECTOR, "a.trace-link"
    )
    anchor = link.get_attribute("href").split("#", 1)[1]
    link.click()
    panel = _wait(browser, lambda d: [e for e in d.find_elements(By.ID, anchor) if e.is_displayed()], 10)[0]
    assert "Finding" in panel.text and "Action 4.1.2" in panel.text and "triage car" in panel.text
    _keep(_screenshot(browser, "actions.png"), "screenshot-actions.png")

    # Filter: overdue rows only.
    browser.find_element(By.CSS_SELECTOR, "#tk-status input").click()
    option = _wait(
        browser,
        lambda d: [
            o
            for o in d.find_elements(By.CSS_SELECTOR, "li[data-testid=dropdown-option]")
            if (o.get_attribute("aria-label") or "") == "Overdue"
        ],
        10,
    )[0]
    option.click()
    shown = _wait(browser, lambda d: 0 < len(rows(d)) < 38 and rows(d), 30)
    assert all("overdue" in (r.get_attribute("class") or "") for r in shown)
    assert "OVERDUE" in shown[0].text

    # The row's reference opens the row as the plan writes it.
    ref_link = shown[0].find_element(By.CSS_SELECTOR, "a.row-link")
    target = ref_link.get_attribute("href").split("#", 1)[1]
    ref_link.click()
    _wait(browser, lambda d: d.find_element(By.ID, target).is_displayed(), 10)

    before = set(downloads.iterdir())
    browser.find_element(By.CSS_SELECTOR, "#tk-csv").click()
    path = _wait(
        browser,
        lambda d: [p for p in set(downloads.iterdir()) - before if p.suffix == ".csv" and p.stat().st_size > 0],
        30,
    )[0]
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("ref,priority,action") and len(lines) == len(shown) + 1


def test_national_picture_charts_filters_downloads_and_opens_a_timeline(
    reports_server, reports_index, browser, downloads
):
    """Wakefield's grades as its reports give them (page 1): 2016 (SIF) "require improvement to be
    good", 2018 (ILACS) "Overall effectiveness ... | Grade: Inadequate"."""
    from assistant import judgements_table, national_picture
    from assistant.store import open_index

    overall = judgements_table(open_index(reports_index.settings, with_collection=False), area="overall effectiveness")
    everything = national_picture(overall)
    _open_tab(browser, reports_server, "national-tab")

    def blocks(d):
        return [b for b in d.find_elements(By.CSS_SELECTOR, "#national-out figure.np-chart svg rect.np-block")]

    def row_of(d, council):
        return next(
            r
            for r in d.find_elements(By.CSS_SELECTOR, "#national-out table.np-councils tbody tr")
            if r.get_attribute("data-council") == council
        )

    shown = _wait(browser, lambda d: len(blocks(d)) == len(everything.rows) - everything.undated and blocks(d), 60)
    assert {b.get_attribute("data-score") for b in shown} == {"1", "2", "3", "4"}
    wakefield = row_of(browser, "Wakefield")
    assert "Inadequate" in wakefield.text and "Requires improvement to be good" in wakefield.text
    assert "down" in wakefield.find_element(By.CSS_SELECTOR, ".np-movement").text
    _keep(_screenshot(browser, "national.png"), "screenshot-national.png")

    # A grade of the table, and a block of the chart, each open the passage that gives the grade.
    grade = wakefield.find_elements(By.CSS_SELECTOR, "a.cite")[0]
    target = grade.get_attribute("href").split("#", 1)[1]
    assert not browser.find_element(By.ID, target).is_displayed()
    grade.click()
    _wait(browser, lambda d: d.find_element(By.ID, target).is_displayed(), 10)
    assert "Overall effectiveness" in browser.find_element(By.CSS_SELECTOR, f"#{target} mark").text
    browser.execute_script("window.location.hash = ''")
    block = next(b for b in blocks(browser) if "Wakefield, 17 July 2018" in b.get_attribute("textContent"))
    link = block.find_element(By.XPATH, "./..")
    assert link.get_dom_attribute("href") == f"#{target}"  # one passage for the grade, wherever it is shown
    link.click()
    _wait(browser, lambda d: d.find_element(By.ID, target).is_displayed(), 10)
    browser.execute_script("window.location.hash = ''")

    # Filters: no good or outstanding grade, from 2018 on; the chart, table and CSV follow.
    for label in browser.find_elements(By.CSS_SELECTOR, "#np-grades label"):
        if label.text in ("Good", "Outstanding"):
            label.click()
    browser.find_element(By.CSS_SELECTOR, "#np-from input").click()
    _wait(
        browser,
        lambda d: [
            o
            for o in d.find_elements(By.CSS_SELECTOR, "li[data-testid=dropdown-option]")
            if (o.get_attribute("aria-label") or "") == "2018"
        ],
        10,
    )[0].click()
    kept = national_picture(overall, grades=[1, 2], first_year=2018)
    assert 0 < len(kept.rows) < len(everything.rows)
    shown = _wait(browser, lambda d: len(blocks(d)) == len(kept.rows) - kept.undated and blocks(d), 30)
    assert {b.get_attribute("data-score") for b in shown} <= {"1", "2"}
    listed = [
        r.get_attribute("data-council")
        for r in browser.find_elements(By.CSS_SELECTOR, "#national-out table.np-councils tbody tr")
    ]
    assert listed == [m.council for m in kept.councils] and "Wakefield" in listed
    assert "Tower Hamlets" not in listed  # good in 2019, its latest report

    before = set(downloads.iterdir())
    browser.find_element(By.CSS_SELECTOR, "#np-csv").click()
    path = _wait(
        browser,
        lambda d: [p for p in set(downloads.iterdir()) - before if p.suffix == ".csv" and p.stat().st_size > 0],
        30,
    )[0]
    records = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert len(records) == len(kept.rows)
    assert {r["grade"] for r in records} <= {"Inadequate", "Requires improvement", "Requires improvement to be good"}
    assert all(r["date"] >= "2018" and r["area_id"] == "overall_effectiveness" for r in records)

    # A council's name opens its timeline.
    row_of(browser, "Wakefield").find_element(By.CSS_SELECTOR, "button.np-open").click()
    _wait(
        browser,
        lambda d: (
            d.find_element(By.CSS_SELECTOR, "button[role=tab][data-tab-id=timeline-tab]").get_attribute("aria-selected")
            == "true"
        ),
        30,
    )
    groups = _wait(
        browser,
        lambda d: (
            (g := [e for e in d.find_elements(By.CSS_SELECTOR, "#timeline-out section.tl-group") if e.is_displayed()])
            and [e.get_attribute("data-council") for e in g] == ["Wakefield"]
            and g
        ),
        30,
    )
    assert groups[0].find_elements(By.CSS_SELECTOR, "figure.tl-chart svg")
