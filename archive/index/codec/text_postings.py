"""The postings of the text fields, gathered as columns and written a term at a time.

Indexing spent most of its time on one posting at a time: a dictionary step, three appends and a
pickled bytes value per posting while adding, then per posting again while writing blocks. Here a
document's text becomes one list of word numbers (a regex scan and a dictionary look-up per word, both
in C); everything else is done on numpy arrays for many documents at once:

* word numbers become occurrences (term, document, position), stopwords dropped and positions
  numbered as the analyzer numbers them (:func:`archive.analysis.terms.indexed_positions`);
* occurrences are sorted by term, grouped into postings, and each posting's value (Whoosh's
  ``Positions`` encoding, byte for byte) is written into one buffer;
* block and term statistics come from ``reduceat`` over the postings.

What stays in Python is per block and per term: pickling a block, the term table entry.

Terms are numbered as they first appear; occurrences are processed in ranges of term numbers, so
memory at writing time stays small, and when the words of a segment outgrow the budget they are
turned into sorted occurrences in a temporary file (a run) and read back range by range.
"""

from __future__ import annotations

import os
import pickle
import struct
import tempfile
from array import array
from collections.abc import Callable, Iterable, Iterator
from itertools import pairwise, repeat
from typing import Any, BinaryIO

import numpy as np

from archive.analysis.compounds import compound_words
from archive.analysis.terms import indexed_positions, word_terms
from archive.index.codec.array_positions import ArrayPositionsWriter
from archive.index.codec.array_postings import ArrayPostingsWriter
from archive.index.codec.whoosh3 import (
    BLOCK_LIMIT,
    BLOCKS_MAGIC,
    TERM_INFO,
    blocks_pointer,
    encode_block,
    inline_postings,
)

Int = np.ndarray[Any, np.dtype[np.int64]]
Array = np.ndarray[Any, Any]

#: Terms are processed in ranges of this many term numbers (bounds the memory of one step).
TERM_RANGE = 16_384  # at most 65,536 (sorting relies on it)
#: Occurrences written in one step (bounds the memory of the per-posting Python objects).
WRITE_BATCH = 200_000
#: Whoosh's pickle protocol: values are kept byte for byte as Whoosh's own writer makes them.
_WHOOSH_PICKLE = 2
_LIST_HEAD = b"\x80\x02]q\x00"  # pickle protocol 2: a new list, memoised
_MAX_BATCH = 1000  # pickle writes a list's items in batches of this many
_NO_LENGTH = 256  # above every length byte

#: occurrences: term numbers, document numbers and positions (int32 each), sorted by term, document, position
Occurrences = tuple[Array, Array, Array]
_NONE: Occurrences = (np.zeros(0, dtype=np.int32),) * 3


def encode_gaps(gaps: Array, starts: Int, counts: Int) -> tuple[bytes, list[int]]:
    """Whoosh ``Positions`` values for many postings at once: each the count (4 bytes) and the pickled
    list of position gaps, exactly as ``pickle.dumps(gaps, 2)`` writes it. ``gaps`` holds every
    posting's gaps one after another, ``starts`` where each posting's begin and ``counts`` how many.
    Returns the values concatenated and where each ends.

    >>> from archive.analysis.whoosh_filters import encode_positions
    >>> lists = [[5], [3, 4, 1], [300, 70000], list(range(1200))]
    >>> gaps = np.array([g for gs in lists for g in gs]); counts = np.array([len(gs) for gs in lists])
    >>> blob, ends = encode_gaps(gaps, np.cumsum(counts) - counts, counts)
    >>> values = [blob[a:b] for a, b in zip([0, *ends], ends)]
    >>> values == [encode_positions(np.cumsum(gs).tolist()) for gs in lists]
    True
    """
    gaps = gaps.astype(np.int64, copy=False)
    counts = counts.astype(np.int64, copy=False)
    big = counts > _MAX_BATCH  # several pickle batches: rare enough to leave to pickle itself
    item_len = np.where(gaps <= 0xFF, 2, np.where(gaps <= 0xFFFF, 3, 5))
    items = np.add.reduceat(item_len, starts) if len(starts) else np.zeros(0, dtype=np.int64)
    multi = (counts > 1).astype(np.int64)
    sizes = 4 + len(_LIST_HEAD) + multi + items + 2
    if big.any():
        special = {int(i): _pickled(gaps[starts[i] : starts[i] + counts[i]]) for i in np.flatnonzero(big)}
        for i, value in special.items():
            sizes[i] = len(value)
    ends = np.cumsum(sizes)
    begins = ends - sizes
    buf = np.zeros(int(ends[-1]) if len(ends) else 0, dtype=np.uint8)
    for shift, offset in ((24, 0), (16, 1), (8, 2), (0, 3)):
        buf[begins + offset] = (counts >> shift) & 0xFF
    for offset, byte in enumerate(_LIST_HEAD, start=4):
        buf[begins + offset] = byte
    buf[begins[multi == 1] + 4 + len(_LIST_HEAD)] = ord("(")
    posting = np.repeat(np.arange(len(starts)), counts)
    item_at = np.cumsum(item_len) - item_len
    item_at += (begins + 4 + len(_LIST_HEAD) + multi - item_at[starts])[posting] if len(posting) else 0
    buf[item_at] = np.where(item_len == 2, ord("K"), np.where(item_len == 3, ord("M"), ord("J")))
    buf[item_at + 1] = gaps & 0xFF
    wide = item_len >= 3
    buf[item_at[wide] + 2] = (gaps[wide] >> 8) & 0xFF
    wider = item_len == 5
    buf[item_at[wider] + 3] = (gaps[wider] >> 16) & 0xFF
    buf[item_at[wider] + 4] = (gaps[wider] >> 24) & 0xFF
    buf[ends - 2] = np.where(multi == 1, ord("e"), ord("a"))
    buf[ends - 1] = ord(".")
    blob = buf.tobytes()
    if big.any():
        parts = bytearray(blob)
        for i, value in special.items():
            parts[int(begins[i]) : int(ends[i])] = value
        blob = bytes(parts)
    return blob, ends.tolist()


def _pickled(gaps: Array) -> bytes:
    return struct.pack("!I", len(gaps)) + pickle.dumps(gaps.tolist(), _WHOOSH_PICKLE)


class _Words(dict[str, int]):
    """Raw word -> word number (-1 for a word that is not indexed), numbering new words and their two
    terms (exact form, variant key) as they first appear."""

    def __init__(self, term_number: Callable[[str], int]) -> None:
        super().__init__()
        self._term_number = term_number
        self.exact: list[int] = []
        self.key: list[int] = []

    def __missing__(self, word: str) -> int:
        terms = word_terms(word)
        number = -1
        if terms is not None:
            number = len(self.exact)
            self.exact.append(self._term_number(terms[0]))
            self.key.append(self._term_number(terms[1]))
        self[word] = number
        return number


class _FieldWords:
    """One text field's words in the segment: word numbers of every text, one after another."""

    def __init__(self) -> None:
        self.words = array("i")
        self.docs = array("i")  # per text: its document number ...
        self.starts = array("q")  # ... and where its words start
        # occurrences from merged segments: term numbers, documents, positions
        self.merged: tuple[array[int], array[int], array[int]] = (array("i"), array("i"), array("i"))


class TextPool:
    """The text fields' postings of a segment being written (see the module's description)."""

    def __init__(self, limitmb: float, merge_batch: int, tempdir: str | None = None) -> None:
        #: Occurrences merged from spilled runs in one step (bounds the memory of merging).
        self._merge_batch = merge_batch
        self._terms: dict[str, int] = {}
        self.term_texts: list[str] = []
        self._words = _Words(self._term_number)
        self._fields: dict[str, _FieldWords] = {}
        self._boosts: dict[str, dict[int, float]] = {}
        # words held before a run is written: turning them into sorted occurrences takes ~80 bytes a word at
        # its peak, and the budget is shared with the other pools (a 100,000-article ingest peaked at 613 MB
        # with 1/40 of it, 450 MB with 1/120)
        self._budget = max(1, int(limitmb * 1024 * 1024 / 120))
        self._held = 0
        self._tempdir = tempdir
        self._runs: list[_Run] = []

    def _term_number(self, text: str) -> int:
        number = self._terms.get(text)
        if number is None:
            number = self._terms[text] = len(self.term_texts)
            self.term_texts.append(text)
        return number

    def _field(self, fieldname: str) -> _FieldWords:
        field = self._fields.get(fieldname)
        if field is None:
            field = self._fields[fieldname] = _FieldWords()
        return field

    def fieldnames(self) -> list[str]:
        return sorted(self._fields)

    def added_forms(self) -> set[str]:
        """The word forms (exact terms, no variant keys) of the texts added to this pool, not of merged ones."""
        return {self.term_texts[number] for number in self._words.exact}

    def added_form_documents(self, fieldnames: Iterable[str]) -> dict[str, int] | None:
        """For each word form of the texts added to this pool, the documents it is in, in whichever of these
        fields it is in most (as the vocabulary counts); None when words were spilled to disk (a large
        writer, whose vocabulary is rebuilt from the term tables instead)."""
        if self._runs:
            return None
        exact = np.asarray(self._words.exact, dtype=np.int64)
        most = np.zeros(len(self.term_texts), dtype=np.int64)
        for name in fieldnames:
            field = self._fields.get(name)
            if field is None or not len(field.words):
                continue
            words = np.frombuffer(field.words, dtype=np.int32)
            kept = np.flatnonzero(words >= 0)
            if not len(kept):  # (every word of the field a stopword: a title such as "पहले से")
                continue
            starts = np.frombuffer(field.starts, dtype=np.int64)
            docs = np.frombuffer(field.docs, dtype=np.int32)[np.searchsorted(starts, kept, side="right") - 1]
            span = int(docs.max()) + 1
            pairs = np.unique(exact[words[kept]] * span + docs)  # each (form, document) once
            most = np.maximum(most, np.bincount(pairs // span, minlength=len(most)))
        return {self.term_texts[number]: int(most[number]) for number in np.flatnonzero(most)}

    def add(self, fieldname: str, docnum: int, text: str, boost: float = 1.0) -> int:
        """Add one document's text for a field; returns the field's length (its terms' occurrences)."""
        words = list(map(self._words.__getitem__, compound_words(text)))
        field = self._field(fieldname)
        field.docs.append(docnum)
        field.starts.append(len(field.words))
        field.words.fromlist(words)
        if boost != 1.0:
            self._boosts.setdefault(fieldname, {})[docnum] = boost
        self._held += len(words)
        if self._held > self._budget:
            self._spill()
        return 2 * (len(words) - words.count(-1))  # every indexed word has two terms

    def add_posting(self, fieldname: str, btext: bytes, docnum: int, weight: float, positions: list[int]) -> None:
        """A posting of a segment being merged into this one (documents come in increasing order)."""
        term = self._term_number(btext.decode("utf-8"))
        terms, docs, places = self._field(fieldname).merged
        terms.extend(repeat(term, len(positions)))
        docs.extend(repeat(docnum, len(positions)))
        places.extend(positions)
        if positions and weight != len(positions):
            self._boosts.setdefault(fieldname, {})[docnum] = weight / len(positions)
        # Merged segments' postings count against the budget as added words do: merging five segments of
        # 20,000 articles held 75 million occurrences in Python lists (7 GB) before it wrote any.
        self._held += len(positions)
        if self._held > self._budget:
            self._spill()

    # --- from words to occurrences ------------------------------------------------------------

    def _ranges(self) -> range:
        return range(0, len(self.term_texts), TERM_RANGE)

    def _occurrences(self, field: _FieldWords) -> Iterator[tuple[int, Occurrences]]:
        """The field's occurrences held in memory, range by range of term numbers, each sorted by term
        (then document and position)."""
        words = np.frombuffer(field.words, dtype=np.int32)
        kept = np.flatnonzero(words >= 0).astype(np.int32)
        word_numbers = words[kept]
        starts = np.frombuffer(field.starts, dtype=np.int64)
        text = (np.searchsorted(starts, kept, side="right") - 1).astype(np.int32)
        positions = indexed_positions(kept, text, starts)
        del kept
        docs = np.frombuffer(field.docs, dtype=np.int32)[text]
        del text
        by_term = (np.asarray(self._words.exact, dtype=np.int32), np.asarray(self._words.key, dtype=np.int32))
        terms = [table[word_numbers] for table in by_term]
        merged_terms, merged_docs, merged_positions = (np.frombuffer(c, dtype=np.int32) for c in field.merged)
        for low in self._ranges():
            high = low + TERM_RANGE
            parts = []
            for term in terms:
                chosen = np.flatnonzero((term >= low) & (term < high))
                parts.append((term[chosen], docs[chosen], positions[chosen]))
            chosen = np.flatnonzero((merged_terms >= low) & (merged_terms < high))
            parts.append((merged_terms[chosen], merged_docs[chosen], merged_positions[chosen]))
            found = _sorted_occurrences(parts, low)
            if len(found[0]):
                yield low // TERM_RANGE, found

    def _spill(self) -> None:
        run = _Run(self._tempdir)
        for name, field in self._fields.items():
            for number, found in self._occurrences(field):
                run.write(name, number, found)
            self._fields[name] = _FieldWords()
        self._runs.append(run)
        self._held = 0

    def occurrences(self, fieldname: str) -> Iterator[Occurrences]:
        """All the field's occurrences, range by range of term numbers, sorted by term, document and
        position (runs come first: their documents precede those still in memory)."""
        in_memory = self._occurrences(self._fields.get(fieldname, _FieldWords()))
        pending = next(in_memory, None)
        for number, low in enumerate(self._ranges()):
            parts: list[_Part] = [part for run in self._runs if (part := run.part(fieldname, number)).count]
            if pending is not None and pending[0] == number:
                parts.append(_Part(pending[1]))
                pending = next(in_memory, None)
            if not parts:
                continue
            # the first terms numbered are the commonest words, so one range can hold most of a segment's
            # occurrences: merged a span of terms at a time, each holding about _merge_batch of them
            counts = [np.bincount(part.terms() - low, minlength=TERM_RANGE) for part in parts]
            starts = [np.concatenate([[0], np.cumsum(c)]) for c in counts]  # where each term starts, per part
            ends = np.cumsum(sum(counts))
            batch = self._merge_batch
            cuts = np.searchsorted(ends, np.arange(batch, int(ends[-1]), batch), side="left") + 1
            bounds = [0, *np.unique(cuts[cuts < TERM_RANGE]).tolist(), TERM_RANGE]
            for a, b in pairwise(bounds):
                pieces = [part.slice(int(s[a]), int(s[b])) for part, s in zip(parts, starts, strict=True)]
                yield _sorted_occurrences(pieces, low) if len(pieces) > 1 else pieces[0]

    def boosts(self, fieldname: str) -> dict[int, float]:
        return self._boosts.get(fieldname, {})

    def cleanup(self) -> None:
        for run in self._runs:
            run.close()
        self._runs = []
        self._fields = {}


def _sorted_occurrences(parts: list[Occurrences], low: int) -> Occurrences:
    """Occurrences of terms ``low`` to ``low + TERM_RANGE`` from several sources as one set sorted by
    term, then document and position. Each source holds a term's occurrences in that order already and
    the sources come in document order, so a stable sort by term is enough (a radix sort: the terms
    of one range differ in their low 16 bits)."""
    terms, docs, positions = (np.concatenate([p[i] for p in parts]) for i in range(3))
    order = np.argsort((terms - low).astype(np.uint16), kind="stable")
    return terms[order], docs[order], positions[order]


class _Part:
    """One source of a range's occurrences when merging: in memory, or in a run's file (read a slice at a
    time, so that merging holds one span of terms at once)."""

    def __init__(self, found: Occurrences | None = None, file: Any = None, offset: int = 0, count: int = 0) -> None:
        self._found, self._file, self._offset = found, file, offset
        self.count = len(found[0]) if found is not None else count

    def _column(self, index: int, start: int, end: int) -> Array:
        if self._found is not None:
            return self._found[index][start:end]
        at = self._offset + 4 * (index * self.count + start)
        return np.frombuffer(os.pread(self._file.fileno(), 4 * (end - start), at), dtype=np.int32)

    def terms(self) -> Array:
        return self._column(0, 0, self.count)

    def slice(self, start: int, end: int) -> Occurrences:
        return self._column(0, start, end), self._column(1, start, end), self._column(2, start, end)


class _Run:
    """Sorted occurrences written to a temporary file when the words held outgrow the budget."""

    def __init__(self, tempdir: str | None) -> None:
        self._file: BinaryIO = tempfile.TemporaryFile(dir=tempdir)  # noqa: SIM115 (closed by close())
        self._parts: dict[tuple[str, int], tuple[int, int]] = {}

    def write(self, fieldname: str, number: int, found: Occurrences) -> None:
        self._parts[(fieldname, number)] = (self._file.tell(), len(found[0]))
        for column in found:
            self._file.write(column.astype(np.int32).tobytes())

    def part(self, fieldname: str, number: int) -> _Part:
        """One range's occurrences (read from the file as they are asked for)."""
        self._file.flush()
        offset, count = self._parts.get((fieldname, number), (0, 0))
        return _Part(file=self._file, offset=offset, count=count)

    def close(self) -> None:
        self._file.close()


# --- writing --------------------------------------------------------------------------------


def write_field(
    out: Any,
    fieldname: str,
    pool: TextPool,
    lengths: Array,
    array_postings: ArrayPostingsWriter,
    array_positions: ArrayPositionsWriter,
    inline_limit: int,
) -> list[tuple[bytes, bytes]]:
    """Write a text field's postings to the postings file ``out``; returns its term table entries
    (term bytes, term info bytes), in no particular order. ``lengths``: every document's field length as
    Whoosh stores it (one byte, 0 for none), which is what block and term statistics record."""
    entries: list[tuple[bytes, bytes]] = []
    boosts = pool.boosts(fieldname)
    for found in pool.occurrences(fieldname):
        for part in _batches(found):
            written = _write_terms(
                out, fieldname, part, pool.term_texts, lengths, boosts, array_postings, array_positions, inline_limit
            )
            entries.extend(written)
    return entries


def _batches(found: Occurrences, size: int = WRITE_BATCH) -> Iterator[Occurrences]:
    """Occurrences in batches of about ``size`` (a term's are never split): the first terms numbered are
    the commonest words, so one range of term numbers can hold most of a segment's occurrences."""
    terms = found[0]
    start = 0
    while start < len(terms):
        end = min(start + size, len(terms))
        if end < len(terms):  # move to the end of the term at the cut
            end = int(np.searchsorted(terms, terms[end - 1], side="right")) if terms[end - 1] == terms[end] else end
        yield found[0][start:end], found[1][start:end], found[2][start:end]
        start = end


def _write_terms(
    out: Any,
    fieldname: str,
    found: Occurrences,
    term_texts: list[str],
    lengths: Array,
    boosts: dict[int, float],
    array_postings: ArrayPostingsWriter,
    array_positions: ArrayPositionsWriter,
    inline_limit: int,
) -> list[tuple[bytes, bytes]]:
    terms, docs, positions = found
    size = len(terms)
    # postings: runs of one term in one document
    new = np.ones(size, dtype=bool)
    new[1:] = (terms[1:] != terms[:-1]) | (docs[1:] != docs[:-1])
    starts = np.flatnonzero(new)
    counts = np.diff(np.append(starts, size))
    gaps = positions.astype(np.int64)
    gaps[1:] -= positions[:-1]
    gaps[starts] = positions[starts]
    blob, value_ends = encode_gaps(gaps, starts, counts)
    post_terms, post_docs = terms[starts], docs[starts].astype(np.int64)
    weights = counts.astype(np.float32)
    if boosts:
        weights *= np.array([boosts.get(d, 1.0) for d in post_docs.tolist()], dtype=np.float32)
    post_lengths = lengths[post_docs]  # length bytes: their order is the lengths' order
    # terms
    postings = len(starts)
    first = np.ones(postings, dtype=bool)
    first[1:] = post_terms[1:] != post_terms[:-1]
    term_starts = np.flatnonzero(first)
    term_ends = np.append(term_starts[1:], postings)
    df = term_ends - term_starts
    # chunks: a block of postings, or all of a term kept inline in the term table
    blocks = np.where(df > inline_limit, -(-df // BLOCK_LIMIT), 1)
    chunk_term = np.repeat(np.arange(len(term_starts)), blocks)
    block_number = np.arange(len(chunk_term)) - (np.cumsum(blocks) - blocks)[chunk_term]
    chunk_starts = term_starts[chunk_term] + block_number * BLOCK_LIMIT
    chunk_ends = np.append(chunk_starts[1:], postings)
    nonzero_lengths = np.where(post_lengths > 0, post_lengths, _NO_LENGTH)

    def stats(at: Int) -> tuple[list[float], list[int], list[int]]:
        shortest = np.minimum.reduceat(nonzero_lengths, at)
        return (
            np.maximum.reduceat(weights, at).tolist(),
            np.where(shortest == _NO_LENGTH, 0, shortest).tolist(),  # 0: no length (Whoosh's None)
            np.maximum.reduceat(post_lengths, at).tolist(),
        )

    chunk_max_weight, chunk_min_length, chunk_max_length = stats(chunk_starts)
    chunk_uniform = (np.minimum.reduceat(weights, chunk_starts) == np.maximum.reduceat(weights, chunk_starts)).tolist()
    term_max_weight, term_min_length, term_max_length = stats(term_starts)
    term_weight = np.add.reduceat(weights.astype(np.float64), term_starts).tolist()
    deltas = post_docs.copy()
    deltas[1:] -= post_docs[:-1]
    deltas[chunk_starts] = post_docs[chunk_starts]

    doc_list, delta_list, weight_list = post_docs.tolist(), deltas.tolist(), weights.tolist()
    values = [blob[a:b] for a, b in zip([0, *value_ends[:-1]], value_ends, strict=True)]
    chunk_bounds = zip(chunk_starts.tolist(), chunk_ends.tolist(), strict=True)
    pack_info = TERM_INFO.pack
    base, buf = out.tell(), bytearray()
    arrays_from = array_postings.minimum_of(fieldname)
    entries = []
    chunk = 0
    for t, (term, start, end, nblocks) in enumerate(
        zip(post_terms[term_starts].tolist(), term_starts.tolist(), term_ends.tolist(), blocks.tolist(), strict=True)
    ):
        head = pack_info(
            end - start <= inline_limit,
            term_weight[t],
            end - start,
            term_min_length[t],
            term_max_length[t],
            term_max_weight[t],
            doc_list[start],
            doc_list[end - 1],
        )
        if end - start <= inline_limit:
            inlined = (tuple(doc_list[start:end]), tuple(weight_list[start:end]), tuple(values[start:end]))
            entry = head + inline_postings(*inlined)
            next(chunk_bounds)
            chunk += 1
        else:
            offset = base + len(buf)
            buf += BLOCKS_MAGIC
            for number in range(nblocks):
                a, b = next(chunk_bounds)
                if chunk_uniform[chunk]:
                    w = chunk_max_weight[chunk]
                    block_weights: Any = None if w == 1.0 else w
                else:
                    block_weights = tuple(weight_list[a:b])
                buf += encode_block(
                    tuple(delta_list[a:b]),
                    block_weights,
                    tuple(values[a:b]),
                    doc_list[b - 1],
                    chunk_max_weight[chunk],
                    chunk_min_length[chunk],
                    chunk_max_length[chunk],
                    last=number == nblocks - 1,
                )
                chunk += 1
            entry = head + blocks_pointer(offset, base + len(buf) - offset)
        btext = term_texts[term].encode("utf-8")
        if end - start >= arrays_from:
            array_postings.add(fieldname, btext, post_docs[start:end].astype(np.uint32), weights[start:end])
            occurrences = positions[int(starts[start]) : int(starts[end - 1] + counts[end - 1])]
            array_positions.add(fieldname, btext, counts[start:end], occurrences)
        entries.append((btext, entry))
    out.write(bytes(buf))  # one write for the batch: Whoosh's file wrapper costs a call per write
    return entries
