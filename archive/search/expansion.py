"""Query expansion: from the words a user typed to the index terms that find what they meant.

Each word searches its exact form (ranked first), its variant key (inflections and spelling
variants), and, through the index's vocabulary, names spelt with a vowel more or less and the
Devanagari words that a romanised word stands for.
"""

from __future__ import annotations

import re
from collections.abc import Sequence, Set
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

from whoosh import query as wq

# cached: a word's vocabulary neighbours are keyed again for every query that reaches them (some 130
# forms for two words, 10 µs each uncached)
from archive.analysis.acronyms import MAX_ACRONYM_LETTERS, letter_names
from archive.analysis.cached import variant_key
from archive.analysis.variants import (
    LATIN_DIGRAPHS,
    VARIANT_PREFIX,
    latin_for_comparison,
    latin_skeleton,
    romanize,
    skeleton,
)
from archive.index.vocabulary import Form, Vocabulary
from archive.search.parsing import TEXT_FIELDS, ExactPhrase, ExactTerm
from archive.search.request import SearchedPart
from archive.search.synonyms import NO_SYNONYMS, Member, SynonymIndex

EXACT_BOOST = 1.0
KEY_BOOST = 0.5
#: Below the word as typed: a synonym or an acronym's Devanagari spelling is the same thing written otherwise.
SYNONYM_BOOST = 0.5
ACRONYM_BOOST = 0.5
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
#: Words this long may be read from one consonant (yogi / योगी), still only by close likeness.
ROMAN_SHORT_SKELETON_CHARS = 4
#: A romanised reading this close, of a word in this many articles, settles what a Latin word stands for.
ROMAN_SETTLED = 0.8
ROMAN_SETTLED_DOCUMENTS = 10
#: An English word's Devanagari readings that fit its sounds, kept when printed at least this share as often
#: as the commonest of them.
LOANWORD_MIN_SHARE = 0.3

ROMAN_TOLERANCE = 0.05
_VOWEL_MARKS = set("ािीुूृेैोौॉॅअआइईउऊएऐओऔऑ")


@dataclass
class Expansion:
    """Weighted index terms for one query word, phrases it also stands for (its synonyms of several
    words), and the word forms they stand for."""

    terms: dict[str, float] = field(default_factory=dict)
    forms: list[str] = field(default_factory=list)
    phrases: list[tuple[tuple[str, ...], float]] = field(default_factory=list)

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


def expand_word(word: str, vocabulary: Vocabulary, documents: int = 0, *, acronym: bool = False) -> Expansion:
    """The terms to search for one normalised query word in an index of ``documents`` articles; an
    ``acronym`` (typed in capitals) searches its letters' names as Hindi prints them, not a romanised word
    (``RBI`` is आरबीआई, never रबी)."""
    expansion = Expansion()
    expansion.add(word, EXACT_BOOST)
    if _is_latin_word(word) and (acronym or _without_vowels(word)):
        _add_word(letter_names(word), ACRONYM_BOOST, vocabulary, expansion)
        return expansion
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
        candidates = vocabulary.with_key_skeleton(letters)
        glides = (
            [f for f in candidates if _glide_change(variant_key(f.text), key)] if len(word) >= GLIDE_MIN_CHARS else []
        )
        # a rare spelling of a common word (वाइरस of वायरस) has the common word's settled neighbours
        common = common or max((f.documents for f in glides), default=0) > max(
            NEAR_MIN_DOCUMENTS, NEAR_MAX_SHARE * documents
        )
        near = glides + [
            f for f in candidates if _near_allowed(_vowel_change(variant_key(f.text), key), word, letters, common)
        ]
        for form in near:
            expansion.add(VARIANT_PREFIX + variant_key(form.text), NEAR_BOOST)
        expansion.add_forms(near)
    if len(word) >= CONSONANT_MIN_CHARS:
        for other in consonant_alternatives(key):
            found = [f for f in vocabulary.with_key_skeleton(skeleton(other)) if variant_key(f.text) == other]
            if found:
                expansion.add(VARIANT_PREFIX + other, NEAR_BOOST)
                expansion.add_forms(found)
    return expansion


#: Loanwords print a consonant of one class either way: क or ग before ज (एग्जिट / एक्जिट, एग्जाम / एक्जाम).
_CONSONANT_CLASSES = (("क्ज", "ग्ज"),)
#: ... in words this long only (a short word's other consonant is another word).
CONSONANT_MIN_CHARS = 5
#: ... and a vowel after a vowel is written as a glide or not (वायरस / वाइरस, फायनल / फाइनल, आइडिया / आयडिया).
GLIDE_MIN_CHARS = 5
_GLIDE = re.compile("(?<=[ािीुूेैोौॉआईऊएऐओऔ])इ")


def consonant_alternatives(key: str) -> list[str]:
    """The key with each consonant class written the other way.

    >>> consonant_alternatives("एग्जिट"), consonant_alternatives("एक्जीक्यूटिव"), consonant_alternatives("सरकार")
    (['एक्जिट'], ['एग्जीक्यूटिव'], [])
    """
    found = []
    for one, other in _CONSONANT_CLASSES:
        for a, b in ((one, other), (other, one)):
            if a in key:
                found.append(key.replace(a, b))
    return found


def _glide_change(a: str, b: str) -> bool:
    """Whether two keys differ only by a vowel after a vowel sign written as the glide य or not.

    >>> _glide_change("वायरस", "वाइरस"), _glide_change("आइडिया", "आयडिया"), _glide_change("वायरस", "वारस")
    (True, True, False)
    """
    return a != b and _GLIDE.sub("य", a) == _GLIDE.sub("य", b)


def _without_vowels(word: str) -> bool:
    """A Latin word with no vowel cannot be romanised Hindi: it is an acronym typed in small letters (gst).

    >>> _without_vowels("gst"), _without_vowels("bjp"), _without_vowels("modi"), _without_vowels("x")
    (True, True, False, False)
    """
    return 2 <= len(word) <= MAX_ACRONYM_LETTERS and not re.search("[aeiouy]", word)


def _add_word(word: str, boost: float, vocabulary: Vocabulary, expansion: Expansion) -> None:
    """``word`` and its variants (by key), at ``boost``, with the forms of it the index holds."""
    expansion.add(word, boost)
    if not _is_latin_word(word):
        key = variant_key(word)
        expansion.add(VARIANT_PREFIX + key, boost * KEY_BOOST)
        expansion.add_forms(vocabulary.with_key(key))
    elif vocabulary.with_key(word):
        expansion.add_forms(vocabulary.with_key(word))


def _add_member(member: Member, vocabulary: Vocabulary, expansion: Expansion) -> None:
    if len(member.words) == 1:
        _add_word(member.words[0], SYNONYM_BOOST, vocabulary, expansion)
    else:
        expansion.phrases.append((member.words, _phrase_boost(member.words)))
        if member.text not in expansion.forms:
            expansion.forms.append(member.text)


def _add_romanised(word: str, vocabulary: Vocabulary, expansion: Expansion) -> None:
    """The Devanagari words a Latin word stands for: romanised Hindi (``sarkar`` / सरकार, ``bhrashtachar`` /
    भ्रष्टाचार) by likeness, and an English word as Hindi papers print it (``lockdown`` / लॉकडाउन,
    ``doctor`` / डॉक्टर) by the shape of its sounds (:func:`english_reading`, :func:`sound_shape`)."""
    scored = []
    # (ज्ञ is romanised gy, and written j + ñ: jn)
    typed = latin_for_comparison(word).replace("gy", "jn")
    letters = latin_skeleton(typed)
    # one consonant is too little to go on in a short word (yogi / योगी has one, as आग does)
    if len(letters) >= 2 or (letters and len(word) >= ROMAN_SHORT_SKELETON_CHARS):
        for form in _devanagari_forms(vocabulary, letters):
            romanised = romanize(form.text)
            likeness = SequenceMatcher(None, typed, romanised).ratio()
            if likeness >= ROMAN_MIN_LIKENESS and _vowels_fit(typed, romanised):
                scored.append((likeness, form.documents, form))
    english = english_reading(word)
    letters = latin_skeleton(english)
    # a word the plain reading finds, printed often, is romanised Hindi (sarkar, corona): no English reading
    closest = max((likeness for likeness, _, _ in scored), default=0.0)
    settled = any(
        likeness >= max(ROMAN_SETTLED, closest - ROMAN_TOLERANCE) and documents >= ROMAN_SETTLED_DOCUMENTS
        for likeness, documents, _ in scored
    )
    if len(letters) >= 2 and not settled:
        shape = sound_shape(english)
        sounded = [
            form
            for form in _devanagari_forms(vocabulary, letters)
            if shape in {sound_shape(romanize(form.text)), sound_shape(romanize(form.text, inherent=False))}
            and _same_ending(english, romanize(form.text))
        ]
        # a shape leaves the vowels open: of the words it fits, only those printed about as often as the most
        # printed one (bank: बैंक, not भयानक)
        commonest = max((f.documents for f in sounded), default=0)
        scored += [(1.0, f.documents, f) for f in sounded if f.documents >= LOANWORD_MIN_SHARE * commonest]
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


def _devanagari_forms(vocabulary: Vocabulary, letters: str) -> list[Form]:
    return [
        form
        for form in vocabulary.with_skeleton(letters)
        if not _is_latin_word(form.text) and not any(ch.isdigit() for ch in form.text)
    ]


def _same_ending(typed: str, romanised: str) -> bool:
    """Whether a word ends as the English word sounds: in its last consonant (an inherent ``a`` aside), or
    in a vowel where it does (``police`` is not पॉलिसी, policy; ``video`` is not विदा).

    >>> _same_ending("polis", "polisi"), _same_ending("lokdaun", "lokadaun"), _same_ending("vidio", "vida")
    (False, True, False)
    """
    end = romanised[:-1] if romanised.endswith("a") and not typed.endswith("a") else romanised
    end = end.replace("au", "o").replace("ai", "e")
    return end[-1:] == typed[-1:]


_VOWEL_RUN = re.compile("[aeiouy]+")


def sound_shape(latin: str) -> str:
    """A romanised word's consonants in order with a mark for each run of vowels: what an English word
    and its Devanagari spelling share, whatever the vowels (बैंक / bank, डॉक्टर / doctor).

    >>> sound_shape("doktor"), sound_shape("doktar"), sound_shape("vaiksin")
    ('dVktVr', 'dVktVr', 'vVksVn')
    """
    letters = latin.lower()
    for digraph, letter in LATIN_DIGRAPHS:
        letters = letters.replace(digraph, letter)
    return re.sub(r"(.)\1+", r"\1", _VOWEL_RUN.sub("V", letters))


# English spellings and what they sound like, in the Latin letters romanize() writes Hindi in
_ENGLISH_SOUNDS = [
    (re.compile(pattern), sound)
    for pattern, sound in (
        (r"tion\b", "shan"), (r"sch", "sk"), (r"ck", "k"), (r"cc(?=[eiy])", "ks"), (r"c(?=[eiy])", "s"),
        (r"c", "k"), (r"dg(?=[eiy])", "j"), (r"g(?=[eiy])", "j"), (r"qu", "kv"), (r"o[wu](?=[^aeiou]|$)", "au"),
        (r"ee|ea", "i"), (r"oo", "u"), (r"(?<=[^aeiou])e$", ""), (r"(?<=[^aeiou])y$", "i"), (r"wh", "v"),
        (r"m(?=[pb])", "n"),
    )
]  # fmt: skip


def english_reading(word: str) -> str:
    """An English word spelt as it sounds, the way :func:`romanize` writes Hindi.

    >>> english_reading("lockdown"), english_reading("vaccine"), english_reading("quarantine")
    ('lokdaun', 'vaksin', 'kvarantin')
    """
    word = word.lower()
    for pattern, sound in _ENGLISH_SOUNDS:
        word = pattern.sub(sound, word)
    return latin_for_comparison(word)


class QueryExpander:
    """Rewrites a parsed query so that every word also searches its variants (:func:`expand_word`) and its
    synonyms, and every phrase its variants and synonyms."""

    def __init__(
        self,
        vocabulary: Vocabulary,
        documents: int,
        synonyms: SynonymIndex = NO_SYNONYMS,
        acronyms: Set[str] = frozenset(),
    ) -> None:
        self.vocabulary = vocabulary
        self.documents = documents
        self.synonyms = synonyms
        self.acronyms = acronyms
        self.words: dict[str, Expansion] = {}
        self._phrase_forms: list[str] = []
        #: The ids of the query's leaves that snippets leave unmarked (see :meth:`_unmarked`).
        self.unmarked: set[int] = set()
        #: Each word or phrase of the query, once, as it was searched.
        self.searched: list[SearchedPart] = []
        self._parts: set[tuple[str, bool]] = set()

    def _searched(self, text: str, *, exact: bool, forms: Sequence[str]) -> None:
        if (text, exact) not in self._parts:
            self._parts.add((text, exact))
            self.searched.append(SearchedPart(text, exact, tuple(forms)))

    def __call__(self, node: Any) -> Any:
        kind = type(node)
        if kind is ExactTerm and node.fieldname in TEXT_FIELDS:
            self._searched(node.text, exact=True, forms=[node.text])
            return wq.Term(node.fieldname, node.text, boost=node.boost)
        if kind is ExactPhrase and node.fieldname in TEXT_FIELDS:
            text = " ".join(node.words)
            self._searched(text, exact=True, forms=[text])
            return wq.Phrase(node.fieldname, node.words, slop=node.slop, boost=node.boost)
        if isinstance(node, wq.FuzzyTerm):
            # a fuzzy word must not reach the variant keys, which differ from it by their "~"
            return wq.FuzzyTerm(
                node.fieldname, node.text, node.boost, node.maxdist, max(1, node.prefixlength), node.constantscore
            )
        if type(node) is wq.Term and node.fieldname in TEXT_FIELDS:
            expansion = self.words.get(node.text)
            if expansion is None:
                expansion = self.words[node.text] = self._expand(node.text)
                self._searched(node.text, exact=False, forms=expansion.forms)
            return wq.Or(self._queries(node.fieldname, node.boost, expansion))
        if isinstance(node, wq.Phrase) and node.fieldname in TEXT_FIELDS:
            parts = _phrase_parts(node.fieldname, node.words, node.slop, node.boost, node)
            others = self.synonyms.others(node.words)
            for member in others:
                found = Expansion()
                _add_member(member, self.vocabulary, found)
                parts += self._queries(node.fieldname, node.boost, found)
                self._phrase_forms.append(member.text)
            text = " ".join(node.words)
            self._searched(text, exact=False, forms=[text, *(member.text for member in others)])
            return wq.Or(parts)
        return node

    def _queries(self, field: str, boost: float, expansion: Expansion) -> list[Any]:
        """An expansion's terms and phrases as queries of ``field``."""
        terms = [wq.Term(field, t, boost=boost * b) for t, b in expansion.terms.items()]
        phrases = [
            part
            for words, weight in expansion.phrases
            for part in self._unmarked(_phrase_parts(field, words, 1, boost * weight))
        ]
        return terms + phrases

    def _unmarked(self, phrases: list[Any]) -> list[Any]:
        """Synonym phrases, which snippets do not mark: marking is by word, and the words of भारतीय जनता
        पार्टी, which the reader did not type, would be marked wherever they stand alone."""
        self.unmarked.update(id(phrase) for phrase in phrases)
        return phrases

    def _expand(self, word: str) -> Expansion:
        expansion = expand_word(word, self.vocabulary, self.documents, acronym=word in self.acronyms)
        for member in self.synonyms.others([word]):
            _add_member(member, self.vocabulary, expansion)
        return expansion

    @property
    def forms(self) -> list[str]:
        found = [form for e in self.words.values() for form in e.forms] + self._phrase_forms
        return list(dict.fromkeys(found))


def _phrase_boost(words: Sequence[str]) -> float:
    """A synonym phrase's boost: its words' scores add up, so each counts for its share (three words of
    भारतीय जनता पार्टी must not outrank the one word बीजेपी typed)."""
    return SYNONYM_BOOST / len(words)


def _phrase_parts(field: str, words: Sequence[str], slop: int, boost: float, exact: Any = None) -> list[Any]:
    """A phrase (``exact`` when the query has it already) and the phrase of its words' variant keys."""
    keys = [VARIANT_PREFIX + variant_key(word) for word in words]
    phrase = exact if exact is not None else wq.Phrase(field, list(words), slop=slop, boost=boost)
    return [phrase, wq.Phrase(field, keys, slop=slop, boost=boost * KEY_BOOST)]
