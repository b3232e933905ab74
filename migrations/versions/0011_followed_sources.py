"""followed sources, their fetches, the addresses collected from them, outlet misprint merges

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07

`archive follow` keeps the feeds, sitemaps and section pages an archive collects from in the database, so
that every node of one archive shares them. Each fetch of a source is a row (status, reason, counts); every
address a source listed is a row too, with what became of it (waiting, stored, failed: how often and why),
the stamp the source gave it (an entry's `updated`, a sitemap's `lastmod`: a changed stamp fetches it again)
and the page's validators for a conditional request. `outlet_merges` keeps each outlet name taken for a
misprint of another (merged into it by `archive sources`), and whether a person undid it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "followed_sources",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("url", sa.String(2048), nullable=False),
        sa.Column("kind", sa.String(16), nullable=True),
        sa.Column("every_seconds", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.Column("next_due", sa.DateTime(), nullable=False),
        sa.Column("last_fetch_at", sa.DateTime(), nullable=True),
        sa.Column("last_status", sa.String(32), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_new", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("failing_since", sa.DateTime(), nullable=True),
        sa.Column("etag", sa.String(512), nullable=True),
        sa.Column("last_modified", sa.String(128), nullable=True),
        sa.UniqueConstraint("name", name="uq_followed_sources_name"),
        sa.UniqueConstraint("url", name="uq_followed_sources_url"),
    )
    op.create_table(
        "source_fetches",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "source_id",
            sa.Integer(),
            sa.ForeignKey(
                "followed_sources.id", name="fk_source_fetches_source_id_followed_sources", ondelete="CASCADE"
            ),
            nullable=False,
        ),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("listed", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("new_articles", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("failed", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("reason", sa.Text(), nullable=True),
    )
    op.create_index("ix_source_fetches_source_id", "source_fetches", ["source_id"])
    op.create_table(
        "collected_urls",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "source_id",
            sa.Integer(),
            sa.ForeignKey(
                "followed_sources.id", name="fk_collected_urls_source_id_followed_sources", ondelete="CASCADE"
            ),
            nullable=False,
        ),
        sa.Column("url", sa.String(2048), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("stamp", sa.String(128), nullable=True),
        sa.Column("entry", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("article_id", sa.Integer(), nullable=True),
        sa.Column("etag", sa.String(512), nullable=True),
        sa.Column("last_modified", sa.String(128), nullable=True),
        sa.Column("first_seen", sa.DateTime(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(), nullable=True),
        sa.UniqueConstraint("source_id", "url", name="uq_collected_urls_source_id"),
    )
    op.create_index("ix_collected_urls_status", "collected_urls", ["status"])
    op.create_index("ix_collected_urls_url", "collected_urls", ["url"])
    op.create_table(
        "outlet_merges",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("misprint", sa.String(256), nullable=False),
        sa.Column("target", sa.String(256), nullable=False),
        sa.Column("misprint_articles", sa.Integer(), nullable=False),
        sa.Column("target_articles", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("undone_at", sa.DateTime(), nullable=True),
        sa.UniqueConstraint("misprint", name="uq_outlet_merges_misprint"),
    )


def downgrade() -> None:
    op.drop_table("outlet_merges")
    op.drop_index("ix_collected_urls_url", table_name="collected_urls")
    op.drop_index("ix_collected_urls_status", table_name="collected_urls")
    op.drop_table("collected_urls")
    op.drop_index("ix_source_fetches_source_id", table_name="source_fetches")
    op.drop_table("source_fetches")
    op.drop_table("followed_sources")
