"""How politely and how patiently the collector fetches: one immutable record, passed down (tests and the
benchmark pass their own; ``archive fetch`` takes the defaults, a few of them from options)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import NamedTuple


def _version() -> str:
    try:
        return version("archive")
    except PackageNotFoundError:  # (run from a source tree that was never installed)
        return "0"


#: Who is asking: an honest User-Agent names the program and what it does, so that a site's operator can
#: tell it apart and write a robots.txt rule for it (its token: ``archive``).
USER_AGENT = f"archive/{_version()} (a searchable archive of Hindi news; collects feeds, sitemaps and articles)"
#: The product token robots.txt rules name.
ROBOTS_AGENT = "archive"


class CollectSettings(NamedTuple):
    #: Seconds between two requests to one host (a robots.txt Crawl-delay that is longer wins). Two seconds is
    #: what well-behaved crawlers default to (news-please, Scrapy's AutoThrottle start); a news site serves
    #: a page in far less.
    host_delay: float = 2.0
    #: Requests in flight at once, over all hosts (one at a time per host in any case; a host waiting out its
    #: pause takes no place).
    concurrency: int = 4
    #: Seconds to connect, and to wait for each piece of the response.
    timeout: float = 20.0
    #: Attempts of one request before it fails: a 429, a 5xx, a timeout or a dropped connection is tried again.
    attempts: int = 3
    #: The first wait before trying again (doubled each time), when the answer does not say (Retry-After).
    backoff: float = 2.0
    #: A Retry-After longer than this is not waited for in this run: the page is tried again the next run.
    max_retry_after: float = 120.0
    #: Redirects followed for one request (a loop ends here).
    max_redirects: int = 5
    #: Largest page and listing read; a larger response is refused (no article page is that large).
    max_page_bytes: int = 8 * 1024 * 1024
    max_listing_bytes: int = 32 * 1024 * 1024
    #: Attempts of one listed page over runs before it is given up (``follow show`` lists it).
    max_page_attempts: int = 5
    #: Sitemaps of a sitemap index read in one fetch (newest first): a news site's index lists years of them.
    max_child_sitemaps: int = 10
    #: Pages fetched from one source in one run at most (the rest wait for the next run).
    max_pages_per_source: int = 500
    #: A source whose fetches have all failed this long is flagged in ``follow list``.
    failing_flag_seconds: float = 24 * 3600
    #: A failed source is due again after this (or its own interval, when shorter).
    retry_failed_seconds: float = 300.0
    #: Fetched pages are stored this many at a time, or once the first of them has waited this long: a transaction
    #: per page cost 40 ms of the storing thread (200 pages: 8 s), and a kill loses only the fetching of a batch.
    store_every: int = 25
    store_every_seconds: float = 2.0
    user_agent: str = USER_AGENT
