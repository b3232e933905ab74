"""Whoosh's BM25F, for many postings at once, with the same float operations as Whoosh's scorer.

A term's weight comes from index-wide statistics (:func:`term_weight`, what Whoosh's ``BM25FScorer``
holds); :func:`bm25` then scores all of the term's postings in one segment with numpy, to the last bit of
Whoosh's scores.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from archive.index.codec.whoosh3 import field_b
from archive.index.query.arrays import Floats


class TermWeight(NamedTuple):
    """What Whoosh's ``BM25FScorer`` of a term holds, for scoring many postings at once (:func:`bm25`)."""

    idf: float
    K1: float
    B: float
    avgfl: float


def term_weight(searcher: Any, field: str, text: bytes) -> TermWeight | None:
    """The BM25 parameters Whoosh would score the term with; None when it would not use ``BM25FScorer``.

    Asking Whoosh for its scorer would also read the term's entry in every segment, for a bound on its
    scores that only Whoosh's own matchers use: with five segments, 3 ms of a two-word search.
    """
    from whoosh.scoring import BM25F

    weighting = searcher.weighting
    if type(weighting) is not BM25F or not searcher.schema[field].scorable:
        return None
    top = searcher.get_parent()  # (the statistics are the whole index's, as BM25FScorer takes them)
    return TermWeight(top.idf(field, text), weighting.K1, field_b(weighting, field), top.avg_field_length(field) or 1)


class TermStats:
    """One search's look-ups of its terms' index-wide statistics: whether the index holds a term, and the
    weight it is scored with. A query names each word in several of its parts (the word in each field, its
    phrases, its synonyms' phrases, the closeness ranking), and each look-up reads the term's entry in
    every segment (a tenth of a two-word search at 100,000 articles in five segments). Kept as long as the
    searcher (:meth:`archive.index.query.values.DocValues.term_stats`): its answers never change."""

    def __init__(self, searcher: Any) -> None:
        self.searcher = searcher
        self._held: dict[tuple[str, bytes], bool] = {}
        self._weights: dict[tuple[str, bytes], TermWeight | None] = {}

    def held(self, field: str, text: bytes) -> bool:
        """Whether some segment of the index holds the term."""
        key = (field, text)
        found = self._held.get(key)
        if found is None:
            found = self._held[key] = key in self.searcher.reader()
        return found

    def weight(self, field: str, text: bytes) -> TermWeight | None:
        """:func:`term_weight`, looked up once a search."""
        key = (field, text)
        if key not in self._weights:
            self._weights[key] = term_weight(self.searcher, field, text)
        return self._weights[key]


def bm25(tf: Floats, norm: Floats, idf: float, k1: float) -> Floats:
    """``whoosh.scoring.bm25`` for many postings at once: ``idf * ((tf * (K1 + 1)) / (tf + norm))``, where
    ``norm`` is :meth:`archive.index.query.values.DocValues.norms` at their documents. Computed in place
    in both arrays, with the same float operations as Whoosh's (addition and multiplication are exactly
    commutative), so the scores are Whoosh's to the last bit.

    >>> import numpy as np
    >>> from whoosh.scoring import bm25 as whoosh_bm25
    >>> norm = 1.2 * ((1 - 0.75) + 0.75 * 10 / 8)  # K1, B, a field of 10 words, 8 on average
    >>> bm25(np.array([3.0]), np.array([norm]), 1.7, 1.2).tolist() == [whoosh_bm25(1.7, 3.0, 10, 8, 0.75, 1.2)]
    True
    """
    norm += tf
    tf *= k1 + 1
    tf /= norm
    tf *= idf
    return tf


def tree_sum(parts: list[Floats]) -> Floats:
    """Sum as Whoosh's ``make_binary_tree`` of intersection matchers adds its children's scores (the
    order of float additions decides the last bits).

    >>> import numpy as np
    >>> tree_sum([np.array([1.0]), np.array([2.0]), np.array([4.0])]).tolist()
    [7.0]
    """
    if len(parts) == 1:
        return parts[0]
    if len(parts) == 2:
        return parts[0] + parts[1]
    half = len(parts) // 2
    return tree_sum(parts[:half]) + tree_sum(parts[half:])
