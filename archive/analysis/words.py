"""Word-level normalisation: what one token becomes before it is indexed or looked up."""

from __future__ import annotations

import re

from archive.analysis.normalize import normalize_text

# Legacy-font converters leave Latin-1 letters inside Devanagari words ("दृष्टिï"); they are noise there.
_LATIN1_IN_DEVANAGARI = re.compile("(?<=[\u0900-\u097f])[\u00c0-\u00ff]+|[\u00c0-\u00ff]+(?=[\u0900-\u097f])")


def normalize_word(word: str) -> str:
    """The canonical spelling of one word.

    >>> normalize_word("दृष्टिï") == "दृष्टि"
    True
    >>> normalize_word("WHO")
    'who'
    >>> normalize_word("café")
    'café'
    """
    return _LATIN1_IN_DEVANAGARI.sub("", normalize_text(word))
