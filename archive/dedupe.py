"""Near-duplicate detection: the same wire story printed by several outlets, with small edits.

A 64-bit SimHash over word 3-shingles of the normalised body: copies of one story differ in a few bits,
different stories in about half. Four 16-bit bands let the database find candidates with an indexed
equality look-up (two signatures within 3 bits of each other share at least one band).
"""

from __future__ import annotations

import hashlib

from archive.analysis import analyze

BITS = 64
BANDS = 4
BAND_BITS = BITS // BANDS
MAX_DISTANCE = 3
SHINGLE = 3


def simhash(text: str) -> int:
    """The SimHash of ``text`` as a signed 64-bit integer (the range a database column holds).

    >>> a = simhash("भारत और रूस के विदेश मंत्रियों ने आज नई दिल्ली में व्यापार पर लंबी बातचीत की")
    >>> b = simhash("भारत और रूस के विदेश मंत्रियों ने आज नई दिल्ली में व्यापार पर लंबी बातचीत की।")
    >>> c = simhash("मानसून की पहली बारिश से मुंबई की सड़कों पर पानी भर गया और यातायात रुक गया")
    >>> distance(a, b), distance(a, c) > 10
    (0, True)
    """
    words = analyze(text)
    shingles = [" ".join(words[i : i + SHINGLE]) for i in range(max(1, len(words) - SHINGLE + 1))]
    weights = [0] * BITS
    for shingle in shingles:
        value = int.from_bytes(hashlib.blake2b(shingle.encode("utf-8"), digest_size=8).digest(), "big")
        for bit in range(BITS):
            weights[bit] += 1 if value >> bit & 1 else -1
    unsigned = sum(1 << bit for bit in range(BITS) if weights[bit] > 0)
    return unsigned - (1 << BITS) if unsigned >= 1 << (BITS - 1) else unsigned


def distance(a: int, b: int) -> int:
    """Bits in which two signatures differ."""
    return ((a ^ b) & ((1 << BITS) - 1)).bit_count()


def bands(signature: int) -> tuple[int, ...]:
    """The signature cut into ``BANDS`` pieces, for candidate look-ups.

    >>> bands(0x0001000200030004)
    (4, 3, 2, 1)
    """
    unsigned = signature & ((1 << BITS) - 1)
    mask = (1 << BAND_BITS) - 1
    return tuple(unsigned >> (BAND_BITS * i) & mask for i in range(BANDS))
