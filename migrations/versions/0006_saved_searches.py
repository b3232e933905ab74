"""saved searches, the matches each has shown, the run that last added or changed an article

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02

A saved search is a query with search's filters, kept in the database so that machines sharing it share
the list. The articles it has shown are kept with it: a match is new when it is not among them (an
article updated to match for the first time is new; one that matched before is not). Articles record the
ingest run that last added or changed them, for "what did this run bring"; those stored before are left
without one.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "saved_searches",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("filters", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=True),
        sa.UniqueConstraint("name", name="uq_saved_searches_name"),
    )
    op.create_table(
        "saved_search_seen",
        sa.Column(
            "search_id",
            sa.Integer(),
            sa.ForeignKey(
                "saved_searches.id", name="fk_saved_search_seen_search_id_saved_searches", ondelete="CASCADE"
            ),
            primary_key=True,
        ),
        sa.Column(
            "article_id",
            sa.Integer(),
            sa.ForeignKey("articles.id", name="fk_saved_search_seen_article_id_articles", ondelete="CASCADE"),
            primary_key=True,
        ),
    )
    op.create_index("ix_saved_search_seen_article_id", "saved_search_seen", ["article_id"])
    # (a plain ADD COLUMN: SQLite adds it without copying the table, whose rows hold every article's text)
    op.add_column("articles", sa.Column("changed_in_run", sa.Integer(), nullable=True))
    op.create_index("ix_articles_changed_in_run", "articles", ["changed_in_run"])


def downgrade() -> None:
    op.drop_index("ix_articles_changed_in_run", table_name="articles")
    with op.batch_alter_table("articles") as batch:
        batch.drop_column("changed_in_run")
    op.drop_index("ix_saved_search_seen_article_id", table_name="saved_search_seen")
    op.drop_table("saved_search_seen")
    op.drop_table("saved_searches")
