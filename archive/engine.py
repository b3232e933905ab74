"""Evaluating queries over the index a term at a time, with numpy arrays over all documents.

Whoosh's matchers walk the postings one document at a time through a tree of Python objects (a union
per word, its variants, its fields), and an exact total and facets need every match: 250-550 ms a query
at 100,000 articles. Here the common parts of a query (words and their variants, AND, OR, NOT, date
ranges) are evaluated a term at a time instead: each term's postings are read whole (from the segment's
plain arrays when it has them, :mod:`archive.hot_postings`, else a block at a time) and scored at once
with Whoosh's own BM25F formula and statistics, operation for operation, so the scores, and with them
the order, are the ones Whoosh gives (tests/test_search_engine.py compares them). A result is a
:class:`Matches`: a boolean mask and a score for every document number of the searcher. Phrases are
checked here too, reading positions only for the documents that hold every word, and found and scored
as Whoosh's ``SpanNear2`` would; prefixes and fuzzy words are left to Whoosh's matchers.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import os
import pickle
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from itertools import accumulate, repeat
from typing import Any, NamedTuple

import numpy as np
from whoosh import query as wq

from archive.hot_positions import PositionsReader, positions_of
from archive.hot_postings import HotReader, Scratch

Mask = np.ndarray[Any, np.dtype[np.bool_]]
Floats = np.ndarray[Any, np.dtype[np.float64]]
Ints = np.ndarray[Any, np.dtype[np.int64]]


class Matches(NamedTuple):
    """Which documents match (by global document number) and their scores (0.0 where they do not, so
    that a union adds scores without masking them)."""

    mask: Mask
    scores: Floats


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
        self._hot: list[HotReader] | None = None
        self._hot_positions: list[PositionsReader] | None = None
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

    def hot(self, leaf: int) -> HotReader:
        if self._hot is None:
            self._hot = [HotReader.of(sub.reader()) for sub, _ in self.leaves]
        return self._hot[leaf]

    def hot_positions(self, leaf: int) -> PositionsReader:
        if self._hot_positions is None:
            self._hot_positions = [PositionsReader.of(sub.reader()) for sub, _ in self.leaves]
        return self._hot_positions[leaf]

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
        for hot in self._hot or ():
            hot.close()
        self._hot = None
        for held in self._hot_positions or ():
            held.close()
        self._hot_positions = None


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
        segment, folder = getattr(reader, "_segment", None), getattr(getattr(reader, "_storage", None), "folder", None)
        if segment is not None and folder is not None:
            self._path = os.path.join(folder, f"{segment.segment_id()}.{self.EXTENSION}")
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
            return _numeric_column(column, self._count, default, offset)

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


_LENGTH_OF_BYTE: Ints | None = None


def _field_lengths(reader: Any, field: str) -> Ints:
    """The length of ``field`` in every document of one segment, as Whoosh's scorer sees it."""
    global _LENGTH_OF_BYTE
    count = reader.doc_count_all()
    try:
        # Whoosh 2.7 keeps the lengths as a byte column per field; reading it whole is ~100x faster than
        # asking document by document
        from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
        from whoosh.util.numeric import byte_to_length

        perdoc = reader._perdoc
        name = _lenfield(field)
        if not perdoc.has_column(name):
            return np.ones(count, dtype=np.int64)
        if _LENGTH_OF_BYTE is None:
            _LENGTH_OF_BYTE = np.array([byte_to_length(b) if b else 1 for b in range(256)], dtype=np.int64)
        return _LENGTH_OF_BYTE[_numeric_column(perdoc.column_reader(name, LENGTHS_COLUMN), count, 0)]
    except (AttributeError, ImportError):  # another layout: the public, slower way
        return np.array([reader.doc_field_length(d, field, 1) or 1 for d in range(count)], dtype=np.int64)


def _numeric_column(column: Any, count: int, default: int, offset: int = 0) -> Ints:
    """A numeric column of one segment, read whole (Whoosh would unpack it value by value), minus ``offset``."""
    from whoosh.columns import NumericColumn

    values = np.full(count, default - offset, dtype=np.int64)
    if isinstance(column, NumericColumn.Reader):
        # big-endian fixed-size values, written up to the last document with a non-default value
        data = column._dbfile.get(column._basepos, column._count * column._fixedlen)
        stored = np.frombuffer(data, dtype=">" + column._typecode)[:count]
        if offset:
            stored = (stored.astype(np.uint64) - np.uint64(offset)).view(np.int64)
        values[: stored.size] = stored
    elif column is not None:
        values[:] = [value - offset for value in column]
    return values


def _leaf_postings(reader: Any, field: str, text: bytes) -> Any:
    """A segment's matcher for one term without Whoosh's per-document deletion filter (callers mask
    deleted documents themselves, all at once)."""
    matcher = reader.postings(field, text)
    return getattr(matcher, "child", matcher)


def _block_postings(
    matcher: Any, positions: dict[int, list[int]] | None = None, decode: Any = None
) -> tuple[Ints, Floats]:
    """A term's postings from Whoosh's blocks: document numbers and weights; and into ``positions``, when
    given, each document's positions (``decode`` reads a posting's value)."""
    from whoosh.codec.whoosh3 import W3LeafMatcher

    ids: list[int] = []
    weights: list[float] = []
    if type(matcher) is W3LeafMatcher and not matcher._byteids:
        while matcher.is_active():
            if matcher._data is None:
                matcher._read_data()
            deltas, block_weights = matcher._data[0], matcher._data[1]
            block_ids = list(accumulate(deltas))  # each block's first number is absolute
            ids.extend(block_ids)
            if positions is not None:
                positions.update(zip(block_ids, map(decode, matcher._data[2]), strict=True))
            if block_weights is None:
                weights.extend(repeat(1.0, len(deltas)))
            elif isinstance(block_weights, float):
                weights.extend(repeat(block_weights, len(deltas)))
            else:
                weights.extend(block_weights)
            matcher._next_block()
    else:
        while matcher.is_active():  # postings kept inline in the term table, or another matcher
            ids.append(matcher.id())
            weights.append(matcher.weight())
            if positions is not None:
                positions[matcher.id()] = decode(matcher.value())
            matcher.next()
    return np.asarray(ids, dtype=np.int64), np.asarray(weights, dtype=np.float32).astype(np.float64)


class Evaluator:
    def __init__(self, searcher: Any, values: DocValues) -> None:
        self.searcher = searcher
        self.values = values

    def _none(self) -> Matches:
        return Matches(np.zeros(self.values.count, dtype=bool), np.zeros(self.values.count))

    def scores(self, node: Any) -> Matches:
        """Every matching (undeleted) document with its score."""
        kind = type(node)
        if kind is wq.Term:
            return self._term(node, scored=True)
        subs = getattr(node, "subqueries", ())
        if kind is wq.Or and node.boost == 1.0 and not any(isinstance(q, wq.Not) for q in subs):
            # A word's terms are added straight into the union (each as its postings), not each made a
            # pair of arrays over all documents and then added: per document, the same additions in the
            # same order (adding nothing where Whoosh adds 0.0 to a score that is never -0.0)
            total = self._none()
            for number, sub in enumerate(subs):
                # (the first sub's scores are set, not added to the zeros: 0.0 + x is x, at half the cost)
                if type(sub) is wq.Term and self._put_term(sub, total, scored=True, add=number > 0):
                    continue
                if type(sub) is wq.Phrase and sub.slop >= 1 and self._put_phrase(sub, total):
                    continue
                found = self.scores(sub)
                total.mask[:] |= found.mask
                total.scores[:] += found.scores
            return total
        if kind is wq.And and node.boost == 1.0:
            positive = [self.scores(q) for q in subs if not isinstance(q, wq.Not)]
            negative = [q.query for q in subs if isinstance(q, wq.Not)]
            if positive:
                mask = positive[0].mask.copy()
                for part in positive[1:]:
                    mask &= part.mask
                for excluded in negative:
                    mask &= ~self.docs(excluded)
                # summed in the matched documents only, in the same order (a masked ufunc, `where=mask`, took
                # 0.4 ms an addition over 100,000 documents)
                matched = np.flatnonzero(mask)
                sums = np.zeros(matched.size)
                for part in positive:
                    sums += part.scores[matched]
                # Whoosh scores each `NOT x` clause of an AND as 1.0 (its inverse matcher's weight), in the
                # documents the AND matches only: a union adds every document's score
                if negative:
                    sums += float(len(negative))
                summed = np.zeros(self.values.count)
                summed[matched] = sums
                return Matches(mask, summed)
        if kind is wq.AndNot and node.boost == 1.0:
            found = self.scores(node.a)
            mask = found.mask & ~self.docs(node.b)
            return Matches(mask, np.where(mask, found.scores, 0.0))
        if kind is wq.Phrase and node.slop >= 1:
            found = self._none()
            if self._put_phrase(node, found):
                return found
        return self._whoosh(node, scored=True)

    def docs(self, node: Any) -> Mask:
        """Every matching (undeleted) document, without scores (for filters)."""
        kind = type(node)
        if kind is wq.Term:
            return self._term(node, scored=False).mask
        subs = getattr(node, "subqueries", ())
        if kind is wq.Or and not any(isinstance(q, wq.Not) for q in subs):
            union = np.zeros(self.values.count, dtype=bool)
            for sub in subs:
                union |= self.docs(sub)
            return union
        if kind is wq.And:
            positive = [self.docs(q) for q in subs if not isinstance(q, wq.Not)]
            if positive:
                mask = positive[0].copy()
                for other in positive[1:]:
                    mask &= other
                for sub in subs:
                    if isinstance(sub, wq.Not):
                        mask &= ~self.docs(sub.query)
                return mask
        if kind is wq.AndNot:
            return self.docs(node.a) & ~self.docs(node.b)
        if kind is wq.DateRange and not (node.startexcl or node.endexcl):
            return self._date_range(node)
        return self._whoosh(node, scored=False).mask

    def _date_range(self, node: Any) -> Mask:
        """A date filter read off the date column (Whoosh's range matcher unions many trie terms)."""
        field = self.searcher.schema[node.fieldname]
        missing = field.column_type.default_value(False)
        low = field.to_column_value(node.startdate) if node.startdate is not None else 0
        high = field.to_column_value(node.enddate) if node.enddate is not None else missing - 1
        dates = self.values.numbers(node.fieldname)
        offset = self.values.offset(node.fieldname)
        low, high = low - offset, high - offset
        within: Mask = (dates >= low) & (dates <= high) & self.values.live()
        return within

    def _term(self, node: Any, *, scored: bool) -> Matches:
        found = self._none()
        if not self._put_term(node, found, scored=scored, add=False):
            return self._whoosh(node, scored=True)
        return found

    def _put_term(self, node: Any, found: Matches, *, scored: bool, add: bool) -> bool:
        """Mark a term's undeleted documents in ``found`` and, if ``scored``, set their scores there (or
        add them to the scores there, with ``add``). False, with nothing done, when the weighting is not
        BM25F (Whoosh scores the term)."""
        searcher = self.searcher
        field = node.fieldname
        if field not in searcher.schema:
            return True
        try:
            text = searcher.schema[field].to_bytes(node.text)
        except ValueError:
            return True
        scratch = self.values.scratch()
        live = self.values.live() if self.values.deletions else None
        scorer: _BM25 | None = None
        for leaf, (sub, offset) in enumerate(self.values.leaves):
            postings = self._term_postings(leaf, sub.reader(), field, text, scratch)
            if postings is None:
                continue
            if scored and scorer is None:
                scorer = _bm25_of(searcher, field, text)
                if scorer is None:
                    return False
                norms = self.values.norms(field, scorer.K1, scorer.B, scorer.avgfl)
            ids, weights = postings
            ids += offset
            if live is not None:
                kept = live[ids]
                ids, weights = ids[kept], weights[kept]
            found.mask[ids] = True
            if scorer is None:  # (not scored)
                continue
            # the scratch again, for the documents' length norms (clip: the numbers are all in range, and
            # take() would otherwise make a buffer of its own)
            lengths = np.take(norms, ids, out=scratch.values[: ids.size], mode="clip")
            score = _bm25(weights, lengths, scorer.idf, scorer.K1)
            if node.boost != 1.0:
                score *= node.boost
            if add:
                np.add.at(found.scores, ids, score)  # a term's documents are distinct: one addition each
            else:
                found.scores[ids] = score
        return True

    def _term_postings(
        self,
        leaf: int,
        reader: Any,
        field: str,
        text: bytes,
        out: Scratch | None = None,
        positions: dict[bytes, dict[int, list[int]]] | None = None,
        decode: Any = None,
    ) -> tuple[Ints, Floats] | None:
        """A term's postings in one segment (decoded into ``out`` when it is in the plain arrays), or None
        when the segment lacks it. A term in the segment's plain arrays is in the segment: no look-up in
        its term table. Given ``positions`` (and ``decode``), the positions of a term read from its blocks
        are kept there by document, from the same reading."""
        postings = self.values.hot(leaf).postings(field, text, out)
        if postings is None:
            if (field, text) not in reader:
                return None
            by_document = None
            if positions is not None:
                by_document = positions[text] = {}
            postings = _block_postings(_leaf_postings(reader, field, text), by_document, decode)
        return postings

    def _phrase_segment(self, leaf: int, field: str, texts: Iterable[bytes], decode: Any) -> _PhraseSegment | None:
        """What a phrase needs of one segment; None when the segment lacks one of its terms."""
        sub, offset = self.values.leaves[leaf]
        reader = sub.reader()
        segment = _PhraseSegment(leaf, reader, offset, {}, {})
        for text in texts:
            postings = self._term_postings(leaf, reader, field, text, positions=segment.block_positions, decode=decode)
            if postings is None:
                return None
            segment.postings[text] = postings
        return segment

    def _put_phrase(self, node: Any, found: Matches) -> bool:
        """Mark a phrase's documents in ``found`` and add their scores to the scores there, as Whoosh's
        ``SpanNear2`` finds and scores it: documents holding every word, in order, each within ``slop``
        positions of the span before it, scored as the sum of the words' BM25 scores (summed in Whoosh's
        binary tree) times the phrase's boost. Positions come from the segments' plain arrays for common
        words, and from the same reading of a rarer word's blocks as its postings. False, with nothing done,
        when Whoosh must find it (or say what is wrong with it).

        A union's phrases (a word's exact and variant spellings, in each field) go straight into the union,
        not each into a pair of arrays over all documents that are then added to it."""
        searcher = self.searcher
        fieldname = node.fieldname
        try:
            field = searcher.schema[fieldname]
        except KeyError:
            field = None
        if field is None or not field.format or not field.format.supports("positions") or not node.words:
            return False  # Whoosh says what is wrong with it
        try:
            texts = [field.to_bytes(word) for word in node.words]
        except ValueError:
            return True
        if any((fieldname, text) not in searcher.reader() for text in texts):
            return True
        found_scorers = {text: _bm25_of(searcher, fieldname, text) for text in set(texts)}
        scorers = {text: scorer for text, scorer in found_scorers.items() if scorer is not None}
        if len(scorers) < len(found_scorers):
            return False
        decode = _decoder(field)
        for leaf in range(len(self.values.leaves)):
            segment = self._phrase_segment(leaf, fieldname, set(texts), decode)
            if segment is None:
                continue
            # (a binary search for each of tens of thousands of candidates cost twice as much)
            with self.values.posting_numbers({text: ids for text, (ids, _) in segment.postings.items()}) as index_of:
                segment.index_of = index_of
                self._phrase_in(node, segment, texts, scorers, found, decode)
        return True

    def _phrase_in(
        self,
        node: Any,
        segment: _PhraseSegment,
        texts: list[bytes],
        scorers: dict[bytes, _BM25],
        found: Matches,
        decode: Any,
    ) -> None:
        """:meth:`_put_phrase` in one segment."""
        fieldname, postings, index_of, offset = node.fieldname, segment.postings, segment.index_of, segment.offset
        candidates = postings[texts[0]][0]
        for text in texts[1:]:
            candidates = candidates[index_of[text][candidates] >= 0]
        if self.values.deletions:
            candidates = candidates[self.values.live()[candidates + offset]]
        if not candidates.size:
            return
        if node.slop == 1:
            matched = self._exact_phrase(segment, fieldname, texts, candidates, decode)
        else:
            wanted = candidates.tolist()
            positions = {
                text: segment.block_positions.get(text)
                or _positions_in(segment.reader, fieldname, text, wanted, decode)
                for text in set(texts)
            }
            matched = np.array(
                [d for d in wanted if _spans_near([positions[t][d] for t in texts], node.slop)], dtype=np.int64
            )
        if not matched.size:
            return
        term_scores = []
        for text in texts:
            scorer = scorers[text]
            norms = self.values.norms(fieldname, scorer.K1, scorer.B, scorer.avgfl)
            tf = postings[text][1][index_of[text][matched]]
            term_scores.append(_bm25(tf, norms[matched + offset], scorer.idf, scorer.K1))
        score = _tree_sum(term_scores)
        matched += offset
        found.mask[matched] = True
        found.scores[matched] += score * node.boost if node.boost != 1.0 else score  # (the documents are distinct)

    def _exact_phrase(
        self, segment: _PhraseSegment, fieldname: str, texts: list[bytes], candidates: Ints, decode: Any
    ) -> Ints:
        """The ``candidates`` (documents of one segment, sorted) in which the words follow one another, as
        :func:`_spans_near` finds with a slop of 1, for all of them at once. Each word's positions become
        keys (document, position); the keys of the next word one place on from a key so far are the chain's
        new ends. Common words' positions come from the segment's plain arrays: in all their documents when
        most of them are candidates (a chain through another document breaks at a word it lacks, and
        deleted ones are left out at the end), rather than picking out the candidates' positions first."""
        held = self.values.hot_positions(segment.leaf)
        ends: Ints | None = None
        for text in texts:
            found = held.positions(fieldname, text)
            ids = segment.postings[text][0]
            if found is not None and len(found[0]) == len(ids):
                counts, places = found
                if 2 * candidates.size >= ids.size:
                    keys = (np.repeat(ids, counts) << 32) | places
                else:
                    owner, chosen_places = positions_of(counts, places, segment.index_of[text][candidates])
                    keys = (candidates[owner] << 32) | chosen_places
            else:  # a rarer word: from its blocks (these are few documents' worth)
                known = segment.block_positions.get(text)
                if known is None:
                    known = _positions_in(segment.reader, fieldname, text, candidates.tolist(), decode)
                keys = np.array([(d << 32) | p for d in candidates.tolist() for p in known.get(d, ())], dtype=np.int64)
            ends = keys if ends is None else _common(keys, ends + 1)
            if not ends.size:
                break
        if ends is None:
            return np.zeros(0, dtype=np.int64)
        documents = ends >> 32  # sorted, as the keys are
        documents = documents[np.flatnonzero(np.diff(documents, prepend=-1))]
        # each holds every word (a chain breaks at a word its document lacks): a candidate unless deleted
        return documents[self.values.live()[documents + segment.offset]] if self.values.deletions else documents

    def _whoosh(self, node: Any, *, scored: bool) -> Matches:
        """What Whoosh's own matcher for ``node`` finds, leaf by leaf (it skips deleted documents)."""
        found = self._none()
        context = self.searcher.context() if scored else self.searcher.boolean_context()
        for sub, offset in self.values.leaves:
            matcher = node.matcher(sub, context)
            while matcher.is_active():
                found.mask[offset + matcher.id()] = True
                if scored:
                    found.scores[offset + matcher.id()] = matcher.score()
                matcher.next()
        return found


@dataclasses.dataclass
class _PhraseSegment:
    """What a phrase search holds of one segment: its terms' postings, the positions of those read from
    their blocks, and (while the phrase is checked) their posting numbers by document."""

    leaf: int
    reader: Any
    offset: int
    postings: dict[bytes, tuple[Ints, Floats]]
    block_positions: dict[bytes, dict[int, list[int]]]
    index_of: dict[bytes, Ints] = dataclasses.field(default_factory=dict)


class _BM25(NamedTuple):
    """What Whoosh's ``BM25FScorer`` of a term holds, for scoring many postings at once (``_bm25``)."""

    idf: float
    K1: float
    B: float
    avgfl: float


def _bm25_of(searcher: Any, field: str, text: bytes) -> _BM25 | None:
    """The BM25 parameters Whoosh would score the term with; None when it would not use ``BM25FScorer``.

    Asking Whoosh for its scorer would also read the term's entry in every segment, for a bound on its
    scores that only Whoosh's own matchers use: with five segments, 3 ms of a two-word search.
    """
    from whoosh.scoring import BM25F

    weighting = searcher.weighting
    if type(weighting) is not BM25F or not searcher.schema[field].scorable:
        return None
    top = searcher.get_parent()  # (the statistics are the whole index's, as BM25FScorer takes them)
    B = weighting._field_B.get(field, weighting.B)
    return _BM25(top.idf(field, text), weighting.K1, B, top.avg_field_length(field) or 1)


def _common(first: Ints, second: Ints) -> Ints:
    """The values in both of two sorted arrays of distinct values. Sorting them together stably is one
    merge of two runs (Timsort finds them), where a binary search of each value in the other array cost
    2.5 times as much at 45,000 keys, and ``np.intersect1d`` sorts from scratch.

    >>> _common(np.array([1, 4, 7, 9]), np.array([2, 4, 9, 12])).tolist()
    [4, 9]
    """
    both = np.concatenate((first, second))
    both.sort(kind="stable")
    following = both[1:]
    common: Ints = following[following == both[:-1]]
    return common


def _bm25(tf: Floats, norm: Floats, idf: float, k1: float) -> Floats:
    """``whoosh.scoring.bm25`` for many postings at once: ``idf * ((tf * (K1 + 1)) / (tf + norm))``, where
    ``norm`` is :meth:`DocValues.norms` at their documents. Computed in place in both arrays, with the
    same float operations as Whoosh's (addition and multiplication are exactly commutative), so the
    scores are Whoosh's to the last bit.

    >>> from whoosh.scoring import bm25
    >>> norm = 1.2 * ((1 - 0.75) + 0.75 * 10 / 8)  # K1, B, a field of 10 words, 8 on average
    >>> _bm25(np.array([3.0]), np.array([norm]), 1.7, 1.2).tolist() == [bm25(1.7, 3.0, 10, 8, 0.75, 1.2)]
    True
    """
    norm += tf
    tf *= k1 + 1
    tf /= norm
    tf *= idf
    return tf


def _positions_in(reader: Any, field: str, text: bytes, wanted: list[int], decode: Any) -> dict[int, list[int]]:
    """A term's positions in the ``wanted`` documents (sorted) of one segment. Blocks holding none of
    them are skipped unread (a block's last document number is in its header)."""
    from whoosh.codec.whoosh3 import W3LeafMatcher

    matcher = _leaf_postings(reader, field, text)
    found: dict[int, list[int]] = {}
    wanted_set = set(wanted)
    if type(matcher) is W3LeafMatcher and not matcher._byteids and matcher._fixedsize is None:
        covered = 0  # how many of `wanted` are at or before the previous block's last document
        while matcher.is_active():
            reaches = bisect_right(wanted, matcher._maxid)
            if reaches > covered:
                if matcher._data is None:
                    matcher._read_data()
                ids, values = accumulate(matcher._data[0]), matcher._data[2]
                found.update((d, decode(v)) for d, v in zip(ids, values, strict=True) if d in wanted_set)
            covered = reaches
            matcher._next_block()
        return found
    while matcher.is_active():  # postings kept inline in the term table, or another matcher
        if matcher.id() in wanted_set:
            found[matcher.id()] = decode(matcher.value())
        matcher.next()
    return found


def _decoder(field: Any) -> Any:
    """Decoding of ``Positions`` values, remembered per value: most postings hold one position, and the
    same few hundred values recur throughout."""
    decode = field.format.decode_positions
    known: dict[bytes, list[int]] = {}

    def positions(value: bytes) -> list[int]:
        found = known.get(value)
        if found is None:
            found = known[value] = decode(value)
        return found

    return positions


def _spans_near(positions: list[list[int]], slop: int) -> bool:
    """Whether the words (their positions, in phrase order) make a chain as Whoosh's ordered
    ``SpanNear2`` requires for a phrase: each word at or after the start of the span so far, 1 to ``slop``
    positions from it (a span grows to cover each word it takes in).

    >>> _spans_near([[3, 9], [4]], slop=1), _spans_near([[3], [5]], slop=1), _spans_near([[3], [5]], slop=2)
    (True, False, True)
    >>> _spans_near([[2], [2]], slop=1), _spans_near([[1], [2], [3]], slop=1), _spans_near([[1], [3], [2]], slop=1)
    (False, True, False)
    >>> _spans_near([[1], [3], [5]], slop=2), _spans_near([[1], [3], [2]], slop=2)
    (True, False)
    >>> _spans_near([[5], [1, 6], [7]], slop=1)
    True
    """
    if slop == 1:  # an exact phrase: each word right after the one before
        ends = set(positions[0])
        for following in positions[1:]:
            ends = {p for p in following if p - 1 in ends}
            if not ends:
                return False
        return bool(ends)
    spans = {(p, p) for p in positions[0]}
    for following in positions[1:]:
        grown: set[tuple[int, int]] = set()
        for start, end in spans:
            for p in following:
                if p < start:
                    continue  # ordered: nothing before the span's start
                # whoosh.spans.Span.distance_to, for a one-position span
                distance = 0 if start <= p <= end else (p - end if end < p else start - p)
                if 1 <= distance <= slop:
                    grown.add((min(start, p), max(end, p)))
        if not grown:
            return False
        spans = grown
    return bool(spans)


def _tree_sum(parts: list[Floats]) -> Floats:
    """Sum as Whoosh's ``make_binary_tree`` of intersection matchers adds its children's scores (the
    order of float additions decides the last bits).

    >>> _tree_sum([np.array([1.0]), np.array([2.0]), np.array([4.0])]).tolist()
    [7.0]
    """
    if len(parts) == 1:
        return parts[0]
    if len(parts) == 2:
        return parts[0] + parts[1]
    half = len(parts) // 2
    return _tree_sum(parts[:half]) + _tree_sum(parts[half:])


def ranked(
    primary: np.ndarray[Any, Any], mask: Mask, *, sign: int = 1, secondary: np.ndarray[Any, Any] | None = None
) -> Iterator[int]:
    """Matching document numbers in ascending order of ``sign * primary``, then of ``sign * secondary``
    (without ``secondary``: of the document numbers, ascending), lazily: each step sorts only the next
    few (twice as many as the step before), never all the matches, and ties at the cut are kept whole, so
    the order is exactly that of a full sort. The signs are applied to the matches' values only (arrays
    over all documents, fresh each search, cost page faults)."""
    candidates = np.flatnonzero(mask)
    wanted = 16
    while candidates.size:
        keys = primary[candidates]
        if sign != 1:
            keys *= sign
        if candidates.size > wanted:
            cut = _smallest(keys, wanted)
            taken, candidates, keys = candidates[keys <= cut], candidates[keys > cut], keys[keys <= cut]
        else:
            taken, candidates = candidates, candidates[:0]
        ties = taken if secondary is None else sign * secondary[taken]
        for position in np.lexsort((ties, keys)):
            yield int(taken[position])
        wanted *= 2


#: Keys per chunk in :func:`_smallest`'s first pass.
_CHUNK = 64


def _smallest(keys: np.ndarray[Any, Any], k: int) -> Any:
    """The ``k``-th smallest of ``keys``: ``np.partition(keys, k - 1)[k - 1]``, but partitioning only the
    keys that can be it. Partitioning all 88,000 matches of a common word took 0.9 ms; the least key of
    each chunk of 64 is a quick pass, and at least ``k`` keys are at or below the ``k``-th least chunk
    minimum, so the answer is among those.

    >>> keys = np.array([5, 3, 9, 3, 7, 1] * 100)
    >>> [int(_smallest(keys, k)) == int(np.partition(keys, k - 1)[k - 1]) for k in (1, 16, 150, 600)]
    [True, True, True, True]
    """
    whole = keys.size - keys.size % _CHUNK
    if whole < 4 * k * _CHUNK:  # too few chunks to leave many keys out
        return np.partition(keys, k - 1)[k - 1]
    bound = np.partition(keys[:whole].reshape(-1, _CHUNK).min(axis=1), k - 1)[k - 1]
    few = keys[keys <= bound]
    return np.partition(few, k - 1)[k - 1]
