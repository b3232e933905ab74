"""A segment's most common terms' postings as plain arrays, beside the segment, for fast scoring.

Whoosh keeps postings in blocks of 128, each a zlib-compressed pickle of document numbers, weights and
positions. Reading a block costs about 0.6 µs a posting, and a common word at 100,000 articles has
hundreds of thousands of postings (its forms, in every field): ``सरकार`` read 180,000 postings in
1,400 blocks, 110 ms before any scoring. Search scores whole terms at once (term at a time, with
numpy), so for terms in many documents the segment writer also writes their document numbers and
weights as arrays into ``<segment>.hot``, which a search maps into memory and reads with almost no
decoding: document numbers as their low 16 bits plus where each run of 65,536 starts (delta coding
was half the size but its prefix sum cost 0.6 ms per 90,000 postings, most of a two-word query),
weights (counts) as bytes where they fit.

The file is derived from the segment and named after it, so Whoosh deletes it with the segment.
A segment without one (written by another writer) is read from its blocks, as before.
"""

from __future__ import annotations

from array import array
from typing import Any

import numpy as np

from archive.index.codec.segment_files import ARRAY_POSTINGS
from archive.index.codec.term_arrays import TermArraysReader, TermArraysWriter, smallest_unsigned

EXTENSION = ARRAY_POSTINGS.extension
_VERSION = ARRAY_POSTINGS.version
_TYPES = ("|u1", "<u2", "<u4", "<f4")
_CUT = np.dtype("<u4")
_LOW = np.dtype("<u2")
# One row per term, in the order of the sorted keys: where its arrays start, how many postings, how many
# 65,536-document runs start after the first, and the index in _TYPES of the weight type.
_ROW = np.dtype([("offset", "<u8"), ("count", "<u4"), ("cuts", "<u2"), ("weights", "u1"), ("key_end", "<u4")])


def encode(docnums: array, weights: array) -> tuple[bytes, bytes, int, str]:  # type: ignore[type-arg]
    """One term's postings as (document-number bytes, weight bytes, number of cuts, weight type).

    >>> ids, ws, cuts, w_type = encode(array("I", [3, 5, 70_000, 140_000]), array("f", [1.0, 2.0, 1.0, 9.0]))
    >>> cuts, w_type, decode(ids, ws, cuts, w_type, 4)[0].tolist()
    (2, '|u1', [3, 5, 70000, 140000])
    """
    ids = np.frombuffer(docnums, dtype=np.uint32)
    runs = int(ids[-1]) >> 16 if ids.size else 0
    # where the postings of documents 65,536 * k onwards start, for k = 1, 2, ...
    cuts = np.searchsorted(ids, np.arange(1, runs + 1, dtype=np.int64) << 16).astype(_CUT)
    id_bytes = cuts.tobytes() + (ids & 0xFFFF).astype(_LOW).tobytes()
    found = np.frombuffer(weights, dtype=np.float32)
    if found.size and np.all(found == np.floor(found)) and found.min() >= 0 and found.max() <= np.iinfo(np.uint16).max:
        weight_type = smallest_unsigned(found.astype(np.int64))
        weight_bytes = found.astype(weight_type).tobytes()
    else:
        weight_type, weight_bytes = np.dtype(np.float32), found.tobytes()
    return id_bytes, weight_bytes, runs, weight_type.str


def decode(
    id_bytes: Any, weight_bytes: Any, cuts: int, weight_type: str, count: int, out: Scratch | None = None
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Document numbers (int64) and weights (float64, exactly Whoosh's float32 weights) of one term,
    written into the start of ``out``'s arrays when given (see :class:`Scratch`).

    >>> ids, weights, cuts, w_type = encode(array("I", [3, 70_000]), array("f", [1.0, 2.0]))
    >>> scratch = Scratch(4)
    >>> found = decode(ids, weights, cuts, w_type, 2, scratch)
    >>> found[0].tolist(), found[1].tolist(), np.shares_memory(found[0], scratch.ids)
    ([3, 70000], [1.0, 2.0], True)
    """
    low = np.frombuffer(id_bytes, dtype=_LOW, count=count, offset=cuts * _CUT.itemsize)
    stored = np.frombuffer(weight_bytes, dtype=weight_type, count=count)
    if out is None:
        ids, weights = low.astype(np.int64), stored.astype(np.float64)
    else:
        ids, weights = out.ids[:count], out.weights[:count]
        np.copyto(ids, low)
        np.copyto(weights, stored)
    for cut in np.frombuffer(id_bytes, dtype=_CUT, count=cuts).tolist():
        ids[cut:] += 1 << 16
    return ids, weights


class Scratch:
    """Arrays that one term's postings are decoded and scored in, reused for every term of every search.

    A common word's postings are hundreds of thousands of numbers: arrays that size, made afresh for each
    term, are memory the allocator returns to the system when they are freed and that the next term
    faults back in, a page at a time (about 1,000 page faults, most of a two-word query's scoring).
    """

    def __init__(self, size: int) -> None:
        self.ids = np.empty(size, dtype=np.int64)
        self.weights = np.empty(size, dtype=np.float64)
        self.values = np.empty(size, dtype=np.float64)


class ArrayPostingsWriter:
    """Collects a segment's common terms while the segment writer writes them; ``close`` writes the file."""

    def __init__(self, storage: Any, segment: Any, minimum: int) -> None:
        self._file = TermArraysWriter(storage, segment, EXTENSION, _ROW, _VERSION)
        #: Terms in fewer documents are left out (set from the segment's size, :meth:`ArrayTerms.minimum`)...
        self.minimum = minimum
        #: ... or in fewer than their field's own minimum, where it has one (a short field's)
        self.field_minimum: dict[str, int] = {}

    def minimum_of(self, fieldname: str) -> int:
        return self.field_minimum.get(fieldname, self.minimum)

    def add(self, fieldname: str, btext: bytes, docnums: Any, weights: Any) -> None:
        """One term's postings: document numbers (uint32) and weights (float32), as arrays or buffers."""
        if len(docnums) < self.minimum_of(fieldname):
            return
        id_bytes, weight_bytes, cuts, weight_type = encode(docnums, weights)
        self._file.add(fieldname, btext, (len(docnums), cuts, _TYPES.index(weight_type)), id_bytes, weight_bytes)

    def close(self) -> None:
        self._file.close()


class ArrayPostingsReader:
    """The plain-array postings of one segment, if it has them."""

    def __init__(self, path: str) -> None:
        self._file = TermArraysReader(path, _ROW, _VERSION)

    @classmethod
    def of(cls, reader: Any) -> ArrayPostingsReader:
        """The plain-array postings of a Whoosh segment reader (none for other readers)."""
        return cls(TermArraysReader.path_of(reader, EXTENSION))

    def postings(
        self, fieldname: str, btext: bytes, out: Scratch | None = None
    ) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]] | None:
        """A term's postings (see :func:`decode`), or None when the file does not hold the term."""
        row = self._file.row(fieldname, btext)
        if row is None or self._file.map is None:
            return None
        offset, count, cuts, weight_code, _ = row
        id_end = offset + cuts * _CUT.itemsize + count * _LOW.itemsize
        view = memoryview(self._file.map)
        return decode(view[offset:id_end], view[id_end:], cuts, _TYPES[weight_code], count, out)

    def close(self) -> None:
        self._file.close()
