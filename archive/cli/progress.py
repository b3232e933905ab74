"""Feedback while ingesting or reindexing: a progress bar on a terminal, plain lines on stderr otherwise.

The ingest bar measures bytes read of all the files, which is what the time left depends on (a count
of files is not: one file may hold all the articles), and shows the articles stored and their rate; it
then turns into a bar over the final indexing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from archive.api import RejectedRecord, RunCounts, SilentProgress


class _Lines(SilentProgress):
    """Line-oriented feedback for pipes and logs: one line per rejected record."""

    def rejected(self, reject: RejectedRecord) -> None:
        typer.echo(f"rejected: {reject.describe()}", err=True)


def _stored(counts: RunCounts) -> int:
    return counts.added + counts.updated + counts.unchanged + counts.duplicates


class _Bar(_Lines):
    """A bar over the bytes of the input, then over the articles to index."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.reading: TaskID = progress.add_task("reading", total=None, records="", amount="")
        self.total_bytes: int | None = None
        self.index_task: TaskID | None = None

    def files_found(self, total: int, total_bytes: int | None) -> None:
        self.total_bytes = total_bytes
        self.progress.update(self.reading, total=total_bytes)

    def file_started(self, path: Path) -> None:
        name = path.name
        self.progress.update(self.reading, description=name if len(name) <= 28 else "…" + name[-27:])

    def read(self, counts: RunCounts, bytes_read: int) -> None:
        done = _stored(counts)
        elapsed = self.progress.tasks[self.reading].elapsed or 0.0
        rate = f" · {done / elapsed:,.0f}/s" if elapsed > 1 else ""
        rejected = f" · {counts.rejected:,} rejected" if counts.rejected else ""
        of = f"/{_megabytes(self.total_bytes)}" if self.total_bytes else ""
        self.progress.update(
            self.reading,
            completed=bytes_read,
            amount=f"{_megabytes(bytes_read)}{of} MB",
            records=f"{done:,} articles{rate}{rejected}",
        )

    def rejected(self, reject: RejectedRecord) -> None:
        self.progress.console.print(f"rejected: {reject.describe()}", markup=False, highlight=False)

    def indexing(self, done: int, total: int) -> None:
        if self.index_task is None:
            self.progress.update(self.reading, visible=False)
            self.index_task = self.progress.add_task("indexing", total=total, records="", amount="")
        self.progress.update(self.index_task, completed=done, total=total, amount=f"{done:,}/{total:,} articles")


_COLUMNS = (
    TextColumn("{task.description:<28}"),
    BarColumn(bar_width=24),
    TextColumn("{task.fields[amount]}"),
    TextColumn("{task.fields[records]}"),
    TimeElapsedColumn(),
    TextColumn("·"),
    TimeRemainingColumn(),
    TextColumn("left"),
)


def _megabytes(count: int) -> str:
    return f"{count / 1e6:,.1f}"


@contextmanager
def ingest_progress(*, show_bar: bool) -> Iterator[_Lines]:
    if not show_bar:
        yield _Lines()
        return
    with Progress(*_COLUMNS, console=Console(stderr=True), transient=True) as progress:
        yield _Bar(progress)


class _IndexBar(SilentProgress):
    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task = progress.add_task("indexing", total=None)

    def indexing(self, done: int, total: int) -> None:
        self.progress.update(self.task, completed=done, total=total)


@contextmanager
def index_progress(*, show_bar: bool) -> Iterator[SilentProgress]:
    """A bar over the articles a reindex writes (nothing when not on a terminal)."""
    if not show_bar:
        yield SilentProgress()
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(bar_width=30),
        MofNCompleteColumn(),
        TextColumn("articles"),
        TimeElapsedColumn(),
        TextColumn("·"),
        TimeRemainingColumn(),
        TextColumn("left"),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        yield _IndexBar(progress)
