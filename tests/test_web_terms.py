"""The page of what sets a result apart (``/terms``), its JSON twin and its CSV, through FastAPI's test
client on a real archive in a temp dir: ``Archive.terms``'s numbers, each term a link to the search narrowed
by it, whose total is the term's count in the results."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import pytest
from fastapi.testclient import TestClient

from archive.api import Archive, SearchRequest
from archive.config import Settings
from archive.web.app import create_app
from tests.conftest import Run, trend_news, write_jsonl


@pytest.fixture
def client(run: Run, settings: Settings, tmp_path: Path) -> TestClient:
    assert run("ingest", str(write_jsonl(tmp_path / "news.jsonl", trend_news()))).exit_code == 0
    return TestClient(create_app(settings))


def test_the_twin_the_page_and_the_csv_give_the_archives_terms(client: TestClient, settings: Settings) -> None:
    with Archive(settings=settings, catch_up=False) as archive:
        expected = archive.terms(SearchRequest("बाढ़"), 10).to_dict()
    assert client.get("/terms.json", params={"q": "बाढ़", "count": 10}).json() == expected
    rows = list(
        csv.DictReader(io.StringIO(client.get("/terms.csv", params={"q": "बाढ़", "count": 10}).text.lstrip("\ufeff")))
    )
    assert [r["term"] for r in rows] == [t["term"] for t in expected["terms"]]
    html = client.get("/terms", params={"q": "बाढ़", "count": 10}).text
    links = re.findall(r'<th scope="row"><a href="([^"]+)">([^<]+)</a></th>', html)
    assert [term for _, term in links] == [t["term"] for t in expected["terms"]]
    for (address, _), term in zip(links, expected["terms"], strict=True):
        query = parse_qs(urlparse(unquote(address.replace("&amp;", "&"))).query)
        assert query["q"] == [f'बाढ़ "{term["term"]}"']
        with Archive(settings=settings, catch_up=False) as archive:
            narrowed = archive.search(SearchRequest(query["q"][0], collapse=False, limit=1)).total
        assert narrowed == term["in_results"]


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/terms.json", {}),
        ("/terms.json", {"q": "बाढ़", "count": 0}),
        ("/terms", {"q": "बाढ़", "count": 101}),
        ("/terms.csv", {"q": "(बाढ़"}),
    ],
)
def test_bad_requests_are_a_400(client: TestClient, path: str, params: dict) -> None:  # type: ignore[type-arg]
    answer = client.get(path, params=params)
    assert answer.status_code == 400 and "Traceback" not in answer.text
    assert client.get("/terms").status_code == 200  # (the form)
