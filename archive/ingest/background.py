"""The background indexer: a second process that indexes what an ingest stores, as it stores it, so that
ingest uses both cores of a small machine.

It only makes ingest faster, never more correct: it follows the database's change feed like any index
writer, committing its position with its segments, and whatever it does not finish is applied by the
storing process's final sync (or the next command).

The two processes talk through a pipe and one shared counter, and share no lock or semaphore: when the
storing process is killed (``kill -9``), multiprocessing's resource tracker would otherwise find its
semaphores leaked and say so on the user's terminal. Ctrl-C is the storing process's to handle: the
indexer ignores it, and stops (discarding its uncommitted work) when told to through the pipe.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from multiprocessing.connection import Connection
from typing import Any

from archive.config import BACKGROUND_STOP_SECONDS, IndexSettings, Settings
from archive.errors import ArchiveError
from archive.home import opened
from archive.index.search_index import IndexWriter
from archive.index.sync import apply_changes, note_position_and_prune
from archive.ingest.orphans import end_with as _end_with
from archive.ingest.orphans import stop_if_orphaned as _stop_if_orphaned
from archive.ingest.workers import WorkerPool, index_commit
from archive.store.database import Store


class _Orders:
    """What the storing process tells the indexer, read from its end of the pipe: "done" (storing has
    finished: index what is left, then end) or "stop" (Ctrl-C: end now). A pipe closed without a word is
    a storing process that died: stop."""

    def __init__(self, channel: Connection) -> None:
        self._channel = channel
        self.done = False

    def wait(self, seconds: float) -> None:
        """Wait up to ``seconds`` for an order (none needed once storing is done)."""
        if self.done or not self._channel.poll(seconds):
            return
        try:
            order = self._channel.recv()
        except (EOFError, OSError):
            order = "stop"
        if order == "stop":
            raise SystemExit(1)
        self.done = True


def index_alongside(
    settings: Settings, channel: Connection, indexed: Any, parent: int, commit_when_idle: bool, workers: int = 1
) -> None:
    """The body of the background indexer process: index the changes the storing process (``parent``)
    records, as it records them, until told storing is done (through ``channel``, see :class:`_Orders`) and the
    feed holds nothing new; ``indexed`` counts the articles.

    It keeps one writer open for up to :func:`commit_size` articles (``commit_every`` at first, then growing:
    :class:`archive.config.IndexSettings`), so a long ingest makes few, large segments; with
    ``commit_when_idle`` (a small input) it also commits whenever it has caught up.
    Whatever stops it, anything it did not finish stays in the feed for the storing process's final sync: this
    process only makes ingest faster, never more correct. With ``workers`` > 1 it hands the analysis and
    segment writing to that many worker processes (:mod:`archive.ingest.workers`). When the storing process
    dies (a kill -9 gives it no chance to say so) this one ends too, its uncommitted work discarded, so
    that it cannot hold the index's lock against the next command."""
    _end_with(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # (see the module's text)
    orders = _Orders(channel)
    pool: WorkerPool | None = None
    try:
        with opened(settings) as (store, index):
            finished = False
            if workers > 1:
                pool = WorkerPool(settings, workers)
                counted = functools.partial(_count, indexed)
                while not finished:
                    earlier = int(indexed.value)
                    size = commit_size(earlier, index.settings)
                    idle = max(index.settings.idle_commit_min, earlier) if commit_when_idle else None
                    finished = index_commit(store, index, pool, orders, counted, parent, size, idle)
                position = index.applied_position()
            else:
                while not finished:
                    with index.writer() as writer:
                        finished = _index_one_commit(store, writer, orders, indexed, parent, commit_when_idle)
                position = writer.position
            note_position_and_prune(store, index, position)
            index.rebuild_vocabulary()
    except (SystemExit, ArchiveError):
        # An error (a busy index) is met again, and reported, by the storing process's own sync.
        sys.exit(1)
    finally:
        if pool is not None:
            pool.close()


def _count(indexed: Any, articles: int) -> None:
    indexed.value = int(indexed.value) + articles


def _indexer_process(
    settings: Settings, channel: Connection, indexed: Any, parent: int, commit_when_idle: bool, workers: int
) -> None:
    """The background indexer process: :func:`index_alongside`, then an immediate end. Its files are closed
    by then, and the interpreter's own teardown (freeing every cached word and array, about 0.3 s for
    4,500 articles) would only keep the storing process waiting."""
    code = 0
    try:
        index_alongside(settings, channel, indexed, parent, commit_when_idle, workers)
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _index_one_commit(
    store: Store,
    writer: IndexWriter,
    orders: _Orders,
    indexed: Any,
    parent: int,
    commit_when_idle: bool,
) -> bool:
    """Apply the feed's new changes in ``writer`` until :func:`commit_size` articles are written, or (with
    ``commit_when_idle``) until it has caught up with storing (see ``idle_commit_input_bytes``) (False:
    commit and go on), or until storing is done and the feed holds nothing new (True: the last commit)."""
    written = 0
    tuning = writer.settings
    size = commit_size(int(indexed.value), tuning)
    while written < size:
        _stop_if_orphaned(parent)
        orders.wait(0)
        done = orders.done  # read before the feed: nothing stored after it is missed
        head = store.feed.head()
        if not head.can_follow(writer.position):
            return True  # an index to fill or rebuild first: the storing process's sync does it
        through = head.position
        if through == writer.position:
            if done:
                return True
            if commit_when_idle and written >= max(tuning.idle_commit_min, int(indexed.value) - written):
                return False  # caught up with storing: commit now, while the other core is busy storing
            orders.wait(tuning.poll_seconds)
            continue
        step = min(tuning.batch, size - written)
        applied, _ = apply_changes(store, writer, through, limit=step)
        indexed.value = int(indexed.value) + applied
        written += applied
    return False


def commit_size(earlier: int, tuning: IndexSettings) -> int:
    """How many articles the background indexer's next commit holds when it has indexed ``earlier`` in this
    run: ``commit_every`` at first, then as many as all the earlier commits together, up to
    ``commit_growth_cap`` (see :class:`archive.config.IndexSettings`): segments that double, as Lucene's
    tiers grow, so a long ingest leaves few.

    >>> [commit_size(n, IndexSettings()) for n in (0, 20_000, 40_000, 80_000, 160_000, 320_000, 570_000)]
    [20000, 20000, 40000, 80000, 160000, 250000, 250000]
    """
    return max(tuning.commit_every, min(earlier, tuning.commit_growth_cap))


def _stop(process: Any) -> None:
    """End the indexer after "stop": terminated when it does not end at once. Safe: what it wrote is
    reached only through a table of contents written last, so its uncommitted work is simply not there."""
    process.join(BACKGROUND_STOP_SECONDS)
    if process.is_alive():
        process.terminate()
        process.join()


def _main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


class Alongside:
    """How many articles the background indexer has indexed (none when there is no such process)."""

    def __init__(self, counter: Any = None) -> None:
        self._counter = counter

    @property
    def indexed(self) -> int:
        return 0 if self._counter is None else int(self._counter.value)


@contextmanager
def indexing_alongside(
    settings: Settings,
    enabled: bool,
    input_bytes: int = 0,
    waiting: Callable[[int], None] | None = None,
    workers: int = 1,
) -> Iterator[Alongside]:
    """Run :func:`index_alongside` in a second process (on a second core) while the block stores
    articles. When the block ends the indexer applies the rest of the feed (``waiting`` is told its count meanwhile,
    a few times a second); when the block raises (Ctrl-C), it is stopped. The caller should then run
    :func:`sync_index` for anything it left. Yields the indexer's count, final once the block ends."""
    if not enabled:
        yield Alongside()
        return
    context = multiprocessing.get_context("spawn")  # no fork: the parent holds database connections
    theirs, ours = context.Pipe(duplex=False)
    indexed = context.RawValue("q", 0)  # (no lock: one process writes it; see the module's text)
    process = context.Process(
        target=_indexer_process,
        args=(settings, theirs, indexed, os.getpid(), input_bytes < settings.index.idle_commit_input_bytes, workers),
        name="archive-indexer",
        # (a daemonic process may not start the workers; either way this block stops and joins it)
        daemon=workers == 1,
    )
    # Started with Ctrl-C ignored (kept across exec on POSIX, and Python then installs no handler of its
    # own): one pressed while the child imports would otherwise print its traceback.
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if _main_thread() else None
    try:
        process.start()
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
    theirs.close()
    order = "stop"
    try:
        yield Alongside(indexed)
        order = "done"
    finally:
        with suppress(OSError):
            ours.send(order)
        try:
            if order == "stop":
                _stop(process)
            while process.is_alive():
                process.join(0.2)
                if waiting is not None:
                    waiting(int(indexed.value))
        except KeyboardInterrupt:  # while it applied the rest: stop it, the rest stays in the feed
            with suppress(OSError):
                ours.send("stop")
            _stop(process)
            raise
        finally:
            ours.close()
