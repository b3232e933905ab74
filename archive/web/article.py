"""The article page (``/articles/{id}``) and its JSON twin: the article with a query's words marked, where it
was read from, and similar articles."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from archive.errors import NotFoundError
from archive.sheets import paragraphs
from archive.web.common import (
    PAGE_SIZE,
    FiltersParameter,
    Format,
    Lang,
    Limit,
    More,
    Page,
    Problem,
    archives_of,
    link,
    pages_of,
    wants_json,
)
from archive.web.schemas import ArticlePage, html_page, json_page

router = APIRouter()
#: The largest id an article can have (a 64-bit integer): a larger one is no article, not an error.
MAX_ID = 2**63 - 1
ArticleId = Annotated[int, Path(description="The article's id")]


@router.get(
    "/articles/{article_id}",
    name="article",
    summary="One article, its matches marked (format=json: its JSON twin)",
    response_class=HTMLResponse,
    openapi_extra=html_page(ArticlePage, found=True),
)
@router.get(
    "/articles/{article_id}.json",
    name="article_json",
    summary="One article's JSON twin, with similar articles",
    response_class=JSONResponse,
    responses=json_page(ArticlePage, found=True),
)
def article_page(
    request: Request,
    article_id: ArticleId,
    filters: FiltersParameter,
    page: Page = 1,
    limit: Limit = PAGE_SIZE,
    lang: Lang = "hi",
    format: Format = "html",
    more: More = [],  # noqa: B006 (FastAPI copies defaults)
) -> Response:
    """The search an article was opened from comes with it (its whole address: query, filters, order,
    page), so that the page marks its words and links back to exactly that search."""
    q = filters.q
    # (the decorator nearest the function registers first: the `.json` path, so that it is tried first)
    if not 1 <= article_id <= MAX_ID:
        raise Problem(404, "no_article", id=article_id)
    archives = archives_of(request)
    try:
        article, similar = archives.article(article_id)
    except NotFoundError:
        raise Problem(404, "no_article", id=article_id) from None
    marked = None
    if q.strip():
        with archives.reader() as archive:
            marked = archive.highlight([article.title, article.summary or "", article.body], q)
    if wants_json(request):
        data = article.to_dict()
        data.pop("original", None)
        data["origin"] = data["origin"] | {"file": file_name(data["origin"]["file"])}
        data["origins"] = [origin | {"file": file_name(origin["file"])} for origin in data["origins"]]
        data["similar"] = [hit.to_row() for hit in similar]
        return JSONResponse(data)
    search = {**filters.state(), "page": page, "limit": limit, "lang": lang, "more": more}
    title, summary, body = marked or (
        [(article.title, False)],
        [(article.summary or "", False)],
        [(article.body, False)],
    )
    return pages_of(request).render(
        request,
        "article.html",
        lang,
        article=article,
        origins=[(file_name(origin.file), origin) for origin in article.origins],
        title=title,
        summary=_paragraphs(summary),
        body=_paragraphs(body),
        similar=similar,
        q=q,
        back=link("/", search) if filters.asked else None,
        similar_link=lambda number: link(f"/articles/{number}", {**search, "page": None}),
    )


def _paragraphs(pieces: Any) -> list[list[tuple[str, bool]]]:
    """Marked text split into paragraphs at its line breaks (the CLI's rule), empty ones left out."""
    return [p for p in paragraphs(pieces) if p]


def file_name(path: str) -> str:
    """A file's name without its folders: what a reader can use of where an article was read from, and
    nothing of the machine that read it (its user, its folders). Either separator: a Windows path too.

    >>> file_name("/home/ravi/corpus/hi_news.jsonl.gz"), file_name(r"C:\\Users\\ravi\\news.csv"), file_name("a.txt")
    ('hi_news.jsonl.gz', 'news.csv', 'a.txt')
    """
    return path.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1] or path
