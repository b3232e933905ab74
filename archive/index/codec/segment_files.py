"""The files the archive keeps beside each Whoosh segment: one registry of their names and format versions.

Each is named after its segment (``<index>_<segment id>.<extension>``), so Whoosh's clean-up deletes it with
the segment, and each is derived from the segment: a missing file, or one of another version, reads as
absent, and the segment's own data answers instead (more slowly). A format change bumps the version here.
"""

from __future__ import annotations

from typing import NamedTuple


class SegmentFile(NamedTuple):
    extension: str
    version: int
    holds: str


#: (The extensions are kept from before these were called plain-array postings, so that existing indexes
#: keep their files.)
ARRAY_POSTINGS = SegmentFile("hot", 4, "common terms' postings as plain arrays (array_postings)")
ARRAY_POSITIONS = SegmentFile("hpos", 1, "the same terms' positions as plain arrays (array_positions)")
SEGMENT_VALUES = SegmentFile("values", 2, "per-document values: lengths, dates, facet codes, stories (segment_values)")

FILES = (ARRAY_POSTINGS, ARRAY_POSITIONS, SEGMENT_VALUES)
