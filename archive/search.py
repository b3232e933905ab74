"""Search: a query string in, typed and ranked results out."""

from __future__ import annotations

import heapq
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
from archive.reads import SearchReads, SqliteReads
from archive.snippets import Snippet, make_snippet
from archive.sources import source_key
from archive.vocabulary import Vocabulary

if TYPE_CHECKING:
    from archive.store import Store

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

    known: dict[str, bool] = {}

    def is_match(word: str) -> bool:
        # asked for every word of every shown article; most words recur, so remember the answers
        found = known.get(word)
        if found is None:
            normal = normalize_word(word)
            found = known[word] = normal in terms or VARIANT_PREFIX + variant_key(normal) in terms
        return found

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
        self._reads: SearchReads | None = None
        self._index: SearchIndex | None = None
        self._target = ""
        self._searcher: Any = None
        self._values: _DocValues | None = None
        self._vocabulary: Vocabulary | None = None
        self._labels: dict[str, str] = {}

    def __enter__(self) -> SearchSession:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def acquire(self) -> tuple[SearchReads, SearchIndex, Any]:
        """The database's reads, the index and a searcher on the index's latest committed state."""
        if self._reads is None:
            # a current SQLite archive is read without SQLAlchemy; anything else needs the store
            sqlite = SqliteReads.open(self.settings.home / "archive.db") if self.settings.uses_default_sqlite else None
            self._reads = sqlite if sqlite is not None else self.store()
        reads = self._reads
        # `index` is a symlink that a reindex replaces: another target means another index altogether
        target = os.path.realpath(self.settings.index_dir)
        if self._index is None or target != self._target:
            self._close_index()
            self._index, self._target = SearchIndex(self.settings.index_dir), target
            self._vocabulary = Vocabulary(Path(target), keep_open=True)
        index = self._index
        if not index.exists() or reads.has_pending():
            from archive.sync import ensure_index, sync_index

            store = self.store()
            ensure_index(store, index)
            if sync_index(store, index, wait=False):
                self._close_searcher()  # sync_index closed the index it wrote to
        if self._searcher is not None and not self._searcher.up_to_date():
            # A fresh searcher, not Whoosh's refresh(): that reuses the open reader of a segment whose
            # deletions changed, so deleted articles would still be found (tests/test_api_session.py).
            self._close_searcher()
        if self._searcher is None:
            self._searcher = index.open().searcher()
            self._values = None
        return reads, index, self._searcher

    def store(self) -> Store:
        """The full store, opened when a search has to index queued work or load a whole article."""
        if self._store is None:
            from archive.store import Store

            self._store = Store.open(self.settings, create=False)
        return self._store

    @property
    def vocabulary(self) -> Vocabulary:
        """The index's vocabulary, its file kept open between searches."""
        if self._vocabulary is None:
            raise RuntimeError("acquire() the session first")
        return self._vocabulary

    def values(self) -> _DocValues:
        """Per-document values of the current searcher (read on first use, dropped with the searcher)."""
        if self._values is None or self._values.searcher is not self._searcher:
            self._values = _DocValues(self._searcher)
        return self._values

    def source_labels(self, keys: Sequence[str]) -> dict[str, str]:
        """The outlet name printed most for each source key, remembered until the index changes (asking
        SQL groups every article of those outlets: ~40 ms at 4.5k articles)."""
        missing = [k for k in keys if k not in self._labels]
        if missing and self._reads is not None:
            found = self._reads.source_labels(missing)
            self._labels.update((k, found.get(k, k)) for k in missing)
        return {k: self._labels.get(k, k) for k in keys}

    def _close_searcher(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None
        self._values = None
        self._labels = {}  # articles changed (the index did): their outlets' names may have too

    def _close_index(self) -> None:
        self._close_searcher()
        if self._vocabulary is not None:
            self._vocabulary.close()
            self._vocabulary = None
        if self._index is not None:
            self._index.close()
            self._index = None

    def close(self) -> None:
        self._close_index()
        if self._reads is not None and self._reads is not self._store:
            self._reads.close()
        self._reads = None
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


def _facet_counts(
    values: _DocValues, docs: Iterable[int], names: Sequence[str], labelled: Callable[[Sequence[str]], dict[str, str]]
) -> dict[str, list[FacetCount]]:
    facets: dict[str, list[FacetCount]] = {}
    for name in names:
        column = values.column(_FACET_FIELDS[name])
        tally = Counter(column[d] for d in docs)
        counts = sorted(((str(k), n) for k, n in tally.items() if k is not None), key=lambda kv: (-kv[1], kv[0]))
        if name == "source":
            labels = labelled([k for k, _ in counts])
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
    _sorting(request.sort)  # rejects an unknown order before any work
    store, _, searcher = session.acquire()
    values = session.values()
    expander = _Expander(session.vocabulary, searcher.doc_count())
    expanded_query = parse_query(request.query, searcher.schema).accept(expander)
    evaluator = _Evaluator(searcher, values)
    scores = evaluator.scores(expanded_query)
    condition = _filter(request)
    if condition is not None:
        allowed = evaluator.docs(condition)
        scores = {d: v for d, v in scores.items() if d in allowed}
    ordered = _ordered(scores, values, request.sort)
    wanted = request.page * request.limit
    if request.collapse:
        # one article per story: the first of its cluster in the result order; the total counts stories
        cluster = values.column("cluster")
        total = len({cluster[d] for d in scores})
        top = _first_per_key(ordered, cluster, wanted)[(request.page - 1) * request.limit :]
    else:
        total = len(scores)
        top = list(islice(ordered, (request.page - 1) * request.limit, wanted))
    fields = [searcher.stored_fields(d) for d in top]
    ids = [int(f["id"]) for f in fields]
    texts = store.texts(ids) if request.snippets else {}
    copies = store.cluster_sources([f.get("cluster", "") for f in fields]) if request.collapse else {}
    is_match = _matcher(expanded_query, searcher.reader())
    # sorted by date, there is no relevance score to report (as before: 0)
    shown = [scores[d] if request.sort == "relevance" else None for d in top]
    hits = [_hit(f, score, texts.get(int(f["id"])), is_match, copies) for f, score in zip(fields, shown, strict=True)]
    return SearchResults(
        query=request.query,
        total=total,
        hits=hits,
        expanded=expander.forms,
        suggestions=_suggest(searcher, expander.words) if total == 0 else [],
        facets=_facet_counts(values, scores, request.facets, session.source_labels),
        page=request.page,
        limit=request.limit,
    )


def _ordered(scores: dict[int, float], values: _DocValues, sort: str) -> Iterator[int]:
    """Matching documents in result order, lazily: a heap gives the first few without sorting them all."""
    if sort == "relevance":
        # best score first; equal scores in index order, as Whoosh orders them
        keyed: list[tuple[Any, int]] = [(-score, d) for d, score in scores.items()]
    else:
        dates, numbers = values.column("date", raw=True), values.column("number", raw=True)
        sign = -1 if sort == "newest" else 1
        # equal dates keep the order articles were stored in, so pages never shuffle
        keyed = [((sign * dates[d], sign * numbers[d]), d) for d in scores]
    heapq.heapify(keyed)
    while keyed:
        yield heapq.heappop(keyed)[1]


def _first_per_key(ordered: Iterable[int], keys: Sequence[Any], wanted: int) -> list[int]:
    seen: set[Any] = set()
    kept: list[int] = []
    for d in ordered:
        key = keys[d]
        if key and key in seen:
            continue
        seen.add(key)
        kept.append(d)
        if len(kept) == wanted:
            break
    return kept


def _hit(
    fields: Any,
    score: float | None,
    text: tuple[str | None, str] | None,
    is_match: Callable[[str], bool],
    copies: dict[str, list[str]],
) -> Hit:
    snippet: Snippet = ()
    if text is not None:
        summary, body = text
        snippet = make_snippet(body, is_match, max_chars=SNIPPET_CHARS, fragments=SNIPPET_FRAGMENTS)
        if not any(matched for _, matched in snippet) and summary:
            snippet = make_snippet(summary, is_match, max_chars=SNIPPET_CHARS, fragments=1)
    stored_date = fields.get("date")
    source = fields.get("source")
    others = tuple(s for s in dict.fromkeys(copies.get(fields.get("cluster", ""), [])) if s != source)
    return Hit(
        id=int(fields["id"]),
        url=fields.get("url"),
        title=fields["title"],
        source=source,
        category=fields.get("category"),
        date=stored_date.date() if stored_date else None,
        score=round(float(score), 4) if score is not None else 0.0,
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
    article = session.store().get(article_id)
    docnum = searcher.document_number(id=str(article_id))
    if docnum is None:
        raise QueryError(f"Article {article_id} is not in the index yet; run `archive reindex`.")
    results = searcher.more_like(docnum, "body", text=f"{article.title}\n{article.body}", top=limit)
    top = list(results)
    copies = store.cluster_sources([h["cluster"] for h in top])
    never: Callable[[str], bool] = lambda _word: False  # noqa: E731
    texts = store.texts([int(h["id"]) for h in top])
    hits = [_hit(hit, float(hit.score), texts.get(int(hit["id"])), never, copies) for hit in top]
    return SearchResults(query=f"similar:{article_id}", total=len(hits), hits=hits, limit=limit)


# --- evaluating queries -------------------------------------------------------------------------
#
# Whoosh's matchers walk the postings one document at a time through a tree of Python objects (a union
# per word, its variants, its fields), and collecting every match for an exact total and facets cost
# 20-60 ms a query at 4.5k articles, growing with the number of matches. Below, the common parts of a
# query (words and their variants, AND, OR, NOT) are evaluated a term at a time instead: each term's
# postings are read a block at a time and scored with Whoosh's own BM25F formula and statistics, so the
# scores, and with them the order, are the ones Whoosh gives (tests/test_search_engine.py compares
# them). Everything else (phrases, prefixes, fuzzy words, ranges) is left to Whoosh's matchers.


class _DocValues:
    """Per-document values of one searcher, read on first use: field lengths, deletions and the
    columns for facets, sorting and collapsing. Indexed by global document number."""

    def __init__(self, searcher: Any) -> None:
        self.searcher = searcher
        self.leaves: list[tuple[Any, int]] = list(searcher.leaf_searchers())
        self._lengths: dict[str, list[int]] = {}
        self._columns: dict[tuple[str, bool], list[Any]] = {}
        self._deleted: list[frozenset[int]] | None = None

    def deleted(self, leaf: int) -> frozenset[int]:
        """Deleted document numbers of one leaf (segment), local to it."""
        if self._deleted is None:
            self._deleted = [
                frozenset(d for d in range(r.doc_count_all()) if r.is_deleted(d)) if r.has_deletions() else frozenset()
                for r in (sub.reader() for sub, _ in self.leaves)
            ]
        return self._deleted[leaf]

    def deleted_global(self) -> frozenset[int]:
        return frozenset(offset + d for leaf, (_, offset) in enumerate(self.leaves) for d in self.deleted(leaf))

    def lengths(self, field: str) -> list[int]:
        if field not in self._lengths:
            found: list[int] = []
            for sub, _ in self.leaves:
                found.extend(_field_lengths(sub.reader(), field))
            self._lengths[field] = found
        return self._lengths[field]

    def column(self, field: str, *, raw: bool = False) -> list[Any]:
        """A sortable field's value for every document: as stored (``raw``, comparable) or as text."""
        key = (field, raw)
        if key not in self._columns:
            fieldtype = self.searcher.schema[field]
            values: list[Any] = []
            # Segment by segment: Whoosh's multi-segment column reader skips a segment that has no
            # value of the field at all (undated articles committed on their own), which would shift
            # every later document's value onto the wrong document.
            for sub, _ in self.leaves:
                reader = sub.reader()
                count = reader.doc_count_all()
                if reader.has_column(field):
                    values.extend(reader.column_reader(field, translate=not raw))
                else:  # what Whoosh reads for a document without the value
                    missing = fieldtype.column_type.default_value(False)
                    values.extend([missing if raw else fieldtype.from_column_value(missing)] * count)
            self._columns[key] = values
        return self._columns[key]


def _field_lengths(reader: Any, field: str) -> list[int]:
    """The length of ``field`` in every document of one segment, as Whoosh's scorer sees it."""
    count = reader.doc_count_all()
    try:
        # Whoosh 2.7 keeps the lengths as a byte column per field; reading it whole is ~100x faster than
        # asking document by document
        from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
        from whoosh.util.numeric import byte_to_length

        perdoc = reader._perdoc
        name = _lenfield(field)
        if not perdoc.has_column(name):
            return [1] * count
        return [byte_to_length(b) if b else 1 for b in perdoc.column_reader(name, LENGTHS_COLUMN)]
    except (AttributeError, ImportError):  # another layout: the public, slower way
        return [reader.doc_field_length(d, field, 1) or 1 for d in range(count)]


def _blocks(matcher: Any) -> Iterator[tuple[Sequence[int], Sequence[float]]]:
    """A term's postings as (document numbers, weights) a block at a time."""
    from whoosh.codec.whoosh3 import W3LeafMatcher

    if type(matcher) is W3LeafMatcher:
        while matcher.is_active():
            if matcher._ids is None:
                matcher._read_ids()
            if matcher._weights is None:
                matcher._read_weights()
            yield matcher._ids, matcher._weights
            matcher._next_block()
        return
    ids: list[int] = []
    weights: list[float] = []
    while matcher.is_active():  # postings kept inline in the term table, or another matcher
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    yield ids, weights


class _Evaluator:
    def __init__(self, searcher: Any, values: _DocValues) -> None:
        self.searcher = searcher
        self.values = values

    def scores(self, node: Any) -> dict[int, float]:
        """Every matching (undeleted) document with its score."""
        kind = type(node)
        if kind is wq.Term:
            return self._term(node, scored=True)
        subs = getattr(node, "subqueries", ())
        if kind is wq.Or and node.boost == 1.0 and not any(isinstance(q, wq.Not) for q in subs):
            total: dict[int, float] = {}
            for sub in subs:
                for d, score in self.scores(sub).items():
                    total[d] = total.get(d, 0.0) + score
            return total
        if kind is wq.And and node.boost == 1.0:
            positive = [self.scores(q) for q in subs if not isinstance(q, wq.Not)]
            negative = [q.query for q in subs if isinstance(q, wq.Not)]
            if positive:
                smallest: dict[int, float] = min(positive, key=len)
                common = set(smallest).intersection(*positive)
                common.difference_update(*(self.docs(q) for q in negative))
                # Whoosh scores each `NOT x` clause of an AND as 1.0 (its inverse matcher's weight)
                bonus = float(len(negative))
                return {d: sum(part[d] for part in positive) + bonus for d in sorted(common)}
        if kind is wq.AndNot and node.boost == 1.0:
            excluded = self.docs(node.b)
            return {d: v for d, v in self.scores(node.a).items() if d not in excluded}
        return self._whoosh(node, scored=True)

    def docs(self, node: Any) -> set[int]:
        """Every matching (undeleted) document, without scores (for filters)."""
        kind = type(node)
        if kind is wq.Term:
            return set(self._term(node, scored=False))
        subs = getattr(node, "subqueries", ())
        if kind is wq.Or and not any(isinstance(q, wq.Not) for q in subs):
            return set().union(*(self.docs(q) for q in subs))
        if kind is wq.And:
            positive = [self.docs(q) for q in subs if not isinstance(q, wq.Not)]
            if positive:
                common = positive[0].intersection(*positive[1:])
                return common.difference(*(self.docs(q.query) for q in subs if isinstance(q, wq.Not)))
        if kind is wq.AndNot:
            return self.docs(node.a) - self.docs(node.b)
        if kind is wq.DateRange and not (node.startexcl or node.endexcl):
            return self._date_range(node)
        return set(self._whoosh(node, scored=False))

    def _date_range(self, node: Any) -> set[int]:
        """A date filter read off the date column (Whoosh's range matcher unions many trie terms)."""
        field = self.searcher.schema[node.fieldname]
        missing = field.column_type.default_value(False)
        low = field.to_column_value(node.startdate) if node.startdate is not None else 0
        high = field.to_column_value(node.enddate) if node.enddate is not None else missing - 1
        dates = self.values.column(node.fieldname, raw=True)
        deleted = self.values.deleted_global()
        return {d for d, value in enumerate(dates) if low <= value <= high and d not in deleted}

    def _term(self, node: Any, *, scored: bool) -> dict[int, float]:
        from whoosh.scoring import BM25FScorer

        searcher = self.searcher
        field = node.fieldname
        if field not in searcher.schema:
            return {}
        try:
            text = searcher.schema[field].to_bytes(node.text)
        except ValueError:
            return {}
        scorer = None
        if scored:
            if (field, text) not in searcher.reader():
                return {}
            scorer = searcher.weighting.scorer(searcher, field, text)
            if not isinstance(scorer, BM25FScorer):
                return self._whoosh(node, scored=True)
        found: dict[int, float] = {}
        for leaf, (sub, offset) in enumerate(self.values.leaves):
            reader = sub.reader()
            if (field, text) not in reader:
                continue
            matcher = reader.postings(field, text)
            matcher = getattr(matcher, "child", matcher)  # without Whoosh's per-document deletion filter
            deleted = self.values.deleted(leaf)
            if scorer is None:
                for ids, _ in _blocks(matcher):
                    found.update((offset + d, 0.0) for d in ids if d not in deleted)
                continue
            idf, avgfl, B, K1 = scorer.idf, scorer.avgfl, scorer.B, scorer.K1
            boost = node.boost
            lengths = self.values.lengths(field)
            for ids, weights in _blocks(matcher):
                for d, tf in zip(ids, weights, strict=True):
                    if d in deleted:
                        continue
                    fl = lengths[offset + d]
                    # whoosh.scoring.bm25, operation for operation, then the query's boost
                    score = idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl)))
                    found[offset + d] = score * boost if boost != 1.0 else score
        return found

    def _whoosh(self, node: Any, *, scored: bool) -> dict[int, float]:
        """What Whoosh's own matcher for ``node`` finds, leaf by leaf (it skips deleted documents)."""
        found: dict[int, float] = {}
        context = self.searcher.context() if scored else self.searcher.boolean_context()
        for sub, offset in self.values.leaves:
            matcher = node.matcher(sub, context)
            while matcher.is_active():
                found[offset + matcher.id()] = matcher.score() if scored else 0.0
                matcher.next()
        return found
