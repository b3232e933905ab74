"""Whoosh's segment writer with the per-posting costs of indexing cut down.

Profiling an ingest showed Whoosh's writer costing more than all the Hindi analysis. For every
posting it builds a tuple, sorts it among all the others, pickles it to a temporary run file when
memory runs short and reads it back, looks up the document's field length in the file it has just
written, and finally feeds it to the postings writer one call at a time; every term, however rare,
gets a pickled and zlib-compressed block of its own.

This writer keeps Whoosh's file format (segments record the stock codec, so a stock Whoosh reads
what it writes; a test compares the postings with the stock writer's) and changes only how it gets
there:

* the text fields' postings are gathered and encoded as columns, many documents at once
  (:mod:`archive.index.codec.text_postings`); the other fields' (ids, dates, sources: a few terms a document) are
  pooled per term (document numbers and weights in typed arrays), so sorting, spilling and merging cost
  per term, not per posting;
* a term's postings go to the postings file a block at a time;
* field lengths are read once per field, a column at a time;
* the term table is written in bulk;
* a term in only a few documents is stored inline in the term table (the format's "inlined
  postings", which Whoosh 2.7 reads but never writes because of a typo in its writer);
* segments are left as separate files, which readers use in place instead of copying them;
* common terms' postings are also written as plain arrays (:mod:`archive.index.codec.array_postings`) for search.
"""

from __future__ import annotations

import heapq
import pickle
from array import array
from collections.abc import Callable, Iterable, Iterator
from operator import itemgetter
from typing import Any

import numpy as np

from archive.analysis.whoosh_filters import HindiText
from archive.config import ArrayTerms, WriterSettings
from archive.index.codec.array_positions import ArrayPositionsWriter
from archive.index.codec.array_postings import ArrayPostingsWriter
from archive.index.codec.segment_values import ValueFields, has_values, write_segment_values
from archive.index.codec.text_postings import TextPool, write_field
from archive.index.codec.whoosh3 import (
    BYTE_LENGTHS,
    FieldWriterBase,
    SegmentWriterBase,
    WritingCodecBase,
    length_codes,
    segment_location_of,
)

# Rough memory cost of a pooled posting and of a pooled term, for deciding when to spill a run.
_POSTING_BYTES = 24
_TERM_BYTES = 400

#: one term's postings: document numbers, weights and encoded values, in the order added
Postings = tuple[array, array, list[bytes]]  # type: ignore[type-arg]
PooledTerm = tuple[tuple[str, bytes], array, array, list[bytes]]  # type: ignore[type-arg]
#: takes a merged posting (field, term, document, weight, value) elsewhere; True when it did
Route = Callable[[str, bytes, int, float, bytes | None], bool]


class TermPool:
    """The postings of a segment being written, grouped by term, spilled to sorted run files when they
    outgrow ``limitmb``. Documents are added in increasing document-number order (as Whoosh does,
    merged segments included), so a term's postings stay sorted by concatenation."""

    def __init__(self, tempstore: Any, limitmb: float, route: Route | None = None) -> None:
        self._tempstore = tempstore
        self._limit = limitmb * 1024 * 1024
        self._size = 0
        self._fields: dict[str, dict[bytes, Postings]] = {}
        self._runs: list[str] = []
        self._route = route

    def add_terms(self, fieldname: str, docnum: int, terms: Iterable[tuple[bytes, float, bytes]]) -> None:
        """Add one document's postings for one field: (term, weight, encoded value) each."""
        pooled = self._fields.setdefault(fieldname, {})
        added = 0
        for btext, weight, value in terms:
            postings = pooled.get(btext)
            if postings is None:
                postings = pooled[btext] = (array("I"), array("f"), [])
                added += 1
            postings[0].append(docnum)
            postings[1].append(weight)
            postings[2].append(value)
            self._size += _POSTING_BYTES
        self._size += added * _TERM_BYTES
        if self._size > self._limit:
            self._spill()

    def add(self, item: tuple[str, bytes, int, float, bytes | None]) -> None:
        """Whoosh's pool protocol, used when the writer merges existing segments into this one: postings of
        text fields go to the text pool (``route``), the rest here."""
        fieldname, btext, docnum, weight, value = item
        if self._route is not None and self._route(fieldname, btext, docnum, weight, value):
            return
        self.add_terms(fieldname, docnum, ((btext, weight, value or b""),))

    def _sorted(self) -> Iterator[PooledTerm]:
        for fieldname in sorted(self._fields):
            pooled = self._fields[fieldname]
            for btext in sorted(pooled):
                yield ((fieldname, btext), *pooled[btext])

    def _spill(self) -> None:
        name = f"terms-{len(self._runs)}.run"
        with self._tempstore.create_file(name).raw_file() as run:
            for key, docnums, weights, values in self._sorted():
                pickle.dump((key, docnums.tobytes(), weights.tobytes(), values), run, pickle.HIGHEST_PROTOCOL)
        self._runs.append(name)
        self._fields = {}
        self._size = 0

    def _read_run(self, name: str) -> Iterator[PooledTerm]:
        with self._tempstore.open_file(name).raw_file() as run:
            while True:
                try:
                    key, docbytes, weightbytes, values = pickle.load(run)
                except EOFError:
                    return
                docnums, weights = array("I"), array("f")
                docnums.frombytes(docbytes)
                weights.frombytes(weightbytes)
                yield key, docnums, weights, values

    def iter_terms(self) -> Iterator[PooledTerm]:
        """Every term in (field name, term bytes) order, with all its postings in document order."""
        in_memory = self._sorted()
        if not self._runs:
            yield from in_memory
            return
        # heapq.merge is stable: equal terms come in run order, which is document order
        sources = [self._read_run(name) for name in self._runs] + [in_memory]
        merged = heapq.merge(*sources, key=itemgetter(0))
        current: PooledTerm | None = None
        for item in merged:
            if current is not None and current[0] == item[0]:
                current[1].extend(item[1])
                current[2].extend(item[2])
                current[3].extend(item[3])
                continue
            if current is not None:
                yield current
            current = item
        if current is not None:
            yield current

    def cleanup(self) -> None:
        for name in self._runs:
            self._tempstore.delete_file(name)
        self._runs = []
        self._fields = {}


class _FieldWriter(FieldWriterBase):
    def __init__(self, codec: Any, storage: Any, segment: Any, arrays: ArrayTerms) -> None:
        super().__init__(codec, storage, segment)
        self._arrays = arrays
        self._array_postings = ArrayPostingsWriter(storage, segment, arrays.documents)
        self._array_positions = ArrayPositionsWriter(storage, segment)

    def add_terms(self, schema: Any, lengths: _FieldLengths, terms: Iterable[PooledTerm], text: TextPool) -> None:
        """Write pooled terms, in (field, term) order, with their postings, and the text fields' terms from
        the text pool, each field in its place in field-name order."""
        self._array_postings.minimum = self._arrays.minimum(lengths.documents)
        text_fields = text.fieldnames()
        fieldname: str | None = None
        column: list[int] = []
        for (name, btext), docnums, weights, values in terms:
            if name != fieldname:
                if fieldname is not None:
                    self.finish_field()
                while text_fields and text_fields[0] < name:
                    self._add_text_field(schema, lengths, text, text_fields.pop(0))
                fieldname = name
                self.start_field(name, schema[name])
                column = lengths.column(name)
            self.write_term(btext, docnums, weights, values, column)
            self._array_postings.add(name, btext, docnums, weights)
        if fieldname is not None:
            self.finish_field()
        for name in text_fields:
            self._add_text_field(schema, lengths, text, name)

    def _add_text_field(self, schema: Any, lengths: _FieldLengths, text: TextPool, name: str) -> None:
        self.start_field(name, schema[name])
        codes = lengths.codes(name)
        words = float(BYTE_LENGTHS[codes].mean()) if codes.size else 0.0
        self._array_postings.field_minimum[name] = self._arrays.minimum(lengths.documents, words)
        entries = write_field(
            self.postings_file, name, text, codes, self._array_postings, self._array_positions, self.inline_limit
        )
        entries.sort()
        self.add_term_entries(entries)
        self.finish_field()

    def close(self) -> None:
        super().close()
        self._array_postings.close()
        self._array_positions.close()


class _WritingCodec(WritingCodecBase):
    def __init__(self, arrays: ArrayTerms, inline_limit: int) -> None:
        super().__init__(inline_limit=inline_limit)
        self._arrays = arrays

    def field_writer(self, storage: Any, segment: Any) -> Any:
        return _FieldWriter(self, storage, segment, self._arrays)


class _FieldLengths:
    """Every document's field lengths in the segment being written, read once per field."""

    def __init__(self, reader: Any, doccount: int) -> None:
        self._reader = reader
        self._doccount = doccount
        self._columns: dict[str, list[int]] = {}

    @property
    def documents(self) -> int:
        return self._doccount

    def column(self, fieldname: str) -> list[int]:
        """The field's lengths as Whoosh reads them back (the byte decoded; 0 for none)."""
        found = self._columns.get(fieldname)
        if found is None:
            codes = self.codes(fieldname)
            found = self._columns[fieldname] = np.where(codes > 0, BYTE_LENGTHS[codes], 0).tolist()
        return found

    def codes(self, fieldname: str) -> np.ndarray[Any, np.dtype[np.int64]]:
        """The field's lengths as Whoosh stores them (one byte each, 0 for none), read in one pass."""
        return length_codes(self._reader, fieldname, self._doccount)


class FastSegmentWriter(SegmentWriterBase):
    """A drop-in ``SegmentWriter`` (same files; its thresholds in ``settings``), faster at adding and committing."""

    def __init__(
        self,
        ix: Any,
        *,
        settings: WriterSettings | None = None,
        values: ValueFields | None = None,
        vocabulary_fields: tuple[str, ...] = (),
        compound: bool = False,
        **kwargs: Any,
    ) -> None:
        """``values``: the per-document values written beside every segment of the index that lacks them
        (:mod:`archive.index.codec.segment_values`); none when not given. ``vocabulary_fields``: the fields
        whose forms :meth:`added_form_documents` counts."""
        settings = settings or WriterSettings()
        self._value_fields = values
        self.vocabulary_fields = vocabulary_fields
        self._added_form_documents: dict[str, int] | None = None
        limitmb = settings.memory_mb
        # Not compound: Whoosh reads a file inside a compound segment by copying it into memory
        # (BytesIO over the mmap), so every reader of a 100k-article index held a copy of all its
        # postings (~1 GB) and every search process paid for making it. Separate files are read in place.
        codec = _WritingCodec(settings.arrays, settings.inline_postings)
        super().__init__(ix, codec=codec, limitmb=limitmb, compound=compound, **kwargs)
        # the other fields' pool holds a few terms a document, nearly all of them unique (ids, hashes, dates):
        # a quarter of the budget, spilled to runs beyond that, leaves the rest to the text
        temporary = self.temp_storage()
        self.pool = TermPool(temporary, limitmb / 4, route=self._merged_text_posting)
        self.text = TextPool(limitmb, settings.merge_batch, tempdir=getattr(temporary, "folder", None))
        self._text_fields = {n for n, f in self.schema.items() if isinstance(f, HindiText)}
        self._unsupported = {n for n, f in self.schema.items() if f.vector or f.separate_spelling()}

    def add_document(self, **fields: Any) -> None:
        if self._unsupported.intersection(fields):
            raise ValueError("FastSegmentWriter does not write term vectors or spelling fields")
        super().add_document(**fields)

    def index_value(self, name: str, field: Any, value: Any, docnum: int, boost: float) -> int:
        if isinstance(field, HindiText) and isinstance(value, str):
            return self.text.add(name, docnum, value, boost * field.format.field_boost)
        terms = []
        length = 0
        for btext, freq, weight, vbytes in field.index(value):
            terms.append((btext, weight * boost, vbytes or b""))
            length += freq
        self.pool.add_terms(name, docnum, terms)
        return length

    def write_postings(self, lengths: Any) -> None:
        self._added_form_documents = self.text.added_form_documents(self.vocabulary_fields)
        try:
            columns = _FieldLengths(lengths, self.docnum)
            self.fieldwriter.add_terms(self.schema, columns, self.pool.iter_terms(), self.text)
        finally:
            self.text.cleanup()

    def discard_postings(self) -> None:
        self.text.cleanup()

    def added_form_documents(self) -> dict[str, int] | None:
        """Once committed: per word form of the documents this writer added, how many of them hold it
        (:meth:`TextPool.added_form_documents`); None when not known."""
        return self._added_form_documents

    def indexed_forms(self) -> set[str]:
        """The word forms of the documents this writer added (what the vocabulary needs to know of them)."""
        return self.text.added_forms()

    def before_commit(self, segments: list[Any]) -> None:
        # this writer's segment, a merged one, or one written before values went with segments
        fields = self._value_fields
        if fields is None:
            return
        for segment in segments:
            location = segment_location_of(segment, self.storage)
            if location is not None and not has_values(location, segment.doc_count_all(), fields):
                reader = self.segment_reader(segment)
                try:
                    write_segment_values(reader, fields)
                finally:
                    reader.close()

    def _merged_text_posting(
        self, fieldname: str, btext: bytes, docnum: int, weight: float, value: bytes | None
    ) -> bool:
        if fieldname not in self._text_fields or not value:
            return False
        self.text.add_posting(fieldname, btext, docnum, weight, self.schema[fieldname].format.decode_positions(value))
        return True
