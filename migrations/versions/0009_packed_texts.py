"""bodies and original records stored compressed; the band indexes made covering

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03

An article's body and its original record were plain text: together two thirds of a database's size
and twice the text itself. A body is now one zstd frame of its UTF-8 text (archive.store.packing), about
0.28 of the size; an original record, mostly its body again, a frame compressed with the body as zstd's
dictionary (about 0.05). The archive reads a plain value as well as a packed one, so this revision works in
batches and commits each: killed midway, it keeps what it packed, the database reads correctly as it
is, and the next open goes on with the rows left (a row is packed whole or not at all). On PostgreSQL
the two columns become ``bytea`` first (one statement each, all or nothing); SQLite keeps each value's
own type, so its columns keep their declaration. SQLite's file is vacuumed at the end: the pages the
plain texts took would otherwise stay in it, empty.

The index of each SimHash band also holds the signature and the cluster, so that clustering a batch of new
articles reads the band indexes only, not the articles' rows.
"""

from collections.abc import Iterator, Sequence

import sqlalchemy as sa
import zstandard
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Articles read and packed per transaction (about 40 MB of text at the corpus's lengths).
BATCH = 2000
# The packing rules as they were (archive.store.packing): a zstd frame at level 3, recognised by its first
# bytes; an original's frame, compressed against its body, after a marker of its own.
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
AGAINST_BODY = b"\x00zb\x01"
LEVEL = 3


def upgrade() -> None:
    connection = op.get_bind()
    # each band's index made covering (band, signature, cluster): clustering reads no rows; built first, in
    # the first transaction, so that a resumed migration finds them made
    existing = {index["name"]: index["column_names"] for index in sa.inspect(connection).get_indexes("articles")}
    for n in range(4):
        name = f"ix_articles_band{n}"
        if existing.get(name) != [f"band{n}", "simhash", "cluster_id"]:
            if name in existing:
                op.drop_index(name, table_name="articles")
            op.create_index(name, "articles", [f"band{n}", "simhash", "cluster_id"])
    if connection.dialect.name == "postgresql":
        kinds = dict(
            connection.execute(
                sa.text(
                    "SELECT column_name, data_type FROM information_schema.columns "
                    "WHERE table_name = 'articles' AND column_name IN ('body', 'original')"
                )
            ).all()
        )
        for column in ("body", "original"):
            if kinds.get(column) != "bytea":
                op.execute(f"ALTER TABLE articles ALTER COLUMN {column} TYPE bytea USING convert_to({column}, 'UTF8')")
        connection.commit()
    packed_any = False
    for rows in _batches(connection):
        packed = [
            {"id": row.id, "body": _pack(row.body), "original": _pack_original(row.original, row.body)}
            for row in rows
            if not (_is_packed(row.body) and (row.original is None or _is_packed(row.original)))
        ]
        if packed:
            packed_any = True
            connection.execute(sa.text("UPDATE articles SET body = :body, original = :original WHERE id = :id"), packed)
        connection.commit()  # (the next statement begins the next transaction, under the write lock again)
    if packed_any and connection.dialect.name == "sqlite":
        # outside any transaction (VACUUM refuses to run in one): the driver's own connection, between the
        # last batch's commit and the transaction Alembic's version stamp begins
        connection.commit()
        connection.connection.driver_connection.execute("VACUUM")  # type: ignore[union-attr]


def _batches(connection: sa.Connection) -> Iterator[Sequence[sa.Row[tuple[int, object, object]]]]:
    """Every article's id, body and original, BATCH at a time in id order (each batch read when asked for,
    so that a batch written and committed is not read again)."""
    last = 0
    while rows := connection.execute(
        sa.text("SELECT id, body, original FROM articles WHERE id > :last ORDER BY id LIMIT :batch"),
        {"last": last, "batch": BATCH},
    ).all():
        yield rows
        last = rows[-1].id


def _is_packed(value: object) -> bool:
    return isinstance(value, bytes | memoryview) and bytes(value[:4]) in (ZSTD_MAGIC, AGAINST_BODY)


def _text(value: object) -> bytes:
    """A stored value's UTF-8 text: plain, or packed alone."""
    data = value.encode("utf-8") if isinstance(value, str) else bytes(value)  # type: ignore[call-overload]
    return zstandard.decompress(data) if data.startswith(ZSTD_MAGIC) else data


def _pack_original(value: object, body: object) -> bytes | None:
    if value is None:
        return None
    if isinstance(value, bytes | memoryview) and bytes(value[:4]) == AGAINST_BODY:
        return bytes(value)
    reference = zstandard.ZstdCompressionDict(_text(body), dict_type=zstandard.DICT_TYPE_RAWCONTENT)
    return AGAINST_BODY + zstandard.ZstdCompressor(level=LEVEL, dict_data=reference).compress(_text(value))


def _pack(value: object) -> bytes | None:
    """A plain value (text, or UTF-8 bytes on PostgreSQL after the type change) packed; a packed one kept."""
    if value is None:
        return None
    if _is_packed(value):
        return bytes(value)  # type: ignore[arg-type]
    return zstandard.compress(_text(value), LEVEL)


def downgrade() -> None:
    """Every text plain again (UTF-8 bytes until PostgreSQL's columns become ``text`` once more)."""
    connection = op.get_bind()
    server = connection.dialect.name == "postgresql"
    for rows in _batches(connection):
        plain = [
            {"id": row.id, "body": _unpack(row.body, server), "original": _unpack_original(row, server)} for row in rows
        ]
        connection.execute(sa.text("UPDATE articles SET body = :body, original = :original WHERE id = :id"), plain)
    if server:
        for column in ("body", "original"):
            op.execute(f"ALTER TABLE articles ALTER COLUMN {column} TYPE text USING convert_from({column}, 'UTF8')")
    for n in range(4):
        op.drop_index(f"ix_articles_band{n}", table_name="articles")
        op.create_index(f"ix_articles_band{n}", "articles", [f"band{n}"])


def _unpack_original(row: sa.Row[tuple[int, object, object]], as_bytes: bool) -> str | bytes | None:
    value = row.original
    if not (isinstance(value, bytes | memoryview) and bytes(value[:4]) == AGAINST_BODY):
        return _unpack(value, as_bytes)
    reference = zstandard.ZstdCompressionDict(_text(row.body), dict_type=zstandard.DICT_TYPE_RAWCONTENT)
    data = zstandard.ZstdDecompressor(dict_data=reference).decompress(bytes(value[len(AGAINST_BODY) :]))
    return data if as_bytes else data.decode("utf-8")


def _unpack(value: object, as_bytes: bool) -> str | bytes | None:
    if value is None or isinstance(value, str):
        return value
    data = bytes(value)  # type: ignore[call-overload]
    if data.startswith(ZSTD_MAGIC):
        data = zstandard.decompress(data)
    return data if as_bytes else data.decode("utf-8")
