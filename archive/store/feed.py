"""The change feed: every insert, update and delete of an article as a numbered row, written in the same
transaction as the article, and the indexes (nodes) that follow it.

**Commit order.** A reader that has applied every change up to a number must never meet a smaller one
later. A sequence alone cannot promise it on a server database: two transactions take 10 and 11, the one
holding 11 commits first, a reader applies 11 and moves past 10, which then commits and is never read. So
taking the numbers is serialised until commit: on PostgreSQL every writing transaction takes one
transaction-scoped advisory lock (:data:`FEED_LOCK`) as its last step, just before numbering its
changes, and holds it until it has committed (PostgreSQL makes a commit visible before it releases the
transaction's locks). Numbers are therefore taken in commit order, and every number up to the largest
one a reader can see is either visible to it or belongs to a transaction that rolled back. SQLite
serialises whole writing transactions already (``BEGIN IMMEDIATE``), so it needs nothing more. The lock
is held only for the insert of the change rows and the commit: the work of a batch (reading, clustering,
writing the articles) runs concurrently, before it.

**Pruning.** A change is deleted once every live node has applied it. A node is live while the oldest
change it has not applied is younger than the retention (:data:`archive.config.FEED_RETENTION`, 30 days): one that has
missed a month of changes counts as gone, so that it cannot hold the feed forever. A gone node that
comes back finds the feed pruned past its position (``feed_state.pruned_through``) and rebuilds its index
from the articles; ``archive nodes forget NODE`` drops a node that will not come back at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Table, delete, func, insert, select, text, update
from sqlalchemy.orm import Session

from archive import models
from archive.config import FEED_RETENTION
from archive.errors import DatabaseError
from archive.store.readonly import FEED_HEAD, ReadOnlyStore
from archive.store.sessions import Sessions
from archive.store.tables import Change, FeedState, IndexNode

#: The advisory lock that numbers changes in commit order on PostgreSQL (any constant the archive owns).
FEED_LOCK = 0x61726368  # "arch"

_CHANGES = cast(Table, Change.__table__)


class ChangeFeed:
    """The change feed of a database and the nodes that follow it: ``Store.feed``, on the store's sessions."""

    def __init__(self, sessions: Sessions, reads: ReadOnlyStore) -> None:
        self._session = sessions
        self.reads = reads
        #: Where the nodes' rows are written: this database, or (a node on a read-only standby) its primary,
        #: or nowhere (a standby with no primary named: the node's position is in its index only).
        self._nodes: Sessions | None = sessions

    def record_nodes_in(self, primary: Sessions | None) -> None:
        """Write this node's rows to ``primary`` (None: nowhere) instead of the database the feed is read from:
        a node following a read-only standby (:mod:`archive.store.standby`)."""
        self._nodes = primary

    @property
    def records_nodes(self) -> bool:
        return self._nodes is not None

    # --- writing changes ------------------------------------------------------------------------

    @staticmethod
    def _take_feed_lock(session: Session) -> None:
        """Serialise numbering changes until this transaction commits (see the module's text)."""
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": FEED_LOCK})

    def record_changes(self, session: Session, ids: Sequence[int], now: datetime, *, deleted: bool = False) -> None:
        """Number a change of each of these articles, in the store's transaction ``session``. Its last
        statement: the feed's lock is held from here to the commit."""
        if not ids:
            return
        self._take_feed_lock(session)
        rows = [{"article_id": i, "deleted": deleted, "changed_at": now} for i in ids]
        session.connection().execute(insert(_CHANGES), rows)

    # --- reading the feed -----------------------------------------------------------------------

    def head(self) -> models.FeedHead:
        return self.reads.feed_head()

    def changes_after(self, position: int, limit: int, through: int | None = None) -> list[tuple[int, int]]:
        """(number, article id) of the first ``limit`` changes after ``position`` (up to ``through``), in
        order."""
        with self._session() as session:
            query = select(Change.seq, Change.article_id).where(Change.seq > position)
            if through is not None:
                query = query.where(Change.seq <= through)
            rows = session.execute(query.order_by(Change.seq).limit(limit))
            return [(int(seq), int(article)) for seq, article in rows]

    def articles_changed_after(self, position: int) -> set[int]:
        """Every article with a change after ``position`` (what an index at that position has yet to apply)."""
        with self._session() as session:
            query = select(Change.article_id).where(Change.seq > position).distinct()
            return {int(article) for article in session.scalars(query)}

    def count_after(self, position: int) -> int:
        """How many changes there are after ``position``."""
        with self._session() as session:
            return _count_after(session, position)

    # --- the nodes that follow it ---------------------------------------------------------------

    def start_following(self, node: models.FeedNode, now: datetime) -> int:
        """The feed's head, for an index about to be built from the articles as they are now; the node is
        registered at it in the same transaction, under the feed's lock, so that no prune can pass the
        position before the node has built its index."""
        if self._nodes is not self._session:
            # (a standby: the head is the standby's, which its articles are read at; registered on the primary
            # at that position. Should the primary prune past it first, the standby's `pruned_through` says
            # so once replayed, and the index is rebuilt: slower, never wrong)
            with self._session() as session:
                head = _head(session)
            if self._nodes is not None:
                with self._nodes(write=True) as primary:
                    self._take_feed_lock(primary)
                    _note(primary, node, head, now)
            return head
        with self._session(write=True) as session:
            self._take_feed_lock(session)
            head = _head(session)
            _note(session, node, head, now)
            return head

    def note_node(self, node: models.FeedNode, position: int, now: datetime) -> None:
        """Record how far this node's index has applied the feed."""
        if self._nodes is None:
            return
        with self._nodes(write=True) as session:
            _note(session, node, position, now)

    def nodes(self, now: datetime) -> list[models.NodeStatus]:
        """Every node that follows the feed, with how far behind it is (asked of the primary when this
        database is a standby and the primary is known: its feed is the newest)."""
        with (self._nodes or self._session)() as session:
            head = _head(session)
            rows = list(session.scalars(select(IndexNode).order_by(IndexNode.home)))
            cutoff = now - FEED_RETENTION
            return [
                models.NodeStatus(
                    node=row.node,
                    host=row.host,
                    home=row.home,
                    position=row.position,
                    behind=_count_after(session, row.position),
                    seen_at=row.seen_at,
                    gone=_gone(session, row.position, cutoff),
                    head=head,
                )
                for row in rows
            ]

    def forget_node(self, node: str) -> bool:
        """Stop keeping changes for a node (one that will not come back); returns whether it was known."""
        if self._nodes is None:
            raise DatabaseError(
                f"The database {self._session.location} is a read-only standby: forget the node on the primary "
                "(`archive --db PRIMARY nodes forget`, or name it with --primary)."
            )
        with self._nodes(write=True) as session:
            forgotten = cast(CursorResult[Any], session.execute(delete(IndexNode).where(IndexNode.node == node)))
            return bool(forgotten.rowcount)

    def prune(self, now: datetime) -> int:
        """Delete the changes every live node has applied; returns how many (on the primary, for a node on a
        standby: the standby replays the deletions)."""
        if self._nodes is None:
            return 0
        with self._nodes(write=True) as session:
            self._take_feed_lock(session)  # (a node registering now waits: its position is kept)
            cutoff = now - FEED_RETENTION
            positions = [p for p in session.scalars(select(IndexNode.position)) if not _gone(session, p, cutoff)]
            if not positions:
                return 0
            through = min(positions)
            pruned = cast(CursorResult[Any], session.execute(delete(Change).where(Change.seq <= through))).rowcount
            session.execute(
                update(FeedState)
                .where(FeedState.id == 1, FeedState.pruned_through < through)
                .values(pruned_through=through)
            )
            return int(pruned or 0)


def _head(session: Session) -> int:
    """The feed's head position, in this transaction (the statement the read-only store reads it with)."""
    last, pruned = session.execute(text(FEED_HEAD)).one()
    return models.FeedHead(int(last or 0), int(pruned or 0)).position


def _count_after(session: Session, position: int) -> int:
    return session.scalar(select(func.count()).select_from(Change).where(Change.seq > position)) or 0


def _gone(session: Session, position: int, cutoff: datetime) -> bool:
    """Whether a node at ``position`` has left unapplied a change made before ``cutoff``."""
    oldest = session.scalar(select(Change.changed_at).where(Change.seq > position).order_by(Change.seq).limit(1))
    return oldest is not None and oldest < cutoff


def _note(session: Session, node: models.FeedNode, position: int, now: datetime) -> None:
    session.merge(IndexNode(node=node.node, host=node.host, home=node.home, position=position, seen_at=now))
