"""Synonym groups in the database, so that every machine sharing it searches with the same list."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import delete, select

from archive import models
from archive.analysis.words import normalize_word
from archive.errors import NotFoundError, QueryError
from archive.store.sessions import Sessions
from archive.store.tables import Synonym


def _same(word: str) -> str:
    """What two spellings of a group's member must share to be one member (case, spaces, Unicode form)."""
    return " ".join(normalize_word(part) for part in word.split())


class SynonymGroups:
    """The synonym groups of a database: ``Store.synonyms``, on the store's sessions."""

    def __init__(self, sessions: Sessions) -> None:
        self._session = sessions

    def groups(self) -> list[models.SynonymGroup]:
        with self._session() as session:
            return [_group(row) for row in session.scalars(select(Synonym).order_by(Synonym.id))]

    def add(self, words: Sequence[str], now: datetime | None = None) -> models.SynonymGroup:
        """Make ``words`` one group; a group that already has one of them takes the others (groups that
        share a word become one)."""
        wanted = list(dict.fromkeys(" ".join(w.split()) for w in words if w.strip()))
        if len(wanted) < 2:
            raise QueryError("A synonym group needs at least two words or phrases; give them all at once.")
        keys = {_same(w) for w in wanted}
        with self._session(write=True) as session:
            rows = list(session.scalars(select(Synonym).order_by(Synonym.id)))
            joined = [row for row in rows if keys & {_same(w) for w in _words(row)}]
            merged = list(dict.fromkeys([w for row in joined for w in _words(row)] + wanted))
            members: dict[str, str] = {}
            for word in merged:
                members.setdefault(_same(word), word)
            text = "\n".join(members.values())
            if joined:
                keep, *rest = joined
                keep.words = text
                for row in rest:
                    session.delete(row)
            else:
                keep = Synonym(words=text, created_at=(now or datetime.now(UTC)).replace(tzinfo=None))
                session.add(keep)
            session.flush()
            return _group(keep)

    def remove(self, words: Sequence[str]) -> list[str]:
        """Take ``words`` out of their groups (a group left with one word goes); returns the words removed."""
        keys = {_same(w) for w in words}
        removed: list[str] = []
        with self._session(write=True) as session:
            for row in session.scalars(select(Synonym).order_by(Synonym.id)):
                kept = [w for w in _words(row) if _same(w) not in keys]
                removed += [w for w in _words(row) if _same(w) in keys]
                if len(kept) < 2:
                    session.execute(delete(Synonym).where(Synonym.id == row.id))
                elif len(kept) < len(_words(row)):
                    row.words = "\n".join(kept)
        if not removed:
            raise NotFoundError(
                f"No synonym group has {', '.join(repr(w) for w in words)}; `archive synonyms list` shows them."
            )
        return removed


def _words(row: Synonym) -> list[str]:
    return [w for w in row.words.split("\n") if w]


def _group(row: Synonym) -> models.SynonymGroup:
    return models.SynonymGroup(row.id, tuple(_words(row)))
