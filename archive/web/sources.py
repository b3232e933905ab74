"""The outlets page (``/sources``) and its JSON twin: every outlet with its count, and the archive's size."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from archive.web.common import Format, Lang, archives_of, link, pages_of, wants_json
from archive.web.schemas import SourcesPage, html_page, json_page

router = APIRouter()


@router.get(
    "/sources.json",
    name="sources_json",
    summary="The outlets page's JSON twin",
    response_class=JSONResponse,
    responses=json_page(SourcesPage),
)
@router.get(
    "/sources",
    name="sources",
    summary="The outlets, with counts, and the archive's size (format=json: its JSON twin)",
    response_class=HTMLResponse,
    openapi_extra=html_page(SourcesPage),
)
def sources_page(request: Request, lang: Lang = "hi", format: Format = "html") -> Response:
    stats = archives_of(request).outlets()
    if wants_json(request):
        return JSONResponse(
            {
                "articles": stats.articles,
                "sources": [{"source": name, "articles": count} for name, count in stats.top_sources],
                "first_date": stats.first_date.isoformat() if stats.first_date else None,
                "last_date": stats.last_date.isoformat() if stats.last_date else None,
                "undated": stats.undated,
                "index_bytes": stats.index_bytes,
            }
        )
    return pages_of(request).render(
        request,
        "sources.html",
        lang,
        stats=stats,
        link=lambda name: link("/", {"source": [name], "lang": lang}),
    )
