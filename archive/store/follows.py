"""Followed sources in the database (``archive follow``): the sources, each fetch of them, and every address
they listed with what became of it. Kept in the database so that every node of one archive shares them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from archive import models
from archive.errors import NotFoundError, QueryError
from archive.store.chunks import chunks
from archive.store.sessions import Sessions
from archive.store.tables import Article, CollectedUrl, FollowedSource, IngestedFile, SourceFetch

#: What a page listed by a source may be: waiting to be fetched, stored, failed (tried again), stored from the
#: source's own text while the page could not be had (its page tried again), given up (tried too often).
WAITING, STORED, FAILED, FALLBACK, GIVEN_UP = "waiting", "stored", "failed", "from feed", "given up"
_OPEN = (WAITING, FAILED, FALLBACK)


@dataclass(frozen=True)
class Listed:
    """An address a source lists, with the stamp it gives it and its own fields (JSON) to fall back on."""

    url: str
    stamp: str | None = None
    entry: str | None = None


@dataclass(frozen=True)
class ReadListing:
    """A listing a source names (a sitemap of a sitemap index), as last read: its lastmod and validators."""

    url: str
    stamp: str | None
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class Work:
    """A listed page to fetch."""

    id: int
    source_id: int
    url: str
    entry: str | None
    etag: str | None
    last_modified: str | None
    attempts: int
    status: str


@dataclass(frozen=True)
class FetchOutcome:
    """What one fetch of a source's listing found, to be recorded with it."""

    status: str
    started_at: datetime
    finished_at: datetime
    http_status: int | None = None
    listed: int = 0
    new_articles: int = 0
    failed: int = 0
    reason: str | None = None
    run_id: int | None = None
    kind: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    #: The address it has moved to for good (a permanent redirect): followed there from now on.
    moved_to: str | None = None


@dataclass(frozen=True)
class PageDone:
    """What became of a listed page: stored, stored from the feed's text, or failed (and why)."""

    id: int
    status: str
    reason: str | None = None
    etag: str | None = None
    last_modified: str | None = None


class FollowedSources:
    """``Store.follows``, on the store's sessions."""

    def __init__(self, sessions: Sessions) -> None:
        self._session = sessions

    # --- the sources ----------------------------------------------------------------------------

    def add(self, name: str, url: str, every: timedelta, now: datetime) -> models.FollowedSource:
        try:
            with self._session(write=True) as session:
                for column, value, what in ((FollowedSource.name, name, "named"), (FollowedSource.url, url, "at")):
                    other = session.scalar(select(FollowedSource.name).where(column == value))
                    if other is not None:
                        raise QueryError(
                            f"The archive follows a source {what} {value!r} already ({other}); `archive follow list` "
                            "shows them."
                        )
                row = FollowedSource(
                    name=name, url=url, every_seconds=int(every.total_seconds()), added_at=now, next_due=now, last_new=0
                )
                session.add(row)
                session.flush()
                return _source(row)
        except IntegrityError as error:  # (another process added it meanwhile)
            raise QueryError(f"The archive follows {name!r} or {url!r} already.") from error

    def remove(self, name: str) -> None:
        with self._session(write=True) as session:
            row = _row(session, name)
            session.execute(delete(CollectedUrl).where(CollectedUrl.source_id == row.id))
            session.execute(delete(SourceFetch).where(SourceFetch.source_id == row.id))
            session.delete(row)

    def all(self) -> list[models.FollowedSource]:
        with self._session() as session:
            counts = _counts(session)
            rows = session.scalars(select(FollowedSource).order_by(FollowedSource.name))
            return [_source(row, *counts.get(row.id, (0, 0))) for row in rows]

    def named(self, names: Sequence[str]) -> list[models.FollowedSource]:
        """The sources with these names, in that order; an unknown name is an error naming it."""
        by_name = {source.name: source for source in self.all()}
        missing = [name for name in names if name not in by_name]
        if missing:
            raise NotFoundError(
                f"The archive follows no source named {', '.join(map(repr, missing))}; "
                "`archive follow list` shows them."
            )
        return [by_name[name] for name in dict.fromkeys(names)]

    def due(self, now: datetime) -> list[models.FollowedSource]:
        return [source for source in self.all() if source.next_due <= now]

    # --- a fetch --------------------------------------------------------------------------------

    def note_listed(self, source_id: int, listed: Sequence[Listed], now: datetime, kind: str = "page") -> int:
        """Record what a listing named: a new address waits to be fetched, and so does a stored one whose stamp
        changed (the source says it changed); returns how many now wait."""
        waiting = 0
        with self._session(write=True) as session:
            known = {
                row.url: row
                for row in session.scalars(
                    select(CollectedUrl).where(CollectedUrl.source_id == source_id, CollectedUrl.kind == kind)
                )
            }
            unique = {item.url: item for item in listed}
            new = sorted(url for url in unique if url not in known)
            # an address stored already (another source listed it, or an ingest stored an article under it) is
            # not fetched again for this source
            have: set[str] = (
                {
                    url
                    for chunk in chunks(new)
                    for url in session.scalars(
                        select(CollectedUrl.url).where(CollectedUrl.url.in_(chunk), CollectedUrl.status == STORED)
                    )
                }
                | {
                    url
                    for chunk in chunks(new)
                    for url in session.scalars(select(Article.url).where(Article.url.in_(chunk)))
                    if url is not None
                }
                if kind == "page"
                else set()
            )
            for item in unique.values():
                row = known.get(item.url)
                if row is None:
                    session.add(
                        CollectedUrl(
                            source_id=source_id,
                            url=item.url,
                            kind=kind,
                            status=STORED if item.url in have else WAITING,
                            stamp=item.stamp,
                            entry=item.entry,
                            attempts=0,
                            first_seen=now,
                        )
                    )
                    waiting += item.url not in have
                    continue
                changed = item.stamp is not None and item.stamp != row.stamp
                if item.entry is not None:
                    row.entry = item.entry
                if changed:
                    row.stamp = item.stamp
                    if row.status in (STORED, GIVEN_UP):
                        row.status, row.attempts = WAITING, 0
                waiting += row.status in _OPEN
        return waiting

    def work(self, source_ids: Sequence[int], max_attempts: int) -> list[Work]:
        """The pages of these sources still to fetch (waiting, or failed fewer than ``max_attempts`` times),
        oldest first."""
        with self._session() as session:
            query = (
                select(CollectedUrl)
                .where(
                    CollectedUrl.source_id.in_(list(source_ids)),
                    CollectedUrl.kind == "page",
                    CollectedUrl.status.in_(_OPEN),
                    CollectedUrl.attempts < max_attempts,
                )
                .order_by(CollectedUrl.id)
            )
            return [
                Work(r.id, r.source_id, r.url, r.entry, r.etag, r.last_modified, r.attempts, r.status)
                for r in session.scalars(query)
            ]

    def pages_done(self, done: Sequence[PageDone], now: datetime, max_attempts: int) -> None:
        """Record what became of pages, in one transaction: a failure counts as an attempt, and ``max_attempts`` of
        them give the page up; one stored keeps its validators for a conditional request."""
        with self._session(write=True) as session:
            for item in done:
                row = session.get(CollectedUrl, item.id)
                if row is None:  # (its source was removed meanwhile)
                    continue
                row.fetched_at, row.reason = now, item.reason
                if item.etag is not None or item.last_modified is not None:
                    row.etag, row.last_modified = item.etag, item.last_modified
                if item.status == STORED:
                    # (the feed's own text is kept only while it may be needed: a listing that names the page
                    # again brings it back)
                    row.status, row.attempts, row.entry = STORED, 0, None
                    continue
                row.attempts += 1
                given_up = item.status == FAILED and row.attempts >= max_attempts
                row.status = GIVEN_UP if given_up else item.status

    def mark_read(self, urls: Sequence[str], run_id: int) -> None:
        """Pages read whole by this run: a reject of an earlier run for one of them is resolved."""
        if not urls:
            return
        with self._session(write=True) as session:
            for url in dict.fromkeys(urls):
                session.merge(IngestedFile(path=url, size=-1, mtime_ns=-1, run_id=run_id))

    def listings(self, source_id: int) -> dict[str, ReadListing]:
        """The sitemaps the source's index named, as last read."""
        with self._session() as session:
            query = select(CollectedUrl).where(CollectedUrl.source_id == source_id, CollectedUrl.kind == "sitemap")
            return {r.url: ReadListing(r.url, r.stamp, r.etag, r.last_modified) for r in session.scalars(query)}

    def mark_listings(self, source_id: int, read: Sequence[ReadListing], now: datetime) -> None:
        """Sitemaps read (their entries recorded): their lastmod and validators, so that each is read again only
        when it changes."""
        if not read:
            return
        with self._session(write=True) as session:
            rows = {
                row.url: row
                for row in session.scalars(
                    select(CollectedUrl).where(CollectedUrl.source_id == source_id, CollectedUrl.kind == "sitemap")
                )
            }
            for item in read:
                row = rows.get(item.url)
                if row is None:
                    row = CollectedUrl(source_id=source_id, url=item.url, kind="sitemap", attempts=0, first_seen=now)
                    session.add(row)
                row.status, row.stamp, row.fetched_at = STORED, item.stamp, now
                row.etag, row.last_modified = item.etag, item.last_modified

    def finish_fetch(self, source_id: int, outcome: FetchOutcome, next_due: datetime) -> None:
        """Record a fetch of the source's listing, and when it is due again."""
        with self._session(write=True) as session:
            row = session.get_one(FollowedSource, source_id)
            session.add(
                SourceFetch(
                    source_id=source_id,
                    run_id=outcome.run_id,
                    started_at=outcome.started_at,
                    finished_at=outcome.finished_at,
                    status=outcome.status,
                    http_status=outcome.http_status,
                    listed=outcome.listed,
                    new_articles=outcome.new_articles,
                    failed=outcome.failed,
                    reason=outcome.reason,
                )
            )
            row.last_fetch_at = outcome.finished_at
            row.last_status = outcome.status
            row.last_error = outcome.reason if outcome.status == "failed" else None
            row.last_new = outcome.new_articles
            row.next_due = next_due
            if outcome.status == "failed":
                row.failing_since = row.failing_since or outcome.started_at
            else:
                row.failing_since = None
                row.kind = outcome.kind or row.kind
            if outcome.etag is not None or outcome.last_modified is not None or outcome.status == "ok":
                row.etag, row.last_modified = outcome.etag, outcome.last_modified
            if outcome.moved_to and outcome.moved_to != row.url:
                taken = session.scalar(select(FollowedSource.id).where(FollowedSource.url == outcome.moved_to))
                if taken is None:
                    row.url = outcome.moved_to

    def validators(self, source_id: int) -> tuple[str | None, str | None]:
        with self._session() as session:
            row = session.get_one(FollowedSource, source_id)
            return row.etag, row.last_modified

    def fetches(self, source_id: int, limit: int = 10) -> list[models.SourceFetch]:
        with self._session() as session:
            query = (
                select(SourceFetch)
                .where(SourceFetch.source_id == source_id)
                .order_by(SourceFetch.id.desc())
                .limit(limit)
            )
            return [
                models.SourceFetch(
                    r.started_at,
                    r.finished_at,
                    r.status,
                    r.http_status,
                    r.listed,
                    r.new_articles,
                    r.failed,
                    r.reason,
                    r.run_id,
                )
                for r in session.scalars(query)
            ]

    def failures(self, source_id: int, limit: int = 20) -> list[models.CollectFailure]:
        """The source's pages that failed (or are stored from the feed's text while their page fails), latest first."""
        with self._session() as session:
            query = (
                select(CollectedUrl)
                .where(
                    CollectedUrl.source_id == source_id,
                    CollectedUrl.status.in_((FAILED, FALLBACK, GIVEN_UP)),
                )
                .order_by(CollectedUrl.fetched_at.desc(), CollectedUrl.id.desc())
                .limit(limit)
            )
            return [
                models.CollectFailure(r.url, r.attempts, r.reason or "", r.fetched_at, r.status)
                for r in session.scalars(query)
            ]


def _counts(session: Session) -> dict[int, tuple[int, int]]:
    """Per source: pages still to fetch, pages stored."""
    query = select(
        CollectedUrl.source_id,
        func.sum(case((CollectedUrl.status.in_(_OPEN), 1), else_=0)),
        func.sum(case((CollectedUrl.status.in_((STORED, FALLBACK)), 1), else_=0)),
    ).where(CollectedUrl.kind == "page")
    return {i: (int(w or 0), int(s or 0)) for i, w, s in session.execute(query.group_by(CollectedUrl.source_id))}


def _row(session: Session, name: str) -> FollowedSource:
    row = session.scalar(select(FollowedSource).where(FollowedSource.name == name))
    if row is None:
        raise NotFoundError(f"The archive follows no source named {name!r}; `archive follow list` shows them.")
    return row


def _source(row: FollowedSource, waiting: int = 0, stored: int = 0) -> models.FollowedSource:
    return models.FollowedSource(
        id=row.id,
        name=row.name,
        url=row.url,
        kind=row.kind,
        every_seconds=row.every_seconds,
        added_at=row.added_at,
        next_due=row.next_due,
        last_fetch_at=row.last_fetch_at,
        last_status=row.last_status,
        last_error=row.last_error,
        last_new=row.last_new or 0,
        failing_since=row.failing_since,
        waiting=waiting,
        stored=stored,
    )
