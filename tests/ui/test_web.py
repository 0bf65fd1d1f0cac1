"""The web chat in a real browser: Debian's Chromium driven by Selenium against `assistant serve`.

The server runs as a subprocess on a free loopback port over the session's real index
(`corpus_index` in tests/conftest.py), so the test sees what a user sees: streaming, citation links,
filters, feedback stored in SQLite, the theme brief and its download. Screenshots go to
artifacts/ (git-ignored); with UPDATE_SCREENSHOTS=1 the chat one is copied to docs/ for the README. Timings (start to
ready, time to first answer text and to the full answer in the browser, the server's peak
memory) are printed for the record: run with -s to see them.
"""

from __future__ import annotations

import contextlib
import html
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.common.exceptions import StaleElementReferenceException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

from conftest import stop_server  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
ARTIFACTS = ROOT / "artifacts"
LETTER = "sefton-jtai-letter-2019"
LETTER_TITLE = "Joint targeted area inspection of the multi-agency response to children's mental health in Sefton"
CAMHS = "What did inspectors say about CAMHS waiting times?"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server(corpus_index, tmp_path_factory):
    """`assistant serve` on a free port: yields (url, feedback_db); prints start-up time and peak memory."""
    feedback_db = tmp_path_factory.mktemp("feedback") / "feedback.sqlite3"
    with serving(corpus_index.settings, feedback_db) as url:
        yield url, feedback_db


@contextlib.contextmanager
def serving(settings, feedback_db: Path):
    """`assistant serve` over `settings`' index on a free port while the block runs: gives its url."""
    port = _free_port()
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "ANONYMIZED_TELEMETRY": "False",
        "ASSISTANT_INDEX_DIR": str(settings.index_dir),
        "ASSISTANT_CORPUS_DIR": str(settings.corpus_dir),
        "ASSISTANT_FEEDBACK_DB": str(feedback_db),
    }
    env.pop("ASSISTANT_AUTH_USER", None)
    log_path = feedback_db.parent / "server.log"
    started = time.perf_counter()
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 240
    while True:
        ready = re.search(r"^Ready on http://127\.0\.0\.1:\d+.*$", log_path.read_text(), re.M)
        if ready:
            break
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail("the server did not start:\n" + log_path.read_text())
        time.sleep(0.05)
    line = ready.group(0)
    print(f"\n[web] server ready in {time.perf_counter() - started:.1f} s: {line} (log: {log_path})")
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        status = Path(f"/proc/{proc.pid}/status")
        if status.exists():
            peak = re.search(r"VmHWM:\s+(\d+) kB", status.read_text())
            if peak:
                print(f"\n[web] server peak memory (VmHWM): {int(peak.group(1)) / 1024:.0f} MB")
        stop_server(proc)


@pytest.fixture(scope="session")
def downloads(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="session")
def browser(downloads):
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.fail("Chromium is missing: apt-get install -y chromium chromium-driver (or 'make browser')")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1440,1100",
    ):
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    options.add_argument(f"--user-data-dir={profile}")
    options.add_experimental_option(
        "prefs", {"download.default_directory": str(downloads), "download.prompt_for_download": False}
    )
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_script_timeout(60)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def _open(browser, url):
    browser.get(url)
    _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#question textarea, #question input"), 60)


def _wait(browser, condition, timeout=60):
    return WebDriverWait(
        browser, timeout, poll_frequency=0.05, ignored_exceptions=(StaleElementReferenceException,)
    ).until(condition)


def _ask(browser, question: str, turn: int = 1) -> dict:
    """Type a question, press Enter, wait for the whole answer; returns browser-side timings (ms)."""
    browser.execute_script(
        """
        const turn = arguments[0];
        window.__marks = {t0: performance.now()};
        window.__turn = turn;
        const observer = new MutationObserver(() => seen());
        const seen = () => {
          if (window.__turn !== turn) { observer.disconnect(); return; }  // an earlier question's watcher
          const a = document.querySelector(`#chat .answer.turn-${turn}`);
          if (a && !window.__marks.first) window.__marks.first = performance.now();
          if (a && a.querySelector('.answer-sources, .closest') && !window.__marks.full) window.__marks.full = performance.now();
          if (a && a.classList.contains('abstained') && !window.__marks.full) window.__marks.full = performance.now();
        };
        observer.observe(document.body, {childList: true, subtree: true, characterData: true});
    """,
        turn,
    )
    box = browser.find_element(By.CSS_SELECTOR, "#question textarea, #question input")
    box.send_keys(question)
    browser.execute_script("window.__marks.t0 = performance.now();")
    box.send_keys(Keys.ENTER)
    _wait(browser, lambda d: d.execute_script("return window.__marks.full"), 90)
    # The final update also fills the sources panel; wait for it before clicking into it.
    _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#sources section.turn.latest h4"), 30)
    _wait(
        browser,
        lambda d: d.find_element(By.CSS_SELECTOR, "#sources section.turn.latest h4").text.startswith(f"Answer {turn}:"),
        30,
    )
    marks = browser.execute_script("return window.__marks")
    return {"first": marks["first"] - marks["t0"], "full": marks["full"] - marks["t0"]}


def _norm(text: str) -> str:
    return " ".join(text.split())


def _screenshot(browser, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    browser.execute_script("window.scrollTo(0, 0)")  # the page, not the panels: keep the header in view
    browser.save_screenshot(str(path))
    return path


def test_answer_streams_and_citation_opens_its_passage(server, browser):
    url, _ = server
    _open(browser, url)
    timings = _ask(browser, CAMHS)
    print(
        f"\n[web] time to first answer text {timings['first'] / 1000:.2f} s, "
        f"to full answer {timings['full'] / 1000:.2f} s (in the browser)"
    )

    answer = browser.find_element(By.CSS_SELECTOR, "#chat .answer.turn-1")
    link = answer.find_element(By.CSS_SELECTOR, "a.cite")
    anchor = link.get_attribute("href").split("#", 1)[1]
    assert re.fullmatch(r"cite-1-\d+", anchor)
    # The sentence the marker closes is what the passage must show highlighted.
    paragraph = link.find_element(By.XPATH, "./ancestor::p").get_attribute("innerHTML")
    before = paragraph.split(f'href="#{anchor}"', 1)[0].rsplit("<a", 1)[0]
    cited = _norm(html.unescape(re.sub(r"<[^>]+>", "", before.split("</a>")[-1])))
    assert len(cited) > 20

    body = browser.find_element(By.CSS_SELECTOR, f"#{anchor} .src-body")
    assert not body.is_displayed()
    link.click()
    _wait(browser, lambda d: d.find_element(By.CSS_SELECTOR, f"#{anchor} .src-body").is_displayed(), 10)
    assert browser.current_url.endswith("#" + anchor)
    marks = [_norm(m.text) for m in browser.find_elements(By.CSS_SELECTOR, f"#{anchor} .src-body mark")]
    assert any(cited in m for m in marks), (cited, marks)
    others = [e for e in browser.find_elements(By.CSS_SELECTOR, "#sources .src-body") if e.is_displayed()]
    assert len(others) == 1, "only the clicked passage is open"

    n = anchor.rsplit("-", 1)[1]
    listed = answer.find_element(By.CSS_SELECTOR, f'.answer-sources a[href="#{anchor}"]').find_element(By.XPATH, "./..")
    title = browser.find_element(By.CSS_SELECTOR, f"#{anchor} .title").text
    assert f"[{n}]" in listed.text and _norm(title) in _norm(listed.text)
    assert re.search(r"\d{1,2} \w+ \d{4}|undated", browser.find_element(By.CSS_SELECTOR, f"#{anchor} .src-meta").text)

    shot = _screenshot(browser, "chat.png")
    if os.environ.get("UPDATE_SCREENSHOTS"):  # the README's picture changes only when asked to
        (ROOT / "docs").mkdir(exist_ok=True)
        shutil.copyfile(shot, ROOT / "docs" / "screenshot-chat.png")


def test_document_filter_limits_the_sources(server, browser):
    url, _ = server
    _open(browser, url)
    browser.find_element(By.CSS_SELECTOR, "#filters button.label-wrap").click()
    _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#f-docs input"), 10)
    browser.find_element(By.CSS_SELECTOR, "#f-docs input").click()
    option = _wait(
        browser,
        lambda d: [
            o
            for o in d.find_elements(By.CSS_SELECTOR, "li[data-testid=dropdown-option]")
            if (o.get_attribute("aria-label") or "").startswith(LETTER_TITLE)
        ],
        10,
    )[0]
    option.click()
    browser.find_element(By.CSS_SELECTOR, "#header").click()  # close the option list
    _ask(browser, CAMHS)
    answer = browser.find_element(By.CSS_SELECTOR, "#chat .answer.turn-1")
    titles = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "#sources .src .title")]
    listed = [li.text for li in answer.find_elements(By.CSS_SELECTOR, ".answer-sources li")]
    assert titles and listed
    assert all(t == LETTER_TITLE for t in titles), titles
    assert all(LETTER_TITLE in item for item in listed), listed


def test_bad_date_filter_says_how_to_write_it(server, browser):
    url, _ = server
    _open(browser, url)
    browser.find_element(By.CSS_SELECTOR, "#filters button.label-wrap").click()
    box = _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#f-from input, #f-from textarea"), 10)[0]
    box.send_keys("18/12/2019")
    question = browser.find_element(By.CSS_SELECTOR, "#question textarea, #question input")
    question.send_keys(CAMHS, Keys.ENTER)
    _wait(browser, lambda d: "YYYY-MM-DD" in d.find_element(By.TAG_NAME, "body").text, 20)
    assert not browser.find_elements(By.CSS_SELECTOR, "#chat .answer[class*=turn-]")


def test_html_in_a_question_never_runs(server, browser):
    url, _ = server
    _open(browser, url)
    evil = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script> CAMHS waiting'
    _ask(browser, evil)
    time.sleep(0.5)
    assert browser.execute_script("return window.__pwned") is None
    shown = browser.find_element(By.CSS_SELECTOR, "#chat .question").text
    assert '<img src=x onerror="window.__pwned=1">' in shown


def test_follow_up_feedback_and_conversation_export(server, browser, downloads):
    url, feedback_db = server
    _open(browser, url)
    assert not browser.find_element(By.CSS_SELECTOR, "#export-chat").is_displayed(), "nothing to export yet"
    _ask(browser, "What's the status of action 2.2.2?")
    _ask(browser, "and was it completed?", turn=2)
    follow_up = browser.find_element(By.CSS_SELECTOR, "#chat .answer.turn-2")
    searched = follow_up.find_element(By.CSS_SELECTOR, ".searched").text
    assert searched.startswith("Searched:") and "2.2.2" in searched

    comment = "Test comment: the due date is missing."
    box = browser.find_element(By.CSS_SELECTOR, "#fb-comment textarea, #fb-comment input")
    box.send_keys(comment)
    browser.find_element(By.CSS_SELECTOR, "#fb-down").click()
    _wait(browser, lambda d: "saved" in d.find_element(By.CSS_SELECTOR, "#fb-status").text, 20)
    with sqlite3.connect(feedback_db) as conn:
        rows = conn.execute(
            "SELECT rating, question, resolved_question, answer, citations, created_at FROM feedback WHERE comment = ?",
            (comment,),
        ).fetchall()
    assert len(rows) == 1
    rating, question, resolved, answer_text, citations, created_at = rows[0]
    assert rating == -1 and question == "and was it completed?" and "2.2.2" in resolved
    assert answer_text and "2.2.2" in citations and created_at.endswith("+00:00")
    assert browser.find_element(By.CSS_SELECTOR, "#fb-comment textarea, #fb-comment input").get_attribute("value") == ""

    # The rating list is filled when opened: both answers, numbered.
    browser.find_element(By.CSS_SELECTOR, "#fb-answer input").click()
    options = _wait(
        browser,
        lambda d: [
            o.get_attribute("aria-label") or o.text
            for o in d.find_elements(By.CSS_SELECTOR, "li[data-testid=dropdown-option]")
            if (o.get_attribute("aria-label") or o.text).startswith("2. ")
        ],
        10,
    )
    assert options[0].startswith("2. and was it completed")
    browser.find_element(By.CSS_SELECTOR, "#header").click()  # close the option list

    before = set(downloads.iterdir())
    browser.find_element(By.CSS_SELECTOR, "#export-chat").click()
    path = _wait(
        browser,
        lambda d: [p for p in set(downloads.iterdir()) - before if p.suffix == ".md" and p.stat().st_size > 0],
        30,
    )[0]
    text = path.read_text(encoding="utf-8")
    assert "## 1. What&#x27;s the status of action 2.2.2?" in text or "## 1. What's the status of action 2.2.2?" in text
    assert "## 2. and was it completed?" in text and "**Sources**" in text


def test_example_question_runs_on_click(server, browser):
    url, _ = server
    _open(browser, url)
    chip = _wait(
        browser,
        lambda d: [b for b in d.find_elements(By.CSS_SELECTOR, "#chat button") if "CAMHS waiting times" in b.text],
        20,
    )[0]
    chip.click()
    _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#chat .answer.turn-1 .answer-sources"), 60)
    assert browser.find_element(By.CSS_SELECTOR, "#chat .question").text == CAMHS


def test_evaluate_tab_runs_an_uploaded_set(server, browser, tmp_path):
    url, _ = server
    questions = (ROOT / "evals" / "sets" / "corpus" / "tune.jsonl").read_text(encoding="utf-8").splitlines()[:3]
    upload = tmp_path / "my-set.jsonl"
    upload.write_text("\n".join(questions + ['{"id": "bad", "question": 42}']) + "\n", encoding="utf-8")
    _open(browser, url)
    browser.find_element(By.CSS_SELECTOR, "button[role=tab][data-tab-id=eval-tab]").click()
    field = _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#eval-file input[type=file]"), 10)[0]
    field.send_keys(str(upload))
    _wait(browser, lambda d: "my-set" in d.find_element(By.CSS_SELECTOR, "#eval-file").text, 20)
    browser.find_element(By.CSS_SELECTOR, "#eval-run").click()
    summary = _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#eval-summary .eval-summary"), 120)[0]
    assert "3 questions" in summary.text and "line 4" in summary.text
    names = browser.find_element(By.CSS_SELECTOR, "#eval-files").text.replace("\n.", ".")  # name and suffix wrap
    for name in ("report.html", "report.md", "results.jsonl", "summary.json"):
        assert name in names


def test_theme_brief_and_markdown_download(server, browser, downloads):
    url, _ = server
    _open(browser, url)
    browser.find_element(By.CSS_SELECTOR, "button[role=tab][data-tab-id=brief-tab]").click()
    box = _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#brief-theme textarea, #brief-theme input"), 10)[0]
    box.send_keys("voice of the child")
    browser.find_element(By.CSS_SELECTOR, "#brief-build").click()
    _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#brief-out .brief-doc"), 90)
    docs = browser.find_elements(By.CSS_SELECTOR, "#brief-out .brief-doc h3")
    assert len(docs) >= 2
    first_quote = browser.find_element(By.CSS_SELECTOR, "#brief-out blockquote").text
    _screenshot(browser, "brief.png")

    before = set(downloads.iterdir())
    button = _wait(
        browser, lambda d: [b for b in d.find_elements(By.CSS_SELECTOR, "#brief-md") if b.is_displayed()], 20
    )[0]
    button.click()
    _wait(
        browser,
        lambda d: [p for p in set(downloads.iterdir()) - before if p.suffix == ".md" and p.stat().st_size > 0],
        30,
    )
    path = next(p for p in set(downloads.iterdir()) - before if p.suffix == ".md")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Theme brief: voice of the child")
    assert _norm(first_quote)[:60] in _norm(text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">"))
    for heading in docs:
        assert _norm(heading.text) in _norm(text.replace("&amp;", "&"))
