"""The one rule for when a story (copies of one article printed by several outlets) happened: at its
earliest dated copy, and undated only when no copy has a date. The search page's year and month facets,
its undated count, the date filters (``since``/``until``, ``dated=no``) and the trend all place a story by
it, so each story is in exactly one period or undated: a reader who adds up the periods and the undated ones
gets the search's total, and a period's (or undated) count is the total of the search that period opens.
(Without collapsing, every copy is its own story, dated by itself.)

(Counting a story as undated when *any* copy is undated, as the facets once did, put 635 stories of मोदी
in the undated box while the trend, for the same search, said 633: the two copies the rule now places by
their dated sibling were printed once with a date and once without, and a reader would date them.)
"""

from __future__ import annotations

from datetime import date

import numpy as np

from archive.index.query.arrays import Ints, Mask
from archive.index.query.collect import Stories
from archive.index.query.values import DocValues

_MICROSECONDS_A_DAY = 86_400_000_000
#: Whoosh keeps a date as microseconds since 0001-01-01 (ordinal 1); numpy's days count from 1970-01-01.
EPOCH_ORDINAL = date(1970, 1, 1).toordinal() - 1


def days_of(values: DocValues) -> Ints:
    """Every document's date as days since 1970-01-01 (an undated one's is meaningless: masked by ``dated``)."""
    stored = values.numbers("date").astype(np.uint64) + np.uint64(values.offset("date"))
    days: Ints = (stored // np.uint64(_MICROSECONDS_A_DAY)).astype(np.int64) - EPOCH_ORDINAL
    return days


def placed(mask: Mask, stories: Stories, values: DocValues, days: Ints | None = None) -> Mask:
    """One document of ``mask`` per story, the one that dates it: its earliest dated copy, else (no copy
    dated) one undated copy. Without collapsing every document is its own story: ``mask`` itself."""
    if not stories.collapse:
        return mask
    # a document alone in its story dates it whatever its date: only the copies of a story printed more
    # than once are sorted (sorting every match by story and date cost 3.6 ms at 80,000 matches)
    shared = mask & stories.copies if stories.copies is not None else mask & (stories.keys >= 0)
    members = np.flatnonzero(shared)
    if not members.size:
        return mask
    keys = stories.keys[members]
    days = days_of(values) if days is None else days
    # earliest dated first within each story: undated copies sort after every dated one
    order_key = np.where(values.dated()[members], days[members], np.iinfo(np.int64).max)
    order = np.lexsort((order_key, keys))
    sorted_keys = keys[order]
    first = np.concatenate(([True], sorted_keys[1:] != sorted_keys[:-1]))
    counted = mask & ~shared
    counted[members[order][first]] = True
    return counted


def undated_stories(candidates: Mask, stories: Stories, values: DocValues) -> Mask:
    """The documents of ``candidates`` whose story has no dated copy among ``candidates`` (the ``dated=no``
    filter by the rule above: a story printed once with a date is dated)."""
    dated = values.dated()
    undated = candidates & ~dated
    if not stories.collapse:
        return undated
    keys = stories.keys
    dated_keys = keys[candidates & dated & (keys >= 0)]
    if not dated_keys.size:
        return undated
    return undated & ~(np.isin(keys, np.unique(dated_keys)) & (keys >= 0))


def story_date_filters(
    filters: dict[str, Mask], words: Mask, stories: Stories, values: DocValues, *, undated_asked: bool
) -> None:
    """Make the request's date filters (``date``: since/until; ``dated``) follow the rule, in place: a story
    passes when the copy that dates it does, placed among the copies the words and the other filters let
    through; the copies shown are still those the filter lets through by their own dates."""
    if not stories.collapse or not ({"date", "dated"} & set(filters)):
        return
    others = words.copy()
    for name, kept in filters.items():
        if name not in ("date", "dated"):
            others &= kept
    keys = stories.keys
    alone = keys < 0
    if "date" in filters:
        dating = placed(others, stories, values)
        inside = keys[dating & filters["date"] & ~alone]
        filters["date"] = filters["date"] & (alone | np.isin(keys, inside))
    if undated_asked and "dated" in filters:
        filters["dated"] = filters["dated"] & (undated_stories(others, stories, values) | ~others)
