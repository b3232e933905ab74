"""Bounded work per request, and no 500 from any input: every limit is refused before a search runs (the
archives count the searches they run), in the page's language; every route's parameters fuzzed with hostile
values answer only 2xx, 3xx, 400 or 404."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from archive.config import Settings
from archive.web.app import create_app
from archive.web.common import MAX_DEPTH, MAX_QUERY_CHARS, MAX_VALUES, Archives
from tests.conftest import Run, write_jsonl

STORIES = [
    {
        "title": "बाढ़ राहत शिविर",
        "body": "राहत शिविर में बाढ़ पीड़ितों को भोजन मिला।",
        "source": "जनसत्ता",
        "date": "2019-08-11",
    },
    {"title": "सूखे की मार", "body": "किसानों पर सूखे की मार पड़ी।", "source": "अमर उजाला", "date": "2020-01-15"},
]


@pytest.fixture
def client(run: Run, settings: Settings, tmp_path: Path) -> TestClient:
    assert run("ingest", str(write_jsonl(tmp_path / "news.jsonl", STORIES))).exit_code == 0
    return TestClient(create_app(settings))


def searches(client: TestClient) -> int:
    archives: Archives = client.app.state.archives  # type: ignore[attr-defined]
    return archives.searches


def test_a_search_is_counted(client: TestClient) -> None:
    before = searches(client)
    assert client.get("/", params={"q": "बाढ़"}).status_code == 200
    assert searches(client) == before + 1  # (so that the refusals below, which leave it alone, mean something)


def test_two_thousand_outlets_are_refused_before_any_search(client: TestClient) -> None:
    address = "/?q=%E0%A4%AC&" + "&".join(f"source=o{n}" for n in range(2000))
    for path in (address, address.replace("/?", "/search.json?"), address.replace("/?", "/search.csv?")):
        before = searches(client)
        refused = client.get(path)
        assert refused.status_code == 400, path
        assert searches(client) == before
    assert "पते में 2001 पैरामीटर हैं; अधिकतम 64" in client.get(address).text
    assert "The address has 2002 parameters; at most 64" in client.get(address + "&lang=en").text
    longest = "/?q=" + "%E0%A4%95" * 4000  # (a query string over 32 KB)
    assert "पता बहुत लंबा है" in client.get(longest).text


@pytest.mark.parametrize(
    ("params", "hindi", "english"),
    [
        ({"source": [f"s{n}" for n in range(MAX_VALUES + 1)]}, "अधिकतम 20 जोड़े जाते हैं", "at most 20 are combined"),
        ({"category": [f"c{n}" for n in range(MAX_VALUES + 5)]}, "category= के 25 मान", "25 values of category="),
        ({"q": "क" * (MAX_QUERY_CHARS + 1)}, "अधिकतम 2,000 खोजे जाते हैं", "at most 2,000 are searched"),
        ({"q": "बाढ़", "page": MAX_DEPTH // 20 + 1}, "पहले 10,000 परिणामों से आगे", "past the first 10,000"),
        ({"q": "बाढ़", "limit": 101}, "पैरामीटर limit", "The parameter limit"),
        ({"q": "बाढ़", "source": "स" * 201}, "अधिकतम 200", "at most 200"),
        ({"q": "बाढ़", "since": "99999999999d"}, "कोई तिथि नहीं है", "is not a date"),
    ],
)
def test_every_limit_is_a_400_in_the_pages_language_and_runs_no_search(
    client: TestClient, params: dict[str, object], hindi: str, english: str
) -> None:
    before = searches(client)
    page = client.get("/", params=params)  # type: ignore[arg-type]
    assert page.status_code == 400 and hindi in page.text, page.text[-600:]
    twin = client.get("/search.json", params={**params, "lang": "en"})  # type: ignore[arg-type]
    assert twin.status_code == 400 and english in twin.json()["error"]
    assert searches(client) == before


def test_an_export_stops_at_its_limit(client: TestClient) -> None:
    rows = client.get("/search.jsonl", params={"q": "*", "limit": 1}).text.splitlines()
    assert len(rows) == 1
    assert client.get("/search.csv", params={"q": "*", "limit": 100_001}).status_code == 400


def test_ids_past_a_64_bit_integer_are_no_article(client: TestClient) -> None:
    for number in ("9223372036854775808", "9" * 40, "0", "-1"):
        assert client.get(f"/articles/{number}").status_code == 404, number
        assert client.get(f"/articles/{number}.json").status_code == 404, number
    assert client.get("/articles/1e3").status_code == 400


HOSTILE = [
    "",
    " ",
    "%00",
    "%FF",
    "%C0%AF",
    "%ED%A0%80",
    "9223372036854775808",
    "-9223372036854775809",
    "1e309",
    "NaN",
    "9" * 400,
    "%E0%A4",
    "(((((",
    '"',
    "*",
    "-",
    "title:",
    "OR",
    "%0D%0A",
    "0000-00-00",
    "9999-12-31",
    "0001-01-01",
    "30d",
    "99999999999999y",
    "2019-02-30",
    "%3Cscript%3E",
    "x" * 5000,
]
NAMES = ["q", "source", "category", "since", "until", "dated", "sort", "page", "limit", "lang", "format", "other", ""]
ROUTES = [
    "/",
    "/search.json",
    "/search.csv",
    "/search.jsonl",
    "/sources",
    "/sources.json",
    "/articles/1",
    "/articles/1.json",
    "/articles/%FF",
    "/articles/",
    "/articles/9223372036854775808.json",
    "/openapi.json",
    "/nowhere",
]


def test_no_input_makes_a_server_error(client: TestClient) -> None:
    safe_text = st.text(max_size=30).map(lambda text: quote(text, safe=""))
    value = st.one_of(st.sampled_from(HOSTILE), safe_text)

    @hypothesis_settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
    @given(
        route=st.sampled_from(ROUTES),
        params=st.lists(st.tuples(st.sampled_from(NAMES), value), max_size=6),
    )
    def answers(route: str, params: list[tuple[str, str]]) -> None:
        query = "&".join(f"{name}={text}" for name, text in params)
        address = f"{route}?{query}" if query else route
        response = client.get(address)
        assert response.status_code in (200, 301, 302, 303, 307, 308, 400, 404), (address, response.text[-400:])

    answers()
    for route in ROUTES:  # each hostile value alone, in every parameter of every route
        for name in NAMES:
            for text in HOSTILE:
                status = client.get(f"{route}?{name}={text}").status_code
                assert status in (200, 301, 302, 303, 307, 308, 400, 404), (route, name, text, status)


def test_an_unreadable_index_is_a_503_that_names_no_path(client: TestClient, settings: Settings) -> None:
    for part in settings.index_dir.resolve().iterdir():
        if part.suffix in (".trm", ".pst", ".hot", ".values"):
            part.write_bytes(b"damaged")
    broken = client.get("/", params={"q": "बाढ़"})
    assert broken.status_code == 503 and broken.headers["retry-after"] == "2"
    assert "थोड़ी देर में फिर कोशिश करें" in broken.text and str(settings.home) not in broken.text
    twin = client.get("/search.json", params={"q": "बाढ़", "lang": "en"})
    assert twin.status_code == 503 and "Try again in a moment" in twin.json()["error"]
