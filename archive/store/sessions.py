"""The one session factory of a database: each call a transaction, shared by the :class:`~archive.store.database.Store`
and its parts (the change feed, saved searches, synonyms), so that they all write the same way and report a
busy or failed database the same way."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from archive.errors import DatabaseError, DatabaseUnavailable, disk_full, is_disk_full


class Sessions:
    """``with sessions() as session:`` a read; ``with sessions(write=True) as session:`` a write, which on SQLite
    takes the write lock up front (``BEGIN IMMEDIATE``: see :mod:`archive.store.database`)."""

    def __init__(self, engine: Engine, location: str) -> None:
        self.engine = engine
        self.writer = engine.execution_options(immediate=True)
        self.location = location

    @contextmanager
    def __call__(self, *, write: bool = False) -> Iterator[Session]:
        bind = self.writer if write else self.engine
        try:
            with Session(bind, expire_on_commit=False) as session, session.begin():
                yield session
        except OperationalError as error:
            if "locked" in str(error.orig) or "busy" in str(error.orig):
                raise DatabaseError(
                    f"The database {self.location} stayed busy for 30 s (another archive command is writing "
                    "to it); try again when that has finished."
                ) from error
            if is_disk_full(error):
                raise disk_full(self.location.removeprefix("sqlite:///"), "writing the database") from error
            if unreachable(error):
                raise DatabaseUnavailable(
                    f"The database {self.location} cannot be reached ({_first_line(error.orig)}): it may be "
                    "restarting; try again in a moment."
                ) from error
            raise DatabaseError(f"The database {self.location} failed: {error.orig}") from error
        except DBAPIError as error:
            if getattr(error.orig, "sqlstate", None) == READ_ONLY_TRANSACTION:
                raise DatabaseError(
                    f"The database {self.location} is read-only (a standby): write to the primary (--db), and "
                    "name it with --primary on a node that searches the standby."
                ) from error
            raise


#: PostgreSQL's SQLSTATE for a write in a read-only transaction (every transaction of a hot standby).
READ_ONLY_TRANSACTION = "25006"


#: SQLSTATEs of a server that went away or is starting or stopping (besides class 08, the connection's).
_SERVER_GONE = {"57P01", "57P02", "57P03"}


def unreachable(error: DBAPIError) -> bool:
    """Whether a server database failed because it cannot be reached (a restart, a failover): its driver's
    error has no SQL state (the connection was refused or dropped) or a connection's or shutdown's one.
    SQLite's errors have no ``sqlstate`` at all, and are never this."""
    if error.connection_invalidated:
        return True
    if not hasattr(error.orig, "sqlstate"):
        return False
    state: str | None = getattr(error.orig, "sqlstate", None)
    return state is None or state.startswith("08") or state in _SERVER_GONE


def _first_line(error: object) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
