"""Collecting matches: ranking them (lazily, only as far as a page needs), one per story, and counting."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

from archive.index.query.arrays import Ints, Mask


def ranked(
    primary: np.ndarray[Any, Any], mask: Mask, *, sign: int = 1, secondary: np.ndarray[Any, Any] | None = None
) -> Iterator[int]:
    """Matching document numbers in ascending order of ``sign * primary``, then of ``sign * secondary``
    (without ``secondary``: of the document numbers, ascending), lazily: each step sorts only the next
    few (twice as many as the step before), never all the matches, and ties at the cut are kept whole, so
    the order is exactly that of a full sort. The signs are applied to the matches' values only (arrays
    over all documents, fresh each search, cost page faults)."""
    candidates = np.flatnonzero(mask)
    wanted = 16
    while candidates.size:
        keys = primary[candidates]
        if sign != 1:
            keys *= sign
        if candidates.size > wanted:
            cut = _smallest(keys, wanted)
            taken, candidates, keys = candidates[keys <= cut], candidates[keys > cut], keys[keys <= cut]
        else:
            taken, candidates = candidates, candidates[:0]
        ties = taken if secondary is None else sign * secondary[taken]
        for position in np.lexsort((ties, keys)):
            yield int(taken[position])
        wanted *= 2


#: Keys per chunk in :func:`_smallest`'s first pass.
_CHUNK = 64


def _smallest(keys: np.ndarray[Any, Any], k: int) -> Any:
    """The ``k``-th smallest of ``keys``: ``np.partition(keys, k - 1)[k - 1]``, but partitioning only the
    keys that can be it. Partitioning all 88,000 matches of a common word took 0.9 ms; the least key of
    each chunk of 64 is a quick pass, and at least ``k`` keys are at or below the ``k``-th least chunk
    minimum, so the answer is among those.

    >>> keys = np.array([5, 3, 9, 3, 7, 1] * 100)
    >>> [int(_smallest(keys, k)) == int(np.partition(keys, k - 1)[k - 1]) for k in (1, 16, 150, 600)]
    [True, True, True, True]
    """
    whole = keys.size - keys.size % _CHUNK
    if whole < 4 * k * _CHUNK:  # too few chunks to leave many keys out
        return np.partition(keys, k - 1)[k - 1]
    bound = np.partition(keys[:whole].reshape(-1, _CHUNK).min(axis=1), k - 1)[k - 1]
    few = keys[keys <= bound]
    return np.partition(few, k - 1)[k - 1]


def story_copies(keys: Ints) -> Mask:
    """True for each document whose story (its key, when not negative) has another document.

    >>> story_copies(np.array([7, 7, -1, 5, -1])).tolist()
    [True, True, False, False, False]
    """
    copies = np.zeros(keys.size, dtype=bool)
    held = keys >= 0
    if held.any():
        stories = keys[held]
        copies[held] = np.bincount(stories)[stories] > 1
    return copies


class Stories:
    """The one rule for copies of a story (near-duplicates printed by several outlets): with ``collapse``, a
    story counts once and shows as its first document in the result order; a document of no story (a
    negative key) is a story of its own. Every count and list a search gives goes through one of these,
    so that a facet's count is the total of the search its value opens, and an export lists what the pages
    list.

    >>> keys = np.array([7, 7, -1, 5, -1])
    >>> stories = Stories(keys, collapse=True)
    >>> list(stories.firsts([0, 1, 2, 3, 4])), stories.count(np.ones(5, dtype=bool))
    ([0, 2, 3, 4], 4)
    >>> stories.count_by(np.array([0, 1, 1, 0, 0]), np.ones(5, dtype=bool), 2).tolist()
    [3, 2]
    >>> Stories(keys, collapse=False).count_by(np.array([0, 1, 1, 0, 0]), np.ones(5, dtype=bool), 2).tolist()
    [3, 2]
    """

    def __init__(self, keys: Ints, *, collapse: bool, copies: Mask | None = None) -> None:
        self.keys = keys
        self.collapse = collapse
        #: The documents whose story has another document (:func:`story_copies`; found here when not given).
        self.copies = story_copies(keys) if copies is None and collapse else copies

    def firsts(self, ordered: Iterable[int]) -> Iterator[int]:
        """The documents of ``ordered`` less those whose story came before, lazily."""
        if not self.collapse:
            yield from ordered
            return
        keys, seen = self.keys, set()
        for document in ordered:
            key = int(keys[document])
            if key >= 0:
                if key in seen:
                    continue
                seen.add(key)
            yield document

    def count(self, mask: Mask) -> int:
        """How many stories the documents of ``mask`` are."""
        if not self.collapse or self.copies is None:
            return int(np.count_nonzero(mask))
        # a document alone in its story counts one: only the copies' stories are counted out (most stories
        # have one document: picking every match's story out, as before, cost a millisecond at 80,000)
        shared = mask & self.copies
        alone = int(np.count_nonzero(mask)) - int(np.count_nonzero(shared))
        stories = self.keys[shared]
        return int(np.count_nonzero(np.bincount(stories))) + alone if stories.size else alone

    def count_by(self, codes: Ints, mask: Mask, size: int) -> Ints:
        """For each value code (``0 <= code < size``), how many stories of ``mask`` have it: a story printed
        under two values (two outlets) counts in both, as the search of either value finds it."""
        chosen = np.flatnonzero(mask)
        values = codes[chosen].astype(np.int64, copy=False)
        if not self.collapse:
            counted: Ints = np.bincount(values, minlength=size)
            return counted
        keys = self.keys[chosen]
        # a story with one document here counts as that document does; only the copies of a story printed
        # more than once are counted by their distinct (value, story) pairs (sorting them all cost 9 ms)
        # (only a story with another document in the archive can have two here)
        copies = self.copies[chosen] if self.copies is not None else keys >= 0
        if copies.any():
            copies[copies] = np.bincount(keys[copies])[keys[copies]] > 1
        counts: Ints = np.bincount(values[~copies], minlength=size)
        if copies.any():
            span = int(keys.max()) + 1
            pairs = np.sort(values[copies] * span + keys[copies])
            distinct = pairs[
                np.concatenate(([True], pairs[1:] != pairs[:-1]))
            ]  # (np.unique: 6.6 ms at 35,000, a sort 0.5)
            counts += np.bincount(distinct // span, minlength=size)
        return counts
