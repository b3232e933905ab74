"""Which segments to merge: a tiered merge policy after Lucene's ``TieredMergePolicy``.

Every commit adds a segment, and every segment costs a search its per-segment work, so segments must be
merged; but a merge rewrites every posting of the segments it takes, and the largest ones are the
archive. A tiered policy keeps the count bounded at a cost that grows with the archive's size only
logarithmically: segments are grouped in tiers of sizes ``floor``, ``floor × at_once``, ... and a tier
may hold ``per_tier`` segments before some of them are merged into one of the next tier; and, as a
search pays for every segment, never more than ``max_segments`` in all. Of the merges
possible the policy picks the one of the most even sizes (the *skew*: the largest segment's share of the
merge, ``1 / at_once`` at best), slightly preferring small merges and merges that drop many deleted
documents, as Lucene does.

This module only chooses (pure functions over document counts, tested on their own); the index writer
does the merging (:mod:`archive.index.codec.whoosh3`), and *when* it may do a merge of what size is the
caller's choice (:class:`archive.config.MergePolicy`): an ingest's commit takes only small merges, the
large ones are left to ``archive optimize`` (a nightly job: ``archive serve`` merges nothing).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

from archive.config import MergePolicy


class SegmentSize(NamedTuple):
    #: Documents not deleted.
    live: int
    #: Documents, deleted ones included (what a merge reads).
    stored: int


def allowed_segments(total: int, policy: MergePolicy) -> int:
    """How many segments an index of ``total`` live documents may have before a merge is due.

    >>> allowed_segments(100_000, MergePolicy(max_segments=100))  # ten of 2,000 or fewer, four of 20,000
    14
    >>> allowed_segments(100_000, MergePolicy()), allowed_segments(1_000, MergePolicy())
    (8, 1)
    """
    level, remaining, allowed = policy.floor_documents, float(total), 0
    while True:
        in_tier = remaining / level
        if in_tier < policy.per_tier:
            return min(policy.max_segments, allowed + max(1, math.ceil(in_tier)))
        allowed += policy.per_tier
        remaining -= policy.per_tier * level
        level *= policy.at_once


def next_merge(sizes: Sequence[SegmentSize], policy: MergePolicy, limit: int | None = None) -> list[int]:
    """The segments (indices into ``sizes``) to merge next, or none when the index is within its bound.
    ``limit`` bounds the documents a merge may read (an ingest's commit passes a small one).

    >>> policy = MergePolicy(floor_documents=100, per_tier=3, at_once=4, max_segments=100)
    >>> sizes = [SegmentSize(n, n) for n in (5_000, 90, 100, 80, 110, 95, 85, 70, 105, 60)]
    >>> next_merge(sizes, policy)
    [6, 3, 7, 9]
    >>> next_merge(sizes, policy, limit=200)  # (the smaller merge that fits)
    [7, 9]
    >>> next_merge(sizes, policy, limit=100)
    []
    """
    total = sum(size.live for size in sizes)
    if len(sizes) <= allowed_segments(total, policy):
        return []
    largest = policy.max_merged_documents
    # (a segment already half the largest merge is left alone, as Lucene leaves it)
    eligible = sorted((i for i, size in enumerate(sizes) if size.live < largest / 2), key=lambda i: (-sizes[i].live, i))
    best: tuple[float, list[int]] | None = None
    for start in range(len(eligible) - 1):
        group: list[int] = []
        merged = 0
        for i in eligible[start:]:
            if len(group) == policy.at_once:
                break
            if merged + sizes[i].live > largest:
                continue
            group.append(i)
            merged += sizes[i].live
        if len(group) < 2:
            continue
        read = sum(sizes[i].stored for i in group)
        if limit is not None and read > limit:
            continue
        floored = [max(sizes[i].live, policy.floor_documents) for i in group]
        skew = max(floored) / sum(floored)
        kept = merged / read if read else 1.0
        score = skew * max(merged, 1) ** 0.05 * kept**2
        if best is None or score < best[0]:
            best = (score, group)
    return best[1] if best is not None else []
