"""Word-level normalisation: what one token becomes before it is indexed or looked up."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from archive.analysis.normalize import normalize_text

# Legacy-font converters leave Latin-1 letters inside Devanagari words ("दृष्टिï"); they are noise there.
_LATIN1_IN_DEVANAGARI = re.compile("(?<=[\u0900-\u097f])[\u00c0-\u00ff]+|[\u00c0-\u00ff]+(?=[\u0900-\u097f])")
_LATIN1 = re.compile("[\u00c0-\u00ff]")  # (a plain search first: the look-arounds cost 10 times as much)
_NEITHER_DEVANAGARI_NOR_ASCII = re.compile("[^\u0000-\u007f\u0900-\u097f]")


# Legacy-font converters leave the nukta of ड़/ढ़ on a later letter (बढऩे, पीडि़त, खिलाडिय़ों).
_STRAY_NUKTA = re.compile("([डढ])([ा-ौ]?[नय]?)़")
# ... and write ऑ/ॉ in visual order (आॅफ), and double the virama (मद््देनजर).
_VISUAL_ORDER = (("आॅ", "ऑ"), ("ाॅ", "ॉ"), ("््", "्"))


def repair_legacy(word: str) -> str:
    """Undo what legacy-font conversion does to words, as found in ../shared/corpus.

    >>> [repair_legacy(w) for w in ["बढऩे", "पीडि़त", "खिलाडिय़ों", "आॅफ", "मद््देनजर"]]
    ['बढ़ने', 'पीड़ित', 'खिलाड़ियों', 'ऑफ', 'मद्देनजर']
    """
    return unicodedata.normalize("NFC", _repair_spelling(word))


def _repair_spelling(word: str) -> str:
    for broken, fixed in _VISUAL_ORDER:
        word = word.replace(broken, fixed)
    word = word.replace("ऩ", "ऩ")  # NFC keeps ऩ composed; take it apart to see the nukta
    if "़" in word:
        word = _STRAY_NUKTA.sub("\\1़\\2", word)
    return word


def normalize_word(word: str) -> str:
    """The canonical spelling of one word.

    >>> normalize_word("दृष्टिï") == "दृष्टि"
    True
    >>> normalize_word("WHO")
    'who'
    >>> normalize_word("café")
    'café'
    """
    normal = normalize_text(word)
    repaired = _repair_spelling(_LATIN1_IN_DEVANAGARI.sub("", normal) if _LATIN1.search(normal) else normal)
    # A second NFC pass costs as much as the first, and changes nothing in Devanagari and ASCII text that no
    # repair changed (lower-casing some other letters undoes NFC: "Ϊ́").
    if repaired == normal and not _NEITHER_DEVANAGARI_NOR_ASCII.search(normal):
        return normal
    return unicodedata.normalize("NFC", repaired)


# A word starting with a settled character starts with it once normal, or with the letters _SETTLED_SOURCES
# maps it to. Every other character may start it otherwise: characters outside ASCII and Devanagari (invisible
# ones are dropped, Latin-1 ones dropped beside Devanagari, others lower-cased or composed by NFC), and the
# Devanagari letters NFC takes apart or puts together (क़ and the rest, ऩ ऱ ऴ).
_SETTLED = sorted({*range(0x80), *range(0x0900, 0x0980)} - {0x0929, 0x0931, 0x0934, *range(0x0958, 0x0960)})
# The marks NFC may reorder at the start of a word (a word rarely starts with a mark): nukta, virama and
# the stress signs.
_REORDERED = "\u093c\u094d\u0951\u0952\u0953\u0954"
# A settled first letter the normal form may start with, and the letters it is the normal start of.
_SETTLED_SOURCES = {
    "ं": "ँ",  # chandrabindu folded
    "ऑ": "आ",  # आॅ in visual order
    "ॉ": "ा",  # ाॅ in visual order
    "ऩ": "न",  # न + nukta composed
    "ऱ": "र",
    "ऴ": "ळ",
    **{digit: devanagari for digit, devanagari in zip("0123456789", "०१२३४५६७८९", strict=True)},
    **{letter: letter.upper() for letter in "abcdefghijklmnopqrstuvwxyz"},
    **dict.fromkeys(_REORDERED, _REORDERED),
}


def first_letters_before_normalizing(initials: Iterable[str]) -> str:
    """A regular-expression character class (``[...]``) of every character a word can start with when its
    normal form (:func:`normalize_word`) starts with one of ``initials``. It also holds characters that
    are no word's (punctuation outside ASCII and Devanagari): a scan for words starting in the class must
    skip such a first character.

    Snippets scan the shown articles for words starting in it, and normalise only those, instead of
    every word of them.

    >>> import re
    >>> first = re.compile(first_letters_before_normalizing({"भ", "ं", "c"}))
    >>> [bool(first.match(word)) for word in ["भारत", "ँ", "Covid", "\u0958ानून", "\u200cभारत", "चीन", "ठीक"]]
    [True, True, True, True, True, False, False]
    """
    letters = {letter for initial in initials for letter in initial + _SETTLED_SOURCES.get(initial, "")}
    # written as the settled characters it leaves out: a class of the others' ranges, up to U+10FFFF, took
    # 8 ms to compile, once in every search process
    left_out = [code for code in _SETTLED if chr(code) not in letters]
    runs: list[list[int]] = []
    for code in left_out:
        if runs and runs[-1][1] == code - 1:
            runs[-1][1] = code
        else:
            runs.append([code, code])
    ranges = "".join(re.escape(chr(a)) + ("" if a == b else "-" + re.escape(chr(b))) for a, b in runs)
    return f"[^{ranges}]"
