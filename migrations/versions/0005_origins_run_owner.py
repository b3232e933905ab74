"""every origin of an article; the process that runs an ingest

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02

An article keeps every record it was read from (file, record, outlet, date, url), so a copy published
again under another date loses nothing. An ingest run records the process running it (host, pid and the
process's start time), so a run whose process is gone can be told from one still running. Existing
articles get their one known origin from their own columns.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "origins",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "article_id",
            sa.Integer(),
            sa.ForeignKey("articles.id", name="fk_origins_article_id_articles", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("origin_file", sa.Text(), nullable=False),
        sa.Column("origin_record", sa.String(64), nullable=False),
        sa.Column("source", sa.String(256), nullable=True),
        sa.Column("published", sa.Date(), nullable=True),
        sa.Column("url", sa.String(2048), nullable=True),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
        # (two ingests at once must not keep one record twice: the second one's batch is retried)
        sa.UniqueConstraint("article_id", "origin_file", "origin_record", name="uq_origins_article_id"),
    )
    op.create_index("ix_origins_article_id", "origins", ["article_id"])
    op.create_index("ix_origins_run_id", "origins", ["run_id"])
    with op.batch_alter_table("ingest_runs") as batch:
        batch.add_column(sa.Column("host", sa.String(256), nullable=True))
        batch.add_column(sa.Column("pid", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("process_started", sa.Float(), nullable=True))
    op.execute(
        "INSERT INTO origins (article_id, origin_file, origin_record, source, published, url, seen_at) "
        "SELECT id, origin_file, origin_record, source, published, url, ingested_at FROM articles ORDER BY id"
    )


def downgrade() -> None:
    with op.batch_alter_table("ingest_runs") as batch:
        batch.drop_column("process_started")
        batch.drop_column("pid")
        batch.drop_column("host")
    op.drop_index("ix_origins_run_id", table_name="origins")
    op.drop_index("ix_origins_article_id", table_name="origins")
    op.drop_table("origins")
