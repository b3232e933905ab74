"""A term's postings in one segment, read whole: from the segment's plain arrays when it has them
(:mod:`archive.index.codec.array_postings`), else from Whoosh's blocks, a block at a time."""

from __future__ import annotations

from bisect import bisect_right
from itertools import repeat
from typing import Any

import numpy as np

from archive.index.codec.array_postings import Scratch
from archive.index.codec.whoosh3 import blocks, held_leaf_matcher, leaf_matcher
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
        matcher = held_leaf_matcher(reader, field, text)
        if matcher is None:
            return None
        by_document = None
        if positions is not None:
            by_document = positions[text] = {}
        postings = block_postings(matcher, by_document, decode)
    return postings


def block_postings(
    matcher: Any, positions: dict[int, list[int]] | None = None, decode: Any = None
) -> tuple[Ints, Floats]:
    """A term's postings from Whoosh's blocks: document numbers and weights; and into ``positions``, when
    given, each document's positions (``decode`` reads a posting's value)."""
    ids: list[int] = []
    weights: list[float] = []
    found = blocks(matcher)
    if found is not None:
        for block in found:
            block_ids, block_weights, values = block.postings()
            ids.extend(block_ids)
            if positions is not None:
                positions.update(zip(block_ids, map(decode, values), strict=True))
            if block_weights is None:
                weights.extend(repeat(1.0, len(block_ids)))
            elif isinstance(block_weights, float):
                weights.extend(repeat(block_weights, len(block_ids)))
            else:
                weights.extend(block_weights)
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
    matcher = leaf_matcher(reader, field, text)
    found: dict[int, list[int]] = {}
    wanted_set = set(wanted)
    in_blocks = blocks(matcher, values=True)
    if in_blocks is not None:
        covered = 0  # how many of `wanted` are at or before the previous block's last document
        for block in in_blocks:
            reaches = bisect_right(wanted, block.last_id)
            if reaches > covered:
                ids, _, values = block.postings()
                found.update((d, decode(v)) for d, v in zip(ids, values, strict=True) if d in wanted_set)
            covered = reaches
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
