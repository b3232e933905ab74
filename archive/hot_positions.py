"""The positions of a segment's most common terms as plain arrays, beside the segment, for fast phrases.

A phrase is checked in the documents that hold all its words, and for two common words those are many:
``"काला धन"`` at 100,000 articles met 30,000 of them, and reading their positions from Whoosh's blocks
(a pickle per posting) took 110 ms a search. For every term that gets plain-array postings
(:mod:`archive.hot_postings`), the segment writer also writes, in the same order of postings, how many
positions each posting has and the positions themselves, one after another, each in the smallest unsigned
type that holds them. A search maps ``<segment>.hpos`` into memory and finds the positions of any set of
documents with a few array operations.

Like the ``.hot`` file it is derived from the segment and named after it, so Whoosh deletes it with the
segment, and a segment without one (or with a damaged one) is read from its blocks.
"""

from __future__ import annotations

import contextlib
import mmap
import os
import struct
from bisect import bisect_left
from typing import Any

import numpy as np

EXTENSION = "hpos"
_VERSION = 1
_TRAILER = struct.Struct("<QQQI")  # keys offset, table offset, number of terms, format version
_TYPES = ("|u1", "<u2", "<u4")
# One row per term, in the order of the sorted keys: where its counts start, how many postings and
# positions, the index in _TYPES of the counts' and the positions' type, and where its key ends.
_ROW = np.dtype(
    [
        ("offset", "<u8"),
        ("postings", "<u4"),
        ("positions", "<u8"),
        ("count_type", "u1"),
        ("position_type", "u1"),
        ("key_end", "<u4"),
    ]
)

Array = np.ndarray[Any, Any]


def _smallest(values: Array) -> int:
    """The index in _TYPES of the smallest type holding ``values`` (non-negative).

    >>> _smallest(np.array([0, 255])), _smallest(np.array([256])), _smallest(np.array([70_000]))
    (0, 1, 2)
    """
    top = int(values.max()) if values.size else 0
    return next(i for i, name in enumerate(_TYPES) if top <= np.iinfo(np.dtype(name)).max)


def _key(fieldname: str, btext: bytes) -> bytes:
    return fieldname.encode("utf-8") + b"\0" + btext  # field names never hold a NUL


class PositionsWriter:
    """Collects a segment's common terms' positions while the segment writer writes them; ``close`` writes
    the file."""

    def __init__(self, storage: Any, segment: Any) -> None:
        self._storage = storage
        self._name = f"{segment.segment_id()}.{EXTENSION}"
        self._file: Any = None
        self._offset = 0
        self._keys: list[bytes] = []
        self._rows: list[tuple[int, int, int, int, int]] = []

    def add(self, fieldname: str, btext: bytes, counts: Array, positions: Array) -> None:
        """One term's positions: per posting how many (``counts``), and all of them in posting order. The
        caller writes the terms it writes to the ``.hot`` file."""
        if self._file is None:
            self._file = self._storage.create_file(self._name).raw_file()
        count_type, position_type = _smallest(counts), _smallest(positions)
        count_bytes = counts.astype(_TYPES[count_type]).tobytes()
        position_bytes = positions.astype(_TYPES[position_type]).tobytes()
        self._keys.append(_key(fieldname, btext))
        self._rows.append((self._offset, len(counts), len(positions), count_type, position_type))
        self._file.write(count_bytes)
        self._file.write(position_bytes)
        self._offset += len(count_bytes) + len(position_bytes)

    def close(self) -> None:
        if self._file is None:
            return
        order = sorted(range(len(self._keys)), key=self._keys.__getitem__)
        keys = b"".join(self._keys[i] for i in order)
        ends = np.cumsum([len(self._keys[i]) for i in order]).tolist()
        table = np.array([(*self._rows[i], end) for i, end in zip(order, ends, strict=True)], dtype=_ROW).tobytes()
        self._file.write(keys)
        self._file.write(table)
        self._file.write(_TRAILER.pack(self._offset, self._offset + len(keys), len(order), _VERSION))
        self._file.close()
        self._file = None


class PositionsReader:
    """The plain-array positions of one segment, if it has them."""

    def __init__(self, path: str) -> None:
        self._map: mmap.mmap | None = None
        self._keys: list[bytes] = []
        self._table: Array = np.zeros(0, dtype=_ROW)
        try:
            with open(path, "rb") as file:
                self._map = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
        except (FileNotFoundError, ValueError):  # no file, or an empty one
            return
        if len(self._map) < _TRAILER.size:
            return
        keys_at, table_at, terms, version = _TRAILER.unpack_from(self._map, len(self._map) - _TRAILER.size)
        table_end = table_at + terms * _ROW.itemsize
        if version != _VERSION or not keys_at <= table_at <= table_end <= len(self._map) - _TRAILER.size:
            return  # another format, or a damaged file: the segment's own postings still answer
        self._table = np.frombuffer(self._map[table_at:table_end], dtype=_ROW)
        blob = self._map[keys_at:table_at]
        ends = self._table["key_end"].tolist()
        self._keys = [blob[start:end] for start, end in zip([0, *ends[:-1]], ends, strict=True)]
        sizes = np.array([np.dtype(name).itemsize for name in _TYPES] + [0], dtype=np.uint64)
        count_types = np.minimum(self._table["count_type"], len(_TYPES))
        position_types = np.minimum(self._table["position_type"], len(_TYPES))
        ends = (
            self._table["offset"]
            + self._table["postings"].astype(np.uint64) * sizes[count_types]
            + self._table["positions"] * sizes[position_types]
        )
        if (count_types == len(_TYPES)).any() or (position_types == len(_TYPES)).any() or (ends > keys_at).any():
            self._keys = []  # unknown types, or rows pointing past the data: damaged

    @classmethod
    def of(cls, reader: Any) -> PositionsReader:
        """The positions file of a Whoosh segment reader (none for other readers)."""
        segment, storage = getattr(reader, "_segment", None), getattr(reader, "_storage", None)
        folder = getattr(storage, "folder", None)
        if segment is None or folder is None:
            return cls("")
        return cls(os.path.join(folder, f"{segment.segment_id()}.{EXTENSION}"))

    def positions(self, fieldname: str, btext: bytes) -> tuple[Array, Array] | None:
        """A term's positions: per posting how many (int64), and all of them (an unsigned type: most are
        read no further), or None when the file does not hold the term."""
        if self._map is None or not self._keys:
            return None
        key = _key(fieldname, btext)
        at = bisect_left(self._keys, key)
        if at == len(self._keys) or self._keys[at] != key:
            return None
        offset, postings, positions, count_type, position_type, _ = self._table[at].tolist()
        counts = np.frombuffer(self._map, dtype=_TYPES[count_type], count=postings, offset=offset)
        start = offset + counts.nbytes
        found = np.frombuffer(self._map, dtype=_TYPES[position_type], count=positions, offset=start)
        return counts.astype(np.int64), found

    def close(self) -> None:
        if self._map is not None:
            with contextlib.suppress(BufferError):  # arrays may still point into it
                self._map.close()
            self._map = None


def positions_of(counts: Array, positions: Array, chosen: Array) -> tuple[Array, Array]:
    """The positions of the postings at indices ``chosen`` (sorted): which of ``chosen`` each belongs to
    (an index into it), and the position.

    >>> owner, found = positions_of(np.array([2, 1, 3]), np.array([4, 9, 0, 1, 5, 8]), np.array([0, 2]))
    >>> owner.tolist(), found.tolist()
    ([0, 0, 1, 1, 1], [4, 9, 1, 5, 8])
    """
    starts = np.cumsum(counts) - counts
    taken = counts[chosen]
    owner = np.repeat(np.arange(len(chosen)), taken)
    # each taken position's index: its posting's start plus its place within the posting
    firsts = np.cumsum(taken) - taken
    index = np.repeat(starts[chosen] - firsts, taken) + np.arange(int(taken.sum()))
    return owner, positions[index].astype(np.int64)
