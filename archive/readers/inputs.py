"""Opening an input: a file or standard input, gzip or not, any byte-order mark, as a stream of UTF-8.

Readers then see one kind of input: a buffered stream of UTF-8 bytes (byte-order mark removed) and its
first bytes for detecting the format. gzip is recognised by its magic bytes, whatever the file is
called. UTF-16 and UTF-32 (which need a byte-order mark to be recognised) are converted to UTF-8 here;
they are rare enough that holding such a file in memory once is acceptable.
"""

from __future__ import annotations

import gzip
import io
import sys
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from archive.models import STDIN_ORIGIN

STDIN = Path("-")
#: How much of an input the format detection looks at.
HEAD_BYTES = 64 * 1024
#: UTF-16 and UTF-32 inputs are converted in memory; larger ones are refused.
MAX_CONVERTED_BYTES = 256 * 1024 * 1024
_GZIP_MAGIC = b"\x1f\x8b"
# UTF-32 LE first: its mark starts with the UTF-16 LE one.
_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le", "UTF-32"),
    (b"\x00\x00\xfe\xff", "utf-32-be", "UTF-32"),
    (b"\xef\xbb\xbf", "utf-8", "UTF-8"),
    (b"\xff\xfe", "utf-16-le", "UTF-16"),
    (b"\xfe\xff", "utf-16-be", "UTF-16"),
)


class InputProblem(Exception):
    """An input that cannot be read at all; the reason is for the person who gave it."""

    def __init__(self, reason: str, context: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.context = context


@dataclass(frozen=True)
class Input:
    #: Where the records come from, as records name it: the path, or ``<stdin>``.
    origin: str
    #: The file name, lower-cased and without ``.gz``, for detecting the format ("" for standard input).
    name: str
    #: The content as UTF-8 bytes, positioned at its start.
    stream: io.BufferedReader
    #: The first bytes of ``stream`` (``stream`` still starts with them).
    head: bytes
    #: Bytes of the (decompressed) file before ``stream`` starts: a UTF-8 byte-order mark.
    offset: int
    compressed: bool


class ReadTracker:
    """How far into its file (in bytes of the file as stored, compressed or not) a reader has read: what a
    progress bar over bytes counts. Reading ahead in buffers makes it run a little ahead of the records."""

    def __init__(self) -> None:
        self._file: io.BufferedIOBase | None = None
        self._final = 0

    def attach(self, file: io.BufferedIOBase) -> None:
        self._file, self._final = file, 0

    def detach(self) -> None:
        self._final = self.bytes_read
        self._file = None

    @property
    def bytes_read(self) -> int:
        if self._file is None:
            return self._final
        try:
            return self._file.tell()
        except (OSError, ValueError):  # (standard input cannot tell)
            return self._final


#: What a damaged gzip stream raises (BadGzipFile is an OSError).
DAMAGE = (EOFError, gzip.BadGzipFile, zlib.error)


class _Replay(io.RawIOBase):
    """``first``, then the rest of ``rest``: puts back the bytes read for detection. ``failure`` is raised
    once ``first`` is used up, when reading ``first`` had already met the end of a damaged file."""

    def __init__(self, first: bytes, rest: io.BufferedIOBase, failure: BaseException | None = None) -> None:
        self._first = memoryview(first)
        self._rest = rest
        self._failure = failure

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self._first:
            count = min(len(buffer), len(self._first))
            buffer[:count] = self._first[:count]
            self._first = self._first[count:]
            return count
        if self._failure is not None:
            raise self._failure
        data = self._rest.read1(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _replay(first: bytes, rest: io.BufferedIOBase, failure: BaseException | None = None) -> io.BufferedReader:
    return io.BufferedReader(_Replay(first, rest, failure), buffer_size=HEAD_BYTES)


def _read_up_to(stream: io.BufferedIOBase, size: int) -> tuple[bytes, BaseException | None]:
    """``size`` bytes unless the stream ends first, and the damage that ended it early, if any.

    ``read1`` (one read of the layer below) and not ``read``: a buffered ``read`` that meets the damage
    after some data loses that data with the exception, and the records in it would be lost too.
    """
    chunks, wanted = [], size
    try:
        while wanted > 0:
            chunk = stream.read1(wanted)
            if not chunk:
                break
            chunks.append(chunk)
            wanted -= len(chunk)
    except DAMAGE as error:
        return b"".join(chunks), error
    return b"".join(chunks), None


@contextmanager
def open_input(path: Path, tracker: ReadTracker | None = None) -> Iterator[Input]:
    """The input at ``path`` (``-`` for standard input), ready to read; ``tracker`` follows how far into
    it reading has got. Raises :class:`InputProblem`, ``OSError``, and the gzip errors of a damaged file
    (after the data before the damage)."""
    is_stdin = path == STDIN
    stdin = getattr(sys.stdin, "buffer", None)
    if is_stdin and stdin is None:
        raise InputProblem("standard input is not available for reading bytes; give a file instead")
    raw = cast(io.BufferedIOBase, stdin) if is_stdin else path.open("rb")
    if tracker is not None and not is_stdin:
        tracker.attach(raw)
    try:
        magic, _ = _read_up_to(raw, len(_GZIP_MAGIC))
        compressed = magic == _GZIP_MAGIC
        if not compressed and path.name.lower().endswith(".gz") and magic:
            raise InputProblem(
                "the file is named .gz but is not gzip-compressed (it does not start with gzip's signature); "
                "rename it without .gz if it is plain text, or re-create it with gzip",
                context=_printable(magic + raw.read(198)),
            )
        source: io.BufferedIOBase = _replay(magic, raw)
        if compressed:
            source = gzip.GzipFile(fileobj=source, mode="rb")
        head, failure = _read_up_to(source, HEAD_BYTES)
        if failure is not None and not head:
            raise failure
        head, offset, source = _with_bom_handled(head, source, failure)
        name = "" if is_stdin else path.name.lower().removesuffix(".gz")
        origin = STDIN_ORIGIN if is_stdin else str(path)
        yield Input(origin, name, _replay(head, source, failure), head, offset, compressed)
    finally:
        if tracker is not None:
            tracker.detach()
        if not is_stdin:
            raw.close()


def _printable(head: bytes) -> str | None:
    text = head.decode("utf-8", "replace")
    return text if text.isprintable() else None


def _with_bom_handled(
    head: bytes, source: io.BufferedIOBase, failure: BaseException | None
) -> tuple[bytes, int, io.BufferedIOBase]:
    for bom, codec, label in _BOMS:
        if not head.startswith(bom):
            continue
        if codec == "utf-8":
            return head[len(bom) :], len(bom), source
        if failure is not None:
            raise failure
        rest, failure = _read_up_to(source, MAX_CONVERTED_BYTES + 1 - len(head))
        if failure is not None:
            raise failure
        data = head + rest
        if len(data) > MAX_CONVERTED_BYTES:
            raise InputProblem(
                f"the file is {label} and larger than {MAX_CONVERTED_BYTES // 2**20} MB; "
                "convert it to UTF-8 (e.g. with iconv) and ingest it again"
            )
        try:
            text = data[len(bom) :].decode(codec)
        except UnicodeDecodeError as error:
            start = len(bom) + error.start
            raise InputProblem(
                f"not valid {label} at byte {start}; convert the file to UTF-8 and ingest it again",
                context=data[max(len(bom), start - 120) : start].decode(codec, "replace")[-200:],
            ) from None
        converted = text.encode("utf-8")
        return converted[:HEAD_BYTES], 0, io.BytesIO(converted[HEAD_BYTES:])
    return head, 0, source


def read_all(stream: io.BufferedIOBase, limit: int, what: str) -> bytes:
    """The whole of ``stream`` for formats read in one piece, refused when larger than ``limit``."""
    data, failure = _read_up_to(stream, limit + 1)
    if failure is not None:
        raise failure
    if len(data) > limit:
        raise InputProblem(
            f"{what} is larger than {limit // 2**20} MB, more than one article can be; "
            "check the file's format (or split it)",
            context=data[:200].decode("utf-8", "replace"),
        )
    return data
