"""Wrapping marked text to a terminal's width at word boundaries, the marks kept.

A terminal left to wrap a long line breaks it at the last column, which in Devanagari is often inside a
syllable (न|िशान); and ``textwrap`` counts characters, not the columns they take (a virama takes none).
Lines are filled word by word by their width in columns (``rich.cells``), and the marks (bold, colour,
``**``) are put in after wrapping, so they take no width.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_WORD = re.compile(r"\S+")


def wrap_marked(pieces: Sequence[tuple[str, bool]], width: int, before: str, after: str) -> list[str]:
    """The text of ``pieces`` (text, marked) in lines of at most ``width`` columns (a longer word has a
    line of its own), every marked piece between ``before`` and ``after``, runs of white space as one.

    >>> wrap_marked([("एक दो ", False), ("लावरोव", True), (" तीन चार", False)], 5, "[", "]")
    ['एक दो', '[लावरोव]', 'तीन चार']
    >>> wrap_marked([("निशान निशान निशान", False)], 8, "", "")
    ['निशान निशान', 'निशान']
    """
    from rich.cells import cell_len

    text = "".join(part for part, _ in pieces)
    marked: list[tuple[int, int]] = []
    offset = 0
    for part, is_marked in pieces:
        if is_marked:
            marked.append((offset, offset + len(part)))
        offset += len(part)
    lines: list[list[tuple[int, int]]] = []
    used = 0
    for word in _WORD.finditer(text):
        size = cell_len(word.group())
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
