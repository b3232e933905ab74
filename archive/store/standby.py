"""A database that is a read-only standby (PostgreSQL's hot standby, fed by streaming replication), and the
primary a node on it records itself in.

Search nodes are usually pointed at a standby, so that reading never loads the primary. A node writes
nothing of the archive's, but it keeps two rows of its own: its registration and its feed position
(``index_nodes``), which serve ``archive nodes``, ``check`` and pruning. On a standby those go to the
primary named by ``--primary`` / ``ARCHIVE_PRIMARY_URL``; with none named they are written nowhere (the
position that matters, the index's, is in the home: :mod:`archive.index.feed`), and the node is then
unknown to ``archive nodes`` and to pruning, so that it rebuilds its index should it fall behind what the
feed keeps. Nothing is ever written to the standby: a transaction there would fail anyway.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine
from sqlalchemy.exc import SQLAlchemyError

from archive.errors import DatabaseError


def server_engine(url: str) -> Engine:
    """An engine for ``url``; a server's pooled connections are checked before use (``pool_pre_ping``), so
    that after the server restarted (an upgrade, a failover) a pooled connection it closed is replaced
    instead of failing the next statement."""
    options: dict[str, Any] = {} if url.startswith("sqlite") else {"pool_pre_ping": True}
    return create_engine(url, **options)


def is_read_only(engine: Engine) -> bool:
    """Whether the database refuses writes: a hot standby (or a server set read-only). SQLite: never here."""
    if engine.dialect.name != "postgresql":
        return False
    with engine.connect() as connection:
        return connection.exec_driver_sql("SHOW transaction_read_only").scalar() == "on"


def primary_engine(url: str) -> Engine:
    """The primary's engine, for this node's rows only; an unusable URL is an error that names the option."""
    try:
        return server_engine(url)
    except ImportError as error:
        raise DatabaseError(f"Cannot use the primary database {url!r}: {error}") from error
    except (SQLAlchemyError, ValueError) as error:
        raise DatabaseError(
            f"Cannot use the primary database URL {url!r} (--primary / ARCHIVE_PRIMARY_URL): {error}"
        ) from error
