"""Coverage over time (``archive trend``, ``Archive.trend``): each number checked against searches made
independently, with the same filters, on a real archive in a temp dir."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from typing import Any

import pytest

from archive.api import Archive, SearchRequest
from archive.errors import QueryError
from tests.conftest import Cli, ingested, trend_news


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    return ingested(tmp_path_factory, "trend", trend_news())


@pytest.fixture
def archive(cli: Cli) -> Any:
    with Archive(cli.home) as opened:
        yield opened


def _total(archive: Archive, query: str, **filters: Any) -> int:
    return archive.search(SearchRequest(query, limit=1, **filters)).total


@pytest.mark.parametrize("granularity", ["day", "week", "month", "year"])
@pytest.mark.parametrize("filters", [{}, {"sources": ("जनसत्ता", "अमर उजाला")}, {"since": date(2019, 2, 1)}])
def test_every_period_is_the_search_of_that_period(archive: Archive, granularity: str, filters: Any) -> None:
    """Every copy counted (the search of a period finds a story's copy dated in it): each period's count is
    the total of the search with that period's dates, and each share its part of the search with no words."""
    every = {**filters, "collapse": False}
    trend = archive.trend(["बाढ़", "सूखा"], SearchRequest("", **every), granularity)
    assert trend.granularity == granularity
    for series in trend.series:
        total = _total(archive, series.query, **every)
        assert series.total == total
        assert sum(p.count for p in series.periods) + series.undated == total
        if "since" not in filters:
            assert series.undated == _total(archive, series.query, **every, dated=False)
        for index, period in enumerate(series.periods):
            dates = {"since": max(period.since, filters.get("since", period.since)), "until": period.until}
            assert period.count == _total(archive, series.query, **{**every, **dates}), period
            published = _total(archive, "", **{**every, **dates})
            assert trend.published[index] == published
            assert period.share == (round(period.count / published, 6) if published else None)


@pytest.mark.parametrize("granularity", ["day", "month", "year"])
@pytest.mark.parametrize("filters", [{}, {"sources": ("जनसत्ता", "अमर उजाला")}, {"since": date(2019, 2, 1)}])
def test_a_series_adds_up_to_the_search_total(archive: Archive, granularity: str, filters: Any) -> None:
    """Copies collapsed, as the search page counts: the periods and the undated add up to its total."""
    trend = archive.trend(["बाढ़", "सूखा", "सर्वेक्षण"], SearchRequest("", **filters), granularity)
    for series in trend.series:
        total = _total(archive, series.query, **filters)
        assert (series.total, sum(p.count for p in series.periods) + series.undated) == (total, total)
    assert sum(trend.published) + trend.published_undated == _total(archive, "", **filters)


def test_the_periods_run_from_the_first_result_to_the_last_with_gaps_shown(archive: Archive) -> None:
    trend = archive.trend(["सूखा"], granularity="month")
    labels = [p.period for p in trend.series[0].periods]
    assert labels[0] == "2019-01" and labels[-1] == "2020-03"
    assert len(labels) == 15  # every month between, the empty ones too
    assert [p.count for p in trend.series[0].periods if p.count] == [1, 1, 2]


def test_a_story_counts_once_in_the_period_of_its_first_copy(archive: Archive) -> None:
    series = archive.trend(["सर्वेक्षण"], granularity="month").series[0]
    assert series.total == 1 == _total(archive, "सर्वेक्षण")
    assert [(p.period, p.count) for p in series.periods] == [("2019-08", 1)]
    every = archive.trend(["सर्वेक्षण"], SearchRequest("", collapse=False), "month").series[0]
    assert [(p.period, p.count) for p in every.periods] == [("2019-08", 1), ("2019-09", 1)]


def test_the_default_granularity_follows_the_span(archive: Archive) -> None:
    assert archive.trend(["बाढ़"]).granularity == "week"  # 2019-01 to 2020-03: over a year, under two
    assert archive.trend(["बाढ़"], SearchRequest("", until=date(2019, 2, 28))).granularity == "day"
    assert archive.trend(["नदीनहीं"]).series[0].periods == []  # no match: no periods, and no error


@pytest.mark.parametrize(
    ("queries", "granularity", "code"),
    [
        (["a"] * 7, None, "trend_too_many"),
        ([" "], None, "query_empty"),
        ([], None, "query_empty"),
        (["बाढ़"], "hour", "bad_granularity"),
    ],
)
def test_bad_requests_are_refused_with_a_message(
    archive: Archive, queries: list[str], granularity: str | None, code: str
) -> None:
    with pytest.raises(QueryError) as refused:
        archive.trend(queries, granularity=granularity)
    assert refused.value.message is not None and refused.value.message.code == code


def test_too_many_periods_are_refused_before_counting(archive: Archive) -> None:
    with pytest.raises(QueryError) as refused:
        archive.trend(["बाढ़"], SearchRequest("", since=date(1990, 1, 1)), "day")
    assert refused.value.message is not None and refused.value.message.code == "trend_too_long"


def test_the_cli_gives_the_same_numbers_as_json_csv_and_text(cli: Cli, archive: Archive) -> None:
    result = cli("trend", "बाढ़", "सूखा", "--granularity", "month", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data == archive.trend(["बाढ़", "सूखा"], granularity="month").to_dict()
    assert set(data) >= {"series", "granularity"}
    assert set(data["series"][0]) >= {"query", "total", "undated", "periods"}
    assert set(data["series"][0]["periods"][0]) >= {"period", "count", "share"}

    result = cli("trend", "बाढ़", "--granularity", "year", "--format", "csv", "--no-bom")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    # six flood articles and the story printed twice (once) in 2019
    assert [(r["period"], r["count"]) for r in rows] == [("2019", "7"), ("2020", "1"), ("undated", "2")]

    result = cli("trend", "बाढ़", "--granularity", "year", "--source", "जनसत्ता")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("by year")
    flood = _total(archive, "बाढ़", sources=("जनसत्ता",))
    assert lines[-1].split() == ["total", str(flood)]


def test_the_cli_refuses_bad_requests_with_the_fix(cli: Cli) -> None:
    result = cli("trend", *["a"] * 7)
    assert result.exit_code != 0
    assert "at most 6 queries" in result.output
    result = cli("trend", "बाढ़", "-g", "hour")
    assert result.exit_code != 0
    assert "use day, week, month, year" in result.output


def test_counts_alone_are_the_same_counts_without_shares(archive: Archive) -> None:
    request = SearchRequest("", sources=("जनसत्ता", "अमर उजाला"))
    whole = archive.trend(["बाढ़"], request, "month")
    counts = archive.trend(["बाढ़"], request, "month", normalised=False)
    assert [(p.period, p.count) for p in counts.series[0].periods] == [
        (p.period, p.count) for p in whole.series[0].periods
    ]
    assert counts.series[0].undated == whole.series[0].undated and counts.series[0].total == whole.series[0].total
    assert all(p.share is None for p in counts.series[0].periods) and not any(counts.published)
