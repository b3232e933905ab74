"""Outlet names folded for filtering: one key for every way an outlet's name is printed."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from archive.analysis.acronyms import is_acronym, letter_names
from archive.analysis.variants import latin_skeleton, skeleton
from archive.analysis.words import normalize_word

_NOT_LETTERS = re.compile(r"[\s\-_.,:;'\"()।]+")
_NASAL = re.compile("[ङञणनम]\u094d(?=[क-ह])")
_FOLD = str.maketrans({"ॉ": "ा", "ऑ": "आ", "ै": "े", "ी": "ि", "ू": "ु", "\u093c": None, "ऱ": "र"})


def source_key(name: str) -> str:
    """The key under which spellings of one outlet's name meet, in either script.

    Outlet names are few and well known, so this folds much harder than word search may: a name is
    keyed by its consonants (as :func:`~archive.analysis.variants.skeleton` writes them for Devanagari and
    :func:`~archive.analysis.variants.latin_skeleton` for Latin letters), so that spaces, vowels, nukta,
    nasals, aspiration and the script all fall away; an acronym by its letters' names as Hindi prints them.
    A name with fewer than :data:`MIN_CONSONANTS` consonants keeps its vowels (too short to fold safely).

    >>> source_key("नईदुनिया") == source_key("नई दुनिया")
    True
    >>> source_key("बिजनेस स्टैंडर्ड") == source_key("बिजनेस स्टेंडर्ड") == source_key(" बिज़नेस  स्टैण्डर्ड ")
    True
    >>> source_key("ऱाष्ट्रीय सहारा") == source_key("राष्ट्रीय सहारा")
    True
    >>> source_key("Amar Ujala") == source_key("amar-ujala") == source_key("अमर उजाला") == source_key("अमरउजाला")
    True
    >>> source_key("Dainik Bhaskar") == source_key("दैनिक भास्कर") == source_key("दैनिक बास्कर")
    True
    >>> source_key("BBC हिन्दी") == source_key("बीबीसी हिंदी")
    True
    >>> source_key("Editorial:अमर उजाला") == source_key("अमर उजाला")
    True
    >>> source_key("दैनिक जागरण") == source_key("जागरण"), source_key("हिन्दुस्तान") == source_key("हिंदुस्तान टाइम्स")
    (False, False)
    """
    name = _SECTION_LABEL.sub("", name.strip()) or name.strip()
    letters = [_consonants(word) for word in _NOT_LETTERS.split(name) if word]
    joined = "".join(letters)
    if len(joined) >= MIN_CONSONANTS:
        return "~" + joined  # (a mark of its own: keys written before this rule never equal one of these)
    folded = _NOT_LETTERS.sub("", normalize_word(name))
    return _NASAL.sub("ं", folded).translate(_FOLD)


#: Consonants a name needs before it is keyed by consonants alone.
MIN_CONSONANTS = 3
# a Latin label before the name proper ("Editorial:अमर उजाला")
_SECTION_LABEL = re.compile(r"^[A-Za-z][A-Za-z ]*:\s*")


def _consonants(word: str) -> str:
    if is_acronym(word):
        word = letter_names(word)
    if word.isascii():
        return latin_skeleton(word)
    return skeleton(normalize_word(word).replace("ऱ", "र"))


def most_printed(counts: Iterable[tuple[str, int]], keys: Iterable[str]) -> dict[str, str]:
    """For each of ``keys``, the outlet name printed on the most articles, from ``(name, articles)``
    counts (ties go to the name that sorts first).

    >>> most_printed([("नई दुनिया", 3), ("नईदुनिया", 5), ("जनसत्ता", 2)], [source_key("नई दुनिया")])
    {'~ndn': 'नईदुनिया'}
    """
    wanted = set(keys)
    best: dict[str, tuple[int, str]] = {}
    for name, count in counts:
        key = source_key(name)
        if key in wanted and (key not in best or (-count, name) < (-best[key][0], best[key][1])):
            best[key] = (count, name)
    return {key: name for key, (_, name) in best.items()}


def outlets_of(
    counts: Iterable[tuple[str, int]], joined: Mapping[str, str] | None = None
) -> list[tuple[str, int, list[tuple[str, int]]]]:
    """The outlets in ``(name, articles)`` counts, each once: the name printed most, its articles, and every
    spelling merged into it with its own count, most articles first. ``joined`` maps outlet keys to the key
    of the outlet they are another name of (:func:`joined_outlets`).

    >>> outlets_of([("Amar Ujala", 2), ("अमर उजाला", 5), ("जनसत्ता", 3)])
    [('अमर उजाला', 7, [('अमर उजाला', 5), ('Amar Ujala', 2)]), ('जनसत्ता', 3, [('जनसत्ता', 3)])]
    >>> outlets_of([("NBT", 2), ("नवभारत टाइम्स", 5)], joined_outlets([("NBT", "नवभारत टाइम्स")]))[0][:2]
    ('नवभारत टाइम्स', 7)
    """
    joined = joined or {}
    spellings: dict[str, list[tuple[str, int]]] = {}
    for name, count in counts:
        key = source_key(name)
        spellings.setdefault(joined.get(key, key), []).append((name, count))
    grouped = []
    for names in spellings.values():
        names.sort(key=lambda pair: (-pair[1], pair[0]))
        grouped.append((names[0][0], sum(count for _, count in names), names))
    return sorted(grouped, key=lambda outlet: (-outlet[1], outlet[0]))


def joined_outlets(groups: Iterable[Iterable[str]]) -> dict[str, str]:
    """For synonym groups that name one outlet several ways (``NBT``, ``नवभारत टाइम्स``), each name's outlet key
    mapped to one key of its outlet: what merges them into one outlet, for ``archive sources``, ``--source``
    and the outlet facet alike. Groups that share a name are one outlet.

    >>> joined = joined_outlets([("NBT", "Navbharat Times"), ("Navbharat Times", "नवभारत टाइम्स")])
    >>> joined[source_key("NBT")] == joined[source_key("नवभारत टाइम्स")]
    True
    """
    parent: dict[str, str] = {}

    def root(key: str) -> str:
        while parent.setdefault(key, key) != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for group in groups:
        keys = sorted({key for key in map(source_key, group) if key})
        for key in keys[1:]:
            first, other = root(keys[0]), root(key)
            if first != other:
                parent[max(first, other)] = min(first, other)
    joined = {key: root(key) for key in parent}
    return {key: rep for key, rep in joined.items() if any(other != key and joined[other] == rep for other in joined)}


#: A misprint is printed on at most this share of its outlet's articles: the archive's own counts must show
#: which spelling is the outlet's and which a slip (दैनिक जारगण on 7 editorials, दैनिक जागरण on 1,136).
MISPRINT_SHARE = 0.1
#: And the outlet it is a misprint of has at least this many articles: a small archive's counts prove nothing.
MISPRINT_TARGET_ARTICLES = 10
#: Names shorter than this (letters, spaces aside) are never taken for misprints: one letter changes too much.
MISPRINT_MIN_LETTERS = 5


def _letters(name: str) -> str:
    return "".join(normalize_word(name).split())


def is_one_slip(misprint: str, name: str) -> bool:
    """Whether ``misprint`` differs from ``name`` by one letter: one left out, added, changed, or two neighbours
    swapped (code points, spaces aside).

    >>> is_one_slip("दैनिक जारगण", "दैनिक जागरण"), is_one_slip("दैनिक जागण", "दैनिक जागरण")
    (True, True)
    >>> is_one_slip("बिजलेस स्टैंडर्ड", "बिजनेस स्टैंडर्ड"), is_one_slip("दैनिक भास्कर", "दैनिक जागरण")
    (True, False)
    >>> is_one_slip("जनसत्ता", "जनसत्ता"), is_one_slip("Aaj", "Aap")
    (False, False)
    """
    from rapidfuzz.distance import OSA

    a, b = _letters(misprint), _letters(name)
    if a == b or min(len(a), len(b)) < MISPRINT_MIN_LETTERS:
        return False
    return OSA.distance(a, b, score_cutoff=1) == 1


def misprints(
    counts: Iterable[tuple[str, int]],
    joined: Mapping[str, str] | None = None,
    named: Iterable[str] = (),
    refused: Iterable[str] = (),
) -> list[tuple[str, str, int, int]]:
    """The outlets of ``(name, articles)`` counts that are misprints of another: ``(misprint, outlet, its articles,
    the outlet's)``. The rule: the names differ by one letter (:func:`is_one_slip`); the misprint is printed on at
    most :data:`MISPRINT_SHARE` of the outlet's articles and the outlet on :data:`MISPRINT_TARGET_ARTICLES` or
    more; the misprint is one slip from no other outlet (two candidates: nothing is merged); and it is not
    ``named`` (a synonym group's name is an outlet someone named) nor ``refused`` (a merge undone).

    >>> misprints([("दैनिक जागरण", 1136), ("दैनिक जारगण", 7), ("दैनिक जागण", 4), ("जनसत्ता", 369)])
    [('दैनिक जारगण', 'दैनिक जागरण', 7, 1136), ('दैनिक जागण', 'दैनिक जागरण', 4, 1136)]
    >>> misprints([("दैनिक जागरण", 20), ("दैनिक जारगण", 7)]), misprints([("दैनिक जागरण", 9), ("दैनिक जारगण", 0)])
    ([], [])
    """
    outlets = outlets_of(counts, joined)
    named_keys = {source_key(name) for name in named}
    refused_set = set(refused)
    found = []
    for name, articles, spellings in outlets:
        if source_key(name) in named_keys or any(spelling in refused_set for spelling, _ in spellings):
            continue
        targets = [
            (other, other_articles)
            for other, other_articles, other_spellings in outlets
            if other != name
            and other_articles >= MISPRINT_TARGET_ARTICLES
            and articles <= MISPRINT_SHARE * other_articles
            and any(is_one_slip(spelling, printed) for spelling, _ in spellings for printed, _ in other_spellings)
        ]
        if len(targets) == 1:
            found.append((name, targets[0][0], articles, targets[0][1]))
    return found
