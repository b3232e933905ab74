"""Looking at and looking after an archive: one article, counts, schema upgrades, index rebuilds."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from archive.analysis import ANALYZER_VERSION
from archive.config import Settings
from archive.index.sync import ensure_index, opened, rebuild_index, sync_index
from archive.store.tables import Article, IngestRun, Reject


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
    with opened(settings, create=False) as (store, _):
        return store.get(article_id)


def stats(settings: Settings) -> ArchiveStats:
    """Counts from the database and the index, reported as found (nothing is repaired here)."""
    with opened(settings, create=False) as (store, index):
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


def catch_up(settings: Settings) -> int:
    """Migrate the database, create a missing index and index what is queued, without waiting for an index
    another command is writing; returns how many articles were indexed."""
    with opened(settings, create=False) as (store, index):
        ensure_index(store, index)
        return sync_index(store, index, wait=False)


def upgrade_database(settings: Settings) -> str:
    """Create the database if needed and apply every migration; returns the schema revision."""
    with opened(settings, create=True) as (store, _):
        return store.upgrade()


def reindex(settings: Settings) -> int:
    """Rebuild the index from the database; returns the number of articles indexed."""
    with opened(settings, create=False) as (store, index):
        return rebuild_index(store, index)


def rejects(settings: Settings, run_id: int | None = None, limit: int = 100) -> list[Reject]:
    """Records that could not be stored: of one ingest run, else of the latest run that had any."""
    with opened(settings, create=False) as (store, _):
        return store.rejects(run_id, limit)


def history(settings: Settings, limit: int = 20) -> list[IngestRun]:
    """The latest ingest runs, newest first."""
    with opened(settings, create=False) as (store, _):
        return store.runs(limit)


@dataclass(frozen=True)
class CheckReport:
    articles: int
    indexed: int
    missing: list[int]
    extra: list[int]
    stale: list[int]
    pending: int
    problem: str | None  # the index cannot be used at all (unreadable, other analyzer version)
    repaired: bool = False

    @property
    def healthy(self) -> bool:
        return not (self.missing or self.extra or self.stale or self.pending or self.problem)


def check(settings: Settings, *, repair: bool = False) -> CheckReport:
    """Compare the database with the index: articles missing from the index, documents the database no
    longer has, documents whose text is out of date; with ``repair``, fix all of it."""
    from archive.errors import SearchIndexError

    with opened(settings, create=False) as (store, index):
        stored = store.content_hashes()
        problem: str | None = None
        indexed: dict[int, str] = {}
        try:
            indexed = index.stored_hashes()
        except SearchIndexError as error:
            problem = str(error)
        missing = sorted(stored.keys() - indexed.keys())
        extra = sorted(indexed.keys() - stored.keys())
        stale = sorted(i for i in stored.keys() & indexed.keys() if stored[i] != indexed[i])
        report = CheckReport(len(stored), len(indexed), missing, extra, stale, store.pending_count(), problem)
        if not repair or report.healthy:
            return report
        if problem is not None:
            rebuild_index(store, index)
        else:
            store.queue([*missing, *extra, *stale])
            sync_index(store, index)
        return CheckReport(**{**report.__dict__, "repaired": True})


def delete(settings: Settings, ids: Sequence[int] = (), sources: Sequence[str] = ()) -> int:
    """Delete articles by id and/or outlet from the database and the index; returns how many."""
    from archive.analysis.sources import source_key

    with opened(settings, create=False) as (store, index):
        wanted = set(ids) | set(store.ids_from_sources([source_key(s) for s in sources]))
        count = store.delete(sorted(wanted))
        if index.exists():
            sync_index(store, index)
        return count


def export(settings: Settings) -> Iterator[dict[str, str]]:
    """Every article as a JSON Lines record that `archive ingest` reads back into the same article."""
    with opened(settings, create=False) as (store, _):
        for article in store.iter_articles():
            record = {
                "title": article.title,
                "summary": article.summary,
                "body": article.body,
                "url": article.url,
                "source": article.source,
                "category": article.category,
                "date": article.published.isoformat() if article.published else None,
                "language": article.language,
                "author": article.author,
                "original": article.original,
            }
            yield {key: value for key, value in record.items() if value is not None}
