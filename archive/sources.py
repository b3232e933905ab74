"""Outlet names folded for filtering: one key for every way an outlet's name is printed."""

from __future__ import annotations

import re

from archive.analysis.words import normalize_word

_NOT_LETTERS = re.compile(r"[\s\-_.,:;'\"()।]+")
_NASAL = re.compile("[ङञणनम]\u094d(?=[क-ह])")
_FOLD = str.maketrans({"ॉ": "ा", "ऑ": "आ", "ै": "े", "ी": "ि", "ू": "ु", "\u093c": None, "ऱ": "र"})


def source_key(name: str) -> str:
    """The key under which spellings of one outlet's name meet.

    Outlet names are few and well known, so this folds harder than word search may (spaces, vowel
    length, ``ै`` / ``े``, nukta, nasals):

    >>> source_key("नईदुनिया") == source_key("नई दुनिया")
    True
    >>> source_key("बिजनेस स्टैंडर्ड") == source_key("बिजनेस स्टेंडर्ड") == source_key(" बिज़नेस  स्टैण्डर्ड ")
    True
    >>> source_key("ऱाष्ट्रीय सहारा") == source_key("राष्ट्रीय सहारा")
    True
    >>> source_key("Amar Ujala") == source_key("amar-ujala"), source_key("दैनिक जागरण") == source_key("जागरण")
    (True, False)
    """
    folded = _NOT_LETTERS.sub("", normalize_word(name.strip()))
    return _NASAL.sub("ं", folded).translate(_FOLD)
