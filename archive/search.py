"""Search: a query string in, typed and ranked results out."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from whoosh import highlight
from whoosh.qparser import MultifieldParser
from whoosh.query import NullQuery

from archive.config import Settings
from archive.errors import QueryError
from archive.index import SearchIndex
from archive.store import Store
from archive.sync import ensure_index, sync_index

SEARCH_FIELDS = ("title", "summary", "body")
FIELD_BOOSTS = {"title": 3.0, "summary": 1.5, "body": 1.0}
SNIPPET_FRAGMENTS = 2
SNIPPET_CHARS = 160
FRAGMENT_SEPARATOR = " … "
MATCH_START, MATCH_END = "\ue000", "\ue001"  # private-use marks, never in real text

#: A snippet is a run of text pieces, each marked as a match of the query or not.
Snippet = tuple[tuple[str, bool], ...]


@dataclass(frozen=True)
class Hit:
    id: int
    url: str | None
    title: str
    source: str | None
    category: str | None
    date: date | None
    score: float
    snippet: Snippet

    def snippet_text(self, before: str = "**", after: str = "**") -> str:
        """The snippet with every matched word between ``before`` and ``after``."""
        return "".join(f"{before}{text}{after}" if matched else text for text, matched in self.snippet)


@dataclass(frozen=True)
class SearchResults:
    query: str
    total: int
    hits: list[Hit]


class _MarkFormatter(highlight.Formatter):  # type: ignore[misc]
    between = FRAGMENT_SEPARATOR

    def format_token(self, text: str, token: Any, replace: bool = False) -> str:
        return f"{MATCH_START}{highlight.get_text(text, token, replace)}{MATCH_END}"


def _split_marks(marked: str) -> Snippet:
    """Turn text with match marks into snippet pieces.

    >>> _split_marks("a \\ue000b\\ue001 c")
    (('a ', False), ('b', True), (' c', False))
    """
    pieces: list[tuple[str, bool]] = []
    marked = " ".join(marked.split())  # a snippet is one line, whatever the paragraphs were
    for i, part in enumerate(marked.split(MATCH_START)):
        if i == 0:
            if part:
                pieces.append((part, False))
            continue
        matched, _, rest = part.partition(MATCH_END)
        pieces.append((matched, True))
        if rest:
            pieces.append((rest, False))
    return tuple(pieces)


def check_syntax(query: str) -> None:
    """Reject what Whoosh would silently misread: unbalanced quotes and parentheses.

    >>> check_syntax('"शिखर सम्मेलन" (रूस OR भारत)')
    >>> check_syntax('(रूस OR भारत')
    Traceback (most recent call last):
    ...
    archive.errors.QueryError: Unclosed parenthesis at position 1 in the query; add a ')'.
    """
    if not query.strip():
        raise QueryError("The query is empty; give one or more words to search for.")
    depth_positions: list[int] = []
    in_quote: int | None = None
    for position, char in enumerate(query, start=1):
        if char == '"':
            in_quote = None if in_quote is not None else position
        elif in_quote is None and char == "(":
            depth_positions.append(position)
        elif in_quote is None and char == ")":
            if not depth_positions:
                raise QueryError(f"Unmatched ')' at position {position} in the query; remove it or add a '('.")
            depth_positions.pop()
    if in_quote is not None:
        raise QueryError(f'Unclosed quote at position {in_quote} in the query; add the closing ".')
    if depth_positions:
        raise QueryError(f"Unclosed parenthesis at position {depth_positions[-1]} in the query; add a ')'.")


def parse_query(query: str, schema: Any) -> Any:
    check_syntax(query)
    parser = MultifieldParser(list(SEARCH_FIELDS), schema, fieldboosts=FIELD_BOOSTS)
    parsed = parser.parse(query)
    if parsed is NullQuery or isinstance(parsed, type(NullQuery)):
        raise QueryError(
            f"Nothing to search for in {query!r}: it has no words the index keeps "
            "(very common words such as 'का' or 'और' are not indexed). Add a more specific word."
        )
    return parsed


@contextmanager
def open_for_search(settings: Settings) -> Iterator[tuple[Store, SearchIndex]]:
    """The archive's store and an index in step with it (repairing what an interrupted run left)."""
    store = Store.open(settings, create=False)
    index = SearchIndex(settings.index_dir)
    try:
        ensure_index(store, index)
        sync_index(store, index, wait=False)
        yield store, index
    finally:
        index.close()
        store.close()


def search(settings: Settings, query: str, *, limit: int = 10) -> SearchResults:
    if limit < 1:
        raise QueryError("--limit must be at least 1.")
    with open_for_search(settings) as (store, index), index.searcher() as searcher:
        parsed = parse_query(query, searcher.schema)
        results = searcher.search(parsed, limit=limit, terms=True)
        results.fragmenter = highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=60)
        results.formatter = _MarkFormatter()
        top = list(results)
        bodies = {a.id: a for a in store.articles([int(h["id"]) for h in top])}
        hits = []
        for hit in top:
            article_id = int(hit["id"])
            article = bodies.get(article_id)
            snippet = ""
            if article is not None:
                snippet = hit.highlights("body", text=article.body, top=SNIPPET_FRAGMENTS)
                if not snippet and article.summary:
                    snippet = hit.highlights("summary", text=article.summary, top=1)
                if not snippet:
                    snippet = _lead(article.summary or article.body)
            stored_date = hit.get("date")
            hits.append(
                Hit(
                    id=article_id,
                    url=hit.get("url"),
                    title=hit["title"],
                    source=hit.get("source"),
                    category=hit.get("category"),
                    date=stored_date.date() if stored_date else None,
                    score=round(float(hit.score), 4),
                    snippet=_split_marks(snippet),
                )
            )
        return SearchResults(query=query, total=len(results), hits=hits)


def _lead(text: str, limit: int = SNIPPET_CHARS) -> str:
    """The opening of ``text`` up to a word boundary.

    >>> _lead("एक दो तीन चार", 8)
    'एक दो…'
    """
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > 0 else limit] + "…"
