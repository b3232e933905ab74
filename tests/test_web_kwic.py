"""The concordance page (``/kwic``), its JSON twin and its CSV, through FastAPI's test client on a real
archive in a temp dir: the lines ``Archive.kwic`` makes, each linked to its article."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from archive.api import Archive
from archive.config import Settings
from archive.web.app import create_app
from tests.conftest import Run, trend_news, write_jsonl


@pytest.fixture
def client(run: Run, settings: Settings, tmp_path: Path) -> TestClient:
    assert run("ingest", str(write_jsonl(tmp_path / "news.jsonl", trend_news()))).exit_code == 0
    return TestClient(create_app(settings))


def _expected(settings: Settings, query: str, **options: object) -> list[dict[str, object]]:
    with Archive(settings=settings, catch_up=False) as archive:
        return [line.to_row() for line in archive.kwic(query, **options)]  # type: ignore[arg-type]


def test_the_twin_pages_through_every_line(client: TestClient, settings: Settings) -> None:
    expected = _expected(settings, "बाढ़")
    seen: list[dict[str, object]] = []
    address: str | None = "/kwic.json?q=" + "बाढ़" + "&limit=7"
    while address:
        answer = client.get(address)
        assert answer.status_code == 200, answer.text
        data = answer.json()
        seen += data["lines"]
        address = data["next"]
    assert seen == expected and len(expected) > 7


def test_the_page_lines_up_the_matches_and_links_each_to_its_article(client: TestClient, settings: Settings) -> None:
    html = client.get("/kwic", params={"q": "बाढ़", "width": 3, "lang": "en"}).text
    rows = re.findall(
        r'<td class="left" lang="hi">(.*?)</td><td class="match"><a href="(/articles/\d+)\?[^"]*#m"[^>]*>(.*?)</a></td>'
        r'<td class="right" lang="hi">(.*?)</td>',
        html,
    )
    expected = _expected(settings, "बाढ़", width=3)
    assert [(left, match, right) for left, _, match, right in rows] == [
        (line["left"], line["match"], line["right"]) for line in expected
    ]
    assert all(address == f"/articles/{line['id']}" for (_, address, _, _), line in zip(rows, expected, strict=True))
    assert client.get(rows[0][1]).status_code == 200


def test_filters_and_order_apply(client: TestClient, settings: Settings) -> None:
    data = client.get("/kwic.json", params={"q": "बाढ़", "source": "जनसत्ता"}).json()
    assert {line["source"] for line in data["lines"]} == {"जनसत्ता"}
    right = client.get("/kwic.json", params={"q": "बाढ़", "order": "right"}).json()["lines"]
    assert [line["right"].split() for line in right] == sorted(line["right"].split() for line in right)


def test_the_csv_streams_every_line(client: TestClient, settings: Settings) -> None:
    answer = client.get("/kwic.csv", params={"q": "बाढ़"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))
    expected = _expected(settings, "बाढ़")
    assert [(int(r["id"]), r["left"], r["match"], r["right"]) for r in rows] == [
        (line["id"], line["left"], line["match"], line["right"]) for line in expected
    ]


@pytest.mark.parametrize(
    ("params", "english"),
    [
        ({"q": "बाढ़", "width": 0}, "1 to 25 words"),
        ({"q": "बाढ़", "width": 99}, "1 to 25 words"),
        ({"q": "बाढ़", "order": "middle"}, "Cannot order a concordance"),
        ({"q": "(बाढ़"}, "Unclosed parenthesis"),
        ({"q": "बाढ़", "page": 101, "limit": 100}, "goes past the first"),
    ],
)
def test_bad_requests_are_a_400_in_the_pages_language(client: TestClient, params: dict, english: str) -> None:  # type: ignore[type-arg]
    for path in ("/kwic", "/kwic.json", "/kwic.csv"):
        if path == "/kwic.csv" and "page" in params:
            continue
        answer = client.get(path, params=params)
        assert answer.status_code == 400, (path, answer.text)
    assert english in client.get("/kwic", params={**params, "lang": "en"}).text
    assert english not in client.get("/kwic", params=params).text
    assert client.get("/kwic.json").status_code == 400  # (no query)
    assert client.get("/kwic").status_code == 200  # (the form)
