"""Saved searches in the database: their queries and filters, and the articles each has shown."""

from __future__ import annotations

import json
from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, delete, func, insert, literal, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from archive import models
from archive.errors import NotFoundError, QueryError
from archive.store.chunks import chunks
from archive.store.tables import Article, IngestRun, SavedSearch, SavedSearchSeen


class SavedSearches:
    """The saved-search half of :class:`archive.store.database.Store` (which provides ``_session``)."""

    def _session(self, *, write: bool = False) -> AbstractContextManager[Session]:
        raise NotImplementedError

    def add_saved(self, saved: models.SavedSearch, matching: Sequence[int], now: datetime) -> None:
        """Save a search; the articles it matches now are its baseline (not new to it)."""
        try:
            with self._session(write=True) as session:
                if session.scalar(select(SavedSearch.id).where(SavedSearch.name == saved.name)) is not None:
                    raise QueryError(
                        f"There is a saved search named {saved.name!r} already; choose another name, or remove "
                        "that one first (`archive watch remove NAME`)."
                    )
                row = SavedSearch(
                    name=saved.name,
                    query=saved.query,
                    filters=json.dumps(saved.filters(), ensure_ascii=False),
                    created_at=now,
                    seen_at=now,
                )
                session.add(row)
                session.flush()
                _mark(session, row.id, matching)
        except IntegrityError as error:  # another process saved the same name meanwhile
            raise QueryError(f"There is a saved search named {saved.name!r} already; choose another name.") from error

    def saved_searches(self) -> list[models.SavedSearch]:
        with self._session() as session:
            return [_saved(row) for row in session.scalars(select(SavedSearch).order_by(SavedSearch.name))]

    def saved_search(self, name: str) -> models.SavedSearch:
        with self._session() as session:
            return _saved(_row(session, name))

    def remove_saved(self, name: str) -> None:
        with self._session(write=True) as session:
            row = _row(session, name)
            session.execute(delete(SavedSearchSeen).where(SavedSearchSeen.search_id == row.id))
            session.delete(row)

    def seen_among(self, name: str, ids: Sequence[int]) -> set[int]:
        """Which of these articles the saved search has shown already (or had matched when saved)."""
        with self._session() as session:
            search_id = _row(session, name).id
            seen: set[int] = set()
            for chunk in chunks(sorted(set(ids))):
                query = select(SavedSearchSeen.article_id).where(
                    SavedSearchSeen.search_id == search_id, SavedSearchSeen.article_id.in_(chunk)
                )
                seen.update(session.scalars(query))
            return seen

    def seen_ids(self, name: str) -> list[int]:
        """Every article the saved search has shown (or had matched when saved), in id order: one range of
        the table's primary key."""
        with self._session() as session:
            search_id = _row(session, name).id
            query = select(SavedSearchSeen.article_id).where(SavedSearchSeen.search_id == search_id)
            return list(session.scalars(query.order_by(SavedSearchSeen.article_id)))

    def mark_seen(self, name: str, ids: Sequence[int], now: datetime) -> None:
        """Note that the saved search has shown these articles, and when it was looked at."""
        with self._session(write=True) as session:
            row = _row(session, name)
            row.seen_at = now
            _mark(session, row.id, ids)

    def first_unannounced_run(self, run_id: int) -> int:
        """The first run whose news the end of run ``run_id`` reports: the one after the last run before it
        that finished (an interrupted, failed or killed run announced nothing)."""
        with self._session() as session:
            query = select(func.max(IngestRun.id)).where(IngestRun.id < run_id, IngestRun.status == "finished")
            last = session.scalar(query)
            return (last or 0) + 1

    def ingested_times(self, ids: Sequence[int]) -> dict[int, datetime]:
        """When each of these articles was first stored (it never changes: with the id, an article's
        identity, as an id alone can be given again to a later article once the last one is deleted)."""
        found: dict[int, datetime] = {}
        with self._session() as session:
            for chunk in chunks(sorted(set(ids))):
                rows = session.execute(select(Article.id, Article.ingested_at).where(Article.id.in_(chunk)))
                found.update((article_id, stored) for article_id, stored in rows)
        return found

    def changed_in_runs(self, first_run: int, last_run: int | None = None) -> list[int]:
        """The articles that ingest run ``first_run`` or a later one (up to ``last_run``) last added or changed."""
        query = select(Article.id).where(Article.changed_in_run >= first_run)
        if last_run is not None:
            query = query.where(Article.changed_in_run <= last_run)
        with self._session() as session:
            return list(session.scalars(query))


def _mark(session: Session, search_id: int, ids: Sequence[int]) -> None:
    """Add these articles to what the search has shown: those that exist (one deleted meanwhile would
    break the foreign key) and are not there yet, in one INSERT ... SELECT per chunk (a baseline of 60,000
    articles as ORM objects took over a second)."""
    for chunk in chunks(sorted(set(ids))):
        shown = select(SavedSearchSeen.article_id).where(SavedSearchSeen.search_id == search_id)
        rows = select(literal(search_id, Integer), Article.id).where(Article.id.in_(chunk), Article.id.not_in(shown))
        session.execute(insert(SavedSearchSeen).from_select(["search_id", "article_id"], rows))


def _row(session: Session, name: str) -> SavedSearch:
    row = session.scalar(select(SavedSearch).where(SavedSearch.name == name))
    if row is None:
        raise NotFoundError(f"No saved search named {name!r}. `archive watch list` shows them.")
    return row


def _saved(row: SavedSearch) -> models.SavedSearch:
    filters: dict[str, Any] = json.loads(row.filters)
    return models.SavedSearch(
        name=row.name,
        query=row.query,
        sources=tuple(filters.get("sources", ())),
        categories=tuple(filters.get("categories", ())),
        since=filters.get("since"),
        until=filters.get("until"),
        languages=tuple(filters.get("languages", ())),
        created_at=row.created_at,
        seen_at=row.seen_at,
    )
