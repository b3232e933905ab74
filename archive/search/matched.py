"""Which words of an article a query matched, in any of their forms: what snippets mark."""

from __future__ import annotations

from collections.abc import Iterable, Set
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from archive.analysis.cached import normalize_word, variant_key
from archive.analysis.compounds import compound_spans, may_be_compound
from archive.analysis.variants import VARIANT_PREFIX, key_first_letters
from archive.analysis.words import first_letters_before_normalizing


@dataclass(frozen=True)
class QueryForms:
    """What a word of an article must normalise to for the query to have matched it: one of ``terms``, or
    a form whose variant key is one of ``keys``."""

    terms: frozenset[str]
    keys: frozenset[str]
    #: every first letter of such a form, or None when it could be any
    initials: frozenset[str] | None
    #: the terms that may be a pair the index keeps as one word (``साथसाथ`` for ``साथ-साथ``)
    compounds: frozenset[str] = frozenset()
    #: forms of a key the query searched that are not forms of its word (आमने for आम): not matched by the key
    excluded: frozenset[str] = frozenset()

    @classmethod
    def of(
        cls, expanded_query: Any, reader: Any, unmarked: Set[int] = frozenset(), excluded: Set[str] = frozenset()
    ) -> QueryForms:
        """The forms of the query's leaves, but those whose ids are in ``unmarked``, and of its keys but the
        ``excluded`` forms."""
        terms = frozenset(term.decode("utf-8") for term in existing_terms(expanded_query, reader, unmarked))
        keys = frozenset(term for term in terms if term.startswith(VARIANT_PREFIX))
        firsts = key_first_letters({key[len(VARIANT_PREFIX) : len(VARIANT_PREFIX) + 1] for key in keys})
        initials = None if firsts is None else firsts | {term[:1] for term in terms - keys}
        compounds = frozenset(term for term in terms - keys if may_be_compound(term))
        return cls(terms, keys, initials, compounds, frozenset(excluded) - terms)

    def first_letters(self) -> str | None:
        """The class of characters an article's word the query matched can start with (None: any)."""
        return None if self.initials is None else _first_letters(self.initials)


@lru_cache(maxsize=256)
def _first_letters(initials: frozenset[str]) -> str:
    """:func:`first_letters_before_normalizing`, made once for a query's initials (a tenth of a millisecond
    of every search that shows snippets)."""
    return first_letters_before_normalizing(initials)


def existing_terms(query: Any, reader: Any, unmarked: Set[int] = frozenset()) -> set[bytes]:
    """Every term of the query (prefixes, wildcards and fuzzy words expanded) that the index holds in any
    field, as bytes.

    Whoosh's own ``Query.existing_terms`` reuses its ``fieldname`` argument as the loop's variable: after the
    first leaf it keeps only terms of the last field it saw, so a word found only in bodies was never marked
    (issue 17). The same walk, without that; and each text looked up once, in the fields most likely to hold
    it first (a query's leaves repeat their words for title, summary and body).
    """
    schema = reader.schema
    fields_of: dict[bytes, list[str]] = {}
    for leaf in query.leaves():
        if id(leaf) in unmarked:
            continue
        for field, text in leaf.expanded_terms(reader, phrases=True):
            if field not in schema:
                continue
            try:
                term = schema[field].to_bytes(text)
            except ValueError:
                continue
            fields_of.setdefault(term, []).append(field)
    return {
        term
        for term, fields in fields_of.items()
        if any((field, term) in reader for field in sorted(set(fields), key=lambda f: _LIKELY.get(f, len(_LIKELY))))
    }


#: Where a term is looked for first: bodies hold nearly every word of the other fields.
_LIKELY = {"body": 0, "title": 1, "summary": 2}


def matched_words(query: QueryForms, words: set[str]) -> frozenset[str]:
    """Which of ``words`` (from an article's text) the query matched, in any of their forms (prefix and
    fuzzy words included).

    Snippets need this of the words of every shown article, so the words of all of them are asked at once
    and in one pass, with no call per word: each is normalised (cached) and looked up, and its variant key
    computed only when its first letter can be one of the query's keys'. Only the words that can start
    like a matched form are asked about (see :func:`archive.search.snippets.words_starting_in`).
    """
    terms, keys, initials, excluded = query.terms, query.keys, query.initials, query.excluded
    ordered = list(words)
    return frozenset(
        word
        for word, normal in zip(ordered, map(normalize_word, ordered), strict=True)
        if normal in terms
        or (
            (initials is None or normal[:1] in initials)
            and VARIANT_PREFIX + variant_key(normal) in keys
            and normal not in excluded
        )
    )


#: The forms of no query (browsing by filters): nothing is marked.
NO_FORMS = QueryForms(frozenset(), frozenset(), frozenset())


def matched_pairs(query: QueryForms, texts: Iterable[str]) -> set[str]:
    """The pairs of ``texts`` (``साथ-साथ``, ``कभी कभी``) that the query matched as the one word the index keeps
    for each: what a snippet marks of them (their words alone are stopwords, which match nothing)."""
    if not query.compounds:
        return set()
    return {
        text[start:end]
        for text in texts
        for start, end, word in compound_spans(text)
        if normalize_word(word) in query.compounds
    }
