"""An archive's database reads, index and Whoosh searcher, kept open from one search to the next."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archive.config import Settings
from archive.errors import SchemaBehindError
from archive.index.query.values import DocValues
from archive.index.search_index import SearchIndex
from archive.index.swap import current_directory
from archive.index.vocabulary import Vocabulary
from archive.search.damage import index_damage_reported
from archive.search.meaning import MeaningVectors
from archive.search.plans import Plans
from archive.search.synonyms import SynonymIndex
from archive.store.readonly import ReadOnlyStore

#: How long a session's synonyms stand before it reads them again (a change elsewhere shows within this).
SYNONYMS_SECONDS = 1.0
#: How long what :meth:`SearchSession.behind` found current stands for the acquire after it.
CONFIRMED_SECONDS = 0.05

if TYPE_CHECKING:
    from archive.store.database import Store


class SearchSession:
    """The database reads, index and Whoosh searcher of one archive, kept open from one search to the next.

    A session only reads: it never migrates the database, creates the index or applies the change feed. Whether
    the index is ready to be read (:meth:`behind`) is for the caller to ask, and bringing it up to date is
    the caller's explicit step (:meth:`archive.Archive.catch_up`). Opening everything costs more than a
    search (the database and schema check, the index's segment files, the vocabulary), so an
    :class:`archive.Archive` keeps one session; each search still sees what other processes committed
    since: the searcher is reopened when the index has a newer generation or when a reindex swapped the
    ``index`` link to another directory. Within :meth:`reading`, every acquire returns the same state. Not for
    use by several threads at once.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._store: Store | None = None
        self._reads: ReadOnlyStore | None = None
        self._index: SearchIndex | None = None
        self._target = ""
        self._searcher: Any = None
        self._values: DocValues | None = None
        self._vocabulary: Vocabulary | None = None
        self._labels: dict[str, str] = {}
        self._synonyms: SynonymIndex | None = None
        self._synonyms_read = 0.0
        self._meaning: MeaningVectors | None = None
        #: The searcher :meth:`behind` has just found on the latest commit, and when: the acquire that follows
        #: need not ask again (the index's file names and its link read twice in every search).
        self._confirmed: tuple[Any, float] | None = None
        self._depth = 0  # how many reading() blocks are open
        self._held = False  # whether this reading() has acquired its state
        #: Queries' words as searched, kept for their next searches on the same searcher (:mod:`archive.search.plans`).
        self.plans = Plans()

    def __enter__(self) -> SearchSession:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def behind(self) -> bool:
        """Whether a search could not just read: the database is missing or at an older schema, the index
        is missing, or it has not applied every change of the feed. Reads only (one statement of two
        indexed look-ups, and the index's file names, when all is well)."""
        reads = self._open_reads()
        if reads is None:
            return True
        # a searcher on the latest commit shows the index is there: asking Whoosh opens the index afresh
        # (its table of contents and schema, 0.4 ms of every search)
        self._confirmed = None
        with index_damage_reported(self.settings.index_dir):
            index = self._open_index()
            current = self._current()
            if not (current or index.exists()):
                return True
            if index.applied_position() != reads.feed_head().position:
                return True
        if current:
            self._confirmed = (self._searcher, time.monotonic())
        return False

    @contextmanager
    def reading(self) -> Iterator[None]:
        """One operation (a search, a similar search, a highlight): every :meth:`acquire` inside gives what the
        first gave. Opening a newer searcher midway closes the one the operation is still reading (Whoosh's
        ReaderClosed: a highlight read the synonyms after its searcher, and reading them reopened it when an
        ingest had committed in between); a damaged index is reported as an error naming the fix."""
        self._depth += 1
        try:
            with index_damage_reported(self.settings.index_dir):
                yield
        finally:
            self._depth -= 1
            if self._depth == 0:
                self._held = False

    def acquire(self) -> tuple[ReadOnlyStore, SearchIndex, Any]:
        """The database's reads, the index and a searcher on the index's latest committed state (inside
        :meth:`reading`, the state its first acquire opened)."""
        if self._held and self._reads is not None and self._index is not None and self._searcher is not None:
            return self._reads, self._index, self._searcher
        reads = self._open_reads()
        if reads is None:
            # says what is wrong (no archive; a schema to upgrade) without changing anything
            reads = self._reads = self._store_not_migrated().reads
        confirmed, self._confirmed = self._confirmed, None
        # (what behind() has just found current needs no second look: a commit since is the next search's)
        fresh = (
            confirmed is not None
            and self._searcher is not None
            and confirmed[0] is self._searcher
            and time.monotonic() - confirmed[1] < CONFIRMED_SECONDS
        )
        index = self._index if fresh and self._index is not None else self._open_index()
        if not fresh and self._searcher is not None and not self._searcher.up_to_date():
            # A fresh searcher, not Whoosh's refresh(): that reuses the open reader of a segment whose
            # deletions changed, so deleted articles would still be found (tests/test_api_session.py).
            self._close_searcher()
        if self._searcher is None:
            self._searcher = index.open().searcher()
            self._values = None
        self._held = self._depth > 0
        return reads, index, self._searcher

    def _open_reads(self) -> ReadOnlyStore | None:
        """The database's reads; None when there is no current archive to read (a database to create or
        migrate first)."""
        if self._reads is None:
            if self.settings.uses_default_sqlite:
                # a current SQLite archive is read without SQLAlchemy
                self._reads = ReadOnlyStore.sqlite(self.settings.home / "archive.db")
            else:
                try:
                    self._reads = self._store_not_migrated().reads
                except SchemaBehindError:
                    return None
        return self._reads

    def _open_index(self) -> SearchIndex:
        # `index` stands for a directory that a reindex replaces: another one means another index altogether
        target = str(current_directory(self.settings.index_dir))
        if self._index is None or target != self._target:
            self._close_index()
            self._index, self._target = SearchIndex(Path(target), self.settings.index), target
            self._vocabulary = Vocabulary(Path(target), keep_open=True)
        return self._index

    def _current(self) -> bool:
        """Whether the open searcher sees the index's latest commit (none when its directory is gone)."""
        return self._searcher is not None and bool(self._searcher.up_to_date())

    def _store_not_migrated(self) -> Store:
        """The store of a server database (or of a SQLite one that cannot be read directly, to say why),
        opened without migrating it: a database at another revision is an error naming the upgrade."""
        if self._store is None:
            from archive.store.database import Store

            self._store = Store.open(self.settings, create=False, migrate=False)
        return self._store

    @property
    def vocabulary(self) -> Vocabulary:
        """The index's vocabulary, its file kept open between searches."""
        if self._vocabulary is None:
            raise RuntimeError("acquire() the session first")
        return self._vocabulary

    def values(self) -> DocValues:
        """Per-document values of the current searcher (read on first use, dropped with the searcher)."""
        if self._values is None or self._values.searcher is not self._searcher:
            if self._values is not None:
                self._values.close()
            self._values = DocValues(self._searcher)
        return self._values

    def synonyms(self) -> SynonymIndex:
        """The archive's synonym groups, read again at most every :data:`SYNONYMS_SECONDS` (another process or
        machine may change them; reading each search cost a tenth of a short search) and analysed again only
        when they changed. :meth:`forget_synonyms` makes the next search read them."""
        now = time.monotonic()
        if self._synonyms is None or now - self._synonyms_read >= SYNONYMS_SECONDS:
            reads, _, _ = self.acquire()
            groups, merged = tuple(reads.synonym_groups()), tuple(reads.outlet_merges())
            if self._synonyms is None or (self._synonyms.groups, self._synonyms.merged) != (groups, merged):
                self._synonyms = SynonymIndex(groups, merged)
            self._synonyms_read = now
        return self._synonyms

    def meaning(self) -> MeaningVectors:
        """The archive's vectors for search by meaning (read on first use, kept while they stay current)."""
        if self._meaning is None:
            self._meaning = MeaningVectors(self.settings.embedding_model)
        return self._meaning

    def forget_kept(self) -> None:
        """Drop what searches kept for the next ones (plans, and what the searcher's searches found): the
        next search of any query costs what its first did."""
        self.plans.clear()
        if self._values is not None:
            self._values.forget_kept()

    def forget_synonyms(self) -> None:
        self._synonyms = None

    def source_names(self) -> list[str]:
        """Every outlet name the archive's articles print."""
        reads, _, _ = self.acquire()
        return reads.source_names()

    def source_labels(self, keys: Sequence[str]) -> dict[str, str]:
        """The outlet name printed most for each source key, remembered until the index changes (asking
        SQL groups every article of those outlets: ~40 ms at 4.5k articles)."""
        missing = [k for k in keys if k not in self._labels]
        if missing and self._reads is not None:
            found = self._reads.source_labels(missing)
            self._labels.update((k, found.get(k, k)) for k in missing)
        return {k: self._labels.get(k, k) for k in keys}

    def _close_searcher(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None
        if self._values is not None:
            self._values.close()
            self._values = None
        self._labels = {}  # articles changed (the index did): their outlets' names may have too
        self.plans.clear()

    def _close_index(self) -> None:
        self._close_searcher()
        if self._vocabulary is not None:
            self._vocabulary.close()
            self._vocabulary = None
        if self._index is not None:
            self._index.close()
            self._index = None

    def close(self) -> None:
        self._close_index()
        if self._meaning is not None:
            self._meaning.close()
            self._meaning = None
        if self._reads is not None:
            self._reads.close()
        self._reads = None
        if self._store is not None:
            self._store.close()
            self._store = None
