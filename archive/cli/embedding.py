"""``archive embed``: vectors for search by meaning, with a bar and the time left on a terminal."""

import sys
from typing import Annotated

import typer

from archive.cli.app import _archive, _reporting, app
from archive.cli.output import counted


@app.command()
@_reporting
def embed(
    ctx: typer.Context,
    limit: Annotated[int | None, typer.Option("--limit", "-n", min=1, help="Embed at most this many articles.")] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", min=1, help="Processes embedding at once (default: one per core).")
    ] = None,
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Delete every vector and embed all again (after changing the model).")
    ] = False,
) -> None:
    """Compute the vectors that search by meaning uses, for the articles without a current one (new or updated
    since). Stop it at any time: what it saved stays, and the next run goes on from there."""
    # (rich's bar only here: importing it costs every command's start-up ~50 ms, and this module is loaded by all)
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("embedding"),
        BarColumn(bar_width=30),
        MofNCompleteColumn(),
        TextColumn("articles"),
        TimeElapsedColumn(),
        TextColumn("·"),
        TimeRemainingColumn(),
        TextColumn("left"),
    )
    archive = _archive(ctx)
    if sys.stderr.isatty():
        with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
            task = progress.add_task("embedding", total=None)
            report = archive.embed(
                limit=limit,
                workers=workers,
                rebuild=rebuild,
                progress=lambda done, total: progress.update(task, completed=done, total=total),
            )
    else:
        report = archive.embed(limit=limit, workers=workers, rebuild=rebuild)
    share = report.current / report.articles if report.articles else 1.0
    typer.echo(
        f"embedded {counted(report.embedded, 'article')}; {report.current:,} of {report.articles:,} "
        f"({share:.0%}) have a vector of {report.model.name}"
        + ("" if report.current == report.articles else "; `archive embed` goes on")
    )
    if report.interrupted:
        raise typer.Exit(130)
