"""Looking at and looking after an archive: one article, counts, runs and rejects, schema upgrades, catching
the index up, checking and repairing it, rebuilding it, deleting and exporting articles.

Each function opens what it needs of the home and closes it again; :class:`archive.Archive` calls them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any

from archive.analysis import ANALYZER_VERSION
from archive.analysis.sources import joined_outlets, outlets_of, source_key
from archive.config import Settings
from archive.errors import InputError, NotFoundError, SearchIndexError
from archive.home import opened
from archive.index.feed import known_node, this_node
from archive.index.sync import Advanced, ensure_index, lag, rebuild_index, reindex_entries, sync_index
from archive.models import (
    ArchiveStats,
    Article,
    CheckReport,
    IngestRun,
    Listed,
    Merged,
    NodeStatus,
    Outlet,
    Reject,
    SynonymGroup,
    utc_now,
)
from archive.store.carried import exported as exported_records


def article(settings: Settings, article_id: int) -> Article:
    with opened(settings, create=False) as (store, _):
        return store.get(article_id)


def stats(settings: Settings, top_sources: int = 10) -> ArchiveStats:
    """Counts from the database and the index, reported as found (nothing is repaired here)."""
    with opened(settings, create=False) as (store, index):
        counts = store.stats(top_sources=top_sources)
        info = index.info()
        waiting = lag(store, index) if index.exists() else counts.articles
        segments = index.segment_sizes() if info.documents else []
        return ArchiveStats(
            home=str(settings.home),
            database=store.location,
            articles=counts.articles,
            indexed=info.documents,
            sources=counts.sources,
            first_date=counts.first_date,
            last_date=counts.last_date,
            index_bytes=info.size_bytes,
            pending=waiting,
            analyzer_version=info.analyzer_version,
            in_step=waiting == 0 and info.documents == counts.articles and info.analyzer_version == ANALYZER_VERSION,
            undated=counts.undated,
            top_sources=counts.top_sources,
            segments=len(segments),
            merges_due=bool(index.due_merge(segments)),
        )


def synonym_groups(settings: Settings) -> list[SynonymGroup]:
    with opened(settings, create=False) as (store, _):
        return store.synonyms.groups()


def add_synonyms(settings: Settings, words: Sequence[str]) -> SynonymGroup:
    with opened(settings, create=False) as (store, _):
        return store.synonyms.add(words)


def remove_synonyms(settings: Settings, words: Sequence[str]) -> list[str]:
    with opened(settings, create=False) as (store, _):
        return store.synonyms.remove(words)


def outlets(settings: Settings) -> list[Outlet]:
    """Every outlet of the archive, its spellings merged (:func:`archive.analysis.sources.outlets_of`), and
    the names a synonym group gives one outlet (NBT, नवभारत टाइम्स) too, as a search's facet merges them."""
    with opened(settings, create=False) as (store, _):
        merged = store.merges.active()
        joined = joined_outlets([*(group.words for group in store.synonyms.groups()), *merged])
        grouped = outlets_of(store.reads.source_counts(), joined)
    misprinted = {misprint for misprint, _ in merged}
    return [
        Outlet(name, articles, tuple(spellings), tuple(n for n, _ in spellings if n in misprinted))
        for name, articles, spellings in grouped
    ]


def unmerge_outlet(settings: Settings, name: str) -> tuple[str, str]:
    """Keep an outlet name merged as a misprint apart again (for good); returns (misprint, outlet)."""
    with opened(settings, create=False) as (store, _):
        return store.merges.undo(name, utc_now())


def catch_up(settings: Settings) -> int:
    """Migrate the database, build a missing index and apply the change feed to it, without waiting for an
    index another command is writing; returns how many articles were indexed."""
    with opened(settings, create=False) as (store, index):
        ensure_index(store, index)
        return sync_index(store, index, wait=False)


def upgrade_database(settings: Settings) -> str:
    """Create the database if needed and apply every migration; returns the schema revision."""
    with opened(settings, create=True) as (store, _):
        return store.upgrade()


def reindex(settings: Settings, advanced: Advanced | None = None) -> int:
    """Rebuild the index from the database (``advanced`` is told how far it has got); returns the number of
    articles indexed."""
    with opened(settings, create=False) as (store, index):
        return rebuild_index(store, index, advanced)


def optimize(settings: Settings, *, full: bool = False, advanced: Advanced | None = None) -> Merged:
    """Run the merges the index's merge policy has due (those larger than a commit takes), each in a commit
    of its own, its segments' articles written afresh from the database; with ``full``, build the index
    again beside the one in use (in one segment, or segments of at most ``commit_growth_cap`` articles) and
    swap it in: the index in use stays open to ingests meanwhile, whose changes the new one applies after
    the swap."""
    with opened(settings, create=False) as (store, index):
        before = len(index.segment_sizes())
        if full:
            merges = [rebuild_index(store, index, advanced)] if before > 1 or index.has_deletions() else []
        else:
            merges = index.merge(store.articles)
        return Merged(before, len(index.segment_sizes()), tuple(merges))


def rejects(
    settings: Settings, run_id: int | None = None, limit: int = 100, *, open_only: bool = False
) -> list[Reject]:
    """Records that could not be stored, of every run or of one (see :meth:`archive.store.database.Store.rejects`)."""
    with opened(settings, create=False) as (store, _):
        return store.rejects(run_id, limit, open_only=open_only)


def history(settings: Settings, limit: int = 20) -> list[IngestRun]:
    """The latest ingest runs, newest first."""
    with opened(settings, create=False) as (store, _):
        return store.runs(limit)


def check(settings: Settings, *, repair: bool = False) -> CheckReport:
    """Compare the database with the index: articles missing from the index, documents the database no
    longer has, documents whose text is out of date; with ``repair``, fix all of it."""
    with opened(settings, create=False) as (store, index):
        stored = store.content_hashes()
        problem: str | None = None
        indexed: dict[int, str] = {}
        try:
            indexed = index.stored_hashes()
        except SearchIndexError as error:
            problem = str(error)
        position, head = index.applied_position(), store.feed.head()
        # What the feed still has to bring is not wrong, only not there yet (the next command applies it):
        # only the differences no pending change explains are the index's faults.
        if problem is not None or position == head.position:
            waiting: set[int] = set()
        elif head.can_follow(position):
            waiting = store.feed.articles_changed_after(position)
        else:  # (to be rebuilt from the articles: every difference is explained)
            waiting = stored.keys() | indexed.keys()
        missing = sorted(stored.keys() - indexed.keys() - waiting)
        extra = sorted(indexed.keys() - stored.keys() - waiting)
        stale = sorted(i for i in stored.keys() & indexed.keys() - waiting if stored[i] != indexed[i])
        report = CheckReport(
            len(stored),
            len(indexed),
            missing,
            extra,
            stale,
            lag(store, index) if problem is None else 0,
            problem,
            position=position,
            head=head.position,
            nodes=tuple(_marked(settings, store.feed.nodes(utc_now()))),
        )
        if not repair or report.healthy:
            return report
        if problem is not None:
            rebuild_index(store, index)
        else:
            if missing or extra or stale:
                reindex_entries(store, index, sorted({*missing, *extra, *stale}))
            sync_index(store, index)
        return CheckReport(**{**report.__dict__, "repaired": True})


def nodes(settings: Settings) -> list[NodeStatus]:
    """Every index that follows the database's change feed, with how far behind each is."""
    with opened(settings, create=False) as (store, _):
        return _marked(settings, store.feed.nodes(utc_now()))


def _marked(settings: Settings, found: Sequence[NodeStatus]) -> list[NodeStatus]:
    mine = known_node(settings.home)
    return [replace(n, this_home=n.node == mine) for n in found]


def forget_node(settings: Settings, node: str) -> None:
    """Stop keeping the feed's changes for a node that will not come back (its id or its home)."""
    with opened(settings, create=False) as (store, _):
        known = store.feed.nodes(utc_now())
        matches = [n for n in known if node in (n.node, n.home) or (len(node) >= 6 and n.node.startswith(node))]
        if len(matches) != 1:
            listed = "; ".join(f"{n.node[:8]} ({n.home} on {n.host})" for n in known) or "none"
            problem = "matches several nodes" if matches else "is not a node of this archive"
            raise NotFoundError(f"{node!r} {problem}; the nodes: {listed}. `archive nodes` lists them.")
        if matches[0].node == this_node(settings.home).node:
            raise InputError("That is this home's own node: forget it from another home (or delete this home).")
        store.feed.forget_node(matches[0].node)


def deletion(settings: Settings, ids: Sequence[int] = (), sources: Sequence[str] = ()) -> list[Listed]:
    """What deleting these ids and outlets' articles would delete, in id order. An id the archive does not
    hold, or an outlet it has no article of, is an error (a typo should not delete part of what was meant)."""
    with opened(settings, create=False) as (store, _):
        found = store.listed(ids)
        missing = sorted(set(ids) - {a.id for a in found})
        if missing:
            shown = ", ".join(map(str, missing[:20])) + (" …" if len(missing) > 20 else "")
            noun = "id" if len(missing) == 1 else "ids"
            raise NotFoundError(f"No article with {noun} {shown}; nothing was deleted. `archive search` shows the ids.")
        by_source: list[int] = []
        for source in sources:
            of_source = store.ids_from_sources([source_key(source)])
            if not of_source:
                raise NotFoundError(
                    f"No articles from the source {source!r}; nothing was deleted. `archive stats` lists the sources."
                )
            by_source.extend(of_source)
        return sorted({a.id: a for a in (*found, *store.listed(by_source))}.values(), key=lambda a: a.id)


def delete(settings: Settings, ids: Sequence[int]) -> int:
    """Delete articles by id from the database and the index; returns how many existed."""
    with opened(settings, create=False) as (store, index):
        count = store.delete(sorted(set(ids)), utc_now())
        if index.exists():
            sync_index(store, index)
        return count


def export(settings: Settings) -> Iterator[dict[str, Any]]:
    """Every article as a JSON Lines record that `archive ingest` reads back into the same article, then the
    archive's own records (synonym groups, saved searches with what they have shown: :mod:`archive.store.carried`),
    which the same ingest stores."""
    with opened(settings, create=False) as (store, _):
        for found in store.iter_articles():
            yield found.exported()
        yield from exported_records(store)
