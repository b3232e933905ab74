"""Coverage over time: how many results of each of a few queries fall in each day, week, month or year, and
what share of everything published in that period they are.

Every count comes from the one matching step (:func:`archive.search.matching.match`), with the request's
filters and story rule, and the share's denominator is the same step with no words (the archive's articles
the same filters let through), so a series and its normaliser can never disagree about what counts.

A story (copies of one article printed by several outlets) counts once, in the period of its earliest dated
copy (when coverage of it began), and as undated only when no copy has a date (:mod:`archive.search.dating`,
the rule the search page's year and month facets and its undated count follow too): a series' periods plus
its undated count add up to the search's total exactly, and to the year facet's sum plus its undated count.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

import numpy as np

from archive.errors import QueryError
from archive.index.query.arrays import Ints, Mask
from archive.messages import Message
from archive.search.dating import EPOCH_ORDINAL, days_of, placed
from archive.search.matching import Matched, match
from archive.search.request import SearchRequest
from archive.search.searching import check_request
from archive.search.session import SearchSession

GRANULARITIES = ("day", "week", "month", "year")
#: The columns of a trend's sheet (:meth:`Trend.rows`), for the CLI's CSV and the page's.
TREND_FIELDS = ("query", "period", "since", "until", "count", "share", "published")
#: Queries on one chart: more lines than this cannot be told apart (the issue's limit, and six colours).
MAX_QUERIES = 6
#: Periods of one trend: a chart of more points is unreadable, and counting them is work out of proportion
#: to what a page shows (ten years by week is 522; by day, a choice of a coarser granularity is asked for).
MAX_PERIODS = 1_000
#: The span (in days) up to which the default granularity is the day, the week, the month; beyond, the year.
_DEFAULT_SPANS = ((92, "day"), (2 * 366, "week"), (20 * 366, "month"))
_EPOCH_ORDINAL = EPOCH_ORDINAL


@dataclass(frozen=True)
class TrendPeriod:
    """One period of a series: its label (``2016``, ``2016-01``, ``2016-W04``, ``2016-01-25``), its first
    and last day, the results in it, and their share of the articles the filters let through in it (None
    when none was published)."""

    period: str
    since: date
    until: date
    count: int
    share: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "count": self.count,
            "share": self.share,
        }


@dataclass(frozen=True)
class TrendSeries:
    query: str
    total: int
    undated: int
    periods: list[TrendPeriod]

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "total": self.total,
            "undated": self.undated,
            "periods": [p.to_dict() for p in self.periods],
        }


@dataclass(frozen=True)
class Trend:
    """Each query's series over the same periods, and the normaliser: the articles the filters let through
    in each period (``published``) and undated (``published_undated``)."""

    series: list[TrendSeries]
    granularity: str
    published: list[int]
    published_undated: int

    def rows(self) -> Iterator[dict[str, Any]]:
        """One row per series and period (then its undated results, period ``undated``): a sheet's rows."""
        for one in self.series:
            for period, published in zip(one.periods, self.published, strict=True):
                yield {"query": one.query, **period.to_dict(), "published": published}
            yield {
                "query": one.query,
                "period": "undated",
                "since": None,
                "until": None,
                "count": one.undated,
                "share": None,
                "published": self.published_undated,
            }

    def to_dict(self) -> dict[str, Any]:
        return {
            "series": [s.to_dict() for s in self.series],
            "granularity": self.granularity,
            "published": self.published,
            "published_undated": self.published_undated,
        }


def trend_in(
    session: SearchSession,
    queries: Sequence[str],
    request: SearchRequest,
    granularity: str | None = None,
    *,
    browsing: bool = False,
    normalised: bool = True,
) -> Trend:
    """The trend of ``queries`` with ``request``'s filters (its query, page and limit are ignored), by
    ``granularity`` (None: chosen from the span of the results). ``browsing``: an empty query is the
    articles the filters let through (the search page's timeline when it lists by filters alone).
    ``normalised=False``: no shares (every ``published`` 0, each share None), and no search for the
    normaliser (the timeline shows counts only: a third of its time saved)."""
    cleaned = [q.strip() for q in queries]
    if not cleaned or (not browsing and any(not q for q in cleaned)):
        raise QueryError(Message("query_empty"))
    if len(cleaned) > MAX_QUERIES:
        raise QueryError(Message("trend_too_many", count=len(cleaned), limit=MAX_QUERIES))
    if granularity is not None and granularity not in GRANULARITIES:
        raise QueryError(Message("bad_granularity", granularity=granularity, choices=", ".join(GRANULARITIES)))
    check_request(request)
    with session.reading():
        # (in no order: a trend counts, and ranking by closeness would read positions for nothing)
        found = [match(session, replace(request, query=q, sort="newest")) for q in cleaned]
        everything = match(session, replace(request, query="")) if normalised else found[0]
        days = _days(everything)
        firsts = [_counted(f, days) for f in found]
        dated = everything.values.dated()
        span = _span(days, [m & dated for m in firsts], request)
        chosen = granularity or _default_granularity(span)
        published_mask = _counted(everything, days) if normalised else np.zeros_like(firsts[0])
        periods = _periods(span, chosen)
        if len(periods) > MAX_PERIODS:
            raise QueryError(Message("trend_too_long", periods=len(periods), limit=MAX_PERIODS, granularity=chosen))
        starts = _starts(periods)
        published = _tally(days, published_mask & dated, starts, periods)
        series = [
            _series(q, mask, dated, days, starts, periods, published) for q, mask in zip(cleaned, firsts, strict=True)
        ]
        undated = int(np.count_nonzero(published_mask & ~dated))
        return Trend(series, chosen, [int(p) for p in published.tolist()], undated)


def _series(
    query: str,
    mask: Mask,
    dated: Mask,
    days: Ints,
    starts: Ints,
    periods: Sequence[tuple[str, date, date]],
    published: Ints,
) -> TrendSeries:
    counts = _tally(days, mask & dated, starts, periods).tolist()
    made = [
        TrendPeriod(label, since, until, int(n), round(int(n) / int(p), 6) if p else None)
        for (label, since, until), n, p in zip(periods, counts, published.tolist(), strict=True)
    ]
    return TrendSeries(query, int(np.count_nonzero(mask)), int(np.count_nonzero(mask & ~dated)), made)


def _days(found: Matched) -> Ints:
    return days_of(found.values)


def _counted(found: Matched, days: Ints) -> Mask:
    """The documents the trend counts: one per story when the request collapses copies, placed by the one
    rule (:func:`archive.search.dating.placed`) that the search page's facets follow too."""
    return placed(found.mask, found.stories, found.values, days)


def _default_granularity(span: tuple[date, date] | None) -> str:
    if span is None:
        return "month"
    length = (span[1] - span[0]).days + 1
    for most, granularity in _DEFAULT_SPANS:
        if length <= most:
            return granularity
    return "year"


def _span(days: Ints, masks: Sequence[Mask], request: SearchRequest) -> tuple[date, date] | None:
    """From the first result to the last, or the dates the request asks for where it gives them (a reader
    who asks for 2016 to 2020 sees those years, the empty ones at either end too)."""
    lows, highs = [], []
    for mask in masks:
        if mask.any():
            chosen = days[mask]
            lows.append(int(chosen.min()))
            highs.append(int(chosen.max()))
    if not lows:
        return None
    start = request.since or date.fromordinal(min(lows) + _EPOCH_ORDINAL + 1)
    end = request.until or date.fromordinal(max(highs) + _EPOCH_ORDINAL + 1)
    return start, end


def _start(day: date, granularity: str) -> date:
    if granularity == "year":
        return date(day.year, 1, 1)
    if granularity == "month":
        return date(day.year, day.month, 1)
    if granularity == "week":
        return day - timedelta(days=day.weekday())
    return day


def _next(day: date, granularity: str) -> date:
    if granularity == "year":
        return date(day.year + 1, 1, 1)
    if granularity == "month":
        return date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return day + timedelta(days=7 if granularity == "week" else 1)


def period_label(day: date, granularity: str) -> str:
    """A period's label, by its first day.

    >>> [period_label(date(2016, 1, 25), g) for g in GRANULARITIES]
    ['2016-01-25', '2016-W04', '2016-01', '2016']
    """
    if granularity == "year":
        return f"{day.year:04}"
    if granularity == "month":
        return f"{day.year:04}-{day.month:02}"
    if granularity == "week":
        year, week, _ = day.isocalendar()
        return f"{year:04}-W{week:02}"
    return day.isoformat()


def _periods(span: tuple[date, date] | None, granularity: str) -> list[tuple[str, date, date]]:
    """Every period of ``span``, empty ones included (a gap in coverage shows)."""
    if span is None:
        return []
    periods = []
    day = _start(span[0], granularity)
    while day <= span[1]:
        after = _next(day, granularity)
        periods.append((period_label(day, granularity), day, after - timedelta(days=1)))
        if len(periods) > MAX_PERIODS:
            break  # (refused by the caller: counting on would be work for nothing)
        day = after
    return periods


def _starts(periods: Sequence[tuple[str, date, date]]) -> Ints:
    """Each period's first day, as days since 1970-01-01."""
    return np.array([since.toordinal() - _EPOCH_ORDINAL - 1 for _, since, _ in periods], dtype=np.int64)


def _tally(days: Ints, mask: Mask, starts: Ints, periods: Sequence[tuple[str, date, date]]) -> Ints:
    """How many documents of ``mask`` fall in each period (those outside every period are not counted).
    Only the documents counted are placed in their period (placing every document's date took 3.7 ms a
    trend at 100,000 articles, whatever the search found)."""
    size = len(periods)
    if not size:
        return np.zeros(0, dtype=np.int64)
    chosen = days[mask]
    last = periods[-1][2].toordinal() - _EPOCH_ORDINAL - 1
    chosen = chosen[(chosen >= starts[0]) & (chosen <= last)]
    codes = np.searchsorted(starts, chosen, side="right") - 1
    counted: Ints = np.bincount(codes, minlength=size)[:size]
    return counted
