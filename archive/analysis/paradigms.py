"""Whether two words are forms of one noun or adjective: what a variant key may join at query time.

The index's variant key (:func:`archive.analysis.variants.variant_key`) is a stem: it cuts every
inflectional ending it knows, verbal ones included, and so joins words that only share letters: ``आम``
('common') and ``आमने`` ('facing'), ``काम`` ('work') and ``कामना`` ('wish'), ``आप`` and ``आपा``, ``साल``
('year') and ``सालाना``. A query word reaches a form of its key only when the two are endings of one
declension (a paradigm) on the same base, after the spelling folds that never change meaning:

* consonant stems: ``देश / देशों``, ``बात / बातें / बातों``;
* ``ा`` stems: ``लड़का / लड़के / लड़कों``, ``महिला / महिलाओं / महिलाएं``;
* ``ी`` and ``ि`` stems: ``नदी / नदियों / नदियां``, ``दृष्टि / दृष्टियों``;
* ``ु`` and ``ू`` stems: ``साधु / साधुओं``;
* the glide ``य`` before an ending (``रुपया / रुपये / रुपए / रुपयों``, ``नया / नयी / नई``).

A bare stem does not meet its ``ा`` form (``साल / साला``, ``वर्ष / वर्षा``, ``चार / चारा``: other words far
more often than an adjective and its noun), and verbal endings meet only their own kind
(``करना / करने``, not ``करना / करता``): a search for a verb's form finds that form's declension.
"""

from __future__ import annotations

from functools import lru_cache

from archive.analysis.variants import fold_spelling

#: The endings of each declension (the empty ending is the bare stem).
PARADIGMS: tuple[tuple[str, ...], ...] = (
    ("", "ों", "ें", "े"),
    ("ा", "े", "ों", "ाओं", "ाएं", "ाएँ"),
    ("ी", "ियों", "ियां", "ियाँ", "ीं"),
    ("ि", "ियों", "ियां", "ियाँ"),
    ("ु", "ू", "ुओं", "ूओं"),
    ("या", "ये", "ए", "यों", "ओं", "यी", "ई", "यीं", "ईं"),
)
#: A base keeps at least this many characters (``नेता`` is not ``न`` + ``ेता``).
MIN_BASE = 2


@lru_cache(maxsize=100_000)
def _declined(word: str) -> frozenset[tuple[str, int]]:
    """Every (base, declension) the word can be a form of."""
    found = set()
    for number, endings in enumerate(PARADIGMS):
        for ending in endings:
            if word.endswith(ending) and len(word) - len(ending) >= MIN_BASE:
                found.add((word[: len(word) - len(ending)], number))
    return frozenset(found)


def inflected_alike(a: str, b: str) -> bool:
    """Whether two normalised words are one word's forms (see the module); symmetric.

    >>> [inflected_alike("सरकार", w) for w in ("सरकारों", "सरकारें", "सरकारी")]
    [True, True, False]
    >>> [inflected_alike("लड़का", w) for w in ("लड़के", "लड़कों", "लड़क")]
    [True, True, False]
    >>> inflected_alike("आम", "आमने"), inflected_alike("आप", "आपा"), inflected_alike("साल", "सालाना")
    (False, False, False)
    >>> inflected_alike("रुपया", "रुपए"), inflected_alike("नई", "नयी"), inflected_alike("फ़ैसला", "फैसलों")
    (True, True, True)
    >>> inflected_alike("नदी", "नदियों"), inflected_alike("करना", "करने"), inflected_alike("करना", "करता")
    (True, True, False)
    """
    if a == b:
        return True
    folded_a, folded_b = fold_spelling(a), fold_spelling(b)
    if folded_a == folded_b:
        return True
    return bool(_declined(a) & _declined(b)) or bool(_declined(folded_a) & _declined(folded_b))
