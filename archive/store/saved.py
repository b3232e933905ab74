"""Saved searches in the database: their queries and filters, and the articles each has shown."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, delete, insert, literal, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from archive import models
from archive.errors import NotFoundError, QueryError
from archive.store.chunks import chunks
from archive.store.sessions import Sessions
from archive.store.tables import Article, SavedSearch, SavedSearchSeen


class SavedSearches:
    """The saved searches of a database: ``Store.saved``, on the store's sessions."""

    def __init__(self, sessions: Sessions) -> None:
        self._session = sessions

    def add(self, saved: models.SavedSearch, matching: Sequence[int], now: datetime) -> None:
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
                    # (an export's saved search keeps its own times)
                    created_at=saved.created_at or now,
                    seen_at=saved.seen_at or now,
                )
                session.add(row)
                session.flush()
                _mark(session, row.id, matching)
        except IntegrityError as error:  # another process saved the same name meanwhile
            raise QueryError(f"There is a saved search named {saved.name!r} already; choose another name.") from error

    def all(self) -> list[models.SavedSearch]:
        with self._session() as session:
            return [_saved(row) for row in session.scalars(select(SavedSearch).order_by(SavedSearch.name))]

    def named(self, name: str) -> models.SavedSearch:
        with self._session() as session:
            return _saved(_row(session, name))

    def remove(self, name: str) -> None:
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
