"""One segment's per-document values as arrays, kept in a file beside the segment (``<segment>.values``).

Reading them from Whoosh's columns costs about a second at 100,000 articles (value by value), which every
search process would pay. So the segment writer writes every segment's values when it writes the segment
(:func:`write_segment_values`), and a search loads them in milliseconds. Segments never change, so the
file never goes stale, and Whoosh deletes it with the segment; deletions change, and are read from Whoosh
each time (they are few and cheap).

A segment without a complete file (written by stock Whoosh, or by an archive before values were written
with segments: version 1 files hold what searches had read) is read from Whoosh by the search that needs
it, in memory: a search never writes. The next writer of the index writes the file.

The file is two pickles: a small header (version, documents, the keys held), then the arrays, so a writer
can tell a complete file from the header alone.
"""

from __future__ import annotations

import contextlib
import os
import pickle
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from archive.index.codec.segment_files import SEGMENT_VALUES
from archive.index.codec.whoosh3 import (
    BYTE_LENGTHS,
    SegmentLocation,
    length_codes,
    numeric_values,
    per_document_reader,
    segment_location,
)

Ints = np.ndarray[Any, np.dtype[np.int64]]

EXTENSION = SEGMENT_VALUES.extension
VERSION = SEGMENT_VALUES.version
_LEGACY_VERSION = 1  # one pickle, with what searches had read (written by the archive's earlier versions)

#: A field's length by the byte Whoosh stores for it, as its scorer sees it (a document without one: 1).
_SCORED_LENGTHS = BYTE_LENGTHS.copy()
_SCORED_LENGTHS[0] = 1


class ValueFields(NamedTuple):
    """Which per-document values a segment's file holds: lengths of the scored text fields, numeric or date
    columns (for ranges and sorting), value codes of exact-value columns (for facets), and the column of
    each document's story (for collapsing)."""

    lengths: tuple[str, ...]
    numbers: tuple[str, ...]
    codes: tuple[str, ...]
    stories: str

    def value_keys(self) -> frozenset[str]:
        return frozenset(
            [f"lengths:{f}" for f in self.lengths]
            + [f"numbers:{f}" for f in self.numbers]
            + [f"codes:{f}" for f in self.codes]
            + ["clusters"]
        )


def number_offset(schema: Any, field: str) -> int:
    """What :meth:`SegmentValues.numbers` subtracts from stored values to fit them in int64 in the same
    order (Whoosh stores dates and 64-bit numbers unsigned, the missing value as 2**64 - 1)."""
    default = schema[field].column_type.default_value(False)
    return 2**63 if default >= 2**63 else 0


class SegmentValues:
    """One segment's per-document values: from its file when it has them, else read from Whoosh (in memory)."""

    def __init__(self, reader: Any) -> None:
        self._reader = reader
        self._count: int = reader.doc_count_all()
        self._values: dict[str, Any] = {}
        location = segment_location(reader)
        if location is not None:
            self._values = _load(location, self._count)

    def lengths(self, field: str) -> Ints:
        """The length of ``field`` in every document, as Whoosh's scorer sees it."""
        return self._get(f"lengths:{field}", lambda: _field_lengths(self._reader, field).astype(np.int32))  # type: ignore[no-any-return]

    def numbers(self, field: str) -> Ints:
        """A numeric or date column as order keys (stored value minus :func:`number_offset`)."""

        def read() -> Ints:
            reader = self._reader
            default = reader.schema[field].column_type.default_value(False)
            column = reader.column_reader(field, translate=False) if reader.has_column(field) else None
            return numeric_values(column, self._count, default, number_offset(reader.schema, field))

        return self._get(f"numbers:{field}", read)  # type: ignore[no-any-return]

    def codes(self, field: str) -> tuple[np.ndarray[Any, Any], list[Any]]:
        """A column as a code per document and the value of each code."""

        def read() -> tuple[np.ndarray[Any, Any], list[Any]]:
            labels: dict[Any, int] = {}
            column = self._column(field)
            codes = np.fromiter((labels.setdefault(v, len(labels)) for v in column), dtype=np.int32, count=self._count)
            return codes, list(labels)

        return self._get(f"codes:{field}", read)  # type: ignore[no-any-return]

    def clusters(self, field: str) -> Ints:
        """Each document's story (``field`` as a number); -1 for none, which never collapses."""

        def read() -> Ints:
            values = (int(v) if isinstance(v, str) and v.isdigit() else -1 for v in self._column(field))
            return np.fromiter(values, dtype=np.int64, count=self._count)

        return self._get("clusters", read)  # type: ignore[no-any-return]

    def _get(self, key: str, read: Callable[[], Any]) -> Any:
        found = self._values.get(key)
        if found is None:
            found = self._values[key] = read()
        return found

    def _column(self, field: str) -> list[Any]:
        reader = self._reader
        if reader.has_column(field):
            return list(reader.column_reader(field, translate=True))
        # Whoosh's multi-segment column reader would skip a segment with no value of the field at all
        # (undated articles committed on their own), shifting later documents' values; per segment, a
        # document without the value reads as Whoosh reads it
        fieldtype = reader.schema[field]
        return [fieldtype.from_column_value(fieldtype.column_type.default_value(False))] * self._count

    def read_all(self, fields: ValueFields) -> dict[str, Any]:
        """Every value ``fields`` names (read now where the file lacks them)."""
        for field in fields.lengths:
            self.lengths(field)
        for field in fields.numbers:
            self.numbers(field)
        for field in fields.codes:
            self.codes(field)
        self.clusters(fields.stories)
        return {key: self._values[key] for key in fields.value_keys()}


def _field_lengths(reader: Any, field: str) -> Ints:
    """The length of ``field`` in every document of one segment, as Whoosh's scorer sees it."""
    count = reader.doc_count_all()
    perdoc = per_document_reader(reader)
    if perdoc is None:  # another kind of reader: the public, slower way
        return np.array([reader.doc_field_length(d, field, 1) or 1 for d in range(count)], dtype=np.int64)
    # Whoosh keeps the lengths as a byte column per field; read whole, ~100x faster than document by document
    lengths: Ints = _SCORED_LENGTHS[length_codes(perdoc, field, count)]
    return lengths


def _load(location: SegmentLocation, count: int) -> dict[str, Any]:
    try:
        with open(location.path(EXTENSION), "rb") as file:
            head = pickle.load(file)
            if head.get("count") != count:
                return {}
            if head.get("version") == VERSION:
                found = pickle.load(file)
                return found if isinstance(found, dict) else {}
            if head.get("version") == _LEGACY_VERSION:
                return {key: value for key, value in head.items() if key not in ("version", "count")}
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError, TypeError):
        pass  # none, or unreadable: read from Whoosh
    return {}


def has_values(location: SegmentLocation, count: int, fields: ValueFields) -> bool:
    """Whether a segment's file holds every value ``fields`` names (from its header alone)."""
    try:
        with open(location.path(EXTENSION), "rb") as file:
            head = pickle.load(file)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError, TypeError):
        return False
    return (
        isinstance(head, dict)
        and head.get("version") == VERSION
        and head.get("count") == count
        and fields.value_keys() <= set(head.get("keys", ()))
    )


def write_segment_values(reader: Any, fields: ValueFields) -> None:
    """Write a segment's file of every value ``fields`` names, read from ``reader`` (the segment's reader)."""
    location = segment_location(reader)
    if location is None:
        return
    values = SegmentValues(reader).read_all(fields)
    head = {"version": VERSION, "count": reader.doc_count_all(), "keys": sorted(values)}
    path = location.path(EXTENSION)
    # a name Whoosh's clean-up ignores until the rename, which no reader can see half done
    temporary = os.path.join(location.folder, f".{os.path.basename(path)}.{os.getpid()}.tmp")
    try:
        with open(temporary, "wb") as file:
            pickle.dump(head, file, pickle.HIGHEST_PROTOCOL)
            pickle.dump(values, file, pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    finally:
        with contextlib.suppress(OSError):
            os.remove(temporary)
