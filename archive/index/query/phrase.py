"""Phrases and proximity, found and scored as Whoosh's ``SpanNear2`` finds and scores them.

Positions are read only for the documents that hold every word of the phrase: common words' from the
segment's plain arrays (:mod:`archive.index.codec.array_positions`), rarer words' from the same reading
of their blocks as their postings.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from archive.index.codec.array_positions import positions_of
from archive.index.query.arrays import Floats, Ints, Mask, Matches
from archive.index.query.bm25 import TermStats, TermWeight, bm25, tree_sum
from archive.index.query.cache import Found
from archive.index.query.postings import decoder, positions_in, term_postings
from archive.index.query.values import DocValues

#: The closeness rankings (field, words, slops) whose documents' answers a searcher keeps at most (a few
#: dozen documents each).
SPANS_KEPT = 1_000


@dataclasses.dataclass
class PhraseSegment:
    """What a phrase search holds of one segment: its terms' postings, the positions of those read from
    their blocks, and (while the phrase is checked) their posting numbers by document."""

    leaf: int
    reader: Any
    offset: int
    postings: dict[bytes, tuple[Ints, Floats]]
    block_positions: dict[bytes, dict[int, list[int]]]
    index_of: dict[bytes, Ints] = dataclasses.field(default_factory=dict)


def put_phrase(searcher: Any, values: DocValues, node: Any, found: Matches, stats: TermStats | None = None) -> bool:
    """Mark a phrase's documents in ``found`` and add their scores to the scores there, as Whoosh's
    ``SpanNear2`` finds and scores it: documents holding every word, in order, each within ``slop``
    positions of the span before it, scored as the sum of the words' BM25 scores (summed in Whoosh's
    binary tree) times the phrase's boost. Positions come from the segments' plain arrays for common
    words, and from the same reading of a rarer word's blocks as its postings. False, with nothing done,
    when Whoosh must find it (or say what is wrong with it).

    A union's phrases (a word's exact and variant spellings, in each field) go straight into the union,
    not each into a pair of arrays over all documents that are then added to it. ``stats``: the search's
    look-ups of its terms (by default the searcher's). What a phrase finds is kept in the searcher's cache
    (:mod:`archive.index.query.cache`) for the next searches."""
    key = ("phrase", node.fieldname, tuple(node.words), node.slop, node.boost)
    held = values.cache.get(key)
    if held is None:
        held = _phrase_found(searcher, values, node, stats or values.term_stats())
        if held is None:
            return False
        values.cache.put(key, held)
    ids, scores = held
    found.mask[ids] = True
    if scores is not None:  # (always: a phrase is scored)
        found.scores[ids] += scores  # (the documents are distinct)
    return True


def _phrase_found(searcher: Any, values: DocValues, node: Any, stats: TermStats) -> Found | None:
    """A phrase's documents and scores (:func:`put_phrase`), None when Whoosh must find it."""
    fieldname = node.fieldname
    none = Found(np.zeros(0, dtype=np.int64), np.zeros(0))
    try:
        field = searcher.schema[fieldname]
    except KeyError:
        field = None
    if field is None or not field.format or not field.format.supports("positions") or not node.words:
        return None  # Whoosh says what is wrong with it
    try:
        texts = [field.to_bytes(word) for word in node.words]
    except ValueError:
        return none
    if not all(stats.held(fieldname, text) for text in texts):
        return none
    found_weights = {text: stats.weight(fieldname, text) for text in set(texts)}
    weights = {text: weight for text, weight in found_weights.items() if weight is not None}
    if len(weights) < len(found_weights):
        return None
    decode = decoder(field)
    parts: list[tuple[Ints, Floats]] = []
    for leaf in range(len(values.leaves)):
        segment = _phrase_segment(values, leaf, fieldname, set(texts), decode)
        if segment is None:
            continue
        # (a binary search for each of tens of thousands of candidates cost twice as much)
        with values.posting_numbers({text: ids for text, (ids, _) in segment.postings.items()}) as index_of:
            segment.index_of = index_of
            part = _phrase_in(values, node, segment, texts, weights, decode)
        if part is not None:
            parts.append(part)
    if not parts:
        return none
    return Found(np.concatenate([ids for ids, _ in parts]), np.concatenate([scores for _, scores in parts]))


def spans_within(
    searcher: Any,
    values: DocValues,
    fieldname: str,
    words: Sequence[str],
    slops: Sequence[int],
    only: Mask,
    stats: TermStats | None = None,
) -> list[Mask]:
    """For each of ``slops``, the documents of ``only`` in which ``words`` stand in order within that slop
    (as :func:`put_phrase` finds a phrase of that slop), from one reading of each word's positions in those
    documents: what ranking a few candidates by closeness needs. Segments holding none of them are not read.
    What a document was found to hold is kept with the searcher (``values.spans``): the best documents of a
    query are asked again when it is searched again (the next page, another filter)."""
    if len(values.spans) > SPANS_KEPT:
        values.spans.clear()
    known = values.spans.setdefault((fieldname, tuple(words), tuple(slops)), {})
    asked = np.flatnonzero(only).tolist()
    unknown = [doc for doc in asked if doc not in known]
    if unknown:
        fresh = np.zeros(values.count, dtype=bool)
        fresh[unknown] = True
        new = _spans_within(searcher, values, fieldname, words, slops, fresh, stats)
        for doc in unknown:
            known[doc] = tuple(bool(mask[doc]) for mask in new)
    found = [np.zeros(values.count, dtype=bool) for _ in slops]
    for doc in asked:
        for mask, held in zip(found, known[doc], strict=True):
            mask[doc] = held
    return found


def _spans_within(
    searcher: Any,
    values: DocValues,
    fieldname: str,
    words: Sequence[str],
    slops: Sequence[int],
    only: Mask,
    stats: TermStats | None = None,
) -> list[Mask]:
    """:func:`spans_within`, for every document of ``only``."""
    found = [np.zeros(values.count, dtype=bool) for _ in slops]
    try:
        field = searcher.schema[fieldname]
    except KeyError:
        return found
    if not field.format or not field.format.supports("positions") or not words:
        return found
    texts = [field.to_bytes(word) for word in words]
    stats = stats or values.term_stats()
    if not all(stats.held(fieldname, text) for text in texts):
        return found
    decode = decoder(field)
    for leaf, (sub, offset) in enumerate(values.leaves):
        if not only[offset : offset + sub.reader().doc_count_all()].any():
            continue
        segment = _phrase_segment(values, leaf, fieldname, set(texts), decode)
        if segment is None:
            continue
        # the few candidates' places in each word's postings by binary search (a table of every document's
        # place, as put_phrase builds for thousands of candidates, cost more than the rest together)
        candidates = np.flatnonzero(only[offset : offset + sub.reader().doc_count_all()])
        for text in set(texts):
            ids = segment.postings[text][0]
            at = np.minimum(np.searchsorted(ids, candidates), ids.size - 1)
            candidates = candidates[ids[at] == candidates]
        if not candidates.size:
            continue
        places = {text: np.searchsorted(segment.postings[text][0], candidates) for text in set(texts)}
        positions = {
            text: _positions(values, segment, fieldname, text, candidates, decode, places[text]) for text in set(texts)
        }
        for doc in candidates.tolist():
            held = [positions[text][doc] for text in texts]
            for mask, slop in zip(found, slops, strict=True):
                if spans_near(held, slop):
                    mask[doc + offset] = True
    return found


def _phrase_segment(
    values: DocValues, leaf: int, field: str, texts: Iterable[bytes], decode: Any
) -> PhraseSegment | None:
    """What a phrase needs of one segment; None when the segment lacks one of its terms."""
    sub, offset = values.leaves[leaf]
    reader = sub.reader()
    segment = PhraseSegment(leaf, reader, offset, {}, {})
    for text in texts:
        postings = term_postings(values, leaf, reader, field, text, positions=segment.block_positions, decode=decode)
        if postings is None:
            return None
        segment.postings[text] = postings
    return segment


def _phrase_in(
    values: DocValues,
    node: Any,
    segment: PhraseSegment,
    texts: list[bytes],
    weights: dict[bytes, TermWeight],
    decode: Any,
) -> tuple[Ints, Floats] | None:
    """:func:`put_phrase` in one segment: its documents (global numbers) and scores, None when none."""
    fieldname, postings, index_of, offset = node.fieldname, segment.postings, segment.index_of, segment.offset
    candidates = postings[texts[0]][0]
    for text in texts[1:]:
        candidates = candidates[index_of[text][candidates] >= 0]
    if values.deletions:
        candidates = candidates[values.live()[candidates + offset]]
    if not candidates.size:
        return None
    if node.slop == 1:
        matched = _exact_phrase(values, segment, fieldname, texts, candidates, decode)
    else:
        wanted = candidates.tolist()
        positions = {text: _positions(values, segment, fieldname, text, candidates, decode) for text in set(texts)}
        matched = np.array(
            [d for d in wanted if spans_near([positions[t][d] for t in texts], node.slop)], dtype=np.int64
        )
    if not matched.size:
        return None
    term_scores = []
    for text in texts:
        weight = weights[text]
        norms = values.norms(fieldname, weight.K1, weight.B, weight.avgfl)
        tf = postings[text][1][index_of[text][matched]]
        term_scores.append(bm25(tf, norms[matched + offset], weight.idf, weight.K1))
    score = tree_sum(term_scores)
    matched += offset
    return matched, score * node.boost if node.boost != 1.0 else score


def _positions(
    values: DocValues,
    segment: PhraseSegment,
    fieldname: str,
    text: bytes,
    candidates: Ints,
    decode: Any,
    places: Ints | None = None,
) -> dict[int, list[int]]:
    """A word's positions in each of the ``candidates`` (``places``: their places in its postings, by default
    from the segment's table): a common word's from the segment's plain arrays (decoding its blocks again
    cost most of a proximity search), a rarer word's from its blocks."""
    known = segment.block_positions.get(text)
    if known:
        return known
    found = values.array_positions(segment.leaf).positions(fieldname, text)
    if found is None or len(found[0]) != len(segment.postings[text][0]):
        return positions_in(segment.reader, fieldname, text, candidates.tolist(), decode)
    counts, all_positions = found
    chosen = segment.index_of[text][candidates] if places is None else places
    owner, chosen_places = positions_of(counts, all_positions, chosen)
    held: dict[int, list[int]] = {}
    for doc, place in zip(candidates[owner].tolist(), chosen_places.tolist(), strict=True):
        held.setdefault(doc, []).append(place)
    return held


def _exact_phrase(
    values: DocValues, segment: PhraseSegment, fieldname: str, texts: list[bytes], candidates: Ints, decode: Any
) -> Ints:
    """The ``candidates`` (documents of one segment, sorted) in which the words follow one another, as
    :func:`spans_near` finds with a slop of 1, for all of them at once. Each word's positions become
    keys (document, position); the keys of the next word one place on from a key so far are the chain's
    new ends. Common words' positions come from the segment's plain arrays: in all their documents when
    most of them are candidates (a chain through another document breaks at a word it lacks, and
    deleted ones are left out at the end), rather than picking out the candidates' positions first."""
    held = values.array_positions(segment.leaf)
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
                known = positions_in(segment.reader, fieldname, text, candidates.tolist(), decode)
            keys = np.array([(d << 32) | p for d in candidates.tolist() for p in known.get(d, ())], dtype=np.int64)
        ends = keys if ends is None else _common(keys, ends + 1)
        if not ends.size:
            break
    if ends is None:
        return np.zeros(0, dtype=np.int64)
    documents = ends >> 32  # sorted, as the keys are
    documents = documents[np.flatnonzero(np.diff(documents, prepend=-1))]
    # each holds every word (a chain breaks at a word its document lacks): a candidate unless deleted
    return documents[values.live()[documents + segment.offset]] if values.deletions else documents


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


def spans_near(positions: list[list[int]], slop: int) -> bool:
    """Whether the words (their positions, in phrase order) make a chain as Whoosh's ordered
    ``SpanNear2`` requires for a phrase: each word at or after the start of the span so far, 1 to ``slop``
    positions from it (a span grows to cover each word it takes in).

    >>> spans_near([[3, 9], [4]], slop=1), spans_near([[3], [5]], slop=1), spans_near([[3], [5]], slop=2)
    (True, False, True)
    >>> spans_near([[2], [2]], slop=1), spans_near([[1], [2], [3]], slop=1), spans_near([[1], [3], [2]], slop=1)
    (False, True, False)
    >>> spans_near([[1], [3], [5]], slop=2), spans_near([[1], [3], [2]], slop=2)
    (True, False)
    >>> spans_near([[5], [1, 6], [7]], slop=1)
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
