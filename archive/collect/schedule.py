"""When a followed source is due, and the names and intervals a person types."""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from archive.errors import QueryError

_EVERY = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|hr|d|day)s?\s*$", re.IGNORECASE)
_UNITS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hr": 3600, "d": 86400, "day": 86400}
#: The shortest interval a source may be fetched at: a feed is not a chat.
MIN_EVERY = timedelta(minutes=1)


def parse_every(text: str) -> timedelta:
    """``30m``, ``2h``, ``1d``, ``90s`` as an interval.

    >>> parse_every("30m"), parse_every("2h")
    (datetime.timedelta(seconds=1800), datetime.timedelta(seconds=7200))
    >>> parse_every("5 s")
    Traceback (most recent call last):
    archive.errors.QueryError: --every 5 s is shorter than a minute; a source is fetched at most once a minute
    """
    match = _EVERY.match(text)
    if match is None:
        raise QueryError(f"--every {text!r} is not an interval; write it like 30m, 2h or 1d")
    every = timedelta(seconds=float(match[1]) * _UNITS[match[2].lower()])
    if every < MIN_EVERY:
        raise QueryError(f"--every {text} is shorter than a minute; a source is fetched at most once a minute")
    return every


def check_url(url: str) -> str:
    """A source's address as given, checked: http or https, with a host.

    >>> check_url("https://example.org/feed")
    'https://example.org/feed'
    >>> check_url("example.org/feed")
    Traceback (most recent call last):
    archive.errors.QueryError: 'example.org/feed' is not a web address; give it whole, starting with https:// or http://
    """
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise QueryError(f"{url!r} is not a web address; give it whole, starting with https:// or http://")
    return url.strip()


def default_name(url: str, taken: Collection[str]) -> str:
    """A name for a source from its address: the host without ``www.``, and the path's first part when the
    host alone is taken.

    >>> default_name("https://www.example.org/rss/desh.xml", ())
    'example.org'
    >>> default_name("https://www.example.org/rss/desh.xml", {"example.org"})
    'example.org/rss'
    """
    parts = urlsplit(url)
    host = (parts.hostname or "source").removeprefix("www.")
    candidates = [host]
    segments = [s for s in parts.path.split("/") if s]
    for count in range(1, len(segments) + 1):
        candidates.append("/".join([host, *segments[:count]]))
    for candidate in candidates:
        if candidate not in taken:
            return candidate
    number = 2
    while f"{host}-{number}" in taken:
        number += 1
    return f"{host}-{number}"


def next_due(now: datetime, every_seconds: float, failed: bool, retry_failed_seconds: float) -> datetime:
    """When a source is due again: after its interval, or sooner after a failure (the next run tries again)."""
    wait = min(every_seconds, retry_failed_seconds) if failed else every_seconds
    return now + timedelta(seconds=wait)
