"""Alembic environment. The archive runs migrations in-process (``archive.store``) and passes its
connection in ``config.attributes["connection"]``; the ``alembic`` command line works too, with the
URL from ``alembic.ini`` or ``ARCHIVE_DB_URL``."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import Connection, create_engine

from archive.store.tables import Base

config = context.config
target_metadata = Base.metadata


def run_with(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things; batch mode rebuilds tables instead.
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run_with(connection)
        return
    url = os.environ.get("ARCHIVE_DB_URL") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit("Set ARCHIVE_DB_URL or sqlalchemy.url in alembic.ini")
    engine = create_engine(url)
    with engine.connect() as conn:
        run_with(conn)


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_online()
