"""Splitting text into words without breaking Devanagari apart.

Python's ``\\w`` does not match vowel signs, virama, nukta or anusvara, so a ``\\w+`` tokenizer cuts
``लावरोव`` into ``ल / वर / व``. Our word pattern takes the whole Devanagari block except the
danda and double danda (sentence punctuation), plus the invisible joiners that sit inside words.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

WORD_CHAR = (
    "[\u0900-\u0963\u0966-\u097f\ua8e0-\ua8ff"  # Devanagari and Devanagari Extended, minus । and ॥
    "\u200b-\u200d\u2060\u00ad"  # joiners and soft hyphens are inside words; normalisation drops them
    r"\w]"
)
WORD_PATTERN = WORD_CHAR + "+"
WORD_RE = re.compile(WORD_PATTERN)


def tokenize(text: str) -> Iterator[tuple[str, int, int]]:
    """Words of ``text`` with their start and end offsets in ``text``.

    >>> [w for w, _, _ in tokenize("लावरोव, क़ानून और हिन्दी।")]
    ['लावरोव', 'क़ानून', 'और', 'हिन्दी']
    >>> list(tokenize("है।ठीक"))
    [('है', 0, 2), ('ठीक', 3, 6)]
    """
    for match in WORD_RE.finditer(text):
        yield match.group(), match.start(), match.end()
