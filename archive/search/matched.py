"""Which words of an article a query matched, in any of their forms: what snippets mark."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence, Set
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

import whoosh.query as wq

from archive.analysis import hindi_analyzer
from archive.analysis.cached import normalize_word, variant_key
from archive.analysis.compounds import compound_spans, may_be_compound
from archive.analysis.stopwords import is_stopword
from archive.analysis.tokenizer import WORD_CHAR, WORD_RE
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
    #: the query's phrases (their terms, each position's, and their slop) that have a term found in no
    #: other part of the query: such a term is matched only where the text has the phrase (``"विदेश मंत्री"``
    #: marks no मंत्री alone; नोटबंदी searched as नोट बंदी marks no नोट alone)
    phrases: tuple[tuple[tuple[str, ...], int], ...] = ()
    #: the terms found only in those phrases
    phrase_only: frozenset[str] = frozenset()

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
        phrases, phrase_only = _phrases_alone(expanded_query, reader, unmarked)
        return cls(terms, keys, initials, compounds, frozenset(excluded) - terms, phrases, phrase_only & terms)

    def standalone(self) -> QueryForms:
        """These forms without the terms found only in phrases (matched where a phrase is: :func:`marked_in`)."""
        if not self.phrase_only:
            return self
        return replace(self, terms=self.terms - self.phrase_only, keys=self.keys - self.phrase_only)

    def first_letters(self) -> str | None:
        """The class of characters an article's word the query matched can start with (None: any)."""
        return None if self.initials is None else _first_letters(self.initials)


@lru_cache(maxsize=256)
def _first_letters(initials: frozenset[str]) -> str:
    """:func:`first_letters_before_normalizing`, made once for a query's initials (a tenth of a millisecond
    of every search that shows snippets)."""
    return first_letters_before_normalizing(initials)


#: The fields a phrase is matched in as the index analyses them (a phrase of another field is not looked for).
_TEXT_FIELDS = frozenset({"title", "summary", "body"})


def _phrases_alone(
    query: Any, reader: Any, unmarked: Set[int]
) -> tuple[tuple[tuple[tuple[str, ...], int], ...], frozenset[str]]:
    """The query's phrases of the text fields, and the terms that are only in them."""
    phrases: dict[tuple[tuple[str, ...], int], None] = {}
    in_phrases: set[str] = set()
    elsewhere: set[str] = set()
    for leaf in query.leaves():
        if id(leaf) in unmarked:
            continue
        if isinstance(leaf, wq.Phrase) and leaf.fieldname in _TEXT_FIELDS and len(leaf.words) > 1:
            phrases[(tuple(leaf.words), int(leaf.slop))] = None
            in_phrases.update(leaf.words)
        else:
            elsewhere.update(text for _, text in leaf.expanded_terms(reader, phrases=False) if isinstance(text, str))
    alone = frozenset(in_phrases - elsewhere)
    return tuple(p for p in phrases if alone.intersection(p[0])), alone


def marked_in(query: QueryForms, words: set[str], texts: Sequence[str]) -> set[str]:
    """What a snippet marks in ``texts`` (whose words, those that can match, are ``words``): the words the query
    matched, its pairs (:func:`matched_pairs`) and the stretches of text where one of its phrases is."""
    alone = query.standalone()
    return set(matched_words(alone, words)) | matched_pairs(alone, texts) | matched_phrases(query, words, texts)


_WORD_CHAR = re.compile(WORD_CHAR)

#: Characters of text read after a phrase's first word for each of its words (and of its slop).
_WINDOW_A_WORD = 48


def matched_phrases(query: QueryForms, words: set[str], texts: Iterable[str]) -> set[str]:
    """Each stretch of ``texts`` (whose words, those that can match, are ``words``) where one of the query's
    phrases is, as the index finds it: read by the index's own analyser (a stopword between two words is no
    gap; each word is also its variant key), each next word of the phrase within its slop of the one before.
    Only the text after each of a phrase's possible first words is read, and only when every other word of
    the phrase is written there (the analyser costs ~1.5 µs a character: a whole body, milliseconds).

    >>> forms = QueryForms(frozenset({"नोट", "बंदी"}), frozenset(), None, phrases=((("नोट", "बंदी"), 1),),
    ...                    phrase_only=frozenset({"नोट", "बंदी"}))
    >>> text = "नोट बंदी के बाद नोट बदले, नोट की बंदी"
    >>> sorted(matched_phrases(forms, set(text.replace(",", "").split()), [text]))
    ['नोट की बंदी', 'नोट बंदी']
    """
    if not query.phrases:
        return set()
    written: dict[str, set[str]] = {term: set() for phrase, _ in query.phrases for term in phrase}
    for word in words:
        normal = normalize_word(word)
        for term in (normal, VARIANT_PREFIX + variant_key(normal)):
            if term in written:
                written[term].add(word)
    possible = [(phrase, slop) for phrase, slop in query.phrases if all(written[term] for term in phrase)]
    if not possible:
        return set()
    analyzer = hindi_analyzer()
    found: set[str] = set()
    for text in texts:
        for phrase, slop in possible:
            reach = _WINDOW_A_WORD * (len(phrase) + slop)
            for first in written[phrase[0]]:
                at = text.find(first)
                while at >= 0:
                    if at and _WORD_CHAR.match(text, at - 1):  # (inside a word)
                        at = text.find(first, at + 1)
                        continue
                    window = text[at : at + reach]
                    if at + reach < len(text):
                        window = window[: max(window.rfind(" "), len(first))]  # (no word cut short)
                    if all(any(w in window for w in written[term]) for term in phrase[1:]) and _likely_at_start(
                        window, phrase, slop
                    ):
                        span = _phrase_at_start(analyzer, window, phrase, slop)
                        if span is not None:
                            found.add(text[at : at + span])
                    at = text.find(first, at + 1)
    return found


def _likely_at_start(window: str, phrase: tuple[str, ...], slop: int) -> bool:
    """Whether the phrase starts ``window`` as its words read one by one (normalised, stopwords left out, each
    also its variant key: the analyser's steps but its joining of paired words): a few microseconds where the
    analyser costs a fraction of a millisecond, so that it reads only the windows likely to hold the phrase."""
    terms: list[tuple[int, str]] = []
    position = -1
    for match in WORD_RE.finditer(window):
        normal = normalize_word(match.group())
        if not normal or is_stopword(normal):
            continue
        position += 1
        terms += [(position, normal), (position, VARIANT_PREFIX + variant_key(normal))]
        if position > len(phrase) * slop:
            break
    if (0, phrase[0]) not in terms:
        return False
    last = 0
    for term in phrase[1:]:
        after = [p for p, text in terms if text == term and last < p <= last + slop]
        if not after:
            return False
        last = after[0]
    return True


def _phrase_at_start(analyzer: Any, window: str, phrase: tuple[str, ...], slop: int) -> int | None:
    """Where the phrase ends in ``window`` when it starts with the window's first word (None: it does not)."""
    where: dict[str, list[tuple[int, int]]] = {}
    for token in analyzer(window, positions=True, chars=True, mode="index"):
        where.setdefault(token.text, []).append((token.pos, token.endchar))
    if not any(position == 0 for position, _ in where.get(phrase[0], ())):
        return None
    last, end = 0, 0
    for term in phrase[1:]:
        after = [(p, e) for p, e in where.get(term, ()) if last < p <= last + slop]
        if not after:
            return None
        last, end = after[0]
    return end


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
