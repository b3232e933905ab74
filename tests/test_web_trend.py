"""The trend page (``/trend``), its JSON twin and its CSV, through FastAPI's test client on a real archive in
a temp dir: the same numbers as ``Archive.trend`` and as the searches each point links to."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

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


def test_the_twin_is_the_archives_trend(client: TestClient, settings: Settings) -> None:
    answer = client.get("/trend.json", params={"q": ["बाढ़", "सूखा"], "granularity": "month"})
    assert answer.status_code == 200, answer.text
    with Archive(settings=settings, catch_up=False) as archive:
        assert answer.json() == archive.trend(["बाढ़", "सूखा"], granularity="month").to_dict()
    filtered = client.get("/trend.json", params={"q": "बाढ़", "source": "जनसत्ता", "granularity": "year"}).json()
    total = client.get("/search.json", params={"q": "बाढ़", "source": "जनसत्ता"}).json()["total"]
    series = filtered["series"][0]
    assert series["total"] == total == sum(p["count"] for p in series["periods"]) + series["undated"]


def test_the_page_draws_every_point_as_a_link_to_its_search(client: TestClient) -> None:
    page = client.get("/trend", params={"q": ["बाढ़", "सूखा"], "granularity": "year", "lang": "en"})
    assert page.status_code == 200
    html = page.text
    assert "<svg" in html and "<script" not in html
    points = re.findall(r'<a href="([^"]+)" class="point s(\d)">', html)
    assert len(points) == 4  # two series by two years
    for address, _ in points:
        query = parse_qs(urlparse(unquote(address.replace("&amp;", "&"))).query)
        total = client.get("/search.json", params={k: v for k, v in query.items()}).json()["total"]
        title = html.split(address, 1)[1].split("</title>", 1)[0]
        assert title.endswith(f": {total}") or f": {total} (" in title
    # the value axis is labelled, the undated are said beside the chart, every value is in the table
    assert re.search(r'<svg class="axis".*?>0</text>', html, flags=re.S)
    assert "बाढ़: 2 undated (not on the chart)" in html
    assert re.search(r"<th scope=\"row\">2019</th><td class=\"count\"><a [^>]+>7</a>", html)


def test_share_is_drawn_as_a_percentage_axis(client: TestClient) -> None:
    html = client.get("/trend", params={"q": "बाढ़", "granularity": "year", "measure": "share"}).text
    ticks = re.findall(r'<text x="50" y="[\d.]+" text-anchor="end">([^<]+)</text>', html)
    assert ticks[0] == "0%" and ticks[-1].endswith("%")


def test_the_csv_has_a_row_per_query_and_period(client: TestClient) -> None:
    answer = client.get("/trend.csv", params={"q": ["बाढ़", "सूखा"], "granularity": "year"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert [(r["query"], r["period"], r["count"]) for r in rows] == [
        ("बाढ़", "2019", "7"),
        ("बाढ़", "2020", "1"),
        ("बाढ़", "undated", "2"),
        ("सूखा", "2019", "2"),
        ("सूखा", "2020", "2"),
        ("सूखा", "undated", "0"),
    ]


@pytest.mark.parametrize(
    ("params", "english"),
    [
        ({"q": ["a", "b", "c", "d", "e", "f", "g"]}, "at most 6 queries"),
        ({"q": "बाढ़", "granularity": "hour"}, "Unknown granularity"),
        ({"q": "बाढ़", "since": "yesterday"}, "is not a date"),
        ({"q": "बाढ़", "since": "1900-01-01", "granularity": "day"}, "periods; at most 1,000"),
        ({"q": "(बाढ़"}, "Unclosed parenthesis"),
    ],
)
def test_bad_requests_are_a_400_in_the_pages_language(client: TestClient, params: dict, english: str) -> None:  # type: ignore[type-arg]
    for path in ("/trend", "/trend.json", "/trend.csv"):
        answer = client.get(path, params={**params, "lang": "en"} if path == "/trend" else params)
        assert answer.status_code == 400, (path, answer.text)
        assert "Traceback" not in answer.text
    assert english in client.get("/trend", params={**params, "lang": "en"}).text
    hindi = client.get("/trend", params=params).text
    assert english not in hindi and 'lang="hi"' in hindi


def test_nothing_asked_is_the_form_and_the_twin_asks_for_a_query(client: TestClient) -> None:
    page = client.get("/trend")
    assert page.status_code == 200 and 'name="q"' in page.text and "<svg" not in page.text
    assert client.get("/trend.json").status_code == 400
    assert client.get("/trend.json", params={"q": ["", " "]}).status_code == 400


def test_the_table_folds_runs_of_empty_periods_and_the_csv_keeps_them(client: TestClient) -> None:
    params = {"q": ["सूखा"], "granularity": "month", "lang": "en"}
    trend = client.get("/trend.json", params=params).json()
    periods = trend["series"][0]["periods"]
    html = client.get("/trend", params=params).text
    row = r'<tr(?: class="folded")?><th scope="row">([^<]+)</th><td class="count">(?:<a [^>]+>)?(\d+)'
    rows = re.findall(row, html)
    # counted independently: runs of three or more empty months are one row, shorter ones a row each
    expected: list[tuple[str, str]] = []
    index = 0
    while index < len(periods):
        end = index
        while end < len(periods) and periods[end]["count"] == 0:
            end += 1
        if end - index >= 3:
            expected.append((f"{periods[index]['period']} … {periods[end - 1]['period']}", "0"))
            index = end
        else:
            expected.append((periods[index]["period"], str(periods[index]["count"])))
            index += 1
    assert rows == expected and any("…" in label for label, _ in rows) and len(rows) < len(periods)
    assert "Runs of 3 or more periods" in html
    sheet = list(csv.DictReader(io.StringIO(client.get("/trend.csv", params=params).text.lstrip("\ufeff"))))
    assert [row["period"] for row in sheet] == [p["period"] for p in periods] + ["undated"]


@pytest.mark.parametrize("granularity", ["", "day", "week", "month", "year"])
def test_the_search_pages_timeline_is_the_searchs_trend(client: TestClient, granularity: str) -> None:
    params = {"q": "बाढ़", "granularity": granularity, "lang": "en"}
    html = client.get("/", params=params).text
    total = client.get("/search.json", params={"q": "बाढ़"}).json()["total"]
    trend = client.get("/trend.json", params={"q": "बाढ़", "granularity": granularity}).json()
    bars = re.findall(r'class="bar(?: empty)?"><title>([^<]+): (\d+)</title>', html)
    series = trend["series"][0]
    assert [(label, int(n)) for label, n in bars] == [(p["period"], p["count"]) for p in series["periods"]]
    undated = re.search(r"Undated: (\d+)</a> \(not on the chart\)", html, flags=re.I)
    assert undated is not None and int(undated.group(1)) == series["undated"]
    assert sum(int(n) for _, n in bars) + series["undated"] == total
    chosen = re.search(r'<strong aria-current="true">([^<]+)</strong>', html)
    assert chosen is not None and chosen.group(1) == (granularity or trend["granularity"])
    for address, count in re.findall(r'<a href="([^"]+)" class="bar"><title>[^<]+: (\d+)</title>', html):
        query = parse_qs(urlparse(unquote(address.replace("&amp;", "&"))).query)
        assert client.get("/search.json", params=query).json()["total"] == int(count)


def test_the_search_page_refuses_an_unknown_granularity_and_survives_too_many_periods(client: TestClient) -> None:
    refused = client.get("/", params={"q": "बाढ़", "granularity": "decade", "lang": "en"})
    assert refused.status_code == 400 and "Unknown granularity &#39;decade&#39;" in refused.text
    wide = client.get("/", params={"q": "बाढ़", "granularity": "day", "since": "2010-01-01", "lang": "en"})
    assert wide.status_code == 200 and "periods; at most 1,000" in wide.text and '<ol class="hits"' in wide.text


def test_the_timelines_axis_counts_in_whole_articles(client: TestClient) -> None:
    html = client.get("/", params={"q": "सूखा", "source": "जनसत्ता", "granularity": "year"}).text
    ticks = re.findall(r'<svg class="axis".*?</svg>', html, flags=re.S)[0]
    labels = re.findall(r">([^<]+)</text>", ticks)
    assert labels and labels == sorted(set(labels), key=int) and all(label.isdigit() for label in labels)
