"""Why did this match, on the page (issue 31, point 8): each hit links to its explanation, whose parts add up
to the hit's score, in the page's language; an article the query does not match is a 404 that says so."""

from __future__ import annotations

import html as markup
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from archive.config import Settings
from archive.web.app import create_app
from tests.conftest import Run, write_jsonl

NEWS = [
    {"title": "आम आदमी पार्टी की सभा", "body": "दिल्ली में आम आदमी पार्टी ने सभा की।", "source": "जनसत्ता"},
    {"title": "आम लोगों की बात", "body": "हर पार्टी आम आदमी की बात करती है।", "source": "अमर उजाला"},
    {"title": "खेल", "body": "क्रिकेट का मैच हुआ।", "source": "अमर उजाला"},
]


@pytest.fixture
def client(run: Run, settings: Settings, tmp_path: Path) -> TestClient:
    assert run("ingest", str(write_jsonl(tmp_path / "news.jsonl", NEWS))).exit_code == 0
    return TestClient(create_app(settings))


def test_each_hit_links_to_why_it_matched_and_the_parts_add_up(client: TestClient) -> None:
    page = client.get("/", params={"q": "आम आदमी पार्टी"}).text
    links = [markup.unescape(h) for h in re.findall(r'href="(/explain\?[^"]*)"', page)]
    found = client.get("/", params={"q": "आम आदमी पार्टी", "format": "json"}).json()
    assert len(links) == len(found["hits"]) == 2
    for hit in found["hits"]:
        why = client.get("/explain.json", params={"q": "आम आदमी पार्टी", "id": hit["id"]}).json()
        assert why["score"] == pytest.approx(hit["score"], abs=1e-3)
        assert sum(part["score"] for part in why["parts"]) == pytest.approx(hit["score"], abs=1e-3)
    first = client.get("/explain.json", params={"q": "आम आदमी पार्टी", "id": found["hits"][0]["id"]}).json()
    assert {part["rule"] for part in first["parts"]} >= {"near", "adjacent"}  # the phrase stands in article 1


def test_the_explanation_page_speaks_the_page_s_language(client: TestClient) -> None:
    hindi = client.get("/explain", params={"q": "आम आदमी पार्टी", "id": 1}).text
    english = client.get("/explain", params={"q": "आम आदमी पार्टी", "id": 1, "lang": "en"}).text
    assert "यह लेख क्यों मिला" in hindi and "शब्द साथ-साथ" in hindi and "शीर्षक" in hindi
    assert "Why this article matched" in english and "the words side by side" in english


def test_an_article_the_query_does_not_match_is_a_404_that_says_so(client: TestClient) -> None:
    answer = client.get("/explain", params={"q": "आम आदमी पार्टी", "id": 3, "lang": "en"})
    assert answer.status_code == 404 and "does not match" in answer.text
    assert client.get("/explain", params={"q": " ", "id": 1}).status_code == 400
    assert client.get("/explain", params={"q": "आम", "id": 2**63}).status_code == 400  # (no id is that large)


def test_the_page_says_which_part_was_searched_exactly(client: TestClient) -> None:
    page = client.get("/", params={"q": '"पार्टी" आदमी', "lang": "en"}).text
    assert '"पार्टी" (exactly as typed)' in markup.unescape(page)
