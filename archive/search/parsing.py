"""The query language: checking a query string, parsing it with Whoosh's parser, and reading dates."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from whoosh import query as wq
from whoosh.qparser import FuzzyTermPlugin, MultifieldParser, PhrasePlugin, PlusMinusPlugin
from whoosh.qparser.taggers import RegexTagger
from whoosh.query import NullQuery

from archive.analysis.tokenizer import tokenize
from archive.errors import QueryError
from archive.messages import Message
from archive.search.typed import EXACT_MARK, typed_query

SEARCH_FIELDS = ("title", "summary", "body")
TEXT_FIELDS = frozenset({*SEARCH_FIELDS, "source"})
FIELD_BOOSTS = {"title": 3.0, "summary": 1.5, "body": 1.0}
MAX_QUERY_CHARS = 2_000
MAX_QUERY_DEPTH = 20


def check_syntax(query: str) -> None:
    """Reject what Whoosh would silently misread: unbalanced quotes and parentheses.

    >>> check_syntax('"शिखर सम्मेलन" (रूस OR भारत)')
    >>> check_syntax('(रूस OR भारत')
    Traceback (most recent call last):
    ...
    archive.errors.QueryError: Unclosed parenthesis at position 1 in the query; add a ')'.
    """
    if not query.strip():
        raise QueryError(Message("query_empty"))
    if len(query) > MAX_QUERY_CHARS:
        raise QueryError(Message("query_too_long", length=len(query), limit=MAX_QUERY_CHARS))
    for position, char in enumerate(query, start=1):
        if "\ud800" <= char <= "\udfff":
            raise QueryError(Message("query_surrogate", position=position))
        if (char < " " and char not in "\t\n") or char == "\x7f":
            raise QueryError(Message("query_control", char=f"U+{ord(char):04X}", position=position))
    depth_positions: list[int] = []
    in_quote: int | None = None
    for position, char in enumerate(query, start=1):
        if char == '"':
            in_quote = None if in_quote is not None else position
        elif in_quote is None and char == "(":
            depth_positions.append(position)
            if len(depth_positions) > MAX_QUERY_DEPTH:
                raise QueryError(Message("query_too_deep", limit=MAX_QUERY_DEPTH, position=position))
        elif in_quote is None and char == ")":
            if not depth_positions:
                raise QueryError(Message("query_unmatched_close", position=position))
            depth_positions.pop()
    if in_quote is not None:
        raise QueryError(Message("query_unclosed_quote", position=in_quote))
    if depth_positions:
        raise QueryError(Message("query_unclosed_group", position=depth_positions[-1]))


class ExactTerm(wq.Term):  # type: ignore[misc]
    """A word the user quoted: searched as typed, without variants, inflections, synonyms or readings."""


class ExactPhrase(wq.Phrase):  # type: ignore[misc]
    """Words the user quoted: each searched as typed (see :class:`ExactTerm`)."""

    def normalize(self) -> Any:
        found = super().normalize()
        if type(found) is wq.Term:  # (one word)
            return ExactTerm(found.fieldname, found.text, boost=self.boost)
        return found


class _ExactQuotes(PhrasePlugin):  # type: ignore[misc]
    """Quotes the user typed (which :func:`typed_query` marks), as :class:`ExactPhrase`; the phrases it
    writes itself (a hyphenated word's parts) stay Whoosh's own."""

    class ExactNode(PhrasePlugin.PhraseNode):  # type: ignore[misc]
        def query(self, parser: Any) -> Any:
            found = super().query(parser)
            exact = ExactPhrase(
                found.fieldname, found.words, slop=found.slop, boost=found.boost, char_ranges=found.char_ranges
            )
            return exact

    class ExactTagger(RegexTagger):  # type: ignore[misc]
        def create(self, parser: Any, match: Any) -> Any:
            slop = match.group("slop")
            return _ExactQuotes.ExactNode(match.group("text"), match.start("text"), int(slop) if slop else 1)

    def __init__(self) -> None:
        super().__init__(EXACT_MARK + '"(?P<text>.*?)"(~(?P<slop>[1-9][0-9]*))?')

    def taggers(self, parser: Any) -> list[tuple[Any, int]]:
        return [(self.ExactTagger(self.expr), -1)]  # before Whoosh's own quotes


def parse_query(query: str, schema: Any, notes: list[str] | None = None, acronyms: set[str] | None = None) -> Any:
    """The Whoosh query for what the user typed; what was left out of it is added to ``notes``, the words
    typed as acronyms to ``acronyms``."""
    check_syntax(query)
    typed = typed_query(query)
    if notes is not None:
        notes.extend(typed.notes)
    if acronyms is not None:
        acronyms.update(typed.acronyms)
    parser = MultifieldParser(list(SEARCH_FIELDS), schema, fieldboosts=FIELD_BOOSTS)
    parser.add_plugin(PlusMinusPlugin())
    parser.add_plugin(FuzzyTermPlugin())
    parser.add_plugin(_ExactQuotes())
    try:
        parsed = parser.parse(typed.text)
    except Exception as error:  # Whoosh's parser raises assorted types for malformed syntax
        raise QueryError(Message("query_unreadable", query=query, reason=str(error))) from error
    if parsed is NullQuery or isinstance(parsed, type(NullQuery)):
        if not any(True for _ in tokenize(typed.text)):
            raise QueryError(Message("query_no_letters", query=query))
        raise QueryError(Message("query_only_common", query=query))
    return parsed


_RELATIVE = re.compile(r"^(\d+)\s*([dwmy])$")


def parse_when(value: str, today: date | None = None) -> date:
    """A date given as ISO (``2016-01-25``) or as a time ago (``30d``, ``2w``, ``6m``, ``1y``).

    >>> parse_when("2016-01-25"), parse_when("30d", today=date(2016, 3, 1)), parse_when("1y", today=date(2016, 3, 1))
    (datetime.date(2016, 1, 25), datetime.date(2016, 1, 31), datetime.date(2015, 3, 1))
    """
    value = value.strip().lower()
    relative = _RELATIVE.match(value)
    if relative:
        amount, unit = int(relative.group(1)), relative.group(2)
        days = amount * {"d": 1, "w": 7, "m": 30, "y": 365}[unit]
        if unit == "y":
            base = today or date.today()
            try:
                return base.replace(year=base.year - amount)
            except ValueError:  # 29 February
                return base.replace(year=base.year - amount, day=28)
        return (today or date.today()) - timedelta(days=days)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a date: use YYYY-MM-DD, or a time ago such as 30d, 6m, 1y") from None
