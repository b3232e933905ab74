"""Cleaning that keeps meaning: canonical Unicode and tidy whitespace."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACE_BEFORE_DANDA = re.compile(r" +([।॥])")


def clean_line(line: str) -> str:
    """NFC, control characters out, runs of spaces (including no-break spaces) to one, no space before
    a danda.

    >>> clean_line("  बातचीत   हुई \\u00a0।  ")
    'बातचीत हुई।'
    """
    line = unicodedata.normalize("NFC", _CONTROL.sub("", line))
    return _SPACE_BEFORE_DANDA.sub(r"\1", _SPACES.sub(" ", line)).strip()


def clean_text(text: str) -> str:
    """:func:`clean_line` on every line, blank-line runs folded to one paragraph break.

    >>> clean_text("एक ।\\n\\n\\n\\nदो")
    'एक।\\n\\nदो'
    """
    paragraphs = (clean_line(line) for line in text.splitlines())
    return "\n\n".join(p for p in paragraphs if p)
