"""The Hindi analyzer: text in, index terms out.

``analyze`` is the whole chain as a pure function; ``hindi_analyzer`` is the same chain as a Whoosh
analyzer for the index schema. ``ANALYZER_VERSION`` changes whenever the terms for some text change,
so that an index built by another version is detected and rebuilt.
"""

from __future__ import annotations

from typing import Any

from archive.analysis.whoosh_filters import HindiTokenizer, NormalizeFilter

ANALYZER_VERSION = "1"


def hindi_analyzer() -> Any:
    """The Whoosh analyzer used for every text field.

    >>> [t.text for t in hindi_analyzer()("लावरोव और हिन्दी")]
    ['लावरोव', 'और', 'हिन्दी']
    """
    return HindiTokenizer() | NormalizeFilter()


def analyze(text: str) -> list[str]:
    """Index terms for ``text``.

    >>> analyze("COVID-19 पर WHO की चेतावनी") == ['covid', '19', 'पर', 'who', 'की', 'चेतावनी']
    True
    """
    return [token.text for token in hindi_analyzer()(text)]
