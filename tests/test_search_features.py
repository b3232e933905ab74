"""Newsroom search: query forms, filters, sorting, paging, facets, collapsing, similar, output formats.

The fixture is a few dozen short articles with known sources, categories and dates; article ``i`` of
``ARTICLES`` gets id ``i + 1``, so every expectation is computed from the fixture itself.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from archive import Archive
from tests.conftest import ARTICLES, Cli, Run, ingested, write_jsonl


def ids_where(predicate: Any) -> set[int]:
    return {i + 1 for i, a in enumerate(ARTICLES) if predicate(a)}


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    """The newsroom articles, ingested once: these tests only read them."""
    return ingested(tmp_path_factory, "features", ARTICLES)


def results(run: Run, *args: str) -> dict[str, Any]:
    result = run("search", *args, "--format", "json", "--limit", "100")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def ids(run: Run, *args: str) -> set[int]:
    return {hit["id"] for hit in results(run, *args)["hits"]}


def has(word: str) -> Any:
    return lambda a: word in a["body"].split() or word in a["title"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("चुनाव", ids_where(has("चुनाव"))),
        ("चुनाव क्रिकेट", ids_where(lambda a: has("चुनाव")(a) and has("क्रिकेट")(a))),
        ("चुनाव AND क्रिकेट", ids_where(lambda a: has("चुनाव")(a) and has("क्रिकेट")(a))),
        ("चुनाव OR महंगाई", ids_where(lambda a: has("चुनाव")(a) or has("महंगाई")(a))),
        ("चुनाव NOT महंगाई", ids_where(lambda a: has("चुनाव")(a) and not has("महंगाई")(a))),
        ("चुनाव -महंगाई", ids_where(lambda a: has("चुनाव")(a) and not has("महंगाई")(a))),
        ("(चुनाव OR मतदाता) AND क्रिकेट", ids_where(has("क्रिकेट"))),
        ('"क्रिकेट की चर्चा"', ids_where(lambda a: "क्रिकेट की चर्चा" in a["body"])),
        # stopwords (और, की) take no positions: "चुनाव संसद चर्चा" is within 2, "... महंगाई चर्चा" is not
        ('"चुनाव चर्चा"~2', ids_where(lambda a: has("चुनाव")(a) and not has("महंगाई")(a))),
        ("title:क्रिकेट", set()),
        ("title:मतदाता", ids_where(lambda a: "मतदाता" in a["title"])),
        ("source:उजाला", ids_where(lambda a: a["source"] == "अमर उजाला")),
        ("महं*", ids_where(has("महंगाई"))),
        ("महंगाइ~", ids_where(has("महंगाई"))),
    ],
)
def test_query_forms(archive: Run, query: str, expected: set[int]) -> None:
    assert ids(archive, query, "--no-collapse") == expected


def test_syntax_error_names_position(archive: Run) -> None:
    result = archive("search", "(चुनाव OR संसद")
    assert result.exit_code == 2 and "position 1" in result.stderr


def test_filters(archive: Run) -> None:
    everything = ids_where(has("चुनाव"))
    dainik = ids_where(lambda a: has("चुनाव")(a) and a["source"] == "दैनिक जागरण")
    assert ids(archive, "चुनाव", "--source", "दैनिक जागरण") == dainik
    # one outlet however it is spelt
    naidunia = ids_where(lambda a: has("चुनाव")(a) and a["source"] in ("नई दुनिया", "नईदुनिया"))
    assert ids(archive, "चुनाव", "--source", "नई दुनिया") == naidunia == ids(archive, "चुनाव", "--source", "नईदुनिया")
    assert ids(archive, "चुनाव", "--source", "दैनिक जागरण", "--source", "नईदुनिया") == dainik | naidunia
    assert ids(archive, "चुनाव", "--category", "खेल") == ids_where(lambda a: has("चुनाव")(a) and a.get("category") == "खेल")
    since, until = "2016-01-01", "2017-06-30"
    in_range = ids_where(lambda a: has("चुनाव")(a) and since <= a["date"] <= until)
    assert ids(archive, "चुनाव", "--since", since, "--until", until) == in_range
    assert ids(archive, "चुनाव", "--since", "2015-01-10", "--until", "2015-01-10") == {1}  # inclusive
    assert ids(archive, "चुनाव", "--lang", "hi") == everything
    assert ids(archive, "चुनाव", "--lang", "en") == set()
    assert archive("search", "चुनाव", "--since", "कल").exit_code == 2


def test_sorting_and_paging(archive: Run) -> None:
    matching = sorted(ids_where(has("चुनाव")))  # dates grow with the id
    newest = [h["id"] for h in results(archive, "चुनाव", "--sort", "newest")["hits"]]
    assert newest == matching[::-1]
    oldest = [h["id"] for h in results(archive, "चुनाव", "--sort", "oldest")["hits"]]
    assert oldest == matching
    page2 = archive("search", "चुनाव", "--sort", "oldest", "--limit", "4", "--page", "2", "--format", "json")
    data = json.loads(page2.stdout)
    assert [h["id"] for h in data["hits"]] == matching[4:8]
    assert data["total"] == len(matching) and data["page"] == 2


def test_facets_count_all_matches(archive: Run) -> None:
    data = results(archive, "चुनाव", "--facet", "source", "--facet", "year", "--facet", "category", "--limit", "1")
    matching = [a for a in ARTICLES if has("चुनाव")(a)]
    by_source = Counter("नई दुनिया" if a["source"] == "नईदुनिया" else a["source"] for a in matching)
    # नई दुनिया and नईदुनिया are counted as one outlet, labelled as most of its articles spell it
    assert {f["value"].replace("नईदुनिया", "नई दुनिया"): f["count"] for f in data["facets"]["source"]} == dict(by_source)
    assert {f["value"]: f["count"] for f in data["facets"]["year"]} == dict(Counter(a["date"][:4] for a in matching))
    assert {f["value"]: f["count"] for f in data["facets"]["category"]} == dict(
        Counter(a["category"] for a in matching)
    )
    text = archive("search", "चुनाव", "--facet", "month").stdout
    assert "month:" in text and "2015-01" in text


def test_near_duplicates_collapse(archive: Run) -> None:
    collapsed = results(archive, "बाढ़")
    assert collapsed["total"] == 1
    (hit,) = collapsed["hits"]
    assert sorted(hit["also_in"]) == sorted({"दैनिक जागरण", "अमर उजाला", "जनसत्ता"} - {hit["source"]})
    assert "also in: " in archive("search", "बाढ़").stdout
    assert results(archive, "बाढ़", "--no-collapse")["total"] == 3


def test_similar_articles(archive: Run) -> None:
    result = archive("similar", "31", "--format", "json")
    assert result.exit_code == 0, result.output
    similar_ids = [h["id"] for h in json.loads(result.stdout)["hits"]]
    assert similar_ids[:2] and set(similar_ids[:2]) == {32, 33}


def test_output_formats(archive: Run) -> None:
    lines = archive("search", "महंगाई", "--format", "jsonl", "--no-collapse").stdout.splitlines()
    assert {json.loads(line)["id"] for line in lines} == ids_where(has("महंगाई"))
    written = archive("search", "महंगाई", "--format", "csv").stdout
    assert written.startswith("\ufeffid,")  # the byte-order mark that makes Excel read UTF-8
    table = list(csv.DictReader(io.StringIO(written.removeprefix("\ufeff"))))
    assert {int(row["id"]) for row in table} == ids_where(has("महंगाई"))
    fields = {"id", "url", "title", "source", "category", "date", "score", "snippet", "highlights", "also_in"}
    assert set(table[0]) == fields
    spans = {row["id"]: [tuple(map(int, s.split("-"))) for s in row["highlights"].split()] for row in table}
    for row in table:  # spans into the plain snippet, each on the word
        assert all("महंगाई" in row["snippet"][start:end] for start, end in spans[row["id"]]), row
    assert not archive("search", "महंगाई", "--format", "csv", "--no-bom").stdout.startswith("\ufeff")
    hindi = results(archive, "महंगाई", "--dates", "hindi", "--sort", "oldest")
    assert hindi["hits"][0]["date"] == "10 जनवरी 2015"


def test_python_api(archive: Cli) -> None:
    api = Archive(archive.home)
    found = api.search("चुनाव", sources=("दैनिक जागरण",), sort="oldest", facets=("year",), limit=3)
    expected = sorted(ids_where(lambda a: has("चुनाव")(a) and a["source"] == "दैनिक जागरण"))
    assert [h.id for h in found.hits] == expected[:3] and found.total == len(expected)
    assert found.facets["year"] and api.get(1).title == ARTICLES[0]["title"]


def test_total_counts_stories_whatever_the_limit(archive: Run) -> None:
    for limit in ("1", "10", "500"):
        data = json.loads(archive("search", "बाढ़", "--limit", limit, "--format", "json").stdout)
        assert data["total"] == 1 and len(data["hits"]) == 1


def test_equal_dates_sort_in_storage_order(archive: Run) -> None:
    newest = [h["id"] for h in results(archive, "बाढ़", "--sort", "newest", "--no-collapse")["hits"]]
    assert newest == [33, 32, 31]  # all three dated 2017-07-01
    oldest = [h["id"] for h in results(archive, "बाढ़", "--sort", "oldest", "--no-collapse")["hits"]]
    assert oldest == [31, 32, 33]


def test_date_filter_and_facets_after_a_commit_of_undated_articles(run: Run, tmp_path: Path) -> None:
    # the seeds (no date, no category) are committed first, on their own: a later dated article must
    # still be found by its date, and counted by its year
    assert run("ingest").exit_code == 0
    dated = write_jsonl(
        tmp_path / "dated.jsonl",
        [{"title": "बाढ़ की खबर", "body": "नदी में बाढ़ आई।", "url": "https://a/1", "date": "2016-01-25"}],
    )
    assert run("ingest", str(dated)).exit_code == 0
    found = json.loads(run("search", "बाढ़", "--since", "2016-01-01", "--facet", "year", "--format", "json").stdout)
    assert found["total"] == 1
    assert found["facets"]["year"] == [{"value": "2016", "count": 1}]
    assert json.loads(run("search", "बाढ़", "--until", "2015-12-31", "--format", "json").stdout)["total"] == 0
