"""``archive follow`` (the sources an archive collects from) and ``archive fetch`` (collect now)."""

# (No `from __future__ import annotations`: Typer reads the annotations; see app.py.)

import dataclasses
import sys
from datetime import UTC, datetime
from typing import Annotated

import typer

from archive.cli.app import _archive, _reporting, app
from archive.cli.output import OutputFormat, print_json

follow_app = typer.Typer(
    help="The feeds, sitemaps and section pages the archive collects from (`archive fetch` fetches them).",
    no_args_is_help=True,
    rich_markup_mode=None,
)

#: Exit status of a fetch in which something failed (as an ingest with rejects).
EXIT_FAILED = 3
#: Failures a fetch prints (all are kept: `follow show`, `archive rejects`).
FAILURES_SHOWN = 10


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else "never"


def describe_every(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


def _hours(seconds: float) -> str:
    return f"{seconds / 3600:.0f} h" if seconds >= 3600 else f"{seconds / 60:.0f} min"


@follow_app.command("add")
@_reporting
def follow_add(
    ctx: typer.Context,
    url: Annotated[str, typer.Argument(help="An RSS or Atom feed, a sitemap (index, Google News) or a section page.")],
    name: Annotated[str | None, typer.Option("--name", help="What to call it (default: its host).")] = None,
    every: Annotated[str, typer.Option("--every", help="How often to fetch it: 30m, 2h, 1d.")] = "30m",
) -> None:
    """Follow a source: `archive fetch` (cron) or `archive serve --follow` collects its new articles."""
    source = _archive(ctx).follow_add(url, name, every)
    typer.echo(
        f"following {source.name} ({source.url}) every {describe_every(source.every_seconds)}; "
        f"`archive fetch {source.name}` fetches it now"
    )


FormatOption = Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")]


@follow_app.command("list")
@_reporting
def follow_list(ctx: typer.Context, output: FormatOption = OutputFormat.text) -> None:
    """The followed sources: last fetch, status, new articles, pages waiting, next due (times in UTC)."""
    from archive.api import CollectSettings

    sources = _archive(ctx).follow_list()
    if output is OutputFormat.json:
        print_json([dataclasses.asdict(source) for source in sources])
        return
    if not sources:
        typer.echo("the archive follows no source; `archive follow add URL` adds one")
        return
    now, flag_after = datetime.now(UTC).replace(tzinfo=None), CollectSettings().failing_flag_seconds
    rows = [("name", "kind", "every", "last fetch (UTC)", "status", "new", "waiting", "stored", "next due")]
    for s in sources:
        due = "now" if s.next_due <= now else _when(s.next_due)
        rows.append(
            (
                s.name,
                s.kind or "?",
                describe_every(s.every_seconds),
                _when(s.last_fetch_at),
                s.last_status or "-",
                str(s.last_new),
                str(s.waiting),
                str(s.stored),
                due,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        typer.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    for s in sources:
        failing = s.failing_for(now)
        if failing >= flag_after:
            typer.echo(
                f"FAILING: {s.name} has failed every fetch for {_hours(failing)} (since {_when(s.failing_since)} UTC): "
                f"{s.last_error}; `archive follow show {s.name}`",
                err=True,
            )


@follow_app.command("show")
@_reporting
def follow_show(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The source's name (`archive follow list`).")],
    limit: Annotated[int, typer.Option("--limit", help="Fetches shown.", min=1)] = 10,
    output: FormatOption = OutputFormat.text,
) -> None:
    """One source: its address, schedule, recent fetches and the pages that failed, with why."""
    source, fetches, failures = _archive(ctx).follow_show(name, limit)
    if output is OutputFormat.json:
        shown = dataclasses.asdict(source)
        shown["fetches"] = [dataclasses.asdict(f) for f in fetches]
        shown["failures"] = [dataclasses.asdict(f) for f in failures]
        print_json(shown)
        return
    typer.echo(f"{source.name}: {source.url}")
    typer.echo(f"kind: {source.kind or 'not fetched yet'} · every {describe_every(source.every_seconds)}")
    typer.echo(f"next due: {_when(source.next_due)} UTC · pages waiting: {source.waiting} · stored: {source.stored}")
    if source.failing_since:
        typer.echo(f"failing since {_when(source.failing_since)} UTC: {source.last_error}")
    typer.echo("")
    typer.echo("recent fetches (UTC):" if fetches else "not fetched yet")
    for f in fetches:
        code = f" HTTP {f.http_status}" if f.http_status else ""
        line = f"  {_when(f.started_at)}  {f.status}{code}, listed {f.listed}, new {f.new_articles}, failed {f.failed}"
        typer.echo(line + (f": {f.reason}" if f.reason else ""))
    if failures:
        typer.echo("")
        typer.echo("pages that failed (tried again at the next fetch, up to 5 times):")
        for failure in failures:
            typer.echo(f"  {failure.url} [{failure.status}, {failure.attempts}×]: {failure.reason}")


@follow_app.command("remove")
@_reporting
def follow_remove(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help="The source's name (`archive follow list`).")]
) -> None:
    """Stop following a source; the articles collected from it stay."""
    _archive(ctx).follow_remove(name)
    typer.echo(f"no longer following {name}")


@_reporting
def fetch(
    ctx: typer.Context,
    names: Annotated[
        list[str] | None, typer.Argument(help="Sources to fetch now, due or not (default: every source due).")
    ] = None,
    delay: Annotated[
        float, typer.Option("--delay", help="Seconds between two requests to one site (robots.txt may ask more).")
    ] = 2.0,
    concurrency: Annotated[
        int, typer.Option("--concurrency", help="Requests in flight at once, over all sites.", min=1, max=32)
    ] = 4,
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds to wait for an answer.")] = 20.0,
) -> None:
    """Fetch the followed sources that are due (or those named) and store their new articles, then exit: for
    cron and systemd timers."""
    from archive.api import CollectSettings
    from archive.cli.output import counted, shell_word

    archive = _archive(ctx)
    options = CollectSettings(host_delay=max(0.0, delay), concurrency=concurrency, timeout=timeout)
    pages = [0]

    def told(_url: str) -> None:
        pages[0] += 1
        if sys.stderr.isatty():
            sys.stderr.write(f"\rpages done: {pages[0]}")
            sys.stderr.flush()

    report = archive.fetch(names or [], options, told)
    if sys.stderr.isatty() and pages[0]:
        sys.stderr.write("\n")
    for name, run in report.busy:
        typer.echo(f"{name}: left to the fetch under way (run {run}, `archive history`)", err=True)
    if report.run_id is None:
        if not report.busy:
            typer.echo(
                "nothing is due; `archive follow list` shows when each source is, `archive fetch NAME` fetches one now"
            )
        return
    for s in report.sources:
        line = f"{s.name}: {s.status}, listed {s.listed}, new {s.new_articles}, failed {s.failed}"
        typer.echo(line + (f" ({s.reason})" if s.reason else ""))
    typer.echo(report.summary)
    for url, reason in report.failures[:FAILURES_SHOWN]:
        typer.echo(f"failed: {url}: {reason}", err=True)
    if report.interrupted:
        typer.echo("interrupted: what is stored stays; the next `archive fetch` finishes the rest", err=True)
        raise typer.Exit(code=130)
    if report.counts.added or report.counts.updated:
        for news in archive.watch_news(report.run_id):
            typer.echo(f"{news.search.name}: {news.new} new (`archive watch show {shell_word(news.search.name)}`)")
    if report.counts.rejected:
        typer.echo(
            f"{counted(report.counts.rejected, 'failure')}; `archive follow show NAME` and `archive rejects` list them",
            err=True,
        )
        raise typer.Exit(code=EXIT_FAILED)


app.add_typer(follow_app, name="follow")
app.command("fetch")(fetch)
