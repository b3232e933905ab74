"""What the archive hands out: plain, typed, immutable records (never rows of the database).

:meth:`Article.to_dict` is the one serialiser of an article: ``archive show`` prints it, ``archive export``
writes the part of it that ``archive ingest`` reads back (:data:`EXPORTED`), and the index's entry for an
article is made from it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from typing import Any

#: How records read from standard input name their file.
STDIN_ORIGIN = "<stdin>"


def utc_now() -> datetime:
    """Now, as the database keeps every time: in UTC, without a zone."""
    return datetime.now(UTC).replace(tzinfo=None)


#: The fields ``archive export`` writes, in this order, and ``archive ingest`` reads back.
EXPORTED = (
    "title",
    "summary",
    "body",
    "url",
    "source",
    "category",
    "date",
    "language",
    "author",
    "original",
    "origins",
)


@dataclass(frozen=True)
class Origin:
    """A record an article was read from: where, and the outlet, date and url that record gave."""

    file: str
    record: str
    source: str | None = None
    published: date | None = None
    url: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        """What makes it this very record: its file and its place in the file."""
        return (self.file, self.record)

    def to_dict(self) -> dict[str, Any]:
        """The origin as JSON-ready values, without the empty ones (``archive export`` writes it so).

        >>> Origin("raw/47.txt", "1", "जनसत्ता", date(2016, 10, 31)).to_dict()
        {'file': 'raw/47.txt', 'record': '1', 'source': 'जनसत्ता', 'date': '2016-10-31'}
        """
        values = {
            "file": self.file,
            "record": self.record,
            "source": self.source,
            "date": self.published.isoformat() if self.published else None,
            "url": self.url,
        }
        return {key: value for key, value in values.items() if value is not None}


@dataclass(frozen=True)
class Article:
    """One stored article."""

    id: int
    title: str
    body: str
    content_hash: str
    ingested_at: datetime
    updated_at: datetime
    origin_file: str
    origin_record: str
    url: str | None = None
    summary: str | None = None
    source: str | None = None
    #: The outlet's name folded for filtering (नईदुनिया and नई दुनिया alike); ``source`` keeps it as printed.
    source_key: str | None = None
    author: str | None = None
    category: str | None = None
    published: date | None = None
    language: str = "hi"
    #: The record as read, before cleaning.
    original: str | None = None
    #: Problems found while reading that did not stop the article, one per line.
    notes: str | None = None
    #: The id of the first stored copy of the same story (near-duplicates share it); None: none found yet.
    cluster_id: int | None = None
    #: Every record the article was read from, first seen first (one per file and record).
    origins: tuple[Origin, ...] = ()

    @property
    def story(self) -> int:
        """The story the article belongs to: its cluster, else itself."""
        return self.cluster_id or self.id

    def to_dict(self) -> dict[str, Any]:
        """Every field as JSON-ready values (dates in ISO form, notes as a list), in the order shown.

        >>> a = Article(1, "शीर्षक", "पाठ", "h", datetime(2026, 1, 2, 3, 4, 5), datetime(2026, 1, 2, 3, 4, 5), "f", "1",
        ...             published=date(2016, 1, 25), notes="तारीख़ नहीं पढ़ी\\nसौजन्य हटाया")
        >>> a.to_dict()["date"], a.to_dict()["notes"], a.to_dict()["origins"]
        ('2016-01-25', ['तारीख़ नहीं पढ़ी', 'सौजन्य हटाया'], [{'file': 'f', 'record': '1'}])
        >>> a.exported()  # doctest: +NORMALIZE_WHITESPACE
        {'title': 'शीर्षक', 'body': 'पाठ', 'date': '2016-01-25', 'language': 'hi',
         'origins': [{'file': 'f', 'record': '1'}]}
        """
        return {
            "id": self.id,
            "url": self.url,
            "title": self.title,
            "source": self.source,
            "source_key": self.source_key,
            "author": self.author,
            "category": self.category,
            "date": self.published.isoformat() if self.published else None,
            "language": self.language,
            "summary": self.summary,
            "body": self.body,
            "content_hash": self.content_hash,
            "ingested_at": self.ingested_at.isoformat(timespec="seconds"),
            "updated_at": self.updated_at.isoformat(timespec="seconds"),
            #: where the text as stored was read from; ``origins`` lists every record that carried it
            "origin": {"file": self.origin_file, "record": self.origin_record},
            "origins": [o.to_dict() for o in self.origins or (Origin(self.origin_file, self.origin_record),)],
            "notes": self.notes.splitlines() if self.notes else [],
            "original": self.original,
            "story": self.story,
        }

    def exported(self) -> dict[str, Any]:
        """The record ``archive export`` writes: :data:`EXPORTED`, without the empty ones."""
        fields = self.to_dict()
        return {key: fields[key] for key in EXPORTED if fields[key] is not None}


@dataclass(frozen=True)
class Listed:
    """An article as a list names it: for saying what a command will change."""

    id: int
    title: str
    source: str | None
    published: date | None


@dataclass
class RunCounts:
    """What became of records: of one batch, or of a whole ingest run."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    rejected: int = 0

    def add(self, other: RunCounts) -> None:
        self.added += other.added
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.duplicates += other.duplicates
        self.rejected += other.rejected


@dataclass(frozen=True)
class IngestRun:
    """One ``archive ingest``: what it read, when, and what came of it."""

    id: int
    paths: list[str]
    started_at: datetime
    finished_at: datetime | None
    #: running, finished, interrupted, failed (an error stopped it), or killed (its process ended without
    #: saying so: kill -9, a crash, a power cut); the counts are what it stored all the same
    status: str
    counts: RunCounts
    #: Where it runs or ran: the machine and the process id.
    host: str | None = None
    pid: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "run": self.id,
            "paths": self.paths,
            "started": self.started_at.isoformat(timespec="seconds"),
            "finished": self.finished_at.isoformat(timespec="seconds") if self.finished_at else None,
            "status": self.status,
            **asdict(self.counts),
            "host": self.host,
            "pid": self.pid,
        }


@dataclass(frozen=True)
class Reject:
    """A record that could not be stored, kept with enough context to fix and re-ingest it."""

    run_id: int
    origin_file: str
    origin_record: str
    reason: str
    context: str | None
    #: rejected (still), "rejected again" (a later read of the file rejected this record too), resolved (a
    #: later run read the file to the end and did not reject it), or gone (the file is not there any more)
    status: str = "rejected"
    #: The later run of "rejected again" and resolved.
    since_run: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "run": self.run_id,
            "file": self.origin_file,
            "record": self.origin_record,
            "reason": self.reason,
            "context": self.context,
            "status": self.status,
            "since_run": self.since_run,
        }


@dataclass(frozen=True)
class SynonymGroup:
    """Words and phrases a search takes for one another (``archive synonyms``)."""

    id: int
    words: tuple[str, ...]


@dataclass(frozen=True)
class Outlet:
    """One outlet, however its name is printed (see :func:`archive.analysis.sources.source_key`)."""

    #: The name printed on the most of its articles.
    name: str
    articles: int
    #: Every spelling of its name, with the articles printing it, most first.
    spellings: tuple[tuple[str, int], ...]
    #: The spellings merged into it as misprints of its name (`archive sources --unmerge` keeps one apart).
    misprints: tuple[str, ...] = ()


@dataclass(frozen=True)
class ArchiveStats:
    home: str
    database: str
    articles: int
    indexed: int
    sources: int
    first_date: date | None
    last_date: date | None
    index_bytes: int
    pending: int
    analyzer_version: str | None
    #: Nothing waits, every article is indexed, by the analyzer this archive indexes with.
    in_step: bool
    #: Articles with no date known.
    undated: int = 0
    #: The outlets with the most articles, largest first: (name, articles).
    top_sources: tuple[tuple[str, int], ...] = ()
    #: The index's segments, and whether its merge policy has merges due (``archive optimize`` runs them).
    segments: int = 0
    merges_due: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class FeedHead:
    """Where the change feed stands: its last change's number, and how far it has been pruned."""

    last: int
    pruned_through: int

    @property
    def position(self) -> int:
        """The position of an index that has applied everything (the feed may be pruned empty)."""
        return max(self.last, self.pruned_through)

    def can_follow(self, position: int) -> bool:
        """Whether an index at ``position`` can catch up by the feed: not behind what was pruned, and not
        ahead of the feed (an index made from another database, or from one restored from a backup)."""
        return self.pruned_through <= position <= self.position


@dataclass(frozen=True)
class FeedNode:
    """An index that follows the change feed: a home on some machine."""

    node: str
    host: str
    home: str


@dataclass(frozen=True)
class NodeStatus:
    """A node as the database knows it: how far it has applied the feed, and when it last said so."""

    node: str
    host: str
    home: str
    position: int
    #: Changes after its position.
    behind: int
    seen_at: datetime
    #: It has left a change unapplied for longer than the feed keeps changes for it: it rebuilds its index
    #: when it returns.
    gone: bool
    head: int
    #: It is the home asking.
    this_home: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "seen_at": self.seen_at.isoformat(timespec="seconds")}


@dataclass(frozen=True)
class Merged:
    """What ``archive optimize`` did: the index's segments before and after, and the documents each
    merge read (deleted ones included)."""

    segments_before: int
    segments_after: int
    merges: tuple[int, ...]


@dataclass(frozen=True)
class CheckReport:
    articles: int
    indexed: int
    missing: list[int]
    extra: list[int]
    stale: list[int]
    #: Changes of the feed this index has not applied yet.
    pending: int
    #: The index cannot be used at all (unreadable, built by another analyzer version).
    problem: str | None
    repaired: bool = False
    #: The change feed's position this index has applied, and the feed's own.
    position: int = 0
    head: int = 0
    #: Every index that follows the feed (this one among them).
    nodes: tuple[NodeStatus, ...] = ()

    @property
    def healthy(self) -> bool:
        return not (self.missing or self.extra or self.stale or self.pending or self.problem)

    def to_dict(self) -> dict[str, Any]:
        return {
            "articles": self.articles,
            "indexed": self.indexed,
            "missing": self.missing,
            "extra": self.extra,
            "stale": self.stale,
            "pending": self.pending,
            "problem": self.problem,
            "healthy": self.healthy,
            "repaired": self.repaired,
            "position": self.position,
            "head": self.head,
            "nodes": [n.to_dict() for n in self.nodes],
        }


@dataclass(frozen=True)
class SavedSearch:
    """A query with search's filters, kept under a name (``archive watch``). Dates are kept as given, so
    that ``30d`` stays thirty days before each look."""

    name: str
    query: str
    sources: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None
    languages: tuple[str, ...] = ()
    created_at: datetime | None = None
    #: When its matches were last looked at (None: never).
    seen_at: datetime | None = None

    def filters(self) -> dict[str, Any]:
        """The filters, as stored (JSON-ready), without the empty ones."""
        values = {
            "sources": list(self.sources),
            "categories": list(self.categories),
            "since": self.since,
            "until": self.until,
            "languages": list(self.languages),
        }
        return {key: value for key, value in values.items() if value}

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "query": self.query,
            **self.filters(),
            "created": self.created_at.isoformat(timespec="seconds") if self.created_at else None,
            "seen": self.seen_at.isoformat(timespec="seconds") if self.seen_at else None,
        }


@dataclass(frozen=True)
class WatchCount:
    """A saved search's matches now, and how many of them it has not shown yet."""

    search: SavedSearch
    total: int
    new: int

    def to_dict(self) -> dict[str, Any]:
        return {**self.search.to_dict(), "total": self.total, "new": self.new}


@dataclass(frozen=True)
class FollowedSource:
    """A feed, sitemap or section page the archive collects from (``archive follow``)."""

    id: int
    name: str
    url: str
    #: feed, sitemap or page (None until its first good fetch)
    kind: str | None
    every_seconds: int
    added_at: datetime
    next_due: datetime
    last_fetch_at: datetime | None
    #: ok, not modified, failed (None: never fetched)
    last_status: str | None
    last_error: str | None
    #: Articles its last fetch added.
    last_new: int
    #: Since when every fetch has failed.
    failing_since: datetime | None
    #: Pages listed and not stored yet (waiting, or failed and to be tried again).
    waiting: int = 0
    #: Articles stored from it, all told.
    stored: int = 0

    def failing_for(self, now: datetime) -> float:
        """Seconds every fetch has been failing (0 when the last one did not fail)."""
        return 0.0 if self.failing_since is None else (now - self.failing_since).total_seconds()


@dataclass(frozen=True)
class SourceFetch:
    """One fetch of a followed source."""

    started_at: datetime
    finished_at: datetime | None
    #: ok, not modified, failed
    status: str
    http_status: int | None
    #: Addresses the source listed.
    listed: int
    new_articles: int
    failed: int
    reason: str | None
    run_id: int | None


@dataclass(frozen=True)
class CollectFailure:
    """A page of a followed source that could not be stored (yet), and why."""

    url: str
    attempts: int
    reason: str
    at: datetime | None
    #: failed (tried again next time), given up (tried too often), or stored from the feed's own text.
    status: str


@dataclass(frozen=True)
class VectorModel:
    """The model an archive's vectors are of (``archive embed``), and what of each article it embedded."""

    name: str
    version: str
    dimension: int
    #: The rule that made an article's passage, with its version (``title+lead600``).
    passage: str

    def describe(self) -> str:
        return f"{self.name} ({self.version}, {self.dimension} dimensions, {self.passage})"


@dataclass(frozen=True)
class PendingPassage:
    """An article whose vector is missing or out of date, with what is embedded of it."""

    id: int
    content_hash: str
    title: str
    body: str


@dataclass(frozen=True)
class EmbedReport:
    """What one ``archive embed`` did: vectors written, and how many articles have a current one of how many."""

    embedded: int
    current: int
    articles: int
    model: VectorModel
    interrupted: bool = False
