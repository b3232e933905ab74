"""Long texts kept compressed: an article's body (about 0.28 of its size) and its original record.

A body is one zstd frame of its UTF-8 text, compressed on its own: a snippet decompresses only the bodies
of its page (about 20 µs each), and no dictionary has to outlive the rows it was trained on. An original
record is mostly its body again (a JSON line, a CSV row, a page), so it is compressed with its article's
body as zstd's dictionary: 0.05 of its size where alone it took 0.28 (the shared corpus's editorials),
read back (rarely: ``show``, ``export``) at the cost of that one body's decompression. A
value may also be plain text or plain UTF-8 bytes: rows stored before migration 0009 packed them, which
that migration packs a batch at a time (so a half-migrated database reads correctly), and the bytes a
PostgreSQL column holds right after its type became ``bytea``. A zstd frame starts with bytes no UTF-8
text starts with (``0x28 0xB5``: a continuation byte after ``(``), so the two cannot be confused.
"""

from __future__ import annotations

import threading
from typing import Any

#: The first bytes of every zstd frame.
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
#: Before a frame compressed against the article's body (no text starts with a NUL).
AGAINST_BODY = b"\x00zb\x01"
#: zstd's level: 3 packs Hindi text to 0.27-0.28 of its size at about 150 MB/s; 5 gains 0.02 at a third
#: of the speed (an ingest's storing process compresses every body and original).
LEVEL = 3


def pack(text: str | None) -> bytes | None:
    if text is None:
        return None
    import zstandard  # (loaded by the commands that write or read long texts only)

    packed: bytes = zstandard.compress(text.encode("utf-8"), LEVEL)
    return packed


#: One decompressor per thread (one may not be shared between threads; making one per call cost a third
#: of a body's 25 µs).
_local = threading.local()


def unpack(value: Any) -> str | None:
    """The text of a stored value: a zstd frame, plain UTF-8 bytes, or text (see the module's note)."""
    if value is None or isinstance(value, str):
        return value
    data = bytes(value)  # (PostgreSQL's driver may hand out a memoryview)
    if data.startswith(ZSTD_MAGIC):
        decompressor = getattr(_local, "decompressor", None)
        if decompressor is None:
            import zstandard

            decompressor = _local.decompressor = zstandard.ZstdDecompressor()
        data = decompressor.decompress(data)
    return data.decode("utf-8")


def pack_original(original: str | None, body: str) -> bytes | None:
    """An original record compressed with its article's body as the dictionary."""
    if original is None:
        return None
    import zstandard

    reference = zstandard.ZstdCompressionDict(body.encode("utf-8"), dict_type=zstandard.DICT_TYPE_RAWCONTENT)
    frame: bytes = zstandard.ZstdCompressor(level=LEVEL, dict_data=reference).compress(original.encode("utf-8"))
    return AGAINST_BODY + frame


def unpack_original(value: Any, body: str) -> str | None:
    """The original record of a stored value, given its article's body (see :func:`pack_original`)."""
    if value is None or isinstance(value, str):
        return value
    data = bytes(value)
    if not data.startswith(AGAINST_BODY):
        return unpack(data)
    import zstandard

    reference = zstandard.ZstdCompressionDict(body.encode("utf-8"), dict_type=zstandard.DICT_TYPE_RAWCONTENT)
    return zstandard.ZstdDecompressor(dict_data=reference).decompress(data[len(AGAINST_BODY) :]).decode("utf-8")


def is_packed(value: Any) -> bool:
    return isinstance(value, bytes | bytearray | memoryview) and bytes(value[:4]) in (ZSTD_MAGIC, AGAINST_BODY)
