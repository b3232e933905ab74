"""The page keeps its state: an article links back to the exact search it came from, a page past the end
says how many there are, the error page keeps the search box, and every message is in the page's language."""

from __future__ import annotations

import html as markup
import re
import string
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from fastapi.testclient import TestClient

from archive.config import Settings
from archive.messages import ENGLISH
from archive.web.app import create_app
from archive.web.text import ENGLISH_ON_THE_PAGE, HINDI, PROBLEMS
from tests.conftest import Run, write_jsonl

STORIES = [
    {
        "title": f"बाढ़ समाचार {number}",
        "body": f"नदी में बाढ़ आई, अंक {number}।",
        "source": ("जनसत्ता", "अमर उजाला", "दैनिक जागरण")[number % 3],
        "date": f"2019-{number % 12 + 1:02}-0{number % 9 + 1}",
    }
    for number in range(25)
]


@pytest.fixture
def client(run: Run, settings: Settings, tmp_path: Path) -> TestClient:
    assert run("ingest", str(write_jsonl(tmp_path / "news.jsonl", STORIES))).exit_code == 0
    return TestClient(create_app(settings))


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_message_has_a_hindi_template_with_the_same_placeholders() -> None:
    assert set(HINDI) == set(ENGLISH)
    for code, english in ENGLISH.items():
        assert fields(HINDI[code]) == fields(english), code
    for code, english in ENGLISH_ON_THE_PAGE.items():
        assert fields(english) == fields(ENGLISH[code]) and "--" not in english and "`" not in english, code
    for code, both in PROBLEMS.items():
        assert set(both) == {"hi", "en"} and fields(both["hi"]) == fields(both["en"]), code


def hrefs(page: str, pattern: str) -> list[str]:
    return [markup.unescape(h) for h in re.findall(rf'href="({pattern}[^"]*)"', page)]


def test_an_article_links_back_to_the_exact_search(client: TestClient) -> None:
    search = {
        "q": "बाढ़",
        "source": ["जनसत्ता", "अमर उजाला"],
        "sort": "newest",
        "page": "2",
        "limit": "5",
        "lang": "en",
        "more": "source",
    }
    page = client.get("/", params=search)
    assert page.status_code == 200
    opened = hrefs(page.text, "/articles/")
    assert len(opened) == 5
    address = urlparse(opened[0])
    assert address.fragment == "m" and parse_qs(address.query) == {
        k: v if isinstance(v, list) else [v] for k, v in search.items()
    }
    article = client.get(opened[0].split("#")[0])
    back = [markup.unescape(h) for h in re.findall(r'<p class="back"><a href="([^"]*)"', article.text)]
    assert parse_qs(urlparse(back[0]).query) == parse_qs(address.query)
    assert client.get(back[0]).text == page.text  # the very page the reader came from


def test_a_page_past_the_end_says_how_many_pages_there_are(client: TestClient) -> None:
    past = client.get("/", params={"q": "बाढ़", "page": "157"})
    assert past.status_code == 200
    assert "यह पृष्ठ 157 है, पर इस खोज के 2 ही पृष्ठ हैं।" in past.text
    assert 'href="/?q=%E0%A4%AC%E0%A4%BE%E0%A4%A2%E0%A4%BC&amp;page=2"' in past.text
    english = client.get("/", params={"q": "बाढ़", "page": "157", "lang": "en"}).text
    assert "This is page 157, but this search has 2 pages." in english
    data = client.get("/search.json", params={"q": "बाढ़", "page": "157"}).json()
    assert data["pages"] == 2 and data["hits"] == [] and data["next"] is None
    assert data["previous"].endswith("/search.json?q=%E0%A4%AC%E0%A4%BE%E0%A4%A2%E0%A4%BC&page=2")


def test_the_error_page_keeps_the_search_box_and_speaks_the_pages_language(client: TestClient) -> None:
    broken = client.get("/", params={"q": "(बाढ़ OR", "lang": "en"})
    assert broken.status_code == 400
    assert 'name="q" value="(बाढ़ OR"' in broken.text
    reversed_dates = {"q": "बाढ़", "since": "2020-01-01", "until": "2019-01-01"}
    hindi = client.get("/", params=reversed_dates).text
    assert "तिथियाँ उलटी हैं: आरंभ 2020-01-01 अंत 2019-01-01 के बाद है" in hindi and "--since" not in hindi
    english = client.get("/", params={**reversed_dates, "lang": "en"}).text
    assert "from 2020-01-01 is after to 2019-01-01" in english and "--since" not in english
    assert 'name="q" value="बाढ़"' in english
    missing = client.get("/nowhere")
    assert missing.status_code == 404 and "इस पते पर कोई पृष्ठ नहीं है" in missing.text
