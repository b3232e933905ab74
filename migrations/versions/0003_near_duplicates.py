"""near-duplicate signatures and clusters

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BANDS = ("band0", "band1", "band2", "band3")


def upgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("simhash", sa.BigInteger(), nullable=True))
        for band in BANDS:
            batch.add_column(sa.Column(band, sa.Integer(), nullable=True))
        batch.add_column(sa.Column("cluster_id", sa.Integer(), nullable=True))
        for column in (*BANDS, "cluster_id"):
            batch.create_index(f"ix_articles_{column}", [column])
    # Articles stored before this revision get their signatures and clusters now, in id order, as ingest
    # would have given them.
    from archive.store.dedupe import bands, cluster_of, simhash

    articles = sa.table(
        "articles",
        sa.column("id", sa.Integer),
        sa.column("body", sa.Text),
        sa.column("simhash", sa.BigInteger),
        sa.column("cluster_id", sa.Integer),
        *(sa.column(band, sa.Integer) for band in BANDS),
    )
    connection = op.get_bind()
    seen: list[tuple[int, int, int]] = []
    for article_id, body in connection.execute(sa.select(articles.c.id, articles.c.body).order_by(articles.c.id)):
        signature = simhash(body)
        cluster = cluster_of(signature, seen) or article_id
        seen.append((article_id, signature, cluster))
        values = dict(zip(BANDS, bands(signature), strict=True))
        connection.execute(
            articles.update().where(articles.c.id == article_id).values(simhash=signature, cluster_id=cluster, **values)
        )


def downgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        for column in (*BANDS, "cluster_id"):
            batch.drop_index(f"ix_articles_{column}")
        for column in ("cluster_id", *reversed(BANDS), "simhash"):
            batch.drop_column(column)
