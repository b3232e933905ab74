"""a change feed that every index follows, in place of the one shared index queue

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02

The queue (`pending_index`) was one list for all indexes: the first index to work it off cleared it,
and every other index sharing the database missed those articles. Each change of an article is now a
numbered row of `changes`, and each index keeps the number it has applied up to. Indexes register in
`index_nodes`, and `feed_state` records how far the feed has been pruned.

The queued articles are carried over as the feed's first changes (a tombstone where the article is
gone), so an existing index, which has applied nothing of the feed yet, indexes exactly what was queued:
no reindex.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "changes",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "index_nodes",
        sa.Column("node", sa.String(64), primary_key=True),
        sa.Column("host", sa.String(256), nullable=False),
        sa.Column("home", sa.Text(), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
    )
    feed_state = op.create_table(
        "feed_state",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("pruned_through", sa.BigInteger(), nullable=False),
    )
    op.bulk_insert(feed_state, [{"id": 1, "pruned_through": 0}])
    now = datetime.now(UTC).replace(tzinfo=None)  # (the archive's times are UTC, without a zone)
    op.execute(
        sa.text(
            "INSERT INTO changes (article_id, deleted, changed_at) "
            "SELECT p.article_id, CASE WHEN a.id IS NULL THEN TRUE ELSE FALSE END, :now "
            "FROM pending_index p LEFT JOIN articles a ON a.id = p.article_id ORDER BY p.article_id"
        ).bindparams(now=now)
    )
    op.drop_table("pending_index")


def downgrade() -> None:
    op.create_table("pending_index", sa.Column("article_id", sa.Integer(), primary_key=True))
    # what some index may not have applied yet: every change still in the feed
    op.execute("INSERT INTO pending_index (article_id) SELECT DISTINCT article_id FROM changes")
    op.drop_table("feed_state")
    op.drop_table("index_nodes")
    op.drop_table("changes")
