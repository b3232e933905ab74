"""Reduplicated and hyphenated words with a stopword in them, kept as words of their own.

Hindi doubles words for "each", "together", "now and then": ``साथ-साथ``, ``कभी-कभी``, ``एक-एक``,
``अपने-अपने``, and joins pairs with a hyphen (``एक-दो``, ``जब-तब``). Their parts are stopwords, which the
index leaves out, so they were unsearchable: a query of ``साथ-साथ`` analysed to nothing, and any query
holding one found nothing.

Here, before a text is split into words, such a pair becomes one word, its parts written together
(``साथसाथ``): a hyphenated pair with a stopword part, or a stopword written twice with only spaces between.
A part that is not a stopword stays a word of its own beside it (``एक-दो`` is ``एकदो दो``), so that ``दो``
is still found there. Index and query go through the same rewrite, so the word ``साथसाथ`` stands for the
pair spaced, hyphenated or written together.

Every text of an ingest goes through :func:`compound_words`, so it looks first for what is cheap to rule
out (a hyphen followed by a letter; two equal words in a row) before it rewrites anything.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import compress, islice
from operator import eq

from archive.analysis.cached import normalize_word
from archive.analysis.stopwords import is_stopword
from archive.analysis.tokenizer import WORD_CHAR, WORD_RE

#: A hyphen between two words (the ASCII one, Unicode's hyphen and non-breaking hyphen; a dash is not one).
HYPHENS = "-\u2010\u2011"
_HYPHEN_BEFORE_WORD = re.compile(f"[{HYPHENS}](?={WORD_CHAR})")
_IS_WORD_CHAR = re.compile(WORD_CHAR)
#: A letter that can start a word (a consonant or a vowel, not a sign that follows one).
_STARTS_A_WORD = re.compile("[\u0904-\u0939\u0958-\u0961\u0972-\u097fA-Za-z0-9]")
_SHORTEST = 2
_WORD_ENDING = re.compile(f"{WORD_CHAR}+$")
_WORD_STARTING = re.compile(f"{WORD_CHAR}+")
#: The longest word looked for before a hyphen (a longer one is not a word of a pair).
_LONGEST = 64


@lru_cache(maxsize=100_000)
def _stop(word: str) -> bool:
    normal = normalize_word(word)
    return bool(normal) and is_stopword(normal)


def _pair(first: str, second: str) -> str | None:
    """What a pair becomes (None: it stays two words)."""
    first_stop, second_stop = _stop(first), _stop(second)
    if first_stop and second_stop:
        return first + second
    if first_stop:
        return f"{first}{second} {second}"
    if second_stop:
        return f"{first} {first}{second}"
    return None


def _edits(text: str, words: list[str]) -> list[tuple[int, int, str]]:
    """Where ``text`` (whose words are ``words``) has pairs, and what each becomes, in order."""
    return [(start, end, joined) for start, end, joined, _ in _pairs(text, words)]


def _pairs(text: str, words: list[str]) -> list[tuple[int, int, str, str]]:
    """Where ``text`` (whose words are ``words``) has pairs: each one's span, what it becomes, and the one
    word made of both parts, in order."""
    edits: list[tuple[int, int, str, str]] = []
    end = 0
    for hyphen in _HYPHEN_BEFORE_WORD.finditer(text):
        at = hyphen.start()
        if at < end or at == 0 or not _IS_WORD_CHAR.match(text, at - 1):
            continue
        before = _WORD_ENDING.search(text, max(end, at - _LONGEST), at)
        after = _WORD_STARTING.match(text, at + 1)
        if before is None or after is None:
            continue
        joined = _pair(before.group(), after.group())
        if joined is not None:
            edits.append((before.start(), after.end(), joined, before.group() + after.group()))
            end = after.end()
    doubled = set(compress(words, map(eq, words, islice(words, 1, None))))
    if doubled:
        for word in filter(_stop, doubled):
            # (a pattern that starts with the word is found by a fast scan; one with a look-behind is not)
            spaced = re.compile(f"{re.escape(word)}\\s+{re.escape(word)}(?!{WORD_CHAR})")
            edits += [
                (m.start(), m.end(), word + word, word + word)
                for m in spaced.finditer(text)
                if m.start() == 0 or not _IS_WORD_CHAR.match(text, m.start() - 1)
            ]
        edits.sort()
    return edits


def _rewritten(text: str, edits: list[tuple[int, int, str]]) -> str:
    pieces, last = [], 0
    for start, end, joined in edits:
        if start < last:  # (overlapping pairs: the first one stands)
            continue
        pieces += [text[last:start], joined]
        last = end
    return "".join(pieces) + text[last:]


def join_compounds(text: str) -> str:
    """``text`` with each pair that has a stopword in it written as one word (see the module).

    >>> join_compounds("वे साथ-साथ चले, कभी कभी रुके और एक-दो बार जम्मू-कश्मीर गए")
    'वे साथसाथ चले, कभीकभी रुके और एकदो दो बार जम्मू-कश्मीर गए'
    >>> join_compounds("धीरे-धीरे और धीरे धीरे"), join_compounds("घर-घर"), join_compounds("दो-एक")
    ('धीरे-धीरे और धीरे धीरे', 'घर-घर', 'दो दोएक')
    """
    edits = _edits(text, WORD_RE.findall(text))
    return _rewritten(text, edits) if edits else text


def compound_words(text: str) -> list[str]:
    """The words of ``text`` as the index takes them: :func:`join_compounds`, then split into words.

    >>> compound_words("साथ-साथ, एक-एक कर")
    ['साथसाथ', 'एकएक', 'कर']
    """
    words = WORD_RE.findall(text)
    edits = _edits(text, words)
    return WORD_RE.findall(_rewritten(text, edits)) if edits else words


def compound_spans(text: str) -> list[tuple[int, int, str]]:
    """Each pair of ``text`` the index keeps as one word: where it is, and that word (its parts together).

    >>> compound_spans("वे साथ-साथ चले और एक-दो बार")
    [(3, 10, 'साथसाथ'), (18, 23, 'एकदो')]
    """
    return [(start, end, word) for start, end, _, word in _pairs(text, WORD_RE.findall(text))]


def may_be_compound(word: str) -> bool:
    """Whether a (normalised) word can be a pair the index keeps as one (``साथसाथ``, ``एकदो``).

    >>> may_be_compound("साथसाथ"), may_be_compound("एकदो"), may_be_compound("सरकार"), may_be_compound("चीन")
    (True, True, False, False)
    """
    # (each part a word of two letters or more that starts with a letter, not a vowel sign: चीन is not ची + न)
    return any(_STARTS_A_WORD.match(word, i) and _pair(word[:i], word[i:]) for i in range(_SHORTEST, len(word) - 1))


def stopword_pair(word: str) -> bool:
    """Whether a (normalised) word is two stopwords joined (``साथसाथ``, ``कभीकभी``, ``एकदो``): a pair the
    index keeps as one word, whoever typed it joined.

    >>> stopword_pair("साथसाथ"), stopword_pair("नोटबंदी"), stopword_pair("चीन")
    (True, False, False)
    """
    return any(
        _STARTS_A_WORD.match(word, i) and _stop(word[:i]) and _stop(word[i:]) for i in range(_SHORTEST, len(word) - 1)
    )
