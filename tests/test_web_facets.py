"""Facets a researcher can use: values of one facet combine (OR), a checked value stays visible and unchecks
on click, "all" shows every value, the counts are the search pipeline's, and dates take the CLI's forms."""

from __future__ import annotations

import html as markup
import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from fastapi.testclient import TestClient

from archive.config import Settings
from archive.web.app import create_app
from tests.conftest import Run, write_jsonl

CITIES = "पटना कानपुर लखनऊ भोपाल जयपुर रांची इंदौर मेरठ नागपुर देहरादून शिमला गया सूरत बीकानेर अजमेर उदयपुर झांसी वाराणसी"
OUTLETS = [f"{city} दर्पण" for city in CITIES.split()]  # more outlets than a facet shows at first
STORIES = [
    {
        "title": f"बाढ़ खबर {number}",
        "body": f"नदी में बाढ़ आई, खबर क्रमांक {number} अलग शब्द{number}।",
        "source": OUTLETS[number % 18] if number < 36 else "जनसत्ता",
        "category": ("देश", "राज्य")[number % 2],
        "date": f"{2018 + number % 3}-0{number % 9 + 1}-1{number % 9}",
    }
    for number in range(48)
]


@pytest.fixture
def client(run: Run, settings: Settings, tmp_path: Path) -> TestClient:
    assert run("ingest", str(write_jsonl(tmp_path / "news.jsonl", STORIES))).exit_code == 0
    return TestClient(create_app(settings))


def facet(page: str, heading: str) -> list[tuple[str, str, bool, str]]:
    """(value, count, checked, href) of a facet's values, as the page shows them."""
    section = re.search(rf"<h2>{heading}</h2>\s*<ul>(.*?)</ul>", page, flags=re.S)
    assert section, heading
    found = re.findall(
        r'<a href="([^"]*)" role="checkbox" aria-checked="(true|false)"[^>]*>.*?<span class="value">([^<]*)</span>'
        r' <span class="count">([^<]*)</span>',
        section.group(1),
    )
    return [(value, count, checked == "true", markup.unescape(href)) for href, checked, value, count in found]


def total(client: TestClient, **params: object) -> int:
    found: int = client.get("/search.json", params=params).json()["total"]  # type: ignore[arg-type]
    return found


def test_two_outlets_combine_and_a_checked_one_unchecks(client: TestClient) -> None:
    first = client.get("/", params={"q": "बाढ़"}).text
    outlets = facet(first, "स्रोत")
    jansatta = next(href for value, _, _, href in outlets if value == "जनसत्ता")
    page = client.get(jansatta).text
    checked = facet(page, "स्रोत")
    assert checked[0][:3] == ("जनसत्ता", "12", True)  # the checked value first, and still counted
    assert len(checked) > 1  # the other outlets stay, to be added
    other = checked[1]
    assert not other[2]
    both = parse_qs(urlparse(other[3]).query)
    assert both["source"] == ["जनसत्ता", other[0]]
    combined = client.get(other[3]).text
    now = facet(combined, "स्रोत")
    assert [value for value, _, on, _ in now if on] == ["जनसत्ता", other[0]]
    assert total(client, q="बाढ़", source=["जनसत्ता", other[0]]) == 12 + int(other[1])  # any of them: OR
    assert combined.count('class="chip"') == 2
    uncheck = next(href for value, _, on, href in now if value == "जनसत्ता")
    assert parse_qs(urlparse(uncheck).query)["source"] == [other[0]]  # a click unchecks, never adds again


def test_every_count_is_the_total_its_value_gives(client: TestClient) -> None:
    page = client.get("/", params={"q": "बाढ़", "source": "जनसत्ता", "category": "देश", "more": "source"}).text
    for heading, name in (("स्रोत", "source"), ("श्रेणी", "category")):
        for value, count, checked, _ in facet(page, heading):
            alone = {"q": "बाढ़", "source": "जनसत्ता", "category": "देश", name: value}
            assert int(count) == total(client, **alone), (name, value)  # (its own filter left out)
            assert checked == (value in ("जनसत्ता", "देश"))


def test_a_facet_shows_fifteen_values_and_all_on_request(client: TestClient) -> None:
    page = client.get("/", params={"q": "बाढ़"}).text
    assert len(facet(page, "स्रोत")) == 15
    more = re.search(r"<p class=\"more\"><a href=\"([^\"]*)\">सभी 19 देखें</a>", page)
    assert more
    whole = client.get(markup.unescape(more.group(1))).text
    assert len(facet(whole, "स्रोत")) == 19 and "कम दिखाएँ" in whole


def test_the_year_facet_toggles_and_dates_take_the_clis_forms(client: TestClient) -> None:
    years = facet(client.get("/", params={"q": "बाढ़"}).text, "वर्ष")
    href = next(h for value, _, _, h in years if value == "2019")
    query = parse_qs(urlparse(href).query)
    assert (query["since"], query["until"]) == (["2019-01-01"], ["2019-12-31"])
    again = facet(client.get(href).text, "वर्ष")
    on = next(entry for entry in again if entry[2])
    assert on[0] == "2019" and "since" not in parse_qs(urlparse(on[3]).query)
    assert total(client, q="बाढ़", since="2019-01-01", until="2019-12-31") == int(on[1])
    page = client.get("/", params={"q": "बाढ़", "since": "30d"})
    assert page.status_code == 200 and 'name="since" value="30d"' in page.text
    assert total(client, q="बाढ़", since="30d") == 0
    assert client.get("/", params={"q": "बाढ़", "since": "कल"}).status_code == 400


def test_an_outlet_asked_for_by_another_of_its_names_is_its_checked_value_with_its_count(client: TestClient) -> None:
    """``source=Jansatta`` (the outlet's name in Latin letters, one of the default synonym group's names)
    filters to जनसत्ता: the facet shows जनसत्ता checked with its count, not a second, countless entry."""
    asked = client.get("/", params={"q": "बाढ़", "source": "Jansatta"}).text
    checked = [(value, count, href) for value, count, on, href in facet(asked, "स्रोत") if on]
    assert [(value, count) for value, count, _ in checked] == [
        ("जनसत्ता", str(total(client, q="बाढ़", source="Jansatta")))
    ]
    assert int(checked[0][1]) > 0
    assert "source" not in parse_qs(urlparse(checked[0][2]).query)  # (a click unchecks it)
