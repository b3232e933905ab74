"""near-duplicate signatures from word hashes

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01

SimHash now hashes each word once and mixes a shingle's word hashes, instead of hashing every shingle's
text: stored signatures are recomputed, so that new articles are compared with signatures of the same
kind. Clusters already found are kept.
"""

import hashlib
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BANDS = ("band0", "band1", "band2", "band3")
BATCH = 1_000


def upgrade() -> None:
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


# --- the near-duplicate rule, frozen as this revision was written (archive.store.dedupe then): SimHash over
# word 3-shingles, each shingle's hash mixed from its words' hashes. A later change of the rule comes with a
# migration of its own.

BITS, BAND_BITS, SHINGLE = 64, 16, 3
_WORD = re.compile(
    "[\u0900-\u0963\u0966-\u097f\ua8e0-\ua8ff\u200b-\u200d\u2060\u00ad\\w]+"  # archive's tokenizer then
)


def _word_hash(word: str) -> int:
    return int.from_bytes(hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest(), "little")


def _rotate(values: Any, bits: int) -> Any:
    return (values << np.uint64(bits)) | (values >> np.uint64(BITS - bits))


def simhash(text: str) -> int:
    hashes = np.array([_word_hash(w) for w in _WORD.findall(text.lower())], dtype=np.uint64)
    if len(hashes) < SHINGLE:
        hashes = np.concatenate([hashes, np.zeros(SHINGLE - len(hashes), dtype=np.uint64)])
    mixed = hashes[:-2] ^ _rotate(hashes[1:-1], 21) ^ _rotate(hashes[2:], 42)
    mixed ^= mixed >> np.uint64(30)
    mixed *= np.uint64(0xBF58476D1CE4E5B9)
    mixed ^= mixed >> np.uint64(27)
    mixed *= np.uint64(0x94D049BB133111EB)
    mixed ^= mixed >> np.uint64(31)
    bits = np.unpackbits(mixed.view(np.uint8).reshape(len(mixed), 8), axis=1)
    majority = (bits.sum(axis=0) * 2 > len(mixed)).astype(np.uint8)
    unsigned = int.from_bytes(np.packbits(majority).tobytes(), "big")
    return unsigned - (1 << BITS) if unsigned >= 1 << (BITS - 1) else unsigned


def bands(signature: int) -> tuple[int, ...]:
    unsigned = signature & ((1 << BITS) - 1)
    return tuple(unsigned >> (BAND_BITS * i) & ((1 << BAND_BITS) - 1) for i in range(len(BANDS)))


def downgrade() -> None:
    # The earlier signatures cannot be made again (their code is gone); they stay as they are, which only
    # weakens near-duplicate detection against articles stored after the downgrade.
    pass
