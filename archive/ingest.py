"""Ingest: read files, store their articles, bring the index in step."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from archive.config import Settings
from archive.index import SearchIndex
from archive.readers import ArticleRecord, RejectedRecord, read_paths, seed_paths
from archive.store import Store
from archive.sync import ensure_index, sync_index

BATCH_SIZE = 500
# Index commits are costly (each one writes a segment): commit after this many stored changes.
INDEX_EVERY = 20_000
MAX_BODY_CHARS = 2_000_000


@dataclass
class IngestReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    rejected: list[RejectedRecord] = field(default_factory=list)
    indexed: int = 0

    @property
    def summary(self) -> str:
        return (
            f"added {self.added}, updated {self.updated}, unchanged {self.unchanged}, "
            f"duplicates {self.duplicates}, rejected {len(self.rejected)}"
        )


def _check(record: ArticleRecord) -> RejectedRecord | None:
    if len(record.body) > MAX_BODY_CHARS:
        return RejectedRecord(
            record.origin_file,
            record.origin_record,
            f"the body has {len(record.body):,} characters, more than the {MAX_BODY_CHARS:,} an article may "
            "have; split it into articles",
        )
    return None


def ingest(
    settings: Settings,
    paths: Sequence[Path] = (),
    *,
    on_reject: Callable[[RejectedRecord], None] | None = None,
) -> IngestReport:
    """Store every article found under ``paths`` (the bundled seeds when empty) and index it."""
    store = Store.open(settings, create=True)
    index = SearchIndex(settings.index_dir)
    try:
        ensure_index(store, index)
        report = IngestReport()
        report.indexed += sync_index(store, index)  # work left by an interrupted run
        since_sync = 0
        for batch in _batches(read_paths(paths or seed_paths()), report, on_reject):
            result = store.upsert(batch, datetime.now(UTC).replace(tzinfo=None))
            report.added += result.added
            report.updated += result.updated
            report.unchanged += result.unchanged
            report.duplicates += result.duplicates
            since_sync += len(result.changed_ids)
            if since_sync >= INDEX_EVERY:
                report.indexed += sync_index(store, index)
                since_sync = 0
        report.indexed += sync_index(store, index)
        return report
    finally:
        index.close()
        store.close()


def _batches(
    records: Iterable[ArticleRecord | RejectedRecord],
    report: IngestReport,
    on_reject: Callable[[RejectedRecord], None] | None,
) -> Iterable[list[ArticleRecord]]:
    batch: list[ArticleRecord] = []
    for record in records:
        problem = record if isinstance(record, RejectedRecord) else _check(record)
        if problem is not None:
            report.rejected.append(problem)
            if on_reject is not None:
                on_reject(problem)
            continue
        assert isinstance(record, ArticleRecord)
        batch.append(record)
        if len(batch) >= BATCH_SIZE:
            yield batch
            batch = []
    if batch:
        yield batch
