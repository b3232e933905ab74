"""Files of per-term arrays beside a Whoosh segment: the layout that ``.hot`` and ``.hpos`` files share.

Each term's arrays are written one after another; then the terms' keys (field, NUL, term bytes), sorted and
concatenated; then a fixed-size row per key in that order, its first field where the term's arrays start
and its last where its key ends (numeric terms are binary, so no byte can separate keys); then a trailer.
A search process maps the file, slices one byte string and bisects it, where unpickling a dictionary of
15,000 terms took 22 ms.

A file is named after its segment, so Whoosh deletes it with the segment. A missing file, another version
or a damaged directory reads as an empty file: the segment's own postings still answer.
"""

from __future__ import annotations

import contextlib
import mmap
import struct
from bisect import bisect_left
from typing import Any

import numpy as np

from archive.index.codec.whoosh3 import segment_location

_TRAILER = struct.Struct("<QQQI")  # keys offset, table offset, number of terms, format version


_UNSIGNED = (np.uint8, np.uint16, np.uint32)


def smallest_unsigned(values: np.ndarray[Any, Any]) -> np.dtype[Any]:
    """The smallest unsigned type that holds ``values`` (non-negative, below 2**32).

    >>> smallest_unsigned(np.array([1, 255])).str, smallest_unsigned(np.array([256])).str
    ('|u1', '<u2')
    """
    top = int(values.max()) if values.size else 0
    return next(np.dtype(t) for t in _UNSIGNED if top <= np.iinfo(t).max)


def _key(fieldname: str, btext: bytes) -> bytes:
    # field names never hold a NUL, so keys sort by field, then term
    return fieldname.encode("utf-8") + b"\0" + btext


class TermArraysWriter:
    """Writes a segment's file of term arrays; ``row`` is the dtype of its rows, whose first field is
    ``offset`` and last ``key_end``."""

    def __init__(self, storage: Any, segment: Any, extension: str, row: np.dtype[Any], version: int) -> None:
        self._storage = storage
        self._name = f"{segment.segment_id()}.{extension}"
        self._row = row
        self._version = version
        self._file: Any = None
        self._offset = 0
        self._keys: list[bytes] = []
        self._rows: list[tuple[Any, ...]] = []

    def add(self, fieldname: str, btext: bytes, fields: tuple[Any, ...], *arrays: bytes) -> None:
        """One term: its arrays' bytes, and its row's fields between ``offset`` and ``key_end``."""
        if self._file is None:
            self._file = self._storage.create_file(self._name).raw_file()
        self._keys.append(_key(fieldname, btext))
        self._rows.append((self._offset, *fields))
        for data in arrays:
            self._file.write(data)
            self._offset += len(data)

    def close(self) -> None:
        if self._file is None:
            return
        order = sorted(range(len(self._keys)), key=self._keys.__getitem__)
        keys = b"".join(self._keys[i] for i in order)
        ends = np.cumsum([len(self._keys[i]) for i in order]).tolist()
        rows = [(*self._rows[i], end) for i, end in zip(order, ends, strict=True)]
        self._file.write(keys)
        self._file.write(np.array(rows, dtype=self._row).tobytes())
        self._file.write(_TRAILER.pack(self._offset, self._offset + len(keys), len(order), self._version))
        self._file.close()
        self._file = None


class TermArraysReader:
    """A segment's file of term arrays, mapped into memory (empty when there is none, or it is unreadable)."""

    def __init__(self, path: str, row: np.dtype[Any], version: int) -> None:
        self.map: mmap.mmap | None = None
        #: Where the arrays end (and the keys start).
        self.data_end = 0
        self.table: np.ndarray[Any, Any] = np.zeros(0, dtype=row)
        self._keys: list[bytes] = []
        try:
            with open(path, "rb") as file:
                self.map = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
        except (FileNotFoundError, ValueError):  # no file, or an empty one
            return
        if len(self.map) < _TRAILER.size:
            return
        keys_at, table_at, terms, found_version = _TRAILER.unpack_from(self.map, len(self.map) - _TRAILER.size)
        table_end = table_at + terms * row.itemsize
        if found_version != version or not keys_at <= table_at <= table_end <= len(self.map) - _TRAILER.size:
            return
        self.data_end = keys_at
        self.table = np.frombuffer(self.map[table_at:table_end], dtype=row)
        blob = self.map[keys_at:table_at]
        ends = self.table["key_end"].tolist()
        self._keys = [blob[start:end] for start, end in zip([0, *ends[:-1]], ends, strict=True)]

    @staticmethod
    def path_of(reader: Any, extension: str) -> str:
        """The file's path for a Whoosh segment reader ("" for other readers)."""
        location = segment_location(reader)
        return "" if location is None else location.path(extension)

    def forget(self) -> None:
        """Hold no term (a damaged file, found by the caller)."""
        self._keys = []

    def row(self, fieldname: str, btext: bytes) -> list[Any] | None:
        """A term's row, or None when the file does not hold the term."""
        if self.map is None or not self._keys:
            return None
        key = _key(fieldname, btext)
        at = bisect_left(self._keys, key)
        if at == len(self._keys) or self._keys[at] != key:
            return None
        found: list[Any] = self.table[at].tolist()
        return found

    def close(self) -> None:
        if self.map is not None:
            with contextlib.suppress(BufferError):  # arrays still point into it; the mapping goes with them
                self.map.close()
            self.map = None
