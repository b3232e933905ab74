"""Looking at and looking after an archive: one article, counts, schema upgrades, index rebuilds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from archive.analysis import ANALYZER_VERSION
from archive.config import Settings
from archive.index import SearchIndex
from archive.models import Article, IngestRun, Reject
from archive.store import Store
from archive.sync import rebuild_index


@dataclass(frozen=True)
class ArchiveStats:
    home: str
    database: str
    articles: int
    indexed: int
    sources: int
    first_date: date | None
    last_date: date | None
    index_bytes: int
    pending: int
    analyzer_version: str | None

    @property
    def in_step(self) -> bool:
        return self.pending == 0 and self.indexed == self.articles and self.analyzer_version == ANALYZER_VERSION


def show(settings: Settings, article_id: int) -> Article:
    store = Store.open(settings, create=False)
    try:
        return store.get(article_id)
    finally:
        store.close()


def stats(settings: Settings) -> ArchiveStats:
    """Counts from the database and the index, reported as found (nothing is repaired here)."""
    store = Store.open(settings, create=False)
    index = SearchIndex(settings.index_dir)
    try:
        counts = store.stats()
        info = index.info()
        return ArchiveStats(
            home=str(settings.home),
            database=store.location,
            articles=counts.articles,
            indexed=info.documents,
            sources=counts.sources,
            first_date=counts.first_date,
            last_date=counts.last_date,
            index_bytes=info.size_bytes,
            pending=counts.pending_index,
            analyzer_version=info.analyzer_version,
        )
    finally:
        index.close()
        store.close()


def upgrade_database(settings: Settings) -> str:
    """Create the database if needed and apply every migration; returns the schema revision."""
    store = Store.open(settings, create=True)
    try:
        return store.upgrade()
    finally:
        store.close()


def reindex(settings: Settings) -> int:
    """Rebuild the index from the database; returns the number of articles indexed."""
    store = Store.open(settings, create=False)
    index = SearchIndex(settings.index_dir)
    try:
        return rebuild_index(store, index)
    finally:
        index.close()
        store.close()


def rejects(settings: Settings, run_id: int | None = None, limit: int = 100) -> list[Reject]:
    """Records that could not be stored: of one ingest run, else of the latest run that had any."""
    store = Store.open(settings, create=False)
    try:
        return store.rejects(run_id, limit)
    finally:
        store.close()


def history(settings: Settings, limit: int = 20) -> list[IngestRun]:
    """The latest ingest runs, newest first."""
    store = Store.open(settings, create=False)
    try:
        return store.runs(limit)
    finally:
        store.close()
