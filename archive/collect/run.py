"""``archive fetch``: fetch the followed sources (those due, or those named), then the pages they list that
are not stored yet, and store each article through the store's write path (dedupe, the change feed, the run's
counts: an ingest run like any other, so saved searches see its news).

Network work runs in threads, a host's requests in one of them at a time (:class:`HostGate` spaces them);
the database is written by this thread only, a page as soon as it is read. What a source lists is recorded
before its pages are fetched, and a source is due again only once its pages are done: a run killed midway
leaves the rest waiting, and the next run fetches it (a page stored twice is the same record again:
unchanged).
"""

from __future__ import annotations

import dataclasses
import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeVar

from archive.collect.http import Fetched, Fetcher, FetchFailed, host_of
from archive.collect.listings import Entry, Listing, ListingProblem, entry_from_json, read_listing
from archive.collect.pages import PAGE_RECORD, feed_article, page_article
from archive.collect.schedule import next_due
from archive.collect.settings import CollectSettings
from archive.config import Settings
from archive.home import opened
from archive.index.search_index import SearchIndex
from archive.index.sync import ensure_index, sync_index
from archive.models import FollowedSource, RunCounts, utc_now
from archive.processes import this_process
from archive.readers.records import ArticleRecord, Record, RejectedRecord
from archive.store.database import Store
from archive.store.follows import FAILED, FALLBACK, STORED, FetchOutcome, Listed, PageDone, ReadListing, Work

J = TypeVar("J")
R = TypeVar("R")


@dataclass
class SourceResult:
    """What one fetch of a source came to."""

    name: str
    url: str
    status: str = "ok"
    reason: str | None = None
    http_status: int | None = None
    listed: int = 0
    new_articles: int = 0
    failed: int = 0
    notes: list[str] = field(default_factory=list)


@dataclass
class FetchReport:
    run_id: int | None
    sources: list[SourceResult] = field(default_factory=list)
    counts: RunCounts = field(default_factory=RunCounts)
    #: Pages fetched (not counting the listings, robots.txt and 304s).
    pages: int = 0
    #: (address, reason) of the pages and listings that failed, the first of them.
    failures: list[tuple[str, str]] = field(default_factory=list)
    interrupted: bool = False
    requests: int = 0
    #: (source, run) of the sources left to another fetch under way.
    busy: list[tuple[str, int]] = field(default_factory=list)

    @property
    def summary(self) -> str:
        c = self.counts
        return (
            f"sources {len(self.sources)}, pages fetched {self.pages}, added {c.added}, updated {c.updated}, "
            f"unchanged {c.unchanged}, duplicates {c.duplicates}, failed {c.rejected}"
        )


@dataclass
class _Listed:
    source: FollowedSource
    started: datetime
    listing: Listing | None = None
    fetched: Fetched | None = None
    failure: FetchFailed | ListingProblem | None = None
    entries: list[Entry] = field(default_factory=list)
    #: The sitemaps of an index read (address, lastmod, validators): recorded once their entries are.
    children: list[ReadListing] = field(default_factory=list)
    #: What went wrong with some of them (the others were read).
    notes: list[str] = field(default_factory=list)


@dataclass
class _Page:
    work: Work
    record: Record | None = None
    fetched: Fetched | None = None
    failure: str | None = None
    #: The page answered 304: the stored article stands.
    unchanged: bool = False


#: Hosts worked on at once, each in a thread that mostly waits out the host's pause (the requests in flight
#: are limited apart: `CollectSettings.concurrency`); more hosts than this wait for a thread.
HOST_THREADS = 32
#: The latest runs looked at for fetches under way, and how long one may be under way before it is taken for
#: one killed on another machine (a fetch of 500 pages from one site, 2 s apart, takes 17 minutes).
RUNS_LOOKED_AT = 50
BUSY_AT_MOST = timedelta(hours=3)
#: Failures kept in a report (all are in the database).
REPORTED_FAILURES = 50


def collect(
    settings: Settings,
    names: Sequence[str] = (),
    options: CollectSettings | None = None,
    *,
    now: Callable[[], datetime] = utc_now,
    fetched: Callable[[str], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> FetchReport:
    """Fetch the sources due (or those named, due or not) and the pages they list; ``fetched`` is told each
    address stored or failed (the CLI's progress); once ``cancelled`` says so, no request starts and the run
    ends as interrupted, its sources still due."""
    options = options or CollectSettings()
    with opened(settings, create=True) as (store, index):
        sources = store.follows.named(names) if names else store.follows.due(now())
        if not sources:
            return FetchReport(None)
        store.mark_killed_runs()
        # a source another fetch is working on (cron's while `serve --follow` fetches, say) is left to it: two
        # fetches at once would ask each site twice as often as the pause allows
        # (a run still "running" long after it began is taken for one killed on another machine, which no
        # process here can tell)
        recent = now() - BUSY_AT_MOST
        busy = {
            path: run.id
            for run in store.runs(RUNS_LOOKED_AT)
            if run.status == "running" and run.started_at >= recent
            for path in run.paths
        }
        skipped = [(source.name, busy[source.url]) for source in sources if source.url in busy]
        sources = [source for source in sources if source.url not in busy]
        if not sources:
            return FetchReport(None, busy=skipped)
        run_id = store.start_run([source.url for source in sources], now(), this_process())
        report = FetchReport(run_id, busy=skipped)
        status = "failed"
        try:
            ensure_index(store, index)
            sync_index(store, index)
            with Fetcher(options) as fetcher:
                try:
                    _collect(store, index, settings, sources, options, fetcher, report, now, fetched, cancelled)
                except BaseException:
                    fetcher.halt()  # (the threads still fetching stop waiting: Ctrl-C gives the command back)
                    raise
                finally:
                    report.requests = fetcher.requests
            status = "finished"
        except KeyboardInterrupt:
            status, report.interrupted = "interrupted", True
        finally:
            store.record_run(run_id, report.counts, status=status, now=now())
        if status == "finished":
            sync_index(store, index)
            if report.counts.added or report.counts.updated:
                store.merges.refresh(now())  # (outlet names the counts now show to be misprints)
        return report


def _collect(
    store: Store,
    index: SearchIndex,
    settings: Settings,
    sources: Sequence[FollowedSource],
    options: CollectSettings,
    fetcher: Fetcher,
    report: FetchReport,
    now: Callable[[], datetime],
    told: Callable[[str], None] | None,
    cancelled: Callable[[], bool] | None,
) -> None:
    stopped = cancelled or (lambda: False)
    results = {source.id: SourceResult(source.name, source.url) for source in sources}
    report.sources = list(results.values())
    listed: dict[int, _Listed] = {}

    def list_one(source: FollowedSource) -> _Listed:
        return _fetch_listing(store, fetcher, options, source, now)

    for source, outcome in _by_host(HOST_THREADS, sources, lambda s: s.url, list_one, stopped):
        listed[source.id] = outcome
        result = results[source.id]
        if outcome.failure is not None:
            result.status, result.reason = "failed", outcome.failure.reason
            result.http_status = getattr(outcome.failure, "status", None)
            _reject(store, report, source.url, outcome.listing.kind if outcome.listing else "listing", result.reason)
            continue
        assert outcome.fetched is not None
        result.http_status = outcome.fetched.status
        if outcome.fetched.status == 304:
            result.status = "not modified"
        if outcome.listing is not None:
            result.notes.extend(outcome.listing.notes)
        result.listed = len(outcome.entries)
        result.notes.extend(outcome.notes)
        items = [Listed(e.url, e.stamp, e.fields_json()) for e in outcome.entries]
        store.follows.note_listed(source.id, items, now())
        # (after their entries: a fetch killed between the two reads the sitemaps again)
        store.follows.mark_listings(source.id, outcome.children, now())

    # the pages: of every source of the run, including what an earlier run left (a 304 lists nothing new)
    work: list[Work] = []
    for source in sources:
        todo = store.follows.work([source.id], options.max_page_attempts)
        work.extend(todo[: options.max_pages_per_source])
    since_sync = 0
    batch = _Batch(store, report, results, options, now)
    pages = _by_host(HOST_THREADS, work, lambda w: w.url, lambda w: _fetch_page(fetcher, options, w), stopped)
    try:
        for item, page in pages:
            if stopped():
                fetcher.halt()
            batch.add(page)
            if told is not None:
                told(item.url)
            if batch.full():
                since_sync += batch.flush()
            if since_sync >= settings.index.commit_every:
                sync_index(store, index)
                since_sync = 0
    finally:
        batch.flush()  # (what was fetched is stored, however the run ends)

    if stopped():
        raise KeyboardInterrupt  # (the sources stay due: the next run lists them again and fetches what waits)
    finished = now()
    for source in sources:
        result, outcome = results[source.id], listed[source.id]
        failed = result.status == "failed"
        fetched = outcome.fetched
        store.follows.finish_fetch(
            source.id,
            FetchOutcome(
                status=result.status,
                started_at=outcome.started,
                finished_at=finished,
                http_status=result.http_status,
                listed=result.listed,
                new_articles=result.new_articles,
                failed=result.failed,
                reason="; ".join(p for p in (result.reason, *result.notes) if p) or None,
                run_id=report.run_id,
                kind=outcome.listing.kind if outcome.listing else None,
                etag=fetched.headers.get("etag") if fetched and fetched.status == 200 else None,
                last_modified=fetched.headers.get("last-modified") if fetched and fetched.status == 200 else None,
                moved_to=fetched.moved_to if fetched else None,
            ),
            next_due(finished, source.every_seconds, failed, options.retry_failed_seconds),
        )


def _fetch_listing(
    store: Store, fetcher: Fetcher, options: CollectSettings, source: FollowedSource, now: Callable[[], datetime]
) -> _Listed:
    """The source's listing (conditionally: a 304 lists nothing), and a sitemap index's changed sitemaps."""
    outcome = _Listed(source, now())
    etag, modified = store.follows.validators(source.id)
    try:
        fetched = fetcher.get(source.url, etag=etag, last_modified=modified, max_bytes=options.max_listing_bytes)
        outcome.fetched = fetched
        if fetched.status == 304:
            return outcome
        listing = read_listing(fetched)
        outcome.listing = listing
        outcome.entries = list(listing.entries)
        if listing.sitemaps:
            _read_children(store, fetcher, options, source, listing, outcome)
    except (FetchFailed, ListingProblem) as failure:
        outcome.failure = failure
    except Exception as error:  # a bug or a parser's surprise must not stop the other sources
        outcome.failure = ListingProblem(f"unexpected error reading the listing ({type(error).__name__}: {error})")
    return outcome


def _read_children(
    store: Store, fetcher: Fetcher, options: CollectSettings, source: FollowedSource, listing: Listing, outcome: _Listed
) -> None:
    """The entries of the sitemaps an index names, newest first (at most
    :attr:`CollectSettings.max_child_sitemaps`): those whose lastmod changed since they were last read, and
    those without one, asked for conditionally. One that fails is noted; the others are read."""
    known = store.follows.listings(source.id)
    read = 0
    for url, stamp in listing.sitemaps:
        if read >= options.max_child_sitemaps:
            break
        before = known.get(url)
        if before is not None and stamp is not None and before.stamp == stamp:
            continue
        read += 1
        try:
            fetched = fetcher.get(
                url,
                etag=before.etag if before else None,
                last_modified=before.last_modified if before else None,
                max_bytes=options.max_listing_bytes,
            )
            if fetched.status != 304:
                outcome.entries.extend(read_listing(fetched, "sitemap").entries)
        except (FetchFailed, ListingProblem) as failure:
            outcome.notes.append(f"the sitemap {url} could not be read ({failure.reason})")
            continue
        outcome.children.append(
            ReadListing(url, stamp, fetched.headers.get("etag"), fetched.headers.get("last-modified"))
        )


def _fetch_page(fetcher: Fetcher, options: CollectSettings, work: Work) -> _Page:
    page = _Page(work)
    entry = entry_from_json(work.entry)
    try:
        # a page stored before is asked for conditionally: the feed says it changed, the server may not agree
        etag, modified = (work.etag, work.last_modified) if work.status == STORED else (None, None)
        fetched = fetcher.get(work.url, etag=etag, last_modified=modified, max_bytes=options.max_page_bytes)
        page.fetched = fetched
        if fetched.status == 304:
            page.unchanged = True
            return page
        page.record = page_article(fetched, work.url, entry, work.url if work.status == FALLBACK else None)
    except FetchFailed as failure:
        page.failure = failure.reason
    except Exception as error:  # (as for listings: one page never stops the run)
        page.failure = f"unexpected error reading the page ({type(error).__name__}: {error})"
    if isinstance(page.record, RejectedRecord):
        page.failure = page.record.reason
    return page


class _Batch:
    """Fetched pages stored a batch at a time (a transaction per source in it), with what became of each: a
    page fetched and not yet stored when a run is killed is still waiting, and fetched again next run."""

    def __init__(
        self,
        store: Store,
        report: FetchReport,
        results: dict[int, SourceResult],
        options: CollectSettings,
        now: Callable[[], datetime],
    ) -> None:
        self.store, self.report, self.results, self.options, self.now = store, report, results, options, now
        self.pages: list[tuple[_Page, ArticleRecord | None]] = []
        self.started = time.monotonic()

    def add(self, page: _Page) -> None:
        if not self.pages:
            self.started = time.monotonic()
        record = page.record if isinstance(page.record, ArticleRecord) else None
        if page.failure is not None:
            fallback = feed_article(page.work.url, entry_from_json(page.work.entry))
            if isinstance(fallback, ArticleRecord):
                note = f"the page could not be had ({page.failure}); the feed's own text is stored"
                record = dataclasses.replace(fallback, notes=(*fallback.notes, note))
        self.pages.append((page, record))

    def full(self) -> bool:
        waited = time.monotonic() - self.started
        return len(self.pages) >= self.options.store_every or waited >= self.options.store_every_seconds

    def flush(self) -> int:
        """Store the batch; returns how many articles it changed."""
        if not self.pages:
            return 0
        pages, self.pages = self.pages, []
        report, now = self.report, self.now()
        assert report.run_id is not None
        failed = [page for page, _ in pages if page.failure is not None]
        if failed:
            self.store.add_rejects(
                report.run_id, [RejectedRecord(p.work.url, PAGE_RECORD, p.failure or "failed") for p in failed]
            )
        for page in failed:
            self.results[page.work.source_id].failed += 1
            report.counts.rejected += 1
            if len(report.failures) < REPORTED_FAILURES:
                report.failures.append((page.work.url, page.failure or "failed"))
        report.pages += sum(1 for page, _ in pages if page.fetched is not None and page.fetched.status == 200)
        changed = 0
        by_source: dict[int, list[ArticleRecord]] = {}
        for page, record in pages:
            if record is not None:
                by_source.setdefault(page.work.source_id, []).append(record)
        for source_id, records in by_source.items():
            stored = self.store.upsert(records, now, report.run_id)
            report.counts.add(stored)
            self.results[source_id].new_articles += stored.added
            changed += len(stored.changed_ids)
        done = []
        for page, record in pages:
            headers = page.fetched.headers if page.fetched is not None and page.failure is None else {}
            if page.unchanged or (record is not None and page.failure is None):
                status = STORED
            else:
                status = FALLBACK if record is not None else FAILED
            done.append(PageDone(page.work.id, status, page.failure, headers.get("etag"), headers.get("last-modified")))
        self.store.follows.pages_done(done, now, self.options.max_page_attempts)
        stored_urls = [page.work.url for page, _ in pages if page.failure is None and not page.unchanged]
        self.store.follows.mark_read(stored_urls, report.run_id)  # (their earlier rejects: resolved)
        return changed


def _reject(store: Store, report: FetchReport, url: str, what: str, reason: str | None) -> None:
    """A listing that failed, kept as a reject of the run."""
    reason = reason or "failed"
    assert report.run_id is not None
    store.add_rejects(report.run_id, [RejectedRecord(url, what, reason)])
    report.counts.rejected += 1
    if len(report.failures) < REPORTED_FAILURES:
        report.failures.append((url, reason))


def _by_host(
    workers: int,
    jobs: Iterable[J],
    address: Callable[[J], str],
    run: Callable[[J], R],
    cancelled: Callable[[], bool] = lambda: False,
) -> Iterator[tuple[J, R]]:
    """``run`` over ``jobs`` in threads, each host's jobs in order in a thread of its own (the host's requests
    are one at a time anyway, and its thread mostly waits out the host's pause), at most ``workers`` threads;
    results as they come."""
    by_host: dict[str, list[J]] = {}
    for job in jobs:
        by_host.setdefault(host_of(address(job)), []).append(job)
    if not by_host:
        return
    workers = min(workers, len(by_host))
    done: queue.Queue[tuple[J, R] | None] = queue.Queue()
    stop = threading.Event()

    def worker(host_jobs: list[J]) -> None:
        try:
            for job in host_jobs:
                if stop.is_set() or cancelled():
                    return
                done.put((job, run(job)))
        finally:
            done.put(None)

    pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="archive-fetch")
    for host_jobs in by_host.values():
        pool.submit(worker, host_jobs)
    remaining = len(by_host)
    try:
        while remaining:
            item = done.get()
            if item is None:
                remaining -= 1
            else:
                yield item
    finally:
        stop.set()
        pool.shutdown(wait=remaining == 0, cancel_futures=True)
