"""The reads a search makes from the database, each SQL statement written once, over either driver.

Importing SQLAlchemy (and building the ORM models) costs about a third of an ``archive search`` process,
so a SQLite archive whose schema is current is read through the standard library's ``sqlite3``
(:meth:`ReadOnlyStore.sqlite`); a server database is read through the store's SQLAlchemy engine
(:meth:`ReadOnlyStore.over`, the DB-API connection underneath, with the same statements). Nothing here
writes: the SQLite connection refuses changes.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from archive.analysis.sources import most_printed
from archive.config import READONLY_RETRY_SECONDS
from archive.errors import DatabaseError, DatabaseUnavailable
from archive.models import FeedHead, VectorModel
from archive.store.chunks import chunks
from archive.store.packing import unpack
from archive.store.schema import SCHEMA_HEAD

#: The statements, with ``?`` for each parameter and ``{marks}`` for a list of them.
REVISION = "SELECT version_num FROM alembic_version"
# (both answered from an index: the feed's primary key and the one row of feed_state)
FEED_HEAD = "SELECT (SELECT max(seq) FROM changes), (SELECT pruned_through FROM feed_state WHERE id = 1)"
TEXTS = "SELECT id, summary, body FROM articles WHERE id IN ({marks})"
ARTICLE_TEXT = "SELECT title, body FROM articles WHERE id = ?"
CLUSTER_SOURCES = (
    "SELECT cluster_id, source FROM articles WHERE cluster_id IN ({marks}) AND source IS NOT NULL ORDER BY id"
)
# Counting each printed name reads only the index on `source` (54 ms at 100,000 articles, where grouping the
# outlets' articles by key read all their rows: 1 s); the key is a function of the name.
SYNONYMS = "SELECT words FROM synonyms ORDER BY id"
SOURCE_COUNTS = "SELECT source, count(*) FROM articles WHERE source IS NOT NULL GROUP BY source"
OUTLET_MERGES = "SELECT misprint, target FROM outlet_merges WHERE undone_at IS NULL ORDER BY id"
# Search by meaning: the model of the archive's vectors; whether they (or the articles) changed since they were
# read (a vector written gets a new id; an update or delete is a change of the feed); the current vectors.
VECTOR_MODEL = "SELECT name, version, dimension, passage FROM embedding_model WHERE id = 1"
VECTORS_STAMP = (
    "SELECT (SELECT max(id) FROM article_vectors), (SELECT count(*) FROM article_vectors), "
    "(SELECT max(seq) FROM changes), (SELECT count(*) FROM articles)"
)
CURRENT_VECTORS = (
    "SELECT v.article_id, v.vector FROM article_vectors v JOIN articles a "
    "ON a.id = v.article_id AND a.content_hash = v.content_hash ORDER BY v.article_id"
)

#: Runs one statement (in the driver's parameter style) with its parameters; returns the rows.
Execute = Callable[[str, Sequence[Any]], Iterable[Sequence[Any]]]


def _connect_for_reading(path: Path) -> sqlite3.Connection:
    """A connection that only reads. Opened read-write (SQLite falls back to reading only where the file is
    write-protected) but refusing changes (``query_only``), it leaves the home as it found it: a read-only
    connection to a WAL database leaves ``-wal`` and ``-shm`` files behind, which only a connection that may
    write removes when it closes."""
    db = sqlite3.connect(f"file:{path}?mode=rw", uri=True, check_same_thread=False)
    db.execute("PRAGMA query_only=ON")
    return db


def _patient(db: sqlite3.Connection) -> Execute:
    """``db.execute``, tried again for a moment when SQLite answers "attempt to write a readonly database":
    a connection that refuses changes cannot rebuild the write-ahead log's index that a writer which just
    closed left to be rebuilt, and another process does it within milliseconds (seen in CI with two ingests
    and a search at once)."""

    def execute(statement: str, parameters: Sequence[Any]) -> Iterable[Sequence[Any]]:
        deadline = time.monotonic() + READONLY_RETRY_SECONDS
        while True:
            try:
                return db.execute(statement, parameters)
            except sqlite3.OperationalError as error:
                if "readonly" not in str(error) or time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    return execute


class ReadOnlyStore:
    """What a search reads from the database. Every statement sees the latest commit."""

    def __init__(self, execute: Execute, close: Callable[[], None], *, mark: str = "?") -> None:
        self._execute = execute
        self._close = close
        self._mark = mark

    @classmethod
    def sqlite(cls, path: Path) -> ReadOnlyStore | None:
        """Reads of the SQLite archive at ``path``, or None when it is not there to read: missing, not yet
        created, or at another schema revision (to be migrated first)."""
        if not path.is_file():
            return None
        db = _connect_for_reading(path)
        # as the store's engine: a writer holding the lock makes a reader wait, not fail
        db.execute("PRAGMA busy_timeout=30000")
        reads = cls(_patient(db), db.close)
        try:
            revision = reads.revision()
        except sqlite3.Error:  # no version table: not an archive yet
            revision = None
        if revision != SCHEMA_HEAD:
            reads.close()
            return None
        return reads

    @classmethod
    def over(cls, engine: Any) -> ReadOnlyStore:
        """Reads through a SQLAlchemy engine (a server database), one pooled connection per statement."""
        # Each read is one statement on a connection of its own: in autocommit it needs no ROLLBACK when the
        # connection goes back to the pool, one round trip less (a fifth of the check before every search).
        reading = engine.execution_options(isolation_level="AUTOCOMMIT")
        from sqlalchemy.exc import DBAPIError  # (a server's engine: SQLAlchemy is loaded already)

        from archive.store.sessions import unreachable

        location = engine.url.render_as_string(hide_password=True)

        def execute(statement: str, parameters: Sequence[Any]) -> list[Sequence[Any]]:
            try:
                with reading.connect() as connection:
                    return list(connection.exec_driver_sql(statement, tuple(parameters)))
            except DBAPIError as error:  # (the server restarting, say: a page tries again, then answers 503)
                kind = DatabaseUnavailable if unreachable(error) else DatabaseError
                raise kind(f"The database {location} failed: {error.orig}") from error

        style = engine.dialect.paramstyle
        if style not in ("qmark", "format", "pyformat"):
            raise ValueError(f"database drivers with the {style} parameter style are not supported")
        return cls(execute, lambda: None, mark="?" if style == "qmark" else "%s")

    def close(self) -> None:
        self._close()

    def _rows(self, statement: str, parameters: Sequence[Any] = (), count: int = 0) -> Iterable[Sequence[Any]]:
        if count:
            statement = statement.replace("{marks}", ",".join("?" * count))
        if self._mark != "?":
            statement = statement.replace("?", self._mark)
        return self._execute(statement, parameters)

    def revision(self) -> str | None:
        row = next(iter(self._rows(REVISION)), None)
        return None if row is None else str(row[0])

    def feed_head(self) -> FeedHead:
        """Where the change feed stands (asked before every search: is the index behind it?)."""
        row = next(iter(self._rows(FEED_HEAD)), None)
        last, pruned = (row[0], row[1]) if row is not None else (None, None)
        return FeedHead(int(last or 0), int(pruned or 0))

    def texts(self, ids: Sequence[int]) -> dict[int, tuple[str | None, str]]:
        """Summary and body of the articles with these ids that exist (what snippets are made from),
        without loading whole articles (their original text is often the largest column)."""
        found: dict[int, tuple[str | None, str]] = {}
        for chunk in chunks(list(ids)):
            rows = self._rows(TEXTS, chunk, len(chunk))
            found.update((i, (summary, unpack(body) or "")) for i, summary, body in rows)
        return found

    def article_text(self, article_id: int) -> tuple[str, str] | None:
        """Title and body of one article, or None when there is no such article."""
        row = next(iter(self._rows(ARTICLE_TEXT, (article_id,))), None)
        return None if row is None else (row[0], unpack(row[1]) or "")

    def cluster_sources(self, clusters: Sequence[str]) -> dict[str, list[str]]:
        """The outlets of every article in each near-duplicate cluster, oldest first."""
        wanted = sorted({int(c) for c in clusters if c})
        found: dict[str, list[str]] = {}
        for chunk in chunks(wanted):
            for cluster, source in self._rows(CLUSTER_SOURCES, chunk, len(chunk)):
                found.setdefault(str(cluster), []).append(source)
        return found

    def source_names(self) -> list[str]:
        """Every outlet name as articles print it."""
        return [str(name) for name, _ in self._rows(SOURCE_COUNTS)]

    def synonym_groups(self) -> list[tuple[str, ...]]:
        """Each synonym group's words and phrases (see :mod:`archive.store.synonyms`)."""
        return [tuple(w for w in str(words).split("\n") if w) for (words,) in self._rows(SYNONYMS)]

    def outlet_merges(self) -> list[tuple[str, str]]:
        """(misprint, outlet) of every outlet name merged into another as a misprint (:mod:`archive.store.merges`)."""
        return [(str(misprint), str(target)) for misprint, target in self._rows(OUTLET_MERGES)]

    def source_counts(self) -> list[tuple[str, int]]:
        """Every outlet name as articles print it, with how many print it."""
        return [(str(name), int(count)) for name, count in self._rows(SOURCE_COUNTS)]

    def vector_model(self) -> VectorModel | None:
        """The model the archive's vectors are of (None: nothing embedded yet)."""
        row = next(iter(self._rows(VECTOR_MODEL)), None)
        return None if row is None else VectorModel(str(row[0]), str(row[1]), int(row[2]), str(row[3]))

    def vectors_stamp(self) -> tuple[int, ...]:
        """What changes whenever the current vectors may have: four numbers read from indexes."""
        row = next(iter(self._rows(VECTORS_STAMP)), None)
        return tuple(int(value or 0) for value in row) if row is not None else ()

    def current_vectors(self) -> Iterable[tuple[int, bytes]]:
        """(article id, packed vector) of every article whose vector was made from its current text, by id."""
        return ((int(i), bytes(blob)) for i, blob in self._rows(CURRENT_VECTORS))

    def source_labels(self, keys: Sequence[str]) -> dict[str, str]:
        """For each source key, the outlet name as most articles print it."""
        return most_printed(((name, count) for name, count in self._rows(SOURCE_COUNTS)), keys)
