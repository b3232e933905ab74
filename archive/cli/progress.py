"""Feedback while ingesting: a progress bar on a terminal, plain lines on stderr otherwise."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from archive.api import RunCounts, SilentProgress
from archive.readers import RejectedRecord


class _Lines(SilentProgress):
    """Line-oriented feedback for pipes and logs: one line per rejected record."""

    def rejected(self, reject: RejectedRecord) -> None:
        typer.echo(f"rejected: {reject.describe()}", err=True)


class _Bar(_Lines):
    """A bar over files, with records stored so far and their rate."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task = progress.add_task("reading", total=None, records="")
        self.started = False

    def files_found(self, total: int) -> None:
        self.progress.update(self.task, total=total)

    def file_started(self, path: Path) -> None:
        if self.started:
            self.progress.advance(self.task)
        self.started = True
        self.progress.update(self.task, description=path.name[-40:])

    def counts_changed(self, counts: RunCounts) -> None:
        done = counts.added + counts.updated + counts.unchanged + counts.duplicates
        elapsed = self.progress.tasks[0].elapsed or 0.0
        rate = f", {done / elapsed:,.0f}/s" if elapsed > 1 else ""
        self.progress.update(self.task, records=f"{done:,} records, {counts.rejected:,} rejected{rate}")

    def rejected(self, reject: RejectedRecord) -> None:
        self.progress.console.print(f"rejected: {reject.describe()}", markup=False, highlight=False)


@contextmanager
def ingest_progress(*, show_bar: bool) -> Iterator[_Lines]:
    if not show_bar:
        yield _Lines()
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("files · {task.fields[records]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        bar = _Bar(progress)
        yield bar
        progress.update(bar.task, completed=progress.tasks[0].total or 0)
