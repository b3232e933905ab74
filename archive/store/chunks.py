"""Long lists of ids asked about a part at a time."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

from archive.config import IN_CHUNK

T = TypeVar("T")


def chunks(items: Sequence[T], size: int = IN_CHUNK) -> Iterator[Sequence[T]]:
    """``items`` in parts of at most ``size``.

    >>> [list(part) for part in chunks([1, 2, 3], 2)]
    [[1, 2], [3]]
    """
    for start in range(0, len(items), size):
        yield items[start : start + size]
