"""The few reads a search makes from a SQLite archive, through the standard library's ``sqlite3``.

Importing SQLAlchemy (and building the ORM models) costs about a third of an ``archive search``
process; a search of an archive whose schema is current and whose index has no queued work needs none
of it. Anything else (creating or migrating the database, indexing queued articles, server databases)
goes through :class:`archive.store.database.Store`, which answers the same calls.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Protocol

from archive.analysis.sources import most_printed
from archive.store.schema import SCHEMA_HEAD

# Rows per IN (...) clause: SQLite's default limit on host parameters is 32,766; stay far below it.
_IN_CHUNK = 900


class SearchReads(Protocol):
    """What a search reads from the database (:class:`SqliteReads` or a :class:`archive.store.database.Store`)."""

    def has_pending(self) -> bool: ...

    def texts(self, ids: Sequence[int]) -> dict[int, tuple[str | None, str]]: ...

    def cluster_sources(self, clusters: Sequence[str]) -> dict[str, list[str]]: ...

    def source_labels(self, keys: Sequence[str]) -> dict[str, str]: ...

    def close(self) -> None: ...


def _chunks(items: Sequence[int] | Sequence[str]) -> Iterator[Sequence[int] | Sequence[str]]:
    for start in range(0, len(items), _IN_CHUNK):
        yield items[start : start + _IN_CHUNK]


def _connect_for_reading(path: Path) -> sqlite3.Connection:
    """A connection that only reads. Opened read-write (SQLite falls back to reading only where the file is
    write-protected) but refusing changes (``query_only``), it leaves the home as it found it: a read-only
    connection to a WAL database leaves ``-wal`` and ``-shm`` files behind, which only a connection that may
    write removes when it closes."""
    db = sqlite3.connect(f"file:{path}?mode=rw", uri=True, check_same_thread=False)
    db.execute("PRAGMA query_only=ON")
    return db


class SqliteReads:
    """A read-only connection to an archive's SQLite file. Every statement sees the latest commit."""

    def __init__(self, path: Path) -> None:
        self._db = _connect_for_reading(path)
        # as the store's engine: a writer holding the lock makes a reader wait, not fail
        self._db.execute("PRAGMA busy_timeout=30000")

    @classmethod
    def open(cls, path: Path) -> SqliteReads | None:
        """Reads of the archive at ``path``, or None when it needs the full store: missing, not yet
        created, or at another schema revision (to be migrated)."""
        if not path.is_file():
            return None
        reads = cls(path)
        try:
            row = reads._db.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.Error:  # no version table: not an archive yet
            row = None
        if row is None or row[0] != SCHEMA_HEAD:
            reads.close()
            return None
        return reads

    def close(self) -> None:
        self._db.close()

    def has_pending(self) -> bool:
        return self._db.execute("SELECT 1 FROM pending_index LIMIT 1").fetchone() is not None

    def texts(self, ids: Sequence[int]) -> dict[int, tuple[str | None, str]]:
        found: dict[int, tuple[str | None, str]] = {}
        for chunk in _chunks(list(ids)):
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(f"SELECT id, summary, body FROM articles WHERE id IN ({marks})", list(chunk))
            found.update((i, (summary, body)) for i, summary, body in rows)
        return found

    def cluster_sources(self, clusters: Sequence[str]) -> dict[str, list[str]]:
        wanted = sorted({int(c) for c in clusters if c})
        found: dict[str, list[str]] = {}
        for chunk in _chunks(wanted):
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT cluster_id, source FROM articles WHERE cluster_id IN ({marks}) AND source IS NOT NULL "
                "ORDER BY id",
                list(chunk),
            )
            for cluster, source in rows:
                found.setdefault(str(cluster), []).append(source)
        return found

    def source_labels(self, keys: Sequence[str]) -> dict[str, str]:
        # Counting each printed name reads only the index on `source` (54 ms at 100,000 articles, where
        # grouping the outlets' articles by key read all their rows: 1 s); the key is a function of the name.
        rows = self._db.execute("SELECT source, count(*) FROM articles WHERE source IS NOT NULL GROUP BY source")
        return most_printed(rows, keys)
