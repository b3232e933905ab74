"""Keeping an index in step with the database, by following its change feed.

The database records every change of an article in the same transaction as the article
(:mod:`archive.store.feed`), numbered in commit order. Each index applies the changes after its own
position and commits the new position with its segments (:mod:`archive.index.feed`), so whatever stops a
process in between, the next command carries on from the last commit and nothing stored is missed.
Every index follows the feed on its own: several homes (machines) can share one database.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Protocol

from archive.config import CHANGES_AT_ONCE
from archive.errors import SearchIndexError, disk_full, is_disk_full
from archive.index.feed import UNFILLED, this_node
from archive.index.search_index import IndexWriter, SearchIndex, new_index_beside
from archive.index.swap import point_to, remove_unused_beside
from archive.models import Article, FeedHead, FeedNode, utc_now


class FeedSource(Protocol):
    """What keeping an index in step asks of the change feed (:class:`archive.store.feed.ChangeFeed` answers)."""

    def head(self) -> FeedHead: ...

    def changes_after(self, position: int, limit: int, through: int | None = None) -> list[tuple[int, int]]: ...

    def count_after(self, position: int) -> int: ...

    def start_following(self, node: FeedNode, now: datetime) -> int: ...

    def note_node(self, node: FeedNode, position: int, now: datetime) -> None: ...

    def prune(self, now: datetime) -> int: ...


class ArticleSource(Protocol):
    """What keeping an index in step asks of the database (:class:`archive.store.database.Store` answers)."""

    @property
    def feed(self) -> FeedSource: ...

    def articles(self, ids: Sequence[int]) -> list[Article]: ...

    def article_ids(self) -> list[int]: ...


#: Told (articles done, articles in all) as indexing goes, a batch at a time.
Advanced = Callable[[int, int], None]


def ensure_index(store: ArticleSource, index: SearchIndex) -> None:
    """Make the index when it is missing: an empty one, which the next sync fills from the articles."""
    if not index.exists():
        fresh = new_index_beside(index.path, index.settings)
        fresh.close()
        point_to(index.path, fresh.path)


def lag(store: ArticleSource, index: SearchIndex) -> int:
    """How many changes of the feed the index has yet to apply (every article, when it must be rebuilt
    from them: the feed was pruned past it, or it is ahead of the feed)."""
    head = store.feed.head()
    position = index.applied_position()
    if not head.can_follow(position):
        return max(1, len(store.article_ids()))
    return 0 if position == head.position else store.feed.count_after(position)


class _CannotFollow(Exception):
    """The index must be rebuilt from the articles: the feed no longer holds what it has not applied."""


def sync_index(store: ArticleSource, index: SearchIndex, *, wait: bool = True, advanced: Advanced | None = None) -> int:
    """Apply to the index every change of the feed after its position; returns how many articles were
    indexed or removed. An index the feed cannot bring up to date is rebuilt from the articles.

    With ``wait=False`` a busy index is left alone: the process holding it will do the work (an unfilled
    one is waited for all the same: it has nothing to answer with yet).
    """
    position = index.applied_position()
    if position == store.feed.head().position:  # (the usual case, outside the lock)
        return 0
    # An unfilled index answers nothing: whoever finds another process filling it waits for it.
    wait = wait or position == UNFILLED
    try:
        with index.writer(timeout=None if wait else 0.0) as writer:
            unfilled = writer.position == UNFILLED
            filled = fill(store, writer, index.path.parent, advanced) if unfilled else 0
            head = store.feed.head()  # (under the lock: another process of this home may have applied more)
            if not head.can_follow(writer.position):
                raise _CannotFollow
            applied, removed = apply_changes(store, writer, head.position, None if unfilled else advanced)
            applied += filled
    except _CannotFollow:
        return rebuild_index(store, index, advanced)
    except SearchIndexError:
        if wait:
            raise
        return 0
    if applied or unfilled:
        note_position_and_prune(store, index, writer.position)
    # A few articles: look up the words the writer indexed of them. Many, or deletions (whose words are
    # unknown here), or a fresh index (no vocabulary yet): rescan. (Words an updated article no longer has
    # keep their old count until the next rescan: harmless, a form that matches nothing only widens a query
    # by nothing.)
    try:
        if (
            applied <= index.settings.incremental_vocabulary
            and index.vocabulary.path.exists()
            and not removed
            and not unfilled
        ):
            index.update_vocabulary(writer)
        else:
            index.rebuild_vocabulary()
    except Exception as error:
        if is_disk_full(error):  # (the index is committed; the vocabulary's transaction rolled back: stale counts)
            raise disk_full(index.vocabulary.path, "updating the index's vocabulary") from error
        raise
    index.close()  # reopen through the `index` link next time: a reindex may have swapped it meanwhile
    return applied


def apply_changes(
    store: ArticleSource, writer: IndexWriter, through: int, advanced: Advanced | None = None, limit: int | None = None
) -> tuple[int, bool]:
    """Put or remove, in ``writer``, the article of every change after the writer's position up to
    ``through`` (or the first ``limit`` changes of them), advancing its position.
    Returns (articles written, whether any was removed)."""
    total = store.feed.count_after(writer.position) if advanced is not None else 0
    applied, seen, removed = 0, 0, False
    while limit is None or applied < limit:
        wanted = CHANGES_AT_ONCE if limit is None else max(1, min(CHANGES_AT_ONCE, limit - applied))
        changes = store.feed.changes_after(writer.position, wanted, through)
        if not changes:
            break
        ids = list(dict.fromkeys(article for _, article in changes))  # (an article changed twice: once)
        removed = write_articles(store, writer, ids) or removed
        writer.applied(changes[-1][0])
        applied += len(ids)
        seen += len(changes)
        if advanced is not None:
            advanced(seen, max(seen, total))
    return applied, removed


def note_position_and_prune(store: ArticleSource, index: SearchIndex, position: int) -> None:
    """After a commit: record how far this node has applied the feed, and prune what every node has."""
    now = utc_now()
    store.feed.note_node(this_node(index.path.parent), position, now)
    store.feed.prune(now)


def write_articles(
    store: ArticleSource, writer: IndexWriter, ids: Sequence[int], advanced: Advanced | None = None
) -> bool:
    """Index these articles as they are now, removing those that are gone. Returns whether any was removed."""
    removed = False
    batch = writer.settings.batch
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        articles = store.articles(chunk)
        writer.put(articles)
        present = {a.id for a in articles}
        gone = [i for i in chunk if i not in present]
        writer.remove(gone)
        removed = removed or bool(gone)
        if advanced is not None:
            advanced(start + len(chunk), len(ids))
    return removed


def fill(store: ArticleSource, writer: IndexWriter, home: Path, advanced: Advanced | None = None) -> int:
    """Index every article, in a new index, and set its position where the feed was before they were read
    (the home's node registered there, so the feed is kept from then on). Returns how many were indexed."""
    # Every change up to the head is in the articles as they are read now; the later ones are applied after.
    position = store.feed.start_following(this_node(home), utc_now())
    ids = store.article_ids()
    largest = writer.settings.commit_growth_cap
    if len(ids) <= largest:
        write_articles(store, writer, ids, advanced)
    else:
        _fill_in_parts(store, writer, ids, largest, advanced)
    writer.applied(position)
    return len(ids)


#: The folder, inside an index being filled, of the indexes its parts are written in before it adopts them.
PARTS = "filling-parts"


def _fill_in_parts(
    store: ArticleSource, writer: IndexWriter, ids: Sequence[int], largest: int, advanced: Advanced | None
) -> None:
    """Index ``ids`` in segments of at most ``largest`` articles: each written in an index of its own inside
    the one being filled (on its file system; its lock, held by ``writer``, keeps a rebuild's clean-up out),
    then adopted by ``writer``'s commit, as an ingest worker's are. Writing one segment of a million
    articles took 1.49 GB; a part's writer takes what an ingest's largest commit takes."""
    parts = writer.folder / PARTS
    shutil.rmtree(parts, ignore_errors=True)  # (a killed fill's: this writer holds the lock now)
    try:
        for number, start in enumerate(range(0, len(ids), largest)):
            part = SearchIndex(parts / f"part-{number}", writer.settings)
            part.create()
            done = (lambda n, _total, at=start: advanced(at + n, len(ids))) if advanced is not None else None
            with part.writer(timeout=0) as part_writer:
                write_articles(store, part_writer, ids[start : start + largest], done)
            part.close()
            writer.adopt(part.path)
    finally:
        shutil.rmtree(parts, ignore_errors=True)


def rebuild_index(store: ArticleSource, index: SearchIndex, advanced: Advanced | None = None) -> int:
    """Build a fresh index from the articles in a new directory, then swap it in atomically: searches
    keep using the old index until the new one is complete. The old one is removed at the next rebuild
    (a search may still be reading it now). Only this home's index is touched: other nodes following the
    feed go on as before. Returns how many articles were indexed.

    A command writing meanwhile may still write to the old index: harmless, its changes are in the feed,
    after the position the new index starts from, and applied to it next."""
    fresh = new_index_beside(index.path, index.settings)
    fresh.close()
    try:
        built = sync_index(store, fresh, advanced=advanced)
    except BaseException:
        # (a full disk, say: the half-built index gives its room back; the one in use is untouched)
        fresh.close()
        shutil.rmtree(fresh.path, ignore_errors=True)
        raise
    index.close()
    previous = point_to(index.path, fresh.path)
    remove_unused_beside(index.path, keep=[previous] if previous else [])
    sync_index(store, index)  # what changed while it was built
    return built


def reindex_entries(store: ArticleSource, index: SearchIndex, ids: Sequence[int]) -> None:
    """Index these articles again as they are now (removing those that are gone), whatever the feed says:
    ``archive check --repair`` on entries found wrong. The position stays where it is."""
    with index.writer() as writer:
        write_articles(store, writer, ids)
    index.rebuild_vocabulary()
    index.close()
