"""A term's postings in one segment, read whole: from the segment's plain arrays when it has them
(:mod:`archive.index.codec.array_postings`), else from Whoosh's blocks, a block at a time."""

from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate, repeat
from typing import Any

import numpy as np

from archive.index.codec.array_postings import Scratch
from archive.index.query.arrays import Floats, Ints
from archive.index.query.values import DocValues


def term_postings(
    values: DocValues,
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
    postings = values.array_postings(leaf).postings(field, text, out)
    if postings is None:
        if (field, text) not in reader:
            return None
        by_document = None
        if positions is not None:
            by_document = positions[text] = {}
        postings = block_postings(leaf_postings(reader, field, text), by_document, decode)
    return postings


def leaf_postings(reader: Any, field: str, text: bytes) -> Any:
    """A segment's matcher for one term without Whoosh's per-document deletion filter (callers mask
    deleted documents themselves, all at once)."""
    matcher = reader.postings(field, text)
    return getattr(matcher, "child", matcher)


def block_postings(
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


def positions_in(reader: Any, field: str, text: bytes, wanted: list[int], decode: Any) -> dict[int, list[int]]:
    """A term's positions in the ``wanted`` documents (sorted) of one segment. Blocks holding none of
    them are skipped unread (a block's last document number is in its header)."""
    from whoosh.codec.whoosh3 import W3LeafMatcher

    matcher = leaf_postings(reader, field, text)
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


def decoder(field: Any) -> Any:
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
