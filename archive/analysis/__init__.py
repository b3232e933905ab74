"""The Hindi analyzer: text in, index terms out.

``analyze`` is the whole chain as a pure function; ``hindi_analyzer`` is the same chain as a Whoosh
analyzer for the index schema. ``ANALYZER_VERSION`` changes whenever the terms for some text change,
so that an index built by another version is detected and rebuilt.
"""

from __future__ import annotations

from typing import Any

from archive.analysis.whoosh_filters import HindiStopFilter, HindiTokenizer, NormalizeFilter, VariantFilter

ANALYZER_VERSION = "6"


def hindi_analyzer() -> Any:
    """The Whoosh analyzer used for every text field.

    >>> [t.text for t in hindi_analyzer()("लॉवरोव और हिन्दी")]
    ['लॉवरोव', 'हिन्दी']
    >>> [t.text for t in hindi_analyzer()("लॉवरोव और हिन्दी", mode="index")]
    ['लॉवरोव', '~लावरोव', 'हिन्दी', '~हिंदी']
    """
    return HindiTokenizer() | NormalizeFilter() | HindiStopFilter() | VariantFilter()


def analyze(text: str, *, mode: str = "query") -> list[str]:
    """Terms for ``text``: the normalised words a query searches for, or with ``mode="index"`` every
    index term (each word followed by its variant key).

    >>> analyze("COVID-19 पर WHO की चेतावनी")
    ['covid', '19', 'who', 'चेतावनी']
    """
    return [token.text for token in hindi_analyzer()(text, mode=mode)]
