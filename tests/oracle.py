"""The engine held to Whoosh (a test oracle, kept out of the package): a query evaluated by
:class:`~archive.index.query.evaluator.Evaluator` and by Whoosh's own searcher on the same index, and where
the two disagree. Used by the differential test (``tests/test_differential.py``) and benchmark
(``benchmarks/differential.py``).

Each term's score is Whoosh's to the last bit. A document's score is a sum of its terms' scores, which Whoosh
adds in the order of a tree it builds from each subquery's estimated size (``make_weighted_tree``), and the
engine in the query's order: float addition is not associative, so a sum of three parts or more may differ
in its last bits. :data:`TOLERANCE` allows for that: each of the at most few dozen additions of a document's
score rounds by at most 2**-53 of it (the differences seen are of 1e-16 to 1e-15, relative). Ranks must hold
the same documents wherever their scores differ by more.

Whoosh is mended for the comparison (:func:`mended_and_not`): its ``AndNotMatcher`` compares the first
documents of its two matchers without moving the excluded one up to the first candidate, so ``a ANDNOT b``
finds ``a``'s first document even when ``b`` holds it, whenever ``b`` starts earlier. The engine evaluates
``ANDNOT`` itself and gets it right. (The mending swaps private methods of Whoosh's matchers: allowed here,
in the tests, and nowhere in the package but ``archive/index/codec/whoosh3.py``.)
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from whoosh import matching as whoosh_matching

from archive.index.query.evaluator import Evaluator
from archive.index.query.values import DocValues

#: Relative difference allowed between the engine's and Whoosh's score of a document (see above).
TOLERANCE = 1e-12


@dataclass(frozen=True)
class Disagreement:
    """How the engine and Whoosh differ on one query (empty lists where they agree)."""

    only_engine: list[int]
    only_whoosh: list[int]
    #: (document number, engine's score, Whoosh's score) beyond the tolerance
    scores: list[tuple[int, float, float]]
    #: (rank, engine's document, Whoosh's document) where scores differ beyond the tolerance
    ranks: list[tuple[int, int, int]]

    def __bool__(self) -> bool:
        return bool(self.only_engine or self.only_whoosh or self.scores or self.ranks)


def compare(searcher: Any, query: Any, engine_order: list[int] | None = None) -> Disagreement:
    """Where the engine and (mended) Whoosh differ on ``query`` (a parsed, expanded query) in ``searcher``.
    ``engine_order``: the engine's ranking as the archive's search returns it (document numbers), compared
    with Whoosh's rank by rank; by default the engine's matches ranked by score, then document number."""
    with mended_and_not():
        hits = searcher.search(query, limit=None)
        expected = {hit.docnum: hit.score for hit in hits}
        whoosh_order = [hit.docnum for hit in hits]
    matches = Evaluator(searcher, DocValues(searcher)).scores(query)
    found = {int(d): float(matches.scores[d]) for d in matches.mask.nonzero()[0]}
    if engine_order is None:
        engine_order = sorted(found, key=lambda d: (-found[d], d))
    scores = [
        (d, found[d], expected[d])
        for d in sorted(found.keys() & expected.keys())
        if not math.isclose(found[d], expected[d], rel_tol=TOLERANCE)
    ]
    ranks = [
        (rank, mine, theirs)
        for rank, (mine, theirs) in enumerate(zip(engine_order, whoosh_order, strict=False))
        if mine != theirs and not math.isclose(expected.get(mine, -1.0), expected[theirs], rel_tol=TOLERANCE)
    ]
    return Disagreement(sorted(found.keys() - expected.keys()), sorted(expected.keys() - found.keys()), scores, ranks)


# --- a bug of Whoosh's, mended for comparisons -----------------------------------------------------------


def _and_not_find_first(self: Any) -> None:
    if self.a.is_active() and self.b.is_active():
        if self.b.id() < self.a.id():
            self.b.skip_to(self.a.id())
        if self.b.is_active() and self.a.id() == self.b.id():
            self._find_next()


def _inverse_find_next(self: Any) -> None:
    child, missing = self.child, self.missing
    while self._id < self.limit:
        if missing(self._id):
            self._id += 1
            continue
        if child.is_active() and child.id() < self._id:
            child.skip_to(self._id)
        if child.is_active() and child.id() == self._id:
            self._id += 1
            continue
        break


@contextlib.contextmanager
def mended_and_not() -> Iterator[None]:
    """Whoosh with its ``ANDNOT`` and ``NOT`` mended, inside the block. Whoosh's ``AndNotMatcher`` compares
    the first documents of its two matchers without moving the excluded one up to the first candidate, so
    ``a ANDNOT b`` finds ``a``'s first document even when ``b`` holds it, whenever ``b`` starts earlier. Its
    ``InverseMatcher`` (a query that is only ``NOT x``) stops looking for deleted documents once ``x``'s
    matches run out, so the deleted document just after ``x``'s last one in a segment is found. (Not
    thread-safe: it swaps methods of the classes.)"""
    and_not, inverse = whoosh_matching.AndNotMatcher, whoosh_matching.InverseMatcher
    stock, stock_inverse = and_not._find_first, inverse._find_next
    and_not._find_first = _and_not_find_first  # type: ignore[method-assign]
    inverse._find_next = _inverse_find_next  # type: ignore[method-assign]
    try:
        yield
    finally:
        and_not._find_first = stock  # type: ignore[method-assign]
        inverse._find_next = stock_inverse  # type: ignore[method-assign]
