"""ingest runs, rejects, skipped files; articles keep their original text, author, notes, source key

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("source_key", sa.String(256), nullable=True))
        batch.add_column(sa.Column("author", sa.String(512), nullable=True))
        batch.add_column(sa.Column("original", sa.Text(), nullable=True))
        batch.add_column(sa.Column("notes", sa.Text(), nullable=True))
        batch.create_index("ix_articles_source_key", ["source_key"])
    op.create_table(
        "ingest_runs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("paths", sa.Text(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("added", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("duplicates", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
    )
    op.create_table(
        "rejects",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "run_id",
            sa.Integer(),
            sa.ForeignKey("ingest_runs.id", name="fk_rejects_run_id_ingest_runs"),
            nullable=False,
        ),
        sa.Column("origin_file", sa.Text(), nullable=False),
        sa.Column("origin_record", sa.String(64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("context", sa.Text(), nullable=True),
    )
    op.create_index("ix_rejects_run_id", "rejects", ["run_id"])
    op.create_table(
        "ingested_files",
        sa.Column("path", sa.Text(), primary_key=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("mtime_ns", sa.BigInteger(), nullable=False),
        sa.Column(
            "run_id",
            sa.Integer(),
            sa.ForeignKey("ingest_runs.id", name="fk_ingested_files_run_id_ingest_runs"),
            nullable=False,
        ),
    )
    # Existing articles get their source key from the same rule new ones use.
    from archive.analysis.sources import source_key

    articles = sa.table(
        "articles", sa.column("id", sa.Integer), sa.column("source", sa.String), sa.column("source_key", sa.String)
    )
    connection = op.get_bind()
    rows = connection.execute(sa.select(articles.c.id, articles.c.source).where(articles.c.source.is_not(None))).all()
    for article_id, source in rows:
        connection.execute(articles.update().where(articles.c.id == article_id).values(source_key=source_key(source)))


def downgrade() -> None:
    op.drop_table("ingested_files")
    op.drop_index("ix_rejects_run_id", table_name="rejects")
    op.drop_table("rejects")
    op.drop_table("ingest_runs")
    with op.batch_alter_table("articles") as batch:
        batch.drop_index("ix_articles_source_key")
        batch.drop_column("notes")
        batch.drop_column("original")
        batch.drop_column("author")
        batch.drop_column("source_key")
