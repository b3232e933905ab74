"""The ``archive`` command: parses options, calls one library function, prints the result."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from archive.config import DB_URL_ENV, HOME_ENV, Settings, resolve_settings
from archive.errors import ArchiveError

app = typer.Typer(
    help="A searchable archive of Hindi news. Ingest article files, then search them in Devanagari.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
app.add_typer(db_app, name="db")


class OutputFormat(StrEnum):
    text = "text"
    json = "json"


FormatOption = Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")]


def _settings(ctx: typer.Context) -> Settings:
    settings: Settings = ctx.obj
    return settings


def _fail(error: ArchiveError) -> NoReturn:
    typer.echo(f"Error: {error}", err=True)
    raise typer.Exit(code=error.exit_code)


def _print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


@app.callback()
def main_options(
    ctx: typer.Context,
    home: Annotated[
        Path | None,
        typer.Option(
            "--home",
            help=f"Directory holding the archive (database and index). Default: ${HOME_ENV}, "
            "else a per-user data directory.",
            file_okay=False,
        ),
    ] = None,
    db: Annotated[
        str | None,
        typer.Option("--db", help=f"Database URL instead of <home>/archive.db (also ${DB_URL_ENV})."),
    ] = None,
) -> None:
    ctx.obj = resolve_settings(home, db)


@app.command()
def ingest(
    ctx: typer.Context,
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Files or directories to read (.txt, .jsonl, .jsonl.gz). Default: the bundled seed articles.",
            exists=True,
            readable=True,
        ),
    ] = None,
) -> None:
    """Store the articles in PATHS and index them. Re-ingesting the same articles changes nothing.

    Exit code 0 when every record was stored or already there, 1 when some were rejected.
    """
    from archive.ingest import ingest as run_ingest

    def report_reject(reject: Any) -> None:
        typer.echo(f"rejected: {reject.describe()}", err=True)

    try:
        report = run_ingest(_settings(ctx), paths or [], on_reject=report_reject)
    except ArchiveError as error:
        _fail(error)
    typer.echo(report.summary)
    if report.rejected:
        raise typer.Exit(code=1)


@app.command()
def search(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="Words to find. Example: लावरोव, or 'रूस AND \"शिखर सम्मेलन\"'.")],
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="Most results to show.")] = 10,
    output: FormatOption = OutputFormat.text,
) -> None:
    """Search the archive. Words are ANDed; OR, NOT, "exact phrases" and title:word also work.

    Examples: archive search लावरोव; archive search 'जयशंकर OR लावरोव'; archive search 'title:रूस'.
    """
    from archive.search import search as run_search

    try:
        results = run_search(_settings(ctx), query, limit=limit)
    except ArchiveError as error:
        _fail(error)
    if output is OutputFormat.json:
        _print_json(
            {
                "query": results.query,
                "total": results.total,
                "expanded": results.expanded,
                "suggestions": results.suggestions,
                "hits": [
                    {
                        "id": hit.id,
                        "url": hit.url,
                        "title": hit.title,
                        "source": hit.source,
                        "category": hit.category,
                        "date": hit.date.isoformat() if hit.date else None,
                        "score": hit.score,
                        "snippet": hit.snippet_text(),
                    }
                    for hit in results.hits
                ],
            }
        )
        return
    colour = sys.stdout.isatty()
    noun = "article" if results.total == 1 else "articles"
    typer.echo(f"{results.total} {noun} match {results.query!r}" + (":" if results.hits else "."))
    if results.expanded:
        typer.echo("searched: " + ", ".join(results.expanded))
    if results.suggestions:
        typer.echo("did you mean: " + ", ".join(results.suggestions))
    for rank, hit in enumerate(results.hits, start=1):
        typer.echo("")
        typer.echo(f"{rank}. " + typer.style(hit.title, bold=True) if colour else f"{rank}. {hit.title}")
        meta = " · ".join(
            part for part in (hit.source, hit.date.isoformat() if hit.date else None, f"id {hit.id}") if part
        )
        typer.echo(f"   {meta}")
        if colour:
            snippet = hit.snippet_text(typer.style("", fg="yellow", bold=True)[:-4], "\x1b[0m")
        else:
            snippet = hit.snippet_text()
        typer.echo(f"   {snippet}")


@app.command()
def show(
    ctx: typer.Context,
    article_id: Annotated[int, typer.Argument(metavar="ID", help="Article id, as shown by search.")],
    output: FormatOption = OutputFormat.text,
) -> None:
    """Print one stored article."""
    from archive.admin import show as load

    try:
        article = load(_settings(ctx), article_id)
    except ArchiveError as error:
        _fail(error)
    fields = {
        "id": article.id,
        "url": article.url,
        "title": article.title,
        "source": article.source,
        "category": article.category,
        "date": article.published.isoformat() if article.published else None,
        "language": article.language,
        "summary": article.summary,
        "body": article.body,
        "content_hash": article.content_hash,
        "ingested_at": article.ingested_at.isoformat(timespec="seconds"),
        "updated_at": article.updated_at.isoformat(timespec="seconds"),
        "origin": {"file": article.origin_file, "record": article.origin_record},
    }
    if output is OutputFormat.json:
        _print_json(fields)
        return
    typer.echo(article.title)
    for key in ("id", "source", "date", "category", "url", "language"):
        if fields[key] is not None:
            typer.echo(f"{key}: {fields[key]}")
    typer.echo(f"from: {article.origin_file} (record {article.origin_record})")
    if article.summary:
        typer.echo(f"\n{article.summary}")
    typer.echo(f"\n{article.body}")


@app.command()
def stats(ctx: typer.Context, output: FormatOption = OutputFormat.text) -> None:
    """Counts: articles, sources, date range, index size, and whether the index is in step."""
    from archive.admin import stats as collect

    try:
        result = collect(_settings(ctx))
    except ArchiveError as error:
        _fail(error)
    data = asdict(result) | {"in_step": result.in_step}
    if output is OutputFormat.json:
        _print_json(data)
        return
    dates = f"{result.first_date} … {result.last_date}" if result.first_date else "none known"
    lines = [
        f"archive:   {result.home}",
        f"database:  {result.database}",
        f"articles:  {result.articles}",
        f"sources:   {result.sources}",
        f"dates:     {dates}",
        f"indexed:   {result.indexed} ({result.index_bytes / 1e6:.1f} MB)",
        "in step:   yes"
        if result.in_step
        else f"in step:   no ({result.pending} waiting; the next search or ingest catches up, "
        "or run `archive reindex`)",
    ]
    typer.echo("\n".join(lines))


@app.command()
def reindex(ctx: typer.Context) -> None:
    """Rebuild the search index from the database (after an analyzer upgrade, or if it was damaged)."""
    from archive.admin import reindex as rebuild

    try:
        count = rebuild(_settings(ctx))
    except ArchiveError as error:
        _fail(error)
    typer.echo(f"indexed {count} articles")


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Create the database if needed and apply all schema migrations (opening an archive does this too)."""
    from archive.admin import upgrade_database

    try:
        revision = upgrade_database(_settings(ctx))
    except ArchiveError as error:
        _fail(error)
    typer.echo(f"database at schema revision {revision}")


def main() -> None:
    try:
        app()
    except Exception as error:  # a bug of ours: one line for the user, the traceback on request
        if os.environ.get("ARCHIVE_DEBUG"):
            raise
        typer.echo(
            f"Unexpected error: {type(error).__name__}: {error}. "
            "Run again with ARCHIVE_DEBUG=1 for the details, and please report it.",
            err=True,
        )
        sys.exit(70)
