"""Query expansion: from the words a user typed to the index terms that find what they meant.

Each word searches its exact form (ranked first), its variant key (inflections and spelling
variants), and, through the index's vocabulary, names spelt with a vowel more or less and the
Devanagari words that a romanised word stands for.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Sequence, Set
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

from whoosh import query as wq

# cached: a word's vocabulary neighbours are keyed again for every query that reaches them (some 130
# forms for two words, 10 µs each uncached)
from archive.analysis.acronyms import MAX_ACRONYM_LETTERS, letter_names
from archive.analysis.cached import variant_key
from archive.analysis.paradigms import inflected_alike
from archive.analysis.variants import (
    LATIN_DIGRAPHS,
    VARIANT_PREFIX,
    fold_spelling,
    latin_for_comparison,
    latin_skeleton,
    romanize,
    skeleton,
)
from archive.index.vocabulary import Form, Vocabulary
from archive.search.parsing import TEXT_FIELDS, ExactPhrase, ExactTerm
from archive.search.request import SearchedPart
from archive.search.synonyms import NO_SYNONYMS, Member, SynonymIndex

#: How much each kind of match counts, in the order a reader ranks them: the word as typed, then its
#: inflections and spelling variants (its key), then a neighbouring spelling or a reading of a Latin word,
#: then a synonym (the same thing, other words).
EXACT_BOOST = 1.0
KEY_BOOST = 0.5
ACRONYM_BOOST = 0.5
NEAR_BOOST = 0.3
SYNONYM_BOOST = 0.25
#: Skeletons shorter than this are too common to expand on (दिन / दीन, हाल / हॉल).
MIN_SKELETON = 3
ROMAN_MIN_LIKENESS = 0.75
#: A word in more documents than this (a share of the archive, at least a floor) has a settled spelling: two
#: such words a vowel apart are two words (सरकार / सरोकार), while names and rare words are the ones printed
#: several ways (नेतन्याहू / नेतान्याहू, दीवाली / दिवाली).
NEAR_MAX_SHARE = 0.02
NEAR_MIN_DOCUMENTS = 20
#: Long and short vowels fold safely in keys this long, however common (वीडियो / विडियो); in shorter ones only
#: when one of the two is rare (नितीश / नीतीश, जरुरत / जरूरत), never when both are settled (सिख / सीख).
NEAR_LENGTH_MIN_CHARS = 6
#: A vowel more or less is a spelling only in longer words (बाइडन / बाइडेन), only of the vowels that are
#: written or dropped at will (not ौ: मौलिक / मलिक; not ू: सूत्र / सत्र), and an extra ा only with four or
#: more consonants (नेतन्याहू / नेतान्याहू, but not लड़का / लड़ाका) ...
NEAR_INSERT_MIN_CHARS = 5
NEAR_INSERTABLE = frozenset("ािेु")
NEAR_INSERT_AA_MIN_LETTERS = 4
#: ... and never to a word that dwarfs the other (printed this many times as often): that is another word.
NEAR_INSERT_DWARF = 20
ROMAN_MAX_KEYS = 3
#: Words this long may be read from one consonant (yogi / योगी), still only by close likeness.
ROMAN_SHORT_SKELETON_CHARS = 4
#: A romanised reading this close, of a word in this many articles, settles what a Latin word stands for.
ROMAN_SETTLED = 0.8
ROMAN_SETTLED_DOCUMENTS = 10
#: An English word's Devanagari readings that fit its sounds, kept when printed at least this share as often
#: as the commonest of them.
LOANWORD_MIN_SHARE = 0.3
#: An English reading needs a word this long: a shorter one's shape fits unrelated words (com / काम).
ENGLISH_MIN_LETTERS = 4

#: A key's kept forms that rescue a document holding one of its excluded forms, commonest first.
KEPT_LOOKED_UP = 8

ROMAN_TOLERANCE = 0.05
_VOWEL_MARKS = set("ािीुूृेैोौॉॅअआइईउऊएऐओऔऑ")
_VOWEL_SIGNS = frozenset("ािीुूृेैोौॉॅ")


@dataclass
class Expansion:
    """Weighted index terms for one query word, phrases it also stands for (its synonyms of several
    words), and the word forms they stand for. A variant key may come with the forms of it that are not
    this word's (``excluded``: आमने under the key of आम) and those that are (``kept``): a document whose
    only forms of the key are excluded ones is not a match."""

    terms: dict[str, float] = field(default_factory=dict)
    forms: list[str] = field(default_factory=list)
    phrases: list[tuple[tuple[str, ...], float]] = field(default_factory=list)
    #: key term -> (the forms of it excluded, the forms of it kept)
    exclusions: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = field(default_factory=dict)
    #: The word written as two (लॉकडाउन / लॉक डाउन, कोविड19 / कोविड 19): phrases of its parts, searched as its
    #: spelling variants are.
    splits: list[tuple[str, str]] = field(default_factory=list)
    #: The typed word's own key term: a term that counts less than it (a neighbouring spelling, a synonym) is
    #: scored with no higher an idf than this one's, so that its boost puts it below (see QueryExpander).
    reference: str | None = None

    def add(self, term: str, boost: float) -> None:
        self.terms[term] = max(boost, self.terms.get(term, 0.0))

    def add_forms(self, forms: list[Form]) -> None:
        for form in forms:
            if form.text not in self.forms:
                self.forms.append(form.text)

    def add_key(self, key: str, boost: float, forms: list[Form], word: str) -> None:
        """A variant key and those of its ``forms`` that are forms of ``word`` (see the class)."""
        # (a form's documents: its commonest spelling's, so that a rare spelling decides as the usual one does)
        printed: dict[str, int] = {}
        for form in forms:
            spelling = fold_spelling(form.text)
            printed[spelling] = max(printed.get(spelling, 0), form.documents)
        own = [form for form in forms if _one_word(word, form.text, printed)]
        kept = own
        excluded = tuple(form.text for form in forms if form not in own)
        term = VARIANT_PREFIX + key
        if term in self.terms and term not in self.exclusions:
            excluded = ()  # (already searched whole, for another reason)
        elif term in self.exclusions:  # (reached again, for another form: what either keeps stays)
            before_excluded, before_kept = self.exclusions[term]
            excluded = tuple(f for f in before_excluded if f in excluded)
            kept += [Form(text, 0) for text in before_kept]
        self.add(term, boost)
        if excluded:
            self.exclusions[term] = (excluded, tuple(dict.fromkeys(form.text for form in kept)))
        else:
            self.exclusions.pop(term, None)
        self.add_forms([form for form in forms if form.text not in excluded])

    def add_whole_key(self, key: str, boost: float, forms: list[Form]) -> None:
        """A variant key with every form of it."""
        term = VARIANT_PREFIX + key
        self.add(term, boost)
        self.exclusions.pop(term, None)
        self.add_forms(forms)


#: A bare stem and its ``ा`` form are one word (ठंड / ठंडा: noun and adjective) only when both are printed
#: about as often; when one dwarfs the other they are two (साल 'year' / साला, वर्ष / वर्षा 'rain', चार / चारा).
BARE_AA_MAX_RATIO = 5
#: ... and not when the stem is a verb's (its infinitive or participles are printed: बन / बनना, बना 'became').
_VERBAL_ENDINGS = ("ना", "ने", "ता", "ते", "ती")


def _one_word(word: str, other: str, printed: dict[str, int]) -> bool:
    """Whether ``other`` (of the same key) is a form of ``word``, where ``printed`` gives the documents of
    each spelling (folded) of the key's forms. Symmetric."""
    if inflected_alike(word, other):
        return True
    bare, aa = sorted((fold_spelling(word), fold_spelling(other)), key=len)
    fewer, more = sorted((printed.get(bare, 0), printed.get(aa, 0)))
    return (
        aa == bare + "ा"
        and fewer > 0
        and more <= BARE_AA_MAX_RATIO * fewer
        and not any(bare + ending in printed for ending in _VERBAL_ENDINGS)
    )


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


def near_allowed(
    change: str | None, key_a: str, key_b: str, documents_a: int, documents_b: int, documents: int
) -> bool:
    """Whether two keys a vowel apart (``change``: :func:`_vowel_change`) are spellings of one word, by the
    corpus evidence in ``NEAR_*`` and the documents each key is in (of ``documents``). Symmetric: what a
    word reaches this way, reaches it back.

    >>> near_allowed("length", "नीतीश", "नितीश", 159, 1, 4500), near_allowed("length", "सिख", "सीख", 61, 116, 4500)
    (True, False)
    >>> near_allowed("insert:े", "बाइडन", "बाइडेन", 3, 8, 4500), near_allowed("insert:ौ", "मलिक", "मौलिक", 19, 82, 4500)
    (True, False)
    >>> near_allowed("insert:े", "बाइडन", "बाइडेन", 1, 300, 4500)  # one dwarfs the other: another word
    False
    """
    if change is None:
        return False
    letters = skeleton(key_a)
    if change == "length" and min(len(key_a), len(key_b)) >= NEAR_LENGTH_MIN_CHARS:
        return True
    if len(letters) < MIN_SKELETON:
        return False
    limit = max(NEAR_MIN_DOCUMENTS, NEAR_MAX_SHARE * documents)
    both_settled = min(documents_a, documents_b) > limit
    if change == "length":
        return not both_settled
    vowel = change.removeprefix("insert:")
    fewer, more = sorted((documents_a, documents_b))
    # (a word the archive does not hold is dwarfed by nothing: what it stands for is the question)
    dwarfed = fewer > 0 and more > NEAR_INSERT_DWARF * fewer
    if vowel not in NEAR_INSERTABLE or both_settled or dwarfed:
        return False
    if max(len(key_a), len(key_b)) < NEAR_INSERT_MIN_CHARS:
        return False
    return vowel != "ा" or len(letters) >= NEAR_INSERT_AA_MIN_LETTERS


def _vowels_written(typed: str, candidate: str) -> bool:
    """No vowel typed (other than an inherent ``a``) is missing from the candidate's romanisation: it may be
    written otherwise (internet / intaranet: e as a; jaishankar / jayashankar: i as ya), not dropped (sonia is
    सोनिया, not सोना or सोनी).

    >>> _vowels_written("sonia", "soniya"), _vowels_written("sonia", "sona"), _vowels_written("sonia", "soni")
    (True, False, False)
    >>> _vowels_written("jaishankar", "jayashankar"), _vowels_written("internet", "intaranet")
    (True, True)
    """
    for operation, start, end, _, _ in SequenceMatcher(None, typed, candidate, autojunk=False).get_opcodes():
        if operation == "delete" and _WRITTEN_VOWEL.search(typed, start, end):
            return False
        if operation == "delete" and start > 0 and typed[start] == "a" and typed[start - 1] in "eiou":
            return False  # (an a after a vowel is a vowel of its own: the last a of sonia)
    return True


_WRITTEN_VOWEL = re.compile("[eiou]")


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
    expansion.splits = word_splits(word, vocabulary)
    expansion.forms += [" ".join(parts) for parts in expansion.splits]
    if _is_latin_word(word) and (acronym or _without_vowels(word)):
        _add_word(letter_names(word), ACRONYM_BOOST, vocabulary, expansion)
        return expansion
    if _is_latin_word(word):
        _add_romanised(word, vocabulary, expansion)
        return expansion
    key = variant_key(word)
    expansion.reference = VARIANT_PREFIX + key
    same_key = vocabulary.with_key(key)
    if any(form.text == word for form in same_key):
        expansion.add_key(key, KEY_BOOST, same_key, word)
    else:  # a form the archive does not hold: nothing says which of its key's forms are its own
        expansion.add_whole_key(key, KEY_BOOST, same_key)
    letters = skeleton(key)
    if letters:
        for near_key, forms in near_keys(key, vocabulary, documents):
            expansion.add_whole_key(near_key, NEAR_BOOST, forms)
    if len(key) >= CONSONANT_MIN_CHARS:
        for other in consonant_alternatives(key):
            found = [f for f in vocabulary.with_key_skeleton(skeleton(other)) if variant_key(f.text) == other]
            if found:
                expansion.add_whole_key(other, NEAR_BOOST, found)
    return expansion


#: At most this many ways of writing a word as two are searched (the two whose parts are commonest) ...
MAX_SPLITS = 2
#: ... each part of a Latin word this long at least.
SPLIT_MIN_LATIN = 3


def word_splits(word: str, vocabulary: Vocabulary) -> list[tuple[str, str]]:
    """Where ``word`` may be two words written together that the archive also prints apart: both parts
    words of the archive, each of two consonants or more, or digits (कोविड19 / कोविड 19), split where a
    syllable starts. The same rule joins two words typed apart (:meth:`QueryExpander.expand`), so the two
    spellings reach each other both ways.

    >>> from archive.index.vocabulary import Vocabulary
    >>> vocabulary = Vocabulary.of({"लॉक": 16, "डाउन": 40, "कोविड": 200, "19": 300, "सर": 90, "कार": 50})
    >>> word_splits("लॉकडाउन", vocabulary), word_splits("कोविड19", vocabulary), word_splits("सरकार", vocabulary)
    ([('लॉक', 'डाउन')], [('कोविड', '19')], [])
    """
    found = []
    for cut in range(1, len(word)):
        first, second = word[:cut], word[cut:]
        if first.isdigit() and second.isdigit():
            continue  # (numbers are split only from letters: कोविड19)
        if not (_split_part(first) and _split_part(second)) or not _syllable_starts(word, cut):
            continue
        counts = [vocabulary.documents(first), vocabulary.documents(second)]
        if all(counts):
            found.append((min(counts), first, second))
    return [(first, second) for _, first, second in sorted(found, reverse=True)[:MAX_SPLITS]]


def _split_part(part: str) -> bool:
    """Whether a part of a word may be a word of its own: digits, or two consonants with a vowel sign, or
    three letters (not सर of सरकार, कम of कमजोर, nor the prefix प्र)."""
    if part.isdigit():
        return True
    if _is_latin_word(part):
        return len(part) >= SPLIT_MIN_LATIN and len(latin_skeleton(part)) >= 2
    letters = sum(1 for char in part if unicodedata.category(char) == "Lo")
    signs = any(char in _VOWEL_SIGNS for char in part)
    return len(skeleton(part)) >= 2 and (letters >= 3 or (letters == 2 and signs))


def _syllable_starts(word: str, cut: int) -> bool:
    """Whether a syllable starts at ``cut`` (not a vowel sign, virama, nukta or nasal, nor after a virama)."""
    return unicodedata.category(word[cut]) not in ("Mn", "Mc") and word[cut - 1] != "\u094d"


def near_keys(key: str, vocabulary: Vocabulary, documents: int) -> list[tuple[str, list[Form]]]:
    """The keys a vowel or a glide away from ``key`` that are spellings of the same word (:func:`near_allowed`,
    :func:`_glide_change`), each with its forms. A key's documents are those of its commonest form, or of
    its glide spelling's when that is commoner (a rare वाइरस keeps the guards of a settled वायरस)."""
    by_key: dict[str, list[Form]] = {}
    for form in vocabulary.with_key_skeleton(skeleton(key)):
        by_key.setdefault(variant_key(form.text), []).append(form)
    by_key.setdefault(key, [])
    plain = {k: max((f.documents for f in forms), default=0) for k, forms in by_key.items()}
    glide_class: dict[str, int] = {}
    for k, count in plain.items():
        glided = _GLIDE.sub("य", k)
        glide_class[glided] = max(glide_class.get(glided, 0), count)
    settled = {k: glide_class[_GLIDE.sub("य", k)] for k in by_key}
    found = []
    for other, forms in by_key.items():
        if other == key or not forms:
            continue
        glide = len(min(key, other, key=len)) >= GLIDE_MIN_CHARS and _glide_change(other, key)
        change = _vowel_change(other, key)
        if glide or near_allowed(change, key, other, settled[key], settled[other], documents):
            found.append((other, forms))
    return found


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
    """``word`` and its inflections and spellings (by key), at ``boost``, with the forms of it the index holds."""
    expansion.add(word, boost)
    if not _is_latin_word(word):
        key = variant_key(word)
        expansion.add_key(key, boost * KEY_BOOST, vocabulary.with_key(key), word)
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
            # both ways: a vowel typed is a vowel written (sonia is सोनिया, not सोना), and the other way round
            if likeness >= ROMAN_MIN_LIKENESS and _vowels_fit(typed, romanised) and _vowels_written(typed, romanised):
                scored.append((likeness, form.documents, form))
    english = english_reading(word)
    letters = latin_skeleton(english)
    # a word the plain reading finds, printed often or very like it, is romanised Hindi (sarkar, corona,
    # sonia): no English reading
    closest = max((likeness for likeness, _, _ in scored), default=0.0)
    settled = any(
        likeness >= max(ROMAN_SETTLED, closest - ROMAN_TOLERANCE) and documents >= ROMAN_SETTLED_DOCUMENTS
        for likeness, documents, _ in scored
    )
    if len(letters) >= 2 and len(word) >= ENGLISH_MIN_LETTERS and not settled:
        shape = sound_shape(english)
        sounded = [
            form
            for form in _devanagari_forms(vocabulary, letters)
            if shape in {sound_shape(romanize(form.text)), sound_shape(romanize(form.text, inherent=False))}
            and _same_ending(english, romanize(form.text))
            # Hindi spells an English word out, never shorter (sonia is not सोना, sona)
            and len(_squeeze(romanize(form.text))) >= len(_squeeze(english))
        ]
        # a shape leaves the vowels open: of the words it fits, only those printed about as often as the most
        # printed one (bank: बैंक, not भयानक)
        commonest = max((f.documents for f in sounded), default=0)
        scored += [(1.0, f.documents, f) for f in sounded if f.documents >= LOANWORD_MIN_SHARE * commonest]
    best = max((likeness for likeness, _, _ in scored), default=1.0)
    readings: dict[str, str] = {}
    for likeness, _, form in sorted(scored, key=lambda s: (-s[0], -s[1])):
        key = variant_key(form.text)
        # only the closest readings: "bharat" is भारत or भरत, not भरता
        if likeness >= best - ROMAN_TOLERANCE and key not in readings and len(readings) < ROMAN_MAX_KEYS:
            readings[key] = form.text
    for key, reading in readings.items():
        # the reading's own forms (kisan: किसान, किसानों; not कामना for kam)
        expansion.add_key(key, KEY_BOOST, vocabulary.with_key(key), reading)


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


def _squeeze(latin: str) -> str:
    return re.sub(r"(.)\1+", r"\1", latin)


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


#: The longest synonym of several words looked for among words typed apart.
MAX_SYNONYM_WORDS = 5


def typed_words(nodes: list[Any]) -> list[str]:
    """The words typed one after another at the start of ``nodes`` (each a word asked in several fields,
    as the parser makes it: an Or of plain terms of one text), stopping at anything else."""
    words = []
    for node in nodes:
        subs = getattr(node, "subqueries", ())
        if (
            type(node) is not wq.Or
            or not subs
            or any(type(q) is not wq.Term or q.fieldname not in TEXT_FIELDS for q in subs)
            or len({q.text for q in subs}) != 1
        ):
            break
        words.append(subs[0].text)
    return words


class QueryExpander:
    """Rewrites a parsed query so that every word also searches its variants (:func:`expand_word`) and its
    synonyms, and every phrase its variants and synonyms."""

    def __init__(
        self,
        vocabulary: Vocabulary,
        documents: int,
        synonyms: SynonymIndex = NO_SYNONYMS,
        acronyms: Set[str] = frozenset(),
        idf: Callable[[str], float] | None = None,
    ) -> None:
        self.vocabulary = vocabulary
        self.documents = documents
        self.synonyms = synonyms
        self.acronyms = acronyms
        #: A term's inverse document frequency in bodies (where the index has one to ask).
        self.idf = functools.cache(idf) if idf is not None else None
        self.words: dict[str, Expansion] = {}
        #: the words typed in quotes (searched as typed: what "did you mean" looks at with the others)
        self.exact_words: list[str] = []
        self._phrase_forms: list[str] = []
        #: The ids of the query's leaves that snippets leave unmarked (see :meth:`_unmarked`).
        self.unmarked: set[int] = set()
        #: Forms of a searched key that are not forms of the word searched (snippets leave them unmarked).
        self.excluded: set[str] = set()
        #: Each word or phrase of the query, once, as it was searched.
        self.searched: list[SearchedPart] = []
        self._parts: set[tuple[str, bool]] = set()

    def _searched(self, text: str, *, exact: bool, forms: Sequence[str]) -> None:
        if (text, exact) not in self._parts:
            self._parts.add((text, exact))
            self.searched.append(SearchedPart(text, exact, tuple(forms)))

    def expand(self, parsed: Any) -> Any:
        """The parsed query with every word and phrase widened (:meth:`__call__`), after words typed apart
        that the archive also prints together (लॉक डाउन / लॉकडाउन) or that make a synonym of several words
        (भारतीय जनता पार्टी: भाजपा) have been given those alternatives."""
        return self._joined(parsed).accept(self)

    def _joined(self, node: Any) -> Any:
        if type(node) is not wq.And:
            return node.apply(self._joined)
        subs = [self._joined(q) for q in node.subqueries]
        joined: list[Any] = []
        i = 0
        while i < len(subs):
            words = typed_words(subs[i:])
            fields = [(term.fieldname, term.boost) for term in subs[i].subqueries] if words else []
            together: list[Any] = []
            taken = self._synonym_run(words)
            if taken:  # the words as a phrase, which the phrase's synonyms then widen
                together = [wq.Phrase(field, words[:taken], boost=boost) for field, boost in fields]
            elif self._joined_pair(words):
                taken = 2
                together = [wq.Term(field, words[0] + words[1], boost=boost) for field, boost in fields]
            if together:
                joined.append(wq.Or([wq.And(subs[i : i + taken]), wq.Or(together)]))
                i += taken
            else:
                joined.append(subs[i])
                i += 1
        return wq.And(joined, boost=node.boost)

    def _synonym_run(self, words: list[str]) -> int:
        """How many of ``words`` (2 or more, longest first) make a member of a synonym group."""
        for length in range(min(len(words), MAX_SYNONYM_WORDS), 1, -1):
            if self.synonyms.others(words[:length]):
                return length
        return 0

    def _joined_pair(self, words: list[str]) -> bool:
        """Whether the first two of ``words`` are printed together as one word (the rule of :func:`word_splits`)."""
        if len(words) < 2 or (words[0].isdigit() and words[1].isdigit()):
            return False
        return _split_part(words[0]) and _split_part(words[1]) and bool(self.vocabulary.documents(words[0] + words[1]))

    def __call__(self, node: Any) -> Any:
        kind = type(node)
        if kind is ExactTerm and node.fieldname in TEXT_FIELDS:
            self._searched(node.text, exact=True, forms=[node.text])
            self.exact_words.append(node.text)
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
        """An expansion's terms and phrases as queries of ``field``; a key with excluded forms matches a
        document through them only where it also holds a form kept (:class:`Expansion`)."""
        terms = [
            self._term(field, t, boost * self._weighed(expansion, t, b), expansion.exclusions.get(t))
            for t, b in expansion.terms.items()
        ]
        phrases = [
            part
            for words, weight in expansion.phrases
            for part in self._unmarked(_phrase_parts(field, words, 1, boost * weight))
        ]
        splits = [wq.Phrase(field, list(parts), boost=boost * KEY_BOOST) for parts in expansion.splits]
        return terms + phrases + splits

    def _weighed(self, expansion: Expansion, term: str, boost: float) -> float:
        """A term's boost, for one that counts less than the typed word's key (a neighbouring spelling, a
        reading, a synonym) scaled down by its idf against the key's, so that a document holding it once
        never outranks one holding the word's own form once (as Lucene's SynonymQuery scores synonyms with
        one document frequency): a rare synonym is not worth more than the word typed."""
        reference = expansion.reference
        if self.idf is None or reference is None or boost >= KEY_BOOST or term == reference:
            return boost
        own, other = self.idf(reference), self.idf(term)
        return boost * min(1.0, own / other) if other > 0 else boost

    def _term(
        self, field: str, text: str, boost: float, exclusion: tuple[tuple[str, ...], tuple[str, ...]] | None
    ) -> Any:
        term = wq.Term(field, text, boost=boost)
        if not exclusion:
            return term
        excluded, kept = exclusion
        self.excluded.update(excluded)
        others = wq.Or([wq.Term(field, form) for form in excluded])
        self.unmarked.update(id(leaf) for leaf in others.leaves())
        if kept:
            # (its commonest forms: the rest are few documents, where one of these is nearly always written too)
            others = wq.AndNot(others, wq.Or([wq.Term(field, form) for form in kept[:KEPT_LOOKED_UP]]))
        return wq.AndNot(term, others)

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
