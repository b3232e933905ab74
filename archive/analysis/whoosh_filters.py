"""Thin Whoosh adapters around the pure functions of this package: the analyzer's tokenizer and
filters, and the text field that indexes through :func:`archive.analysis.terms.index_terms`.

Whoosh pickles the analyzer into every index's schema: these classes must stay module-level here,
under these names. Moving or renaming one makes existing indexes unreadable (``archive reindex``
then rebuilds them from the database).
"""

from __future__ import annotations

from collections.abc import Iterator
from pickle import dumps
from struct import Struct
from typing import Any

from whoosh.analysis import Filter, RegexTokenizer
from whoosh.fields import TEXT

from archive.analysis.cached import normalize_word as _normalize_cached
from archive.analysis.cached import variant_key as _variant_cached
from archive.analysis.compounds import join_compounds
from archive.analysis.stopwords import is_stopword
from archive.analysis.terms import index_terms
from archive.analysis.tokenizer import WORD_PATTERN
from archive.analysis.variants import VARIANT_PREFIX


class HindiTokenizer(RegexTokenizer):  # type: ignore[misc]
    """Whoosh's regex tokenizer with a word pattern that keeps Devanagari words whole, splitting the text
    as the index does (:func:`archive.analysis.compounds.join_compounds`: ``साथ-साथ`` is one word). A
    token's characters are counted in the text so rewritten."""

    def __init__(self) -> None:
        super().__init__(WORD_PATTERN)

    def __call__(self, value: str, **kwargs: Any) -> Iterator[Any]:
        return super().__call__(join_compounds(value), **kwargs)  # type: ignore[no-any-return]


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


_COUNT = Struct("!I")  # Whoosh's ``pack_uint``


def encode_positions(positions: list[int]) -> bytes:
    """A posting's value in Whoosh's ``Positions`` format: the count, then the pickled gaps.

    >>> from whoosh.formats import Positions
    >>> encode_positions([3, 7, 8]) == Positions().encode([3, 7, 8])
    True
    >>> encode_positions([5]) == Positions().encode([5]), encode_positions([5]) is encode_positions([5])
    (True, True)
    """
    if len(positions) == 1:  # three postings in four: one encoding per position, made once
        position = positions[0]
        encoded = _SINGLE_POSITION_VALUES.get(position)
        if encoded is None:
            encoded = _SINGLE_POSITION_VALUES[position] = _COUNT.pack(1) + dumps([position], 2)
        return encoded
    gaps = [b - a for a, b in zip([0, *positions], positions, strict=False)]
    return _COUNT.pack(len(gaps)) + dumps(gaps, 2)


# Encoded values of one-position postings, by position: made once, shared by every such posting.
_SINGLE_POSITION_VALUES: dict[int, bytes] = {}


class HindiText(TEXT):  # type: ignore[misc]
    """A text field that indexes whole texts through :func:`index_terms` (the same terms and positions
    as the field's analyzer, several times faster). Queries still go through the analyzer."""

    def index(self, value: Any, **kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        if not isinstance(value, str) or kwargs.get("mode", "index") != "index":
            yield from super().index(value, **kwargs)
            return
        boost = self.format.field_boost
        for term, positions in index_terms(value).items():
            yield term.encode("utf-8"), len(positions), len(positions) * boost, encode_positions(positions)
