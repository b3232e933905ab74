"""Search: a query string in, typed and ranked results out."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from whoosh import query as wq
from whoosh.qparser import MultifieldParser
from whoosh.query import NullQuery

from archive.analysis.variants import VARIANT_PREFIX, variant_key
from archive.analysis.words import normalize_word
from archive.config import Settings
from archive.errors import QueryError
from archive.expansion import KEY_BOOST, Expansion, expand_word
from archive.index import SearchIndex
from archive.snippets import Snippet, make_snippet
from archive.store import Store
from archive.sync import ensure_index, sync_index
from archive.vocabulary import Vocabulary

SEARCH_FIELDS = ("title", "summary", "body")
TEXT_FIELDS = frozenset({*SEARCH_FIELDS, "source"})
FIELD_BOOSTS = {"title": 3.0, "summary": 1.5, "body": 1.0}
SUGGESTIONS = 3
SNIPPET_FRAGMENTS = 2
SNIPPET_CHARS = 180


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
    #: The word forms in the archive that the query searched for (variants and romanised matches included).
    expanded: list[str] = field(default_factory=list)
    #: Close words the archive holds, offered when nothing matched.
    suggestions: list[str] = field(default_factory=list)


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
            f"Nothing to search for in {query!r}: it has only very common words (such as का, की, और, है) "
            "that the index leaves out. Add a more specific word."
        )
    return parsed


class _Expander:
    """Rewrites a parsed query so that every word also searches its variants (see :mod:`archive.expansion`)."""

    def __init__(self, vocabulary: Vocabulary, documents: int) -> None:
        self.vocabulary = vocabulary
        self.documents = documents
        self.words: dict[str, Expansion] = {}

    def __call__(self, node: Any) -> Any:
        if isinstance(node, wq.Term) and node.fieldname in TEXT_FIELDS:
            expansion = self.words.get(node.text)
            if expansion is None:
                expansion = self.words[node.text] = expand_word(node.text, self.vocabulary, self.documents)
            return wq.Or([wq.Term(node.fieldname, t, boost=node.boost * b) for t, b in expansion.terms.items()])
        if isinstance(node, wq.Phrase) and node.fieldname in TEXT_FIELDS:
            keys = [VARIANT_PREFIX + variant_key(word) for word in node.words]
            variants = wq.Phrase(node.fieldname, keys, slop=node.slop, boost=node.boost * KEY_BOOST)
            return wq.Or([node, variants])
        return node

    @property
    def forms(self) -> list[str]:
        return list(dict.fromkeys(form for e in self.words.values() for form in e.forms))


def _matcher(expanded_query: Any) -> Callable[[str], bool]:
    """Whether a word of an article's text is one the query matched, in any of its forms."""
    terms = {text for _, text in expanded_query.iter_all_terms() if isinstance(text, str)}

    def is_match(word: str) -> bool:
        normal = normalize_word(word)
        return normal in terms or VARIANT_PREFIX + variant_key(normal) in terms

    return is_match


def _suggest(searcher: Any, words: Iterable[str]) -> list[str]:
    reader = searcher.reader()
    found: dict[str, int] = {}
    for word in words:
        for term in reader.terms_within("body", word, maxdist=2, prefix=1):
            if not term.startswith(VARIANT_PREFIX) and term != word:
                found[term] = max(found.get(term, 0), reader.doc_frequency("body", term))
    return sorted(found, key=lambda t: -found[t])[:SUGGESTIONS]


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


def search(settings: Settings, query: str, *, limit: int = 10, snippets: bool = True) -> SearchResults:
    """The ``limit`` best matches of ``query`` and the count of all; ``snippets=False`` skips reading
    article bodies (for callers that only need ids, such as evaluations)."""
    if limit < 1:
        raise QueryError("--limit must be at least 1.")
    with open_for_search(settings) as (store, index), index.searcher() as searcher:
        expander = _Expander(index.vocabulary, searcher.doc_count())
        expanded_query = parse_query(query, searcher.schema).accept(expander)
        results = searcher.search(expanded_query, limit=limit)
        top = list(results)
        articles = {a.id: a for a in store.articles([int(h["id"]) for h in top])} if snippets else {}
        is_match = _matcher(expanded_query)
        hits = []
        for hit in top:
            article = articles.get(int(hit["id"]))
            snippet: Snippet = ()
            if article is not None:
                snippet = make_snippet(article.body, is_match, max_chars=SNIPPET_CHARS, fragments=SNIPPET_FRAGMENTS)
                if not any(matched for _, matched in snippet) and article.summary:
                    snippet = make_snippet(article.summary, is_match, max_chars=SNIPPET_CHARS, fragments=1)
            stored_date = hit.get("date")
            hits.append(
                Hit(
                    id=int(hit["id"]),
                    url=hit.get("url"),
                    title=hit["title"],
                    source=hit.get("source"),
                    category=hit.get("category"),
                    date=stored_date.date() if stored_date else None,
                    score=round(float(hit.score), 4),
                    snippet=snippet,
                )
            )
        total = len(results)
        suggestions = _suggest(searcher, expander.words) if total == 0 else []
        return SearchResults(query, total, hits, expander.forms, suggestions)
