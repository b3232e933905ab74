"""Search: a query string in, typed and ranked results out."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence, Set
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from whoosh import query as wq
from whoosh import sorting
from whoosh.qparser import FuzzyTermPlugin, MultifieldParser, PlusMinusPlugin
from whoosh.query import NullQuery

from archive.analysis.cached import normalize_word, variant_key
from archive.analysis.sources import source_key
from archive.analysis.variants import VARIANT_PREFIX, key_first_letters
from archive.analysis.words import first_letters_before_normalizing
from archive.config import Settings
from archive.errors import QueryError
from archive.expansion import KEY_BOOST, Expansion, expand_word
from archive.index.query.arrays import Floats, Mask
from archive.index.query.collect import count_distinct, first_per_key, ranked
from archive.index.query.evaluator import Evaluator
from archive.index.query.values import DocValues
from archive.index.search_index import SearchIndex
from archive.index.vocabulary import Vocabulary
from archive.snippets import Snippet, make_snippet, words_starting_in
from archive.store.readonly import SearchReads, SqliteReads

if TYPE_CHECKING:
    from archive.store.database import Store

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


@dataclass(frozen=True)
class _QueryForms:
    """What a word of an article must normalise to for the query to have matched it: one of ``terms``, or
    a form whose variant key is one of ``keys``."""

    terms: frozenset[str]
    keys: frozenset[str]
    #: every first letter of such a form, or None when it could be any
    initials: frozenset[str] | None

    @classmethod
    def of(cls, expanded_query: Any, reader: Any) -> _QueryForms:
        terms = frozenset(
            text.decode("utf-8") if isinstance(text, bytes) else text
            for _, text in expanded_query.existing_terms(reader, expand=True)
        )
        keys = frozenset(term for term in terms if term.startswith(VARIANT_PREFIX))
        firsts = key_first_letters({key[len(VARIANT_PREFIX) : len(VARIANT_PREFIX) + 1] for key in keys})
        initials = None if firsts is None else firsts | {term[:1] for term in terms - keys}
        return cls(terms, keys, initials)

    def first_letters(self) -> str | None:
        """The class of characters an article's word the query matched can start with (None: any)."""
        return None if self.initials is None else first_letters_before_normalizing(self.initials)


def _matched_words(query: _QueryForms, words: set[str]) -> frozenset[str]:
    """Which of ``words`` (from an article's text) the query matched, in any of their forms (prefix and
    fuzzy words included).

    Snippets need this of the words of every shown article, so the words of all of them are asked at once
    and in one pass, with no call per word: each is normalised (cached) and looked up, and its variant key
    computed only when its first letter can be one of the query's keys'. Only the words that can start
    like a matched form are asked about (see :func:`archive.snippets.words_starting_in`).
    """
    terms, keys, initials = query.terms, query.keys, query.initials
    ordered = list(words)
    return frozenset(
        word
        for word, normal in zip(ordered, map(normalize_word, ordered), strict=True)
        if normal in terms
        or ((initials is None or normal[:1] in initials) and VARIANT_PREFIX + variant_key(normal) in keys)
    )


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
        self._values: DocValues | None = None
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
        # a searcher on the latest commit shows the index is there: asking Whoosh opens the index afresh
        # (its table of contents and schema, 0.4 ms of every search)
        if not (self._current() or index.exists()) or reads.has_pending():
            from archive.index.sync import ensure_index, sync_index

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

    def _current(self) -> bool:
        """Whether the open searcher sees the index's latest commit (none when its directory is gone)."""
        return self._searcher is not None and bool(self._searcher.up_to_date())

    def store(self) -> Store:
        """The full store, opened when a search has to index queued work or load a whole article."""
        if self._store is None:
            from archive.store.database import Store

            self._store = Store.open(self.settings, create=False)
        return self._store

    @property
    def vocabulary(self) -> Vocabulary:
        """The index's vocabulary, its file kept open between searches."""
        if self._vocabulary is None:
            raise RuntimeError("acquire() the session first")
        return self._vocabulary

    def values(self) -> DocValues:
        """Per-document values of the current searcher (read on first use, dropped with the searcher)."""
        if self._values is None or self._values.searcher is not self._searcher:
            if self._values is not None:
                self._values.close()
            self._values = DocValues(self._searcher)
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
        if self._values is not None:
            self._values.close()
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
    values: DocValues, mask: Mask, names: Sequence[str], labelled: Callable[[Sequence[str]], dict[str, str]]
) -> dict[str, list[FacetCount]]:
    facets: dict[str, list[FacetCount]] = {}
    for name in names:
        codes, labels = values.codes(_FACET_FIELDS[name])
        tally = np.bincount(codes[mask], minlength=len(labels))
        # articles without the value (no source, no date) are not a facet value of their own
        found = ((str(labels[code]), int(n)) for code, n in enumerate(tally.tolist()) if n and labels[code])
        counts = sorted(found, key=lambda kv: (-kv[1], kv[0]))
        if name == "source":
            labels_of = labelled([k for k, _ in counts])
            counts = [(labels_of.get(k, k), n) for k, n in counts]
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
    evaluator = Evaluator(searcher, values)
    matches = evaluator.scores(expanded_query)
    mask = matches.mask
    condition = _filter(request)
    if condition is not None:
        mask = mask & evaluator.docs(condition)
    ordered = _ordered(matches.scores, mask, values, request.sort)
    wanted = request.page * request.limit
    if request.collapse:
        # one article per story: the first of its cluster in the result order; the total counts stories
        total = count_distinct(values.clusters(), mask)
        top = first_per_key(ordered, values.clusters(), wanted)[(request.page - 1) * request.limit :]
    else:
        total = int(np.count_nonzero(mask))
        top = list(islice(ordered, (request.page - 1) * request.limit, wanted))
    fields = [searcher.stored_fields(d) for d in top]
    ids = [int(f["id"]) for f in fields]
    texts = store.texts(ids) if request.snippets else {}
    copies = store.cluster_sources([f.get("cluster", "") for f in fields]) if request.collapse else {}
    # the shown articles' words asked about at once (which summaries are shown depends on the bodies)
    query_forms = _QueryForms.of(expanded_query, searcher.reader())
    words = words_starting_in((text for pair in texts.values() for text in pair if text), query_forms.first_letters())
    matched = _matched_words(query_forms, words)
    # sorted by date, there is no relevance score to report (as before: 0)
    shown = [float(matches.scores[d]) if request.sort == "relevance" else None for d in top]
    hits = [_hit(f, score, texts.get(int(f["id"])), matched, copies) for f, score in zip(fields, shown, strict=True)]
    facets = _facet_counts(values, mask, request.facets, session.source_labels)
    values.save()  # what this search read of the index's columns, kept for the next process
    return SearchResults(
        query=request.query,
        total=total,
        hits=hits,
        expanded=expander.forms,
        suggestions=_suggest(searcher, expander.words) if total == 0 else [],
        facets=facets,
        page=request.page,
        limit=request.limit,
    )


def _ordered(scores: Floats, mask: Mask, values: DocValues, sort: str) -> Iterator[int]:
    """Matching documents in result order, lazily (see :func:`archive.index.query.collect.ranked`)."""
    if sort == "relevance":
        # best score first; equal scores in index order, as Whoosh orders them
        return ranked(scores, mask, sign=-1)
    # equal dates keep the order articles were stored in, so pages never shuffle
    return ranked(values.numbers("date"), mask, sign=-1 if sort == "newest" else 1, secondary=values.numbers("number"))


def _hit(
    fields: Any,
    score: float | None,
    text: tuple[str | None, str] | None,
    matched: Set[str],
    copies: dict[str, list[str]],
) -> Hit:
    snippet: Snippet = ()
    if text is not None:
        summary, body = text
        snippet = make_snippet(body, matched, max_chars=SNIPPET_CHARS, fragments=SNIPPET_FRAGMENTS)
        if not any(marked for _, marked in snippet) and summary:
            snippet = make_snippet(summary, matched, max_chars=SNIPPET_CHARS, fragments=1)
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
    texts = store.texts([int(h["id"]) for h in top])
    hits = [_hit(hit, float(hit.score), texts.get(int(hit["id"])), frozenset(), copies) for hit in top]
    return SearchResults(query=f"similar:{article_id}", total=len(hits), hits=hits, limit=limit)
