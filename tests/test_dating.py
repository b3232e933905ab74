"""One rule dates a story (its earliest dated copy; undated only when no copy is dated) for the trend, the
year and month facets, the undated count and ``dated=no`` alike: for several queries and filters, the
trend's periods plus its undated, the search's total, and the year (or month) facet's sum plus its undated
are one number, on an archive holding the cases where the old rules parted (a story printed with a date
and without one; a story whose copies fall in two years)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from archive.api import Archive, SearchRequest
from tests.conftest import TREND_OUTLETS, Cli, ingested, trend_news

REPORT = (
    "बाढ़ के बाद जिला प्रशासन ने नुकसान का आकलन किया और किसानों को मुआवजा देने की घोषणा की। तटबंधों की मरम्मत के "
    "लिए अलग कोष बनाया गया और गाँवों में स्वास्थ्य शिविर लगाए गए। "
)
YEAR_END = (
    "सूखे से निपटने के लिए सरकार ने नई योजना बनाई जिसमें तालाबों की खुदाई और नहरों की सफाई शामिल है। किसानों को "
    "बीज और खाद पर छूट मिलेगी और पशुओं के चारे का इंतजाम होगा। "
)


def dating_news() -> list[dict[str, Any]]:
    records = trend_news()
    # one story printed with a date by one outlet and without one by another (dated, by its dated copy)
    records.append({"title": "बाढ़ का आकलन", "body": REPORT * 3, "source": TREND_OUTLETS[0], "date": "2019-10-05"})
    records.append({"title": "बाढ़ का आकलन हुआ", "body": REPORT * 3 + "समाप्त।", "source": TREND_OUTLETS[1]})
    # one story whose copies fall in two years (placed in the first)
    records.append({"title": "सूखे की योजना", "body": YEAR_END * 3, "source": TREND_OUTLETS[1], "date": "2019-12-30"})
    copy = {"title": "सूखे पर योजना", "body": YEAR_END * 3 + "अंत।", "source": TREND_OUTLETS[2], "date": "2020-01-02"}
    records.append(copy)
    return records


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    return ingested(tmp_path_factory, "dating", dating_news())


@pytest.fixture
def archive(cli: Cli) -> Any:
    with Archive(cli.home) as opened:
        yield opened


def _facet_sum(results: Any, name: str) -> tuple[int, int]:
    counts = {f.value: f.count for f in results.facets.get(name, [])}
    undated = counts.pop("undated", 0)
    return sum(counts.values()), undated


def test_the_archive_holds_the_cases_the_rules_parted_on(archive: Archive) -> None:
    every = archive.search(SearchRequest("आकलन", collapse=False, facets=("year",)))
    one = archive.search(SearchRequest("आकलन", facets=("year",)))
    assert (every.total, one.total) == (2, 1)  # (the two copies are one story)
    assert _facet_sum(every, "year") == (1, 1) and _facet_sum(one, "year") == (1, 0)  # dated, by its dated copy
    assert archive.search(SearchRequest("आकलन", dated=False)).total == 0
    assert archive.search(SearchRequest("आकलन", dated=False, collapse=False)).total == 1
    split = archive.search(SearchRequest("योजना", facets=("year",)))
    assert split.total == 1 and {f.value: f.count for f in split.facets["year"]} == {"2019": 1}
    # and the search each year opens agrees: the story is 2019's (where its coverage began), not 2020's
    in_year = {
        year: archive.search(SearchRequest("योजना", since=date(year, 1, 1), until=date(year, 12, 31))).total
        for year in (2019, 2020)
    }
    assert in_year == {2019: 1, 2020: 0}
    assert archive.search(SearchRequest("योजना", since=date(2020, 1, 1), collapse=False)).total == 1  # (every copy)


QUERIES = ["बाढ़", "सूखा", "आकलन", "योजना", "राहत OR योजना"]
FILTERS: list[dict[str, Any]] = [
    {},
    {"sources": (TREND_OUTLETS[0], TREND_OUTLETS[1])},
    {"sources": (TREND_OUTLETS[1],)},
    {"since": date(2019, 6, 1)},
    {"until": date(2019, 12, 31)},
    {"collapse": False},
]


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: ",".join(f) or "none")
def test_trend_search_and_facets_give_one_total(archive: Archive, filters: dict[str, Any]) -> None:
    trend = archive.trend(QUERIES, SearchRequest("", **filters), "month")
    for series in trend.series:
        results = archive.search(SearchRequest(series.query, limit=1, facets=("year", "month"), **filters))
        periods = sum(p.count for p in series.periods)
        year_sum, year_undated = _facet_sum(results, "year")
        month_sum, month_undated = _facet_sum(results, "month")
        assert periods + series.undated == results.total == year_sum + year_undated == month_sum + month_undated
        assert series.undated == year_undated == month_undated
        if "since" not in filters and "until" not in filters:  # (dated=no takes no dates)
            undated = archive.search(SearchRequest(series.query, limit=1, dated=False, **filters)).total
            assert undated == series.undated
            dated = archive.search(SearchRequest(series.query, limit=1, dated=True, **filters)).total
            assert dated == periods
        yearly = {p.period[:4]: 0 for p in series.periods}
        for period in series.periods:
            yearly[period.period[:4]] += period.count
        facet = {f.value: f.count for f in results.facets["year"] if f.value != "undated"}
        assert {y: n for y, n in yearly.items() if n} == facet
