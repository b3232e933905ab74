"""Lines of a byte stream with a bound on their length, so one runaway line cannot fill the memory."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

#: The longest line a line-based record (JSON Lines, a CSV row) may have. A body of 2 million
#: Devanagari characters written with \\uXXXX escapes takes 12 MB, so real articles stay below it.
MAX_LINE_BYTES = 16 * 1024 * 1024
_SKIP_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Line:
    #: 1-based.
    number: int
    #: Where the line starts in the stream.
    offset: int
    #: The line with its line break; only the start of it when ``overlong``.
    data: bytes
    #: The line's full length in bytes.
    length: int
    overlong: bool = False


def iter_lines(stream: BinaryIO, limit: int = MAX_LINE_BYTES) -> Iterator[Line]:
    """Every line of ``stream``. A line longer than ``limit`` is read past in chunks and yielded as
    ``overlong`` with only its first bytes, so memory stays bounded whatever the input.

    >>> import io
    >>> [(line.number, line.data, line.overlong) for line in iter_lines(io.BytesIO(b"ab\\n" + b"x" * 10 + b"\\nc"), 5)]
    [(1, b'ab\\n', False), (2, b'xxxxxx', True), (3, b'c', False)]
    """
    number = offset = 0
    while True:
        data = stream.readline(limit + 1)
        if not data:
            return
        number += 1
        if len(data) <= limit or data.endswith(b"\n"):
            yield Line(number, offset, data, len(data))
            offset += len(data)
            continue
        length = len(data)
        rest = data
        while rest and not rest.endswith(b"\n"):
            rest = stream.readline(_SKIP_CHUNK)
            length += len(rest)
        yield Line(number, offset, data[: limit + 1], length, overlong=True)
        offset += length
