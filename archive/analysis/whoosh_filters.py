"""Thin Whoosh adapters around the pure functions of this package.

Whoosh pickles the analyzer into every index's schema: these classes must stay module-level here,
under these names. Moving or renaming one makes existing indexes unreadable (``archive reindex``
then rebuilds them from the database).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from whoosh.analysis import Filter, RegexTokenizer

from archive.analysis.tokenizer import WORD_PATTERN
from archive.analysis.words import normalize_word

# A news archive has a few hundred thousand distinct words; each is normalised once per process.
_normalize_cached = lru_cache(maxsize=500_000)(normalize_word)


class HindiTokenizer(RegexTokenizer):  # type: ignore[misc]
    """Whoosh's regex tokenizer with a word pattern that keeps Devanagari words whole."""

    def __init__(self) -> None:
        super().__init__(WORD_PATTERN)


class NormalizeFilter(Filter):  # type: ignore[misc]
    """Replaces each token's text by its canonical spelling (:func:`normalize_word`)."""

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other)

    def __hash__(self) -> int:
        return hash(type(self))

    def __call__(self, tokens: Iterator[Any]) -> Iterator[Any]:
        for token in tokens:
            token.text = _normalize_cached(token.text)
            if token.text:
                yield token
