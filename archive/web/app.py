"""The web application: every page rendered on the server (no script needed), each with a JSON twin.

FastAPI (on Starlette) for the routes, because it describes them in an OpenAPI document from the same
declarations that parse their parameters; Jinja2 for the pages, with autoescaping on, so that article text
is always text; uvicorn to serve it. The pages only read: the archive is opened with ``catch_up=False``,
and a lagging index is brought up to date by :mod:`archive.web.follow`, not by a request.
"""

from __future__ import annotations

import dataclasses
import json
import math
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from importlib.resources import files
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.exceptions import HTTPException as StarletteHTTPException

from archive.api import HIT_FIELDS, Archive, ArchiveStats, SearchRequest, SearchResults, hit_csv_row
from archive.config import Settings
from archive.errors import ArchiveError, NotFoundError
from archive.sheets import csv_lines, paragraphs
from archive.web import timeline
from archive.web.text import LANGUAGES, words

PAGE_SIZE = 20
OUTLETS_SECONDS = 10.0
#: The page's Content-Security-Policy: nothing inline, nothing from elsewhere.
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
_PACKAGE = files("archive.web")

# The parameters, as the OpenAPI document describes them.
Q = Annotated[str, Query(description="The query, in Devanagari or romanised (the CLI's query language)")]
Sources = Annotated[list[str], Query(description="Only these outlets (repeatable)")]
Categories = Annotated[list[str], Query(description="Only these categories (repeatable)")]
Since = Annotated[date | None, Query(description="Published on or after (YYYY-MM-DD)")]
Until = Annotated[date | None, Query(description="Published on or before (YYYY-MM-DD)")]
Sort = Annotated[str, Query(pattern="^(relevance|newest|oldest)$")]
Page = Annotated[int, Query(ge=1, le=10_000)]
Lang = Annotated[str, Query(pattern="^(hi|en)$", description="The interface's language")]
Format = Annotated[str, Query(pattern="^(html|json)$")]
Dated = Annotated[str | None, Query(pattern="^(yes|no)$", description="Only dated (yes) or undated (no) articles")]


@dataclass(frozen=True)
class Filters:
    """The parameters every search address shares (the page and both downloads): one declaration, so that
    they parse alike."""

    q: str
    source: list[str]
    category: list[str]
    since: date | None
    until: date | None
    dated: str | None
    sort: str

    def request(self, page_number: int = 1, facets: tuple[str, ...] = ()) -> SearchRequest:
        return SearchRequest(
            self.q.strip(),
            limit=PAGE_SIZE,
            page=page_number,
            sources=tuple(self.source),
            categories=tuple(self.category),
            since=self.since,
            until=self.until,
            dated=None if self.dated is None else self.dated == "yes",
            sort=self.sort,
            facets=facets,
        )

    @property
    def asked(self) -> bool:
        """Whether there is anything to search or list: words, or a filter alone (browsing)."""
        return bool(self.q.strip() or self.source or self.category or self.since or self.until or self.dated)

    def state(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def search_filters(
    q: Q = "",
    source: Sources = [],  # noqa: B006 (FastAPI copies defaults)
    category: Categories = [],  # noqa: B006
    since: Since = None,
    until: Until = None,
    dated: Dated = None,
    sort: Sort = "relevance",
) -> Filters:
    return Filters(q, source, category, since, until, dated, sort)


FiltersParameter = Annotated[Filters, Depends(search_filters)]


class Archives:
    """The one archive the pages read, used by one request at a time (a search session is not shared
    between threads; a page takes milliseconds), and a fresh one for each export, which streams for as long
    as the client reads."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.shared = Archive(settings=settings, catch_up=False)
        self.lock = threading.Lock()
        self._outlets: tuple[float, ArchiveStats] | None = None

    def fresh(self) -> Archive:
        return Archive(settings=self.settings, catch_up=False)

    def outlets(self) -> ArchiveStats:
        """Every outlet with its count, counted again at most every :data:`OUTLETS_SECONDS` (counting the
        outlets of 100,000 articles takes half a second; a list a few seconds old is as good to a reader)."""
        now = time.monotonic()
        if self._outlets is None or now - self._outlets[0] > OUTLETS_SECONDS:
            with self.lock:
                self._outlets = (now, self.shared.stats(top_sources=100_000))
        return self._outlets[1]


def create_app(settings: Settings) -> FastAPI:
    app = FastAPI(
        title="archive",
        description="A searchable archive of Hindi news: search, articles, outlets. Every page reads only.",
        docs_url=None,  # (the interactive docs load their scripts from a CDN)
        redoc_url=None,
    )
    archives = Archives(settings)
    app.state.archives = archives
    templates = Environment(
        loader=FileSystemLoader(str(_PACKAGE / "templates")),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    app.mount("/static", StaticFiles(directory=str(_PACKAGE / "static")), name="static")

    @app.middleware("http")
    async def headers(request: Request, call_next: Any) -> Response:
        started = time.perf_counter()
        response: Response = await call_next(request)
        # what the page cost the server (a browser's developer tools show it; benchmarks/web.py reads it)
        response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    def page(name: str, lang: str, status: int = 200, **context: Any) -> HTMLResponse:
        body = templates.get_template(name).render(t=words(lang), lang=lang, other=_other(lang), **context)
        return HTMLResponse(body, status_code=status)

    def problem(request: Request, status: int, message: str) -> Response:
        lang = _language(request.query_params.get("lang"))
        if _wants_json(request):
            return JSONResponse({"error": message}, status_code=status)
        heading = words(lang)["not_found" if status == 404 else "error"]
        return page("error.html", lang, status, heading=heading, message=message, here=_here(request, {}))

    @app.exception_handler(ArchiveError)
    async def archive_error(request: Request, error: ArchiveError) -> Response:
        return problem(request, 404 if isinstance(error, NotFoundError) else 400, str(error))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        return problem(request, error.status_code, str(error.detail))

    @app.exception_handler(ValueError)
    async def bad_value(request: Request, error: ValueError) -> Response:
        return problem(request, 400, str(error))

    from fastapi.exceptions import RequestValidationError

    @app.exception_handler(RequestValidationError)
    async def bad_parameter(request: Request, error: RequestValidationError) -> Response:
        found = [f"{'.'.join(str(p) for p in e['loc'][1:])}: {e['msg']}" for e in error.errors()]
        return problem(request, 400, "Bad parameter: " + "; ".join(found))

    @app.get("/", response_class=HTMLResponse, summary="The search page")
    @app.get("/search.json", include_in_schema=False)
    def search_page(
        request: Request,
        filters: FiltersParameter,
        page: Page = 1,
        lang: Lang = "hi",
        format: Format = "html",
    ) -> Response:
        q = filters.q
        state = {**filters.state(), "lang": lang}
        results: SearchResults | None = None
        if filters.asked:
            wanted = filters.request(page, ("source", "year", "category", "month"))
            with archives.lock:
                results = archives.shared.search(wanted)
        if _wants_json(request) or format == "json":
            return JSONResponse(_results_json(results, q))
        pages = max(1, math.ceil(results.total / PAGE_SIZE)) if results else 1
        months = {f.value: f.count for f in results.facets.get("month", [])} if results else {}
        return page_response(
            "search.html",
            lang,
            q=q,
            results=results,
            state=state,
            pages=pages,
            bars=timeline.bars(months),
            width=timeline.WIDTH,
            height=timeline.HEIGHT,
            link=lambda **change: _link("/", state, change),
            chips=_chips(state, lang),
            exports={kind: _link(f"/search.{kind}", state, {"lang": None}) for kind in ("csv", "jsonl")},
            here=_here(request, {}),
        )

    def page_response(name: str, lang: str, **context: Any) -> HTMLResponse:
        return page(name, lang, **context)

    def export(filters: Filters, kind: str) -> StreamingResponse:
        if not filters.asked:
            raise ValueError("Give a query (q=…) or a filter to download its results.")
        wanted = filters.request()
        reader = archives.fresh()
        hits = reader.search_all(wanted)
        first = next(hits, None)  # (a bad query fails here, as a 400 page, not half-way through a download)

        def rows() -> Iterator[str]:
            try:
                if kind == "csv":
                    rows = (hit_csv_row(hit.to_row()) for hit in _chain(first, hits))
                    chunk: list[str] = []
                    size = 0
                    for line in csv_lines(rows, HIT_FIELDS):
                        chunk.append(line)
                        size += len(line)
                        if size > 32_768:
                            yield "".join(chunk)
                            chunk, size = [], 0
                    yield "".join(chunk)
                else:
                    for hit in _chain(first, hits):
                        yield json.dumps(hit.to_row(), ensure_ascii=False) + "\n"
            finally:
                reader.close()

        media = "text/csv; charset=utf-8" if kind == "csv" else "application/x-ndjson; charset=utf-8"
        name = f"archive-search.{kind}"
        return StreamingResponse(
            rows(), media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
        )

    @app.get("/search.csv", summary="Every match as CSV (the CLI's columns), streamed")
    def search_csv(filters: FiltersParameter) -> StreamingResponse:
        return export(filters, "csv")

    @app.get("/search.jsonl", summary="Every match as JSON Lines (the CLI's columns), streamed")
    def search_jsonl(filters: FiltersParameter) -> StreamingResponse:
        return export(filters, "jsonl")

    # (the decorator nearest the function registers first: the `.json` path must be tried before the other)
    @app.get("/articles/{article_id}", response_class=HTMLResponse, summary="One article, its matches marked")
    @app.get("/articles/{article_id}.json", include_in_schema=False)
    def article_page(
        request: Request, article_id: int, q: Q = "", lang: Lang = "hi", format: Format = "html"
    ) -> Response:
        with archives.lock:
            article = archives.shared.get(article_id)
            marked = (
                archives.shared.highlight([article.title, article.summary or "", article.body], q)
                if q.strip()
                else None
            )
            similar = archives.shared.similar(article_id, limit=5).hits
        if _wants_json(request) or format == "json":
            data = article.to_dict()
            data.pop("original", None)
            data["similar"] = [hit.to_row() for hit in similar]
            return JSONResponse(data)
        title, summary, body = marked or (
            [(article.title, False)],
            [(article.summary or "", False)],
            [(article.body, False)],
        )
        return page(
            "article.html",
            lang,
            article=article,
            title=title,
            summary=_paragraphs(summary),
            body=_paragraphs(body),
            similar=similar,
            q=q,
            back=_link("/", {"q": q, "lang": lang}, {}) if q else None,
            here=_here(request, {}),
        )

    @app.get("/sources.json", include_in_schema=False)
    @app.get("/sources", response_class=HTMLResponse, summary="The outlets, with counts, and the archive's size")
    def sources_page(request: Request, lang: Lang = "hi", format: Format = "html") -> Response:
        stats = archives.outlets()
        if _wants_json(request) or format == "json":
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
        return page(
            "sources.html",
            lang,
            stats=stats,
            here=_here(request, {}),
            link=lambda name: _link("/", {"q": "*", "source": [name], "lang": lang}, {}),
        )

    return app


# --- helpers -------------------------------------------------------------------------------------------


def _chain(first: Any, rest: Iterator[Any]) -> Iterator[Any]:
    if first is not None:
        yield first
        yield from rest


def _language(value: str | None) -> str:
    return value if value in LANGUAGES else "hi"


def _other(lang: str) -> str:
    return "en" if lang == "hi" else "hi"


def _wants_json(request: Request) -> bool:
    return request.url.path.endswith(".json")


def _here(request: Request, change: dict[str, Any]) -> dict[str, str]:
    """The page's own address in the other language."""
    params = dict(request.query_params)
    params["lang"] = _other(_language(params.get("lang")))
    return {"switch": f"{request.url.path}?{urlencode(params)}"}


def _link(path: str, state: dict[str, Any], change: dict[str, Any]) -> str:
    """``path`` with the search's parameters, some changed (None drops one); defaults are left out, so
    addresses stay short to share."""
    merged = {**state, **change}
    pairs: list[tuple[str, str]] = []
    for key, value in merged.items():
        if (
            value is None
            or value == ""
            or value == []
            or (key, value) in (("sort", "relevance"), ("page", 1), ("lang", "hi"))
        ):
            continue
        for one in value if isinstance(value, list) else [value]:
            pairs.append((key, one.isoformat() if isinstance(one, date) else str(one)))
    return f"{path}?{urlencode(pairs)}" if pairs else path


def _chips(state: dict[str, Any], lang: str) -> list[tuple[str, str]]:
    """(label, address without it) of every active filter."""
    t = words(lang)
    chips = []
    for name in state["source"]:
        chips.append(
            (f"{t['source']}: {name}", _link("/", state, {"source": [s for s in state["source"] if s != name]}))
        )
    for name in state["category"]:
        rest = [c for c in state["category"] if c != name]
        chips.append((f"{t['category']}: {name}", _link("/", state, {"category": rest})))
    if state["since"] or state["until"]:
        span = f"{state['since'] or '…'} – {state['until'] or '…'}"
        chips.append((f"{t['period']}: {span}", _link("/", state, {"since": None, "until": None})))
    if state.get("dated"):
        label = t["dated_only"] if state["dated"] == "yes" else t["undated_only"]
        chips.append((label, _link("/", state, {"dated": None})))
    return chips


def _paragraphs(pieces: Any) -> list[list[tuple[str, bool]]]:
    """Marked text split into paragraphs at its line breaks (the CLI's rule), empty ones left out."""
    return [p for p in paragraphs(pieces) if p]


def _results_json(results: SearchResults | None, q: str) -> dict[str, Any]:
    if results is None:
        return {"query": q, "total": 0, "hits": []}
    return results.to_dict()
