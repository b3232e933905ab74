"""Latin-script acronyms as Hindi papers print them: the English names of their letters in Devanagari
(``GST`` → ``जीएसटी``, ``RBI`` → ``आरबीआई``, ``BBC`` → ``बीबीसी``)."""

from __future__ import annotations

import re

#: How each English letter's name is printed (the common spelling; variants are the analyzer's to fold).
LETTER_NAMES = {
    "a": "ए", "b": "बी", "c": "सी", "d": "डी", "e": "ई", "f": "एफ", "g": "जी", "h": "एच", "i": "आई",
    "j": "जे", "k": "के", "l": "एल", "m": "एम", "n": "एन", "o": "ओ", "p": "पी", "q": "क्यू", "r": "आर",
    "s": "एस", "t": "टी", "u": "यू", "v": "वी", "w": "डब्ल्यू", "x": "एक्स", "y": "वाई", "z": "जेड",
}  # fmt: skip
#: Longer runs of capitals are words in capitals (a shouted headline), not acronyms.
MAX_ACRONYM_LETTERS = 6
_ACRONYM = re.compile(rf"^[A-Z]{{2,{MAX_ACRONYM_LETTERS}}}$")


def is_acronym(typed: str) -> bool:
    """Whether a word as typed (before lower-casing) is an acronym: two to six capital Latin letters.

    >>> is_acronym("GST"), is_acronym("RBI"), is_acronym("Gst"), is_acronym("A"), is_acronym("LOCKDOWNS")
    (True, True, False, False, False)
    """
    return bool(_ACRONYM.match(typed))


def letter_names(acronym: str) -> str:
    """The acronym spelt out in Devanagari letter names.

    >>> letter_names("GST"), letter_names("rbi"), letter_names("WHO")
    ('जीएसटी', 'आरबीआई', 'डब्ल्यूएचओ')
    """
    return "".join(LETTER_NAMES[letter] for letter in acronym.lower())
