"""Near-duplicate detection: the same wire story printed by several outlets, with small edits.

A 64-bit SimHash over word 3-shingles of the normalised body: copies of one story differ in a few bits,
different stories in about half. Four 16-bit bands let the database find candidates with an indexed
equality look-up (two signatures within 3 bits of each other share at least one band).
"""

from __future__ import annotations

import hashlib

from archive.analysis.tokenizer import WORD_RE

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
    import numpy as np  # only ingest needs it; searches start faster without

    words = WORD_RE.findall(text.lower())  # copies share their words; no need for the full analysis
    shingles = [" ".join(words[i : i + SHINGLE]) for i in range(max(1, len(words) - SHINGLE + 1))]
    digests = b"".join(hashlib.blake2b(s.encode("utf-8"), digest_size=8).digest() for s in shingles)
    bits = np.unpackbits(np.frombuffer(digests, dtype=np.uint8).reshape(len(shingles), 8), axis=1)
    # a bit of the signature is set where most shingles have it set
    majority = (bits.sum(axis=0) * 2 > len(shingles)).astype(np.uint8)
    unsigned = int.from_bytes(np.packbits(majority).tobytes(), "big")
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


def cluster_of(signature: int, candidates: list[tuple[int, int, int]]) -> int | None:
    """The cluster of the first candidate ``(id, signature, cluster)`` within ``MAX_DISTANCE`` bits.

    >>> cluster_of(0b1011, [(7, 0b0100_0000_0000, 7), (9, 0b1001, 7)])
    7
    >>> cluster_of(0, [(7, -1, 7)]) is None
    True
    """
    for _, other, cluster in candidates:
        if distance(signature, other) <= MAX_DISTANCE:
            return cluster
    return None
