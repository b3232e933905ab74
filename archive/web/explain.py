"""Why did this match? (``/explain?q=...&id=N``) and its JSON twin: a hit's score taken apart, as
``archive search --explain`` gives it: which form matched in which field and what each added, and what
ranking by closeness added."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from archive.web.article import MAX_ID
from archive.web.common import Format, Lang, Problem, Q, archives_of, link, pages_of, wants_json
from archive.web.schemas import ExplainPage, html_page, json_page

router = APIRouter()
Id = Annotated[int, Query(ge=1, le=MAX_ID, description="The article's id")]


@router.get(
    "/explain.json",
    name="explain_json",
    summary="Why an article matches a query: the JSON twin",
    response_class=JSONResponse,
    responses=json_page(ExplainPage, found=True),
)
@router.get(
    "/explain",
    name="explain",
    summary="Why an article matches a query: its score taken apart (format=json: its JSON twin)",
    response_class=HTMLResponse,
    openapi_extra=html_page(ExplainPage, found=True),
)
def explain_page(request: Request, q: Q, id: Id, lang: Lang = "hi", format: Format = "html") -> Response:
    if not q.strip():
        raise Problem(400, "explain_no_query")
    with archives_of(request).reader() as archive:
        hit = archive.explain(q, id)
    if hit is None:
        raise Problem(404, "explain_no_match", id=id, query=q)
    parts = [part.to_dict() for part in hit.explanation]
    if wants_json(request):
        return JSONResponse({"query": q, "id": hit.id, "title": hit.title, "score": hit.score, "parts": parts})
    return pages_of(request).render(
        request,
        "explain.html",
        lang,
        q=q,
        hit=hit,
        parts=hit.explanation,
        article=link(f"/articles/{hit.id}", {"q": q, "lang": lang}) + "#m",
        search=link("/", {"q": q, "lang": lang}),
    )
