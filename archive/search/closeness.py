"""Ranking by closeness: among the articles that hold every word of a query, those where the words stand
together rank first.

BM25 scores each word on its own, so an article that mentions आम, आदमी and पार्टी in three different
paragraphs ranks beside one about the आम आदमी पार्टी. For a query of several words typed one after another
(no operators, quotes or fields), the words' variant keys as a phrase add to the score of the articles
that match anyway rank in tiers: first those where they stand side by side (in any text field), then those
where they stand within :data:`NEAR` words in the order typed, then the rest, each tier by its score (where
a word in the title counts more). Closeness never changes which articles match, only their order.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import islice
from typing import Any

import numpy as np
from whoosh import query as wq

from archive.analysis.cached import variant_key
from archive.analysis.variants import VARIANT_PREFIX
from archive.index.query.arrays import Mask, Matches
from archive.index.query.collect import ranked
from archive.index.query.evaluator import Evaluator
from archive.index.query.phrase import put_phrase
from archive.search.expansion import typed_words
from archive.search.parsing import SEARCH_FIELDS

#: How far apart (in words) the words may stand and still count as near one another.
NEAR = 8
#: The best-scored documents ranked by closeness.
RANKED = 200


def closeness_queries(parsed: Any) -> tuple[Any, Any] | None:
    """The phrases of the words side by side and near one another, in any text field (None when the query
    is not several words typed in a row)."""
    subs = getattr(parsed, "subqueries", ())
    if type(parsed) is not wq.And or len(subs) < 2:
        return None
    words = typed_words(list(subs))
    if len(words) != len(subs):
        return None
    keys = [VARIANT_PREFIX + variant_key(word) for word in words]
    adjacent, near = (wq.Or([wq.Phrase(field, keys, slop=slop) for field in SEARCH_FIELDS]) for slop in (1, NEAR))
    return adjacent, near


@dataclass(frozen=True)
class Closeness:
    """What closeness added: to the documents with the words near one another, and again to those with
    them side by side, ``step`` each (for explaining a score)."""

    near: Mask
    adjacent: Mask
    step: float


def add_closeness(matches: Matches, parsed: Any, evaluator: Evaluator) -> Closeness | None:
    """Rank the best :data:`RANKED` documents of ``matches`` by closeness first, then by their scores: those
    with the words side by side above those with the words near one another, and those above the rest
    (each tier is raised by the best score, so the order within a tier stays the score's). Only the best
    are looked at: reading every matching document's positions of common words cost several times the
    search."""
    queries = closeness_queries(parsed)
    if queries is None or not matches.mask.any():
        return None
    best = np.zeros_like(matches.mask)
    best[list(islice(ranked(matches.scores, matches.mask, sign=-1), RANKED))] = True
    step = float(matches.scores[best].max())
    adjacent, near = queries
    # (words side by side are near one another too: only the near documents are looked at again)
    near_found = _phrase_docs(near, best, evaluator)
    adjacent_found = _phrase_docs(adjacent, near_found, evaluator)
    matches.scores[near_found] += step
    matches.scores[adjacent_found] += step
    return Closeness(near_found, adjacent_found, step)


def _phrase_docs(query: Any, only: Mask, evaluator: Evaluator) -> Mask:
    """The documents of ``only`` that one of the phrases of ``query`` matches."""
    found = Matches(np.zeros_like(only), np.zeros(only.size))
    if only.any():
        for phrase in query.subqueries:
            if not put_phrase(evaluator.searcher, evaluator.values, phrase, found, only=only):
                found.mask[:] |= evaluator.docs(phrase)
    return found.mask & only
