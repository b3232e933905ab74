"""The search page in a real browser: Debian's Chromium, headless, driven by Playwright, against
`archive serve`'s application under uvicorn on loopback. `.ci/run` installs Chromium; skipped without it."""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlparse

import pytest

from archive.config import Settings
from tests.conftest import Run, write_jsonl

CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary (`.ci/run` installs Debian's)")

DETAILS = {
    "असम": "ब्रह्मपुत्र उफान पर है और काजीरंगा के जानवर ऊँचे टीलों पर पहुँचे।",
    "बिहार": "कोसी का तटबंध टूटा, सहरसा और सुपौल के गाँव खाली कराए गए।",
    "केरल": "इडुक्की बाँध के फाटक खोले गए, कोच्चि हवाई अड्डा बंद रहा।",
    "गुजरात": "वडोदरा की सड़कों पर नावें चलीं, विश्वामित्री नदी में मगरमच्छ दिखे।",
    "ओडिशा": "महानदी के डेल्टा में धान की फसल डूबी, मछुआरों को समुद्र से लौटाया गया।",
}
STORIES = [
    {
        "title": f"बाढ़ से {place} में तबाही",
        "body": f"{place} में बाढ़ आ गई। {DETAILS[place]}",
        "source": source,
        "date": day,
        "url": f"https://example.org/{number}",
        "category": "देश",
    }
    for number, (place, source, day) in enumerate(
        [
            ("असम", "जनसत्ता", "2019-07-04"),
            ("बिहार", "अमर उजाला", "2019-07-21"),
            ("केरल", "जनसत्ता", "2019-08-11"),
            ("गुजरात", "दैनिक जागरण", "2019-09-02"),
            ("ओडिशा", "अमर उजाला", "2019-09-30"),
        ]
    )
]


@pytest.fixture
def server(run: Run, settings: Settings, tmp_path: Path) -> Iterator[str]:
    from archive.web.app import create_app

    assert run("ingest", str(write_jsonl(tmp_path / "floods.jsonl", STORIES))).exit_code == 0
    yield from _served(create_app(settings))


@pytest.fixture
def saving_server(run: Run, settings: Settings, tmp_path: Path) -> Iterator[str]:
    from archive.web.app import create_app

    assert run("ingest", str(write_jsonl(tmp_path / "floods.jsonl", STORIES))).exit_code == 0
    yield from _served(create_app(settings, allow_saving=True))


def _served(app: Any) -> Iterator[str]:
    import uvicorn

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not running.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert running.started
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(timeout=10)


def test_search_filter_open_go_back_download_and_without_javascript(server: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
        errors: list[str] = []
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.goto(server + "/")
        page.fill("input[name=q]", "बाढ़")
        page.press("input[name=q]", "Enter")
        page.wait_for_url("**/?q=*")
        assert page.locator("p.total").inner_text() == "5 लेख मिले"
        assert page.locator("ol.hits mark").count() >= 5
        assert page.locator("ol.hits mark").first.inner_text() == "बाढ़"
        page.screenshot(path=str(tmp_path / "search-1280.png"), full_page=True)

        page.click("aside.facets a:has-text('जनसत्ता')")
        page.wait_for_url("**source=*")
        assert parse_qs(urlparse(page.url).query)["source"] == ["जनसत्ता"]
        assert page.locator("p.total").inner_text() == "2 लेख मिले"
        assert page.locator("ul.chips a.chip").count() == 1

        page.locator("figure.timeline a.bar").last.click()
        page.wait_for_url("**since=*")
        query = parse_qs(urlparse(page.url).query)
        # (two articles 39 days apart: by day, the trend's rule; the last bar is 2019-08-11's)
        assert (query["since"], query["until"], query["source"]) == (["2019-08-11"], ["2019-08-11"], ["जनसत्ता"])
        assert page.locator("p.total").inner_text() == "1 लेख मिला"

        page.click("ol.hits h3 a")
        page.wait_for_url("**/articles/*")
        first = page.locator("mark#m")
        assert first.inner_text() == "बाढ़" and first.is_visible()
        assert "केरल" in page.locator("article h1").inner_text()
        page.go_back()
        assert page.locator("p.total").inner_text() == "1 लेख मिला"

        with page.expect_download() as download:
            page.click("p.downloads a:has-text('CSV')")
        saved = tmp_path / "results.csv"
        download.value.save_as(saved)
        lines = saved.read_text(encoding="utf-8-sig").splitlines()
        assert lines[0].startswith("id,url,title,source") and len(lines) == 2 and "केरल" in lines[1]

        narrow = browser.new_page(viewport={"width": 390, "height": 844})
        narrow.goto(server + "/?q=बाढ़")
        # nothing wider than the screen: no sideways scrolling on a phone
        assert narrow.evaluate("document.documentElement.scrollWidth") <= 390
        narrow.screenshot(path=str(tmp_path / "search-390.png"), full_page=True)

        plain = browser.new_context(java_script_enabled=False).new_page()
        plain.goto(server + "/")
        plain.fill("input[name=q]", "बाढ़")
        plain.click("form.search button")
        plain.wait_for_url("**/?q=*")
        assert plain.locator("p.total").inner_text() == "5 लेख मिले"
        assert errors == []
        browser.close()


SHOTS = Path(os.environ.get("ARCHIVE_SHOTS", "")) if os.environ.get("ARCHIVE_SHOTS") else None


def shot(page: Any, tmp_path: Path, name: str) -> None:
    """A full-page screenshot: in the test's temp dir, or where ARCHIVE_SHOTS says (to look at them)."""
    folder = SHOTS or tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def test_keyboard_a_skip_link_and_no_empty_month_is_a_tab_stop(server: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        address = server + "/?q=" + quote("बाढ़") + "&source=" + quote("अमर उजाला")  # July and September 2019
        page.goto(address)
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "skip"
        assert page.locator("a.skip").is_visible()  # (seen once focused)
        page.keyboard.press("Enter")
        page.keyboard.press("Tab")
        first_hit = page.locator("ol.hits h3 a").first
        assert page.evaluate("document.activeElement.getAttribute('href')") == first_hit.get_attribute("href")

        # without the skip link: every Tab stop before the first hit, none an empty month
        page.goto(address)
        stops: list[str] = []
        for _ in range(200):
            page.keyboard.press("Tab")
            href = page.evaluate("document.activeElement.getAttribute('href') || document.activeElement.tagName")
            if href == first_hit.get_attribute("href"):
                break
            stops.append(page.evaluate("document.activeElement.textContent"))
        else:
            raise AssertionError("the first hit was never reached by Tab")
        bars = [text for text in stops if re.fullmatch(r"\d{4}-[\dW-]+: \d+", text.strip())]
        assert bars and all(not text.strip().endswith(": 0") for text in bars)
        months = page.locator("figure.timeline .bar").count()
        assert len(bars) == page.locator("figure.timeline a.bar").count() < months  # (August is empty)
        browser.close()


def test_phone_filters_open_from_the_top_and_screenshots(server: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        errors: list[str] = []
        wide = browser.new_page(viewport={"width": 1280, "height": 900})
        wide.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        wide.goto(server + "/?q=" + "बाढ़")
        wide.click("aside.facets a:has-text('जनसत्ता')")
        wide.wait_for_url("**source=*")
        wide.click("aside.facets a:has-text('अमर उजाला')")
        wide.wait_for_url("**source=*source=*")
        assert parse_qs(urlparse(wide.url).query)["source"] == ["जनसत्ता", "अमर उजाला"]
        assert wide.locator("p.total").inner_text() == "4 लेख मिले"
        assert wide.locator("aside.facets a[aria-checked=true]").count() == 2
        two_outlets = wide.url
        shot(wide, tmp_path, "search-two-outlets-1280")

        phone = browser.new_page(viewport={"width": 390, "height": 844})
        phone.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        phone.goto(two_outlets)
        assert not phone.locator("aside.facets").is_visible()
        control = phone.locator("p.filters-open a")
        assert control.is_visible() and control.bounding_box()["y"] < 400  # (at the top, above the hits)
        shot(phone, tmp_path, "search-two-outlets-390")
        control.click()
        facets = phone.locator("aside.facets")
        assert facets.is_visible()
        assert facets.bounding_box()["y"] < phone.locator("ol.hits").bounding_box()["y"]
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        shot(phone, tmp_path, "filters-open-390")
        phone.click("aside.facets a:has-text('जनसत्ता')")  # unchecks it
        phone.wait_for_url(lambda url: parse_qs(urlparse(url).query).get("source") == ["अमर उजाला"])
        assert phone.locator("p.total").inner_text() == "2 लेख मिले"

        for width in (1280, 390):
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
            page.goto(server + "/?q=" + quote("(बाढ़"))
            assert page.locator("input[name=q]").input_value() == "(बाढ़"
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            shot(page, tmp_path, f"error-{width}")
            page.goto(two_outlets)
            page.click("ol.hits h3 a")
            page.wait_for_url("**/articles/*")
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            shot(page, tmp_path, f"article-{width}")
            page.click("p.back a")
            page.wait_for_url(two_outlets)
        assert [e for e in errors if "status of 400" not in e] == []  # (the error pages answer 400)
        browser.close()


def test_trend_draws_follows_a_point_and_downloads_its_csv(server: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        errors: list[str] = []
        page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.goto(server + "/trend")
        boxes = page.locator("form.trend input[name=q]")
        boxes.nth(0).fill("बाढ़")
        boxes.nth(1).fill("कोसी")
        page.select_option("select[name=granularity]", "month")
        page.click("form.trend button")
        page.wait_for_url("**/trend?*")
        assert page.locator("ul.legend li").count() == 2
        assert page.locator("svg.lines a.point").count() == 2 * 3  # July to September 2019
        shot(page, tmp_path, "trend-1280")

        # the July point of बाढ़ opens the search of July, whose total is the point's count
        point = page.locator("svg.lines a.point.s0").first
        count = point.locator("title").text_content().rsplit(": ", 1)[1].split(" ")[0]
        point.dispatch_event("click")
        page.wait_for_url("**/?q=*")
        query = parse_qs(urlparse(page.url).query)
        asked = (query["q"], query.get("since"), query.get("until"))
        assert asked == (["बाढ़"], ["2019-07-01"], ["2019-07-31"]), page.url
        assert page.locator("p.total").inner_text() == f"{count} लेख मिले"
        page.go_back()

        with page.expect_download() as download:
            page.click("p.downloads a:has-text('CSV')")
        saved = tmp_path / "trend.csv"
        download.value.save_as(saved)
        lines = saved.read_text(encoding="utf-8-sig").splitlines()
        assert lines[0] == "query,period,since,until,count,share,published"
        assert len(lines) == 1 + 2 * (3 + 1)  # two queries, three months and the undated each

        phone = browser.new_page(viewport={"width": 390, "height": 844})
        phone.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        phone.goto(page.url)
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        label = phone.locator("svg.lines text").first
        assert label.bounding_box()["height"] >= 10  # (the labels keep their size on a phone)
        shot(phone, tmp_path, "trend-390")
        assert errors == []
        browser.close()


def test_kwic_aligns_follows_a_line_and_downloads_its_csv(server: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        errors: list[str] = []
        page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.goto(server + "/kwic")
        page.fill("form.kwic input[name=q]", "बाढ़")
        page.click("form.kwic button")
        page.wait_for_url("**/kwic?*")
        matches = page.locator("table.kwic td.match a")
        assert matches.count() == 10  # a headline and a body line for each of the five articles
        # aligned: every match is centred in one column
        centres = {round(box["x"] + box["width"] / 2) for box in (m.bounding_box() for m in matches.all())}
        assert max(centres) - min(centres) <= 1
        shot(page, tmp_path, "kwic-1280")

        matches.nth(1).click()
        page.wait_for_url("**/articles/*")
        assert page.locator("mark#m").inner_text() == "बाढ़"
        page.go_back()

        with page.expect_download() as download:
            page.click("p.info a:has-text('CSV')")
        saved = tmp_path / "kwic.csv"
        download.value.save_as(saved)
        lines = saved.read_text(encoding="utf-8-sig").splitlines()
        assert lines[0] == "id,title,source,date,field,left,match,right" and len(lines) == 11

        phone = browser.new_page(viewport={"width": 390, "height": 844})
        phone.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        phone.goto(page.url)
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        shot(phone, tmp_path, "kwic-390")
        assert errors == []
        browser.close()


def test_terms_lists_follows_a_term_and_downloads_its_csv(server: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        errors: list[str] = []
        page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.goto(server + "/terms")
        page.fill("form input[name=q]", "केरल")  # (one article of the five: its own words set it apart)
        page.click("form button")
        page.wait_for_url("**/terms?*")
        rows = page.locator("table.terms tbody tr")
        assert rows.count() > 0
        in_results = rows.first.locator("td").nth(1).inner_text()
        shot(page, tmp_path, "terms-1280")
        rows.first.locator("a").click()
        page.wait_for_url("**/?q=*")
        assert page.locator("p.total").inner_text() in (f"{in_results} लेख मिले", "1 लेख मिला")
        page.go_back()
        with page.expect_download() as download:
            page.click("p.info a:has-text('CSV')")
        saved = tmp_path / "terms.csv"
        download.value.save_as(saved)
        assert saved.read_text(encoding="utf-8-sig").splitlines()[0] == "term,score,in_results,in_archive"
        phone = browser.new_page(viewport={"width": 390, "height": 844})
        phone.goto(page.url)
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        shot(phone, tmp_path, "terms-390")
        assert errors == []
        browser.close()


def test_save_a_search_then_find_it_with_its_feed_on_the_watch_page(saving_server: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        errors: list[str] = []
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.goto(saving_server + "/?q=" + quote("बाढ़") + "&source=" + quote("जनसत्ता"))
        page.click("details.save summary")
        page.fill("details.save input[name=name]", "जनसत्ता की बाढ़")
        shot(page, tmp_path, "save-1280")
        with page.expect_navigation():
            page.click("details.save button")
        assert "/watch" in page.url, (page.url, page.content()[-1500:])
        row = page.locator("table.watch tbody tr")
        assert row.count() == 1 and row.locator("th").inner_text() == "जनसत्ता की बाढ़", page.content()[-800:]
        assert row.locator("td.count").first.inner_text() == "2"  # (जनसत्ता printed two of the floods)
        feed = row.locator("a[type='application/atom+xml']").get_attribute("href")
        assert feed is not None and feed.startswith(saving_server + "/watch/")
        answer = page.request.get(feed)
        assert answer.ok and b"<feed" in answer.body()
        shot(page, tmp_path, "watch-1280")
        row.locator("td a").first.click()  # its search, with its outlet
        page.wait_for_url("**/?*")
        assert parse_qs(urlparse(page.url).query)["source"] == ["जनसत्ता"]
        assert page.locator("p.total").inner_text() == "2 लेख मिले"

        phone = browser.new_page(viewport={"width": 390, "height": 844})
        phone.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        phone.goto(saving_server + "/watch")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        shot(phone, tmp_path, "watch-390")
        assert errors == []
        browser.close()
