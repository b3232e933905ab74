"""Ranking by closeness: among the best results of a query of several words, those where the words stand
together rank first.

BM25 scores each word on its own, so an article that mentions आम, आदमी and पार्टी in three different
paragraphs ranks beside one about the आम आदमी पार्टी. For a query of several words typed one after another
(no operators, quotes or fields), sorted by relevance, the :data:`RANKED` best results (after the filters)
rank in tiers: first those where the words' variant keys stand side by side (in the title or the body),
then those where they stand within :data:`NEAR` words in the order typed, then the rest, each tier by its
score (where a word in the title counts more). Closeness never changes which articles match, only their
order.
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
from archive.index.query.phrase import spans_within
from archive.search.expansion import typed_words

#: How far apart (in words) the words may stand and still count as near one another.
NEAR = 8
#: Where closeness is looked for: a summary repeats the title and the body's first lines (looking there too
#: cost a third more and changed no ranking of the known-item benchmark).
FIELDS = ("title", "body")
#: The best-scored documents ranked by closeness.
RANKED = 50


def closeness_queries(parsed: Any) -> tuple[Any, Any] | None:
    """The phrases of the words side by side and near one another, in the title or the body (None when the query
    is not several words typed in a row)."""
    subs = getattr(parsed, "subqueries", ())
    if type(parsed) is not wq.And or len(subs) < 2:
        return None
    words = typed_words(list(subs))
    if len(words) != len(subs):
        return None
    keys = [VARIANT_PREFIX + variant_key(word) for word in words]
    adjacent, near = (wq.Or([wq.Phrase(field, keys, slop=slop) for field in FIELDS]) for slop in (1, NEAR))
    return adjacent, near


@dataclass(frozen=True)
class Closeness:
    """What closeness added: to the documents with the words near one another, and again to those with
    them side by side, ``step`` each (for explaining a score)."""

    near: Mask
    adjacent: Mask
    step: float


def add_closeness(matches: Matches, parsed: Any, evaluator: Evaluator, shown: Mask) -> Closeness | None:
    """Rank the best :data:`RANKED` documents of ``shown`` (the result: the words and every filter) by
    closeness first, then by their scores: those
    with the words side by side above those with the words near one another, and those above the rest
    (each tier is raised by the best score, so the order within a tier stays the score's). Only the best
    are looked at: reading every matching document's positions of common words cost several times the
    search."""
    queries = closeness_queries(parsed)
    if queries is None or not shown.any():
        return None
    best = np.zeros_like(shown)
    best[list(islice(ranked(matches.scores, shown, sign=-1), RANKED))] = True
    step = float(matches.scores[best].max())
    near_found, adjacent_found = np.zeros_like(best), np.zeros_like(best)
    for field, keys in _phrases(queries[1]):
        near, adjacent = spans_within(
            evaluator.searcher, evaluator.values, field, keys, (NEAR, 1), best, evaluator.stats
        )
        near_found |= near
        adjacent_found |= adjacent
    matches.scores[near_found] += step
    matches.scores[adjacent_found] += step
    return Closeness(near_found, adjacent_found, step)


def _phrases(query: Any) -> list[tuple[str, list[str]]]:
    return [(phrase.fieldname, list(phrase.words)) for phrase in query.subqueries]
