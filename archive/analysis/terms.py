"""Index terms of a whole text in one pass: the indexing fast path.

The Whoosh analyzer (:func:`archive.analysis.hindi_analyzer`) makes a token object per word and runs
it through four generators; at index time that costs more than writing the postings. This module
gives the same terms at the same positions (a test holds the two to it) from one regex scan and one
dictionary look-up per word: each distinct word is normalised, stop-checked and keyed once per
process.
"""

from __future__ import annotations

from archive.analysis.cached import normalize_word, variant_key
from archive.analysis.stopwords import is_stopword
from archive.analysis.tokenizer import WORD_RE
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


def index_terms(text: str) -> dict[str, list[int]]:
    """Every index term of ``text`` with its word positions, as the analyzer numbers them: a stopword
    leaves no gap (a phrase matches with or without it), and counting starts at the first indexed word.

    >>> index_terms("और लॉवरोव ने लावरोव से मुलाकात की")
    {'लॉवरोव': [1], '~लावरोव': [1, 2], 'लावरोव': [2], 'मुलाकात': [3], '~मुलाकात': [3]}
    """
    # Positions are gathered per raw word first (one dictionary step per word of text), then handed to
    # its two terms (one step per distinct word). A list may be shared by a word's two terms, so lists
    # are never changed once handed on: terms that several raw words meet in get a new, merged list.
    by_word: dict[str, tuple[tuple[str, str], list[int]]] = {}
    position = -1
    known = _words
    for index, word in enumerate(WORD_RE.findall(text)):
        terms = known[word] if word in known else word_terms(word)
        if terms is None:
            continue
        position = index if position < 0 else position + 1
        found = by_word.get(word)
        if found is None:
            by_word[word] = (terms, [position])
        else:
            found[1].append(position)
    positions: dict[str, list[int]] = {}
    for terms, places in by_word.values():
        for term in terms:
            earlier = positions.get(term)
            positions[term] = places if earlier is None else sorted(earlier + places)
    return positions
