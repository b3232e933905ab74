"""Thin Whoosh adapters around the pure functions of this package.

Whoosh pickles the analyzer into every index's schema: these classes must stay module-level here,
under these names. Moving or renaming one makes existing indexes unreadable (``archive reindex``
then rebuilds them from the database).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from whoosh.analysis import Filter, RegexTokenizer

from archive.analysis.cached import normalize_word as _normalize_cached
from archive.analysis.cached import variant_key as _variant_cached
from archive.analysis.stopwords import is_stopword
from archive.analysis.tokenizer import WORD_PATTERN
from archive.analysis.variants import VARIANT_PREFIX


class HindiTokenizer(RegexTokenizer):  # type: ignore[misc]
    """Whoosh's regex tokenizer with a word pattern that keeps Devanagari words whole."""

    def __init__(self) -> None:
        super().__init__(WORD_PATTERN)


class _StatelessFilter(Filter):  # type: ignore[misc]
    """A filter with no settings: any two of the same class are equal (Whoosh compares schemas)."""

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other)

    def __hash__(self) -> int:
        return hash(type(self))


class NormalizeFilter(_StatelessFilter):
    """Replaces each token's text by its canonical spelling (:func:`normalize_word`)."""

    def __call__(self, tokens: Iterator[Any]) -> Iterator[Any]:
        for token in tokens:
            token.text = _normalize_cached(token.text)
            if token.text:
                yield token


class HindiStopFilter(_StatelessFilter):
    """Drops stopwords and closes the gaps they leave in positions, as Whoosh's own ``StopFilter``
    does, so that a phrase typed with or without its stopwords matches the same text."""

    def __call__(self, tokens: Iterator[Any]) -> Iterator[Any]:
        position: int | None = None
        for token in tokens:
            if token.removestops and is_stopword(token.text):
                continue
            if token.positions:
                position = token.pos if position is None else position + 1
                token.pos = position
            yield token


class VariantFilter(_StatelessFilter):
    """At index time, follows each word with its variant key (``~`` + :func:`variant_key`) at the same
    position, so spelling variants and inflections match through the key while the exact form can
    still rank first. Queries get the exact form only: the search layer adds the keys itself."""

    def __call__(self, tokens: Iterator[Any]) -> Iterator[Any]:
        for token in tokens:
            yield token
            if token.mode == "index":
                token.text = VARIANT_PREFIX + _variant_cached(token.text)
                yield token
