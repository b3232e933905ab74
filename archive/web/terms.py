"""What sets a result apart (``/terms?q=…``), its JSON twin (``/terms.json``) and its sheet (``/terms.csv``):
``Archive.terms`` answers all three, with the search's filters; each term links to the search narrowed by it
(the term in quotes: the articles its ``in_results`` counts)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse

from archive.api import SignificantTerms
from archive.sheets import csv_lines
from archive.web.common import (
    Filters,
    FiltersParameter,
    Format,
    Lang,
    Problem,
    archives_of,
    link,
    pages_of,
    wants_json,
)
from archive.web.schemas import TermsPage, download, html_page, json_page

router = APIRouter()
#: Terms listed at most (each is counted exactly on the index: the work grows with it).
MAX_TERMS = 100
Count = Annotated[int, Query(description=f"Terms to list, 1 to {MAX_TERMS}")]
FIELDS = ("term", "score", "in_results", "in_archive")


def _terms(request: Request, filters: Filters, count: int) -> SignificantTerms:
    if not filters.q.strip():
        raise Problem(400, "terms_no_query")
    if not 1 <= count <= MAX_TERMS:
        raise Problem(400, "bad_terms_limit", limit=count, most=MAX_TERMS)
    with archives_of(request).reader() as archive:
        return archive.terms(filters.request(), count)


@router.get(
    "/terms",
    name="terms",
    summary="What sets a result apart: its most over-represented words and phrases (format=json: its twin)",
    response_class=HTMLResponse,
    openapi_extra=html_page(TermsPage),
)
@router.get(
    "/terms.json",
    name="terms_json",
    summary="What sets a result apart: the JSON twin",
    response_class=JSONResponse,
    responses=json_page(TermsPage),
)
def terms_page(
    request: Request,
    filters: FiltersParameter,
    count: Count = 30,
    lang: Lang = "hi",
    format: Format = "html",
) -> Response:
    found: SignificantTerms | None = None
    if filters.q.strip() or wants_json(request):
        found = _terms(request, filters, count)
    if wants_json(request):
        assert found is not None
        return JSONResponse(found.to_dict())
    state: dict[str, Any] = {**filters.state(), "lang": lang, "count": count}

    def narrowed(term: str) -> str:
        return link("/", {**filters.state(), "lang": lang}, {"q": f'{filters.q.strip()} "{term}"'})

    return pages_of(request).render(
        request,
        "terms.html",
        lang,
        q=filters.q,
        found=found,
        state=state,
        narrowed=narrowed,
        search=link("/", {**filters.state(), "lang": lang}),
        csv=link("/terms.csv", {**state, "lang": None}),
        json=link("/terms.json", {**state, "lang": None}),
    )


@router.get(
    "/terms.csv",
    name="terms_csv",
    summary="What sets a result apart, as CSV",
    response_class=StreamingResponse,
    responses=download("text/csv"),
)
def terms_csv(request: Request, filters: FiltersParameter, count: Count = 30) -> StreamingResponse:
    found = _terms(request, filters, count)
    return StreamingResponse(
        csv_lines((t.to_dict() for t in found.terms), FIELDS),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="archive-terms.csv"'},
    )
