"""The web application: every page rendered on the server (no script needed), each with a JSON twin.

FastAPI (on Starlette) for the routes, because it describes them in an OpenAPI document from the same
declarations that parse their parameters; Jinja2 for the pages, with autoescaping on, so that article text
is always text; uvicorn to serve it. The pages only read: the archive is opened with ``catch_up=False``,
and a lagging index is brought up to date by ``archive serve``'s follower (:mod:`archive.cli.serving`), not
by a request.

The routes are routers, one module each (:mod:`.search`, :mod:`.article`, :mod:`.sources`, :mod:`.exports`),
over :mod:`.common` (limits, parameters, the archives, links) and :mod:`.text` (both languages). This module
puts them together: the guard every request passes first, the headers, and the error pages.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import unquote_to_bytes

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp

from archive.config import Settings, resolve_settings
from archive.errors import ArchiveError, DatabaseError, DatabaseUnavailable, NotFoundError, SearchIndexError
from archive.web import article, explain, exports, kwic, saving, search, sources, terms, trend, watch
from archive.web.common import (
    _PACKAGE,
    MAX_PARAMETERS,
    MAX_QUERY_CHARS,
    MAX_QUERY_STRING,
    Archives,
    Pages,
    Problem,
    error_text,
    language,
    pages_of,
    wants_json,
)
from archive.web.text import message_text, words

#: The page's Content-Security-Policy: nothing inline, nothing from elsewhere.
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
log = logging.getLogger("archive.web")
#: Errors that are the server's, not the request's (answered 503).
SERVER_SIDE = (SearchIndexError, DatabaseError)
#: The environment variables through which `archive serve --workers N` tells each worker process its home.
HOME_ENV, DB_URL_ENV = "ARCHIVE_SERVE_HOME", "ARCHIVE_SERVE_DB_URL"
#: The base address a spawned worker's pages give in absolute links (``archive serve --base-url``).
BASE_URL_ENV = "ARCHIVE_SERVE_BASE_URL"
#: Whether a spawned worker's page may save searches (``archive serve --allow-saving``), and the secret its
#: forms' tokens are signed with: one for all the workers, so that a form one shows another accepts.
SAVING_ENV, SECRET_ENV = "ARCHIVE_SERVE_ALLOW_SAVING", "ARCHIVE_SERVE_SECRET"

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield
    archives: Archives = app.state.archives  # (a stopping server closes what its pages read with)
    archives.close()


def create_app(
    settings: Settings, base_url: str | None = None, allow_saving: bool = False, secret: str | None = None
) -> FastAPI:
    app = FastAPI(
        lifespan=_lifespan,
        title="archive",
        version="1",
        description="A searchable archive of Hindi news: search, articles, outlets. Every page reads only.",
        docs_url=None,  # (the interactive docs load their scripts from a CDN)
        redoc_url=None,
    )
    app.state.archives = Archives(settings)
    # (where the pages are reached, for the absolute addresses of the feeds; None: each request's own)
    app.state.base_url = base_url
    app.state.pages = Pages()
    # (off by default: the page reads only; ``secret``, hex, is shared by a server's workers)
    app.state.saving = saving.Saving.of(allow_saving, secret)
    app.mount("/static", StaticFiles(directory=str(_PACKAGE / "static")), name="static")
    for module in (search, article, sources, exports, explain, trend, kwic, terms, watch, saving):
        app.include_router(module.router)

    @app.exception_handler(Problem)
    async def refused(request: Request, error: Problem) -> Response:
        return problem(request, error.status, error.text(_lang(request)))

    @app.exception_handler(ArchiveError)
    async def archive_error(request: Request, error: ArchiveError) -> Response:
        # (the index or database failing is the server's trouble, not the request's: 503, to try again)
        if isinstance(error, SERVER_SIDE):
            # (its words name the server's files and commands: they go to the server's log, not the page)
            log.warning("%s %s: %s", request.method, request.url.path, error)
            code = "database_unavailable" if isinstance(error, DatabaseUnavailable) else "unavailable"
            answer = problem(request, 503, message_text(code, {}, _lang(request)))
            answer.headers["Retry-After"] = "2"
            return answer
        return problem(request, 404 if isinstance(error, NotFoundError) else 400, error_text(error, _lang(request)))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        code = {404: "not_found", 405: "method"}.get(error.status_code)
        text = message_text(code, {}, _lang(request)) if code else str(error.detail)
        return problem(request, error.status_code, text)

    @app.exception_handler(RequestValidationError)
    async def bad_parameter(request: Request, error: RequestValidationError) -> Response:
        lang = _lang(request)
        found = [
            message_text(
                "bad_parameter", {"name": str(e["loc"][-1]), "value": _shown(e.get("input"), e.get("msg", ""))}, lang
            )
            for e in error.errors()
        ]
        return problem(request, 400, " ".join(found))

    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    app.add_middleware(Guard)
    return app


def app_from_environment() -> FastAPI:
    """The application of a worker process (`archive serve --workers N`): its home from the environment."""
    settings = resolve_settings(_path(os.environ.get(HOME_ENV)), os.environ.get(DB_URL_ENV) or None)
    return create_app(
        settings,
        base_url=os.environ.get(BASE_URL_ENV) or None,
        allow_saving=os.environ.get(SAVING_ENV) == "1",
        secret=os.environ.get(SECRET_ENV) or None,
    )


def _path(value: str | None) -> Any:
    from pathlib import Path

    return Path(value) if value else None


class Guard:
    """What every request passes before any route: an address too long, with too many parameters, or not
    UTF-8 is refused with a 400 page in its language (no parameter is parsed, no search runs); every
    response gets the security headers and ``Server-Timing`` (what it cost the server). Plain ASGI: no
    task or buffer per request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()

        async def send_with_headers(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                spent = (time.perf_counter() - started) * 1000
                message["headers"] = [
                    *message.get("headers", []),
                    (b"server-timing", f"app;dur={spent:.1f}".encode()),
                    (b"content-security-policy", CSP.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                ]
            await send(message)

        refusal = _refusal(scope.get("query_string", b""))
        if refusal is None:
            await self.app(scope, receive, send_with_headers)
            return
        request = Request(scope, receive)
        code, values = refusal
        response = problem(request, 400, message_text(code, values, _lang(request)))
        await response(scope, receive, send_with_headers)


def _refusal(query: bytes) -> tuple[str, dict[str, Any]] | None:
    if len(query) > MAX_QUERY_STRING:
        return "address_too_long", {"size": len(query), "limit": MAX_QUERY_STRING}
    count = query.count(b"&") + 1 if query else 0
    if count > MAX_PARAMETERS:
        return "too_many_parameters", {"count": count, "limit": MAX_PARAMETERS}
    try:
        unquote_to_bytes(query).decode("utf-8")
    except UnicodeDecodeError:
        return "bad_address", {}
    return None


def problem(request: Request, status: int, message: str) -> Response:
    """An error as its page (with the search box and the query in it) or, for a JSON address, as JSON."""
    if wants_json(request):
        return JSONResponse({"error": message}, status_code=status)
    lang = _lang(request)
    heading = words(lang)["not_found" if status == 404 else "error"]
    q = request.query_params.get("q", "")[:MAX_QUERY_CHARS]
    return pages_of(request).render(request, "error.html", lang, status, heading=heading, message=message, q=q)


def _lang(request: Request) -> str:
    return language(request.query_params.get("lang"))


def _shown(value: Any, reason: str) -> str:
    text = repr(value) if value is not None else reason
    return text if len(text) <= 80 else text[:79] + "…"


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document with the errors the server gives: a bad parameter is a 400 (our pages), never the
    422 FastAPI declares by default."""
    if app.openapi_schema is None:
        document = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        for operations in document["paths"].values():
            for operation in operations.values():
                operation["responses"].pop("422", None)
        for unused in ("HTTPValidationError", "ValidationError"):
            document.get("components", {}).get("schemas", {}).pop(unused, None)
        app.openapi_schema = document
    return app.openapi_schema
