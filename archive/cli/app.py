"""The ``archive`` command: parses options, calls one method of :class:`archive.api.Archive`, prints what it
returns (:mod:`archive.cli.output`)."""

# (No `from __future__ import annotations` here: Typer reads every command's annotations at each start,
# and string annotations made it compile 260 of them, 9 ms of every command.)

import contextlib
import errno
import functools
import gc
import json
import os
import signal
import sys
from collections.abc import Callable
from datetime import date
from enum import StrEnum
from pathlib import Path
from re import compile as re_compile
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar, cast

import typer

from archive.cli.output import (
    DateStyle,
    OutputFormat,
    ResultFormat,
    counted,
    print_article,
    print_check,
    print_history,
    print_json,
    print_kwic,
    print_nodes,
    print_outlets,
    print_rejects,
    print_results,
    print_stats,
    print_terms,
    print_trend,
    print_watch_counts,
    print_watch_hits,
    shell_word,
    stream_hits,
)
from archive.cli.startup import defer_unused_imports
from archive.config import DB_URL_ENV, HOME_ENV, Settings, resolve_settings
from archive.errors import ArchiveError

if TYPE_CHECKING:
    from archive.api import Archive, SearchRequest

F = TypeVar("F", bound=Callable[..., Any])

app = typer.Typer(
    help="A searchable archive of Hindi news. Ingest article files, then search them in Devanagari.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    # Click's plain help, not Rich's panels: importing and laying out Rich cost ~100 ms of every
    # `--help` (of 180), and the help text reads the same (the \b blocks keep their layout)
    rich_markup_mode=None,
)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(db_app, name="db")
watch_app = typer.Typer(
    help="Saved searches: standing questions, and what is new on each after every ingest.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(watch_app, name="watch")
nodes_app = typer.Typer(
    help="The indexes (one per home, on any machine) that follow this database's change feed.",
    invoke_without_command=True,
    rich_markup_mode=None,
)
app.add_typer(nodes_app, name="nodes")
synonyms_app = typer.Typer(
    help="Words and phrases a search takes for one another (भाजपा, बीजेपी, BJP), shared by every machine on "
    "the database.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(synonyms_app, name="synonyms")


FormatOption = Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")]
ResultFormatOption = Annotated[ResultFormat, typer.Option("--format", "-f", help="Output format.")]
NoCollapseOption = Annotated[
    bool, typer.Option("--no-collapse", help="Show every copy of a story printed by several outlets.")
]
BomOption = Annotated[
    bool,
    typer.Option(
        "--bom/--no-bom", help="Start CSV with a UTF-8 byte-order mark, so that Excel reads Devanagari (default: on)."
    ),
]
# The filters of `search` and `watch add`, declared once (a saved search takes any of search's filters).
SourceOption = Annotated[list[str] | None, typer.Option("--source", help="Only this outlet (repeatable).")]
CategoryOption = Annotated[list[str] | None, typer.Option("--category", help="Only this category (repeatable).")]
SinceOption = Annotated[
    str | None,
    typer.Option("--since", help="From this date: 2016-01-25, or 30d, 6m, 1y ago (a saved search: before each look)."),
]
UntilOption = Annotated[str | None, typer.Option("--until", help="Up to this date, inclusive.")]
LangOption = Annotated[list[str] | None, typer.Option("--lang", help="Only this language code, e.g. hi.")]


def _reporting(command: F) -> F:
    """Turn our errors into a one-line message and an exit code, for every command alike."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except ArchiveError as error:
            _fail(error)

    return cast(F, run)


def _settings(ctx: typer.Context) -> Settings:
    settings: Settings = ctx.obj
    return settings


def _archive(ctx: typer.Context) -> "Archive":
    from archive.api import Archive

    return Archive(settings=_settings(ctx))


def _unwritable(path: Path, error: OSError) -> ArchiveError:
    return ArchiveError(f"Cannot write {path} ({error.strerror or error}); check the folder exists and may be written.")


def _fail(error: ArchiveError) -> NoReturn:
    typer.echo(f"Error: {error}", err=True)
    raise typer.Exit(code=error.exit_code)


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
    primary: Annotated[
        str | None,
        typer.Option(
            "--primary",
            help="With --db a read-only standby: the primary's URL, where this node records its position "
            "(also $ARCHIVE_PRIMARY_URL; without it, the position stays in the home only).",
        ),
    ] = None,
) -> None:
    try:
        ctx.obj = resolve_settings(home, db, primary)
    except ArchiveError as error:
        _fail(error)


EXIT_REJECTED = 3
EXIT_INTERRUPTED = 130


def _parse_mapping(values: list[str] | None) -> dict[str, str]:
    from archive.api import RECORD_FIELDS as FIELDS

    mapping: dict[str, str] = {}
    for value in values or []:
        ours, sep, theirs = value.partition("=")
        if not sep or not ours.strip() or not theirs.strip():
            raise typer.BadParameter(f"{value!r} is not FIELD=KEY, e.g. --map title=headline", param_hint="--map")
        if ours.strip() not in FIELDS:
            raise typer.BadParameter(f"{ours.strip()!r} is not one of {', '.join(FIELDS)}", param_hint="--map")
        mapping[ours.strip()] = theirs.strip()
    return mapping


@app.command()
@_reporting
def ingest(
    ctx: typer.Context,
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Files or directories to read (recursively), or - for standard input. Default: the bundled seeds.",
            allow_dash=True,
        ),
    ] = None,
    input_format: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="Read every file as this format instead of detecting it: text, jsonl, json, csv, tsv, html, feed.",
        ),
    ] = None,
    mapping: Annotated[
        list[str] | None,
        typer.Option("--map", help="Take a field from another key or column, e.g. --map title=headline (repeatable)."),
    ] = None,
    include: Annotated[
        list[str] | None, typer.Option("--include", help="Only files matching this glob, e.g. '*.jsonl' (repeatable).")
    ] = None,
    exclude: Annotated[
        list[str] | None, typer.Option("--exclude", help="Skip files matching this glob (repeatable).")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Re-read files an earlier run finished, even if they have not changed.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress; only rejects and the summary.")] = False,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            help=(
                "Processes indexing a large input while it is stored (default: the cores but one, at most 2; "
                "ARCHIVE_INGEST_WORKERS)."
            ),
        ),
    ] = None,
) -> None:
    """Store the articles in PATHS and index them. Re-ingesting the same articles changes nothing.

    Formats are detected from each file's name and content (.txt, .jsonl, .json, .csv, .tsv, .html, RSS/Atom
    feeds, any of them gzipped). Every record that cannot be stored is named on stderr with its file, record
    and reason, and kept for `archive rejects`.

    Exit codes: 0 every record stored or already there; 3 some records rejected; 2 usage error;
    1 the archive could not be opened or written; 130 interrupted (run again to continue).
    """
    from archive.api import Archive, IngestOptions
    from archive.cli.progress import ingest_progress

    for path in paths or []:
        if str(path) != "-" and not path.exists():
            raise typer.BadParameter(f"Path '{path}' does not exist.", param_hint="PATHS")
    from archive.api import FORMATS

    if input_format is not None and input_format not in FORMATS:
        raise typer.BadParameter(f"{input_format!r} is not one of {', '.join(FORMATS)}", param_hint="--format")
    options = IngestOptions(
        format=input_format,
        mapping=_parse_mapping(mapping) or None,
        include=tuple(include or ()),
        exclude=tuple(exclude or ()),
        force=force,
        workers=workers,
    )
    with ingest_progress(show_bar=not quiet and sys.stderr.isatty()) as progress:
        report = Archive(settings=_settings(ctx)).ingest(paths or [], options, progress)
    if report.interrupted:
        # the summary is the point of stopping: a second Ctrl-C must not cut it short
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    typer.echo(report.summary)
    if report.duplicates and not quiet:
        typer.echo(
            f"{counted(report.counts.duplicates, 'duplicate')}: the same text as an article already stored, kept as "
            "another origin of it (`archive show ID` lists them):"
        )
        for duplicate in report.duplicates[:DUPLICATES_SHOWN]:
            typer.echo(f"  {duplicate.origin_file}, record {duplicate.origin_record} → article {duplicate.article_id}")
        if report.counts.duplicates > DUPLICATES_SHOWN:
            typer.echo(f"  … and {report.counts.duplicates - DUPLICATES_SHOWN} more")
    if report.left_to_index:
        typer.echo(
            f"{counted(report.left_to_index, 'change')} {'waits' if report.left_to_index == 1 else 'wait'} for the "
            "index: another archive command (a serve, an "
            "ingest) is writing it, and it or the next command indexes them",
            err=True,
        )
    if report.skipped_files:
        files = counted(report.skipped_files, "unchanged file")
        them = "it" if report.skipped_files == 1 else "them"
        typer.echo(f"skipped {files} already ingested (--force reads {them} again)")
    if report.interrupted:
        typer.echo(
            "interrupted: everything counted above is stored (the index catches up at the next command); "
            "run the same command again to continue",
            err=True,
        )
        raise typer.Exit(code=EXIT_INTERRUPTED)
    if report.changed:
        with Archive(settings=_settings(ctx)) as archive:
            for news in archive.watch_news(report.run_id):
                typer.echo(f"{news.search.name}: {news.new} new (`archive watch show {shell_word(news.search.name)}`)")
    if report.counts.rejected:
        typer.echo(f"{counted(report.counts.rejected, 'record')} rejected; `archive rejects` lists them", err=True)
        raise typer.Exit(code=EXIT_REJECTED)


DUPLICATES_SHOWN = 5

SEARCH_HELP = """Search the archive.

\b
Query language (words are ANDed; articles where they stand together rank first):
  लावरोव जयशंकर            both words (any spelling or inflection)
  रूस OR भारत              either word
  रूस NOT चीन, रूस -चीन     the first without the second
  जम्मू-कश्मीर, 2016-17      a hyphenated word (also spaced or joined)
  साथ-साथ, कभी कभी          a doubled word (hyphenated, spaced or joined)
  "सूत्र", "शिखर सम्मेलन"    exactly as typed: no other spelling, inflection or synonym
  ~"शिखर सम्मेलन"          a phrase in any spelling or inflection
  "भारत रूस"~5             the words within 5 words of each other
  (रूस OR भारत) AND यात्रा  grouping
  title:लावरोव             in the title (also summary:, body:, source:)
  सरकार*                   words starting with सरकार
  लावरोफ~                  words one letter away (fuzzy)
  lavrov, sarkar, delhi    romanised words and places find Devanagari ones
  GST, lockdown            acronyms and English words find their Hindi spellings
  2015                     a year also lists the articles dated in it
  a pasted passage         12 words or more with no operators: the articles it came from
  (synonyms such as भाजपा = बीजेपी = BJP apply: `archive synonyms list`)

\b
Examples:
  archive search नोटबंदी --source 'दैनिक जागरण' --since 2016-01-01 --sort newest
  archive search कोरोना --since 30d --facet source --facet month --format json
  archive search आम आदमी पार्टी --explain                  why each hit matched
  archive search --source 'अमर उजाला' --since 2020-03-01      every article the filters let through
"""


_OPTION_LIKE = re_compile(r"^--?[A-Za-z][A-Za-z-]*(=.*)?$")


def _query_of(words: list[str]) -> str:
    """The query the words make. A word that looks like a mistyped option (``--limt``) is an error naming
    the way to search for it; ``-मोदी`` or ``-bjp`` is a word left out, as in the query language."""
    for word in words:
        if word.startswith("--") and _OPTION_LIKE.match(word):
            raise typer.BadParameter(
                f"no such option {word.split('=')[0]}; to search for it, put the query after `--` "
                f"(archive search [OPTIONS] -- {word})",
                param_hint="QUERY",
            )
    return " ".join(words)


def _when(value: str | None, option: str) -> date | None:
    from archive.api import parse_when

    if value is None:
        return None
    try:
        return parse_when(value)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint=option) from error


def _filtered(
    query: str,
    source: list[str] | None,
    category: list[str] | None,
    since: str | None,
    until: str | None,
    lang: list[str] | None,
    *,
    collapse: bool = True,
) -> "SearchRequest":
    """The request of a view (terms, kwic, trend): a query and the filters it shares with search."""
    from archive.api import SearchRequest

    return SearchRequest(
        query=query,
        sources=tuple(source or ()),
        categories=tuple(category or ()),
        since=_when(since, "--since"),
        until=_when(until, "--until"),
        languages=tuple(lang or ()),
        collapse=collapse,
    )


# (unknown options are kept as words: `archive search -मोदी भाजपा` leaves a word out, as the query language does)
class SearchMode(StrEnum):
    auto = "auto"
    words = "words"
    meaning = "meaning"
    hybrid = "hybrid"


@app.command(help=SEARCH_HELP, context_settings={"ignore_unknown_options": True})
@_reporting
def search(
    ctx: typer.Context,
    words: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[QUERY]...",
            help="What to find (several words are one query); see the query language above. Leave it out to "
            "list articles by filters.",
        ),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="Results per page.")] = 10,
    page: Annotated[int, typer.Option("--page", min=1, help="Page of results.")] = 1,
    source: SourceOption = None,
    category: CategoryOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    lang: LangOption = None,
    dated: Annotated[
        bool | None,
        typer.Option("--dated/--undated", help="Only articles with a date, or only those without one."),
    ] = None,
    sort: Annotated[
        str, typer.Option("--sort", help="relevance, newest or oldest (undated articles last); no query: newest.")
    ] = "relevance",
    facet: Annotated[
        list[str] | None, typer.Option("--facet", help="Count all matches by source, year, month or category.")
    ] = None,
    no_collapse: NoCollapseOption = False,
    output: ResultFormatOption = ResultFormat.text,
    dates: Annotated[DateStyle, typer.Option("--dates", help="Show dates as iso or hindi.")] = DateStyle.iso,
    every: Annotated[
        bool,
        typer.Option("--all", help="Every match, not a page (with --format jsonl or csv), written as it is found."),
    ] = False,
    bom: BomOption = True,
    explain: Annotated[
        bool,
        typer.Option(
            "--explain", help="Say for each hit which forms matched in which fields and what each added to its score."
        ),
    ] = False,
    mode: Annotated[
        SearchMode,
        typer.Option(
            "--mode",
            help="words (as typed, in its forms), meaning (nearest by sense, any language), hybrid, or auto: words "
            "for Devanagari, hybrid for Latin letters once the archive is embedded.",
        ),
    ] = SearchMode.auto,
) -> None:
    from archive.api import SearchRequest

    query = _query_of(words or [])
    if every and output not in (ResultFormat.jsonl, ResultFormat.csv):
        raise typer.BadParameter("--all writes every match as --format jsonl or csv", param_hint="--all")

    request = SearchRequest(
        query=query,
        limit=limit,
        page=page,
        sources=tuple(source or ()),
        categories=tuple(category or ()),
        since=_when(since, "--since"),
        until=_when(until, "--until"),
        languages=tuple(lang or ()),
        dated=dated,
        sort=sort,
        facets=tuple(facet or ()),
        collapse=not no_collapse,
        explain=explain,
        mode=mode.value,
    )
    with _archive(ctx) as archive:
        if every:
            stream_hits(archive.search_all(request), output, dates, bom=bom)
            return
        results = archive.search(request)
    print_results(results, output, dates, bom=bom)


@app.command(context_settings={"ignore_unknown_options": True})
@_reporting
def terms(
    ctx: typer.Context,
    words: Annotated[
        list[str],
        typer.Argument(metavar="QUERY...", help="What to find (several words are one query), as for search."),
    ],
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=100, help="Terms to list (1 to 100).")] = 30,
    source: SourceOption = None,
    category: CategoryOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    lang: LangOption = None,
    output: FormatOption = OutputFormat.text,
) -> None:
    """What sets a result apart: the words and two-word phrases most over-represented in the matching
    articles against the whole archive (log-likelihood), the query's own forms and stopwords left out."""

    request = _filtered(_query_of(words), source, category, since, until, lang)
    with _archive(ctx) as archive:
        found = archive.terms(request, limit)
    print_terms(found, output)


class KwicSort(StrEnum):
    none = "none"
    left = "left"
    right = "right"


@app.command(context_settings={"ignore_unknown_options": True})
@_reporting
def kwic(
    ctx: typer.Context,
    words: Annotated[
        list[str],
        typer.Argument(metavar="QUERY...", help="What to find (several words are one query), as for search."),
    ],
    width: Annotated[int, typer.Option("--width", "-w", help="Words of context on either side (1 to 25).")] = 6,
    sort: Annotated[
        KwicSort,
        typer.Option("--sort", help="none (the search's order), left or right: by the words before or after."),
    ] = KwicSort.none,
    limit: Annotated[
        int | None, typer.Option("--limit", "-n", min=1, help="Lines at most (default: all; sorted: 10,000).")
    ] = None,
    source: SourceOption = None,
    category: CategoryOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    lang: LangOption = None,
    no_collapse: NoCollapseOption = False,
    output: ResultFormatOption = ResultFormat.text,
    bom: BomOption = True,
) -> None:
    """Keyword in context: every occurrence of the forms a search matches, one line each, with the words
    before and after it, written as they are found (sorted: the first --limit lines, then sorted)."""
    from itertools import islice

    from archive.api import sorted_lines

    request = _filtered(_query_of(words), source, category, since, until, lang, collapse=not no_collapse)
    with _archive(ctx) as archive:
        lines = archive.kwic(request, width)
        if sort is not KwicSort.none:
            chosen, _ = sorted_lines(lines, sort.value, limit or SORTED_LINES)
            print_kwic(chosen, output, bom=bom)
        else:
            print_kwic(lines if limit is None else islice(lines, limit), output, bom=bom)


#: Lines a sorted concordance takes at most when no --limit is given (a sort needs them all in memory).
SORTED_LINES = 10_000


@app.command(context_settings={"ignore_unknown_options": True})
@_reporting
def trend(
    ctx: typer.Context,
    queries: Annotated[
        list[str],
        typer.Argument(
            metavar="QUERY...",
            help="Up to 6 queries to compare, each one argument (quote a query of several words).",
        ),
    ],
    granularity: Annotated[
        str | None,
        typer.Option("--granularity", "-g", help="day, week, month or year (default: chosen from the span)."),
    ] = None,
    source: SourceOption = None,
    category: CategoryOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    lang: LangOption = None,
    no_collapse: NoCollapseOption = False,
    output: ResultFormatOption = ResultFormat.text,
    bom: BomOption = True,
) -> None:
    """Coverage over time: each query's matches by day, week, month or year, and their share of every
    article the filters let through in that period; the undated matches are counted apart."""

    if output is ResultFormat.jsonl:
        raise typer.BadParameter("a trend is written as text, json or csv", param_hint="--format")
    request = _filtered("", source, category, since, until, lang, collapse=not no_collapse)
    with _archive(ctx) as archive:
        found = archive.trend([_query_of([q]) for q in queries], request, granularity)
    print_trend(found, output, bom=bom)


@app.command()
@_reporting
def similar(
    ctx: typer.Context,
    article_id: Annotated[int, typer.Argument(metavar="ID", help="Article id, as shown by search.")],
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="Most articles to show.")] = 10,
    output: ResultFormatOption = ResultFormat.text,
    dates: Annotated[DateStyle, typer.Option("--dates", help="Show dates as iso or hindi.")] = DateStyle.iso,
) -> None:
    """Articles most like article ID (by its distinctive words)."""

    with _archive(ctx) as archive:
        results = archive.similar(article_id, limit=limit)
    print_results(results, output, dates)


@app.command()
@_reporting
def show(
    ctx: typer.Context,
    article_id: Annotated[int, typer.Argument(metavar="ID", help="Article id, as shown by search.")],
    query: Annotated[
        str | None, typer.Option("--query", "-q", help="Mark the words this query matches (as search marks them).")
    ] = None,
    output: FormatOption = OutputFormat.text,
) -> None:
    """Print one stored article: its fields, the notes kept while reading it, every record it was read
    from, and its text."""
    with _archive(ctx) as archive:
        article = archive.get(article_id)
        marked = None
        if query is not None:
            marked = archive.highlight([article.title, article.summary or "", article.body], query)
    print_article(article, output, marked)


@app.command()
@_reporting
def stats(ctx: typer.Context, output: FormatOption = OutputFormat.text) -> None:
    """Counts: articles, sources, date range, index size, and whether the index is in step."""
    print_stats(_archive(ctx).stats(), output)


@app.command("sources")
@_reporting
def list_sources(
    ctx: typer.Context,
    output: FormatOption = OutputFormat.text,
    unmerge: Annotated[
        str | None, typer.Option("--unmerge", help="Keep this name, merged as a misprint, apart from now on.")
    ] = None,
) -> None:
    """List the outlets with their articles, each once however its name is printed (Latin or Devanagari,
    spelling variants, misprints), with the spellings merged into it."""
    if unmerge is not None:
        misprint, outlet = _archive(ctx).unmerge_outlet(unmerge)
        typer.echo(f"{misprint} is an outlet of its own again, apart from {outlet} (for good)")
        return
    print_outlets(_archive(ctx).sources(), output)


@app.command("rejects")
@_reporting
def list_rejects(
    ctx: typer.Context,
    run: Annotated[
        int | None,
        typer.Option("--run", help="Only this ingest run (see `archive history`). Default: every run."),
    ] = None,
    still: Annotated[
        bool, typer.Option("--open", help="Only records still rejected (not resolved or rejected again since).")
    ] = False,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="Most rejects to list.")] = 100,
    output: FormatOption = OutputFormat.text,
) -> None:
    """List records that ingest could not store, newest run first: file, record, reason, the start of the
    input, and whether a later run resolved it (read the fixed file without rejects) or rejected it again."""
    print_rejects(_archive(ctx).rejects(run, limit, open_only=still), output)


@app.command()
@_reporting
def history(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="Most runs to list.")] = 20,
    output: FormatOption = OutputFormat.text,
) -> None:
    """List ingest runs, newest first: paths, start and end, status and counts."""
    print_history(_archive(ctx).history(limit), output)


@app.command()
@_reporting
def check(
    ctx: typer.Context,
    repair: Annotated[
        bool, typer.Option("--repair", help="Fix what is found (index what is missing, drop the rest).")
    ] = False,
    output: FormatOption = OutputFormat.text,
) -> None:
    """Compare the index with the database: missing, extra and out-of-date documents, analyzer version.

    Exit code 0 when they agree (or were repaired), 1 when they do not.
    """
    report = _archive(ctx).check(repair=repair)
    print_check(report, output)
    if not report.healthy and not report.repaired:
        raise typer.Exit(code=1)


@app.command()
@_reporting
def delete(
    ctx: typer.Context,
    article_ids: Annotated[list[int] | None, typer.Argument(metavar="[ID]...", help="Article ids to delete.")] = None,
    source: Annotated[list[str] | None, typer.Option("--source", help="Delete every article of this outlet.")] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask first (a terminal is asked).")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List what would be deleted; delete nothing.")] = False,
) -> None:
    """Delete articles from the database and the index.

    On a terminal it lists what will go and asks first (--yes skips the question). An id the archive does
    not hold, or an outlet it has no article of, is an error, and nothing is deleted.
    """
    if not article_ids and not source:
        raise typer.BadParameter("name article ids, or --source", param_hint="ID")
    archive = _archive(ctx)
    planned = archive.deletion(article_ids or [], source or [])
    if dry_run or (not yes and sys.stdin.isatty()):
        shown = planned if dry_run else planned[:DELETIONS_SHOWN]
        for listed in shown:
            meta = " · ".join(str(p) for p in (listed.source, listed.published) if p)
            typer.echo(f"{listed.id:>8}  {listed.title}" + (f"  ({meta})" if meta else ""))
        if len(planned) > len(shown):
            typer.echo(f"     …  and {len(planned) - len(shown)} more")
    if dry_run:
        typer.echo(f"would delete {counted(len(planned), 'article')} (--dry-run: nothing was deleted)")
        return
    if not yes and sys.stdin.isatty() and not typer.confirm(f"Delete {counted(len(planned), 'article')}?"):
        typer.echo("nothing was deleted")
        raise typer.Exit(code=1)
    count = archive.delete([listed.id for listed in planned])
    typer.echo(f"deleted {counted(count, 'article')}")


DELETIONS_SHOWN = 10


@app.command()
@_reporting
def export(
    ctx: typer.Context,
    output_file: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.", dir_okay=False)
    ] = None,
) -> None:
    """Write every article as JSON Lines, which `archive ingest` reads back into the same articles
    (dates, urls, sources and the original text included), then the synonym groups, saved searches
    (with what each has shown) and followed sources, which the same ingest stores. `archive backup` copies
    everything."""
    try:
        target = open(output_file, "w", encoding="utf-8") if output_file else contextlib.nullcontext(sys.stdout)  # noqa: SIM115
    except OSError as error:
        _fail(_unwritable(output_file or Path("-"), error))
    with target as out:
        count, others = 0, 0
        for record in _archive(ctx).export():
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            if "archive_record" in record:  # (readers.records.CARRIED_KEY: a synonym group, a saved search, …)
                others += 1
            else:
                count += 1
    if output_file:
        kinds = "synonym groups, saved searches, followed sources"
        also = f" and {counted(others, 'record')} of the archive's own ({kinds})"
        typer.echo(f"exported {counted(count, 'article')}{also if others else ''} to {output_file}", err=True)


@app.command()
@_reporting
def reindex(ctx: typer.Context) -> None:
    """Rebuild the search index from the database (after an analyzer upgrade, or if it was damaged)."""
    from archive.cli.progress import index_progress

    with index_progress(show_bar=sys.stderr.isatty()) as progress:
        count = _archive(ctx).reindex(progress)
    typer.echo(f"indexed {counted(count, 'article')}")


@app.command()
@_reporting
def optimize(
    ctx: typer.Context,
    full: Annotated[
        bool,
        typer.Option("--full", help="One segment: the index built again beside the one in use, then swapped in."),
    ] = False,
) -> None:
    """Merge the search index's segments. An ingest merges only tiny ones, so that no update waits for a
    merge; this runs the larger merges that are due (a nightly job, say). Searches go on meanwhile."""
    from archive.cli.progress import index_progress

    with index_progress(show_bar=full and sys.stderr.isatty()) as progress:
        merged = _archive(ctx).optimize(full=full, progress=progress)
    if not merged.merges:
        typer.echo(f"nothing to merge: {counted(merged.segments_before, 'segment')}")
        return
    typer.echo(
        f"merged {counted(merged.segments_before, 'segment')} into {merged.segments_after} "
        f"({counted(len(merged.merges), 'merge')}, {sum(merged.merges):,} documents)"
    )


@app.command()
@_reporting
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="The address to listen on (loopback: this machine only).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="The port to listen on.", min=1, max=65535)] = 8080,
    open_browser: Annotated[bool, typer.Option("--open", help="Open the search page in a browser.")] = False,
    workers: Annotated[
        int | None,
        typer.Option(help="Worker processes (default: one per core); 1 serves from this process.", min=1, max=64),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            help="The address readers reach the pages at (https://news.example.org), for the feeds' absolute "
            "links (default: the address each request came to).",
        ),
    ] = None,
    allow_saving: Annotated[
        bool,
        typer.Option(
            "--allow-saving",
            help="Let the page save searches and mark their matches seen (forms guarded against other sites); "
            "without it the page only reads.",
        ),
    ] = False,
    follow: Annotated[
        bool, typer.Option("--follow", help="Also fetch the followed sources as they fall due (`archive follow`).")
    ] = False,
    embed: Annotated[
        bool,
        typer.Option("--embed", help="Also embed new and updated articles for search by meaning (`archive embed`)."),
    ] = False,
) -> None:
    """Serve the archive as a web page: search with facets and a timeline, articles, outlets, exports."""
    from archive.cli.serving import serve_archive

    if base_url is not None and not base_url.startswith(("http://", "https://")):
        raise typer.BadParameter("give an absolute address, such as https://news.example.org", param_hint="--base-url")
    serve_archive(
        _settings(ctx), host, port, open_browser, workers, base_url, allow_saving, collect=follow, embed=embed
    )


@watch_app.command("add")
@_reporting
def watch_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A name for it, e.g. नोटबंदी.")],
    query: Annotated[str, typer.Argument(help="The query, as `archive search` takes it.")],
    source: SourceOption = None,
    category: CategoryOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    lang: LangOption = None,
) -> None:
    """Save a search under NAME. What it matches now is where it starts: later ingests bring what is new."""
    from archive.api import SavedSearch

    for value, option in ((since, "--since"), (until, "--until")):
        _when(value, option)
    saved = SavedSearch(
        name,
        query,
        sources=tuple(source or ()),
        categories=tuple(category or ()),
        since=since,
        until=until,
        languages=tuple(lang or ()),
    )
    with _archive(ctx) as archive:
        count = archive.watch_add(saved)
    verb = "matches" if count.total == 1 else "match"
    typer.echo(
        f"saved {count.search.name!r}: {counted(count.total, 'article')} {verb} now; "
        "each ingest tells what is new (`archive watch list`)"
    )


@watch_app.command("list")
@_reporting
def watch_list(ctx: typer.Context, output: ResultFormatOption = ResultFormat.text) -> None:
    """Every saved search with its total and how many matches are new since it was last looked at."""
    with _archive(ctx) as archive:
        print_watch_counts(archive.watch_counts(), output)


@watch_app.command("show")
@_reporting
def watch_show(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The saved search.")],
    every: Annotated[bool, typer.Option("--all", help="Every match, not only the new ones.")] = False,
    since_run: Annotated[
        int | None,
        typer.Option(
            "--since-run", help="The matches that ingest run N (or a later one) added or changed, seen or not."
        ),
    ] = None,
    limit: Annotated[int | None, typer.Option("--limit", "-n", min=1, help="At most this many.")] = None,
    output: ResultFormatOption = ResultFormat.text,
    dates: Annotated[DateStyle, typer.Option("--dates", help="Show dates as iso or hindi.")] = DateStyle.iso,
    bom: BomOption = True,
) -> None:
    """The new matches of a saved search, newest first, with snippets; they are not new from then on."""
    with _archive(ctx) as archive:
        saved, hits = archive.watch_hits(name, every=every, since_run=since_run, limit=limit, mark_seen=False)
        print_watch_hits(saved, hits, output, dates, every=every or since_run is not None, bom=bom)
        sys.stdout.flush()
        archive.watch_mark_seen(name, [hit.id for hit in hits])  # only once they are out: a failed write loses none


@watch_app.command("feed")
@_reporting
def watch_feed(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The saved search.")],
    output_file: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.", dir_okay=False)
    ] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="Entries: the newest matches.")] = 50,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            help="Where `archive serve` is reached (https://news.example.org): each entry links to its article's page.",
        ),
    ] = None,
) -> None:
    """An Atom feed of a saved search's newest matches, for any feed reader (marks nothing seen)."""
    if base_url is not None and not base_url.startswith(("http://", "https://")):
        raise typer.BadParameter("give an absolute address, such as https://news.example.org", param_hint="--base-url")
    with _archive(ctx) as archive:
        feed = archive.watch_feed(name, limit=limit, base_url=base_url)
    if output_file is None:
        sys.stdout.write(feed)
        return
    try:
        output_file.write_text(feed, encoding="utf-8")
    except OSError as error:
        _fail(_unwritable(output_file, error))
    typer.echo(f"wrote the feed of {name!r} to {output_file}", err=True)


@watch_app.command("remove")
@_reporting
def watch_remove(ctx: typer.Context, name: Annotated[str, typer.Argument(help="The saved search.")]) -> None:
    """Delete a saved search (the articles stay)."""
    _archive(ctx).watch_remove(name)
    typer.echo(f"removed the saved search {name!r}")


@synonyms_app.command("list")
@_reporting
def synonyms_list(ctx: typer.Context, output: FormatOption = OutputFormat.text) -> None:
    """Every synonym group, one to a line."""
    groups = _archive(ctx).synonyms()
    if output is OutputFormat.json:
        print_json([list(group.words) for group in groups])
        return
    for group in groups:
        typer.echo(", ".join(group.words))
    if not groups:
        typer.echo("No synonyms; add a group with `archive synonyms add WORD WORD...`.")


@synonyms_app.command("add")
@_reporting
def synonyms_add(
    ctx: typer.Context,
    words: Annotated[list[str], typer.Argument(help="Two or more words or phrases (quote a phrase).")],
) -> None:
    """Make the words one group (a group that has one of them already takes the others)."""
    group = _archive(ctx).add_synonyms(words)
    typer.echo("synonyms: " + ", ".join(group.words))


@synonyms_app.command("remove")
@_reporting
def synonyms_remove(
    ctx: typer.Context,
    words: Annotated[list[str], typer.Argument(help="Words or phrases to take out of their groups.")],
) -> None:
    """Take the words out of their groups (a group left with one word goes)."""
    removed = _archive(ctx).remove_synonyms(words)
    typer.echo("removed: " + ", ".join(removed))


@nodes_app.callback()
@_reporting
def nodes_list(ctx: typer.Context, output: FormatOption = OutputFormat.text) -> None:
    """List every index that follows this database: its home and machine, how many changes it has yet to
    apply, and when it last applied some. (`archive nodes forget NODE` drops one that will not return.)"""
    if ctx.invoked_subcommand is None:
        print_nodes(_archive(ctx).nodes(), output)


@nodes_app.command("forget")
@_reporting
def nodes_forget(
    ctx: typer.Context,
    node: Annotated[str, typer.Argument(help="The node's id (or its first 6+ characters), or its home.")],
) -> None:
    """Stop keeping changes for a node that is gone for good, so the feed can be pruned without waiting 30
    days for it. If it does come back, it rebuilds its index from the database."""
    _archive(ctx).forget_node(node)
    typer.echo(f"forgot the node {node}: the change feed no longer waits for it")


@db_app.command("upgrade")
@_reporting
def db_upgrade(ctx: typer.Context) -> None:
    """Create the database if needed and apply all schema migrations (opening an archive does this too)."""
    typer.echo(f"database at schema revision {_archive(ctx).upgrade()}")


#: What a full disk or a closed pipe raises when the output is written.
_OUTPUT_FAILURES = {getattr(errno, name) for name in ("ENOSPC", "EDQUOT", "EPIPE", "EIO") if hasattr(errno, name)}


def _unexpected(error: Exception) -> NoReturn:
    if os.environ.get("ARCHIVE_DEBUG"):
        raise error
    typer.echo(
        f"Unexpected error: {type(error).__name__}: {error}. "
        "Run again with ARCHIVE_DEBUG=1 for the details, and please report it.",
        err=True,
    )
    sys.exit(70)


def main() -> None:
    defer_unused_imports()
    try:
        app()
    except OSError as error:
        if error.errno not in _OUTPUT_FAILURES:
            _unexpected(error)
        typer.echo(f"Error: cannot write the output ({error.strerror}).", err=True)
        sys.exit(1)
    except Exception as error:  # a bug of ours: one line for the user, the traceback on request
        _unexpected(error)
    finally:
        # The interpreter's last garbage collection walks every object still alive, and an ingest leaves
        # hundreds of thousands (cached words, their analyses): 0.15 s of a 4,500-article ingest. Frozen
        # objects are skipped; everything that needs closing has been closed by now.
        gc.freeze()


# Commands of their own modules, registered on `app` as they are imported (after everything they use above).
from archive.cli import backup as _backup_commands  # noqa: E402, F401
from archive.cli import embedding as _embedding_commands  # noqa: E402, F401
from archive.cli import follow as _follow_commands  # noqa: E402, F401
