"""Search: a query string in, typed and ranked results out."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from whoosh import query as wq
from whoosh import sorting
from whoosh.qparser import FuzzyTermPlugin, MultifieldParser, PlusMinusPlugin
from whoosh.query import NullQuery

from archive.analysis.cached import normalize_word, variant_key
from archive.analysis.variants import VARIANT_PREFIX
from archive.config import Settings
from archive.errors import QueryError
from archive.expansion import KEY_BOOST, Expansion, expand_word
from archive.index import SearchIndex
from archive.models import Article
from archive.snippets import Snippet, make_snippet
from archive.sources import source_key
from archive.store import Store
from archive.sync import ensure_index, sync_index
from archive.vocabulary import Vocabulary

SEARCH_FIELDS = ("title", "summary", "body")
TEXT_FIELDS = frozenset({*SEARCH_FIELDS, "source"})
FIELD_BOOSTS = {"title": 3.0, "summary": 1.5, "body": 1.0}
SUGGESTIONS = 3
MAX_QUERY_CHARS = 2_000
MAX_QUERY_DEPTH = 20
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
    #: Other outlets that printed the same story (near-duplicates collapsed into this hit).
    also_in: tuple[str, ...] = ()

    def snippet_text(self, before: str = "**", after: str = "**") -> str:
        """The snippet with every matched word between ``before`` and ``after``."""
        return "".join(f"{before}{text}{after}" if matched else text for text, matched in self.snippet)


SORTS = ("relevance", "newest", "oldest")
FACETS = ("source", "year", "month", "category")


@dataclass(frozen=True)
class SearchRequest:
    """Everything a search can be asked: the query, filters, order, page, facets."""

    query: str
    limit: int = 10
    page: int = 1
    sources: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    since: date | None = None
    until: date | None = None
    languages: tuple[str, ...] = ()
    sort: str = "relevance"
    facets: tuple[str, ...] = ()
    #: Show each near-duplicate story once, with the other outlets that printed it.
    collapse: bool = True
    #: Read bodies to make snippets (callers that need only ids can skip it).
    snippets: bool = True


@dataclass(frozen=True)
class FacetCount:
    value: str
    count: int


@dataclass(frozen=True)
class SearchResults:
    query: str
    #: Matching articles (after collapsing near-duplicates, when that is on).
    total: int
    hits: list[Hit]
    #: The word forms in the archive that the query searched for (variants and romanised matches included).
    expanded: list[str] = field(default_factory=list)
    #: Close words the archive holds, offered when nothing matched.
    suggestions: list[str] = field(default_factory=list)
    #: Counts over all matches, per facet asked for, largest first.
    facets: dict[str, list[FacetCount]] = field(default_factory=dict)
    page: int = 1
    limit: int = 10


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
    if len(query) > MAX_QUERY_CHARS:
        raise QueryError(f"The query has {len(query):,} characters; at most {MAX_QUERY_CHARS:,} are searched.")
    for position, char in enumerate(query, start=1):
        if "\ud800" <= char <= "\udfff":
            raise QueryError(f"The query has a broken character (a lone surrogate) at position {position}.")
        if (char < " " and char not in "\t\n") or char == "\x7f":
            raise QueryError(f"The query has a control character (U+{ord(char):04X}) at position {position}.")
    depth_positions: list[int] = []
    in_quote: int | None = None
    for position, char in enumerate(query, start=1):
        if char == '"':
            in_quote = None if in_quote is not None else position
        elif in_quote is None and char == "(":
            depth_positions.append(position)
            if len(depth_positions) > MAX_QUERY_DEPTH:
                raise QueryError(f"Parentheses nest deeper than {MAX_QUERY_DEPTH} levels at position {position}.")
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
    parser.add_plugin(PlusMinusPlugin())
    parser.add_plugin(FuzzyTermPlugin())
    try:
        parsed = parser.parse(query)
    except Exception as error:  # Whoosh's parser raises assorted types for malformed syntax
        raise QueryError(f"Cannot read the query {query!r}: {error}. See `archive search --help`.") from error
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
        if isinstance(node, wq.FuzzyTerm):
            # a fuzzy word must not reach the variant keys, which differ from it by their "~"
            return wq.FuzzyTerm(
                node.fieldname, node.text, node.boost, node.maxdist, max(1, node.prefixlength), node.constantscore
            )
        if type(node) is wq.Term and node.fieldname in TEXT_FIELDS:
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


def _matcher(expanded_query: Any, reader: Any) -> Callable[[str], bool]:
    """Whether a word of an article's text is one the query matched, in any of its forms (prefix and
    fuzzy words included)."""
    terms = {
        text.decode("utf-8") if isinstance(text, bytes) else text
        for _, text in expanded_query.existing_terms(reader, expand=True)
    }

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


class SearchSession:
    """The store, index and Whoosh searcher of one archive, kept open from one search to the next.

    Opening them costs more than a search (the database engine and schema check, the index's segment
    files, the vocabulary), so an :class:`archive.Archive` keeps one session. Every search still finishes
    queued index work first (what an interrupted ingest left) and sees what other processes committed
    since: the searcher is reopened when the index has a newer generation or when a reindex
    swapped the ``index`` link to another directory. Not for use by several threads at once.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._store: Store | None = None
        self._index: SearchIndex | None = None
        self._target = ""
        self._searcher: Any = None

    def __enter__(self) -> SearchSession:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def acquire(self) -> tuple[Store, SearchIndex, Any]:
        """The store, the index and a searcher on the index's latest committed state."""
        if self._store is None:
            self._store = Store.open(self.settings, create=False)
        store = self._store
        # `index` is a symlink that a reindex replaces: another target means another index altogether
        target = os.path.realpath(self.settings.index_dir)
        if self._index is None or target != self._target:
            self._close_index()
            self._index, self._target = SearchIndex(self.settings.index_dir), target
        index = self._index
        ensure_index(store, index)
        if sync_index(store, index, wait=False):
            self._close_searcher()  # sync_index closed the index it wrote to
        if self._searcher is not None and not self._searcher.up_to_date():
            # A fresh searcher, not Whoosh's refresh(): that reuses the open reader of a segment whose
            # deletions changed, so deleted articles would still be found (tests/test_api_session.py).
            self._close_searcher()
        if self._searcher is None:
            self._searcher = index.open().searcher()
        return store, index, self._searcher

    def _close_searcher(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None

    def _close_index(self) -> None:
        self._close_searcher()
        if self._index is not None:
            self._index.close()
            self._index = None

    def close(self) -> None:
        self._close_index()
        if self._store is not None:
            self._store.close()
            self._store = None


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


def _filter(request: SearchRequest) -> Any:
    parts: list[Any] = []
    if request.sources:
        parts.append(wq.Or([wq.Term("source_key", source_key(s)) for s in request.sources]))
    if request.categories:
        parts.append(wq.Or([wq.Term("category", c) for c in request.categories]))
    if request.languages:
        parts.append(wq.Or([wq.Term("language", lang) for lang in request.languages]))
    if request.since or request.until:
        start = datetime.combine(request.since, time()) if request.since else None
        end = datetime.combine(request.until, time(23, 59, 59)) if request.until else None
        parts.append(wq.DateRange("date", start, end))
    return wq.And(parts) if parts else None


def _sorting(sort: str) -> Any:
    if sort not in SORTS:
        raise QueryError(f"Cannot sort by {sort!r}; use one of {', '.join(SORTS)}.")
    if sort == "relevance":
        return None
    # equal dates keep the order articles were stored in, so pages never shuffle
    return [
        sorting.FieldFacet("date", reverse=sort == "newest"),
        sorting.FieldFacet("number", reverse=sort == "newest"),
    ]


def _facet_counts(results: Any, names: Sequence[str], store: Store) -> dict[str, list[FacetCount]]:
    facets: dict[str, list[FacetCount]] = {}
    for name in names:
        groups = results.groups(_FACET_FIELDS[name])
        counts = sorted(((str(k), len(v)) for k, v in groups.items() if k is not None), key=lambda kv: (-kv[1], kv[0]))
        if name == "source":
            labels = store.source_labels([k for k, _ in counts])
            counts = [(labels.get(k, k), n) for k, n in counts]
        facets[name] = [FacetCount(value, count) for value, count in counts]
    return facets


_FACET_FIELDS = {"source": "source_key", "year": "year", "month": "month", "category": "category"}


def search(settings: Settings, request: SearchRequest | str, **options: Any) -> SearchResults:
    """Run a search. ``request`` is a :class:`SearchRequest`, or a query string with the request's
    other fields as keyword arguments: ``search(settings, "लावरोव", limit=5, sort="newest")``."""
    with SearchSession(settings) as session:
        return search_in(session, request, **options)


def search_in(session: SearchSession, request: SearchRequest | str, **options: Any) -> SearchResults:
    """:func:`search` in an open session (what :class:`archive.Archive` uses between calls)."""
    if isinstance(request, str):
        request = SearchRequest(request, **options)
    if request.limit < 1 or request.page < 1:
        raise QueryError("--limit and --page must be at least 1.")
    unknown = set(request.facets) - set(FACETS)
    if unknown:
        raise QueryError(f"Unknown facet {', '.join(sorted(unknown))}; use {', '.join(FACETS)}.")
    store, index, searcher = session.acquire()
    expander = _Expander(index.vocabulary, searcher.doc_count())
    expanded_query = parse_query(request.query, searcher.schema).accept(expander)
    wanted = request.page * request.limit
    groups = {_FACET_FIELDS[f]: sorting.FieldFacet(_FACET_FIELDS[f]) for f in request.facets}
    if request.collapse:
        # counting stories, not copies, over all matches (Whoosh's own collapsed count depends on the limit)
        groups["cluster"] = sorting.FieldFacet("cluster")
    results = searcher.search(
        expanded_query,
        limit=wanted,
        filter=_filter(request),
        sortedby=_sorting(request.sort),
        groupedby=groups or None,
        collapse="cluster" if request.collapse else None,
        collapse_limit=1,
    )
    top = list(results)[(request.page - 1) * request.limit : wanted]
    ids = [int(h["id"]) for h in top]
    articles = {a.id: a for a in store.articles(ids)} if request.snippets else {}
    copies = store.cluster_sources([h["cluster"] for h in top]) if request.collapse else {}
    is_match = _matcher(expanded_query, searcher.reader())
    hits = [_hit(hit, articles.get(int(hit["id"])), is_match, copies) for hit in top]
    total = len(results.groups("cluster")) if request.collapse else len(results)
    return SearchResults(
        query=request.query,
        total=total,
        hits=hits,
        expanded=expander.forms,
        suggestions=_suggest(searcher, expander.words) if total == 0 else [],
        facets=_facet_counts(results, request.facets, store),
        page=request.page,
        limit=request.limit,
    )


def _hit(hit: Any, article: Article | None, is_match: Callable[[str], bool], copies: dict[str, list[str]]) -> Hit:
    snippet: Snippet = ()
    if article is not None:
        snippet = make_snippet(article.body, is_match, max_chars=SNIPPET_CHARS, fragments=SNIPPET_FRAGMENTS)
        if not any(matched for _, matched in snippet) and article.summary:
            snippet = make_snippet(article.summary, is_match, max_chars=SNIPPET_CHARS, fragments=1)
    stored_date = hit.get("date")
    source = hit.get("source")
    others = tuple(s for s in dict.fromkeys(copies.get(hit.get("cluster", ""), [])) if s != source)
    return Hit(
        id=int(hit["id"]),
        url=hit.get("url"),
        title=hit["title"],
        source=source,
        category=hit.get("category"),
        date=stored_date.date() if stored_date else None,
        # sorted by date, Whoosh reports the sort key instead of a score
        score=round(float(hit.score), 4) if isinstance(hit.score, int | float) else 0.0,
        snippet=snippet,
        also_in=others,
    )


def similar(settings: Settings, article_id: int, *, limit: int = 10) -> SearchResults:
    """Articles most like the given one (its distinctive words, weighted as in the index)."""
    with SearchSession(settings) as session:
        return similar_in(session, article_id, limit=limit)


def similar_in(session: SearchSession, article_id: int, *, limit: int = 10) -> SearchResults:
    """:func:`similar` in an open session."""
    store, _, searcher = session.acquire()
    article = store.get(article_id)
    docnum = searcher.document_number(id=str(article_id))
    if docnum is None:
        raise QueryError(f"Article {article_id} is not in the index yet; run `archive reindex`.")
    results = searcher.more_like(docnum, "body", text=f"{article.title}\n{article.body}", top=limit)
    top = list(results)
    copies = store.cluster_sources([h["cluster"] for h in top])
    never: Callable[[str], bool] = lambda _word: False  # noqa: E731
    articles = {a.id: a for a in store.articles([int(h["id"]) for h in top])}
    hits = [_hit(hit, articles.get(int(hit["id"])), never, copies) for hit in top]
    return SearchResults(query=f"similar:{article_id}", total=len(hits), hits=hits, limit=limit)
