"""Variant keys: coarser forms of a word under which spellings of the same word meet.

Two keys, for two jobs:

* :func:`variant_key` (Devanagari) is indexed beside every word. It is the stem with the spelling
  differences that never change meaning folded away: nukta, a nasal consonant + virama written for
  the anusvara, and the candra vowels of English loanwords.
* :func:`skeleton` (Latin consonants) is not indexed; the vocabulary of an index is grouped by it, so
  that a query can reach names spelt with one vowel more or less (``बाइडन / बाइडेन``) and romanised
  queries (``lavrov``) can reach Devanagari words.
"""

from __future__ import annotations

import re

from archive.analysis.normalize import NUKTA
from archive.analysis.stemmer import stem

VARIANT_PREFIX = "~"  # index terms that are variant keys start with this; exact forms never do

# Before a stop, and न् before a sibilant: 459 spelling pairs in ../shared/corpus, none of them two
# different words. म् before other consonants is left alone (गेम्स is not गेन्स).
_NASAL_BEFORE_CONSONANT = re.compile("[ङञणनम]\u094d(?=[क-मश-स])|न\u094d(?=[शषस])")
# The Urdu letters' nukta is often left out (ज़रूरत / जरूरत); ड़ and ढ़ are letters of their own
# (लड़का is almost never written लडका, and मोड़ / मोड are two words), so they keep it.
_URDU_NUKTA = re.compile("(?<=[कखगजफ])\u093c")
# The glide य before ए/ई is written or not (रुपये / रुपए, नयी / नई, स्थायी / स्थाई: 189 pairs in the
# corpus, none two words), and ई after a vowel is often written इ (सीबीआई / सीबीआइ, हाईकोर्ट / हाइकोर्ट).
_GLIDE = (
    ("ये", re.compile("(?<=.)ये"), "ए"),
    ("यी", re.compile("(?<=.)यी"), "ई"),
    ("ई", re.compile("(?<=[ा-ौअ-औ])ई"), "इ"),
)
VIRAMA = "\u094d"
_CANDRA = str.maketrans({"ॉ": "ा", "ऑ": "आ", "ॅ": "े", "ऍ": "ए"})

#: Native words that an English loanword with a candra vowel would fold onto. Each pair occurs in
#: ../shared/corpus with two meanings (counts: native / loanword), e.g. काफी 2,301 'quite' / कॉफी 7
#: 'coffee', हाल 1,380 'state, recent' / हॉल 68 'hall', जान 804 'life' / जॉन 72 'John'. For these the
#: loanword keeps its candra in the key. Genuine spelling pairs (वायरस / वॉयरस, स्टाफ / स्टॉफ,
#: हाकी / हॉकी, आस्ट्रेलिया / ऑस्ट्रेलिया) are not listed and fold.
CANDRA_PROTECTED = frozenset(
    """काफी हाल बाल जान जानी डाल टाल चाल राय रास शान माल पाप पाट बाट काज काम लाकर मास्क एलान गार्डन
    बात मात लाल पाल नाक पास फार्म कास्ट काल""".split()
)


def variant_key(word: str) -> str:
    """The key under which spelling variants and inflections of a normalised word meet.

    >>> variant_key("लॉवरोव") == variant_key("लावरोव")
    True
    >>> variant_key("सम्पादक") == variant_key("संपादक"), variant_key("ट्रम्प") == variant_key("ट्रंप")
    (True, True)
    >>> variant_key("फ़ैसला") == variant_key("फैसले") == variant_key("फैसलों")
    True
    >>> variant_key("लड़के") == variant_key("लड़का"), variant_key("मोड़") == variant_key("मोड")
    (True, False)
    >>> [variant_key(a) == variant_key(b) for a, b in [("रुपये", "रुपए"), ("नयी", "नई"), ("सीबीआई", "सीबीआइ")]]
    [True, True, True]
    >>> variant_key("मॉस्को") == variant_key("मास्को") != variant_key("मास्क")
    True
    >>> variant_key("शुरू") == variant_key("शुरु"), variant_key("कंपनी") == variant_key("कंपनियों")
    (True, True)
    >>> variant_key("कॉफी") == variant_key("काफी"), variant_key("हॉल") == variant_key("हाल")
    (False, False)
    >>> variant_key("covid")
    'covid'
    """
    # (each rule only where its letter occurs: a substring test costs a tenth of a pattern's scan, and
    # every distinct word of an ingest is keyed)
    return _folded(stem(_glides_folded(word)))


def fold_spelling(word: str) -> str:
    """The word with the key's spelling folds and not its stemming: what two spellings of one form share.

    >>> fold_spelling("फ़ैसले") == fold_spelling("फैसले"), fold_spelling("रुपये") == fold_spelling("रुपए")
    (True, True)
    >>> fold_spelling("फैसले") == fold_spelling("फैसला"), fold_spelling("हॉल") == fold_spelling("हाल")
    (False, False)
    """
    return _folded(_glides_folded(word))


def _glides_folded(word: str) -> str:
    for letters, pattern, replacement in _GLIDE:
        if letters in word:
            word = pattern.sub(replacement, word)
    return word


def _folded(key: str) -> str:
    if NUKTA in key:
        key = _URDU_NUKTA.sub("", key)
    if VIRAMA in key:
        key = _NASAL_BEFORE_CONSONANT.sub("ं", key)
    if key.endswith("ू"):  # no Hindi word ends in ू / ु to mean another thing: शुरू / शुरु, बेंगलुरू / बेंगलुरु
        key = key[:-1] + "ु"
    folded = key.translate(_CANDRA)
    return key if folded != key and folded in CANDRA_PROTECTED else folded


_NASALS = "ङञणनम"


def key_may_start_with(word: str, initials: set[str] | frozenset[str]) -> bool:
    """Whether ``variant_key(word)`` can start with one of ``initials``, without computing it.

    Keys keep a word's first letter: stemming cuts only endings, and the folds are of later letters,
    except the candra vowels (ऑ folds to आ), a nasal + virama written for the anusvara (म्बेकी gives
    ंबेकी), and a final ू folded to ु in a word of that one sign. Snippets ask this of every word of
    every shown article, to key only the few that can match.

    >>> key_may_start_with("ऑस्ट्रेलिया", {"आ"}), key_may_start_with("म्बेकी", {"ं"}), key_may_start_with("भारत", {"च"})
    (True, True, False)
    """
    first = word[:1]
    return (
        first in initials
        or first.translate(_CANDRA) in initials
        or (first in _NASALS and "ं" in initials)
        or (first == "ू" and "ु" in initials)  # a word that is only the sign: the last letter's fold
        or "" in initials
    )


def key_first_letters(initials: set[str] | frozenset[str]) -> frozenset[str] | None:
    """Every first letter of a word for which :func:`key_may_start_with` says yes, or None when it says
    yes to every word: one set look-up per word instead of a call (snippets ask of thousands). An empty
    word (a word of invisible characters, normalised) has the empty key, one of the initials only when
    the answer is None.

    >>> sorted(key_first_letters({"आ", "ं"}) - set("ङञणनम")), key_first_letters({"भ", ""})
    (['ं', 'आ', 'ऑ'], None)
    """
    if "" in initials:
        return None
    folded = {first for first, fold in _CANDRA_LETTERS.items() if fold in initials}
    nasals = set(_NASALS) if "ं" in initials else set()
    sign = {"ू"} if "ु" in initials else set()
    return frozenset(initials) | folded | nasals | sign


_CANDRA_LETTERS: dict[str, str] = {chr(code): fold for code, fold in _CANDRA.items()}


_CONSONANT_LATIN = {
    **dict.fromkeys("कखक़ख़", "k"),
    **dict.fromkeys("गघग़", "g"),
    **dict.fromkeys("चछ", "c"),
    **dict.fromkeys("जझज़", "j"),
    **dict.fromkeys("टठतथ", "t"),
    **dict.fromkeys("डढदधड़ढ़", "d"),
    **dict.fromkeys("ङञणनं", "n"),
    **dict.fromkeys("पफ़फ", "p"),
    **dict.fromkeys("बभ", "b"),
    **dict.fromkeys("वव़", "v"),
    **dict.fromkeys("शषस", "s"),
    "म": "m",
    "र": "r",
    "ल": "l",
    "ह": "h",
}
#: Latin letters and pairs as the consonant of :func:`skeleton` they stand for (shared with the English
#: reading of archive.search.expansion).
LATIN_DIGRAPHS = [
    # (ch is च, written C until the English c, which is k, has been replaced)
    ("ph", "p"), ("f", "p"), ("sh", "s"), ("chh", "C"), ("ch", "C"), ("kh", "k"), ("gh", "g"), ("jh", "j"),
    ("th", "t"), ("dh", "d"), ("bh", "b"), ("z", "j"), ("w", "v"), ("q", "k"), ("x", "ks"), ("c", "k"), ("C", "c"),
]  # fmt: skip
_LATIN_VOWELS = re.compile("[aeiouy]")


def _squeeze(letters: str) -> str:
    """Doubled consonants written once (``pakka`` / ``पक्का``)."""
    return _DOUBLED.sub(r"\1", letters)


_DOUBLED = re.compile(r"(.)\1+")
# skeleton's letters as one translation (it runs for every form of the vocabulary): every Devanagari
# character to its consonant's Latin letter, or to nothing; anything else is dropped beforehand
_SKELETON_LETTERS = str.maketrans(
    {chr(code): _CONSONANT_LATIN.get(chr(code)) for code in range(0x0900, 0x0980)}
    | {ch: latin for ch, latin in _CONSONANT_LATIN.items() if not "\u0900" <= ch <= "\u097f"}
    | {NUKTA: None}
)
_NOT_DEVANAGARI = re.compile(
    "[^\u0900-\u097f" + "".join(re.escape(ch) for ch in _CONSONANT_LATIN if not "\u0900" <= ch <= "\u097f") + "]"
)


def skeleton(word: str) -> str:
    """A Devanagari word's consonants in Latin letters, vowels and ``य`` left out.

    >>> skeleton("जयशंकर"), skeleton("लावरोव"), skeleton("भारत"), skeleton("नेतन्याहू")
    ('jsnkr', 'lvrv', 'brt', 'ntnh')
    >>> skeleton("बाइडन") == skeleton("बाइडेन")
    True
    """
    return _squeeze(_NOT_DEVANAGARI.sub("", word).translate(_SKELETON_LETTERS))


def latin_skeleton(word: str) -> str:
    """The skeleton of a romanised word, comparable with :func:`skeleton`.

    >>> latin_skeleton("jaishankar"), latin_skeleton("lavrov"), latin_skeleton("bharat"), latin_skeleton("sarkar")
    ('jsnkr', 'lvrv', 'brt', 'srkr')
    """
    word = word.lower()
    for digraph, letter in LATIN_DIGRAPHS:
        word = word.replace(digraph, letter)
    return _squeeze(_LATIN_VOWELS.sub("", word))


_VOWEL_SIGN_LATIN = {"ा": "a", "ि": "i", "ी": "i", "ु": "u", "ू": "u", "े": "e", "ै": "ai", "ो": "o", "ौ": "au",
                     "ॉ": "o", "ृ": "ri", "ॅ": "e"}  # fmt: skip
_INDEPENDENT_VOWEL_LATIN = {"अ": "a", "आ": "a", "इ": "i", "ई": "i", "उ": "u", "ऊ": "u", "ए": "e", "ऐ": "ai",
                            "ओ": "o", "औ": "au", "ऑ": "o", "ऋ": "ri"}  # fmt: skip


_ASPIRATED = frozenset("खघछझठढथधफभ")


def romanize(word: str, *, inherent: bool = True) -> str:
    """A plain romanisation, to rank the candidates for a romanised query by likeness; ``inherent=False``
    leaves out every inherent vowel (as Hindi speech drops many: लॉकडाउन is said lokdaun).

    >>> romanize("लावरोव"), romanize("सरकार"), romanize("जयशंकर"), romanize("भारत")
    ('lavarov', 'sarakar', 'jayashankar', 'bharat')
    >>> romanize("लॉकडाउन", inherent=False)
    'lokdaun'
    """
    chars = word.replace(NUKTA, "")
    out: list[str] = []
    for i, ch in enumerate(chars):
        following = chars[i + 1] if i + 1 < len(chars) else None
        if (ch in _CONSONANT_LATIN and ch != "ं") or ch == "य":
            latin = "y" if ch == "य" else _CONSONANT_LATIN[ch]
            out.append("sh" if ch in "शष" else "ch" if latin == "c" else latin)
            if ch in _ASPIRATED:
                out.append("h")
            # the inherent vowel, except before a vowel sign or virama and at the end of the word
            if inherent and following is not None and following not in _VOWEL_SIGN_LATIN and following != "\u094d":
                out.append("a")
        elif ch in _VOWEL_SIGN_LATIN:
            out.append(_VOWEL_SIGN_LATIN[ch])
        elif ch in _INDEPENDENT_VOWEL_LATIN:
            out.append(_INDEPENDENT_VOWEL_LATIN[ch])
        elif ch == "ं":
            out.append("n")
        elif ch.isascii():
            out.append(ch)
    return "".join(out)


def latin_for_comparison(word: str) -> str:
    """A romanised query word spelt the way :func:`romanize` writes: long vowels short, ``w`` as ``v``.

    >>> latin_for_comparison("Bhaarat"), latin_for_comparison("deewali")
    ('bharat', 'divali')
    """
    word = word.lower()
    for long, short in (("aa", "a"), ("ee", "i"), ("oo", "u"), ("w", "v")):
        word = word.replace(long, short)
    return word
