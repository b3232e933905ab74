"""Tables. The schema itself is created and changed only by the Alembic migrations in ``migrations/``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeEngine

from archive.store.packing import pack, unpack

# Named constraints, so that migrations can refer to them on every backend.
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "pk": "pk_%(table_name)s",
}


class PackedBytes(TypeDecorator[bytes]):
    """Bytes the store packs itself (an original record, packed against its body), declared as
    :class:`PackedText` is: ``TEXT`` on SQLite, ``bytea`` on a server. A value stored before migration
    0009 comes back as it was (text), for :func:`archive.store.packing.unpack_original` to read."""

    impl = LargeBinary
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        return dialect.type_descriptor(Text() if dialect.name == "sqlite" else LargeBinary())


class PackedText(PackedBytes):
    """Text stored compressed (:mod:`archive.store.packing`): ``bytea`` on a server. SQLite keeps each
    value's own type whatever its column declares, so there the columns stay declared ``TEXT`` and hold
    the frames as BLOBs: changing a declaration in SQLite copies the whole table in one transaction,
    which migration 0009 avoids so that it can pack a batch at a time."""

    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        return pack(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        return unpack(value)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Article(Base):
    __tablename__ = "articles"
    # Each band's index carries the signature and cluster too: clustering a batch reads only these indexes,
    # never the rows (at 100,000 articles, with the file not in the page cache, its reads took 0.8 s)
    __table_args__ = tuple(Index(f"ix_articles_band{n}", f"band{n}", "simhash", "cluster_id") for n in range(4))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str | None] = mapped_column(String(2048), unique=True)
    title: Mapped[str] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)
    #: (compressed: :class:`PackedText`)
    body: Mapped[str] = mapped_column(PackedText)
    source: Mapped[str | None] = mapped_column(String(256), index=True)
    #: The outlet's name folded for filtering (नईदुनिया and नई दुनिया alike); ``source`` keeps it as printed.
    source_key: Mapped[str | None] = mapped_column(String(256), index=True)
    author: Mapped[str | None] = mapped_column(String(512))
    category: Mapped[str | None] = mapped_column(String(256))
    published: Mapped[date | None] = mapped_column(Date, index=True)
    language: Mapped[str] = mapped_column(String(16), default="hi")
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    ingested_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    origin_file: Mapped[str] = mapped_column(Text)
    origin_record: Mapped[str] = mapped_column(String(64))
    #: The record as read, before cleaning, so a changed cleaning rule can be re-applied later.
    #: (packed with the body as zstd's dictionary: read it through ``packing.unpack_original``)
    packed_original: Mapped[bytes | None] = mapped_column("original", PackedBytes)
    #: Problems found while reading that did not stop the article (one per line).
    notes: Mapped[str | None] = mapped_column(Text)
    #: SimHash of the body and its four bands (see :mod:`archive.store.dedupe`); articles within a few bits of each
    #: other share a ``cluster_id``: the id of the first of them stored.
    simhash: Mapped[int | None] = mapped_column(BigInteger)
    band0: Mapped[int | None] = mapped_column(Integer)
    band1: Mapped[int | None] = mapped_column(Integer)
    band2: Mapped[int | None] = mapped_column(Integer)
    band3: Mapped[int | None] = mapped_column(Integer)
    cluster_id: Mapped[int | None] = mapped_column(Integer, index=True)
    #: The ingest run that last added or changed it (None: stored before runs were recorded with articles).
    changed_in_run: Mapped[int | None] = mapped_column(Integer, index=True)


class IngestRun(Base):
    """One ``archive ingest``: what it read, when, and what came of it."""

    __tablename__ = "ingest_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    paths: Mapped[str] = mapped_column(Text)  # JSON list
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    #: running, finished, interrupted, failed, killed (see archive.models.IngestRun)
    status: Mapped[str] = mapped_column(String(16))
    added: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    #: The process running the ingest (its start time guards against a reused pid): a run still
    #: "running" whose process is gone was killed.
    host: Mapped[str | None] = mapped_column(String(256))
    pid: Mapped[int | None] = mapped_column(Integer)
    process_started: Mapped[float | None] = mapped_column(Float)


class Origin(Base):
    """A record an article was read from. An article has one per record that carried its text: the same
    editorial printed again under another date is one article with two origins."""

    __tablename__ = "origins"
    __table_args__ = (
        UniqueConstraint("article_id", "origin_file", "origin_record"),
        # (a record without an address read again is known by where it was read: Store.upsert)
        Index("ix_origins_file_record", "origin_file", "origin_record"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(Integer, ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    origin_file: Mapped[str] = mapped_column(Text)
    origin_record: Mapped[str] = mapped_column(String(64))
    source: Mapped[str | None] = mapped_column(String(256))
    published: Mapped[date | None] = mapped_column(Date)
    url: Mapped[str | None] = mapped_column(String(2048))
    #: The run that read it (None: known from before origins were kept).
    run_id: Mapped[int | None] = mapped_column(Integer, index=True)
    seen_at: Mapped[datetime] = mapped_column(DateTime)


class Reject(Base):
    """A record that could not be stored, kept with enough context to fix and re-ingest it."""

    __tablename__ = "rejects"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(Integer, ForeignKey("ingest_runs.id"), index=True)
    origin_file: Mapped[str] = mapped_column(Text)
    origin_record: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    context: Mapped[str | None] = mapped_column(Text)


class IngestedFile(Base):
    """A file that an ingest read to the end, so the next run can skip it while it is unchanged."""

    __tablename__ = "ingested_files"

    path: Mapped[str] = mapped_column(Text, primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    mtime_ns: Mapped[int] = mapped_column(BigInteger)
    run_id: Mapped[int] = mapped_column(Integer, ForeignKey("ingest_runs.id"))


#: The feed's ordering key: BIGINT on a server; on SQLite the rowid itself (``INTEGER PRIMARY KEY``), with
#: AUTOINCREMENT so that a number is never used twice, even after the feed is pruned empty.
_SEQUENCE = BigInteger().with_variant(Integer(), "sqlite")


class Change(Base):
    """One insert, update or delete of an article (the change feed that every index follows).

    Written in the same transaction as the article; numbered in commit order (see
    :meth:`archive.store.feed.ChangeFeed._record_changes`), so an index that has applied every change up
    to a number has missed none below it. A change names the article only: applying it indexes the
    article as it is now, or removes it when it is gone (a delete leaves a tombstone, ``deleted``).
    """

    __tablename__ = "changes"
    __table_args__ = {"sqlite_autoincrement": True}  # noqa: RUF012 (SQLAlchemy's own declaration)

    seq: Mapped[int] = mapped_column(_SEQUENCE, primary_key=True, autoincrement=True)
    # No foreign key: a tombstone outlives its article.
    article_id: Mapped[int] = mapped_column(Integer)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    #: When it was made: a node that leaves a change unapplied for long is taken to be gone (pruning).
    changed_at: Mapped[datetime] = mapped_column(DateTime)


class IndexNode(Base):
    """An index that follows the feed (one per home), with how far it has applied it: what pruning the
    feed waits for, and what ``archive nodes`` and ``archive check`` show."""

    __tablename__ = "index_nodes"

    node: Mapped[str] = mapped_column(String(64), primary_key=True)
    host: Mapped[str] = mapped_column(String(256))
    home: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(BigInteger)
    seen_at: Mapped[datetime] = mapped_column(DateTime)


class FeedState(Base):
    """One row: the number up to which the feed has been pruned. An index behind it cannot catch up by the
    feed and is rebuilt from the articles."""

    __tablename__ = "feed_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pruned_through: Mapped[int] = mapped_column(BigInteger)


class SavedSearch(Base):
    """A query with search's filters, kept under a name (``archive watch``)."""

    __tablename__ = "saved_searches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    query: Mapped[str] = mapped_column(Text)
    #: JSON: sources, categories, since and until (as given: "30d" stays relative), languages.
    filters: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    #: When its matches were last looked at.
    seen_at: Mapped[datetime | None] = mapped_column(DateTime)


class SavedSearchSeen(Base):
    """An article a saved search has shown (or had matched when it was saved): not new to it."""

    __tablename__ = "saved_search_seen"

    search_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("saved_searches.id", ondelete="CASCADE"), primary_key=True
    )
    article_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Synonym(Base):
    """A group of words and phrases that a reader takes for one (``archive synonyms``)."""

    __tablename__ = "synonyms"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: The group's words and phrases as typed, one per line.
    words: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class FollowedSource(Base):
    """A feed, sitemap or section page an archive collects from (``archive follow``)."""

    __tablename__ = "followed_sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    url: Mapped[str] = mapped_column(String(2048), unique=True)
    #: feed, sitemap or page: what its first good fetch found (None before it).
    kind: Mapped[str | None] = mapped_column(String(16))
    every_seconds: Mapped[int] = mapped_column(Integer)
    added_at: Mapped[datetime] = mapped_column(DateTime)
    next_due: Mapped[datetime] = mapped_column(DateTime)
    last_fetch_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_status: Mapped[str | None] = mapped_column(String(32))
    last_error: Mapped[str | None] = mapped_column(Text)
    #: Articles its last fetch added.
    last_new: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: Since when every fetch has failed (None: the last one did not).
    failing_since: Mapped[datetime | None] = mapped_column(DateTime)
    etag: Mapped[str | None] = mapped_column(String(512))
    last_modified: Mapped[str | None] = mapped_column(String(128))


class SourceFetch(Base):
    """One fetch of a followed source: what it found and what became of it."""

    __tablename__ = "source_fetches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(Integer, ForeignKey("followed_sources.id", ondelete="CASCADE"), index=True)
    #: The ingest run it stored its articles in.
    run_id: Mapped[int | None] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    #: ok, not modified, failed
    status: Mapped[str] = mapped_column(String(32))
    http_status: Mapped[int | None] = mapped_column(Integer)
    listed: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    new_articles: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    failed: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    reason: Mapped[str | None] = mapped_column(Text)


class CollectedUrl(Base):
    """An address a followed source listed (an article page, or a sitemap of a sitemap index), with what
    became of it: waiting, stored, failed (how often, why)."""

    __tablename__ = "collected_urls"
    __table_args__ = (UniqueConstraint("source_id", "url"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(Integer, ForeignKey("followed_sources.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(String(2048), index=True)
    #: page (an article), or sitemap (a sitemap an index lists)
    kind: Mapped[str] = mapped_column(String(16))
    #: waiting, stored, failed, given up
    status: Mapped[str] = mapped_column(String(16), index=True)
    #: What the source said of it last (entry's updated, lastmod): a changed stamp fetches it again.
    stamp: Mapped[str | None] = mapped_column(String(128))
    #: The source's own fields for it (JSON): the text to fall back on when the page cannot be had.
    entry: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    reason: Mapped[str | None] = mapped_column(Text)
    article_id: Mapped[int | None] = mapped_column(Integer)
    etag: Mapped[str | None] = mapped_column(String(512))
    last_modified: Mapped[str | None] = mapped_column(String(128))
    first_seen: Mapped[datetime] = mapped_column(DateTime)
    fetched_at: Mapped[datetime | None] = mapped_column(DateTime)


class OutletMerge(Base):
    """An outlet name taken for a misprint of another and merged into it (undone: kept apart from then on)."""

    __tablename__ = "outlet_merges"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    misprint: Mapped[str] = mapped_column(String(256), unique=True)
    target: Mapped[str] = mapped_column(String(256))
    misprint_articles: Mapped[int] = mapped_column(Integer)
    target_articles: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    undone_at: Mapped[datetime | None] = mapped_column(DateTime)


class EmbeddingModel(Base):
    """One row: the model the archive's vectors are of (a search embeds its query with the same one), and
    what of an article it was given (``passage``: the rule's name and version)."""

    __tablename__ = "embedding_model"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(256))
    version: Mapped[str] = mapped_column(String(256))
    dimension: Mapped[int] = mapped_column(Integer)
    passage: Mapped[str] = mapped_column(String(256))


class ArticleVector(Base):
    """An article's vector (``archive embed``), made from its text as ``content_hash`` says it was: a vector
    whose hash is not its article's any more is out of date (the article was updated since)."""

    __tablename__ = "article_vectors"
    __table_args__ = {"sqlite_autoincrement": True}  # noqa: RUF012 (SQLAlchemy's own declaration)

    id: Mapped[int] = mapped_column(_SEQUENCE, primary_key=True, autoincrement=True)
    article_id: Mapped[int] = mapped_column(Integer, ForeignKey("articles.id", ondelete="CASCADE"), unique=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    vector: Mapped[bytes] = mapped_column(LargeBinary)
