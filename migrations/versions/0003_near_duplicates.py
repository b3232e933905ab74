"""near-duplicate signatures and clusters

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

import hashlib
import re
from collections.abc import Sequence

import numpy as np
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


# --- the near-duplicate rule, frozen as this revision was written (SimHash over a blake2b of every word
# 3-shingle's text): revision 0004 replaced it, and recomputes the signatures, keeping these clusters.

BITS, BAND_BITS, MAX_DISTANCE, SHINGLE = 64, 16, 3, 3
_WORD = re.compile(
    "[\u0900-\u0963\u0966-\u097f\ua8e0-\ua8ff\u200b-\u200d\u2060\u00ad\\w]+"  # archive's tokenizer then
)


def simhash(text: str) -> int:
    words = _WORD.findall(text.lower())
    shingles = [" ".join(words[i : i + SHINGLE]) for i in range(max(1, len(words) - SHINGLE + 1))]
    digests = b"".join(hashlib.blake2b(s.encode("utf-8"), digest_size=8).digest() for s in shingles)
    bits = np.unpackbits(np.frombuffer(digests, dtype=np.uint8).reshape(len(shingles), 8), axis=1)
    majority = (bits.sum(axis=0) * 2 > len(shingles)).astype(np.uint8)
    unsigned = int.from_bytes(np.packbits(majority).tobytes(), "big")
    return unsigned - (1 << BITS) if unsigned >= 1 << (BITS - 1) else unsigned


def bands(signature: int) -> tuple[int, ...]:
    unsigned = signature & ((1 << BITS) - 1)
    return tuple(unsigned >> (BAND_BITS * i) & ((1 << BAND_BITS) - 1) for i in range(len(BANDS)))


def cluster_of(signature: int, candidates: list[tuple[int, int, int]]) -> int | None:
    for _, other, cluster in candidates:
        if ((signature ^ other) & ((1 << BITS) - 1)).bit_count() <= MAX_DISTANCE:
            return cluster
    return None


def downgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        for column in (*BANDS, "cluster_id"):
            batch.drop_index(f"ix_articles_{column}")
        for column in ("cluster_id", *reversed(BANDS), "simhash"):
            batch.drop_column(column)
