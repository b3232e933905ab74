"""Per-document values of a searcher, as arrays indexed by global document number: field lengths (for
BM25's length norms), deletions, and the columns for date ranges, sorting, facets and collapsing.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from typing import Any

import numpy as np

from archive.index.codec.array_positions import ArrayPositionsReader
from archive.index.codec.array_postings import ArrayPostingsReader, Scratch
from archive.index.codec.segment_values import SegmentValues, number_offset
from archive.index.query.arrays import Floats, Ints, Mask, Matches
from archive.index.query.bm25 import TermStats
from archive.index.query.cache import QUERIES_BUDGET, Found, LeafCache
from archive.index.query.collect import story_copies
from archive.index.schema import VALUE_FIELDS


class DocValues:
    """Per-document values of one searcher, read on first use: field lengths, deletions and the columns
    for facets, sorting and collapsing, as arrays indexed by global document number. Each segment's come
    from the file written beside it with the segment (:mod:`archive.index.codec.segment_values`);
    deletions are read from Whoosh once, as a searcher's never change.
    """

    def __init__(self, searcher: Any) -> None:
        self.searcher = searcher
        self.leaves: list[tuple[Any, int]] = list(searcher.leaf_searchers())
        self.count: int = searcher.doc_count_all()
        self._array_postings: list[ArrayPostingsReader] | None = None
        self._array_positions: list[ArrayPositionsReader] | None = None
        self._segments: list[SegmentValues] | None = None
        self._live: Mask | None = None
        self._norms: dict[tuple[str, float, float, float], Floats] = {}
        self._numbers: dict[str, Ints] = {}
        self._codes: dict[str, tuple[Ints, list[Any]]] = {}
        self._merged_codes: dict[tuple[str, bytes], Ints] = {}
        self._code_counts: dict[str, Ints] = {}
        self._clusters: Ints | None = None
        self._masks: dict[str, Mask] = {}
        self._orders: dict[str, tuple[Ints, Ints]] = {}
        self._scratch: Scratch | None = None
        self._posting_numbers: list[Ints] = []
        self._term_stats: TermStats | None = None
        #: What searches on this searcher found of their terms and phrases (:mod:`archive.index.query.cache`).
        self.cache: LeafCache[Found] = LeafCache()
        #: What searches on this searcher found of whole queries: a budget of their own, so that a few
        #: queries' matches (an array pair over all documents each) never push out the leaves most
        #: queries share.
        self.queries: LeafCache[Matches] = LeafCache(QUERIES_BUDGET)
        #: Whether the words of a closeness ranking stand within each slop, by document (a few dozen
        #: documents a query: see :func:`archive.index.query.phrase.spans_within`).
        self.spans: dict[tuple[str, tuple[str, ...], tuple[int, ...]], dict[int, tuple[bool, ...]]] = {}

    @functools.cached_property
    def largest_segment(self) -> int:
        """The number of documents of the largest segment (deleted ones included)."""
        return max((sub.reader().doc_count_all() for sub, _ in self.leaves), default=0)

    def forget_kept(self) -> None:
        """Drop what searches kept on this searcher (for measuring what a query's first search costs)."""
        self.cache = LeafCache()
        self.queries = LeafCache(QUERIES_BUDGET)
        self.spans.clear()
        self._term_stats = None

    def term_stats(self) -> TermStats:
        """The searcher's look-ups of whether it holds a term and of a term's BM25 weight: kept from search to
        search, as the searcher's segments and statistics never change."""
        if self._term_stats is None:
            self._term_stats = TermStats(self.searcher)
        return self._term_stats

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
    def segments(self) -> list[SegmentValues]:
        if self._segments is None:
            self._segments = [SegmentValues(sub.reader()) for sub, _ in self.leaves]
        return self._segments

    @functools.cached_property
    def deletions(self) -> bool:
        """Whether any segment has deleted documents (which every term's matches must then leave out): asked
        of every segment for every term, it cost a millisecond a search; a searcher's deletions never change,
        as :meth:`live` counts on."""
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
            found = self._numbers[field] = self._joined([s.numbers(field) for s in self.segments])
        return found

    def dated(self) -> Mask:
        """True for every document with a date (an undated one holds the column's missing value, the
        largest key)."""
        found = self._masks.get("dated")
        if found is None:
            dates = self.numbers("date")
            found = self._masks["dated"] = dates != np.iinfo(dates.dtype).max if dates.size else np.zeros(0, bool)
        return found

    def date_order(self, newest: bool) -> tuple[Ints, Ints]:
        """Order keys for a date sort, ascending (for :func:`~archive.index.query.collect.ranked` with sign 1):
        the date, then the storing order, both reversed for ``newest``; undated documents last either way."""
        key = "newest" if newest else "oldest"
        found = self._orders.get(key)
        if found is None:
            dates, numbers = self.numbers("date"), self.numbers("number")
            if newest:
                dates = np.where(self.dated(), -dates, np.iinfo(dates.dtype).max)
                numbers = -numbers
            found = self._orders[key] = (dates, numbers)
        return found

    def offset(self, field: str) -> int:
        """What :meth:`numbers` subtracts from stored values (see :func:`number_offset`)."""
        return number_offset(self.searcher.schema, field)

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

    def code_counts(self, field: str) -> Ints:
        """How many documents (deleted ones too) hold each code of :meth:`codes`."""
        found = self._code_counts.get(field)
        if found is None:
            codes, labels = self.codes(field)
            found = self._code_counts[field] = np.bincount(codes, minlength=len(labels))
        return found

    def merged_codes(self, field: str, merged: Ints) -> Ints:
        """:meth:`codes` of ``field`` with each code ``c`` made ``merged[c]`` (one outlet's names as one):
        kept for the next searches, as mapping every document's code cost 4 ms a search at a million."""
        key = (field, merged.tobytes())
        found = self._merged_codes.get(key)
        if found is None:
            if len(self._merged_codes) >= 4:  # (the synonym groups changed: the older mappings are done with)
                self._merged_codes.clear()
            found = self._merged_codes[key] = merged[self.codes(field)[0]]
        return found

    def clusters(self) -> Ints:
        """Each document's story (the ``cluster`` field as a number); -1 for none, which never collapses."""
        if self._clusters is None:
            self._clusters = self._joined([s.clusters(VALUE_FIELDS.stories) for s in self.segments])
        return self._clusters

    def story_copies(self) -> Mask:
        """True for each document whose story has another document (see :func:`story_copies`)."""
        found = self._masks.get("copies")
        if found is None:
            found = self._masks["copies"] = story_copies(self.clusters())
        return found

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
