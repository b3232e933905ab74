"""What every router of the web page shares: the limits of a request, the parameters of a search, the
archives the pages read, the renderer of the pages, the addresses they link to, and the problems they show.

**Limits.** Every parameter has one, checked before any search runs, and answered with a 400 in the page's
language (:class:`Problem`): a request's work is bounded by what it shows, never by what it was sent.
"""

from __future__ import annotations

import itertools
import os
import queue
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from importlib.resources import files
from typing import Annotated, Any, TypeVar
from urllib.parse import urlencode

from fastapi import Depends, Query, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from archive.api import Archive, ArchiveStats, Article, Hit, SearchRequest, SearchResults, Trend, parse_when
from archive.config import Settings
from archive.errors import ArchiveError, DatabaseError, InputError, NotFoundError, QueryError, SearchIndexError
from archive.web.text import LANGUAGES, message_text, words

# --- the limits of a request (README.md: "The web page's limits") -----------------------------------------

#: Characters of a query (the search's own limit: a longer one is refused before it is read).
MAX_QUERY_CHARS = 2_000
#: Values of one filter (``source=``, ``category=``): the outlets or categories one search combines.
MAX_VALUES = 20
#: Characters of one filter value (an outlet's or a category's name).
MAX_VALUE_CHARS = 200
#: Hits on one page (``limit=``), and how deep pages go: ``page`` × ``limit`` at most this.
MAX_PAGE_SIZE = 100
MAX_DEPTH = 10_000
#: Rows of one download (CSV or JSON Lines); ``limit=`` asks for fewer.
MAX_EXPORT_ROWS = 100_000
#: Bytes of an address's query string, and parameters in it: refused before routing.
MAX_QUERY_STRING = 32_768
MAX_PARAMETERS = 64

PAGE_SIZE = 20
T = TypeVar("T")
#: How many archives (a search session each) one process reads with at once; more requests wait their turn.
READERS = 4
#: Answers kept per process (search results, articles), each for as long as the index is the same commit
#: and at most :data:`CACHE_SECONDS` (what changes no commit: a synonym group added); ARCHIVE_SERVE_CACHE=0
#: turns it off.
CACHE_ENTRIES = 256
CACHE_SECONDS = 60.0
#: How long an article page's article and similar ones are kept, whatever the index does.
ARTICLE_SECONDS = 10.0
#: Fresh archives a read tries after one of the pool failed under an ingest's commit (one was seen to fail
#: twice in 10,000 requests during an ingest).
RETRIES = 2
OUTLETS_SECONDS = 10.0
_PACKAGE = files("archive.web")


class Problem(Exception):
    """A request the page cannot answer: a status and a message (a code of :mod:`archive.web.text`'s
    ``PROBLEMS`` and its values), said in the page's language."""

    def __init__(self, status: int, code: str, **values: Any) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.values = values

    def text(self, lang: str) -> str:
        return message_text(self.code, self.values, lang)


def error_text(error: ArchiveError, lang: str) -> str:
    """An archive error in the page's language: its message's template, else the error's own words."""
    message = error.message
    return message_text(message.code, message.values, lang) if message is not None else str(error)


# --- the parameters --------------------------------------------------------------------------------------

Q = Annotated[
    str,
    Query(
        description=f"The query, in Devanagari or romanised (the CLI's query language); at most {MAX_QUERY_CHARS:,} "
        "characters"
    ),
]
Sources = Annotated[list[str], Query(description=f"Only these outlets, any of them (repeatable, at most {MAX_VALUES})")]
Categories = Annotated[
    list[str], Query(description=f"Only these categories, any of them (repeatable, at most {MAX_VALUES})")
]
Since = Annotated[str, Query(description="Published on or after: YYYY-MM-DD, or a time ago (30d, 2w, 6m, 1y)")]
Until = Annotated[str, Query(description="Published on or before: YYYY-MM-DD, or a time ago (30d, 2w, 6m, 1y)")]
Sort = Annotated[str, Query(pattern="^(relevance|newest|oldest)$")]
Mode = Annotated[
    str,
    Query(
        pattern="^(auto|words|meaning|hybrid)$",
        description="words, meaning (nearest by sense, any language), hybrid, or auto (words for Devanagari, hybrid "
        "for Latin letters once the archive is embedded)",
    ),
]
Page = Annotated[int, Query(ge=1, le=MAX_DEPTH, description=f"The page; page × limit at most {MAX_DEPTH:,}")]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description=f"Hits a page, at most {MAX_PAGE_SIZE}")]
ExportLimit = Annotated[
    int, Query(ge=1, le=MAX_EXPORT_ROWS, description=f"Rows at most (and never more than {MAX_EXPORT_ROWS:,})")
]
Lang = Annotated[str, Query(pattern="^(hi|en)$", description="The interface's language")]
Format = Annotated[str, Query(pattern="^(html|json)$", description="json: the page's JSON twin")]
More = Annotated[
    list[str], Query(description="Facets to show whole (source, category, year); the others show their first 15")
]
Dated = Annotated[str, Query(pattern="^(yes|no|)$", description="Only dated (yes) or undated (no) articles")]


@dataclass(frozen=True)
class Filters:
    """The parameters every search address shares (the page, its JSON twin and both downloads): one
    declaration, so that they parse alike. ``since`` and ``until`` are kept as typed (``30d`` stays
    ``30d`` in every link); :attr:`dates` reads them."""

    q: str
    source: list[str]
    category: list[str]
    since: str
    until: str
    dated: str
    sort: str
    dates: tuple[date | None, date | None]
    mode: str = "auto"

    def request(self, page: int = 1, limit: int = PAGE_SIZE, facets: tuple[str, ...] = ()) -> SearchRequest:
        return SearchRequest(
            self.q.strip(),
            limit=limit,
            page=page,
            sources=tuple(self.source),
            categories=tuple(self.category),
            since=self.dates[0],
            until=self.dates[1],
            dated=None if not self.dated else self.dated == "yes",
            sort=self.sort,
            facets=facets,
            mode=self.mode,
        )

    @property
    def asked(self) -> bool:
        """Whether there is anything to search or list: words, or a filter alone (browsing)."""
        return bool(self.q.strip() or self.source or self.category or self.since or self.until or self.dated)

    def state(self) -> dict[str, Any]:
        """The search's parameters as an address carries them."""
        return {
            "q": self.q,
            "source": list(self.source),
            "category": list(self.category),
            "since": self.since,
            "until": self.until,
            "dated": self.dated,
            "sort": self.sort,
            "mode": self.mode,
        }


def _values(name: str, values: list[str]) -> list[str]:
    kept = list(dict.fromkeys(v.strip() for v in values if v.strip()))  # (a value twice is the same filter)
    if len(kept) > MAX_VALUES:
        raise Problem(400, "too_many_values", name=name, count=len(kept), limit=MAX_VALUES)
    for value in kept:
        if len(value) > MAX_VALUE_CHARS:
            raise Problem(400, "value_too_long", name=name, length=len(value), limit=MAX_VALUE_CHARS)
    return kept


def _when(name: str, value: str) -> date | None:
    if not value.strip():
        return None
    if len(value) > 40:
        raise Problem(400, "bad_date", name=name, value=value[:40] + "…")
    try:
        return parse_when(value)
    except (ValueError, OverflowError):
        raise Problem(400, "bad_date", name=name, value=value) from None


def search_filters(
    q: Q = "",
    source: Sources = [],  # noqa: B006 (FastAPI copies defaults)
    category: Categories = [],  # noqa: B006
    since: Since = "",
    until: Until = "",
    dated: Dated = "",
    sort: Sort = "relevance",
    mode: Mode = "auto",
) -> Filters:
    if len(q) > MAX_QUERY_CHARS:
        raise Problem(400, "query_too_long", length=len(q), limit=MAX_QUERY_CHARS)
    dates = (_when("since", since), _when("until", until))
    return Filters(q, _values("source", source), _values("category", category), since, until, dated, sort, dates, mode)


FiltersParameter = Annotated[Filters, Depends(search_filters)]


def check_depth(page: int, limit: int) -> None:
    if page * limit > MAX_DEPTH:
        raise Problem(400, "too_deep", page=page, limit=limit, depth=MAX_DEPTH)


# --- the archives ----------------------------------------------------------------------------------------


class Archives:
    """The archives the pages read, a pool of them: a request takes one (a search session is not shared
    between threads), and gives it back; up to :data:`READERS` read at once in a process, with no lock
    held while they do. Each download gets one of its own, closed when the client has read it all."""

    def __init__(self, settings: Settings, readers: int = READERS) -> None:
        self.settings = settings
        keeping = os.environ.get("ARCHIVE_SERVE_CACHE", "1") != "0"
        self.cache = Cache() if keeping else None
        self.articles = Cache(seconds=ARTICLE_SECONDS) if keeping else None
        self._idle: queue.LifoQueue[Archive] = queue.LifoQueue()
        self._slots = threading.BoundedSemaphore(readers)
        self._counted = itertools.count()
        self.searches = 0
        self._outlets: tuple[float, ArchiveStats] | None = None
        self._outlets_lock = threading.Lock()

    @contextmanager
    def reader(self) -> Iterator[Archive]:
        with self._slots:
            try:
                archive = self._idle.get_nowait()
            except queue.Empty:
                archive = Archive(settings=self.settings, catch_up=False)
            broken = False
            try:
                yield archive
            except (QueryError, NotFoundError, InputError):
                raise  # (the request's fault: the archive is as good as before)
            except Exception:
                broken = True  # (its session may hold what changed under it: the next request opens anew)
                raise
            finally:
                if broken:
                    archive.close()
                else:
                    self._idle.put(archive)

    def search(self, request: SearchRequest) -> SearchResults:
        """One search (counted in :attr:`searches`: a test checks that a refused request ran none), or its
        answer kept from the same commit of the index."""
        self.searches = next(self._counted) + 1

        def work() -> SearchResults:
            return self._retried(lambda archive: archive.search(request))

        if self.cache is None:
            return work()
        found: SearchResults = self.cache.kept_or(("search", request), self.version(), work)
        return found

    def timeline(self, request: SearchRequest, granularity: str | None) -> Trend:
        """The search page's timeline: the search's own trend (its query, or its filters alone), kept as a
        search's answer is."""

        def work() -> Trend:
            query = request.query.strip()
            return self._retried(
                lambda archive: archive.trend([query], request, granularity, browsing=not query, normalised=False)
            )

        if self.cache is None:
            return work()
        found: Trend = self.cache.kept_or(("timeline", request, granularity), self.version(), work)
        return found

    def article(self, article_id: int) -> tuple[Article, list[Hit]]:
        """An article and the articles most like it, kept for :data:`ARTICLE_SECONDS` whatever the index
        does (``Archive.get`` opens the database each time, which costs more than the page: during an ingest
        the index commits every few seconds, and an article rarely changes)."""

        def work() -> tuple[Article, list[Hit]]:
            article = self._retried(lambda archive: archive.get(article_id))
            try:
                similar = self._retried(lambda archive: archive.similar(article_id, limit=5).hits, ValueError)
            except (ValueError, SearchIndexError):
                # (an index reader was seen closed under `similar` during an ingest's commits: 8 of 3,803 requests
                # of the soak benchmark. One cause is fixed, a second acquire within one operation reopening the
                # searcher (SearchSession.reading); should another remain, the article, which the database
                # gives, is shown without them)
                similar = []
            return article, similar

        if self.articles is None:
            return work()
        found: tuple[Article, list[Hit]] = self.articles.kept_or(("article", article_id), "any", work)
        return found

    def _retried(self, work: Callable[[Archive], T], *also: type[Exception]) -> T:
        """``work`` with an archive of the pool, and again (at most :data:`RETRIES` times) with a freshly opened
        one if the index or the database failed under it: an ingest swapped or merged what a session had open,
        and a pooled archive may hold the same old state. A last failure is the error page's."""
        transient: tuple[type[Exception], ...] = (SearchIndexError, DatabaseError, *also)
        try:
            with self.reader() as archive:
                return work(archive)
        except transient:
            for _ in range(RETRIES - 1):
                try:
                    return self._with_fresh(work)
                except transient:
                    continue
            return self._with_fresh(work)

    def _with_fresh(self, work: Callable[[Archive], T]) -> T:
        archive = self.fresh()
        try:
            return work(archive)
        finally:
            archive.close()

    def version(self) -> tuple[Any, ...] | None:
        """Which commit of the index the pages read: its directory (``index`` links to it), the feed position
        file written with each commit and its tables of contents (every generation's: a new one changes the
        list whatever the names sort as); None where it cannot be told (an
        ``index.current`` file instead of a link): then nothing is kept. A stat and a listing: microseconds."""
        try:
            folder = self.settings.index_dir.resolve()
            feed = (folder / "archive-feed.json").stat()
            tables = sorted(entry.name for entry in os.scandir(folder) if entry.name.endswith(".toc"))
        except OSError:
            return None
        return (str(folder), feed.st_mtime_ns, feed.st_size, tuple(tables))

    def fresh(self) -> Archive:
        self.searches = next(self._counted) + 1
        return Archive(settings=self.settings, catch_up=False)

    def outlets(self) -> ArchiveStats:
        """Every outlet with its count, counted again at most every :data:`OUTLETS_SECONDS` (counting the
        outlets of 100,000 articles takes half a second; a list a few seconds old is as good to a reader)."""
        known = self._outlets
        if known is not None and time.monotonic() - known[0] <= OUTLETS_SECONDS:
            return known[1]
        # one request counts again; the others meanwhile get the list it replaces (none waits, but the first)
        if not self._outlets_lock.acquire(blocking=known is None):
            assert known is not None
            return known[1]
        try:
            if self._outlets is known or self._outlets is None:
                self._outlets = (time.monotonic(), self._retried(lambda archive: archive.stats(top_sources=100_000)))
            return self._outlets[1]
        finally:
            self._outlets_lock.release()

    def close(self) -> None:
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                return


class Cache:
    """A small LRU of answers, each valid for one version of the index and at most :data:`CACHE_SECONDS`.
    Its lock guards the dictionary only: no search runs under it."""

    def __init__(self, entries: int = CACHE_ENTRIES, seconds: float = CACHE_SECONDS) -> None:
        self.entries = entries
        self.seconds = seconds
        self._kept: OrderedDict[Any, tuple[Any, float, Any]] = OrderedDict()
        self._flights: dict[Any, threading.Event] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._kept)

    def get(self, key: Any, version: Any) -> Any:
        with self._lock:
            return self._valid(key, version)

    def _valid(self, key: Any, version: Any) -> Any:
        found = self._kept.get(key)
        if found is None:
            return None
        kept_version, when, value = found
        if time.monotonic() - when > self.seconds:
            del self._kept[key]
            return None
        if kept_version != version:
            return None  # (kept until replaced: see kept_or)
        self._kept.move_to_end(key)
        return value

    def put(self, key: Any, version: Any, value: Any) -> None:
        with self._lock:
            self._put(key, version, value)

    def _put(self, key: Any, version: Any, value: Any) -> None:
        self._kept[key] = (version, time.monotonic(), value)
        self._kept.move_to_end(key)
        while len(self._kept) > self.entries:
            self._kept.popitem(last=False)

    def kept_or(self, key: Any, version: Any, work: Callable[[], T]) -> T:
        """The answer kept for ``key`` at ``version``, else ``work()``'s, kept. Requests for the same answer
        at once do not compute it again (after a commit, twenty clients asking the same page run one search,
        not twenty): they get the answer of the commit before while the first computes the new one, or
        wait for it when there is none. A request alone always gets the index's current answer.
        ``version`` None: nothing is kept."""
        if version is None:
            return work()
        with self._lock:
            value = self._valid(key, version)
            if value is not None:
                return value  # type: ignore[no-any-return]
            flight = self._flights.get((key, version))
            if flight is not None and key in self._kept:
                # being computed for the new commit by another request: this one gets the answer of the
                # commit before, which it would have had a moment earlier, instead of waiting
                return self._kept[key][2]  # type: ignore[no-any-return]
            first = flight is None
            if flight is None:
                flight = self._flights[(key, version)] = threading.Event()
        if not first:
            flight.wait(timeout=30)
            value = self.get(key, version)
            return value if value is not None else work()
        try:
            value = work()
            self.put(key, version, value)
            return value
        finally:
            with self._lock:
                self._flights.pop((key, version), None)
            flight.set()


# --- pages -----------------------------------------------------------------------------------------------


class Pages:
    """The templates (Jinja2, autoescaped: article text is always text) and what every page is given."""

    def __init__(self) -> None:
        self.templates = Environment(
            loader=FileSystemLoader(str(_PACKAGE / "templates")),
            autoescape=select_autoescape(default=True, default_for_string=True),
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def render(self, request: Request, name: str, lang: str, status: int = 200, **context: Any) -> HTMLResponse:
        context.setdefault("q", "")
        body = self.templates.get_template(name).render(
            t=words(lang), lang=lang, other=other_language(lang), switch=switch_language(request), **context
        )
        return HTMLResponse(body, status_code=status)


def archives_of(request: Request) -> Archives:
    found: Archives = request.app.state.archives
    return found


def pages_of(request: Request) -> Pages:
    found: Pages = request.app.state.pages
    return found


def language(value: str | None) -> str:
    return value if value in LANGUAGES else "hi"


def other_language(lang: str) -> str:
    return "en" if lang == "hi" else "hi"


def wants_json(request: Request) -> bool:
    return request.url.path.endswith(".json") or request.query_params.get("format") == "json"


def switch_language(request: Request) -> str:
    """The page's own address in the other language."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    lang = other_language(language(request.query_params.get("lang")))
    if lang != "hi":
        params.append(("lang", lang))
    return f"{request.url.path}?{urlencode(params)}" if params else request.url.path


_DEFAULTS = (("sort", "relevance"), ("page", 1), ("lang", "hi"), ("limit", PAGE_SIZE), ("mode", "auto"))


def link(path: str, state: dict[str, Any], change: dict[str, Any] | None = None) -> str:
    """``path`` with the search's parameters, some changed (None drops one); defaults are left out, so
    addresses stay short to share."""
    merged = {**state, **(change or {})}
    pairs: list[tuple[str, str]] = []
    for key, value in merged.items():
        if value is None or value == "" or value == [] or (key, value) in _DEFAULTS:
            continue
        for one in value if isinstance(value, list) else [value]:
            pairs.append((key, one.isoformat() if isinstance(one, date) else str(one)))
    return f"{path}?{urlencode(pairs)}" if pairs else path
