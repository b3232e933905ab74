"""JSON documents: an array of article objects (streamed with ijson, so a file of any size is read in
flat memory), or one object, or objects one after another."""

from __future__ import annotations

import codecs
import io
import json
from collections.abc import Iterator

import ijson  # type: ignore[import-untyped]

from archive.readers.inputs import DAMAGE, Input, InputProblem
from archive.readers.jsonl import from_object
from archive.readers.mapping import Lookup
from archive.readers.records import Record, RejectedRecord


class _Guarded(io.RawIOBase):
    """Checks that the bytes are UTF-8 on their way to ijson, and turns a damaged input into an early end.

    ijson reads ahead: an exception raised by a read would lose the entries it had already parsed but not
    yet handed out. So a problem ends the stream instead, ijson hands out every complete entry and then
    reports a premature end, and the reader reports the problem kept here.
    """

    def __init__(self, stream: io.BufferedReader, offset: int) -> None:
        self._stream = stream
        self._decoder = codecs.getincrementaldecoder("utf-8")("strict")
        self._consumed = offset
        self.problem: Exception | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self.problem is not None:
            return 0
        try:
            data = self._stream.read1(len(buffer))  # one read below: see inputs._read_up_to
        except DAMAGE as error:
            self.problem = error
            return 0
        pending = len(self._decoder.getstate()[0])
        try:
            self._decoder.decode(data, final=not data)
        except UnicodeDecodeError as error:
            position = self._consumed - pending + error.start
            self.problem = InputProblem(
                f"not valid UTF-8 at byte {position}; convert the file to UTF-8 (e.g. with iconv) and ingest it again",
                context=data[max(0, error.start - 150) : error.start + 8].decode("utf-8", "backslashreplace"),
            )
            data = data[: max(0, error.start - pending)]
        self._consumed += len(data)
        buffer[: len(data)] = data
        return len(data)


def _message(error: Exception) -> str:
    text = error.args[0] if error.args else str(error)
    text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return text.strip().splitlines()[0] if text.strip() else type(error).__name__


def read_json(source: Input, keys: Lookup) -> Iterator[Record]:
    guarded = _Guarded(source.stream, source.offset)
    stream = io.BufferedReader(guarded)
    is_array = source.head.lstrip()[:1] == b"["
    # An array: its items. Anything else: each top-level value (one object, or objects one after another).
    items = (
        ijson.items(stream, "item", use_float=True)
        if is_array
        else ijson.items(stream, "", multiple_values=True, use_float=True)
    )
    count = 0
    try:
        for count, obj in enumerate(items, start=1):
            original = json.dumps(obj, ensure_ascii=False)
            yield from_object(obj, source.origin, f"entry {count}", original, keys)
    except ijson.JSONError as error:
        if guarded.problem is None:
            yield RejectedRecord(
                source.origin,
                f"entry {count + 1}",
                f"not valid JSON after entry {count} ({_message(error)}); the entries before it were read, "
                "the rest were not. Was the file cut short or edited by hand?",
            )
            return
    # Also when ijson ended without complaint: damage right after a complete value looks like an end.
    if isinstance(guarded.problem, InputProblem):
        yield RejectedRecord(
            source.origin,
            f"entry {count + 1}",
            f"{guarded.problem.reason}; entries read before it: {count}",
            context=guarded.problem.context,
        )
    elif guarded.problem is not None:
        raise guarded.problem
