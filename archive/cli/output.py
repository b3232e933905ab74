"""Printing what the archive answers: as text for a terminal, or as JSON, JSON Lines and CSV for programs."""

from __future__ import annotations

import json
import sys
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from archive.api import ArchiveStats, Article, CheckReport, Hit, IngestRun, Reject, SearchResults


class OutputFormat(StrEnum):
    text = "text"
    json = "json"


class ResultFormat(StrEnum):
    text = "text"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"


class DateStyle(StrEnum):
    iso = "iso"
    hindi = "hindi"


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def show_date(value: date | None, style: DateStyle) -> str | None:
    if value is None:
        return None
    if style is DateStyle.iso:
        return value.isoformat()
    from archive.readers.dates import format_hindi_date

    return format_hindi_date(value)


def _hit_row(hit: Hit, dates: DateStyle) -> dict[str, Any]:
    return {
        "id": hit.id,
        "url": hit.url,
        "title": hit.title,
        "source": hit.source,
        "category": hit.category,
        "date": show_date(hit.date, dates),
        "score": hit.score,
        "snippet": hit.snippet_text(),
        "also_in": list(hit.also_in),
    }


def print_results(results: SearchResults, output: ResultFormat, dates: DateStyle) -> None:
    rows = [_hit_row(hit, dates) for hit in results.hits]
    facets = {name: [{"value": f.value, "count": f.count} for f in counts] for name, counts in results.facets.items()}
    if output is ResultFormat.json:
        print_json(
            {
                "query": results.query,
                "total": results.total,
                "page": results.page,
                "limit": results.limit,
                "expanded": results.expanded,
                "suggestions": results.suggestions,
                "facets": facets,
                "hits": rows,
            }
        )
        return
    if output is ResultFormat.jsonl:
        for row in rows:
            typer.echo(json.dumps(row, ensure_ascii=False))
        return
    if output is ResultFormat.csv:
        import csv

        fields = ["id", "url", "title", "source", "category", "date", "score", "snippet", "also_in"]
        writer = csv.DictWriter(sys.stdout, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow(row | {"also_in": "; ".join(row["also_in"])})
        return
    _print_text(results, rows, facets)


def _print_text(results: SearchResults, rows: list[dict[str, Any]], facets: dict[str, list[dict[str, Any]]]) -> None:
    import shutil
    import textwrap

    colour = sys.stdout.isatty()
    width = max(40, min(shutil.get_terminal_size((100, 20)).columns, 120))
    noun = "article" if results.total == 1 else "articles"
    shown = f" (page {results.page})" if results.page > 1 else ""
    typer.echo(f"{results.total} {noun} match {results.query!r}{shown}" + (":" if results.hits else "."))
    if results.expanded:
        typer.echo("searched: " + ", ".join(results.expanded))
    if results.suggestions:
        typer.echo("did you mean: " + ", ".join(results.suggestions))
    for name, counts in facets.items():
        typer.echo(f"\n{name}:")
        for entry in counts[:15]:
            typer.echo(f"  {entry['count']:>6}  {entry['value']}")
    first = (results.page - 1) * results.limit + 1
    for rank, (hit, row) in enumerate(zip(results.hits, rows, strict=True), start=first):
        typer.echo("")
        title = f"{rank}. {hit.title}"
        typer.echo(typer.style(title, bold=True) if colour else title)
        meta = " · ".join(str(p) for p in (hit.source, row["date"], f"id {hit.id}") if p)
        typer.echo(f"   {meta}")
        if hit.also_in:
            typer.echo(f"   also in: {', '.join(hit.also_in)}")
        marked = hit.snippet_text("\x1b[1;33m", "\x1b[0m") if colour else hit.snippet_text()
        # wrap on the plain text, then put the colour back: escape codes have no width
        for line in textwrap.wrap(marked, width=width - 3) if not colour else [marked]:
            typer.echo(f"   {line}")


def print_article(article: Article, output: OutputFormat) -> None:
    fields = article.to_dict()
    if output is OutputFormat.json:
        print_json(fields)
        return
    typer.echo(article.title)
    for key in ("id", "source", "author", "date", "category", "url", "language"):
        if fields[key] is not None:
            typer.echo(f"{key}: {fields[key]}")
    typer.echo(f"from: {article.origin_file} (record {article.origin_record})")
    if article.summary:
        typer.echo(f"\n{article.summary}")
    typer.echo(f"\n{article.body}")


def print_stats(result: ArchiveStats, output: OutputFormat) -> None:
    if output is OutputFormat.json:
        print_json(result.to_dict())
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


def print_rejects(found: list[Reject], output: OutputFormat) -> None:
    rows = [r.to_dict() for r in found]
    if output is OutputFormat.json:
        print_json(rows)
        return
    if not rows:
        typer.echo("No rejected records.")
    for row in rows:
        typer.echo(f"run {row['run']} · {row['file']}, record {row['record']}: {row['reason']}")
        if row["context"]:
            typer.echo(f"    {' '.join(str(row['context']).split())[:160]}")


def print_history(runs: list[IngestRun], output: OutputFormat) -> None:
    # (a run that is still "running" but is not, was killed)
    rows = [r.to_dict() for r in runs]
    if output is OutputFormat.json:
        print_json(rows)
        return
    for row in rows:
        counts = ", ".join(f"{k} {row[k]}" for k in ("added", "updated", "unchanged", "duplicates", "rejected"))
        typer.echo(f"run {row['run']} · {row['started']} → {row['finished'] or '…'} · {row['status']} · {counts}")
        typer.echo(f"    {' '.join(row['paths'])}")


def print_check(report: CheckReport, output: OutputFormat) -> None:
    if output is OutputFormat.json:
        print_json(report.to_dict())
        return
    typer.echo(f"articles {report.articles}, indexed {report.indexed}")
    kinds = (("missing from the index", report.missing), ("extra from the index", report.extra))
    for label, ids in (*kinds, ("out of date", report.stale)):
        if ids:
            shown = ", ".join(map(str, ids[:10])) + (" …" if len(ids) > 10 else "")
            typer.echo(f"{label}: {len(ids)} ({shown})")
    if report.pending:
        typer.echo(f"waiting to be indexed: {report.pending}")
    if report.problem:
        typer.echo(f"index unusable: {report.problem}")
    if report.healthy:
        typer.echo("the index agrees with the database")
    elif report.repaired:
        typer.echo("repaired: the index now agrees with the database")
    else:
        typer.echo("run `archive check --repair` to fix this")
