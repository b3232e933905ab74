"""Per-document values of a searcher, as arrays indexed by global document number: field lengths (for
BM25's length norms), deletions, and the columns for date ranges, sorting, facets and collapsing.
"""

from __future__ import annotations

import contextlib
import functools
import os
import pickle
from collections.abc import Iterator
from typing import Any

import numpy as np

from archive.index.codec.array_positions import ArrayPositionsReader
from archive.index.codec.array_postings import ArrayPostingsReader, Scratch
from archive.index.codec.whoosh3 import (
    BYTE_LENGTHS,
    length_codes,
    numeric_values,
    per_document_reader,
    segment_location,
)
from archive.index.query.arrays import Floats, Ints, Mask


class DocValues:
    """Per-document values of one searcher, read on first use: field lengths, deletions and the columns
    for facets, sorting and collapsing, as arrays indexed by global document number.

    Reading them from Whoosh's columns costs about a second at 100,000 articles (value by value), which
    every ``archive search`` process would pay. So each segment's values, once read, are kept in a
    file beside the segment (``<segment>.values``, a pickle of arrays that loads in milliseconds).
    Segments never change, so the file never goes stale, and Whoosh deletes it with the segment.
    Deletions change; they are read from Whoosh each time (they are few and cheap).
    """

    def __init__(self, searcher: Any) -> None:
        self.searcher = searcher
        self.leaves: list[tuple[Any, int]] = list(searcher.leaf_searchers())
        self.count: int = searcher.doc_count_all()
        self._array_postings: list[ArrayPostingsReader] | None = None
        self._array_positions: list[ArrayPositionsReader] | None = None
        self._segments: list[_SegmentValues] | None = None
        self._live: Mask | None = None
        self._norms: dict[tuple[str, float, float, float], Floats] = {}
        self._numbers: dict[str, Ints] = {}
        self._codes: dict[str, tuple[Ints, list[Any]]] = {}
        self._clusters: Ints | None = None
        self._scratch: Scratch | None = None
        self._posting_numbers: list[Ints] = []

    @functools.cached_property
    def largest_segment(self) -> int:
        """The number of documents of the largest segment (deleted ones included)."""
        return max((sub.reader().doc_count_all() for sub, _ in self.leaves), default=0)

    def scratch(self) -> Scratch:
        """Arrays to decode and score one term's postings in (any segment's: as long as the largest)."""
        if self._scratch is None:
            self._scratch = Scratch(self.largest_segment)
        return self._scratch

    @contextlib.contextmanager
    def posting_numbers(self, postings: dict[bytes, Ints]) -> Iterator[dict[bytes, Ints]]:
        """For each term (its documents in one segment), its posting number by document, -1 where it has
        none: a dense table, looked up without a binary search. The tables are kept from search to search
        (fresh ones, a slot per document, cost page faults) and cleared again when the block ends."""
        while len(self._posting_numbers) < len(postings):
            self._posting_numbers.append(np.full(self.largest_segment, -1, dtype=np.int32))
        filled: dict[bytes, Ints] = {}
        try:
            for (text, ids), table in zip(postings.items(), self._posting_numbers, strict=False):
                filled[text] = table
                table[ids] = np.arange(len(ids), dtype=np.int32)
            yield filled
        finally:
            for text, table in filled.items():
                table[postings[text]] = -1

    def array_postings(self, leaf: int) -> ArrayPostingsReader:
        if self._array_postings is None:
            self._array_postings = [ArrayPostingsReader.of(sub.reader()) for sub, _ in self.leaves]
        return self._array_postings[leaf]

    def array_positions(self, leaf: int) -> ArrayPositionsReader:
        if self._array_positions is None:
            self._array_positions = [ArrayPositionsReader.of(sub.reader()) for sub, _ in self.leaves]
        return self._array_positions[leaf]

    @property
    def segments(self) -> list[_SegmentValues]:
        if self._segments is None:
            self._segments = [_SegmentValues(sub.reader()) for sub, _ in self.leaves]
        return self._segments

    @property
    def deletions(self) -> bool:
        """Whether any segment has deleted documents (which every term's matches must then leave out)."""
        return any(sub.reader().has_deletions() for sub, _ in self.leaves)

    def live(self) -> Mask:
        """True for every document not deleted."""
        if self._live is None:
            live = np.ones(self.count, dtype=bool)
            for sub, offset in self.leaves:
                reader = sub.reader()
                if reader.has_deletions():
                    deleted = [d for d in range(reader.doc_count_all()) if reader.is_deleted(d)]
                    live[np.asarray(deleted, dtype=np.int64) + offset] = False
            self._live = live
        return self._live

    def norms(self, field: str, k1: float, b: float, avgfl: float) -> Floats:
        """BM25's length normalisation of ``field`` for every document, as Whoosh computes it."""
        key = (field, k1, b, avgfl)
        found = self._norms.get(key)
        if found is None:
            lengths = self._joined([s.lengths(field) for s in self.segments])
            found = self._norms[key] = k1 * ((1 - b) + b * lengths.astype(np.float64) / avgfl)
        return found

    def numbers(self, field: str) -> Ints:
        """A numeric or date column as order keys (stored value minus :meth:`offset`), for sorting and ranges."""
        found = self._numbers.get(field)
        if found is None:
            found = self._numbers[field] = self._joined([s.numbers(field, self.offset(field)) for s in self.segments])
        return found

    def offset(self, field: str) -> int:
        """What :meth:`numbers` subtracts from stored values to fit them in int64 in the same order
        (Whoosh stores dates and 64-bit numbers unsigned, the missing value as 2**64 - 1)."""
        default = self.searcher.schema[field].column_type.default_value(False)
        return 2**63 if default >= 2**63 else 0

    def codes(self, field: str) -> tuple[Ints, list[Any]]:
        """A column as a code per document and the value of each code (for facets)."""
        found = self._codes.get(field)
        if found is None:
            labels: dict[Any, int] = {}
            parts: list[Ints] = []
            for segment in self.segments:
                codes, values = segment.codes(field)
                mapping = np.array([labels.setdefault(v, len(labels)) for v in values], dtype=np.int64)
                parts.append(mapping[codes] if mapping.size else codes.astype(np.int64))
            found = self._codes[field] = (self._joined(parts), list(labels))
        return found

    def clusters(self) -> Ints:
        """Each document's story (the ``cluster`` field as a number); -1 for none, which never collapses."""
        if self._clusters is None:
            self._clusters = self._joined([s.clusters() for s in self.segments])
        return self._clusters

    def save(self) -> None:
        """Keep what was read for the next process (see the class's description)."""
        for segment in self._segments or ():
            segment.save()

    @staticmethod
    def _joined(parts: list[Ints]) -> Ints:
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)

    def close(self) -> None:
        for postings in self._array_postings or ():
            postings.close()
        self._array_postings = None
        for held in self._array_positions or ():
            held.close()
        self._array_positions = None


class _SegmentValues:
    """One segment's per-document values, read from Whoosh on first use and kept in its ``.values`` file."""

    EXTENSION = "values"
    VERSION = 1

    def __init__(self, reader: Any) -> None:
        self._reader = reader
        self._count: int = reader.doc_count_all()
        self._path: str | None = None
        self._values: dict[str, Any] = {}
        self._changed = False
        location = segment_location(reader)
        if location is not None:
            self._path = location.path(self.EXTENSION)
            try:
                with open(self._path, "rb") as file:
                    found = pickle.load(file)
                if found.get("version") == self.VERSION and found.get("count") == self._count:
                    self._values = found
            except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError):
                pass  # none yet, or unreadable: read from Whoosh and write it again

    def _get(self, key: str, read: Any) -> Any:
        found = self._values.get(key)
        if found is None:
            found = self._values[key] = read()
            self._changed = True
        return found

    def lengths(self, field: str) -> Ints:
        return self._get(f"lengths:{field}", lambda: _field_lengths(self._reader, field).astype(np.int32))  # type: ignore[no-any-return]

    def numbers(self, field: str, offset: int) -> Ints:
        def read() -> Ints:
            reader = self._reader
            default = reader.schema[field].column_type.default_value(False)
            column = reader.column_reader(field, translate=False) if reader.has_column(field) else None
            return numeric_values(column, self._count, default, offset)

        return self._get(f"numbers:{field}", read)  # type: ignore[no-any-return]

    def codes(self, field: str) -> tuple[np.ndarray[Any, Any], list[Any]]:
        def read() -> tuple[np.ndarray[Any, Any], list[Any]]:
            labels: dict[Any, int] = {}
            column = self._column(field)
            codes = np.fromiter((labels.setdefault(v, len(labels)) for v in column), dtype=np.int32, count=self._count)
            return codes, list(labels)

        return self._get(f"codes:{field}", read)  # type: ignore[no-any-return]

    def clusters(self) -> Ints:
        def read() -> Ints:
            values = (int(v) if isinstance(v, str) and v.isdigit() else -1 for v in self._column("cluster"))
            return np.fromiter(values, dtype=np.int64, count=self._count)

        return self._get("clusters", read)  # type: ignore[no-any-return]

    def _column(self, field: str) -> list[Any]:
        reader = self._reader
        if reader.has_column(field):
            return list(reader.column_reader(field, translate=True))
        # Whoosh's multi-segment column reader would skip a segment with no value of the field at all
        # (undated articles committed on their own), shifting later documents' values; per segment, a
        # document without the value reads as Whoosh reads it
        fieldtype = reader.schema[field]
        return [fieldtype.from_column_value(fieldtype.column_type.default_value(False))] * self._count

    def save(self) -> None:
        if not self._changed or self._path is None:
            return
        self._values.update(version=self.VERSION, count=self._count)
        folder, name = os.path.split(self._path)
        # a name Whoosh's clean-up ignores until the rename, which no reader can see half done
        temporary = os.path.join(folder, f".{name}.{os.getpid()}.tmp")
        try:
            with open(temporary, "wb") as file:
                pickle.dump(self._values, file, pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, self._path)
        except OSError:  # a read-only archive: read from Whoosh each time
            with contextlib.suppress(OSError):
                os.remove(temporary)
        self._changed = False


#: A field's length by the byte Whoosh stores for it, as its scorer sees it (a document without one: 1).
_SCORED_LENGTHS = BYTE_LENGTHS.copy()
_SCORED_LENGTHS[0] = 1


def _field_lengths(reader: Any, field: str) -> Ints:
    """The length of ``field`` in every document of one segment, as Whoosh's scorer sees it."""
    count = reader.doc_count_all()
    perdoc = per_document_reader(reader)
    if perdoc is None:  # another kind of reader: the public, slower way
        return np.array([reader.doc_field_length(d, field, 1) or 1 for d in range(count)], dtype=np.int64)
    # Whoosh keeps the lengths as a byte column per field; read whole, ~100x faster than document by document
    lengths: Ints = _SCORED_LENGTHS[length_codes(perdoc, field, count)]
    return lengths
