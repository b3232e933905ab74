"""Indexing on every core: the background indexer hands the change feed out to worker processes, each of
which reads its articles, analyses them and writes a segment of its own; the indexer adopts the segments
into the index in one commit with the feed's position.

**One commit, N segments.** The background indexer (:mod:`archive.ingest.background`) holds the index's
lock for a commit as before. Within it, it reads the feed after its position a batch at a time (up to
``IndexSettings.batch`` changes), and sends each batch's article ids to the worker with the least work in
hand. A worker indexes them (``Store.articles``, then ``IndexWriter.put`` of a writer on an index of its own
in a staging directory of the home, ``ingest-staging/``, on the same file system as the index) and, when the
commit ends, commits its staging index and answers with its directory. The indexer then, still under the
lock: deletes the commit's articles from the index's earlier segments (an article updated), moves each
worker's segment files into the index (:func:`archive.index.codec.whoosh3.move_segment`, atomic per file),
and commits a table of contents that holds them, with the position of the last change handed out
(:meth:`IndexWriter.adopt`). Storing and the change feed are untouched: they stay in the storing process,
in order.

**An article changed twice in one commit.** A worker indexes an article as it is when it reads it, so two
batches naming one article could put it in two segments. The indexer ends the commit before a batch naming
an article the commit already holds: the article's last version goes in the next commit, which deletes the
earlier document as any update does.

**Crash safety.** Everything a worker writes is outside the index until the indexer's commit, whose table
of contents is written last (with the position recorded just before it, :mod:`archive.index.feed`): a kill
of anything at any moment leaves the previous commit and its position in force, and the feed holds the
rest. Files moved in before a kill are named by no table of contents and deleted by Whoosh's clean-up at
the next commit. Staging directories exist only while their indexer holds the index's lock, so whoever
takes the lock next removes any a killed indexer left (:func:`clear_staging`). A worker that dies makes the
indexer end (its commit discarded, the other workers stopped): the storing process's final sync applies
the rest, in one process, as it does whatever the background indexer leaves. Workers end with the
indexer (:mod:`archive.ingest.orphans`: Linux's parent-death signal, elsewhere the pipe to it closing).

**Portable.** Workers are started with ``spawn`` (the default on macOS and Windows, and used on Linux
too), talk through pipes, and share nothing else: the same mechanism on every system.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
import sys
import uuid
from collections.abc import Callable
from contextlib import ExitStack, suppress
from dataclasses import replace
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, Protocol

from archive.config import BACKGROUND_STOP_SECONDS, Settings
from archive.errors import ArchiveError
from archive.index.search_index import IndexWriter, SearchIndex
from archive.ingest.orphans import end_with, stop_if_orphaned
from archive.store.database import Store

#: The home's folder of the workers' staging indexes (beside the index, on its file system).
STAGING = "ingest-staging"
#: Batches handed to a worker and not yet done: enough that none waits for the next, few enough that the
#: least busy worker gets the next one.
IN_HAND = 2


#: Workers an ingest uses at most by default. Storing is one process, in order, and takes about 39% of an
#: article's CPU (indexing 61%): indexing keeps up with it on about 1.6 cores, so a third worker would only
#: add a segment to every commit (each segment repeats the per-word work, and searches read them all).
MOST_USEFUL_WORKERS = 2


def default_workers() -> int:
    """The workers worth starting on the cores this process may use (its CPU affinity where the system has
    one): one core is the storing process's; of the rest, at most :data:`MOST_USEFUL_WORKERS` (one: the
    single background indexer, which on 2 cores was faster than two workers sharing the second core)."""
    return max(1, min(available_cores() - 1, MOST_USEFUL_WORKERS))


def available_cores() -> int:
    counted = getattr(os, "process_cpu_count", None)  # Python 3.13
    if counted is not None:
        return max(1, counted() or 1)
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


class WorkerLost(ArchiveError):
    """An ingest worker ended before its work was done (killed, or out of memory)."""


class Orders(Protocol):
    """What the storing process has told the indexer (:class:`archive.ingest.background._Orders`)."""

    done: bool

    def wait(self, seconds: float) -> None: ...


def staging_root(home: Path) -> Path:
    return home / STAGING


def clear_staging(home: Path) -> None:
    """Remove every staging directory (call only with the index's lock held: see the module's text)."""
    shutil.rmtree(staging_root(home), ignore_errors=True)


# --- the worker process ------------------------------------------------------------------------------


def _worker_process(settings: Settings, channel: Connection, parent: int) -> None:
    """An ingest worker: index the batches of article ids it is sent into a staging index of its own, commit
    it when told, and answer each step. Ends when told to, or when its pipe or its parent is gone."""
    end_with(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the storing process's to handle
    code = 0
    try:
        _serve(settings, channel)
    except (EOFError, OSError, SystemExit, KeyboardInterrupt):
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)  # (see background._indexer_process: the interpreter's teardown only costs time)


def _serve(settings: Settings, channel: Connection) -> None:
    store = Store.open(settings, create=False)
    try:
        with ExitStack() as held:
            staging: SearchIndex | None = None
            writer: IndexWriter | None = None
            while True:
                order, payload = channel.recv()
                if order == "put":
                    directory, ids = payload
                    if writer is None:
                        staging = SearchIndex(Path(directory), settings.index)
                        staging.create()
                        writer = held.enter_context(staging.writer(timeout=0))
                    articles = store.articles(ids)
                    writer.put(articles)
                    channel.send(("put", len(ids)))
                elif order == "commit":
                    held.close()  # commits the staging index
                    if staging is not None:
                        staging.close()
                    channel.send(("committed", None if staging is None else str(staging.path)))
                    staging, writer = None, None
                else:
                    return  # "stop": the open writer, if any, is cancelled on the way out
    finally:
        store.close()


# --- the pool, in the background indexer ------------------------------------------------------------


class _Worker:
    def __init__(self, process: Any, channel: Connection) -> None:
        self.process = process
        self.channel = channel
        self.in_hand = 0
        self.directory: Path | None = None


class WorkerPool:
    """N worker processes, seen from the background indexer."""

    def __init__(self, settings: Settings, count: int) -> None:
        self._settings = settings
        self._root = staging_root(settings.home)
        self._prefix = uuid.uuid4().hex[:12]
        self._commits = 0
        context = multiprocessing.get_context("spawn")  # portable: see the module's text
        # the writers' memory shared out: N workers hold no more than the single indexer did (2 workers with
        # 128 MB each took an ingest of 100,000 to 1.07 GB)
        writer = settings.index.writer
        shared = replace(
            settings, index=settings.index._replace(writer=writer._replace(memory_mb=writer.memory_mb / count))
        )
        self._workers: list[_Worker] = []
        for number in range(count):
            theirs, ours = context.Pipe()
            process = context.Process(
                target=_worker_process,
                args=(shared, theirs, os.getpid()),
                name=f"archive-index-worker-{number}",
                daemon=True,
            )
            process.start()
            theirs.close()
            self._workers.append(_Worker(process, ours))

    def has_room(self) -> bool:
        return any(worker.in_hand < IN_HAND for worker in self._workers)

    def send(self, ids: list[int]) -> None:
        """Hand a batch of article ids to the least busy worker."""
        worker = min(self._workers, key=lambda w: w.in_hand)
        if worker.directory is None:
            number = self._workers.index(worker)
            worker.directory = self._root / f"{self._prefix}-{self._commits}-{number}"
            self._root.mkdir(exist_ok=True)
        self._send(worker, ("put", (str(worker.directory), ids)))
        worker.in_hand += 1

    def collect(self, seconds: float, done: Callable[[int], None]) -> None:
        """Wait up to ``seconds`` for workers' answers; ``done`` is told the articles of each batch done."""
        for worker in self._ready(seconds):
            kind, value = self._receive(worker)
            if kind == "put":
                worker.in_hand -= 1
                done(int(value))

    def commit(self, done: Callable[[int], None]) -> list[Path]:
        """Have every worker that was handed work commit its staging index; their directories, in the
        workers' order."""
        busy = [worker for worker in self._workers if worker.directory is not None]
        for worker in busy:
            self._send(worker, ("commit", None))
        directories: list[Path] = []
        for worker in busy:
            while True:
                kind, value = self._receive(worker)
                if kind == "put":
                    worker.in_hand -= 1
                    done(int(value))
                    continue
                if value is not None:
                    directories.append(Path(value))
                worker.directory = None
                break
        self._commits += 1
        return directories

    def remove_staging(self) -> None:
        """Remove this pool's staging directories (under the index's lock)."""
        for worker in self._workers:
            worker.directory = None
        if self._root.is_dir():
            for directory in self._root.glob(f"{self._prefix}-*"):
                shutil.rmtree(directory, ignore_errors=True)
            with suppress(OSError):  # (when no other pool's is there)
                self._root.rmdir()

    def close(self) -> None:
        """Stop every worker (one with unfinished work discards it)."""
        for worker in self._workers:
            with suppress(OSError, ValueError):
                worker.channel.send(("stop", None))
        for worker in self._workers:
            worker.process.join(BACKGROUND_STOP_SECONDS)
            if worker.process.is_alive():
                worker.process.terminate()
                worker.process.join()
            worker.channel.close()

    def _ready(self, seconds: float) -> list[_Worker]:
        waiting: dict[Any, _Worker] = {}
        for worker in self._workers:
            waiting[worker.channel] = worker
            waiting[worker.process.sentinel] = worker
        ready = wait(list(waiting), seconds)
        found: list[_Worker] = []
        for item in ready:
            worker = waiting[item]
            if item is not worker.channel and not worker.channel.poll():
                raise _lost(worker)
            if worker not in found:
                found.append(worker)
        return found

    def _send(self, worker: _Worker, message: tuple[str, Any]) -> None:
        try:
            worker.channel.send(message)
        except (OSError, ValueError) as error:
            raise WorkerLost(f"ingest worker {worker.process.name} cannot be reached ({error})") from error

    def _receive(self, worker: _Worker) -> tuple[str, Any]:
        try:
            message: tuple[str, Any] = worker.channel.recv()
        except (EOFError, OSError) as error:
            raise WorkerLost(
                f"ingest worker {worker.process.name} ended (exit code {worker.process.exitcode})"
            ) from error
        return message


def _lost(worker: _Worker) -> WorkerLost:
    return WorkerLost(f"ingest worker {worker.process.name} ended (exit code {worker.process.exitcode})")


def index_commit(
    store: Store,
    index: SearchIndex,
    pool: WorkerPool,
    orders: Orders,
    counted: Callable[[int], None],
    parent: int,
    size: int,
    idle_after: int | None = None,
) -> bool:
    """One commit of the background indexer with workers: hand out the feed's new changes until ``size``
    articles are handed out, or storing is done and the feed holds nothing new (True: the last commit), or
    an article comes again (see the module's text); then adopt the workers' segments. ``counted`` is told
    the articles of each batch a worker has done. With ``idle_after`` (a small input: see
    ``IndexSettings.idle_commit_input_bytes``) it also commits once it has caught up with storing and handed
    out at least that many articles, as the background indexer alone does."""
    settings = index.settings
    home = index.path.parent
    with index.writer() as writer:
        clear_staging(home)  # (what a killed indexer left: we hold the lock now)
        cursor = writer.position
        handed: set[int] = set()
        finished = False
        try:
            while len(handed) < size:
                stop_if_orphaned(parent)
                orders.wait(0)
                done = orders.done  # read before the feed: nothing stored after it is missed
                pool.collect(0, counted)
                head = store.feed.head()
                if not head.can_follow(cursor):
                    finished = True  # an index to fill or rebuild first: the storing process's sync does it
                    break
                if head.position == cursor:
                    if done:
                        finished = True
                        break
                    if idle_after is not None and len(handed) >= idle_after:
                        break  # caught up with storing: commit now, while the other cores store
                    pool.collect(settings.poll_seconds, counted)
                    continue
                if not pool.has_room():
                    pool.collect(settings.poll_seconds, counted)
                    continue
                wanted = max(1, min(settings.batch, size - len(handed)))
                changes = store.feed.changes_after(cursor, wanted, head.position)
                ids = list(dict.fromkeys(article for _, article in changes))
                if handed.intersection(ids):
                    break  # (an article changed again: its last version goes in the next commit)
                pool.send(ids)
                handed.update(ids)
                cursor = changes[-1][0]
            staged = pool.commit(counted)
            writer.remove_committed(sorted(handed))
            for directory in staged:
                writer.adopt(directory)
            writer.applied(cursor)
        finally:
            # (the adopted segments' files have moved: what is left is their emptied indexes; still under the
            # lock, so no other indexer's staging directories are there)
            pool.remove_staging()
    return finished
