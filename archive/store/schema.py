"""The database schema's version: the newest migration, and Alembic's configuration for applying them.

Kept free of SQLAlchemy and Alembic at import time: a search checks the revision through ``sqlite3``
(:mod:`archive.store.readonly`), and only a database that needs migrating loads Alembic.
"""

from __future__ import annotations

from importlib.resources import files
from typing import Any

#: The newest migration; a database at it needs no Alembic at all when opened (which saves a fifth of a
#: second on every command). tests/test_migrations.py checks it against migrations/.
SCHEMA_HEAD = "0013"


def alembic_config(connection: Any = None) -> Any:
    """Alembic's configuration for the migrations shipped in the package (``archive.migrations``); with
    ``connection``, they run on it (inside the caller's transaction)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(files("archive.migrations")))
    if connection is not None:
        config.attributes["connection"] = connection
    return config
