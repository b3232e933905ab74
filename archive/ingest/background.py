"""The background indexer: a second process that indexes what an ingest stores, as it stores it, so that
ingest uses both cores of a small machine.

It only makes ingest faster, never more correct: whatever it does not finish stays queued in the
database, and the storing process's final sync (or the next command) indexes it.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from typing import Any

from archive.config import Settings
from archive.errors import ArchiveError
from archive.index.search_index import IndexWriter
from archive.index.sync import BATCH, opened, write_articles
from archive.store.database import Store

#: How often the background indexer looks at the queue when it found nothing new.
POLL_SECONDS = 0.2
#: Index commits are costly (each writes a segment): a long ingest commits after this many articles,
#: which then become searchable.
COMMIT_EVERY = 20_000
#: For an input smaller than this, the indexer also commits whenever it has caught up with storing and holds
#: at least IDLE_COMMIT_MIN articles, and at least as many as all its earlier commits in the run together.
#: Committing (sorting, encoding and writing postings) then overlaps storing instead of all coming after it
#: (the shared corpus's 4,500 articles: storing done at 7.1 s, the index at 10.8 s, where it used to take
#: 12.2 s), and the segments at least double, so there are few (2 or 3 there). A large input is left to
#: COMMIT_EVERY: there the last commit is a small part of the run, and its first, small segments slowed every
#: later search (8 segments for 100,000 articles: one word 18 ms against 7 in one segment).
IDLE_COMMIT_INPUT_BYTES = 64_000_000
IDLE_COMMIT_MIN = 1_000


def index_alongside(
    settings: Settings, storing_done: Any, indexed: Any, parent: int, commit_when_idle: bool = False
) -> None:
    """The body of the background indexer process: index what the storing process (``parent``) queues,
    as it queues it, until ``storing_done`` is set and the queue holds nothing new; ``indexed`` counts
    the articles.

    It keeps one writer open for up to :data:`COMMIT_EVERY` articles, so a long ingest makes few, large
    segments; with ``commit_when_idle`` (a small input) it also commits whenever it has caught up.
    Whatever stops it, anything it did not finish stays queued for the storing process's final sync: this
    process only makes ingest faster, never more correct. When the storing process
    dies (a kill -9 gives it no chance to say so) this one ends too, its uncommitted work discarded, so
    that it cannot hold the index's lock against the next command."""
    _end_with(parent)
    try:
        with opened(settings) as (store, index):
            versions: dict[int, datetime | None] = {}
            finished = False
            while not finished:
                with index.writer() as writer:
                    finished = _index_one_commit(
                        store, writer, versions, storing_done, indexed, parent, commit_when_idle
                    )
            store.clear_pending(list(versions), versions)
            index.rebuild_vocabulary()
    except (KeyboardInterrupt, SystemExit, ArchiveError):
        # Ctrl-C reaches both processes; the storing process reports it. An error (a busy index) is
        # met again, and reported, by the storing process's own sync.
        sys.exit(1)


def _indexer_process(settings: Settings, storing_done: Any, indexed: Any, parent: int, commit_when_idle: bool) -> None:
    """The background indexer process: :func:`index_alongside`, then an immediate end. Its files are closed
    by then, and the interpreter's own teardown (freeing every cached word and array, about 0.3 s for
    4,500 articles) would only keep the storing process waiting."""
    index_alongside(settings, storing_done, indexed, parent, commit_when_idle)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def _index_one_commit(
    store: Store,
    writer: IndexWriter,
    versions: dict[int, datetime | None],
    storing_done: Any,
    indexed: Any,
    parent: int,
    commit_when_idle: bool,
) -> bool:
    """Index newly queued articles into ``writer`` until :data:`COMMIT_EVERY` are written, or (with
    ``commit_when_idle``) until it has caught up with storing (see :data:`IDLE_COMMIT_INPUT_BYTES`) (False:
    commit and go on), or until storing is done and nothing new is queued (True: the last commit)."""
    written = 0
    while written < COMMIT_EVERY:
        _stop_if_orphaned(parent)
        done = storing_done.is_set()  # read before the queue: nothing queued after it is missed
        fresh = [i for i in store.pending_ids() if i not in versions][: COMMIT_EVERY - written]
        if not fresh:
            if done:
                return True
            if commit_when_idle and written >= max(IDLE_COMMIT_MIN, len(versions) - written):
                return False  # caught up with storing: commit now, while the other core is busy storing
            storing_done.wait(POLL_SECONDS)
        for start in range(0, len(fresh), BATCH):
            _stop_if_orphaned(parent)
            write_articles(store, writer, fresh[start : start + BATCH], versions)
            indexed.value = len(versions)
        written += len(fresh)
    return False


def _stop_if_orphaned(parent: int) -> None:
    """End the indexer when the storing process has died (where Linux has not already ended it)."""
    if os.getppid() != parent:
        raise SystemExit(1)


_PR_SET_PDEATHSIG = 1


def _end_with(parent: int) -> None:
    """Ask Linux to kill this process when ``parent`` dies; elsewhere the indexer's loop notices."""
    if sys.platform.startswith("linux"):
        with suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    _stop_if_orphaned(parent)  # it may have died before the request was made


class Alongside:
    """How many articles the background indexer has indexed (none when there is no such process)."""

    def __init__(self, counter: Any = None) -> None:
        self._counter = counter

    @property
    def indexed(self) -> int:
        return 0 if self._counter is None else int(self._counter.value)


@contextmanager
def indexing_alongside(settings: Settings, enabled: bool, input_bytes: int = 0) -> Iterator[Alongside]:
    """Run :func:`index_alongside` in a second process (on a second core) while the block stores
    articles. When the block ends the indexer finishes the queue; the caller should then run
    :func:`sync_index` for anything it left. Yields the indexer's count, final once the block ends."""
    if not enabled:
        yield Alongside()
        return
    context = multiprocessing.get_context("spawn")  # no fork: the parent holds database connections
    storing_done = context.Event()
    indexed = context.Value("q", 0)
    process = context.Process(
        target=_indexer_process,
        args=(settings, storing_done, indexed, os.getpid(), input_bytes < IDLE_COMMIT_INPUT_BYTES),
        name="archive-indexer",
        daemon=True,
    )
    process.start()
    try:
        yield Alongside(indexed)
    finally:
        storing_done.set()
        process.join()
