"""An archive's home opened: its database and its index, closed again whatever happens."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from archive.config import Settings
from archive.index.search_index import SearchIndex
from archive.store.database import Store


@contextmanager
def opened(settings: Settings, *, create: bool = False) -> Iterator[tuple[Store, SearchIndex]]:
    """The archive's database (created when ``create``, migrated to the current schema) and its index."""
    store = Store.open(settings, create=create)
    index = SearchIndex(settings.index_dir, settings.index)
    try:
        yield store, index
    finally:
        index.close()
        store.close()
