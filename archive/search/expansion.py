"""Query expansion: from the words a user typed to the index terms that find what they meant.

Each word searches its exact form (ranked first), its variant key (inflections and spelling
variants), and, through the index's vocabulary, names spelt with a vowel more or less and the
Devanagari words that a romanised word stands for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

from whoosh import query as wq

# cached: a word's vocabulary neighbours are keyed again for every query that reaches them (some 130
# forms for two words, 10 µs each uncached)
from archive.analysis.cached import variant_key
from archive.analysis.variants import VARIANT_PREFIX, latin_for_comparison, latin_skeleton, romanize, skeleton
from archive.index.vocabulary import Form, Vocabulary
from archive.search.parsing import TEXT_FIELDS

EXACT_BOOST = 1.0
KEY_BOOST = 0.5
NEAR_BOOST = 0.3
#: Skeletons shorter than this are too common to expand on (दिन / दीन, हाल / हॉल).
MIN_SKELETON = 3
ROMAN_MIN_LIKENESS = 0.75
#: A word this common has a settled spelling: its one-vowel neighbours are other words (सरकार / सरोकार),
#: while names and rare words are the ones printed several ways (नेतन्याहू / नेतान्याहू, दीवाली / दिवाली).
NEAR_MAX_SHARE = 0.02
NEAR_MIN_DOCUMENTS = 20
#: Long and short vowels fold safely in words this long, however common (वीडियो / विडियो); shorter ones are
#: often two words (दिन / दीन, पूरी / पुरी, कुल / कूल).
NEAR_LENGTH_MIN_CHARS = 6
#: A vowel more or less is a spelling only in longer, uncommon words (बाइडन / बाइडेन), and an extra ा only
#: with four or more consonants (नेतन्याहू / नेतान्याहू, but not लड़का / लड़ाका).
NEAR_INSERT_MIN_CHARS = 5
NEAR_INSERT_AA_MIN_LETTERS = 4
ROMAN_MAX_KEYS = 3
ROMAN_TOLERANCE = 0.05
_VOWEL_MARKS = set("ािीुूृेैोौॉॅअआइईउऊएऐओऔऑ")


@dataclass
class Expansion:
    """Weighted index terms for one query word, and the word forms they stand for."""

    terms: dict[str, float] = field(default_factory=dict)
    forms: list[str] = field(default_factory=list)

    def add(self, term: str, boost: float) -> None:
        self.terms[term] = max(boost, self.terms.get(term, 0.0))

    def add_forms(self, forms: list[Form]) -> None:
        for form in forms:
            if form.text not in self.forms:
                self.forms.append(form.text)


def _is_latin_word(word: str) -> bool:
    return word.isascii() and word.isalpha()


_LENGTH_PAIRS = {frozenset(p) for p in ("िी", "ुू", "ाॉ", "आऑ", "ेै", "इई", "उऊ", "एऐ")}


def _vowel_change(a: str, b: str) -> str | None:
    """How two keys differ, when they differ by one vowel inside the word: ``"length"`` for a vowel
    written long or short (or ``ै`` for ``े``), ``"insert:X"`` for a vowel ``X`` written in one and not
    the other. A different last vowel is grammar, not spelling (अधिकार 'right', अधिकारी 'official').

    >>> _vowel_change("वीडियो", "विडियो"), _vowel_change("बाइडन", "बाइडेन"), _vowel_change("नेतन्याहू", "नेतान्याहू")
    ('length', 'insert:े', 'insert:ा')
    >>> _vowel_change("कमल", "कलम"), _vowel_change("अधिकार", "अधिकारी"), _vowel_change("सरकार", "सरकार")
    (None, None, None)
    """
    if a == b or abs(len(a) - len(b)) > 1:
        return None
    shorter, longer = sorted((a, b), key=len)
    for i, (x, y) in enumerate(zip(shorter, longer, strict=False)):
        if x == y:
            continue
        if i == len(longer) - 1:
            return None
        if len(shorter) == len(longer):
            same_rest = shorter[i + 1 :] == longer[i + 1 :]
            return "length" if same_rest and frozenset((x, y)) in _LENGTH_PAIRS else None
        return f"insert:{y}" if y in _VOWEL_MARKS and shorter[i:] == longer[i + 1 :] else None
    return None


def _near_allowed(change: str | None, word: str, letters: str, common: bool) -> bool:
    """Which one-vowel neighbours are spellings of the same word, by the corpus evidence in ``NEAR_*``."""
    if change is None:
        return False
    if change == "length":
        return len(word) >= NEAR_LENGTH_MIN_CHARS or (not common and len(letters) >= MIN_SKELETON)
    if common or len(word) < NEAR_INSERT_MIN_CHARS or len(letters) < MIN_SKELETON:
        return False  # सरकार / सरोकार, चांद / चंद, लड़का / लड़ाका
    return change != "insert:ा" or len(letters) >= NEAR_INSERT_AA_MIN_LETTERS


def _vowels_fit(typed: str, candidate: str) -> bool:
    """Every vowel other than ``a`` of the candidate's romanisation appears, in order, in what was typed
    (the inherent ``a`` is written or not at will, the others are not).

    >>> _vowels_fit("sarkar", "sarakar"), _vowels_fit("sarkar", "sarokar"), _vowels_fit("jaishankar", "jayashankar")
    (True, False, True)
    """
    remaining = iter(re.sub("[^eiou]", "", typed))
    return all(vowel in remaining for vowel in re.sub("[^eiou]", "", candidate))


def expand_word(word: str, vocabulary: Vocabulary, documents: int = 0) -> Expansion:
    """The terms to search for one normalised query word in an index of ``documents`` articles."""
    expansion = Expansion()
    expansion.add(word, EXACT_BOOST)
    if _is_latin_word(word):
        _add_romanised(word, vocabulary, expansion)
        return expansion
    key = variant_key(word)
    expansion.add(VARIANT_PREFIX + key, KEY_BOOST)
    same_key = vocabulary.with_key(key)
    expansion.add_forms(same_key)
    frequency = max((f.documents for f in same_key), default=0)
    common = frequency > max(NEAR_MIN_DOCUMENTS, NEAR_MAX_SHARE * documents)
    letters = skeleton(key)
    if letters:
        near = [
            f
            for f in vocabulary.with_key_skeleton(letters)
            if _near_allowed(_vowel_change(variant_key(f.text), key), word, letters, common)
        ]
        for form in near:
            expansion.add(VARIANT_PREFIX + variant_key(form.text), NEAR_BOOST)
        expansion.add_forms(near)
    return expansion


def _add_romanised(word: str, vocabulary: Vocabulary, expansion: Expansion) -> None:
    letters = latin_skeleton(word)
    if len(letters) < 2:
        return
    typed = latin_for_comparison(word)
    scored = []
    for form in vocabulary.with_skeleton(letters):
        if _is_latin_word(form.text) or form.text.isdigit():
            continue
        romanised = romanize(form.text)
        likeness = SequenceMatcher(None, typed, romanised).ratio()
        if likeness >= ROMAN_MIN_LIKENESS and _vowels_fit(typed, romanised):
            scored.append((likeness, form.documents, form))
    best = max((likeness for likeness, _, _ in scored), default=1.0)
    keys: list[str] = []
    for likeness, _, form in sorted(scored, key=lambda s: (-s[0], -s[1])):
        key = variant_key(form.text)
        # only the closest readings: "bharat" is भारत or भरत, not भरता
        if likeness >= best - ROMAN_TOLERANCE and key not in keys and len(keys) < ROMAN_MAX_KEYS:
            keys.append(key)
    for key in keys:
        expansion.add(VARIANT_PREFIX + key, KEY_BOOST)
        expansion.add_forms(vocabulary.with_key(key))


class QueryExpander:
    """Rewrites a parsed query so that every word also searches its variants (:func:`expand_word`)."""

    def __init__(self, vocabulary: Vocabulary, documents: int) -> None:
        self.vocabulary = vocabulary
        self.documents = documents
        self.words: dict[str, Expansion] = {}

    def __call__(self, node: Any) -> Any:
        if isinstance(node, wq.FuzzyTerm):
            # a fuzzy word must not reach the variant keys, which differ from it by their "~"
            return wq.FuzzyTerm(
                node.fieldname, node.text, node.boost, node.maxdist, max(1, node.prefixlength), node.constantscore
            )
        if type(node) is wq.Term and node.fieldname in TEXT_FIELDS:
            expansion = self.words.get(node.text)
            if expansion is None:
                expansion = self.words[node.text] = expand_word(node.text, self.vocabulary, self.documents)
            return wq.Or([wq.Term(node.fieldname, t, boost=node.boost * b) for t, b in expansion.terms.items()])
        if isinstance(node, wq.Phrase) and node.fieldname in TEXT_FIELDS:
            keys = [VARIANT_PREFIX + variant_key(word) for word in node.words]
            variants = wq.Phrase(node.fieldname, keys, slop=node.slop, boost=node.boost * KEY_BOOST)
            return wq.Or([node, variants])
        return node

    @property
    def forms(self) -> list[str]:
        return list(dict.fromkeys(form for e in self.words.values() for form in e.forms))
