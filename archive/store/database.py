"""The database: engine, migrations, and the typed queries of articles, runs, files and rejects; the change feed,
saved searches and synonyms are parts of the Store on the same session factory (store/sessions.py: each call a
transaction; migrations run on their own connection)."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Engine, Table, bindparam, delete, event, func, insert, inspect, select, update
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from archive import models
from archive.analysis.sources import source_key
from archive.config import UPSERT_ATTEMPTS, Settings
from archive.errors import DatabaseError, DatabaseUnavailable, NoArchiveError, NotFoundError, SchemaBehindError
from archive.models import STDIN_ORIGIN, RunCounts
from archive.models import Origin as OriginRecord
from archive.processes import ProcessId, is_alive
from archive.store.chunks import chunks
from archive.store.dedupe import bands, cluster_of, simhash
from archive.store.feed import ChangeFeed
from archive.store.follows import FollowedSources
from archive.store.merges import OutletMerges
from archive.store.packing import pack_original, unpack_original
from archive.store.readonly import ReadOnlyStore
from archive.store.saved import SavedSearches
from archive.store.schema import SCHEMA_HEAD, alembic_config
from archive.store.sessions import Sessions, unreachable
from archive.store.standby import is_read_only, primary_engine, server_engine
from archive.store.synonyms import SynonymGroups
from archive.store.tables import Article, IngestedFile, IngestRun, Origin, Reject
from archive.store.vectors import ArticleVectors

if TYPE_CHECKING:
    # annotations only: importing archive.readers loads every reader (~40 ms), which a search never needs
    from archive.readers.records import ArticleRecord, RejectedRecord


#: The advisory lock two processes migrating one PostgreSQL database at once take (any constant of ours).
MIGRATION_LOCK = 0x61726369

#: The origins table itself, for inserting plain rows (see :meth:`Store.upsert`).
_ORIGINS = cast(Table, Origin.__table__)


def content_hash(title: str, summary: str | None, body: str) -> str:
    """Identity of an article's content, insensitive to whitespace differences.

    >>> content_hash("a", None, "b  c") == content_hash("a", "", "b c")
    True
    """
    canonical = "\x1f".join(" ".join(part.split()) for part in (title, summary or "", body))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Duplicate:
    """A record whose text a stored article already has: kept as one more origin of that article."""

    origin_file: str
    origin_record: str
    article_id: int


@dataclass
class UpsertResult(RunCounts):
    #: Articles added or updated (each a change in the feed).
    changed_ids: list[int] = field(default_factory=list)
    duplicates_of: list[Duplicate] = field(default_factory=list)


@dataclass(frozen=True)
class StoreStats:
    articles: int
    sources: int
    first_date: date | None
    last_date: date | None
    undated: int = 0
    #: The outlets with the most articles (spellings merged, as filters merge them; one spelling shown).
    top_sources: tuple[tuple[str, int], ...] = ()


def _missing_driver(url: str, error: ImportError) -> str:
    """What to install for a database URL whose driver is missing.

    >>> _missing_driver("postgresql+psycopg://u@h/news", ModuleNotFoundError("No module named 'psycopg'"))
    "The database URL needs the PostgreSQL driver, which is not installed: pip install 'archive[postgres]'"
    """
    if url.startswith(("postgresql+psycopg://", "postgresql://", "postgres://")):
        return "The database URL needs the PostgreSQL driver, which is not installed: pip install 'archive[postgres]'"
    if url.startswith(("postgresql", "postgres")):  # another driver named in the URL
        return (
            f"The database URL names the driver {error.name or str(error)!r}, which is not installed; install it, or "
            "write postgresql://… to use psycopg 3 (pip install 'archive[postgres]')"
        )
    driver = error.name or str(error)
    return (
        f"The database URL needs the driver {driver!r}, which is not installed; install it (pip install ...), "
        "or use SQLite (the default) or PostgreSQL (pip install 'archive[postgres]')"
    )


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets searches read while an ingest writes; busy_timeout turns lock contention into a wait.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
    # pysqlite commits before every CREATE/ALTER on its own, so a migration killed half-way would leave
    # tables without a version stamp. Take transaction control away from it (SQLAlchemy's documented
    # recipe) and begin explicitly below: a migration then lands whole or not at all.
    dbapi_connection.isolation_level = None


def _sqlite_begin(connection: Any) -> None:
    # A writer takes the write lock up front: a deferred transaction that reads and then writes after
    # another process wrote fails at once with "database is locked" instead of waiting (WAL snapshots).
    immediate = connection.get_execution_options().get("immediate", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class Store:
    """An archive's database. Open with :meth:`open`; every method runs in its own transaction. Its articles,
    runs and files are here; its other parts share its session factory: :attr:`feed` (the change feed and
    the nodes that follow it), :attr:`saved` (saved searches), :attr:`synonyms` (synonym groups)."""

    def __init__(self, engine: Engine, location: str) -> None:
        self.engine = engine
        self.location = location
        self._session = Sessions(engine, location)
        #: What a search reads, through this store's engine (the statements are written once, there).
        self.reads = ReadOnlyStore.over(engine)
        self.feed = ChangeFeed(self._session, self.reads)
        self.saved = SavedSearches(self._session)
        self.synonyms = SynonymGroups(self._session)
        self._primary: Engine | None = None
        self.follows = FollowedSources(self._session)
        self.merges = OutletMerges(self._session, self.reads)
        self.vectors = ArticleVectors(self._session)

    @classmethod
    def open(cls, settings: Settings, *, create: bool, migrate: bool = True) -> Store:
        """Open the database, creating it when ``create`` is true, and bring its schema to head (with
        ``migrate=False``, a database at another revision is an error that names the upgrade instead)."""
        if settings.uses_default_sqlite:
            db_file = settings.home / "archive.db"
            if not db_file.exists():
                if not create:
                    raise NoArchiveError(
                        f"No archive at {settings.home}. Create one with `archive ingest` "
                        "(or point --home / ARCHIVE_HOME at an existing one)."
                    )
                settings.home.mkdir(parents=True, exist_ok=True)
        try:
            engine = server_engine(settings.db_url)
        except ImportError as error:
            raise DatabaseError(_missing_driver(settings.db_url, error)) from error
        except (SQLAlchemyError, ValueError) as error:
            raise DatabaseError(f"Cannot use database URL {settings.db_url!r}: {error}") from error
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
            event.listen(engine, "begin", _sqlite_begin)
        store = cls(engine, engine.url.render_as_string(hide_password=True))
        try:
            store._find_primary(settings.primary_url)
            if not create and store.current_revision() is None:
                raise NoArchiveError(
                    f"The database {store.location} holds no archive yet. Create one with `archive ingest`."
                )
            if migrate:
                store.upgrade()
            elif (revision := store.current_revision()) != SCHEMA_HEAD:
                raise SchemaBehindError(
                    f"The database {store.location} is at schema revision {revision}, and this archive reads "
                    f"{SCHEMA_HEAD}. Run `archive db upgrade` (it keeps a backup of a SQLite file)."
                )
        except OperationalError as error:
            store.close()
            kind = DatabaseUnavailable if unreachable(error) else DatabaseError
            raise kind(f"Cannot open the database {store.location}: {error.orig}") from error
        except BaseException:
            store.close()
            raise
        return store

    def _find_primary(self, primary_url: str | None) -> None:
        """Where this node's own rows go (:mod:`archive.store.standby`): the primary when one is named, nowhere
        on a standby with none named, else this database."""
        if primary_url:
            self._primary = primary_engine(primary_url)
            location = self._primary.url.render_as_string(hide_password=True)
            self.feed.record_nodes_in(Sessions(self._primary, location))
        elif is_read_only(self.engine):
            self.feed.record_nodes_in(None)

    def close(self) -> None:
        self.engine.dispose()
        if self._primary is not None:
            self._primary.dispose()

    # --- schema -------------------------------------------------------------------------------

    def current_revision(self) -> str | None:
        with self.engine.connect() as connection:
            if not inspect(connection).has_table("alembic_version"):
                return None
            return connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()

    def upgrade(self) -> str:
        """Apply every migration not yet applied; returns the revision the database is at."""
        if self.current_revision() == SCHEMA_HEAD:
            return SCHEMA_HEAD
        from alembic.script import ScriptDirectory

        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
        if head is None:
            raise DatabaseError("The package ships no migrations; reinstall archive.")
        current = self.current_revision()
        if current != head and is_read_only(self.engine):
            raise SchemaBehindError(
                f"The database {self.location} is a read-only standby at schema revision {current}, and this "
                f"archive reads {head}. Upgrade the primary (`archive --db PRIMARY db upgrade`); the standby "
                "follows it."
            )
        if current != head:
            if current is not None:
                self.backup(f"before-{head}")
            # under the write lock, so two processes opening a new archive migrate it once: SQLite's
            # immediate transaction is that lock; PostgreSQL needs one of its own (the second process then
            # finds the schema at head and applies nothing), held by the session: a migration that works
            # in batches (0009) commits each, and the lock must outlive those commits
            try:
                self._migrate()
            except Exception:
                # SQLite's lock is let go between a batched migration's transactions: another process may
                # have finished the migration meanwhile, and this one's version stamp then fails
                if self.current_revision() != head:
                    raise
        return head

    def _migrate(self) -> None:
        from alembic import command

        with self._session.writer.connect() as connection:
            server = connection.dialect.name == "postgresql"
            if server:
                connection.exec_driver_sql(f"SELECT pg_advisory_lock({MIGRATION_LOCK})")
            try:
                # a transaction begun by the first statement, not by begin(): Alembic runs inside it, and a
                # batched migration may commit it and go on in the next one
                connection.exec_driver_sql("SELECT 1")
                command.upgrade(alembic_config(connection), "head")
                connection.commit()
            except BaseException:
                connection.rollback()
                raise
            finally:
                if server:
                    connection.exec_driver_sql(f"SELECT pg_advisory_unlock({MIGRATION_LOCK})")
                    connection.commit()

    def backup(self, label: str) -> Path | None:
        """Copy a SQLite database file beside itself (``archive.db.<label>.bak``), consistently even while
        others read it; returns the copy's path. Server databases are backed up by their own tools."""
        if self.engine.dialect.name != "sqlite" or not self.engine.url.database:
            return None
        source = Path(self.engine.url.database)
        target = source.with_name(f"{source.name}.{label}.bak")
        raw = self.engine.raw_connection()
        try:
            destination = sqlite3.connect(target)
            try:
                raw.driver_connection.backup(destination)  # type: ignore[union-attr]
            finally:
                destination.close()
        finally:
            raw.close()
        return target

    def table_names(self) -> list[str]:
        return sorted(inspect(self.engine).get_table_names())

    # --- writes -------------------------------------------------------------------------------

    def upsert(self, records: Sequence[ArticleRecord], now: datetime, run_id: int | None = None) -> UpsertResult:
        """Store a batch of records in one transaction, and count them in run ``run_id`` in the same one
        (so a killed run's counts are what it stored):

        - a record whose text no stored article has is added, or updates the article its url names;
        - a record whose text a stored article has is a duplicate of that article, and its file, record,
          outlet, date and url are kept as one more origin of it; unless it is this very record, read
          before (every one of its origins already known), which leaves everything unchanged.

        Every added or updated article is a change in the feed, in the same transaction. Two ingests storing
        the same article at once: one of them hits the unique url or hash and its batch is rolled back; it
        is tried again and then finds the other's article there. An article the batch updates that another
        command deletes meanwhile (a server database reads committed rows, so it may go between the batch's
        read and its write) fails the batch's update the same way, and the batch tried again adds it."""
        for attempt in range(UPSERT_ATTEMPTS):
            try:
                return self._upsert(records, now, run_id)
            except (IntegrityError, StaleDataError):
                if attempt == UPSERT_ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")

    def _upsert(self, records: Sequence[ArticleRecord], now: datetime, run_id: int | None) -> UpsertResult:
        result = UpsertResult()
        hashes = [content_hash(r.title, r.summary, r.body) for r in records]
        with self._session(write=True) as session:
            by_url = {
                a.url: a
                for chunk in chunks(sorted({r.url for r in records if r.url}))
                for a in session.scalars(select(Article).where(Article.url.in_(chunk)))
            }
            by_hash = {
                a.content_hash: a
                for chunk in chunks(sorted(set(hashes)))
                for a in session.scalars(select(Article).where(Article.content_hash.in_(chunk)))
            }
            # a record without an address, with a text no article has, may be one read before and cleaned
            # differently then (a rule changed since): found by where it was read and its original text
            reread = _read_before(
                session, [r for r, h in zip(records, hashes, strict=True) if not r.url and h not in by_hash]
            )
            stored = {a.id: a for a in (*by_url.values(), *by_hash.values(), *reread.values())}
            # (file, record) of every origin known, per article object: new articles have no id until flushed
            seen: dict[Article, set[tuple[str, str]]] = {
                stored[i]: keys for i, keys in _origin_keys(session, sorted(stored)).items()
            }
            changed: list[Article] = []
            added: set[Article] = set()  # (articles this batch added)
            replaced: set[Article] = set()  # stored articles whose text this batch replaced
            duplicates: list[tuple[ArticleRecord, Article]] = []
            new_origins: dict[Article, list[OriginRecord]] = {}

            def text_replaced(target: Article, record: ArticleRecord, digest: str) -> None:
                by_hash.pop(target.content_hash, None)
                _fill(target, record, digest, now)
                target.changed_in_run = run_id
                by_hash[digest] = target
                changed.append(target)
                result.updated += 1

            for record, digest in zip(records, hashes, strict=True):
                known = by_url.get(record.url) if record.url else None
                same_content = by_hash.get(digest)
                target = same_content if same_content is not None else known
                cleaned_again = reread.pop((record.origin_file, record.origin_record), None) if target is None else None
                if cleaned_again is not None:
                    # the same record, cleaned by today's rules: its article takes the new text and keeps its
                    # origins (they carried this very record)
                    target = cleaned_again
                    text_replaced(target, record, digest)
                elif target is None:
                    target = Article(ingested_at=now, changed_in_run=run_id)
                    _fill(target, record, digest, now)
                    session.add(target)
                    by_hash[digest] = target
                    if record.url:
                        by_url[record.url] = target
                    changed.append(target)
                    added.add(target)
                    result.added += 1
                elif same_content is None:  # the url's article, with another text
                    text_replaced(target, record, digest)
                    # its origins carried the text it no longer has: the records of the new text replace them
                    seen[target] = set()
                    new_origins[target] = []
                    if target not in added:
                        replaced.add(target)
                elif record.url and target.url is None and record.url not in by_url:
                    target.url = record.url  # the same text, now with its address
                    target.updated_at = now
                    target.changed_in_run = run_id
                    by_url[record.url] = target
                    if target in added:  # a second record of an article this batch added: a duplicate
                        result.duplicates += 1
                        duplicates.append((record, target))
                    else:
                        changed.append(target)
                        result.updated += 1
                elif all(o.key in seen.get(target, ()) for o in record.origins):
                    result.unchanged += 1  # this very record, read before
                else:
                    result.duplicates += 1
                    duplicates.append((record, target))
                known_keys = seen.setdefault(target, set())
                new_origins.setdefault(target, []).extend(o for o in record.origins if o.key not in known_keys)
                known_keys.update(o.key for o in record.origins)
            session.flush()
            for chunk in chunks(sorted(a.id for a in replaced)):
                session.execute(delete(Origin).where(Origin.article_id.in_(chunk)))
            rows = [_origin_row(target.id, o, run_id, now) for target, origins in new_origins.items() for o in origins]
            if rows:  # (a plain executemany: as ORM objects, the origins cost a twentieth of all storing)
                session.connection().execute(insert(_ORIGINS), rows)
            result.duplicates_of = [Duplicate(r.origin_file, r.origin_record, a.id) for r, a in duplicates]
            self._cluster(session, changed)
            result.changed_ids = sorted({a.id for a in changed})
            if run_id is not None:
                _count_in_run(session, run_id, result)
            self.feed.record_changes(session, result.changed_ids, now)  # (last: see ChangeFeed.record_changes)
        return result

    def _cluster(self, session: Session, articles: Sequence[Article]) -> None:
        """Sign each article and put it with the earliest stored near-copy, if any (:mod:`archive.store.dedupe`).

        Articles are taken in order, each seeing those before it as already signed, as if each were
        stored on its own; the candidates of the whole batch are read in one query per band."""
        signed = []
        for article in articles:
            signature = simhash(article.body)
            signed.append((article, signature, bands(signature)))
        columns = (Article.band0, Article.band1, Article.band2, Article.band3)
        # stored signatures sharing a band with any of the batch: id -> (signature, cluster), and by band
        stored: dict[int, tuple[int, int]] = {}
        stored_bands: list[dict[int, list[int]]] = [{} for _ in columns]
        with session.no_autoflush:
            for band, column in enumerate(columns):
                wanted = sorted({parts[band] for _, _, parts in signed})
                for chunk in chunks(wanted):
                    rows = session.execute(
                        select(Article.id, Article.simhash, Article.cluster_id, column).where(
                            column.in_(chunk), Article.simhash.is_not(None)
                        )
                    )
                    for article_id, known, cluster, part in rows:
                        if known is None or part is None:  # (excluded by the query; for the type checker)
                            continue
                        stored[article_id] = (known, cluster if cluster is not None else article_id)
                        stored_bands[band].setdefault(part, []).append(article_id)
        # the batch's own articles once signed: their new signatures replace what is stored for them
        done: dict[int, tuple[int, int]] = {}
        done_bands: list[dict[int, list[int]]] = [{} for _ in columns]
        for article, signature, parts in signed:
            matches = {i for band, part in enumerate(parts) for i in stored_bands[band].get(part, ()) if i not in done}
            matches.update(i for band, part in enumerate(parts) for i in done_bands[band].get(part, ()))
            matches.discard(article.id)
            candidates = [(i, *(done[i] if i in done else stored[i])) for i in sorted(matches)]
            cluster = cluster_of(signature, candidates) or article.id
            article.simhash = signature
            article.band0, article.band1, article.band2, article.band3 = parts
            article.cluster_id = cluster
            done[article.id] = (signature, cluster)
            for band, part in enumerate(parts):
                done_bands[band].setdefault(part, []).append(article.id)
        session.flush()

    # --- ingest runs, rejects and files read ---------------------------------------------------

    def start_run(self, paths: Sequence[str], now: datetime, owner: ProcessId | None = None) -> int:
        with self._session(write=True) as session:
            run = IngestRun(
                paths=json.dumps(list(paths), ensure_ascii=False),
                started_at=now,
                status="running",
                added=0,
                updated=0,
                unchanged=0,
                duplicates=0,
                rejected=0,
                host=owner.host if owner else None,
                pid=owner.pid if owner else None,
                process_started=owner.started if owner else None,
            )
            session.add(run)
            session.flush()
            return run.id

    def record_run(self, run_id: int, counts: RunCounts, *, status: str, now: datetime | None = None) -> None:
        """Save a run's counts so far (and its end, when ``now`` is given)."""
        with self._session(write=True) as session:
            run = session.get_one(IngestRun, run_id)
            run.added, run.updated, run.unchanged = counts.added, counts.updated, counts.unchanged
            run.duplicates, run.rejected = counts.duplicates, counts.rejected
            run.status = status
            run.finished_at = now

    def mark_killed_runs(self) -> int:
        """Record as killed every run still "running" whose process is gone (on this machine); returns how
        many. Their counts stay as stored: each batch counted itself in its own transaction."""
        with self._session(write=True) as session:
            running = session.scalars(select(IngestRun).where(IngestRun.status == "running")).all()
            killed = [run for run in running if _status(run) == "killed"]
            for run in killed:
                run.status = "killed"
            return len(killed)

    def add_rejects(self, run_id: int, rejects: Sequence[RejectedRecord]) -> None:
        """Keep rejected records, and count them in their run in the same transaction."""
        with self._session(write=True) as session:
            session.add_all(
                Reject(
                    run_id=run_id,
                    origin_file=r.origin_file,
                    origin_record=r.origin_record,
                    reason=r.reason,
                    context=r.context,
                )
                for r in rejects
            )
            _count_in_run(session, run_id, RunCounts(rejected=len(rejects)))

    def runs(self, limit: int = 20) -> list[models.IngestRun]:
        with self._session() as session:
            rows = session.scalars(select(IngestRun).order_by(IngestRun.id.desc()).limit(limit))
            return [_run(row) for row in rows]

    def rejects(self, run_id: int | None = None, limit: int = 100, *, open_only: bool = False) -> list[models.Reject]:
        """Rejects of every run (or of run ``run_id``), newest run first, each with what became of it: still
        rejected; rejected again (a later run read the file and rejected the same record); resolved (a later
        run read the file to the end and did not reject that record); gone (the file is not there any more).
        ``open_only``: only those still rejected."""
        with self._session() as session:
            if run_id is not None and session.get(IngestRun, run_id) is None:
                raise NotFoundError(f"No ingest run {run_id}. `archive history` lists the runs.")
            query = select(Reject).order_by(Reject.run_id.desc(), Reject.id)
            if run_id is not None:
                query = query.where(Reject.run_id == run_id)
            found: list[models.Reject] = []
            latest = _latest_reads(session)
            again = _rejected_by(session, {run for run in latest.values()})
            for row in session.scalars(query).yield_per(500):
                later = latest.get(row.origin_file)
                status, since = "rejected", None
                if later is not None and later > row.run_id:
                    key = (later, row.origin_file, row.origin_record)
                    status, since = ("rejected again" if key in again else "resolved"), later
                elif (
                    row.origin_file != STDIN_ORIGIN
                    and "://" not in row.origin_file  # (a page or feed collected from the web is no file)
                    and not os.path.lexists(row.origin_file)
                ):
                    status = "gone"  # the file is not there any more: nothing left to fix
                if open_only and status != "rejected":
                    continue
                found.append(
                    models.Reject(
                        row.run_id, row.origin_file, row.origin_record, row.reason, row.context, status, since
                    )
                )
                if len(found) >= limit:
                    break
            return found

    def first_unannounced_run(self, run_id: int) -> int:
        """The first run whose news the end of run ``run_id`` reports: the one after the last run before it
        that finished (an interrupted, failed or killed run announced nothing)."""
        with self._session() as session:
            query = select(func.max(IngestRun.id)).where(IngestRun.id < run_id, IngestRun.status == "finished")
            last = session.scalar(query)
            return (last or 0) + 1

    def ingested_times(self, ids: Sequence[int]) -> dict[int, datetime]:
        """When each of these articles was first stored (it never changes: with the id, an article's
        identity, as an id alone can be given again to a later article once the last one is deleted)."""
        found: dict[int, datetime] = {}
        with self._session() as session:
            for chunk in chunks(sorted(set(ids))):
                rows = session.execute(select(Article.id, Article.ingested_at).where(Article.id.in_(chunk)))
                found.update((article_id, stored) for article_id, stored in rows)
        return found

    def changed_in_runs(self, first_run: int, last_run: int | None = None) -> list[int]:
        """The articles that ingest run ``first_run`` or a later one (up to ``last_run``) last added or changed."""
        query = select(Article.id).where(Article.changed_in_run >= first_run)
        if last_run is not None:
            query = query.where(Article.changed_in_run <= last_run)
        with self._session() as session:
            return list(session.scalars(query))

    def file_done(self, path: str, size: int, mtime_ns: int) -> bool:
        """Whether an earlier run read this file to the end without rejecting any of it, and it has not
        changed since (a file with rejects is read again: it is still bad, and says so again)."""
        with self._session() as session:
            seen = session.get(IngestedFile, path)
            if seen is None or seen.size != size or seen.mtime_ns != mtime_ns:
                return False
            rejected = select(Reject.id).where(Reject.run_id == seen.run_id, Reject.origin_file == path).limit(1)
            return session.scalar(rejected) is None

    def mark_file_done(self, path: str, size: int, mtime_ns: int, run_id: int) -> None:
        with self._session(write=True) as session:
            session.merge(IngestedFile(path=path, size=size, mtime_ns=mtime_ns, run_id=run_id))

    # --- reads --------------------------------------------------------------------------------

    def article_ids(self) -> list[int]:
        with self._session() as session:
            return list(session.scalars(select(Article.id).order_by(Article.id)))

    def articles(self, ids: Sequence[int]) -> list[models.Article]:
        """The articles with these ids that exist, in the order of ``ids``."""
        found: dict[int, models.Article] = {}
        with self._session() as session:
            for chunk in chunks(list(ids)):
                found.update((a.id, _article(a)) for a in session.scalars(select(Article).where(Article.id.in_(chunk))))
        return [found[i] for i in ids if i in found]

    def hashes_of(self, ids: Sequence[int]) -> list[str]:
        """The content hashes of these articles (those that exist): how an export names them."""
        found: list[str] = []
        with self._session() as session:
            for chunk in chunks(sorted(set(ids))):
                found.extend(session.scalars(select(Article.content_hash).where(Article.id.in_(chunk))))
        return found

    def ids_with_hashes(self, hashes: Sequence[str]) -> list[int]:
        """The articles with these content hashes (an export's names for them), in id order."""
        found: list[int] = []
        with self._session() as session:
            for chunk in chunks(sorted(set(hashes))):
                found.extend(session.scalars(select(Article.id).where(Article.content_hash.in_(chunk))))
        return sorted(found)

    def content_hashes(self) -> dict[int, str]:
        with self._session() as session:
            return {i: h for i, h in session.execute(select(Article.id, Article.content_hash))}

    def listed(self, ids: Sequence[int]) -> list[models.Listed]:
        """The articles with these ids that exist, as a list names them, in id order."""
        found: list[models.Listed] = []
        with self._session() as session:
            for chunk in chunks(sorted(set(ids))):
                query = select(Article.id, Article.title, Article.source, Article.published).where(
                    Article.id.in_(chunk)
                )
                found.extend(models.Listed(*row) for row in session.execute(query.order_by(Article.id)))
        return found

    def ids_from_sources(self, keys: Sequence[str]) -> list[int]:
        with self._session() as session:
            return list(session.scalars(select(Article.id).where(Article.source_key.in_(list(keys)))))

    def delete(self, ids: Sequence[int], now: datetime) -> int:
        """Delete articles, leaving a tombstone of each in the change feed (every index removes it when it
        next catches up). Returns how many existed."""
        with self._session(write=True) as session:
            existing = [
                i
                for chunk in chunks(list(ids))
                for i in session.scalars(select(Article.id).where(Article.id.in_(chunk)))
            ]
            for chunk in chunks(existing):
                session.execute(delete(Article).where(Article.id.in_(chunk)))
            self.feed.record_changes(session, existing, now, deleted=True)
            return len(existing)

    def iter_articles(self, batch: int = 500) -> Iterator[models.Article]:
        """Every article in id order, a batch at a time (memory stays flat)."""
        last = 0
        while True:
            with self._session() as session:
                query = select(Article).where(Article.id > last).order_by(Article.id).limit(batch)
                found = list(session.scalars(query))
                origins = _origins_of(session, [row.id for row in found])
                rows = [_article(row, origins[row.id]) for row in found]
            if not rows:
                return
            yield from rows
            last = rows[-1].id

    def get(self, article_id: int) -> models.Article:
        with self._session() as session:
            article = session.get(Article, article_id)
            if article is None:
                raise NotFoundError(f"No article with id {article_id}. `archive search` shows the ids.")
            return _article(article, _origins_of(session, [article_id])[article_id])

    def stats(self, top_sources: int = 10) -> StoreStats:
        with self._session() as session:
            count, sources, first, last = session.execute(
                select(
                    func.count(Article.id),
                    func.count(func.distinct(Article.source_key)),
                    func.min(Article.published),
                    func.max(Article.published),
                )
            ).one()
            undated = session.scalar(select(func.count(Article.id)).where(Article.published.is_(None))) or 0
            # counted on the source_key index alone (the articles' rows, bodies and all, are never read),
            # then one row read per outlet shown, for a spelling to show
            top = session.execute(
                select(Article.source_key, func.count())
                .where(Article.source_key.is_not(None))
                .group_by(Article.source_key)
                .order_by(func.count().desc(), Article.source_key)
                .limit(top_sources)
            ).all()
            spelled = select(Article.source).where(Article.source_key == bindparam("key")).limit(1)
            named = tuple((str(session.scalar(spelled, {"key": key}) or key), int(n)) for key, n in top)
        return StoreStats(count, sources, first, last, undated, named)


def _read_before(session: Session, records: Sequence[ArticleRecord]) -> dict[tuple[str, str], Article]:
    """The stored article each of ``records`` was read into before, by (file, record), when its original
    text is this record's own: the same record read again (another record now at that place is not it)."""
    wanted = {(r.origin_file, r.origin_record): r.original for r in records if r.original is not None}
    found: dict[tuple[str, str], Article] = {}
    for file in sorted({file for file, _ in wanted}):
        places = sorted(place for f, place in wanted if f == file)
        for chunk in chunks(places):
            query = (
                select(Origin.origin_record, Article)
                .join(Article, Article.id == Origin.article_id)
                .where(Origin.origin_file == file, Origin.origin_record.in_(chunk))
            )
            for place, article in session.execute(query):
                if unpack_original(article.packed_original, article.body) == wanted[(file, place)]:
                    found[(file, place)] = article
    return found


def _origin_keys(session: Session, article_ids: Sequence[int]) -> dict[int, set[tuple[str, str]]]:
    keys: dict[int, set[tuple[str, str]]] = {i: set() for i in article_ids}
    for chunk in chunks(article_ids):
        query = select(Origin.article_id, Origin.origin_file, Origin.origin_record).where(Origin.article_id.in_(chunk))
        for article_id, file, record in session.execute(query):
            keys[article_id].add((file, record))
    return keys


def _origins_of(session: Session, article_ids: Sequence[int]) -> dict[int, tuple[OriginRecord, ...]]:
    found: dict[int, list[OriginRecord]] = {i: [] for i in article_ids}
    for chunk in chunks(article_ids):
        for row in session.scalars(select(Origin).where(Origin.article_id.in_(chunk)).order_by(Origin.id)):
            found[row.article_id].append(
                OriginRecord(row.origin_file, row.origin_record, row.source, row.published, row.url)
            )
    return {i: tuple(origins) for i, origins in found.items()}


def _origin_row(article_id: int, origin: OriginRecord, run_id: int | None, now: datetime) -> dict[str, Any]:
    return {
        "article_id": article_id,
        "origin_file": origin.file,
        "origin_record": origin.record,
        "source": origin.source,
        "published": origin.published,
        "url": origin.url,
        "run_id": run_id,
        "seen_at": now,
    }


def _count_in_run(session: Session, run_id: int, counts: RunCounts) -> None:
    """Add a batch's counts to its run's, in the batch's own transaction."""
    session.execute(
        update(IngestRun)
        .where(IngestRun.id == run_id)
        .values(
            added=IngestRun.added + counts.added,
            updated=IngestRun.updated + counts.updated,
            unchanged=IngestRun.unchanged + counts.unchanged,
            duplicates=IngestRun.duplicates + counts.duplicates,
            rejected=IngestRun.rejected + counts.rejected,
        )
    )


def _fill(article: Article, record: ArticleRecord, digest: str, now: datetime) -> None:
    article.url = record.url
    article.title = record.title
    article.summary = record.summary
    article.body = record.body
    article.source = record.source
    article.source_key = source_key(record.source) if record.source else None
    article.author = record.author
    article.packed_original = pack_original(record.original, record.body)
    article.notes = "\n".join(record.notes) or None
    article.category = record.category
    article.published = record.published
    article.language = record.language
    article.content_hash = digest
    article.updated_at = now
    article.origin_file = record.origin_file
    article.origin_record = record.origin_record


def _article(row: Article, origins: tuple[OriginRecord, ...] = ()) -> models.Article:
    return models.Article(
        id=row.id,
        title=row.title,
        body=row.body,
        content_hash=row.content_hash,
        ingested_at=row.ingested_at,
        updated_at=row.updated_at,
        origin_file=row.origin_file,
        origin_record=row.origin_record,
        url=row.url,
        summary=row.summary,
        source=row.source,
        source_key=row.source_key,
        author=row.author,
        category=row.category,
        published=row.published,
        language=row.language,
        original=unpack_original(row.packed_original, row.body),
        notes=row.notes,
        cluster_id=row.cluster_id,
        origins=origins,
    )


def _latest_reads(session: Session) -> dict[str, int]:
    """File -> the latest run that read it to the end."""
    return {path: run_id for path, run_id in session.execute(select(IngestedFile.path, IngestedFile.run_id))}


def _rejected_by(session: Session, runs: set[int]) -> set[tuple[int, str, str]]:
    """(run, file, record) of every reject of these runs."""
    found: set[tuple[int, str, str]] = set()
    for chunk in chunks(sorted(runs)):
        query = select(Reject.run_id, Reject.origin_file, Reject.origin_record).where(Reject.run_id.in_(chunk))
        found.update((run_id, file, record) for run_id, file, record in session.execute(query))
    return found


def _status(row: IngestRun) -> str:
    """A run's status, "killed" for one still marked running whose process has gone."""
    if row.status != "running" or row.pid is None or row.host is None or row.process_started is None:
        return row.status
    alive = is_alive(ProcessId(row.host, row.pid, row.process_started))
    return "killed" if alive is False else row.status


def _run(row: IngestRun) -> models.IngestRun:
    counts = RunCounts(row.added, row.updated, row.unchanged, row.duplicates, row.rejected)
    return models.IngestRun(
        row.id, json.loads(row.paths), row.started_at, row.finished_at, _status(row), counts, row.host, row.pid
    )
