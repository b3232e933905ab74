"""Printing what the archive answers: as text for a terminal, or as JSON, JSON Lines and CSV for programs."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from collections.abc import Sequence

    from archive.api import (
        ArchiveStats,
        Article,
        CheckReport,
        Hit,
        IngestRun,
        KwicLine,
        NodeStatus,
        Outlet,
        Reject,
        SavedSearch,
        SearchedPart,
        SearchResults,
        SignificantTerms,
        Snippet,
        Trend,
        WatchCount,
    )


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


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """``count`` and the noun in the right number.

    >>> counted(1, "record"), counted(2, "record"), counted(0, "story", "stories")
    ('1 record', '2 records', '0 stories')
    """
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


def shell_word(text: str) -> str:
    """``text`` as a command's argument in a shell: quoted only when it has to be, after ``--`` when it
    starts like an option.

    >>> shell_word("नोटबंदी"), shell_word("जनसत्ता में"), shell_word("-x")
    ('नोटबंदी', "'जनसत्ता में'", '-- -x')
    """
    import re
    import shlex

    quoted = shlex.quote(text) if re.search(r"[\s'\"$`\\!*?;&|<>(){}\[\]#~]", text) or not text else text
    return "-- " + quoted if text.startswith("-") else quoted  # (else read as an option)


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def show_date(value: date | None, style: DateStyle) -> str | None:
    if value is None:
        return None
    if style is DateStyle.iso:
        return value.isoformat()
    from archive.api import format_hindi_date

    return format_hindi_date(value)


def _hit_row(hit: Hit, dates: DateStyle) -> dict[str, Any]:
    return hit.to_row(show_date(hit.date, dates))


def print_results(results: SearchResults, output: ResultFormat, dates: DateStyle, *, bom: bool = True) -> None:
    facets = {name: [{"value": f.value, "count": f.count} for f in counts] for name, counts in results.facets.items()}
    if output is ResultFormat.json:
        print_json(results.to_dict(lambda hit: _hit_row(hit, dates)))
        return
    if output in (ResultFormat.jsonl, ResultFormat.csv):
        stream_hits(results.hits, output, dates, bom=bom)
        return
    _print_text(results, dates, facets)


def stream_hits(hits: Iterable[Hit], output: ResultFormat, dates: DateStyle, *, bom: bool = True) -> int:
    """Write hits as JSON Lines or CSV as they come (a whole result set never sits in memory); returns
    how many. CSV starts with a UTF-8 byte-order mark unless ``bom`` is false: without it Excel reads the
    file as the local code page and shows Devanagari as mojibake (LibreOffice and Python's csv with
    ``utf-8-sig`` read it either way)."""
    count = 0
    if output is ResultFormat.csv:
        from archive.api import HIT_FIELDS, hit_csv_row
        from archive.sheets import csv_lines

        out = sys.stdout

        def rows() -> Iterator[dict[str, Any]]:
            nonlocal count
            for hit in hits:
                yield hit_csv_row(_hit_row(hit, dates))
                count += 1

        for line in csv_lines(rows(), HIT_FIELDS, bom=bom):
            out.write(line)
        out.flush()
        return count
    for hit in hits:
        typer.echo(json.dumps(_hit_row(hit, dates), ensure_ascii=False))
        count += 1
    return count


def _terminal_width() -> int:
    import shutil

    return max(40, min(shutil.get_terminal_size((100, 20)).columns, 120))


def _marks(colour: bool) -> tuple[str, str]:
    """What a matched word is put between: colour on a terminal, ``**`` in a pipe."""
    return ("\x1b[1;33m", "\x1b[0m") if colour else ("**", "**")


def _print_text(results: SearchResults, dates: DateStyle, facets: dict[str, list[dict[str, Any]]]) -> None:
    shown = f" (page {results.page})" if results.page > 1 else ""
    verb = "matches" if results.total == 1 else "match"
    asked = "the filters" if results.browsing else repr(_shortened(results.query))
    typer.echo(f"{counted(results.total, 'article')} {verb} {asked}{shown}" + (":" if results.hits else "."))
    for note in results.notes:
        typer.echo("note: " + note)
    if results.searched:
        typer.echo("searched: " + "; ".join(_searched_part(part) for part in results.searched))
    if results.suggestions:
        typer.echo("did you mean: " + ", ".join(results.suggestions))
    for name, counts in facets.items():
        typer.echo(f"\n{name}:")
        for entry in counts[:15]:
            typer.echo(f"  {entry['count']:>6}  {entry['value']}")
    _print_hits(results.hits, dates, first=(results.page - 1) * results.limit + 1)


#: The parts of a score ``--explain`` lists (the largest), one a line.
EXPLAINED_PARTS = 8
#: A query echoed longer than this (a pasted passage) is cut, with its length said.
ECHOED_CHARS = 80


def _shortened(query: str) -> str:
    """A query as the first line repeats it: a pasted passage by its first words and its length."""
    flat = " ".join(query.split())
    return flat if len(flat) <= ECHOED_CHARS else f"{flat[:ECHOED_CHARS]}… ({len(query)} characters)"


def _searched_part(part: SearchedPart) -> str:
    """A word or phrase as it was searched: exactly, or in the forms the archive holds."""
    if part.exact:
        return f'"{part.text}" exactly as typed'
    if " " in part.text:
        return ", ".join(f'"{form}"' for form in part.forms) + " in any spelling or inflection"
    return ", ".join(part.forms) if part.forms else f"{part.text} (not in the archive)"


def _print_hits(hits: Sequence[Hit], dates: DateStyle, first: int = 1) -> None:
    """Hits as a terminal shows them: numbered, bold titles, outlet, date and id, the snippet wrapped."""
    from archive.cli.wrapping import wrap_marked

    colour = sys.stdout.isatty()
    width = _terminal_width()
    for rank, hit in enumerate(hits, start=first):
        typer.echo("")
        title = f"{rank}. {hit.title}"
        typer.echo(typer.style(title, bold=True) if colour else title)
        found = "found by meaning" if hit.by_meaning else None
        meta = " · ".join(str(p) for p in (hit.source, show_date(hit.date, dates), f"id {hit.id}", found) if p)
        typer.echo(f"   {meta}")
        if hit.also_in:
            typer.echo(f"   also in: {', '.join(hit.also_in)}")
        for line in wrap_marked(hit.snippet, width - 3, *_marks(colour)):
            typer.echo(f"   {line}")
        if hit.explanation:
            typer.echo(f"   why: score {hit.score:.4g}, the sum of")
            for part in hit.explanation[:EXPLAINED_PARTS]:
                typer.echo(f"   {part.score:>9.4g}  {part.describe(scored=False)}")
            if len(hit.explanation) > EXPLAINED_PARTS:
                rest = hit.explanation[EXPLAINED_PARTS:]
                typer.echo(
                    f"   {sum(p.score for p in rest):>9.4g}  {len(rest)} smaller parts (--format json lists them)"
                )


def print_article(article: Article, output: OutputFormat, marked: Sequence[Snippet] | None = None) -> None:
    """One article; with ``marked`` (its title, summary and body as :meth:`Archive.highlight` marks them),
    the words of a query marked."""
    fields = article.to_dict()
    if output is OutputFormat.json:
        if marked is not None:  # where the query's words are in each text (character offsets, end exclusive)
            from archive.api import marked_spans

            fields["highlights"] = dict(zip(("title", "summary", "body"), map(marked_spans, marked), strict=True))
        print_json(fields)
        return
    from archive.cli.wrapping import wrap_marked

    colour = sys.stdout.isatty()
    width = _terminal_width()
    marks = _marks(colour)
    title, summary, body = marked or (
        [(article.title, False)],
        [(article.summary or "", False)],
        [(article.body, False)],
    )
    typer.echo("\n".join(wrap_marked(title, width, *marks)))
    for key in ("id", "source", "author", "date", "category", "url", "language"):
        if fields[key] is not None:
            typer.echo(f"{key}: {fields[key]}")
    if article.notes:
        typer.echo("notes:")
        for note in article.notes.splitlines():
            typer.echo(f"  - {note}")
    origins = fields["origins"]
    typer.echo(f"read from {counted(len(origins), 'record')}:" if len(origins) > 1 else "read from:")
    for origin in origins:
        extra = " · ".join(str(origin[k]) for k in ("source", "date", "url") if k in origin)
        typer.echo(f"  {origin['file']}, record {origin['record']}" + (f" · {extra}" if extra else ""))
    from archive.sheets import paragraphs

    for text in (summary, body):
        shown = [wrap_marked(p, width, *marks) for p in paragraphs(text)]
        if any(shown):
            typer.echo("")
            typer.echo("\n".join("\n".join(lines) for lines in shown))


def print_outlets(outlets: Sequence[Outlet], output: OutputFormat) -> None:
    if output is OutputFormat.json:
        print_json(
            [
                {
                    "name": o.name,
                    "articles": o.articles,
                    "spellings": [{"name": n, "articles": c} for n, c in o.spellings],
                    "misprints": list(o.misprints),
                }
                for o in outlets
            ]
        )
        return
    if not outlets:
        typer.echo("No article names an outlet.")
        return
    typer.echo(f"{counted(len(outlets), 'outlet')} (--source takes any spelling shown):")
    width = len(f"{outlets[0].articles:,}")
    for outlet in outlets:
        typer.echo(f"  {outlet.articles:>{width},}  {outlet.name}")
        others = [
            f"{name} ({count:,})"
            for name, count in outlet.spellings
            if name != outlet.name and name not in outlet.misprints
        ]
        if others:
            typer.echo(f"  {'':>{width}}    also printed as: " + ", ".join(others))
        slips = [f"{name} ({count:,})" for name, count in outlet.spellings if name in outlet.misprints]
        if slips:
            typer.echo(f"  {'':>{width}}    merged as a misprint: " + ", ".join(slips) + " (--unmerge NAME undoes)")


def print_stats(result: ArchiveStats, output: OutputFormat) -> None:
    if output is OutputFormat.json:
        print_json(result.to_dict())
        return
    dates = f"{result.first_date} … {result.last_date}" if result.first_date else "none known"
    lines = [
        f"archive:   {result.home}",
        f"database:  {result.database}",
        f"articles:  {result.articles}",
        f"dated:     {result.articles - result.undated} ({dates}); undated: {result.undated}",
        f"sources:   {result.sources}",
        f"indexed:   {result.indexed} ({result.index_bytes / 1e6:.1f} MB, {counted(result.segments, 'segment')}"
        + ("; merges are due: `archive optimize` runs them)" if result.merges_due else ")"),
        "in step:   yes"
        if result.in_step
        else f"in step:   no ({result.pending} waiting; the next search or ingest catches up, "
        "or run `archive reindex`)",
    ]
    if result.top_sources:
        lines.append("top sources:")
        lines.extend(f"  {count:>7}  {name}" for name, count in result.top_sources)
    typer.echo("\n".join(lines))


def print_rejects(found: list[Reject], output: OutputFormat) -> None:
    rows = [r.to_dict() for r in found]
    if output is OutputFormat.json:
        print_json(rows)
        return
    if not rows:
        typer.echo("No rejected records.")
    for row in rows:
        status = ""
        if row["status"] == "resolved":
            status = f" · resolved: run {row['since_run']} read the file without rejects"
        elif row["status"] == "rejected again":
            status = f" · rejected again by run {row['since_run']}"
        elif row["status"] == "gone":
            status = " · the file is gone"
        typer.echo(f"run {row['run']} · {row['file']}, record {row['record']}: {row['reason']}{status}")
        if row["context"]:
            typer.echo(f"    {' '.join(str(row['context']).split())[:160]}")


def print_history(runs: list[IngestRun], output: OutputFormat) -> None:
    rows = [r.to_dict() for r in runs]
    if output is OutputFormat.json:
        print_json(rows)
        return
    for row in rows:
        counts = ", ".join(f"{k} {row[k]}" for k in ("added", "updated", "unchanged", "duplicates", "rejected"))
        status = row["status"]
        if status == "killed":
            status = "killed (its process ended without finishing; the counts are what it stored)"
        elif status == "failed":
            status = "failed (an error stopped it; the counts are what it stored)"
        elif status == "running" and row["host"]:
            status = f"running (process {row['pid']} on {row['host']})"
        typer.echo(f"run {row['run']} · {row['started']} → {row['finished'] or '…'} · {status} · {counts}")
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
    if report.problem is None:
        behind = f", {counted(report.pending, 'change')} behind" if report.pending else ", up to date"
        typer.echo(f"change feed: applied up to {report.position} of {report.head}{behind}")
    if len(report.nodes) > 1 or (report.nodes and not report.nodes[0].this_home):
        typer.echo("indexes following this database:")
        for line in node_lines(report.nodes):
            typer.echo(f"  {line}")
    if report.problem:
        typer.echo(f"index unusable: {report.problem}")
    if report.healthy:
        typer.echo("the index agrees with the database")
    elif report.repaired:
        typer.echo("repaired: the index now agrees with the database")
    elif not (report.missing or report.extra or report.stale or report.problem):
        typer.echo(
            "the index is behind, not wrong: the next search or ingest on this home applies the changes "
            "(`archive check --repair` applies them now)"
        )
    else:
        typer.echo("run `archive check --repair` to fix this")


def node_lines(nodes: Sequence[NodeStatus]) -> list[str]:
    """A line per node: its id, home and host, how far it has applied the feed, when it last did."""
    lines = []
    for node in nodes:
        if node.gone:
            state = "gone: it has missed changes for over 30 days, and rebuilds its index when it returns"
        elif node.behind:
            state = f"{counted(node.behind, 'change')} behind"
        else:
            state = "up to date"
        mark = "this home · " if node.this_home else ""
        seen = node.seen_at.strftime("%Y-%m-%d %H:%M")
        lines.append(f"{node.node[:8]}  {node.home} on {node.host} · {mark}at {node.position} · {state} · seen {seen}")
    return lines


def print_nodes(nodes: Sequence[NodeStatus], output: OutputFormat) -> None:
    if output is OutputFormat.json:
        print_json([n.to_dict() for n in nodes])
        return
    if not nodes:
        typer.echo("No index follows this database yet (the first ingest or search makes one).")
        return
    head = nodes[0].head
    typer.echo(f"{counted(len(nodes), 'index', 'indexes')} follow this database's change feed (at {head}):")
    for line in node_lines(nodes):
        typer.echo(f"  {line}")


#: How each filter of a saved search is given on the command line.
_FILTER_OPTIONS = {
    "sources": "--source",
    "categories": "--category",
    "since": "--since",
    "until": "--until",
    "languages": "--lang",
}


def print_watch_counts(found: list[WatchCount], output: ResultFormat) -> None:
    rows = [count.to_dict() for count in found]
    if output is ResultFormat.json:
        print_json(rows)
        return
    if output is ResultFormat.jsonl:
        for row in rows:
            typer.echo(json.dumps(row, ensure_ascii=False))
        return
    if output is ResultFormat.csv:
        from archive.sheets import csv_lines

        fields = ("name", "query", "sources", "categories", "since", "until", "languages", "total", "new", "seen")
        cells = ({k: "; ".join(v) if isinstance(v, list) else v for k, v in row.items()} for row in rows)
        for line in csv_lines(cells, fields, ignore_extra=True):
            sys.stdout.write(line)
        return
    if not found:
        typer.echo("No saved searches. `archive watch add NAME QUERY` saves one.")
    for count in found:
        saved = count.search
        filters = " ".join(
            f"{_FILTER_OPTIONS[key]} {value!r}"
            for key, values in saved.filters().items()
            for value in (values if isinstance(values, list) else [values])
        )
        new = f"{count.new} new" if count.new else "nothing new"
        typer.echo(f"{saved.name}: {new} · {counted(count.total, 'article')} in all")
        typer.echo(f"    {saved.query!r}" + (f" {filters}" if filters else ""))


def print_watch_hits(
    saved: SavedSearch, hits: list[Hit], output: ResultFormat, dates: DateStyle, *, every: bool, bom: bool = True
) -> None:
    if output is ResultFormat.json:
        print_json({"search": saved.to_dict(), "hits": [_hit_row(hit, dates) for hit in hits]})
        return
    if output in (ResultFormat.jsonl, ResultFormat.csv):
        stream_hits(hits, output, dates, bom=bom)
        return
    what = "match" if every else "new match"
    since = f" since {saved.seen_at:%Y-%m-%d %H:%M} UTC" if saved.seen_at and not every else ""
    typer.echo(f"{saved.name}: {counted(len(hits), what, what + 'es')}{since}" + (":" if hits else "."))
    _print_hits(hits, dates)


def print_trend(trend: Trend, output: ResultFormat, *, bom: bool = True) -> None:
    """A trend as JSON, CSV (a row per query and period, the undated last), or a table: a row per period,
    a column per query, each count with its share of the articles published in the period."""
    if output is ResultFormat.json:
        print_json(trend.to_dict())
        return
    if output is ResultFormat.csv:
        from archive.api import TREND_FIELDS
        from archive.sheets import csv_lines

        for line in csv_lines(trend.rows(), TREND_FIELDS, bom=bom):
            sys.stdout.write(line)
        return
    series = trend.series
    typer.echo(
        f"by {trend.granularity}; in brackets, the share of the articles published in the period"
        + ("" if any(s.periods for s in series) else " (no match has a date)")
    )
    header = ["period", *(s.query for s in series), "published"]
    rows = [
        [
            period.period,
            *(f"{s.periods[i].count:,} ({_share(s.periods[i].share)})" for s in series),
            f"{trend.published[i]:,}",
        ]
        for i, period in enumerate(series[0].periods)
    ]
    rows.append(["undated", *(f"{s.undated:,}" for s in series), f"{trend.published_undated:,}"])
    rows.append(["total", *(f"{s.total:,}" for s in series), ""])
    from archive.cli.wrapping import columns as columns_of

    widths = [max(columns_of(str(row[c])) for row in [header, *rows]) for c in range(len(header))]
    for row in [header, *rows]:
        cells = [str(cell) + " " * (width - columns_of(str(cell))) for cell, width in zip(row, widths, strict=True)]
        typer.echo("  ".join(cells).rstrip())


def _share(share: float | None) -> str:
    return "–" if share is None else f"{share:.1%}"


def print_kwic(lines: Iterable[KwicLine], output: ResultFormat, *, bom: bool = True) -> int:
    """A concordance as it is made: JSON (one array), JSON Lines, CSV, or aligned text (the matches in
    one column, each context cut by whole words to fit the terminal). Returns how many lines it wrote."""
    count = 0
    if output is ResultFormat.json:
        print_json([line.to_row() for line in lines])
        return -1
    if output is ResultFormat.csv:
        from archive.api import KWIC_FIELDS
        from archive.sheets import csv_lines

        def rows() -> Iterator[dict[str, Any]]:
            nonlocal count
            for line in lines:
                count += 1
                yield line.to_row()

        for text in csv_lines(rows(), KWIC_FIELDS, bom=bom):
            sys.stdout.write(text)
        return count
    if output is ResultFormat.jsonl:
        for line in lines:
            typer.echo(json.dumps(line.to_row(), ensure_ascii=False))
            count += 1
        return count
    from archive.cli.wrapping import columns

    width = _terminal_width()
    before, after = _marks(sys.stdout.isatty())
    for line in lines:
        side = max(10, (width - columns(line.match) - 10) // 2)
        left = _fitted(line.left.split(), side, from_end=True)
        right = _fitted(line.right.split(), side, from_end=False)
        padding = " " * (side - columns(left))
        typer.echo(f"{padding}{left} {before}{line.match}{after} {right}  [{line.id}]".rstrip())
        count += 1
    return count


def _fitted(words: list[str], width: int, *, from_end: bool) -> str:
    """As many whole words as fit ``width`` columns: the last ones (``from_end``, a left context) or the
    first; a word is never cut, so a syllable never breaks."""
    from archive.cli.wrapping import columns

    kept: list[str] = []
    used = 0
    for word in reversed(words) if from_end else words:
        needed = columns(word) + (1 if kept else 0)
        if used + needed > width:
            break
        kept.append(word)
        used += needed
    return " ".join(reversed(kept) if from_end else kept)


def print_terms(found: SignificantTerms, output: OutputFormat) -> None:
    """The terms, best first: their score, and in how many matching articles and articles in all."""
    if output is OutputFormat.json:
        print_json(found.to_dict())
        return
    sampled = f" (candidates from {found.sampled:,} of them)" if found.sampled < found.results else ""
    # (the search counts a story printed by several outlets once; here every copy is an article)
    copies = (
        f" (the search's {found.stories}: it counts a story printed by several outlets once)"
        if found.stories != found.results
        else ""
    )
    typer.echo(
        f"{counted(found.results, 'matching article')}{copies} against {counted(found.archive, 'article')}"
        f"{sampled}; log-likelihood, in results / in the archive:"
    )
    if not found.terms:
        typer.echo("No word stands out.")
    from archive.cli.wrapping import columns

    width = max((columns(t.term) for t in found.terms), default=0)
    for term in found.terms:
        padding = " " * (width - columns(term.term))
        typer.echo(f"{term.term}{padding}  {term.score:>10,.1f}  {term.in_results:>7,} / {term.in_archive:,}")
