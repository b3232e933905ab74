"""Saved searches (``archive watch``): save a query with search's filters, count what is new to it, show
the new matches and mark them seen, and say after an ingest which saved searches it brought news to.

A match is new to a saved search when the search has not shown it yet: the articles it has shown (and
those it matched when it was saved, its baseline) are kept in the database with it. An article updated
so that it matches for the first time is new; one that matched before and still does is not; a deleted
article drops out. Each article counts on its own (copies of one story are not collapsed: a monitor
counts what was printed). Matching runs on the index through :class:`archive.search.session.SearchSession`;
:class:`archive.Archive` calls these with its session.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import replace
from itertools import islice
from typing import TYPE_CHECKING

import numpy as np

from archive.analysis.sources import source_key
from archive.config import MAX_SAVED_NAME, SEEN_ASKED, Settings
from archive.errors import NotFoundError, QueryError
from archive.home import opened
from archive.index.query.arrays import Ints
from archive.models import SavedSearch, WatchCount, utc_now
from archive.search.atom import atom_feed
from archive.search.parsing import parse_when
from archive.search.request import Hit, SearchRequest
from archive.search.searching import iter_hits_in, matching_ids
from archive.search.session import SearchSession

if TYPE_CHECKING:
    from archive.store.database import Store


def request_of(saved: SavedSearch, sort: str = "newest") -> SearchRequest:
    """The search a saved search stands for, with its dates read now (``30d``: thirty days before today)."""
    try:
        since = parse_when(saved.since) if saved.since else None
        until = parse_when(saved.until) if saved.until else None
    except ValueError as error:
        raise QueryError(f"{error} (in the saved search {saved.name!r})") from error
    return SearchRequest(
        saved.query,
        sources=saved.sources,
        categories=saved.categories,
        since=since,
        until=until,
        languages=saved.languages,
        sort=sort,
        collapse=False,
    )


def check_name(name: str) -> str:
    """The name as kept (spaces at the ends dropped), or the reason it cannot be one.

    >>> check_name(" नोटबंदी ")
    'नोटबंदी'
    >>> check_name("")
    Traceback (most recent call last):
    archive.errors.QueryError: A saved search needs a name, e.g. `archive watch add नोटबंदी 'नोटबंदी'`.
    """
    kept = unicodedata.normalize("NFC", name.strip())
    if not kept:
        raise QueryError("A saved search needs a name, e.g. `archive watch add नोटबंदी 'नोटबंदी'`.")
    if len(kept) > MAX_SAVED_NAME:
        raise QueryError(f"A saved search's name has at most {MAX_SAVED_NAME} characters; this one has {len(kept)}.")
    # (format characters such as ZWJ and ZWNJ belong to Devanagari words; tabs and line breaks do not)
    if any(unicodedata.category(c) in ("Cc", "Cs", "Co", "Cn") for c in kept):
        raise QueryError("A saved search's name cannot hold control characters (tabs, line breaks).")
    return kept


def _name(name: str) -> str:
    """A name as it is looked up: as :func:`check_name` keeps it, so that what was saved is found."""
    return unicodedata.normalize("NFC", name.strip())


def add(settings: Settings, session: SearchSession, saved: SavedSearch) -> WatchCount:
    """Save a search. It must parse, its dates must read, and every outlet it names must be in the archive;
    what it matches now is its baseline (none of it new)."""
    saved = replace(saved, name=check_name(saved.name))
    if not saved.query.strip():
        raise QueryError("A saved search needs a query, e.g. `archive watch add नोटबंदी 'नोटबंदी'`.")
    known = {source_key(name) for name in session.source_names()}
    for source in saved.sources:
        if source_key(source) not in known:
            raise QueryError(f"No articles from the source {source!r}; `archive stats` lists the top sources.")
    matching = matching_ids(session, request_of(saved)).tolist()
    with opened(settings, create=False) as (store, _):
        store.saved.add(saved, matching, utc_now())
        stored = store.saved.named(saved.name)
    return WatchCount(stored, len(matching), 0)


def counts(settings: Settings, session: SearchSession) -> list[WatchCount]:
    """Every saved search with its total and what is new to it, by name."""
    with opened(settings, create=False) as (store, _):
        found = []
        for saved in store.saved.all():
            matching = matching_ids(session, request_of(saved))
            found.append(WatchCount(saved, len(matching), len(_unseen(store, saved.name, matching))))
        return found


def news_of_run(settings: Settings, ready: Callable[[], SearchSession], run_id: int) -> list[WatchCount]:
    """The saved searches that ingest run ``run_id`` brought new matches to, with how many (``new``).
    ``ready`` gives the search session, asked for only when there is a saved search (every ingest asks)."""
    with opened(settings, create=False) as (store, _):
        searches = store.saved.all()
        if not searches:
            return []
        session = ready()
        # this run's articles, and those of the runs since the last finished one (an interrupted run said nothing)
        brought = np.fromiter(store.changed_in_runs(store.first_unannounced_run(run_id), run_id), dtype=np.int64)
        if not brought.size:
            return []
        found = []
        for saved in searches:
            matching = matching_ids(session, request_of(saved))
            new = len(_unseen(store, saved.name, matching[np.isin(matching, brought, assume_unique=True)]))
            if new:
                found.append(WatchCount(saved, len(matching), new))
        return found


def _unseen(store: Store, name: str, ids: Ints) -> Ints:
    """These articles (distinct ids) less those the saved search has shown: what it has shown is asked id
    by id for a few, else read whole (one range of its key) and compared in numpy (asked id by id, a run of
    60,000 articles took 125 ms a search)."""
    if len(ids) <= SEEN_ASKED:
        seen = np.fromiter(store.saved.seen_among(name, ids.tolist()) if len(ids) else (), dtype=np.int64)
    else:
        seen = np.fromiter(store.saved.seen_ids(name), dtype=np.int64)
    return ids[~np.isin(ids, seen, assume_unique=True)]


def hits(
    settings: Settings,
    session: SearchSession,
    name: str,
    *,
    every: bool = False,
    since_run: int | None = None,
    limit: int | None = None,
    mark_seen: bool = True,
) -> tuple[SavedSearch, list[Hit]]:
    """A saved search's new matches, newest first (``every``: all of them; ``since_run``: those that run or
    a later one added or changed, seen before or not), at most ``limit``; with ``mark_seen``, the ones
    returned are seen from then on."""
    name = _name(name)
    with opened(settings, create=False) as (store, _):
        saved = store.saved.named(name)
        request = request_of(saved)
        wanted: set[int] | None = None
        if since_run is not None:  # what those runs brought, seen or not
            if since_run < 1 or since_run > max((run.id for run in store.runs(1)), default=0):
                raise NotFoundError(f"No ingest run {since_run}. `archive history` lists the runs.")
            wanted = set(store.changed_in_runs(since_run))
        elif not every:
            wanted = set(_unseen(store, name, matching_ids(session, request)).tolist())
        only = None if wanted is None else wanted.__contains__
        shown = list(islice(iter_hits_in(session, request, only), limit))
        if mark_seen:
            store.saved.mark_seen(name, [hit.id for hit in shown], utc_now())
        return saved, shown


def mark_seen(settings: Settings, name: str, ids: Sequence[int]) -> None:
    """Note that the saved search has shown these articles (after they were written out)."""
    with opened(settings, create=False) as (store, _):
        store.saved.mark_seen(_name(name), ids, utc_now())


def feed(settings: Settings, session: SearchSession, name: str, limit: int, base_url: str | None = None) -> str:
    """The Atom feed of a saved search's newest matches (nothing is marked seen)."""
    saved, newest = hits(settings, session, name, every=True, limit=limit, mark_seen=False)
    with opened(settings, create=False) as (store, _):
        stored = store.ingested_times([hit.id for hit in newest])
    return atom_feed(saved.name, saved.query, newest, stored, base_url=base_url)


def names(settings: Settings) -> list[str]:
    """The saved searches' names, in order (no search runs)."""
    with opened(settings, create=False) as (store, _):
        return [saved.name for saved in store.saved.all()]


def mark_all_seen(settings: Settings, session: SearchSession, name: str) -> int:
    """Mark every article the saved search matches now as seen (the page's "mark seen": nothing is new to
    it until an ingest brings more); how many were new."""
    name = _name(name)
    with opened(settings, create=False) as (store, _):
        saved = store.saved.named(name)
        new = _unseen(store, saved.name, matching_ids(session, request_of(saved)))
        store.saved.mark_seen(saved.name, new.tolist(), utc_now())
        return len(new)


def remove(settings: Settings, name: str) -> None:
    with opened(settings, create=False) as (store, _):
        store.saved.remove(_name(name))
