"""Ingest: read files, store their articles, bring the index in step, and account for every record."""

from __future__ import annotations

import contextlib
import functools
import gc
import os
import signal
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from archive.config import BATCH_SIZE, MAX_BODY_CHARS, MAX_TITLE_CHARS, REJECTS_IN_REPORT, Settings
from archive.errors import ArchiveError, DiskFullError, IndexBusyError, disk_full
from archive.home import opened
from archive.index.search_index import SearchIndex
from archive.index.sync import ensure_index, lag, sync_index
from archive.ingest.background import Alongside, indexing_alongside
from archive.ingest.patience import patiently
from archive.ingest.workers import default_workers
from archive.models import RunCounts, utc_now
from archive.processes import this_process
from archive.readers import (
    ArticleRecord,
    CarriedRecord,
    ReadTracker,
    Record,
    RejectedRecord,
    iter_files,
    read_path,
    seed_paths,
)
from archive.store.carried import counted as carried_count
from archive.store.carried import load as load_carried
from archive.store.database import Duplicate, Store

STDIN = Path("-")


class Progress(Protocol):
    """What ingest (and a rebuild of the index) tells its caller while it works."""

    def files_found(self, total: int, total_bytes: int | None) -> None:
        """The files to read, and their size in bytes (None: not known, standard input is among them)."""

    def file_started(self, path: Path) -> None: ...

    def read(self, counts: RunCounts, bytes_read: int) -> None:
        """Records stored so far, and how many bytes of all the files have been read."""

    def rejected(self, reject: RejectedRecord) -> None: ...

    def indexing(self, done: int, total: int) -> None:
        """The final indexing: ``done`` of ``total`` articles indexed."""


class SilentProgress:
    """Tells nobody anything: the default, and the base of the CLI's feedback."""

    def files_found(self, total: int, total_bytes: int | None) -> None:
        pass

    def file_started(self, path: Path) -> None:
        pass

    def read(self, counts: RunCounts, bytes_read: int) -> None:
        pass

    def rejected(self, reject: RejectedRecord) -> None:
        pass

    def indexing(self, done: int, total: int) -> None:
        pass


@dataclass(frozen=True)
class IngestOptions:
    format: str | None = None
    mapping: Mapping[str, str] | None = None
    include: Sequence[str] = ()
    exclude: Sequence[str] = ()
    #: Re-read files that an earlier run read to the end and that have not changed since.
    force: bool = False
    #: Index in a second process while storing; None: when the input is large and there is a second core.
    background_index: bool | None = None
    #: Processes that index (analysis and segment writing) while storing goes on; 1: the background indexer
    #: alone, as before workers. None: ``Settings.ingest_workers``, else :func:`archive.ingest.workers.default_workers`.
    workers: int | None = None


@dataclass
class IngestReport:
    run_id: int
    counts: RunCounts = field(default_factory=RunCounts)
    files: int = 0
    skipped_files: int = 0
    indexed: int = 0
    #: Articles this run added or changed: changes in the feed for the index to apply.
    changed: int = 0
    interrupted: bool = False
    rejects: list[RejectedRecord] = field(default_factory=list)
    #: Records whose text a stored article has (kept as further origins of it); the first of them.
    duplicates: list[Duplicate] = field(default_factory=list)
    #: Changes this run left to the index because another command was writing it (it or the next command
    #: applies them).
    left_to_index: int = 0
    #: The archive's own records an export carried (synonym groups, saved searches, …), stored, by kind.
    carried: dict[str, int] = field(default_factory=dict)

    @property
    def summary(self) -> str:
        c = self.counts
        carried = "".join(f", {carried_count(kind, n)}" for kind, n in self.carried.items())
        return (
            f"added {c.added}, updated {c.updated}, unchanged {c.unchanged}, "
            f"duplicates {c.duplicates}, rejected {c.rejected}{carried}"
        )


def _check(record: ArticleRecord) -> RejectedRecord | None:
    """Limits that keep one runaway record from swamping the archive."""
    for name, value, limit in (("body", record.body, MAX_BODY_CHARS), ("title", record.title, MAX_TITLE_CHARS)):
        if len(value) > limit:
            return RejectedRecord(
                record.origin_file,
                record.origin_record,
                f"the {name} has {len(value):,} characters, more than the {limit:,} allowed; "
                "is this really one article? Split it, or check the input's format",
                context=value[:200],
            )
    return None


def ingest(
    settings: Settings,
    paths: Sequence[Path] = (),
    options: IngestOptions = IngestOptions(),
    progress: Progress | None = None,
) -> IngestReport:
    """Store every article found under ``paths`` (the bundled seeds when empty) and index it.

    Each batch of articles is committed on its own, so an interruption (Ctrl-C, a kill) loses nothing
    already counted; the next run skips the files it had finished and re-reads the rest, where
    articles already stored count as unchanged.
    """
    tell = progress or SilentProgress()
    # (Ctrl-C noted outermost: a second one while the home closes must not cut the summary short)
    with _interrupts_noted() as interrupted, opened(settings, create=True) as (store, index):
        sources = list(paths) or seed_paths()
        store.mark_killed_runs()
        report = IngestReport(run_id=store.start_run([str(p) for p in sources], utc_now(), this_process()))
        status = "running"
        alongside = Alongside()
        stored_all = False
        try:
            ensure_index(store, index)
            report.indexed += sync_index(store, index)  # what an interrupted run, or another node, left to apply
            # Files are named by their full path (links not followed), in origins, rejects and the files read:
            # `feed/a.jsonl` and `/home/me/feed/./a.jsonl` are one file, and a relative name would mean another
            # file from another directory.
            files = [_full(p) for p in iter_files(sources, include=options.include, exclude=options.exclude)]
            stamps = [_stamp(path) for path in files]  # (once: the input's size, and each file's to skip or mark)
            input_bytes = sum(stamp.st_size for stamp in stamps if stamp is not None)
            background = options.background_index
            if background is None:
                background = (os.cpu_count() or 1) > 1 and input_bytes >= settings.index.background_input_bytes
            workers = options.workers or settings.ingest_workers or default_workers()
            waiting = functools.partial(_indexing_left, tell, report)
            with indexing_alongside(settings, background, input_bytes, waiting, workers) as alongside:
                every = None if background else settings.index.commit_every
                _ingest_files(
                    store, index, files, stamps, options, report, tell, sync_every=every, interrupted=interrupted
                )
                stored_all = True
            status = "finished"
        except KeyboardInterrupt:
            # pressed while the indexer finished what was stored, and it did finish: nothing was cut short
            complete = stored_all and lag(store, index) == 0
            status = "finished" if complete else "interrupted"
            report.interrupted = not complete
        except BaseException:
            status = "failed"
            raise
        finally:
            report.indexed += alongside.indexed  # final: its process has ended
            if status == "interrupted":
                # A Ctrl-C that lands inside SQLAlchemy (a transaction beginning or ending) can leave a
                # connection holding SQLite's write lock, unreachable but not yet closed: saving the run's
                # counts would then wait on this process's own lock (seen in about 1 of 10 runs). Collecting
                # now closes it, which rolls back whatever it held.
                gc.collect()
            try:
                # After Ctrl-C the user wants the command back: what is stored and not indexed stays in the feed,
                # and the next command indexes it (a search first of all).
                if status == "finished":
                    status = "failed"  # unless the final sync ends
                    status = _final_sync(store, index, report, tell)
                    if report.changed:
                        store.merges.refresh(utc_now())  # (outlet names the counts now show to be misprints)
            finally:
                _save_run(store, report, status)
        return report


def _final_sync(store: Store, index: SearchIndex, report: IngestReport, tell: Progress) -> str:
    """Apply what the run left in the feed; returns the run's status ("interrupted" after a Ctrl-C here: all is
    stored, and what is not indexed stays in the feed)."""
    left = lag(store, index)
    try:
        report.indexed += patiently(sync_index, store, index, advanced=lambda done, _: tell.indexing(done, left))
    except KeyboardInterrupt:
        report.interrupted = True
        return "interrupted"
    except IndexBusyError:
        # Everything is stored, and another command holds the index (`archive serve`'s follower applying the
        # feed, another ingest): it, or the next command, indexes what this run stored. Not a failure.
        report.left_to_index = lag(store, index)
    return "finished"


def _save_run(store: Store, report: IngestReport, status: str) -> None:
    """Save the run's counts and status. For a run that failed, the error that made it fail is the one to
    report: one from saving it (the same database, say) is dropped."""
    try:
        patiently(store.record_run, report.run_id, report.counts, status=status, now=utc_now())
    except ArchiveError:
        if status != "failed":
            raise


def _indexing_left(tell: Progress, report: IngestReport, indexed: int) -> None:
    """While the background indexer finishes: how far it has got with what this run stored."""
    tell.indexing(indexed, max(indexed, report.changed))


@contextmanager
def _interrupts_noted() -> Iterator[Callable[[], bool]]:
    """Yields whether Ctrl-C was pressed in the block.

    Ctrl-C raises KeyboardInterrupt in whatever code runs at that moment. When that is a finaliser (the
    ORM's weakref callbacks run during every flush), Python prints the exception and drops it, and the
    ingest would carry on to the end as if nothing had been pressed. So the signal is also noted, and the
    ingest checks the note after each batch. Only the first Ctrl-C interrupts: one pressed again while
    the run winds up (saving its counts, stopping the indexer) would lose the summary it is winding up
    to give."""
    noted: list[int] = []
    if threading.current_thread() is not threading.main_thread() or (
        signal.getsignal(signal.SIGINT) is not signal.default_int_handler
    ):
        yield lambda: False  # someone else handles Ctrl-C here (or ignores it): leave it to them
        return

    def note(signum: int, frame: object) -> None:
        noted.append(signum)
        if len(noted) == 1:
            raise KeyboardInterrupt

    signal.signal(signal.SIGINT, note)
    try:
        yield lambda: bool(noted)
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def _ingest_files(
    store: Store,
    index: SearchIndex,
    files: Sequence[Path],
    stamps: Sequence[os.stat_result | None],
    options: IngestOptions,
    report: IngestReport,
    tell: Progress,
    sync_every: int | None,
    interrupted: Callable[[], bool] = lambda: False,
) -> None:
    sizes = [
        None if path == STDIN else stamp.st_size if stamp else 0 for path, stamp in zip(files, stamps, strict=True)
    ]
    tell.files_found(len(files), None if None in sizes else sum(s or 0 for s in sizes))
    since_sync = 0
    before = 0  # bytes of the files already read
    tracker = ReadTracker()
    for path, size, stamp in zip(files, sizes, stamps, strict=True):
        if stamp and not options.force and patiently(store.file_done, str(path), stamp.st_size, stamp.st_mtime_ns):
            report.skipped_files += 1
            before += size or 0
            tell.read(report.counts, before)
            continue
        tell.file_started(path)
        report.files += 1
        records = read_path(path, format=options.format, mapping=options.mapping, tracker=tracker)
        for batch, rejects, carried in _batches(records):
            if batch:
                try:
                    result = patiently(store.upsert, batch, utc_now(), report.run_id)
                except DiskFullError as error:
                    # (the batch rolled back. What is left takes about twice what is left to read:
                    # 3,000 articles, 6.8 MB of JSON Lines, made a home of 15 MB: database, its log and index)
                    left = sum(s or 0 for s in sizes) - before - tracker.bytes_read + sum(len(r.body) for r in batch)
                    where = store.location.removeprefix("sqlite:///")
                    raise disk_full(where, "storing articles", max(left, 0) * 2) from error
                report.counts.add(result)
                report.changed += len(result.changed_ids)
                report.duplicates.extend(result.duplicates_of[: REJECTS_IN_REPORT - len(report.duplicates)])
                since_sync += len(result.changed_ids)
            rejects += _store_carried(store, report, carried)
            _account_rejects(store, report, rejects, tell)
            tell.read(report.counts, before + tracker.bytes_read)
            if interrupted():  # a Ctrl-C that a finaliser swallowed (see _interrupts_noted)
                raise KeyboardInterrupt
            if sync_every is not None and since_sync >= sync_every:
                with contextlib.suppress(IndexBusyError):  # (another command is applying the feed: the final sync)
                    report.indexed += patiently(sync_index, store, index)
                since_sync = 0
        before += size or 0
        tell.read(report.counts, before)
        if stamp:
            patiently(store.mark_file_done, str(path), stamp.st_size, stamp.st_mtime_ns, report.run_id)
        elif path != STDIN:  # (a link to nowhere: read, and rejected, again next time; its rejects know this run)
            patiently(store.mark_file_done, str(path), -1, -1, report.run_id)


def _full(path: Path) -> Path:
    return path if path == STDIN else Path(os.path.abspath(path))


def _stamp(path: Path) -> os.stat_result | None:
    if path == STDIN:
        return None
    try:
        return path.stat()
    except OSError:  # (a link to nowhere: read_path names it)
        return None


def _account_rejects(store: Store, report: IngestReport, rejects: list[RejectedRecord], tell: Progress) -> None:
    if not rejects:
        return
    patiently(store.add_rejects, report.run_id, rejects)
    report.counts.rejected += len(rejects)
    for reject in rejects:
        tell.rejected(reject)
        if len(report.rejects) < REJECTS_IN_REPORT:
            report.rejects.append(reject)


def _store_carried(store: Store, report: IngestReport, carried: list[CarriedRecord]) -> list[RejectedRecord]:
    """Store an export's synonyms, saved searches, … (after the articles before them); the rejects of those
    that cannot be."""
    rejects = []
    for record in carried:
        stored = patiently(load_carried, store, record.kind, record.fields, utc_now())
        if isinstance(stored, str):
            rejects.append(RejectedRecord(record.origin_file, record.origin_record, stored))
        elif stored:  # (counted when it changed something: the built-in synonym groups are in every archive)
            report.carried[record.kind] = report.carried.get(record.kind, 0) + 1
    return rejects


Batch = tuple[list[ArticleRecord], list[RejectedRecord], list[CarriedRecord]]


def _batches(records: Iterable[Record]) -> Iterator[Batch]:
    batch: list[ArticleRecord] = []
    rejects: list[RejectedRecord] = []
    carried: list[CarriedRecord] = []
    for record in records:
        if isinstance(record, CarriedRecord):
            carried.append(record)
            continue
        problem = record if isinstance(record, RejectedRecord) else _check(record)
        if problem is not None:
            rejects.append(problem)
        elif isinstance(record, ArticleRecord):
            batch.append(record)
        if len(batch) >= BATCH_SIZE or len(rejects) >= BATCH_SIZE or len(carried) >= BATCH_SIZE:
            yield batch, rejects, carried
            batch, rejects, carried = [], [], []
    if batch or rejects or carried:
        yield batch, rejects, carried
