"""Keyword in context (``/kwic?q=…``), its JSON twin (``/kwic.json``) and its sheet (``/kwic.csv``):
``Archive.kwic`` answers all three, with the search's filters and story rule. A page reads only the articles
that hold its lines; the sheet streams every line; an order by context sorts at most the first
:data:`~archive.web.common.MAX_DEPTH` lines (as deep as a search's pages go), and says so."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse

from archive.api import DEFAULT_WIDTH, KWIC_FIELDS, MAX_WIDTH, Archive, KwicLine, sorted_lines
from archive.sheets import csv_lines
from archive.web.common import (
    MAX_DEPTH,
    MAX_EXPORT_ROWS,
    ExportLimit,
    Filters,
    FiltersParameter,
    Format,
    Lang,
    Limit,
    Page,
    Problem,
    archives_of,
    check_depth,
    link,
    pages_of,
    wants_json,
)
from archive.web.schemas import KwicPage, download, html_page, json_page

router = APIRouter()
Width = Annotated[int, Query(description=f"Words of context on either side, 1 to {MAX_WIDTH}")]
Order = Annotated[str, Query(description="none (the search's order), left or right: by the context's words")]
#: Lines a page shows by default.
LINES = 100


def _lines(
    archive: Archive, filters: Filters, width: int, order: str, start: int, count: int
) -> tuple[list[KwicLine], bool, bool]:
    """The lines ``start`` to ``start + count``, whether there are more, and whether the order was made
    among the first :data:`MAX_DEPTH` only (there were more than that)."""
    lines = archive.kwic(filters.request(), width)
    if order in ("left", "right"):
        chosen, cut = sorted_lines(lines, order, MAX_DEPTH)
        return chosen[start : start + count], len(chosen) > start + count, cut
    shown = list(islice(lines, start, start + count + 1))
    return shown[:count], len(shown) > count, False


def _checked(filters: Filters, width: int, order: str) -> None:
    if not filters.q.strip():
        raise Problem(400, "kwic_no_query")
    if not 1 <= width <= MAX_WIDTH:
        raise Problem(400, "bad_width", width=width, limit=MAX_WIDTH)
    if order not in ("none", "left", "right"):
        raise Problem(400, "bad_kwic_sort", sort=order, choices="none, left, right")


@router.get(
    "/kwic",
    name="kwic",
    summary="Keyword in context: every occurrence of the matched forms, a page of lines (format=json: its twin)",
    response_class=HTMLResponse,
    openapi_extra=html_page(KwicPage),
)
@router.get(
    "/kwic.json",
    name="kwic_json",
    summary="Keyword in context: the JSON twin",
    response_class=JSONResponse,
    responses=json_page(KwicPage),
)
def kwic_page(
    request: Request,
    filters: FiltersParameter,
    width: Width = DEFAULT_WIDTH,
    order: Order = "none",
    page: Page = 1,
    limit: Limit = LINES,
    lang: Lang = "hi",
    format: Format = "html",
) -> Response:
    check_depth(page, limit)
    state: dict[str, Any] = {**filters.state(), "width": width, "order": order, "lang": lang, "limit": limit}
    asked = bool(filters.q.strip())
    if asked or wants_json(request):
        _checked(filters, width, order)
    lines: list[KwicLine] = []
    more = cut = False
    if asked:
        with archives_of(request).reader() as archive:
            lines, more, cut = _lines(archive, filters, width, order, (page - 1) * limit, limit)
    if wants_json(request):
        base = str(request.base_url).rstrip("/") + "/kwic.json"
        json_state = {**state, "lang": None, "limit": limit if limit != LINES else None}
        return JSONResponse(
            {
                "query": filters.q,
                "page": page,
                "limit": limit,
                "sorted_among_first": MAX_DEPTH if cut else None,
                "lines": [line.to_row() for line in lines],
                "next": base + link("", json_state, {"page": page + 1}) if more else None,
                "previous": base + link("", json_state, {"page": page - 1}) if page > 1 else None,
            }
        )
    article_state = {**filters.state(), "lang": lang}
    return pages_of(request).render(
        request,
        "kwic.html",
        lang,
        q=filters.q,
        lines=lines,
        asked=asked,
        more=more,
        cut=cut,
        depth=MAX_DEPTH,
        first=(page - 1) * limit + 1,
        state=state,
        max_width=MAX_WIDTH,
        article=lambda number: link(f"/articles/{number}", article_state) + "#m",
        link=lambda **change: link("/kwic", state, change),
        csv=link("/kwic.csv", {**state, "lang": None, "limit": None}),
        json=link("/kwic.json", {**state, "lang": None, "limit": None if limit == LINES else limit}),
        search=link("/", {**filters.state(), "lang": lang}),
    )


@router.get(
    "/kwic.csv",
    name="kwic_csv",
    summary="Keyword in context as CSV: every line, streamed",
    response_class=StreamingResponse,
    responses=download("text/csv"),
)
def kwic_csv(
    request: Request,
    filters: FiltersParameter,
    width: Width = DEFAULT_WIDTH,
    order: Order = "none",
    limit: ExportLimit = MAX_EXPORT_ROWS,
) -> StreamingResponse:
    _checked(filters, width, order)
    reader = archives_of(request).fresh()
    try:
        lines = reader.kwic(filters.request(), width)  # (a bad query fails here: a 400, not half a file)
        if order != "none":
            chosen, _ = sorted_lines(lines, order, min(limit, MAX_DEPTH))
            lines = iter(chosen)
    except BaseException:
        reader.close()
        raise

    def chunks() -> Iterator[str]:
        try:
            gathered: list[str] = []
            for line in csv_lines((line.to_row() for line in islice(lines, limit)), KWIC_FIELDS):
                gathered.append(line)
                if len(gathered) >= 200:
                    yield "".join(gathered)
                    gathered = []
            yield "".join(gathered)
        finally:
            reader.close()

    return StreamingResponse(
        chunks(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="archive-kwic.csv"'},
    )
