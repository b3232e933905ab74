"""Whoosh's internals, in one place: every private name of whoosh-reloaded that the archive relies on.

The archive reads and writes Whoosh's own file format (the "W3" codec of Whoosh 2.7) faster than Whoosh
does, which means knowing how Whoosh lays out blocks of postings, term tables and columns, and which of
its private methods a segment writer goes through. All of that knowledge lives here, behind typed
functions and classes; the rest of the archive uses only these and Whoosh's public API.

On import this module checks the installed Whoosh: its version against :data:`SUPPORTED`, and that every
module attribute, method and instance attribute it relies on is there (instance attributes are looked
for in the names Whoosh's own methods use, so no object is made). A mismatch raises
:class:`WhooshMismatch` at once, naming the installed version, the supported range and what is missing,
instead of an ``AttributeError`` deep in a search. ``tests/test_whoosh_contract.py`` exercises each
interface on a real index, so that a new whoosh-reloaded that changes one fails there first.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import struct
import zlib
from collections.abc import Callable, Iterator, Sequence
from itertools import accumulate
from pathlib import Path
from types import ModuleType
from typing import Any, NamedTuple

import numpy as np
import whoosh
from whoosh import columns as _columns
from whoosh import index as _index
from whoosh import reading as _reading
from whoosh import scoring as _scoring
from whoosh import writing as _writing
from whoosh.codec import whoosh3 as _w3
from whoosh.filedb import filetables as _filetables
from whoosh.util import numeric as _numeric

from archive.errors import ArchiveError


class WhooshMismatch(ArchiveError):
    """The installed Whoosh is not one whose internals this archive knows."""


#: Where the range of whoosh-reloaded releases whose internals match this module is written, once: the
#: package's list of dependencies, which pyproject.toml reads too.
REQUIREMENTS = Path(__file__).resolve().parents[2] / "requirements.txt"


def supported_range(requirements: str) -> tuple[str, tuple[int, ...], tuple[int, ...]]:
    """The whoosh-reloaded range in a list of requirements: as ``pip`` writes it, its lowest release and the
    first release above it.

    >>> supported_range("numpy>=1.24\\n# a comment\\nwhoosh-reloaded>=2.7.5,<2.8\\n")
    ('>=2.7.5,<2.8', (2, 7, 5), (2, 8))
    """
    for line in requirements.splitlines():
        if line.startswith("whoosh-reloaded"):
            spec = line.removeprefix("whoosh-reloaded").split("#")[0].strip()
            lowest = next(part[2:] for part in spec.split(",") if part.startswith(">="))
            below = next(part[1:] for part in spec.split(",") if part.startswith("<"))
            return spec, tuple(map(int, lowest.split("."))), tuple(map(int, below.split(".")))
    raise WhooshMismatch(f"{REQUIREMENTS} names no whoosh-reloaded range; the archive's installation is damaged.")


#: The whoosh-reloaded releases whose internals match this module (as ``pip`` writes the range).
SUPPORTED, _LOWEST, _BELOW = supported_range(REQUIREMENTS.read_text(encoding="utf-8"))


# --- the contract ------------------------------------------------------------------------------------

#: Module attributes used here.
_MODULE_NAMES: dict[ModuleType, tuple[str, ...]] = {
    _w3: (
        "LENGTHS_COLUMN",
        "WHOOSH3_HEADER_MAGIC",
        "W3Codec",
        "W3FieldWriter",
        "W3LeafMatcher",
        "W3PostingsWriter",
        "W3Segment",
        "W3TermInfo",
        "_lenfield",
    ),
    _filetables: ("_lengths",),
    _numeric: ("_length_byte_cache",),
    _columns: ("NumericColumn",),
    _writing: ("SegmentWriter",),
    _scoring: ("BM25F",),
}


def _contract() -> list[tuple[ModuleType, str, str, str]]:
    """(module, class, its methods and class attributes used here, the attributes its instances hold that are
    used here)."""
    return [
        (
            _writing,
            "SegmentWriter",
            "_check_state _check_fields _doc_boost _field_boost _flush_segment _close_segment _commit_toc "
            "per_document_reader temp_storage add_document add_reader commit",
            "_added perdocwriter fieldwriter docnum pool schema storage",
        ),
        (
            _w3,
            "W3PostingsWriter",
            "_write_block finish_postings written",
            "_blocklimit _ids _weights _values _maxweight _minlength _maxlength _inlinelimit _terminfo",
        ),
        (
            _w3,
            "W3FieldWriter",
            "start_field finish_field start_term finish_term close",
            "_postwriter _postfile _codec _tindex _fieldid",
        ),
        (_w3, "W3Codec", "field_writer postings_writer new_segment", "_blocklimit _compression _inlinelimit"),
        (_w3, "W3LeafMatcher", "_read_data _next_block is_active", "_data _byteids _fixedsize _maxid"),
        (_w3, "W3TermInfo", "_struct add_block set_inlined", ""),
        (_w3, "W3TermsReader", "", "_tindex _fieldmap"),
        (_filetables, "OrderedHashWriter", "", "lastkey dbfile buckets index hashtype hashfn"),
        (_filetables, "OrderedHashReader", "", "dbfile startofdata endofdata"),
        (_reading, "SegmentReader", "postings column_reader has_column", "_segment _storage _perdoc _terms"),
        (_columns, "NumericColumn.Reader", "", "_dbfile _basepos _count _fixedlen _typecode"),
        (_scoring, "BM25F", "", "B K1 _field_B"),
        (_index, "TOC", "_pattern read", ""),
    ]


def _names_used_by(cls: type) -> set[str]:
    """Every attribute name the methods of a class (and of its bases) mention: an attribute its instances
    hold is one that the methods setting it name."""
    names: set[str] = set()
    for klass in cls.__mro__[:-1]:  # (not object)
        for value in vars(klass).values():
            code = getattr(getattr(value, "__func__", value), "__code__", None)
            stack = [code] if code is not None else []
            while stack:
                current = stack.pop()
                names.update(current.co_names)
                stack.extend(c for c in current.co_consts if hasattr(c, "co_names"))
    return names


def missing_names() -> list[str]:
    """What this module relies on and the installed Whoosh lacks (empty when everything is there)."""
    missing = [
        f"{module.__name__}.{name}"
        for module, names in _MODULE_NAMES.items()
        for name in names
        if not hasattr(module, name)
    ]
    for module, dotted, methods, held in _contract():
        found: Any = module
        try:
            for part in dotted.split("."):
                found = getattr(found, part)
        except AttributeError:
            missing.append(f"{module.__name__}.{dotted}")
            continue
        missing.extend(f"{module.__name__}.{dotted}.{name}" for name in methods.split() if not hasattr(found, name))
        used = _names_used_by(found) if held else set()
        missing.extend(f"{module.__name__}.{dotted}().{name}" for name in held.split() if name not in used)
    return missing


def check_installed() -> None:
    """Raise :class:`WhooshMismatch` unless the installed Whoosh is one this module knows."""
    version = tuple(getattr(whoosh, "__version__", ()))
    installed = ".".join(map(str, version)) or "unknown"
    problems = []
    if not _LOWEST <= version < _BELOW:
        problems.append(f"version {installed} is outside {SUPPORTED}")
    missing = missing_names()
    if missing:
        problems.append("it lacks " + ", ".join(missing))
    if problems:
        raise WhooshMismatch(
            f"The installed Whoosh (whoosh-reloaded {installed}) does not match what this archive reads and "
            f"writes: {'; '.join(problems)}. Install a supported one: pip install 'whoosh-reloaded{SUPPORTED}'."
        )


check_installed()


# --- an index's generations --------------------------------------------------------------------------

#: The name Whoosh gives an index inside its directory (``open_dir``'s default).
INDEX_NAME = "MAIN"


def latest_generation(directory: str) -> int:
    """The generation of the newest table of contents in an index directory (-1 when there is none), read
    from the file names alone, as Whoosh's own ``latest_generation`` does, without opening the index (which
    reads and unpickles the table of contents and its schema)."""
    pattern = _index.TOC._pattern(INDEX_NAME)
    try:
        names = os.listdir(directory)
    except OSError:
        return -1
    return max((int(m.group(1)) for m in map(pattern.match, names) if m), default=-1)


# --- where a segment's files are ------------------------------------------------------------------


class SegmentLocation(NamedTuple):
    """The folder of a segment's files and the name they start with (``<index>_<segment id>``)."""

    folder: str
    segment_id: str

    def path(self, extension: str) -> str:
        return os.path.join(self.folder, f"{self.segment_id}.{extension}")


def segment_location(reader: Any) -> SegmentLocation | None:
    """Where a segment reader's files are (None for other readers, or an index not in a folder)."""
    segment, storage = getattr(reader, "_segment", None), getattr(reader, "_storage", None)
    folder = getattr(storage, "folder", None)
    if segment is None or folder is None:
        return None
    return SegmentLocation(folder, segment.segment_id())


def segment_location_of(segment: Any, storage: Any) -> SegmentLocation | None:
    """Where a segment being written keeps its files (None for storage outside a folder)."""
    folder = getattr(storage, "folder", None)
    return None if folder is None else SegmentLocation(folder, segment.segment_id())


# --- per-document columns ---------------------------------------------------------------------------

#: Field length as Whoosh decodes each of the 256 length bytes it stores (0: no length).
BYTE_LENGTHS: np.ndarray[Any, np.dtype[np.int64]] = np.asarray(_numeric._length_byte_cache, dtype=np.int64)


def per_document_reader(reader: Any) -> Any:
    """A segment reader's per-document reader (its stored fields, lengths and columns); None for others."""
    return getattr(reader, "_perdoc", None)


def length_codes(perdoc: Any, field: str, count: int) -> np.ndarray[Any, np.dtype[np.int64]]:
    """Every document's length of ``field`` as Whoosh stores it (one byte, 0 for none), read whole."""
    name = _w3._lenfield(field)
    if not perdoc.has_column(name):
        return np.zeros(count, dtype=np.int64)
    return numeric_values(perdoc.column_reader(name, _w3.LENGTHS_COLUMN), count, 0)


def numeric_values(column: Any, count: int, default: int, offset: int = 0) -> np.ndarray[Any, np.dtype[np.int64]]:
    """A numeric column of one segment, read whole (Whoosh would unpack it value by value), minus ``offset``;
    ``default`` where no value was written."""
    values = np.full(count, default - offset, dtype=np.int64)
    if isinstance(column, _columns.NumericColumn.Reader):
        # big-endian fixed-size values, written up to the last document with a non-default value
        data = column._dbfile.get(column._basepos, column._count * column._fixedlen)
        stored = np.frombuffer(data, dtype=">" + column._typecode)[:count]
        if offset:
            stored = (stored.astype(np.uint64) - np.uint64(offset)).view(np.int64)
        values[: stored.size] = stored
    elif column is not None:
        values[:] = [value - offset for value in column]
    return values


# --- reading postings ---------------------------------------------------------------------------------


def leaf_matcher(reader: Any, field: str, text: bytes) -> Any:
    """A segment's matcher for one term without Whoosh's per-document deletion filter (callers mask
    deleted documents themselves, all at once)."""
    matcher = reader.postings(field, text)
    return getattr(matcher, "child", matcher)


def held_leaf_matcher(reader: Any, field: str, text: bytes) -> Any | None:
    """:func:`leaf_matcher`, or None when the segment lacks the term: one look-up in its term table, where
    asking first whether it holds the term and then for its postings made two."""
    try:
        return leaf_matcher(reader, field, text)
    except _reading.TermNotFound:
        return None


class Block:
    """One block of a term's postings, read only when asked (a block's last document is in its header)."""

    def __init__(self, matcher: Any) -> None:
        self._matcher = matcher

    @property
    def last_id(self) -> int:
        return int(self._matcher._maxid)

    def postings(self) -> tuple[list[int], float | Sequence[float] | None, Sequence[bytes]]:
        """Document numbers, weights (None: all 1.0; a number: all that; else one each) and values."""
        matcher = self._matcher
        if matcher._data is None:
            matcher._read_data()
        deltas, weights, values = matcher._data[0], matcher._data[1], matcher._data[2]
        return list(accumulate(deltas)), weights, values  # each block's first number is absolute


def blocks(matcher: Any, *, values: bool = False) -> Iterator[Block] | None:
    """The blocks of a term's postings, in order; None when they are not in Whoosh 3's blocks with
    numeric ids (postings inlined in the term table, another matcher), or (asking for ``values``) when its
    values have a fixed size."""
    if type(matcher) is not _w3.W3LeafMatcher or matcher._byteids or (values and matcher._fixedsize is not None):
        return None
    return _blocks(matcher)


def _blocks(matcher: Any) -> Iterator[Block]:
    block = Block(matcher)
    while matcher.is_active():
        yield block
        matcher._next_block()


_RECORD = _filetables._lengths  # a hash file record's head: key length, value length
TERM_INFO: struct.Struct = _w3.W3TermInfo._struct  # flags, total weight, documents, lengths, max weight, ids


def term_document_counts(leaf: Any, field: str) -> Iterator[tuple[bytes, int]] | None:
    """Every term of a field in one segment with its document count (as ``doc_frequency`` counts), read
    straight from the segment's term table (a run of length-prefixed records); None for a reader without
    one (an empty index's, say)."""
    terms = getattr(leaf, "_terms", None)
    table = getattr(terms, "_tindex", None)
    fieldmap = getattr(terms, "_fieldmap", None)
    if table is None or fieldmap is None or not hasattr(table, "endofdata"):
        return None
    return _term_counts(table, fieldmap, field)


def _term_counts(table: Any, fieldmap: dict[str, int], field: str) -> Iterator[tuple[bytes, int]]:
    if field not in fieldmap:
        return
    prefix = struct.pack("!H", fieldmap[field])
    data = table.dbfile.get(table.startofdata, table.endofdata - table.startofdata)
    position, end = 0, len(data)
    while position < end:
        key_length, value_length = _RECORD.unpack_from(data, position)
        position += _RECORD.size
        if data[position : position + 2] == prefix:
            yield data[position + 2 : position + key_length], TERM_INFO.unpack_from(data, position + key_length)[2]
        position += key_length + value_length


def field_b(weighting: Any, field: str) -> float:
    """The B parameter BM25F uses for ``field``."""
    return float(weighting._field_B.get(field, weighting.B))


# --- writing postings: Whoosh 3's block layout ----------------------------------------------------------

BLOCK_LIMIT = 128  # postings per block (W3Codec's default)
COMPRESSION = 3  # zlib level of a block (W3Codec's default)
BLOCKS_MAGIC: bytes = _w3.WHOOSH3_HEADER_MAGIC  # starts a term's run of blocks in the postings file
_INFO_PICKLE = 2  # the protocol of a block's header
_INT = struct.Struct("!i")
_LONG = struct.Struct("!q")


def inline_postings(ids: tuple[int, ...], weights: tuple[float, ...], values: tuple[bytes, ...]) -> bytes:
    """A few postings kept inline in the term table, after the term's :data:`TERM_INFO`."""
    return pickle.dumps((ids, weights, values), pickle.HIGHEST_PROTOCOL)


def encode_block(
    deltas: tuple[int, ...],
    weights: float | tuple[float, ...] | None,
    values: tuple[bytes, ...],
    last_id: int,
    max_weight: float,
    min_length: int,
    max_length: int,
    *,
    last: bool,
) -> bytes:
    """One block of a term's postings as it lies in the postings file: its length (negative for the
    term's last block), its header, and its compressed postings. ``deltas`` are document-number gaps (the
    first absolute); ``weights`` None when all are 1.0, one number when all are that."""
    data = zlib.compress(pickle.dumps((deltas, weights, values), pickle.HIGHEST_PROTOCOL), COMPRESSION)
    info = pickle.dumps((len(deltas), last_id, max_weight, COMPRESSION, min_length, max_length), _INFO_PICKLE)
    length = len(info) + len(data)
    return _INT.pack(-length if last else length) + info + data


def blocks_pointer(offset: int, length: int) -> bytes:
    """What follows a term's :data:`TERM_INFO` when its postings are in blocks: where they are."""
    return _LONG.pack(offset) + _INT.pack(length)


def add_sorted(table: Any, items: list[tuple[bytes, bytes]]) -> None:
    """What ``OrderedHashWriter.add`` does for each item, for many at once (one write, and MD5 hashes
    read from the digest's bytes rather than through its hex form). Keys must increase."""
    if not items:
        return
    if items[0][0] <= table.lastkey:
        raise ValueError(f"Keys must increase: {table.lastkey!r}..{items[0][0]!r}")
    position = table.dbfile.tell()
    buckets, index = table.buckets, table.index
    digest = _md5_low_bits if table.hashtype == 0 else table.hashfn
    records = []
    for key, value in items:
        index.append(position)
        hashed = digest(key)
        buckets[hashed & 255].append((hashed, position))
        record = _RECORD.pack(len(key), len(value)) + key + value
        records.append(record)
        position += len(record)
    table.dbfile.write(b"".join(records))
    table.lastkey = items[-1][0]


def _md5_low_bits(key: bytes) -> int:
    """Whoosh's ``md5_hash``: the low 32 bits of the key's MD5 digest.

    >>> from whoosh.filedb.filetables import md5_hash
    >>> _md5_low_bits("term".encode()) == md5_hash("term".encode()), _md5_low_bits(b"x") == md5_hash(b"x")
    (True, True)
    """
    return int.from_bytes(hashlib.md5(key, usedforsecurity=False).digest()[-4:], "big")


# --- writing segments ------------------------------------------------------------------------------------


class PostingsWriter(_w3.W3PostingsWriter):  # type: ignore[misc]
    """Whoosh 3's postings writer, taking all of a term's postings at once, and keeping a term in few
    documents inline in the term table (the format's "inlined postings", which Whoosh 2.7 reads but never
    writes because of a typo in its writer)."""

    _terminfo: Any

    def add_all(self, docnums: Any, weights: Any, values: list[bytes], lengths: list[int]) -> None:
        """All of a term's postings (document numbers, weights and values in typed arrays or lists, and every
        document's field length), a block at a time (what ``add_posting`` does one by one)."""
        limit = self._blocklimit
        for start in range(0, len(docnums), limit):
            if len(self):
                self._write_block()
            self._ids = docnums[start : start + limit]
            self._weights = weights[start : start + limit]
            self._values = [v for v in values[start : start + limit] if v]
            self._maxweight = max(0, max(self._weights))
            block_lengths = [n for n in map(lengths.__getitem__, self._ids) if n]
            self._minlength = min(block_lengths) if block_lengths else None
            self._maxlength = max(block_lengths) if block_lengths else 0

    def finish_postings(self) -> Any:
        if self.written() or len(self) > self._inlinelimit:
            return super().finish_postings()
        terminfo = self._terminfo
        terminfo.add_block(self)
        terminfo.set_inlined(self._ids, self._weights, self._values)
        self._terminfo = None
        return terminfo


class FieldWriterBase(_w3.W3FieldWriter):  # type: ignore[misc]
    """Whoosh 3's field writer (term table and postings file of a segment), with ways in for a writer that
    encodes postings itself."""

    @property
    def postings_file(self) -> Any:
        """The segment's postings file, for blocks encoded elsewhere (:func:`encode_block`)."""
        return self._postfile

    @property
    def inline_limit(self) -> int:
        """Terms in at most this many documents are kept inline in the term table."""
        return int(self._codec._inlinelimit)

    def write_term(self, btext: bytes, docnums: Any, weights: Any, values: list[bytes], lengths: list[int]) -> None:
        """One term of the current field with all its postings (see :meth:`PostingsWriter.add_all`)."""
        self.start_term(btext)
        self._postwriter.add_all(docnums, weights, values, lengths)
        self.finish_term()

    def add_term_entries(self, entries: list[tuple[bytes, bytes]]) -> None:
        """Term table entries of the current field, ``(term bytes, term info bytes)``, in term order."""
        field_key = struct.pack("!H", self._fieldid)
        add_sorted(self._tindex, [(field_key + btext, info) for btext, info in entries])


class WritingCodecBase(_w3.W3Codec):  # type: ignore[misc]
    """Whoosh 3's codec for writing with :class:`PostingsWriter`, whose segments name the stock codec: reading
    them needs nothing of ours. Subclasses give their field writer (a :class:`FieldWriterBase`)."""

    def __init__(self, inline_limit: int) -> None:
        super().__init__(inlinelimit=inline_limit)

    def postings_writer(self, dbfile: Any, byteids: bool = False) -> Any:
        return PostingsWriter(
            dbfile,
            blocklimit=self._blocklimit,
            byteids=byteids,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )

    def new_segment(self, storage: Any, indexname: str) -> Any:
        # The segment (pickled into the index) names the stock codec: reading needs nothing of ours.
        return _w3.W3Segment(_w3.W3Codec(), indexname)


class SegmentWriterBase(_writing.SegmentWriter):  # type: ignore[misc]
    """Whoosh's segment writer, with the steps of adding a document and flushing a segment turned into
    hooks for a writer that pools and encodes postings itself:

    * :meth:`index_value` indexes one field of a document and returns its length;
    * :meth:`write_postings` writes the segment's postings once its per-document data is written;
    * :meth:`discard_postings` drops what was pooled, written or not.
    """

    def index_value(self, name: str, field: Any, value: Any, docnum: int, boost: float) -> int:
        raise NotImplementedError

    def write_postings(self, lengths: Any) -> None:
        """``lengths``: a per-document reader of the segment (see :func:`length_codes`)."""
        raise NotImplementedError

    def discard_postings(self) -> None:
        raise NotImplementedError

    def before_commit(self, segments: list[Any]) -> None:
        """Called with the segments the new generation will hold (this writer's own among them, written),
        before the table of contents that makes them searchable."""

    def segment_reader(self, segment: Any) -> Any:
        """A reader of one of :meth:`before_commit`'s segments."""
        return _reading.SegmentReader(self.storage, self.schema, segment)

    def commit_merging(
        self, choose: Callable[[list[tuple[int, int]]], Sequence[int]], adopted: Sequence[Any] = ()
    ) -> None:
        """Commit, merging into this writer's new segment the segments ``choose`` picks (indices into the
        segments' (documents not deleted, all), which it is given); the others are kept as they are. (Whoosh's own
        policies, MERGE_SMALL by default, are not used.) The merged segment becomes searchable with the new
        table of contents, and the segments it replaces are deleted after it: a merge killed midway
        leaves the generation before it in force, and its files to the next commit's clean-up.

        ``adopted``: segments written elsewhere (:func:`staged_segments`) whose files were moved into this
        index (:func:`move_segment`): the new table of contents holds them after the others, in this order."""

        def merge(writer: Any, segments: list[Any]) -> list[Any]:
            chosen = set(choose([(segment.doc_count(), segment.doc_count_all()) for segment in segments]))
            for number in sorted(chosen):
                reader = _reading.SegmentReader(writer.storage, writer.schema, segments[number])
                try:
                    writer.add_reader(reader)
                finally:
                    reader.close()
            kept = [segment for number, segment in enumerate(segments) if number not in chosen]
            return kept + list(adopted)

        self.commit(mergetype=merge)

    def segment_sizes(self) -> list[tuple[int, int]]:
        """The segments this writer started from (the ones its commit keeps or merges, as its lock keeps
        others from committing): (documents not deleted, all) of each."""
        return [(segment.doc_count(), segment.doc_count_all()) for segment in self.segments]

    def stored_values(self, numbers: Sequence[int], field: str) -> list[Any]:
        """The stored ``field`` of every document not deleted of these segments (indices into
        :meth:`segment_sizes`), segment by segment in their order, as :meth:`commit_merging` adds them."""
        found: list[Any] = []
        for number in sorted(numbers):
            reader = _reading.SegmentReader(self.storage, self.schema, self.segments[number])
            try:
                found.extend(fields[field] for fields in reader.all_stored_fields())
            finally:
                reader.close()
        return found

    def commit_dropping(self, numbers: Sequence[int], adopted: Sequence[Any] = ()) -> None:
        """Commit without these segments (indices into :meth:`segment_sizes`), unread: their documents are
        this writer's to have added again. As in :meth:`commit_merging`, the new table of contents is
        written last and the dropped segments' files deleted after it."""
        dropped = set(numbers)

        def keep(_writer: Any, segments: list[Any]) -> list[Any]:
            return [segment for number, segment in enumerate(segments) if number not in dropped] + list(adopted)

        self.commit(mergetype=keep)

    def add_document(self, **fields: Any) -> None:
        schema = self.schema
        self._check_state()
        names = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, names)
        docnum = self.docnum
        docboost = self._doc_boost(fields)
        writer = self.perdocwriter
        writer.start_doc(docnum)
        try:
            for name in names:
                value = fields[name]
                if value is None:
                    continue
                field = schema[name]
                length = 0
                if field.indexed:
                    length = self.index_value(name, field, value, docnum, self._field_boost(fields, name, docboost))
                    if not field.scorable:
                        length = 0
                stored = fields.get(f"_stored_{name}", value)
                writer.add_field(name, field, stored if field.stored else None, length)
                if field.column_type and stored is not None:
                    writer.add_column_value(name, field.column_type, field.to_column_value(stored))
        except BaseException:
            writer.cancel_doc()
            raise
        writer.finish_doc()
        self._added = True
        self.docnum += 1

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        lengths = self.per_document_reader()
        try:
            self.write_postings(lengths)
        finally:
            lengths.close()
        self.fieldwriter.close()

    def _close_segment(self) -> None:
        super()._close_segment()
        self.discard_postings()  # (a cancelled writer may have sorted runs on disk)

    def _commit_toc(self, segments: list[Any]) -> None:
        self.before_commit(segments)
        super()._commit_toc(segments)


# --- segments written by another process, adopted by a commit ------------------------------------


def staged_segments(directory: str) -> list[Any]:
    """The segments of the newest commit of the index in ``directory`` (an ingest worker's staging index),
    read from its table of contents."""
    from whoosh.filedb.filestore import FileStorage

    return list(_index.TOC.read(FileStorage(directory), INDEX_NAME).segments)


def move_segment(segment: Any, source: str, target: str) -> None:
    """Move every file of ``segment`` (Whoosh's and those the archive keeps beside it: all named
    ``<index>_<segment id>.<extension>``) from one index folder to another on the same file system, each
    move atomic. Until a table of contents names the segment, Whoosh's clean-up of the next commit deletes
    the moved files as unused."""
    prefix = f"{segment.segment_id()}."
    for name in os.listdir(source):
        if name.startswith(prefix):
            os.replace(os.path.join(source, name), os.path.join(target, name))


def segment_documents(segment: Any) -> int:
    """How many documents a segment holds (deleted ones included)."""
    return int(segment.doc_count_all())


def write_lock_held(directory: str) -> bool:
    """Whether some process holds the write lock of the index in ``directory`` (asked without waiting: the
    lock is taken and given back at once when free)."""
    from whoosh.filedb.filestore import FileStorage

    lock = FileStorage(directory).lock(f"{INDEX_NAME}_WRITELOCK")
    if not lock.acquire(False):
        return True
    lock.release()
    return False
