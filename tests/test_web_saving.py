"""Saving a search from the page and marking a saved search seen: refused (403) and never offered unless
`archive serve --allow-saving`, guarded against other sites (token and cookie, Origin, Sec-Fetch-Site),
one secret for every worker; every GET writes nothing in either mode."""

from __future__ import annotations

import re
import secrets
import subprocess
import sys
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from fastapi.testclient import TestClient

from archive.api import Archive
from archive.config import Settings
from archive.web.app import create_app
from archive.web.saving import COOKIE
from tests.conftest import Run, env, free_port, trend_news, wait_until_up, write_jsonl

DROUGHT = "सूखा"


@pytest.fixture
def news(run: Run, settings: Settings, tmp_path: Path) -> Settings:
    assert run("ingest", str(write_jsonl(tmp_path / "news.jsonl", trend_news()))).exit_code == 0
    return settings


def files(settings: Settings) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(settings.home)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in settings.home.rglob("*")
        if p.is_file()
    }


def token_of(html: str) -> str:
    found = re.search(r'name="token" value="([^"]+)"', html)
    assert found, "no form token on the page"
    return found.group(1)


def forged(token: str) -> str:
    """The token with its last character changed (always to a different one)."""
    return token[:-1] + ("1" if token.endswith("0") else "0")


def saved_names(settings: Settings) -> list[str]:
    with Archive(settings=settings, catch_up=False) as archive:
        return archive.watch_names()


def test_by_default_nothing_is_offered_and_a_post_is_refused_writing_nothing(news: Settings) -> None:
    client = TestClient(create_app(news))
    client.get("/", params={"q": DROUGHT})
    before = files(news)
    page = client.get("/", params={"q": DROUGHT})
    assert 'action="/watch"' not in page.text and COOKIE not in page.headers.get("set-cookie", "")
    refused = client.post("/watch", data={"name": "x", "q": DROUGHT, "token": "a.b"}, params={"lang": "en"})
    assert refused.status_code == 403 and "--allow-saving" in refused.text
    assert client.post("/watch/x/seen", data={}).status_code == 403
    assert files(news) == before and saved_names(news) == []


def test_save_from_the_page_then_list_it_and_mark_it_seen(news: Settings, run: Run, tmp_path: Path) -> None:
    client = TestClient(create_app(news, allow_saving=True))
    first = client.get("/", params={"q": DROUGHT})  # (the index's first reading may tidy its files)
    cookie = first.headers["set-cookie"].lower()
    assert COOKIE in cookie and "samesite=strict" in cookie and "httponly" in cookie
    before = files(news)
    page = client.get("/", params={"q": DROUGHT, "source": "जनसत्ता"})
    assert page.status_code == 200 and "set-cookie" not in page.headers  # (the browser has it: kept)
    token = token_of(page.text)
    for address in ("/watch", "/watch.json", "/trend?q=" + DROUGHT, "/search.json?q=" + DROUGHT):
        assert client.get(address).status_code == 200
    assert files(news) == before  # looking writes nothing, in this mode too

    form = {"token": token, "name": "जनसत्ता में सूखा", "q": DROUGHT, "source": "जनसत्ता", "lang": "hi"}
    answer = client.post("/watch", data=form, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/watch?saved=")
    with Archive(settings=news, catch_up=False) as archive:
        counted = {c.search.name: (c.total, c.new, c.search.sources) for c in archive.watch_counts()}
        expected_total = sum(1 for hit in archive.search(DROUGHT, sources=("जनसत्ता",), collapse=False, limit=100).hits)
    assert counted == {"जनसत्ता में सूखा": (expected_total, 0, ("जनसत्ता",))} and expected_total > 0
    listed = client.get(answer.headers["location"]).text
    assert "जनसत्ता में सूखा" in listed and "सहेजी गई" in listed and "स्रोत: जनसत्ता" in listed

    again = client.post("/watch", data=form)
    assert again.status_code == 400 and "पहले से सहेजी है" in again.text
    assert client.post("/watch", data={**form, "name": " "}).status_code == 400

    later = [{"title": "सूखा फिर", "body": "खेत में सूखा पड़ा।", "source": "जनसत्ता", "date": "2020-04-01"}]
    assert run("ingest", str(write_jsonl(tmp_path / "later.jsonl", later))).exit_code == 0
    rows = client.get("/watch.json").json()["searches"]
    assert [(row["name"], row["new"]) for row in rows] == [("जनसत्ता में सूखा", 1)]
    page = client.get("/watch")
    assert client.get("/watch.json").json()["searches"][0]["new"] == 1  # (looking marked nothing)
    seen = re.search(r'<form method="post" action="([^"]+)" class="seen">', page.text)
    assert seen is not None
    answer = client.post(seen.group(1), data={"token": token_of(page.text)}, follow_redirects=False)
    assert answer.status_code == 303
    assert client.get("/watch.json").json()["searches"][0]["new"] == 0


def test_a_form_from_another_site_or_without_its_token_is_refused(news: Settings) -> None:
    client = TestClient(create_app(news, allow_saving=True))
    token = token_of(client.get("/", params={"q": DROUGHT}).text)
    form = {"token": token, "name": "n", "q": DROUGHT}
    assert client.post("/watch", data={**form, "token": ""}).status_code == 403
    assert client.post("/watch", data={**form, "token": forged(token)}).status_code == 403
    assert client.post("/watch", data=form, headers={"Origin": "https://elsewhere.example"}).status_code == 403
    assert client.post("/watch", data=form, headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    stranger = TestClient(create_app(news, allow_saving=True))  # (its own cookie: someone else's browser)
    stranger.get("/", params={"q": DROUGHT})
    assert stranger.post("/watch", data=form).status_code == 403
    assert saved_names(news) == []
    hidden = {"Origin": "null", "Sec-Fetch-Site": "cross-site"}
    assert client.post("/watch", data=form, headers=hidden).status_code == 403
    assert saved_names(news) == []
    headers = {"Origin": "null", "Sec-Fetch-Site": "same-origin"}  # (what Chromium sends under no-referrer)
    assert client.post("/watch", data={**form, "name": "m"}, headers=headers, follow_redirects=False).status_code == 303
    headers = {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"}
    assert client.post("/watch", data=form, headers=headers, follow_redirects=False).status_code == 303
    assert saved_names(news) == ["m", "n"]


def test_workers_sharing_the_secret_accept_each_others_forms(news: Settings) -> None:
    secret = secrets.token_hex(32)
    shown_by = TestClient(create_app(news, allow_saving=True, secret=secret))
    token = token_of(shown_by.get("/", params={"q": DROUGHT}).text)
    cookie = shown_by.cookies[COOKIE]
    other_worker = TestClient(create_app(news, allow_saving=True, secret=secret), cookies={COOKIE: cookie})
    restarted = TestClient(create_app(news, allow_saving=True), cookies={COOKIE: cookie})
    form = {"token": token, "name": "सूखा", "q": DROUGHT}
    assert restarted.post("/watch", data=form).status_code == 403
    assert other_worker.post("/watch", data=form, follow_redirects=False).status_code == 303


def test_archive_serve_allow_saving_with_two_workers(news: Settings) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "archive", "--home", str(news.home), "serve", "--port", str(port)]
    server = subprocess.Popen(
        [*command, "--workers", "2", "--allow-saving"], env=env(), stderr=subprocess.PIPE, text=True
    )
    try:
        wait_until_up(base + "/sources.json", server)
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        # forms shown by whichever worker, sent to whichever: every one is accepted
        for number in range(6):
            with browser.open(base + "/?" + urlencode({"q": DROUGHT})) as page:
                token = token_of(page.read().decode())
            form = urlencode({"token": token, "name": f"s{number}", "q": DROUGHT}).encode()
            with browser.open(base + "/watch", data=form) as answer:  # (the redirect followed)
                assert answer.status == 200 and f"s{number}" in answer.read().decode()
        with browser.open(base + "/watch/" + quote("s0") + ".atom") as feed:
            assert feed.status == 200
    finally:
        server.terminate()
        _, stderr = server.communicate(timeout=30)
    assert server.returncode == 0 and "--allow-saving" in stderr and "Traceback" not in stderr
    assert saved_names(news) == [f"s{n}" for n in range(6)]
