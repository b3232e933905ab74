"""Keeping the index in step with the database.

The database commits first and queues every changed article in ``pending_index`` in the same
transaction; the queue is cleared only after the index commit. Whatever stops a process in between,
the next command finds the queue and finishes the work, so nothing stored is missing from search.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from archive.errors import SearchIndexError
from archive.index.search_index import IndexWriter, SearchIndex, new_index_beside
from archive.index.swap import point_to, remove_unused_beside
from archive.models import Article


class ArticleSource(Protocol):
    """What keeping an index in step asks of the database (:class:`archive.store.database.Store` answers)."""

    def pending_ids(self) -> list[int]: ...

    def articles(self, ids: Sequence[int]) -> list[Article]: ...

    def clear_pending(self, ids: Sequence[int], versions: Mapping[int, datetime | None] | None = None) -> None: ...

    def queue_all(self) -> int: ...


def ensure_index(store: ArticleSource, index: SearchIndex) -> None:
    """Create the index when it is missing, queueing every stored article for it."""
    if not index.exists():
        fresh = new_index_beside(index.path, index.settings)
        fresh.close()
        point_to(index.path, fresh.path)
        store.queue_all()


#: Told (articles done, articles in all) as indexing goes, a batch at a time.
Advanced = Callable[[int, int], None]


def sync_index(store: ArticleSource, index: SearchIndex, *, wait: bool = True, advanced: Advanced | None = None) -> int:
    """Index (or remove from the index) every queued article; returns how many were handled.

    With ``wait=False`` a busy index is left alone: the process holding it will do the work.
    """
    pending = store.pending_ids()
    if not pending:
        return 0
    versions: dict[int, datetime | None] = {}
    try:
        with index.writer(timeout=None if wait else 0.0) as writer:
            removed = write_articles(store, writer, pending, versions, advanced)
    except SearchIndexError:
        if wait:
            raise
        return 0
    store.clear_pending(pending, versions)
    # A few articles: look up the words the writer indexed of them. Many, or deletions (whose words are
    # unknown here), or a fresh index (no vocabulary yet): rescan. (Words an updated article no longer has
    # keep their old count until the next rescan: harmless, a form that matches nothing only widens a query
    # by nothing.)
    if len(pending) <= index.settings.incremental_vocabulary and index.vocabulary.path.exists() and not removed:
        index.update_vocabulary(writer.indexed_forms())
    else:
        index.rebuild_vocabulary()
    index.close()  # reopen through the `index` link next time: a reindex may have swapped it meanwhile
    return len(pending)


def write_articles(
    store: ArticleSource,
    writer: IndexWriter,
    ids: Sequence[int],
    versions: dict[int, datetime | None],
    advanced: Advanced | None = None,
) -> bool:
    """Index (or remove) these articles, noting in ``versions`` which version of each was written. Returns
    whether any was removed."""
    removed = False
    batch = writer.settings.batch
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        articles = store.articles(chunk)
        writer.put(articles)
        present = {a.id: a.updated_at for a in articles}
        gone = [i for i in chunk if i not in present]
        writer.remove(gone)
        versions.update(present)
        versions.update(dict.fromkeys(gone))
        removed = removed or bool(gone)
        if advanced is not None:
            advanced(start + len(chunk), len(ids))
    return removed


def rebuild_index(store: ArticleSource, index: SearchIndex, advanced: Advanced | None = None) -> int:
    """Build a fresh index from the database in a new directory, then swap it in atomically: searches
    keep using the old index until the new one is complete. The old one is removed at the next rebuild
    (a search may still be reading it now)."""
    # Hold the old index's write lock while building, so an ingest running now cannot index into the
    # index about to be replaced; it waits, or fails with a clear message, and its articles stay queued.
    holder = None
    old = SearchIndex(index.directory, index.settings)  # the directory itself: `index` will stand for another
    if old.exists():
        try:
            holder = old.open().writer(timeout=index.settings.lock_timeout)
        except Exception:  # an unreadable or outdated index is what a rebuild is for
            holder = None
    try:
        fresh = new_index_beside(index.path, index.settings)
        total = store.queue_all()
        sync_index(store, fresh, advanced=advanced)
        if total == 0:
            fresh.rebuild_vocabulary()
        fresh.close()
        previous = point_to(index.path, fresh.path)
    finally:
        if holder is not None:
            holder.cancel()
        old.close()
        index.close()
    remove_unused_beside(index.path, keep=[previous] if previous else [])
    return total
