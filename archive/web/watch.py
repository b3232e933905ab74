"""Saved searches on the page, read-only: the list (``/watch``) with each search's total and what is new to
it (nothing is marked seen by looking), its JSON twin, and each one's Atom feed (``/watch/NAME.atom``),
whose entries link to the article pages, by absolute addresses (the server's own, or the base address
``create_app`` is given). With ``archive serve --allow-saving``, each row with news has a "mark seen" form
(:mod:`.saving`): seen is shared by everyone who reads the list, so it is marked only by that explicit POST,
never by looking."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from archive.config import MAX_SAVED_NAME
from archive.web.common import Format, Lang, archives_of, link, pages_of, wants_json
from archive.web.saving import form_token
from archive.web.schemas import WatchPage, html_page, json_page

router = APIRouter()


def base_url(request: Request) -> str:
    """Where the pages are reached: the address the server was told, else the one this request came to."""
    configured: str | None = getattr(request.app.state, "base_url", None)
    return (configured or str(request.base_url)).rstrip("/")


@router.get(
    "/watch",
    name="watch",
    summary="Saved searches with their totals and what is new to each (format=json: its JSON twin)",
    response_class=HTMLResponse,
    openapi_extra=html_page(WatchPage),
)
@router.get(
    "/watch.json",
    name="watch_json",
    summary="Saved searches: the JSON twin",
    response_class=JSONResponse,
    responses=json_page(WatchPage),
)
def watch_page(request: Request, lang: Lang = "hi", format: Format = "html", saved: str = "") -> Response:
    with archives_of(request).reader() as archive:
        counts = archive.watch_counts()
    base = base_url(request)
    rows = [{**count.to_dict(), "feed": f"{base}/watch/{_quoted(count.search.name)}.atom"} for count in counts]
    if wants_json(request):
        return JSONResponse({"searches": rows})

    def search_of(row: dict[str, Any]) -> str:
        state = {
            "q": row["query"],
            "source": row.get("sources", []),
            "category": row.get("categories", []),
            "since": row.get("since") or "",
            "until": row.get("until") or "",
            "lang": lang,
        }
        return link("/", state)

    holder = Response()
    token = form_token(request, holder)
    page = pages_of(request).render(
        request,
        "watch.html",
        lang,
        rows=rows,
        search_of=search_of,
        token=token,
        seen_of=lambda row: f"/watch/{_quoted(row['name'])}/seen",
        saved=saved[:MAX_SAVED_NAME],
    )
    page.raw_headers.extend((k, v) for k, v in holder.raw_headers if k == b"set-cookie")
    return page


@router.get(
    "/watch/{name}.atom",
    name="watch_feed",
    summary="A saved search's Atom feed: its newest matches, each linking to its article page",
    response_class=Response,
    responses={
        200: {"description": "The feed", "content": {"application/atom+xml": {"schema": {"type": "string"}}}},
        400: {"description": "A parameter is wrong", "content": {"text/html": {"schema": {"type": "string"}}}},
        404: {"description": "No saved search of that name", "content": {"text/html": {"schema": {"type": "string"}}}},
    },
)
def watch_feed(request: Request, name: str) -> Response:
    with archives_of(request).reader() as archive:
        feed = archive.watch_feed(name, base_url=base_url(request))
    return Response(feed, media_type="application/atom+xml; charset=utf-8")


def _quoted(name: str) -> str:
    from urllib.parse import quote

    return quote(name, safe="")
