"""The positions of a segment's most common terms as plain arrays, beside the segment, for fast phrases.

A phrase is checked in the documents that hold all its words, and for two common words those are many:
``"काला धन"`` at 100,000 articles met about 30,000 a search (in its fields, exact and variant forms), and
reading their positions from Whoosh's blocks (a pickle per posting) took 110 ms. For every term that gets
plain-array postings (:mod:`archive.index.codec.array_postings`), the segment writer also writes, in the same order of
postings, how many positions each posting has and the positions themselves, one after another, each in the
smallest unsigned type that holds them. A search maps ``<segment>.hpos`` into memory and finds the
positions of any set of documents with a few array operations.

Like the ``.hot`` file it is derived from the segment and named after it, so Whoosh deletes it with the
segment, and a segment without one (or with a damaged one) is read from its blocks.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from archive.index.codec.segment_files import ARRAY_POSITIONS
from archive.index.codec.term_arrays import TermArraysReader, TermArraysWriter, smallest_unsigned

EXTENSION = ARRAY_POSITIONS.extension
_VERSION = ARRAY_POSITIONS.version
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


def _type_code(values: Array) -> int:
    """The index in _TYPES of the smallest type that holds ``values``.

    >>> _type_code(np.array([0, 255])), _type_code(np.array([256])), _type_code(np.array([70_000]))
    (0, 1, 2)
    """
    return [np.dtype(name).itemsize for name in _TYPES].index(smallest_unsigned(values).itemsize)


class ArrayPositionsWriter:
    """Collects a segment's common terms' positions while the segment writer writes them; ``close`` writes
    the file."""

    def __init__(self, storage: Any, segment: Any) -> None:
        self._file = TermArraysWriter(storage, segment, EXTENSION, _ROW, _VERSION)

    def add(self, fieldname: str, btext: bytes, counts: Array, positions: Array) -> None:
        """One term's positions: per posting how many (``counts``), and all of them in posting order. The
        caller writes the terms it writes to the ``.hot`` file."""
        count_type, position_type = _type_code(counts), _type_code(positions)
        fields = (len(counts), len(positions), count_type, position_type)
        count_bytes = counts.astype(_TYPES[count_type]).tobytes()
        self._file.add(fieldname, btext, fields, count_bytes, positions.astype(_TYPES[position_type]).tobytes())

    def close(self) -> None:
        self._file.close()


class ArrayPositionsReader:
    """The plain-array positions of one segment, if it has them."""

    def __init__(self, path: str) -> None:
        self._file = TermArraysReader(path, _ROW, _VERSION)
        table = self._file.table
        sizes = np.array([np.dtype(name).itemsize for name in _TYPES] + [0], dtype=np.uint64)
        count_types = np.minimum(table["count_type"], len(_TYPES))
        position_types = np.minimum(table["position_type"], len(_TYPES))
        data_ends = (
            table["offset"]
            + table["postings"].astype(np.uint64) * sizes[count_types]
            + table["positions"] * sizes[position_types]
        )
        unknown = (count_types == len(_TYPES)).any() or (position_types == len(_TYPES)).any()
        if unknown or (data_ends > self._file.data_end).any():
            self._file.forget()  # unknown types, or rows pointing past the arrays: damaged

    @classmethod
    def of(cls, reader: Any) -> ArrayPositionsReader:
        """The positions file of a Whoosh segment reader (none for other readers)."""
        return cls(TermArraysReader.path_of(reader, EXTENSION))

    def positions(self, fieldname: str, btext: bytes) -> tuple[Array, Array] | None:
        """A term's positions: per posting how many (int64), and all of them (an unsigned type: most are
        read no further), or None when the file does not hold the term."""
        row = self._file.row(fieldname, btext)
        if row is None or self._file.map is None:
            return None
        offset, postings, positions, count_type, position_type, _ = row
        counts = np.frombuffer(self._file.map, dtype=_TYPES[count_type], count=postings, offset=offset)
        start = offset + counts.nbytes
        found = np.frombuffer(self._file.map, dtype=_TYPES[position_type], count=positions, offset=start)
        return counts.astype(np.int64), found

    def close(self) -> None:
        self._file.close()


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
