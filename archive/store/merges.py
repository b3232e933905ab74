"""Outlet names taken for misprints of another outlet's (`दैनिक जारगण` for `दैनिक जागरण`) and merged into it, by
the rule of :func:`archive.analysis.sources.misprints`; a merge a person undoes is kept, as refused, so that the
rule never makes it again."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from archive.analysis.sources import joined_outlets, misprints, source_key
from archive.errors import NotFoundError
from archive.store.readonly import ReadOnlyStore
from archive.store.sessions import Sessions
from archive.store.tables import OutletMerge


class OutletMerges:
    """``Store.merges``, on the store's sessions."""

    def __init__(self, sessions: Sessions, reads: ReadOnlyStore) -> None:
        self._session = sessions
        self._reads = reads

    def refresh(self, now: datetime) -> list[tuple[str, str]]:
        """Merge the outlet names the archive's counts now show to be misprints (after an ingest or a fetch);
        returns the merges made."""
        groups = self._reads.synonym_groups()
        with self._session(write=True) as session:
            rows = list(session.scalars(select(OutletMerge)))
            known = {row.misprint for row in rows}
            refused = {row.misprint for row in rows if row.undone_at is not None}
            pairs = [(row.misprint, row.target) for row in rows if row.undone_at is None]
            joined = joined_outlets([*groups, *pairs])
            named = [word for group in groups for word in group]
            found = misprints(self._reads.source_counts(), joined, named, refused)
            made = []
            for misprint, target, articles, target_articles in found:
                if misprint in known:
                    continue
                session.add(
                    OutletMerge(
                        misprint=misprint,
                        target=target,
                        misprint_articles=articles,
                        target_articles=target_articles,
                        created_at=now,
                    )
                )
                made.append((misprint, target))
            return made

    def active(self) -> list[tuple[str, str]]:
        """(misprint, outlet) of every merge in force."""
        with self._session() as session:
            query = select(OutletMerge.misprint, OutletMerge.target).where(OutletMerge.undone_at.is_(None))
            return [(misprint, target) for misprint, target in session.execute(query.order_by(OutletMerge.id))]

    def undo(self, name: str, now: datetime) -> tuple[str, str]:
        """Keep the outlet ``name`` (a misprint merged, under any spelling of it) apart from now on."""
        key = source_key(name)
        with self._session(write=True) as session:
            for row in session.scalars(select(OutletMerge).where(OutletMerge.undone_at.is_(None))):
                if source_key(row.misprint) == key:
                    row.undone_at = now
                    return row.misprint, row.target
        raise NotFoundError(
            f'No outlet named {name!r} is merged as a misprint; `archive sources` lists the merges ("merged as a '
            'misprint").'
        )
