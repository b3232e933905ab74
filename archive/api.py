"""The Python API: everything the CLI does, as typed calls on one object, :class:`Archive`.

>>> from archive import Archive
>>> archive = Archive("/tmp/my-archive")          # doctest: +SKIP
>>> archive.ingest()                              # doctest: +SKIP
>>> archive.search("लावरोव", sort="newest").total  # doctest: +SKIP
1

Every call returns plain, typed records (:mod:`archive.models`, :mod:`archive.search.request`,
:mod:`archive.ingest.pipeline`), never rows of the database. The request and option types are exported
here too, so that ``from archive.api import Archive, SearchRequest, IngestOptions`` is all a caller needs;
they are imported on first use (a command that does not search should not load the search).
"""

from __future__ import annotations

import importlib
import weakref
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archive.config import Settings, resolve_settings

if TYPE_CHECKING:
    from archive.backups import Backup
    from archive.collect.run import FetchReport
    from archive.collect.settings import CollectSettings
    from archive.ingest.pipeline import IngestOptions, IngestReport, Progress, SilentProgress
    from archive.models import (
        ArchiveStats,
        Article,
        CheckReport,
        CollectFailure,
        EmbedReport,
        FollowedSource,
        IngestRun,
        Listed,
        Merged,
        NodeStatus,
        Origin,
        Outlet,
        Reject,
        RunCounts,
        SavedSearch,
        SourceFetch,
        SynonymGroup,
        WatchCount,
    )
    from archive.processes import ProcessId, is_alive, this_process
    from archive.readers import FORMATS, RejectedRecord
    from archive.readers.article import FIELDS as RECORD_FIELDS
    from archive.readers.dates import format_hindi_date
    from archive.search.kwic import DEFAULT_WIDTH, KWIC_FIELDS, MAX_WIDTH, KwicLine, sorted_lines
    from archive.search.parsing import parse_when
    from archive.search.request import (
        FACETS,
        HIT_FIELDS,
        SORTS,
        FacetCount,
        Hit,
        SearchedPart,
        SearchRequest,
        SearchResults,
        hit_csv_row,
        marked_spans,
    )
    from archive.search.session import SearchSession
    from archive.search.snippets import Snippet
    from archive.search.terms import SignificantTerm, SignificantTerms
    from archive.search.trend import GRANULARITIES, MAX_QUERIES, TREND_FIELDS, Trend, TrendPeriod, TrendSeries

__all__ = [
    "DEFAULT_WIDTH",
    "FACETS",
    "FORMATS",
    "GRANULARITIES",
    "HIT_FIELDS",
    "KWIC_FIELDS",
    "MAX_QUERIES",
    "MAX_WIDTH",
    "RECORD_FIELDS",
    "SORTS",
    "TREND_FIELDS",
    "Archive",
    "ArchiveStats",
    "Article",
    "CheckReport",
    "CollectFailure",
    "CollectSettings",
    "EmbedReport",
    "FacetCount",
    "FetchReport",
    "FollowedSource",
    "Hit",
    "IngestOptions",
    "IngestReport",
    "IngestRun",
    "KwicLine",
    "Listed",
    "Merged",
    "NodeStatus",
    "Origin",
    "Outlet",
    "ProcessId",
    "Progress",
    "Reject",
    "RejectedRecord",
    "RunCounts",
    "SavedSearch",
    "SearchRequest",
    "SearchResults",
    "SearchedPart",
    "SignificantTerm",
    "SignificantTerms",
    "SilentProgress",
    "Snippet",
    "SourceFetch",
    "SynonymGroup",
    "Trend",
    "TrendPeriod",
    "TrendSeries",
    "WatchCount",
    "format_hindi_date",
    "hit_csv_row",
    "is_alive",
    "marked_spans",
    "parse_when",
    "sorted_lines",
    "this_process",
]

_EXPORTED_FROM = {
    "archive.ingest.pipeline": ("IngestOptions", "IngestReport", "Progress", "SilentProgress"),
    # (whether a process still runs: how `archive serve` tells a live follower of a home from a killed one)
    "archive.processes": ("ProcessId", "is_alive", "this_process"),
    "archive.models": (
        "Article",
        "ArchiveStats",
        "CheckReport",
        "EmbedReport",
        "IngestRun",
        "Listed",
        "Merged",
        "NodeStatus",
        "Origin",
        "Outlet",
        "Reject",
        "RunCounts",
        "SavedSearch",
        "SynonymGroup",
        "WatchCount",
        "FollowedSource",
        "SourceFetch",
        "CollectFailure",
    ),
    # (following and fetching: the report of a fetch, and the politeness it is fetched with)
    "archive.collect.run": ("FetchReport",),
    "archive.collect.settings": ("CollectSettings",),
    # (the input formats, the fields a record maps to, a rejected record, dates as Hindi news prints them)
    "archive.readers": ("FORMATS", "RejectedRecord"),
    "archive.readers.dates": ("format_hindi_date",),
    "archive.search.parsing": ("parse_when",),
    "archive.search.request": (
        "FACETS",
        "HIT_FIELDS",
        "SORTS",
        "FacetCount",
        "Hit",
        "SearchRequest",
        "SearchResults",
        "SearchedPart",
        "hit_csv_row",
        "marked_spans",
    ),
    "archive.search.snippets": ("Snippet",),
    "archive.search.kwic": ("DEFAULT_WIDTH", "KWIC_FIELDS", "MAX_WIDTH", "KwicLine", "sorted_lines"),
    "archive.search.terms": ("SignificantTerm", "SignificantTerms"),
    "archive.search.trend": ("GRANULARITIES", "MAX_QUERIES", "TREND_FIELDS", "Trend", "TrendPeriod", "TrendSeries"),
}


#: Exported under another name: (module, its name there).
_RENAMED = {"RECORD_FIELDS": ("archive.readers.article", "FIELDS")}


def __getattr__(name: str) -> Any:
    if name in _RENAMED:
        module, original = _RENAMED[name]
        return getattr(importlib.import_module(module), original)
    for module, names in _EXPORTED_FROM.items():
        if name in names:
            return getattr(importlib.import_module(module), name)
    raise AttributeError(name)


class Archive:
    """An archive at ``home`` (default: ``ARCHIVE_HOME``, else the per-user data directory).

    Searches keep the database and index open between calls (see :class:`archive.search.session.SearchSession`);
    :meth:`close`, or ``with Archive(...) as archive:``, releases them. Every other call opens what it
    needs and closes it again.
    """

    def __init__(
        self,
        home: str | Path | None = None,
        *,
        db_url: str | None = None,
        settings: Settings | None = None,
        catch_up: bool = True,
    ):
        self.settings = settings or resolve_settings(Path(home) if home is not None else None, db_url)
        #: Whether a search first brings a lagging index up to date (see :meth:`catch_up`); False never writes.
        self.catches_up = catch_up
        self._session: SearchSession | None = None

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the database and index a search opened (the next search opens them again)."""
        if self._session is not None:
            self._closer.detach()
            self._session.close()
            self._session = None

    # --- searching ------------------------------------------------------------------------------

    def search(self, request: SearchRequest | str, **options: Any) -> SearchResults:
        """Search: ``archive.search("सरकार", sources=("जनसत्ता",), since=date(2016, 1, 1), facets=("year",))``.
        The keyword arguments are the fields of :class:`archive.search.request.SearchRequest`."""
        from archive.search.searching import search_in

        return search_in(self._ready(), request, **options)

    def search_all(self, request: SearchRequest | str, **options: Any) -> Iterator[Hit]:
        """Every hit of a search in result order, made as they are read (``limit`` and ``page`` are ignored):
        for writing a whole result set out without holding it in memory."""
        from archive.search.request import SearchRequest
        from archive.search.searching import iter_hits_in

        if isinstance(request, str):
            request = SearchRequest(request, **options)
        return iter_hits_in(self._ready(), request)

    def explain(self, request: SearchRequest | str, article_id: int, **options: Any) -> Hit | None:
        """Why article ``article_id`` matches a search: its hit with the parts of its score (None when the
        search does not find it)."""
        from archive.search.request import SearchRequest
        from archive.search.searching import explain_in

        if isinstance(request, str):
            request = SearchRequest(request, **options)
        return explain_in(self._ready(), request, article_id)

    def trend(
        self,
        queries: Sequence[str],
        request: SearchRequest | None = None,
        granularity: str | None = None,
        *,
        browsing: bool = False,
        normalised: bool = True,
    ) -> Trend:
        """Coverage over time: each query's results by day, week, month or year (None: chosen from their
        span), with ``request``'s filters and story rule, and their share of the articles the same filters
        let through in each period (:mod:`archive.search.trend`); ``browsing``: an empty query lists what
        the filters let through; ``normalised=False``: counts only, no shares."""
        from archive.search.request import SearchRequest
        from archive.search.trend import trend_in

        ready, asked = self._ready(), request or SearchRequest("")
        return trend_in(ready, queries, asked, granularity, browsing=browsing, normalised=normalised)

    def kwic(self, request: SearchRequest | str, width: int = 6, **options: Any) -> Iterator[KwicLine]:
        """Keyword in context: every occurrence of what a search matches, with ``width`` words either side,
        in its result order, made as they are read (:mod:`archive.search.kwic`)."""
        from archive.search.kwic import kwic_in
        from archive.search.request import SearchRequest

        if isinstance(request, str):
            request = SearchRequest(request, **options)
        return kwic_in(self._ready(), request, width)

    def terms(self, request: SearchRequest | str, limit: int = 30, **options: Any) -> SignificantTerms:
        """What sets a result apart: the words and two-word phrases most over-represented in the articles a
        search matches against the whole archive, by log-likelihood (:mod:`archive.search.terms`)."""
        from archive.search.request import SearchRequest
        from archive.search.terms import terms_in

        if isinstance(request, str):
            request = SearchRequest(request, **options)
        return terms_in(self._ready(), request, limit)

    def similar(self, article_id: int, *, limit: int = 10) -> SearchResults:
        """Articles most like the given one."""
        from archive.search.searching import similar_in

        return similar_in(self._ready(), article_id, limit=limit)

    def embed(
        self,
        *,
        limit: int | None = None,
        workers: int | None = None,
        rebuild: bool = False,
        progress: Callable[[int, int], None] | None = None,
    ) -> EmbedReport:
        """Vectors for search by meaning: every article without a current one (at most ``limit``), on
        ``workers`` processes (default: one per core); ``rebuild`` replaces every vector (a new model)."""
        from archive import embedding

        return embedding.embed_archive(self.settings, limit=limit, workers=workers, rebuild=rebuild, progress=progress)

    def highlight(self, texts: Sequence[str], query: str) -> list[Snippet]:
        """Each text whole, with every word the query matches marked, as search marks its snippets (for
        ``archive show --query``)."""
        from archive.search.searching import highlight_in

        return highlight_in(self._ready(), texts, query)

    def catch_up(self) -> int:
        """Bring this home's index up to date with the database: migrate an older schema, create a missing
        index, apply the changes of the feed after its position (what an interrupted ingest left, or
        another writer or node stored). Returns how many articles it indexed.

        The rule: a search only reads. ``search`` and ``similar`` call this first when the session says the
        index is behind (:meth:`archive.search.session.SearchSession.behind`), so that a search after an
        interrupted ingest still finds everything; with nothing to apply they write nothing. It does not wait
        for an index that another command is writing: that command applies the changes. ``Archive(...,
        catch_up=False)`` never calls it (for readers that must not write, such as a server).
        """
        from archive import maintenance

        return maintenance.catch_up(self.settings)

    def _ready(self) -> SearchSession:
        """The search session, after the one rule for when searching writes (:meth:`catch_up`)."""
        if self._session is None:
            from archive.search.session import SearchSession

            self._session = SearchSession(self.settings)
            # An archive dropped without close() still closes its files (the index's segment files are
            # open while a searcher is): at garbage collection, not at interpreter exit.
            self._closer = weakref.finalize(self, self._session.close)
        if self.catches_up and self._session.behind():
            self.catch_up()
        return self._session

    # --- saved searches -------------------------------------------------------------------------

    def watch_add(self, saved: SavedSearch) -> WatchCount:
        """Save a search (a query and search's filters) under a name; what it matches now is its baseline."""
        from archive import watching

        return watching.add(self.settings, self._ready(), saved)

    def watch_counts(self) -> list[WatchCount]:
        """Every saved search with its total and how many of its matches it has not shown yet."""
        from archive import watching

        return watching.counts(self.settings, self._ready())

    def watch_news(self, run_id: int) -> list[WatchCount]:
        """The saved searches that ingest run ``run_id`` brought new matches to (``new``: how many)."""
        from archive import watching

        return watching.news_of_run(self.settings, self._ready, run_id)

    def watch_hits(
        self,
        name: str,
        *,
        every: bool = False,
        since_run: int | None = None,
        limit: int | None = None,
        mark_seen: bool = True,
    ) -> tuple[SavedSearch, list[Hit]]:
        """A saved search's new matches, newest first (``every``: all; ``since_run``: those run N or later
        added or changed); with ``mark_seen`` they are not new from then on."""
        from archive import watching

        return watching.hits(
            self.settings, self._ready(), name, every=every, since_run=since_run, limit=limit, mark_seen=mark_seen
        )

    def watch_mark_seen(self, name: str, ids: Sequence[int]) -> None:
        """Note that a saved search has shown these articles (call it once they are written out)."""
        from archive import watching

        watching.mark_seen(self.settings, name, ids)

    def watch_feed(self, name: str, limit: int = 50, base_url: str | None = None) -> str:
        """An Atom feed of a saved search's newest matches (nothing is marked seen); with ``base_url`` (where
        ``archive serve`` is reached), each entry links to its article's page there."""
        from archive import watching

        return watching.feed(self.settings, self._ready(), name, limit, base_url)

    def watch_names(self) -> list[str]:
        """The saved searches' names (no search runs)."""
        from archive import watching

        return watching.names(self.settings)

    def watch_mark_all_seen(self, name: str) -> int:
        """Mark everything a saved search matches now as seen; how many were new."""
        from archive import watching

        return watching.mark_all_seen(self.settings, self._ready(), name)

    def watch_remove(self, name: str) -> None:
        from archive import watching

        watching.remove(self.settings, name)

    # --- storing --------------------------------------------------------------------------------

    def ingest(
        self, paths: Sequence[str | Path] = (), options: IngestOptions | None = None, progress: Progress | None = None
    ) -> IngestReport:
        """Store and index the articles under ``paths`` (the bundled seeds when empty)."""
        from archive.ingest.pipeline import IngestOptions, ingest

        return ingest(self.settings, [Path(p) for p in paths], options or IngestOptions(), progress)

    def deletion(self, ids: Sequence[int] = (), sources: Sequence[str] = ()) -> list[Listed]:
        """The articles that deleting these ids and these outlets' articles (any spelling of an outlet's
        name) would delete. An id or outlet the archive does not hold raises :class:`NotFoundError`."""
        from archive import maintenance

        return maintenance.deletion(self.settings, ids, sources)

    def delete(self, ids: Sequence[int] = (), sources: Sequence[str] = ()) -> int:
        """Delete articles by id and by outlet from the database and the index (what :meth:`deletion`
        lists); returns how many were deleted."""
        from archive import maintenance

        wanted = [a.id for a in self.deletion(ids, sources)]
        return maintenance.delete(self.settings, wanted)

    def export(self) -> Iterator[dict[str, Any]]:
        """Every article as a record that :meth:`ingest` reads back into the same article (JSON Lines)."""
        from archive import maintenance

        return maintenance.export(self.settings)

    # --- looking at it ------------------------------------------------------------------------------

    def get(self, article_id: int) -> Article:
        """One stored article."""
        from archive import maintenance

        return maintenance.article(self.settings, article_id)

    def synonyms(self) -> list[SynonymGroup]:
        """The synonym groups a search applies: words and phrases it takes for one another."""
        from archive import maintenance

        return maintenance.synonym_groups(self.settings)

    def add_synonyms(self, words: Sequence[str]) -> SynonymGroup:
        """Make ``words`` (words or phrases) one synonym group, joining any group that has one of them."""
        from archive import maintenance

        group = maintenance.add_synonyms(self.settings, words)
        if self._session is not None:
            self._session.forget_synonyms()
        return group

    def remove_synonyms(self, words: Sequence[str]) -> list[str]:
        """Take ``words`` out of their synonym groups; returns those removed."""
        from archive import maintenance

        removed = maintenance.remove_synonyms(self.settings, words)
        if self._session is not None:
            self._session.forget_synonyms()
        return removed

    def sources(self) -> list[Outlet]:
        """Every outlet with its articles, the spellings of its name merged (Latin and Devanagari, variants),
        most articles first; ``--source`` takes any of the spellings."""
        from archive import maintenance

        return maintenance.outlets(self.settings)

    def unmerge_outlet(self, name: str) -> tuple[str, str]:
        """Keep an outlet name that was merged into another as a misprint apart from now on (the rule never merges
        it again; ``archive synonyms add`` joins it by hand); returns (the name, the outlet it was merged into)."""
        from archive import maintenance

        unmerged = maintenance.unmerge_outlet(self.settings, name)
        if self._session is not None:
            self._session.forget_synonyms()
        return unmerged

    def stats(self, *, top_sources: int = 10) -> ArchiveStats:
        """The archive's size and state, with the ``top_sources`` outlets that have the most articles."""
        from archive import maintenance

        return maintenance.stats(self.settings, top_sources)

    def rejects(self, run_id: int | None = None, limit: int = 100, *, open_only: bool = False) -> list[Reject]:
        """Records ingest could not store, of every run (or of run ``run_id``), newest run first, each with
        what became of it (:class:`archive.models.Reject`); ``open_only``: only those still rejected."""
        from archive import maintenance

        return maintenance.rejects(self.settings, run_id, limit, open_only=open_only)

    def history(self, limit: int = 20) -> list[IngestRun]:
        """The latest ingest runs, newest first."""
        from archive import maintenance

        return maintenance.history(self.settings, limit)

    # --- looking after it ----------------------------------------------------------------------------

    def check(self, *, repair: bool = False) -> CheckReport:
        """Compare the index with the database; with ``repair``, fix what differs."""
        from archive import maintenance

        return maintenance.check(self.settings, repair=repair)

    def nodes(self) -> list[NodeStatus]:
        """Every index that follows the database's change feed (one per home sharing the database), with how
        far behind each is."""
        from archive import maintenance

        return maintenance.nodes(self.settings)

    def forget_node(self, node: str) -> None:
        """Stop keeping the feed's changes for a node that will not come back (its id, a prefix of it, or
        its home); it rebuilds its index if it ever does."""
        from archive import maintenance

        maintenance.forget_node(self.settings, node)

    def reindex(self, progress: Progress | None = None) -> int:
        """Rebuild the index from the database (``progress`` is told how far the indexing has got, see
        :meth:`Progress.indexing`); returns how many articles it indexed."""
        from archive import maintenance

        return maintenance.reindex(self.settings, progress.indexing if progress is not None else None)

    def optimize(self, *, full: bool = False, progress: Progress | None = None) -> Merged:
        """Merge the index's segments: those the merge policy has due, or with ``full`` all into one (by
        building the index again beside the one in use; ``progress`` is told how far it has got)."""
        from archive import maintenance

        return maintenance.optimize(self.settings, full=full, advanced=progress.indexing if progress else None)

    def upgrade(self) -> str:
        """Create the database if needed and apply every migration; returns the schema revision."""
        from archive import maintenance

        return maintenance.upgrade_database(self.settings)

    def backup(self, destination: Path, *, with_index: bool = True) -> Backup:
        """A consistent copy of the archive, while it runs, in the new folder ``destination``
        (:mod:`archive.backups`)."""
        from archive import backups

        return backups.backup(self.settings, Path(destination), with_index=with_index)

    def restore(self, source: Path) -> Backup:
        """The archive of a backup brought back into this (empty) home, its index in step."""
        from archive import backups

        return backups.restore(self.settings, Path(source))

    # --- collecting -----------------------------------------------------------------------------------

    def follow_add(self, url: str, name: str | None = None, every: str = "30m") -> FollowedSource:
        """Follow a feed, sitemap or section page: ``archive fetch`` collects its articles every ``every``
        (``30m``, ``2h``, ``1d``); ``name`` defaults to the address's host."""
        from archive.collect import following

        return following.add(self.settings, url, name, every)

    def follow_list(self) -> list[FollowedSource]:
        """The followed sources, by name (each with its last fetch, pages waiting, articles stored, next due)."""
        from archive.collect import following

        return following.listed(self.settings)

    def follow_show(self, name: str, limit: int = 10) -> tuple[FollowedSource, list[SourceFetch], list[CollectFailure]]:
        """One followed source, its latest fetches and the pages of it that failed."""
        from archive.collect import following

        return following.show(self.settings, name, limit)

    def follow_remove(self, name: str) -> None:
        """Stop following a source (its articles stay in the archive)."""
        from archive.collect import following

        following.remove(self.settings, name)

    def fetch(
        self,
        names: Sequence[str] = (),
        options: CollectSettings | None = None,
        fetched: Callable[[str], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> FetchReport:
        """Fetch the followed sources that are due (or ``names``, due or not) and store the articles they list
        (:mod:`archive.collect.run`); ``fetched`` is told each page done; once ``cancelled`` says so, no new
        request starts and the run ends as interrupted (what it left waits for the next)."""
        from archive.collect.run import collect

        return collect(self.settings, names, options, fetched=fetched, cancelled=cancelled)
