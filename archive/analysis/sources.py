"""Outlet names folded for filtering: one key for every way an outlet's name is printed."""

from __future__ import annotations

import re
from collections.abc import Iterable

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


def most_printed(counts: Iterable[tuple[str, int]], keys: Iterable[str]) -> dict[str, str]:
    """For each of ``keys``, the outlet name printed on the most articles, from ``(name, articles)``
    counts (ties go to the name that sorts first).

    >>> most_printed([("नई दुनिया", 3), ("नईदुनिया", 5), ("जनसत्ता", 2)], [source_key("नई दुनिया")])
    {'नईदुनिया': 'नईदुनिया'}
    """
    wanted = set(keys)
    best: dict[str, tuple[int, str]] = {}
    for name, count in counts:
        key = source_key(name)
        if key in wanted and (key not in best or (-count, name) < (-best[key][0], best[key][1])):
            best[key] = (count, name)
    return {key: name for key, (_, name) in best.items()}
