"""near-duplicate signatures from word hashes

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01

SimHash now hashes each word once and mixes a shingle's word hashes, instead of hashing every shingle's
text: stored signatures are recomputed, so that new articles are compared with signatures of the same
kind. Clusters already found are kept.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BANDS = ("band0", "band1", "band2", "band3")
BATCH = 1_000


def upgrade() -> None:
    from archive.store.dedupe import bands, simhash

    articles = sa.table(
        "articles",
        sa.column("id", sa.Integer),
        sa.column("body", sa.Text),
        sa.column("simhash", sa.BigInteger),
        *(sa.column(band, sa.Integer) for band in BANDS),
    )
    connection = op.get_bind()
    update = (
        articles.update()
        .where(articles.c.id == sa.bindparam("article_id"))
        .values(simhash=sa.bindparam("signature"), **{band: sa.bindparam(f"new_{band}") for band in BANDS})
    )
    signed = sa.select(articles.c.id).where(articles.c.simhash.is_not(None)).order_by(articles.c.id)
    ids = list(connection.scalars(signed))
    for start in range(0, len(ids), BATCH):  # a batch of bodies at a time: an archive's text can be large
        batch = sa.select(articles.c.id, articles.c.body).where(articles.c.id.in_(ids[start : start + BATCH]))
        values = []
        for article_id, body in connection.execute(batch):
            signature = simhash(body)
            parts = dict(zip((f"new_{band}" for band in BANDS), bands(signature), strict=True))
            values.append({"article_id": article_id, "signature": signature, **parts})
        connection.execute(update, values)


def downgrade() -> None:
    # The earlier signatures cannot be made again (their code is gone); they stay as they are, which only
    # weakens near-duplicate detection against articles stored after the downgrade.
    pass
