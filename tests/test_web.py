"""`archive serve`'s pages and API, through FastAPI's test client on a real archive in a temp dir."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from archive.config import Settings
from archive.web.app import create_app
from tests.conftest import Run, write_jsonl

HOSTILE = [
    {
        "title": "<script>alert('t')</script> बाढ़ का कहर",
        "body": 'नदी में बाढ़ आई। "><img src=x onerror=alert(1)> और <b>मोटा</b> पाठ।',
        "url": "javascript:alert(document.cookie)",
        "source": '<i>दैनिक</i> "समाचार"',
        "category": "<svg onload=alert(2)>",
        "date": "2019-07-04",
    },
    {
        "title": "बाढ़ राहत शिविर",
        "body": "राहत शिविर में बाढ़ पीड़ितों को भोजन मिला।",
        "url": "https://example.org/flood",
        "source": "जनसत्ता",
        "category": "देश",
        "date": "2019-08-11",
    },
    {
        "title": "सूखे की मार",
        "body": "किसानों पर सूखे की मार पड़ी, बाढ़ का नाम नहीं।",
        "url": "https://example.org/drought",
        "source": "अमर उजाला",
        "category": "देश",
        "date": "2020-01-15",
    },
]


@pytest.fixture
def client(run: Run, settings: Settings, tmp_path: Path) -> TestClient:
    assert run("ingest", str(write_jsonl(tmp_path / "news.jsonl", HOSTILE))).exit_code == 0
    return TestClient(create_app(settings))


def text_of(html: str, css_class: str) -> list[str]:
    return re.findall(rf'<p class="{css_class}">(.*?)</p>', html, flags=re.S)


def test_the_search_page_shows_total_marks_facets_and_timeline(client: TestClient) -> None:
    page = client.get("/", params={"q": "बाढ़"})
    assert page.status_code == 200
    html = page.text
    assert text_of(html, "total") == ["3 लेख मिले"]
    assert "<mark>बाढ़</mark>" in html
    assert "खोजे गए रूप: बाढ़" in html
    # the facets link to the same search with a filter added, and the timeline's bars to a month
    assert (
        'href="/?q=%E0%A4%AC%E0%A4%BE%E0%A4%A2%E0%A4%BC&amp;source=%E0%A4%9C%E0%A4%A8%E0%A4%B8%E0%A4%A4%E0%A5%8D%E0%A4%A4%E0%A4%BE"'
        in html
    )
    # by week (the trend's rule: a span of two years at most), Monday to Sunday, every week drawn
    weekly = re.findall(r'<a href="([^"]*)" class="bar"><title>([^<]+)</title>', html)
    assert [title for _, title in weekly] == ["2019-W27: 1", "2019-W32: 1", "2020-W03: 1"]
    assert "since=2019-08-05" in weekly[1][0] and "until=2019-08-11" in weekly[1][0]
    assert html.count('class="bar') == 29  # 2019-W27 to 2020-W03, the empty weeks drawn too
    monthly = client.get("/", params={"q": "बाढ़", "granularity": "month"}).text
    bars = re.findall(r'<a href="([^"]*since=2019-08-01[^"]*)" class="bar">', monthly)
    assert bars and "until=2019-08-31" in bars[0] and "granularity=month" in bars[0]
    assert monthly.count('class="bar') == 7  # July 2019 to January 2020, the empty months drawn too
    assert monthly.count('class="bar"') == 3  # but only months with matches are links (Tab stops)
    assert '<strong aria-current="true">महीना</strong>' in monthly
    english = client.get("/", params={"q": "बाढ़", "lang": "en"}).text
    assert text_of(english, "total") == ["3 articles match"] and 'lang="en"' in english


def test_filters_show_as_chips_that_remove_them(client: TestClient) -> None:
    html = client.get("/", params={"q": "बाढ़", "source": "जनसत्ता", "since": "2019-01-01"}).text
    assert text_of(html, "total") == ["1 लेख मिला"]
    chips = dict(re.findall(r'<a class="chip" href="([^"]*)"[^>]*>([^<]*)', html))
    assert len(chips) == 2
    without_source = next(address for address, label in chips.items() if "जनसत्ता" in label)
    assert "source=" not in without_source and "since=2019-01-01" in without_source


def test_sort_and_pages(client: TestClient) -> None:
    newest = client.get("/search.json", params={"q": "बाढ़", "sort": "newest"}).json()
    oldest = client.get("/search.json", params={"q": "बाढ़", "sort": "oldest"}).json()
    assert [h["date"] for h in newest["hits"]] == ["2020-01-15", "2019-08-11", "2019-07-04"]
    assert [h["id"] for h in oldest["hits"]] == [h["id"] for h in reversed(newest["hits"])]
    assert client.get("/", params={"q": "बाढ़", "page": 2}).status_code == 200


def test_every_page_has_a_json_twin_and_an_openapi_document(client: TestClient) -> None:
    found = client.get("/search.json", params={"q": "बाढ़"}).json()
    assert found["total"] == 3 and found["facets"]["year"] == [
        {"value": "2019", "count": 2},
        {"value": "2020", "count": 1},
    ]
    assert client.get("/", params={"q": "बाढ़", "format": "json"}).json()["total"] == 3
    first = found["hits"][0]["id"]
    article = client.get(f"/articles/{first}.json").json()
    assert article["id"] == first and "similar" in article
    outlets = client.get("/sources.json").json()
    assert outlets["articles"] == 3 and len(outlets["sources"]) == 3
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/", "/search.csv", "/search.jsonl", "/articles/{article_id}", "/sources"} <= set(paths)


def test_exports_stream_the_whole_result_set_with_the_clis_columns(client: TestClient, run: Run) -> None:
    exported = client.get("/search.csv", params={"q": "बाढ़", "sort": "oldest"})
    assert exported.headers["content-disposition"] == 'attachment; filename="archive-search.csv"'
    rows = list(csv.DictReader(io.StringIO(exported.text.removeprefix("\ufeff"))))
    cli = run("search", "बाढ़", "--sort", "oldest", "--all", "--format", "csv").stdout
    assert rows == list(csv.DictReader(io.StringIO(cli.removeprefix("\ufeff"))))
    assert len(rows) == 3
    lines = client.get("/search.jsonl", params={"q": "बाढ़"}).text.splitlines()
    assert [json.loads(line)["id"] for line in lines] == [int(r["id"]) for r in rows[::-1]] or len(lines) == 3


def test_the_article_page_marks_every_match_and_scrolls_to_the_first(client: TestClient) -> None:
    hit = client.get("/search.json", params={"q": "शिविर"}).json()["hits"][0]
    html = client.get(f"/articles/{hit['id']}", params={"q": "शिविर"}).text
    assert html.count("<mark") == 2 and '<mark id="m">शिविर</mark>' in html  # title and body
    assert 'href="https://example.org/flood"' in html and "जनसत्ता" in html
    search = client.get("/", params={"q": "शिविर"}).text
    assert f"/articles/{hit['id']}?q=%E0%A4%B6%E0%A4%BF%E0%A4%B5%E0%A4%BF%E0%A4%B0#m" in search


def test_nothing_an_article_holds_can_run_as_code(client: TestClient) -> None:
    pages = [client.get("/", params={"q": "बाढ़"}), client.get("/sources")]
    hit = client.get("/search.json", params={"q": "कहर"}).json()["hits"][0]
    pages.append(client.get(f"/articles/{hit['id']}", params={"q": "कहर"}))
    for page in pages:
        html = page.text
        assert "<script" not in html and "<img" not in html and "<svg onload" not in html and "<i>" not in html
        # a javascript: address is shown as text, never as a link or a source
        assert not re.search(r'(href|src|action)\s*=\s*"\s*javascript:', html, flags=re.I)
        policy = page.headers["content-security-policy"]
        assert "unsafe-inline" not in policy and "script-src 'self'" in policy
    article = pages[-1].text
    assert "&lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt;" in article
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in article
    assert "<dd>javascript:alert(document.cookie)</dd>" in article  # shown as text, never a link


def test_bad_parameters_get_a_400_page_with_the_clis_message(client: TestClient) -> None:
    broken = client.get("/", params={"q": "(बाढ़"})
    assert broken.status_code == 400 and "कोष्ठक बंद नहीं हुआ" in broken.text and "Traceback" not in broken.text
    english = client.get("/", params={"q": "(बाढ़", "lang": "en"})
    assert english.status_code == 400 and "Unclosed parenthesis" in english.text
    assert client.get("/", params={"q": "बाढ़", "page": "x"}).status_code == 400
    assert client.get("/", params={"q": "बाढ़", "sort": "sideways"}).status_code == 400
    assert client.get("/", params={"q": "बाढ़", "since": "कल"}).status_code == 400
    assert client.get("/", params={"q": "क" * 3000}).status_code == 400  # the CLI's query limit
    missing = client.get("/articles/999", params={"lang": "en"})
    assert missing.status_code == 404 and "No article with id 999" in missing.text
    assert "क्रमांक 999 का कोई लेख नहीं" in client.get("/articles/999").text
    failed = client.get("/search.json", params={"q": "(बाढ़", "lang": "en"}).json()
    assert failed["error"].startswith("Unclosed parenthesis")
    assert client.get("/search.csv").status_code == 400


def test_the_server_only_reads_and_sees_new_articles_without_a_restart(
    client: TestClient, run: Run, settings: Settings, tmp_path: Path
) -> None:
    client.get("/", params={"q": "बाढ़"})

    def files() -> dict[str, tuple[int, int]]:
        return {
            str(p.relative_to(settings.home)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in settings.home.rglob("*")
            if p.is_file()
        }

    before = files()
    for address in ("/?q=बाढ़", "/search.csv?q=बाढ़", "/sources", "/articles/1?q=बाढ़", "/?q=(", "/search.json?q=सूखे"):
        client.get(address)
    assert files() == before
    later = [{"title": "बाढ़ का नया दौर", "body": "फिर बाढ़ आई।", "date": "2020-02-02"}]
    run("ingest", str(write_jsonl(tmp_path / "later.jsonl", later)))
    assert client.get("/search.json", params={"q": "बाढ़"}).json()["total"] == 4


def test_filters_alone_browse_and_notes_say_why_nothing_is_shown(client: TestClient) -> None:
    html = client.get("/", params={"source": "Amar Ujala"}).text  # the outlet printed as अमर उजाला
    assert text_of(html, "total") == ["1 लेख मिला"] and "सूखे की मार" in html
    data = client.get("/search.json", params={"since": "2019-01-01", "sort": "oldest"}).json()
    assert [hit["title"] for hit in data["hits"]][1:] == ["बाढ़ राहत शिविर", "सूखे की मार"]
    assert client.get("/search.json", params={"dated": "no"}).json()["total"] == 0
    html = client.get("/", params={"q": "बाढ़", "since": "2030-01-01"}).text
    assert text_of(html, "note") == ["“बाढ़” से मेल खाते 3 लेख मिले; पर उनमें से कोई भी 2030-01-01 या उसके बाद का नहीं।"]
    english = client.get("/", params={"q": "बाढ़", "since": "2030-01-01", "lang": "en"}).text
    assert text_of(english, "note") == ["3 articles match &#39;बाढ़&#39;; none dated 2030-01-01 or later."]
    rows = client.get("/search.jsonl", params={"source": "जनसत्ता"}).text.splitlines()
    assert [json.loads(row)["title"] for row in rows] == ["बाढ़ राहत शिविर"]


def test_answers_are_kept_only_while_the_index_is_the_same_commit(client: TestClient, run: Run, tmp_path: Path) -> None:
    archives = client.app.state.archives  # type: ignore[attr-defined]
    assert archives.cache is not None and archives.version() is not None
    first = client.get("/search.json", params={"q": "बाढ़"}).json()
    again = client.get("/search.json", params={"q": "बाढ़"}).json()
    assert first == again and first["total"] == 3 and len(archives.cache) == 1
    before = archives.version()
    later = [{"title": "बाढ़ फिर", "body": "फिर बाढ़ आई।", "date": "2020-02-02"}]
    run("ingest", str(write_jsonl(tmp_path / "later.jsonl", later)))
    assert archives.version() != before  # (a new commit: what was kept is not used again)
    assert client.get("/search.json", params={"q": "बाढ़"}).json()["total"] == 4
