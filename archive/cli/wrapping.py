"""Wrapping marked text to a terminal's width at word boundaries, the marks kept.

A terminal left to wrap a long line breaks it at the last column, which in Devanagari is often inside a
syllable (न|िशान); and ``textwrap`` counts characters, not the columns they take (a virama takes none).
Lines are filled word by word by their width in columns, as terminals count them (:func:`columns`), and
the marks (bold, colour, ``**``) are put in after wrapping, so they take no width.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

_WORD = re.compile(r"\S+")


def columns(text: str) -> int:
    """The columns a terminal gives ``text``, as the C library's ``wcwidth`` counts them (xterm, GNOME's
    and macOS's terminals follow it): nothing for combining marks that sit on a letter (virama, anusvara,
    ु, े) and format characters (ZWJ), one for the vowel signs that take room of their own (ा, ि, ो),
    two for wide East Asian characters. (Rich counts ा and ि as nothing, and a line it measures spills
    over the edge.)

    >>> columns("निशान"), columns("दो"), columns("क्ष"), columns("中文")
    (5, 2, 2, 4)
    """
    return sum(map(_column, text))


@lru_cache(maxsize=4096)
def _column(character: str) -> int:
    if unicodedata.category(character) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(character) in ("W", "F") else 1


def wrap_marked(pieces: Sequence[tuple[str, bool]], width: int, before: str, after: str) -> list[str]:
    """The text of ``pieces`` (text, marked) in lines of at most ``width`` columns (a longer word has a
    line of its own), every marked piece between ``before`` and ``after`` (escape codes, or marks that
    take room of their own), runs of white space as one.

    >>> wrap_marked([("एक दो ", False), ("लावरोव", True), (" तीन चार", False)], 8, "[", "]")
    ['एक दो', '[लावरोव]', 'तीन चार']
    >>> wrap_marked([("एक दो ", False), ("लावरोव", True), (" तीन चार", False)], 10, "\\x1b[1m", "\\x1b[0m")
    ['एक दो', '\\x1b[1mलावरोव\\x1b[0m तीन', 'चार']
    >>> wrap_marked([("निशान निशान निशान", False)], 12, "", "")
    ['निशान निशान', 'निशान']
    """
    text = "".join(part for part, _ in pieces)
    marked: list[tuple[int, int]] = []
    offset = 0
    for part, is_marked in pieces:
        if is_marked:
            marked.append((offset, offset + len(part)))
        offset += len(part)
    # marks that print (``**``) take room; escape codes (colour) take none
    mark_columns = 0 if "\x1b" in before + after else columns(before + after)
    lines: list[list[tuple[int, int]]] = []
    used = 0
    for word in _WORD.finditer(text):
        start, end = word.span()
        size = columns(word.group()) + mark_columns * sum(low < end and high > start for low, high in marked)
        if lines and used + 1 + size <= width:
            lines[-1].append(word.span())
            used += 1 + size
        else:
            lines.append([word.span()])
            used = size
    return [" ".join(_render(text, start, end, marked, before, after) for start, end in line) for line in lines]


def _render(text: str, start: int, end: int, marked: Sequence[tuple[int, int]], before: str, after: str) -> str:
    """``text[start:end]`` with the parts of it inside ``marked`` spans between ``before`` and ``after``."""
    out, cursor = [], start
    for low, high in marked:
        low, high = max(low, start), min(high, end)
        if low >= high:
            continue
        out.append(text[cursor:low] + before + text[low:high] + after)
        cursor = high
    out.append(text[cursor:end])
    return "".join(out)
