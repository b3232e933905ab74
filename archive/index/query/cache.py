"""What one searcher's searches found of a query's leaves (a term's scored documents, a phrase's), kept for
the next searches on the same searcher.

A searcher's segments, deletions and index-wide statistics never change (a commit makes a new searcher,
and with it new :class:`~archive.index.query.values.DocValues` and a new cache), so a term's documents and
BM25 scores, or a phrase's, are the same in every search it serves: kept, they are the same arrays, to
the last bit, as computing them again (what the differential test compares). The words of a news archive's
queries recur (the day's names, a desk's beat), and a query's leaves are shared by its variants: a
phrase's words, a word's spellings in each field. A cache holds at most :data:`BUDGET` bytes, the least
recently used leaving first. Whole queries' matches are kept too, in a cache of their own
(:data:`QUERIES_BUDGET`): the search page's timeline evaluates its search's query again, and so do its
next page, a facet's click and an export.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, NamedTuple, TypeVar

from archive.index.query.arrays import Floats, Ints, Matches

#: Bytes of arrays a searcher's cache holds at most (a word in most of 100,000 articles: 1.3 MB; of a
#: million, 13 MB). `archive serve` holds up to 4 searchers in each of its workers: a bound per searcher
#: must leave a 2-worker server under 1 GB at a million articles.
BUDGET = 32 * 1024 * 1024
#: Bytes of whole queries' matches a searcher holds at most (a mask and scores for every document: 0.9 MB
#: at 100,000 articles, 9 MB at a million, where the search page's query and its timeline's are one).
QUERIES_BUDGET = 24 * 1024 * 1024


class Found(NamedTuple):
    """A leaf's matching documents (global numbers, distinct, deleted ones left out) and their scores
    (None when not scored)."""

    ids: Ints
    scores: Floats | None

    @property
    def size(self) -> int:
        return _size(self)


#: What a cache holds: a leaf's :class:`Found`, or a whole query's :class:`Matches`.
Kept = TypeVar("Kept", Found, Matches)


def _size(kept: Found | Matches) -> int:
    return sum(array.nbytes for array in kept if array is not None)


class LeafCache(Generic[Kept]):
    """A searcher's found leaves (or whole queries' matches) by key, least recently used first out beyond
    ``budget`` bytes. What it holds is never written: a caller that changes arrays changes copies."""

    def __init__(self, budget: int = BUDGET) -> None:
        self.budget = budget
        self.held = 0
        self._found: OrderedDict[Hashable, Kept] = OrderedDict()

    def get(self, key: Hashable) -> Kept | None:
        found = self._found.get(key)
        if found is not None:
            self._found.move_to_end(key)
        return found

    def put(self, key: Hashable, found: Kept) -> None:
        size = _size(found)
        if size > self.budget:
            return
        old = self._found.pop(key, None)
        if old is not None:
            self.held -= _size(old)
        self._found[key] = found
        self.held += size
        while self.held > self.budget:
            _, dropped = self._found.popitem(last=False)
            self.held -= _size(dropped)

    def __len__(self) -> int:
        return len(self._found)
