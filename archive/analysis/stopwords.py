"""Hindi stopwords: function words that carry no search meaning (postpositions, pronouns, auxiliaries).

The list (``data/stopwords_hi.txt``) is Jacques Savoy's (University of Neuchâtel, BSD licence), as
shipped by Apache Lucene, with content words such as ``घर`` taken out and missing function words
added; its header names every change and why.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from archive.analysis.words import normalize_word


@cache
def stopwords() -> frozenset[str]:
    """The stopword set, in the same normal form as index terms.

    >>> {"का", "के", "की", "है", "और"} <= stopwords()
    True
    >>> "घर" in stopwords(), "सरकार" in stopwords()
    (False, False)
    """
    text = files("archive.analysis").joinpath("data/stopwords_hi.txt").read_text(encoding="utf-8")
    words = (line.strip() for line in text.splitlines())
    return frozenset(normalize_word(w) for w in words if w and not w.startswith("#"))


def is_stopword(word: str) -> bool:
    """``word`` must already be normalised (:func:`archive.analysis.words.normalize_word`).

    >>> is_stopword("में"), is_stopword("लावरोव")
    (True, False)
    """
    return word in stopwords()
