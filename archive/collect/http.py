"""Fetching politely: one request at a time per host with a pause between them, robots.txt honoured,
conditional requests, retries with backoff (Retry-After honoured), redirects followed up to a limit, size
limits, and an honest User-Agent. The HTTP client is httpx (timeouts, streaming, gzip, deflate, and brotli
when the ``brotli`` package is installed, which archive requires)."""

from __future__ import annotations

import email.utils
import threading
import time
import urllib.robotparser
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import httpx

from archive.collect.settings import ROBOTS_AGENT, CollectSettings

#: Answers worth trying again: too many requests, and a server's passing trouble.
_TRY_AGAIN = frozenset({429, 500, 502, 503, 504})
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_PERMANENT = frozenset({301, 308})


class Halted(BaseException):
    """The fetch was stopped (Ctrl-C, a server shutting down): the request is not made, and its address waits for
    the next fetch. (A BaseException: nothing that records failures may take it for one.)"""


class FetchFailed(Exception):
    """A request that did not bring a usable answer; ``reason`` is for the person reading ``follow show``."""

    def __init__(self, reason: str, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


@dataclass(frozen=True)
class Fetched:
    """An answer: 200 with its body, or 304 (not modified) with none."""

    url: str
    status: int
    content: bytes
    headers: Mapping[str, str] = field(default_factory=dict)
    #: Where the first address has moved to for good (a 301 or 308 at the first hop), if it has.
    moved_to: str | None = None

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def charset(self) -> str | None:
        for part in self.headers.get("content-type", "").split(";")[1:]:
            name, _, value = part.partition("=")
            if name.strip().lower() == "charset" and value.strip():
                return value.strip().strip("\"'")
        return None


def host_of(url: str) -> str:
    """The host a pause is kept for (with its port: two local servers are two hosts).

    >>> host_of("https://Example.org:8443/a?b"), host_of("http://example.org/")
    ('example.org:8443', 'example.org')
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return f"{host}:{parts.port}" if parts.port else host


class HostGate:
    """One request at a time per host, and at least a host's delay from the end of one to the start of the next."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep):
        self._clock, self._sleep = clock, sleep
        self._lock = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}
        self._free_at: dict[str, float] = {}
        self._ended: dict[str, float] = {}

    @contextmanager
    def turn(self, host: str, delay: float) -> Iterator[None]:
        with self._lock:
            lock = self._locks.setdefault(host, threading.Lock())
        with lock:
            wait = self._free_at.get(host, 0.0) - self._clock()
            if wait > 0:
                self._sleep(wait)
            try:
                yield
            finally:
                self._ended[host] = self._clock()
                self._free_at[host] = self._ended[host] + delay

    def lengthen(self, host: str, delay: float) -> None:
        """From now on the host's pause is at least ``delay`` (a robots.txt Crawl-delay), the next request too."""
        with self._lock:
            if host in self._ended:
                self._free_at[host] = max(self._free_at[host], self._ended[host] + delay)


def retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds a Retry-After header asks for (a number of seconds, or an HTTP date).

    >>> retry_after("3"), retry_after(None), retry_after("soon")
    (3.0, None, None)
    >>> retry_after("Wed, 21 Oct 2015 07:28:30 GMT", datetime(2015, 10, 21, 7, 28, tzinfo=UTC))
    30.0
    """
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


@dataclass(frozen=True)
class _Robots:
    #: None: everything allowed (no robots.txt)
    rules: urllib.robotparser.RobotFileParser | None
    #: Its Crawl-delay for us.
    delay: float = 0.0
    #: Why it could not be had (the host is left alone meanwhile).
    problem: str | None = None
    status: int | None = None


class Fetcher:
    """Polite GETs through one httpx client (thread-safe: the collector's workers share it)."""

    def __init__(
        self,
        settings: CollectSettings,
        *,
        clock: Callable[[], float] = time.monotonic,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.settings = settings
        self._halted = threading.Event()
        self._gate = HostGate(clock, self._sleep)
        self._robots: dict[str, _Robots] = {}
        self._robots_lock = threading.Lock()
        self._host_locks: dict[str, threading.Lock] = {}
        #: Requests in flight at once, over every host (a thread waiting out a host's pause holds none).
        self._in_flight = threading.BoundedSemaphore(max(1, settings.concurrency))
        timeout = httpx.Timeout(settings.timeout)
        limits = httpx.Limits(max_connections=max(settings.concurrency, 1) * 2)
        self._client = httpx.Client(
            timeout=timeout,
            limits=limits,
            follow_redirects=False,
            headers={"User-Agent": settings.user_agent},
            transport=transport,
        )
        #: Requests made (robots.txt included), for the benchmark and the tests.
        self.requests = 0

    def close(self) -> None:
        self._client.close()

    def halt(self) -> None:
        """Stop: no request starts from now on, and every pause and backoff under way ends (raising
        :class:`Halted` in the threads waiting)."""
        self._halted.set()

    def _sleep(self, seconds: float) -> None:
        if self._halted.wait(seconds):
            raise Halted

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # --- robots.txt ------------------------------------------------------------------------------

    def allowed(self, url: str) -> bool:
        """Whether the host's robots.txt lets us fetch ``url`` (raises :class:`FetchFailed` when the host's
        robots.txt could not be had: the host is left alone)."""
        robots = self._rules(url)
        if robots.problem is not None:
            raise FetchFailed(robots.problem, robots.status)
        return robots.rules is None or robots.rules.can_fetch(ROBOTS_AGENT, url)

    def _delay(self, url: str) -> float:
        return max(self.settings.host_delay, self._rules(url).delay)

    def _rules(self, url: str) -> _Robots:
        """The host's robots.txt, read once per fetcher."""
        host = host_of(url)
        with self._robots_lock:
            lock = self._host_locks.setdefault(host, threading.Lock())
        with lock:
            if host not in self._robots:
                self._robots[host] = self._read_robots(url)
                self._gate.lengthen(host, self._robots[host].delay)
            return self._robots[host]

    def _read_robots(self, url: str) -> _Robots:
        parts = urlsplit(url)
        address = f"{parts.scheme}://{parts.netloc}/robots.txt"
        try:
            answer = self._request(address, {}, 512 * 1024, self.settings.host_delay, robots=False)
        except FetchFailed as failure:
            # RFC 9309: a robots.txt that is not there (4xx) allows everything; one the server cannot give
            # (5xx, no answer) forbids everything until it can
            if failure.status is not None and 400 <= failure.status < 500:
                return _Robots(None)
            problem = f"{failure.reason} (asking for its robots.txt: the site is left alone until it answers)"
            return _Robots(None, problem=problem, status=failure.status)
        rules = urllib.robotparser.RobotFileParser(address)
        rules.parse(answer.content.decode("utf-8", "replace").splitlines())
        delay = rules.crawl_delay(ROBOTS_AGENT)
        return _Robots(rules, float(delay or 0.0))

    # --- requests --------------------------------------------------------------------------------

    def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None, max_bytes: int) -> Fetched:
        """``url``'s answer (following redirects), politely; raises :class:`FetchFailed` with the reason."""
        if not self.allowed(url):
            raise FetchFailed("robots.txt does not allow archive to fetch this address; it is left alone")
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return self._request(url, headers, max_bytes, self._delay(url))

    def _request(
        self, url: str, headers: dict[str, str], max_bytes: int, delay: float, *, robots: bool = True
    ) -> Fetched:
        """``url``'s answer, redirects followed (each target checked against its host's robots.txt, unless this is
        the request for a robots.txt)."""
        seen = [url]
        moved_to: str | None = None
        current = url
        for hop in range(self.settings.max_redirects + 1):
            answer, location = self._one(current, headers, max_bytes, delay)
            if location is None:
                return Fetched(answer.url, answer.status, answer.content, answer.headers, moved_to)
            if hop == 0 and answer.status in _PERMANENT:
                moved_to = location
            elif answer.status not in _PERMANENT:
                moved_to = None  # (only a chain of permanent moves is a move)
            elif moved_to is not None:
                moved_to = location
            if location in seen:
                raise FetchFailed(f"a redirect loop: {' → '.join([*seen, location])}", answer.status)
            seen.append(location)
            current = location
            if robots and not self.allowed(current):
                raise FetchFailed(f"redirected to {current}, which robots.txt does not allow archive to fetch")
            delay = self._delay(current) if robots else delay
        raise FetchFailed(
            f"more than {self.settings.max_redirects} redirects ({' → '.join(seen[:4])} …); the address may have "
            "moved: follow the new one"
        )

    @contextmanager
    def _in_flight_released(self) -> Iterator[None]:
        """(the semaphore taken just before: released when the request's answer has been read)"""
        try:
            yield
        finally:
            self._in_flight.release()

    def _one(self, url: str, headers: dict[str, str], max_bytes: int, delay: float) -> tuple[Fetched, str | None]:
        """One address, tried again on passing trouble; the answer and the redirect's target (None: none)."""
        attempts = max(1, self.settings.attempts)
        last = "no answer"
        status: int | None = None
        with self._gate.turn(host_of(url), delay):
            for attempt in range(attempts):
                wait = self.settings.backoff * 2**attempt
                if self._halted.is_set():
                    raise Halted
                try:
                    self._in_flight.acquire()
                    self.requests += 1
                    with self._in_flight_released(), self._client.stream("GET", url, headers=headers) as response:
                        status = response.status_code
                        if status in _REDIRECTS and response.headers.get("location"):
                            location = urljoin(str(response.url), response.headers["location"])
                            return Fetched(str(response.url), status, b"", dict(response.headers)), location
                        if status in _TRY_AGAIN:
                            last = f"HTTP {status} {response.reason_phrase}".strip()
                            asked = retry_after(response.headers.get("retry-after"))
                            if asked is not None:
                                if asked > self.settings.max_retry_after:
                                    raise FetchFailed(
                                        f"{last}: the server asks to come back in {asked:.0f} s; tried again next run",
                                        status,
                                    )
                                wait = asked
                        elif status == 304:
                            return Fetched(str(response.url), 304, b"", dict(response.headers)), None
                        elif status >= 400:
                            raise FetchFailed(_http_reason(status, response.reason_phrase), status)
                        else:
                            body = _read_limited(response, max_bytes)
                            return Fetched(str(response.url), status, body, dict(response.headers)), None
                except httpx.TimeoutException:
                    last, status = f"no answer within {self.settings.timeout:g} s (timed out)", None
                except httpx.TooManyRedirects as error:  # (not raised with follow_redirects off; for safety)
                    raise FetchFailed(str(error)) from error
                except (httpx.TransportError, httpx.DecodingError) as error:
                    if isinstance(error, httpx.DecodingError):
                        raise FetchFailed(f"the answer could not be decoded ({error})", status) from error
                    last, status = f"the connection failed ({error or type(error).__name__})", None
                if attempt + 1 < attempts:
                    self._sleep(wait)
        raise FetchFailed(f"{last}, {attempts} times", status)


def _http_reason(status: int, phrase: str) -> str:
    reasons = {
        404: "not found (HTTP 404): the address is wrong or the page was taken down",
        410: "gone (HTTP 410): the site took it down for good; remove it (`archive follow remove`)",
        401: "the site wants a login (HTTP 401)",
        403: "the site refuses archive (HTTP 403)",
    }
    return reasons.get(status, f"HTTP {status} {phrase}".strip())


def _read_limited(response: httpx.Response, limit: int) -> bytes:
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise FetchFailed(f"the answer is {int(declared):,} bytes, more than the {limit:,} read", response.status_code)
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > limit:
            raise FetchFailed(f"the answer is larger than the {limit:,} bytes read; left alone", response.status_code)
        chunks.append(chunk)
    return b"".join(chunks)
