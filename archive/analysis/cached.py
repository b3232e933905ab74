"""The word-level functions with a cache: a news archive has a few hundred thousand distinct words, and
each is analysed once per process rather than once per occurrence (indexing, snippets)."""

from __future__ import annotations

from functools import lru_cache

from archive.analysis.variants import variant_key as _variant_key
from archive.analysis.words import normalize_word as _normalize_word

CACHE_SIZE = 500_000

normalize_word = lru_cache(maxsize=CACHE_SIZE)(_normalize_word)
variant_key = lru_cache(maxsize=CACHE_SIZE)(_variant_key)
