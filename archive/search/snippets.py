"""Snippets: short passages of an article around the words a query matched.

Passages start and end on word boundaries (never inside a Devanagari syllable) and prefer sentence
boundaries (``।``, ``?``, ``!``); every matched form is marked, variants and inflections included.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Set
from dataclasses import dataclass
from functools import lru_cache

from archive.analysis.tokenizer import WORD_CHAR, WORD_RE

#: A snippet is a run of text pieces, each marked as a match of the query or not.
Snippet = tuple[tuple[str, bool], ...]

SENTENCE_ENDS = "।॥?!\n"
ELLIPSIS = "…"
_SPACES = re.compile(r"\s+")
_WORD_CHAR = re.compile(WORD_CHAR)
_WORD = re.compile(WORD_CHAR + "+")


@dataclass(frozen=True)
class _Window:
    start: int
    end: int
    matches: list[tuple[int, int]]


def words_of(texts: Iterable[str]) -> set[str]:
    """The distinct words of some texts, listed in C.

    >>> sorted(words_of(["भारत, चीन।", "भारत-चीन सीमा"]))
    ['चीन', 'भारत', 'सीमा']
    """
    # no word runs on over the line break joining two texts
    return set(WORD_RE.findall("\n".join(texts)))


def words_starting_in(texts: Iterable[str], first_letters: str | None) -> set[str]:
    """The distinct words of some texts that start with a character of the class ``first_letters`` (see
    :func:`archive.analysis.words.first_letters_before_normalizing`), and some pieces of longer words that
    do (harmless: a snippet marks a form only where it is a whole word); all of them with None.

    >>> sorted(words_starting_in(["भारत, चीन।", "भारत-चीन “भूटान” सीमा"], "[भ“]"))
    ['भारत', 'भूटान']
    """
    if first_letters is None:
        return words_of(texts)
    # One scan in C that stops only at those letters: listing every word, then asking about each, costs
    # five times as much (words of the ten shown articles at 100,000: 2.2 against 0.4 ms). A match starting
    # with a character outside words (a quote) is the word after it.
    found = set(_starting_in(first_letters).findall("\n".join(texts)))
    return {word if _WORD_CHAR.match(word) else word[1:] for word in found} - {""}


@lru_cache(maxsize=64)
def _starting_in(first_letters: str) -> re.Pattern[str]:
    return re.compile(first_letters + WORD_CHAR + "*")


def make_snippet(
    text: str, is_match: Callable[[str], bool] | Set[str], *, max_chars: int = 180, fragments: int = 2
) -> Snippet:
    """Up to ``fragments`` passages of about ``max_chars`` around the matches in ``text``.

    ``is_match`` says which words the query matched: a test of one word, or the set of matched words of
    this text, or of several texts (of :func:`words_of` them): a word is marked only where it is a
    whole word, so the other texts' words change nothing.

    >>> text = "पहला वाक्य है। लावरोव भारत आए। तीसरा वाक्य।"
    >>> make_snippet(text, lambda w: w == "लावरोव", max_chars=30)
    (('लावरोव', True), (' भारत आए।', False))
    >>> make_snippet("एक दो तीन चार पांच छह सात आठ लावरोव नौ दस", lambda w: w == "लावरोव", max_chars=20)
    (('…सात आठ ', False), ('लावरोव', True), (' नौ दस', False))
    >>> make_snippet("कुछ नहीं मिला", lambda w: False, max_chars=9)
    (('कुछ नहीं…', False),)
    """
    # With a test, it runs over every word of the text: the words are listed in C (findall), each
    # distinct word is asked about once, and only the matched ones are then located.
    if isinstance(is_match, Set):
        forms = frozenset(is_match)
    else:
        forms = frozenset(word for word in words_of([text]) if is_match(word))
    if not forms:
        return ((_lead(text, max_chars), False),)
    hits = _whole_word_spans(text, forms)
    if not hits:  # the words matched were another text's
        return ((_lead(text, max_chars), False),)
    windows: list[_Window] = []
    for start, end in hits:
        if windows and end - windows[-1].start <= max_chars:
            windows[-1].matches.append((start, end))
            continue
        windows.append(_Window(start, end, [(start, end)]))
    chosen = sorted(sorted(windows, key=lambda w: -len(w.matches))[:fragments], key=lambda w: w.start)
    pieces: list[tuple[str, bool]] = []
    for number, window in enumerate(chosen):
        begin, finish = _bounds(text, window, max_chars)
        if number:
            ends_open = bool(pieces) and pieces[-1][0].endswith(ELLIPSIS)
            pieces.append((" " if ends_open else " " + ELLIPSIS + " ", False))
        elif text[:begin].strip() and text[:begin].rstrip()[-1] not in SENTENCE_ENDS:
            pieces.append((ELLIPSIS, False))
        cursor = begin
        for start, end in window.matches:
            if start >= finish:
                break
            if start > cursor:
                pieces.append((text[cursor:start], False))
            pieces.append((text[start:end], True))
            cursor = end
        tail = text[cursor:finish]
        if finish < len(text) and text[finish - 1] not in SENTENCE_ENDS:
            tail += ELLIPSIS
        if tail:
            pieces.append((tail, False))
    merged: list[tuple[str, bool]] = []
    for part, matched in pieces:
        if merged and not matched and not merged[-1][1]:
            merged[-1] = (merged[-1][0] + part, False)
        else:
            merged.append((part, matched))
    return tuple((part if matched else _SPACES.sub(" ", part), matched) for part, matched in merged if part)


def marked_text(text: str, forms: Set[str]) -> Snippet:
    """The whole of ``text``, every whole-word occurrence of one of ``forms`` marked.

    >>> marked_text("भारत और भारतीय, भारत।", {"भारत"})
    (('भारत', True), (' और भारतीय, ', False), ('भारत', True), ('।', False))
    """
    pieces: list[tuple[str, bool]] = []
    cursor = 0
    for start, end in _whole_word_spans(text, frozenset(forms)) if forms else []:
        if start > cursor:
            pieces.append((text[cursor:start], False))
        pieces.append((text[start:end], True))
        cursor = end
    if cursor < len(text) or not pieces:
        pieces.append((text[cursor:], False))
    return tuple(pieces)


#: Up to this many forms are each looked for with ``str.find`` (a few times faster than the pattern's scan).
_FOUND_ONE_BY_ONE = 16


def _whole_word_spans(text: str, forms: frozenset[str]) -> list[tuple[int, int]]:
    """Where in ``text`` one of ``forms`` (words) is a whole word, in order.

    >>> _whole_word_spans("भारत, भारतीय और अभारत। भारत", frozenset({"भारत", "भारतीय"}))
    [(0, 4), (6, 12), (23, 27)]
    """
    if not _found_one_by_one(forms):
        # a match must also start a word: checked here, not by a look-behind, which would cost the pattern
        # its quick scan for the forms' first letters (no word can start inside a rejected match, whose
        # letters are all word characters)
        return [
            (m.start(), m.end())
            for m in _whole_words(forms).finditer(text)
            if not m.start() or not _WORD_CHAR.match(text, m.start() - 1)
        ]
    # Each form (a word) is found where it starts and ends a word; a word is one form at most, so the spans
    # do not overlap, and sorted they are what the pattern finds.
    spans = []
    length, word_char = len(text), _WORD_CHAR.match
    for form in forms:
        start = text.find(form)  # (a form is not empty: the guard above sent those to the pattern)
        while start != -1:
            end = start + len(form)
            if (not start or not word_char(text, start - 1)) and (end == length or not word_char(text, end)):
                spans.append((start, end))
            start = text.find(form, end)
    spans.sort()
    return spans


@lru_cache(maxsize=256)
def _found_one_by_one(forms: frozenset[str]) -> bool:
    """Whether ``forms`` are few words (asked once for a search's ten snippets, which share them)."""
    return len(forms) <= _FOUND_ONE_BY_ONE and all(map(_WORD.fullmatch, forms))


@lru_cache(maxsize=256)
def _whole_words(forms: frozenset[str]) -> re.Pattern[str]:
    """Where any of ``forms`` ends a word (make_snippet checks that it starts one too).

    >>> [m.start() for m in _whole_words(frozenset({"भारत"})).finditer("भारत, भारतीय और अभारत।")]
    [0, 17]
    """
    alternatives = "|".join(re.escape(form) for form in sorted(forms, key=len, reverse=True))
    return re.compile(f"(?:{alternatives})(?!{WORD_CHAR})")


def _bounds(text: str, window: _Window, max_chars: int) -> tuple[int, int]:
    first, last = window.matches[0][0], window.matches[-1][1]
    room = max(0, max_chars - (last - first))
    # Only words within max_chars of the window can bound it; the margins keep the words cut at the
    # edges of this stretch out of reach of the look-ups below (which once listed its every word).
    low, high = max(0, first - max_chars - 1), min(len(text), last + max_chars + 2)
    # Start at the sentence that holds the first match when it is close, else a few words before it.
    sentence_start = max(text.rfind(ch, 0, first) for ch in SENTENCE_ENDS) + 1
    begin = _word_start_after(text, sentence_start if first - sentence_start <= room // 2 else first - room // 2, high)
    budget_end = begin + max_chars
    sentence_end = min((i for ch in SENTENCE_ENDS if (i := text.find(ch, last)) != -1), default=len(text))
    if sentence_end + 1 <= budget_end:
        return begin, sentence_end + 1
    return begin, max(last, _word_end_before(text, budget_end, low))


_WORD_START = re.compile(f"(?<!{WORD_CHAR}){WORD_CHAR}")


def _word_start_after(text: str, position: int, high: int) -> int:
    """Where the first word starting at or after ``position`` (and before ``high``) starts.

    >>> _word_start_after("एक दो तीन", 1, 9), _word_start_after("एक दो तीन", 3, 9), _word_start_after("एक दो", 4, 5)
    (3, 3, 4)
    """
    # the look-behind sees the text before `position`, so a word cut there is not taken for one
    found = _WORD_START.search(text, position, high)
    return found.start() if found else position


def _word_end_before(text: str, position: int, low: int) -> int:
    """Where the last word ending at or before ``position`` (and after ``low``) ends.

    >>> _word_end_before("एक दो तीन", 7, 0), _word_end_before("एक दो तीन", 5, 0), _word_end_before("एक दो", 2, 2)
    (5, 5, 2)
    """
    # a step back at a time: the end sought is a few letters away, unless a word is very long
    for end in range(position, low, -1):
        if _WORD_CHAR.match(text, end - 1) and not _WORD_CHAR.match(text, end):
            return end
    return position


def _lead(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > 0 else limit] + ELLIPSIS
