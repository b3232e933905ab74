"""The Python API: everything the CLI does, as typed calls.

>>> from archive import Archive
>>> archive = Archive("/tmp/my-archive")          # doctest: +SKIP
>>> archive.ingest()                              # doctest: +SKIP
>>> archive.search("लावरोव", sort="newest").total  # doctest: +SKIP
1
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archive.config import Settings, resolve_settings

if TYPE_CHECKING:
    # for annotations only: a search process should not import ingest, admin or the ORM models
    from archive.ingest.pipeline import IngestOptions, IngestReport, Progress
    from archive.maintenance import ArchiveStats
    from archive.search.request import SearchRequest, SearchResults
    from archive.search.session import SearchSession
    from archive.store.tables import Article


class Archive:
    """An archive at ``home`` (default: ``ARCHIVE_HOME``, else the per-user data directory).

    Searches keep the database and index open between calls (see :class:`archive.search.session.SearchSession`);
    :meth:`close`, or ``with Archive(...) as archive:``, releases them.
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

    def _searching(self) -> SearchSession:
        if self._session is None:
            from archive.search.session import SearchSession

            self._session = SearchSession(self.settings)
            # An archive dropped without close() still closes its files (the index's segment files are
            # open while a searcher is): at garbage collection, not at interpreter exit.
            self._closer = weakref.finalize(self, self._session.close)
        return self._session

    def _ready(self) -> SearchSession:
        """The search session, after the one rule for when searching writes (:meth:`catch_up`)."""
        session = self._searching()
        if self.catches_up and session.behind():
            self.catch_up()
        return session

    def catch_up(self) -> int:
        """Bring this home's index up to date with the database: migrate an older schema, create a missing
        index, index what is queued (what an interrupted ingest left, or another writer stored). Returns how
        many articles it indexed.

        The rule: a search only reads. ``search`` and ``similar`` call this first when the session says the
        index is behind (:meth:`archive.search.session.SearchSession.behind`), so that a search after an
        interrupted ingest still finds everything; with nothing queued they write nothing. It does not wait
        for an index that another command is writing: that command indexes the queue. ``Archive(...,
        catch_up=False)`` never calls it (for readers that must not write, such as a server).
        """
        from archive.maintenance import catch_up

        return catch_up(self.settings)

    def ingest(
        self, paths: Sequence[str | Path] = (), options: IngestOptions | None = None, progress: Progress | None = None
    ) -> IngestReport:
        """Store and index the articles under ``paths`` (the bundled seeds when empty)."""
        from archive.ingest.pipeline import IngestOptions, ingest

        return ingest(self.settings, [Path(p) for p in paths], options or IngestOptions(), progress)

    def search(self, request: SearchRequest | str, **options: Any) -> SearchResults:
        """Search: ``archive.search("सरकार", sources=("जनसत्ता",), since=date(2016, 1, 1), facets=("year",))``.
        The keyword arguments are the fields of :class:`archive.search.request.SearchRequest`."""
        from archive.search.searching import search_in

        return search_in(self._ready(), request, **options)

    def similar(self, article_id: int, *, limit: int = 10) -> SearchResults:
        """Articles most like the given one."""
        from archive.search.searching import similar_in

        return similar_in(self._ready(), article_id, limit=limit)

    def get(self, article_id: int) -> Article:
        from archive.maintenance import show

        return show(self.settings, article_id)

    def stats(self) -> ArchiveStats:
        from archive.maintenance import stats

        return stats(self.settings)
