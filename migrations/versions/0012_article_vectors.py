"""article vectors for search by meaning, with the model that made them

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07

Vectors are derived data, like the index, but every node of one database shares them: embedding an archive
takes minutes to hours, which no node should spend again. `embedding_model` records (one row) the model the
vectors are of; a vector is kept with the `content_hash` of the text it was made from, so that an updated
article reads as not embedded until it is embedded again, and goes with its article (a foreign key that
cascades). The vector itself is a scale and one signed byte per component (`archive/semantic/packing.py`).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "embedding_model",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("version", sa.String(256), nullable=False),
        sa.Column("dimension", sa.Integer(), nullable=False),
        sa.Column("passage", sa.String(256), nullable=False),
    )
    op.create_table(
        "article_vectors",
        # (a new id for every vector written: the largest and the count tell a search when to read them again)
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True),
        sa.Column(
            "article_id",
            sa.Integer(),
            sa.ForeignKey("articles.id", ondelete="CASCADE", name="fk_article_vectors_article_id_articles"),
            nullable=False,
            unique=True,
        ),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sqlite_autoincrement=True,
    )


def downgrade() -> None:
    op.drop_table("article_vectors")
    op.drop_table("embedding_model")
