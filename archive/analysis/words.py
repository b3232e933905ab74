"""Word-level normalisation: what one token becomes before it is indexed or looked up."""

from __future__ import annotations

import re
import unicodedata

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
