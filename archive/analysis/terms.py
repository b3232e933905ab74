"""From words to index terms with positions: the one path text takes into the index.

The Whoosh analyzer (:func:`archive.analysis.hindi_analyzer`) makes a token object per word and runs
it through four generators; at index time that costs more than writing the postings. Here a word
becomes its terms with one dictionary look-up (:func:`word_terms`: each distinct word is normalised,
stop-checked and keyed once per process), and the indexed words of any number of texts get their
positions at once (:func:`indexed_positions`). The segment writer's text postings
(:mod:`archive.index.codec.text_postings`) and :func:`index_terms` both go this way, and a test holds
them to the analyzer's terms and positions.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from archive.analysis.cached import normalize_word, variant_key
from archive.analysis.compounds import compound_words
from archive.analysis.stopwords import is_stopword
from archive.analysis.variants import VARIANT_PREFIX

#: Distinct raw words remembered; past this the memory is given back and the cache starts afresh, so a
#: huge ingest (numbers, typos, names) cannot grow it without bound.
WORD_CACHE_LIMIT = 300_000

# raw word -> (exact term, variant-key term), or None for a word that is not indexed
_words: dict[str, tuple[str, str] | None] = {}


def word_terms(word: str) -> tuple[str, str] | None:
    """The two index terms of one raw word (its normal form and its variant key), or None when the word
    is not indexed (a stopword, or nothing left after normalisation).

    >>> word_terms("लॉवरोव"), word_terms("और"), word_terms("\u200c")
    (('लॉवरोव', '~लावरोव'), None, None)
    """
    try:
        return _words[word]
    except KeyError:
        pass
    normal = normalize_word(word)
    terms = None if not normal or is_stopword(normal) else (normal, VARIANT_PREFIX + variant_key(normal))
    if len(_words) >= WORD_CACHE_LIMIT:
        _words.clear()
    _words[word] = terms
    return terms


def indexed_positions(kept: np.ndarray[Any, Any], text_of: np.ndarray[Any, Any], starts: np.ndarray[Any, Any]) -> Any:
    """The word positions of the indexed words of several texts, as the analyzer numbers them: a text's
    first indexed word keeps its place (its number among the text's words), the others follow it one by
    one, so a stopword leaves no gap (a phrase matches with or without it).

    ``kept``: where the indexed words are among all the texts' words, one text after another (ascending);
    ``text_of``: which text each of them is in; ``starts``: where each text's words start. Computed in the
    type of ``kept``.

    >>> kept, text_of = np.array([1, 2, 4, 6, 7]), np.array([0, 0, 0, 1, 1])  # two texts: words 0-4 and 5-8
    >>> indexed_positions(kept, text_of, np.array([0, 5])).tolist()
    [1, 2, 3, 1, 2]
    """
    first = np.ones(len(kept), dtype=bool)
    first[1:] = text_of[1:] != text_of[:-1]
    at = np.arange(len(kept), dtype=kept.dtype)
    first_at = np.maximum.accumulate(np.where(first, at, 0))
    del first
    return kept[first_at] - starts.astype(kept.dtype)[text_of] + (at - first_at)


def index_terms(text: str) -> dict[str, list[int]]:
    """Every index term of ``text`` with its word positions (see :func:`indexed_positions`).

    >>> index_terms("और लॉवरोव ने लावरोव से मुलाकात की")
    {'लॉवरोव': [1], '~लावरोव': [1, 2], 'लावरोव': [2], 'मुलाकात': [3], '~मुलाकात': [3]}
    """
    known = _words
    indexed: list[tuple[int, tuple[str, str]]] = []
    for index, word in enumerate(compound_words(text)):
        terms = known[word] if word in known else word_terms(word)
        if terms is not None:
            indexed.append((index, terms))
    positions: dict[str, list[int]] = {}
    if not indexed:
        return positions
    kept = np.fromiter((i for i, _ in indexed), dtype=np.int64, count=len(indexed))
    places = indexed_positions(kept, np.zeros(len(kept), dtype=np.int64), np.zeros(1, dtype=np.int64))
    for (_, terms), place in zip(indexed, places.tolist(), strict=True):
        for term in terms:
            positions.setdefault(term, []).append(place)
    return positions
