"""A search in meaning or hybrid mode: the words' matches turned into the mode's result set and scores
(the rules are :mod:`archive.search.meaning`'s), before anything is counted or listed."""

from __future__ import annotations

import re
from concurrent.futures import Future
from typing import Any, NamedTuple

import numpy as np

from archive.errors import ArchiveError
from archive.index.query.arrays import Mask, Matches
from archive.index.query.evaluator import Evaluator
from archive.index.query.values import DocValues
from archive.messages import Message
from archive.search.expansion import QueryExpander
from archive.search.meaning import (
    MeaningVectors,
    check_model,
    exact_parts,
    meaning_set,
    rank_fused,
    similarities,
)
from archive.search.parsing import parse_query
from archive.semantic.embedder import Vectors


class ModeResult(NamedTuple):
    matches: Matches
    #: Found by meaning and not by the words.
    by_meaning: Mask
    notes: list[str]


_DEVANAGARI = re.compile("[\u0900-\u097f]")


def resolved_mode(mode: str, query: str, vectors: MeaningVectors, reads: Any) -> str:
    """``auto``, the CLI's and the page's default, chosen by measurement (benchmarks/semantic.py, and the
    known-item benchmark by mode): a query in Devanagari searches words (a remembered article: MRR@10 0.94
    by words, 0.59 hybrid), one in Latin letters hybrid (English questions of Hindi news: precision@10 0.03 by
    words, 0.70 hybrid), when the archive's vectors can be searched; words otherwise."""
    if mode != "auto":
        return mode
    if _DEVANAGARI.search(query):
        return "words"
    try:
        check_model(vectors.loaded(reads), vectors.spec)
    except ArchiveError:  # (nothing embedded, another model's vectors, or no model installed)
        return "words"
    return "hybrid"


def started_query(vectors: MeaningVectors, query: str) -> Future[Vectors]:
    """Start embedding what the query asks, quoted phrases as words and excluded parts left out."""
    _, _, text = exact_parts(query)
    return vectors.start_query(text or query)


def apply_mode(
    mode: str,
    query: str,
    embedded: Future[Vectors],
    vectors: MeaningVectors,
    reads: Any,
    words: Matches,
    filters: dict[str, Mask],
    evaluator: Evaluator,
    values: DocValues,
    expander: QueryExpander,
    searcher: Any,
) -> ModeResult:
    """The mode's matches: ``meaning``, the meaning set held to the query's exact parts; ``hybrid``, the union
    of the words' matches and that set, scored by rank fusion among the results the filters leave."""
    loaded = vectors.loaded(reads)
    check_model(loaded, vectors.spec)
    rows, has = vectors.by_document(loaded, values)
    similarity = similarities(loaded, rows, has, embedded.result())
    exact = _exact(query, evaluator, values, expander, searcher)
    near = meaning_set(similarity, exact & values.live())
    found = near | words.mask if mode == "hybrid" else near
    result = found.copy()
    for kept in filters.values():
        result &= kept
    if mode == "meaning":
        scores = np.where(found, np.maximum(similarity, 0.0), 0.0)
    else:
        scores = rank_fused(words.scores, words.mask, similarity, near, result)
    notes: list[str] = []
    covered = int(np.count_nonzero(has))
    live = int(np.count_nonzero(values.live()))
    if covered < live:
        notes.append(Message("note_meaning_partial", embedded=f"{covered:,}", articles=f"{live:,}"))
    return ModeResult(Matches(found, scores), near & ~words.mask, notes)


def _exact(query: str, evaluator: Evaluator, values: DocValues, expander: QueryExpander, searcher: Any) -> Mask:
    """The documents that hold every quoted phrase of the query and none of its excluded parts."""
    quoted, excluded, _ = exact_parts(query)
    mask = values.live().copy()
    for part, keep in [(q, True) for q in quoted] + [(e, False) for e in excluded]:
        matched = evaluator.scores(expander.expand(parse_query(part, searcher.schema))).mask
        mask &= matched if keep else ~matched
    return mask
