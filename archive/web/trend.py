"""Coverage over time (``/trend?q=…&q=…``), its JSON twin (``/trend.json``) and its sheet (``/trend.csv``):
``Archive.trend`` answers all three, so the page, the twin, the sheet and ``archive trend`` give the same
numbers; the page draws them as an SVG (:mod:`.chart`) with every value in a table below it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse

from archive.api import GRANULARITIES, MAX_QUERIES, TREND_FIELDS, Trend, TrendPeriod
from archive.sheets import csv_lines
from archive.web import chart
from archive.web.common import (
    MAX_QUERY_CHARS,
    Categories,
    Format,
    Lang,
    Problem,
    Since,
    Sources,
    Until,
    archives_of,
    link,
    pages_of,
    search_filters,
    wants_json,
)
from archive.web.schemas import TrendPage, download, html_page, json_page

router = APIRouter()
Queries = Annotated[
    list[str], Query(description=f"The queries to compare (repeatable, at most {MAX_QUERIES}; empty ones are left out)")
]
Granularity = Annotated[str, Query(description="day, week, month or year; empty: chosen from the span")]
Measure = Annotated[str, Query(pattern="^(count|share)$", description="count, or the share of what was published")]
#: Query boxes the page's form offers (the most a trend compares).
BOXES = MAX_QUERIES
#: A run of at least this many periods in which no query has a match is one row of the page's table
#: ("2016-03 … 2016-09"); shorter runs keep a row each. The chart, the JSON and the CSV keep every period.
FOLD_AT = 3


@dataclass(frozen=True)
class TableRow:
    """A row of the page's table: one period, or a run of empty ones (``last`` set: its last period)."""

    first: TrendPeriod
    last: TrendPeriod | None
    cells: list[TrendPeriod]
    published: int

    @property
    def label(self) -> str:
        return f"{self.first.period} … {self.last.period}" if self.last else self.first.period


def table_rows(trend: Trend) -> list[TableRow]:
    """The table's rows: every period with a match a row, each run of :data:`FOLD_AT` or more periods
    without one folded into a row of zeros (its articles published summed)."""
    rows: list[TableRow] = []
    periods = trend.series[0].periods if trend.series else []
    index = 0
    while index < len(periods):
        end = index
        while end < len(periods) and all(series.periods[end].count == 0 for series in trend.series):
            end += 1
        if end - index >= FOLD_AT:
            empty = [replace(s.periods[index], until=s.periods[end - 1].until, share=None) for s in trend.series]
            rows.append(TableRow(periods[index], periods[end - 1], empty, sum(trend.published[index:end])))
            index = end
            continue
        cells = [series.periods[index] for series in trend.series]
        rows.append(TableRow(periods[index], None, cells, trend.published[index]))
        index += 1
    return rows


def _asked(
    q: list[str], source: list[str], category: list[str], since: str, until: str
) -> tuple[list[str], dict[str, Any], Any]:
    """The queries (blank ones left out) and the filters, checked against the page's limits before any work."""
    queries = [one.strip() for one in q if one.strip()]
    if len(queries) > MAX_QUERIES:
        raise Problem(400, "trend_too_many", count=len(queries), limit=MAX_QUERIES)
    for one in queries:
        if len(one) > MAX_QUERY_CHARS:
            raise Problem(400, "query_too_long", length=len(one), limit=MAX_QUERY_CHARS)
    filters = search_filters("", source, category, since, until)
    state: dict[str, Any] = {
        "q": queries,
        "source": filters.source,
        "category": filters.category,
        "since": since,
        "until": until,
    }
    return queries, state, filters.request()


@router.get(
    "/trend",
    name="trend",
    summary="Coverage over time: up to 6 queries by period, counted or as a share (format=json: its JSON twin)",
    response_class=HTMLResponse,
    openapi_extra=html_page(TrendPage),
)
@router.get(
    "/trend.json",
    name="trend_json",
    summary="Coverage over time: the JSON twin",
    response_class=JSONResponse,
    responses=json_page(TrendPage),
)
def trend_page(
    request: Request,
    q: Queries = [],  # noqa: B006 (FastAPI copies defaults)
    source: Sources = [],  # noqa: B006
    category: Categories = [],  # noqa: B006
    since: Since = "",
    until: Until = "",
    granularity: Granularity = "",
    measure: Measure = "count",
    lang: Lang = "hi",
    format: Format = "html",
) -> Response:
    queries, state, search = _asked(q, source, category, since, until)
    found: Trend | None = None
    if queries or wants_json(request):
        if not queries:
            raise Problem(400, "trend_no_query")
        with archives_of(request).reader() as archive:
            found = archive.trend(queries, search, granularity or None)
    if wants_json(request):
        assert found is not None
        return JSONResponse(found.to_dict())
    state = {**state, "granularity": granularity, "measure": measure, "lang": lang}
    drawn = None
    if found is not None and found.series[0].periods:
        share = measure == "share"
        values = [[(p.share or 0.0) if share else p.count for p in s.periods] for s in found.series]
        drawn = chart.chart(values, [p.period for p in found.series[0].periods], share=share)

    def period_search(query: str, since: Any, until: Any) -> str:
        return link("/", {**state, "q": query, "granularity": None, "measure": None}, {"since": since, "until": until})

    return pages_of(request).render(
        request,
        "trend.html",
        lang,
        q=" · ".join(queries),
        queries=queries,
        boxes=[*queries, *[""] * (BOXES - len(queries))],
        trend=found,
        rows=table_rows(found) if found is not None else [],
        fold_at=FOLD_AT,
        drawn=drawn,
        state=state,
        granularities=GRANULARITIES,
        period_search=period_search,
        search_of=lambda query: link("/", {**state, "q": query, "granularity": None, "measure": None}),
        undated_search=lambda query: link(
            "/", {**state, "q": query, "granularity": None, "measure": None, "since": None, "until": None},
            {"dated": "no"},
        ),
        link=lambda **change: link("/trend", state, change),
        csv=link("/trend.csv", {**state, "lang": None, "measure": None}),
        json=link("/trend.json", {**state, "lang": None, "measure": None}),
    )  # fmt: skip


@router.get(
    "/trend.csv",
    name="trend_csv",
    summary="Coverage over time as CSV: a row per query and period, the undated last",
    response_class=StreamingResponse,
    responses=download("text/csv"),
)
def trend_csv(
    request: Request,
    q: Queries = [],  # noqa: B006
    source: Sources = [],  # noqa: B006
    category: Categories = [],  # noqa: B006
    since: Since = "",
    until: Until = "",
    granularity: Granularity = "",
) -> StreamingResponse:
    queries, _, search = _asked(q, source, category, since, until)
    if not queries:
        raise Problem(400, "trend_no_query")
    with archives_of(request).reader() as archive:
        found = archive.trend(queries, search, granularity or None)
    return StreamingResponse(
        csv_lines(found.rows(), TREND_FIELDS),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="archive-trend.csv"'},
    )
