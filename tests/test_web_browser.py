"""The search page in a real browser: Debian's Chromium, headless, driven by Playwright, against
`archive serve`'s application under uvicorn on loopback. `.ci/run` installs Chromium; skipped without it."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

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
    import uvicorn

    from archive.web.app import create_app

    assert run("ingest", str(write_jsonl(tmp_path / "floods.jsonl", STORIES))).exit_code == 0
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
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
        assert (query["since"], query["until"], query["source"]) == (["2019-08-01"], ["2019-08-31"], ["जनसत्ता"])
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
