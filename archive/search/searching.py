"""Running a search: parse and expand the query, evaluate it on the index, filter, rank, collapse copies of
one story, count facets, and make the snippets of the page shown."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence, Set
from datetime import datetime, time
from itertools import islice
from typing import Any

import numpy as np
from whoosh import query as wq
from whoosh import sorting

from archive.analysis.sources import source_key
from archive.analysis.variants import VARIANT_PREFIX
from archive.errors import NotFoundError, QueryError
from archive.index.query.arrays import Floats, Ints, Mask, Matches
from archive.index.query.collect import count_distinct, first_per_key, ranked
from archive.index.query.evaluator import Evaluator
from archive.index.query.values import DocValues
from archive.messages import Message
from archive.search.damage import index_damage_reported
from archive.search.expansion import QueryExpander
from archive.search.matched import NO_FORMS, QueryForms, matched_words
from archive.search.parsing import parse_query
from archive.search.request import (
    FACETS,
    SORTS,
    UNDATED,
    FacetCount,
    Hit,
    SearchRequest,
    SearchResults,
    is_browse,
)
from archive.search.session import SearchSession
from archive.search.similar import distinctive_terms, similar_query
from archive.search.snippets import Snippet, make_snippet, marked_text, words_of, words_starting_in

SUGGESTIONS = 3
SNIPPET_FRAGMENTS = 2
SNIPPET_CHARS = 180


def _suggest(searcher: Any, words: Iterable[str]) -> list[str]:
    reader = searcher.reader()
    found: dict[str, int] = {}
    for word in words:
        for term in reader.terms_within("body", word, maxdist=2, prefix=1):
            if not term.startswith(VARIANT_PREFIX) and term != word:
                found[term] = max(found.get(term, 0), reader.doc_frequency("body", term))
    return sorted(found, key=lambda t: -found[t])[:SUGGESTIONS]


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
        raise QueryError(Message("bad_sort", sort=sort, choices=", ".join(SORTS)))
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
        if name in _DATE_FACETS:
            undated = int(np.count_nonzero(mask & ~values.dated()))
            if undated:
                counts.append((UNDATED, undated))  # last, whatever its count: it is not a period
        facets[name] = [FacetCount(value, count) for value, count in counts]
    return facets


_FACET_FIELDS = {"source": "source_key", "year": "year", "month": "month", "category": "category"}
_DATE_FACETS = frozenset({"year", "month"})
_YEAR = re.compile(r"^\s*([0-9]{4}|[०-९]{4})\s*$")
_DEVANAGARI_DIGITS = str.maketrans("०१२३४५६७८९", "0123456789")


def _year_asked(query: str) -> int | None:
    """The year a query consists of, in either script (``2015``, ``२०१५``), if it is only that.

    >>> _year_asked("२०१५"), _year_asked(" 2015 "), _year_asked("2015 चुनाव"), _year_asked("12345")
    (2015, 2015, None, None)
    """
    match = _YEAR.match(query)
    return int(match.group(1).translate(_DEVANAGARI_DIGITS)) if match else None


def _articles(count: int) -> str:
    return f"{count:,} article" + ("" if count == 1 else "s")


def describe_filters(request: SearchRequest) -> str:
    """The request's filters in words, for saying that they left nothing.

    >>> from datetime import date
    >>> describe_filters(SearchRequest("x", since=date(2030, 1, 1), sources=("जनसत्ता",)))
    'from जनसत्ता, dated 2030-01-01 or later'
    """
    parts = []
    if request.sources:
        parts.append("from " + " or ".join(request.sources))
    if request.categories:
        parts.append("in category " + " or ".join(request.categories))
    if request.languages:
        parts.append("in language " + " or ".join(request.languages))
    if request.since and request.until:
        parts.append(f"dated between {request.since.isoformat()} and {request.until.isoformat()}")
    elif request.since:
        parts.append(f"dated {request.since.isoformat()} or later")
    elif request.until:
        parts.append(f"dated {request.until.isoformat()} or earlier")
    if request.dated is not None:
        parts.append("with a date" if request.dated else "without a date")
    return ", ".join(parts) or "left by the filters"


def _check(request: SearchRequest) -> None:
    if request.limit < 1 or request.page < 1:
        raise QueryError(Message("bad_page"))
    unknown = set(request.facets) - set(FACETS)
    if unknown:
        raise QueryError(Message("bad_facet", facets=", ".join(sorted(unknown)), choices=", ".join(FACETS)))
    _sorting(request.sort)  # rejects an unknown order before any work
    if request.since and request.until and request.since > request.until:
        raise QueryError(Message("dates_reversed", since=request.since.isoformat(), until=request.until.isoformat()))
    if request.dated is False and (request.since or request.until):
        raise QueryError(Message("undated_with_dates"))


class _Matching:
    """A request evaluated on the index: the matching documents, their scores, and the query's forms."""

    def __init__(self, session: SearchSession, request: SearchRequest) -> None:
        self.store, _, self.searcher = session.acquire()
        self.request = request
        self.values = session.values()
        self.notes: list[str] = []
        acronyms: set[str] = set()
        evaluator = Evaluator(self.searcher, self.values)
        browsing = is_browse(request.query)
        # with no words there is no relevance to rank by: the newest first
        self.sort = "newest" if browsing and request.sort == "relevance" else request.sort
        if browsing:
            self.expander = QueryExpander(session.vocabulary, self.searcher.doc_count())
            self.expanded_query: Any = None
            self.matches = Matches(self.values.live().copy(), np.zeros(self.values.count))
        else:
            parsed = parse_query(request.query, self.searcher.schema, self.notes, acronyms)
            self.expander = _expander(session, self.searcher, acronyms)
            self.expanded_query = parsed.accept(self.expander)
            self.matches = evaluator.scores(self.expanded_query)
            year = _year_asked(request.query)
            if year is not None:
                self._add_dated_in(year)
        mask = self.matches.mask
        #: How many documents the words match before the filters.
        self.word_matches = int(np.count_nonzero(mask))
        condition = _filter(request)
        if condition is not None:
            mask = mask & evaluator.docs(condition)
        if request.dated is not None:
            mask = mask & (self.values.dated() if request.dated else ~self.values.dated())
        self.mask = mask
        self.query_forms = (
            QueryForms.of(self.expanded_query, self.searcher.reader(), self.expander.unmarked)
            if self.expanded_query is not None
            else NO_FORMS
        )

    def _add_dated_in(self, year: int) -> None:
        """A query that is only a year also finds the articles dated in it, after those whose text says it
        (ingest moves a credit line's date out of the text, so the text of many does not)."""
        codes, labels = self.values.codes("year")
        if str(year) not in labels:
            return
        extra = (codes == labels.index(str(year))) & self.values.live() & ~self.matches.mask
        added = int(np.count_nonzero(extra))
        if not added:
            return
        scores = self.matches.scores
        lowest = float(scores[self.matches.mask].min()) if self.matches.mask.any() else 1.0
        scores[extra] = lowest / 2
        self.matches.mask[extra] = True
        self.notes.append(Message("note_dated_in", articles=_articles(added), year=year))

    def ordered(self) -> Iterator[int]:
        return _ordered(self.matches.scores, self.mask, self.values, self.sort)

    def hits(self, top: Sequence[int]) -> list[Hit]:
        """The hits of these documents, in this order, with their snippets."""
        request = self.request
        fields = [self.searcher.stored_fields(d) for d in top]
        ids = [int(f["id"]) for f in fields]
        texts = self.store.texts(ids) if request.snippets else {}
        copies = self.store.cluster_sources([f.get("cluster", "") for f in fields]) if request.collapse else {}
        # the shown articles' words asked about at once (which summaries are shown depends on the bodies)
        first_letters = self.query_forms.first_letters()
        words = words_starting_in((text for pair in texts.values() for text in pair if text), first_letters)
        matched = matched_words(self.query_forms, words)
        # sorted by date, there is no relevance score to report (as before: 0)
        scores = self.matches.scores
        shown = [float(scores[d]) if self.sort == "relevance" else None for d in top]
        return [
            _hit(f, score, texts.get(int(f["id"])), matched, copies) for f, score in zip(fields, shown, strict=True)
        ]


def _expander(session: SearchSession, searcher: Any, acronyms: set[str]) -> QueryExpander:
    return QueryExpander(session.vocabulary, searcher.doc_count(), session.synonyms(), frozenset(acronyms))


def search_in(session: SearchSession, request: SearchRequest | str, **options: Any) -> SearchResults:
    """Run a search in an open session (:meth:`archive.Archive.search` is the way in). ``request`` is a
    :class:`SearchRequest`, or a query string with the request's other fields as keyword arguments."""
    if isinstance(request, str):
        request = SearchRequest(request, **options)
    _check(request)
    with index_damage_reported(session.settings.index_dir):
        return _search(session, request)


def _search(session: SearchSession, request: SearchRequest) -> SearchResults:
    found = _Matching(session, request)
    ordered = found.ordered()
    wanted = request.page * request.limit
    if request.collapse:
        # one article per story: the first of its cluster in the result order; the total counts stories
        total = count_distinct(found.values.clusters(), found.mask)
        top = first_per_key(ordered, found.values.clusters(), wanted)[(request.page - 1) * request.limit :]
    else:
        total = int(np.count_nonzero(found.mask))
        top = list(islice(ordered, (request.page - 1) * request.limit, wanted))
    facets = _facet_counts(found.values, found.mask, request.facets, session.source_labels)
    expander = found.expander
    notes = list(found.notes)
    if total == 0 and found.word_matches:
        # the words are spelt right: the filters are why nothing is shown (counted as the total is)
        unfiltered = found.matches.mask
        browsing = is_browse(request.query)  # (then it is the archive's articles, every copy counted)
        collapsed = request.collapse and not browsing
        matched = count_distinct(found.values.clusters(), unfiltered) if collapsed else found.word_matches
        verb = "matches" if matched == 1 else "match"
        notes.append(
            Message(
                "note_filters_left_nothing",
                articles=_articles(matched),
                verb=verb,
                query=request.query,
                filters=describe_filters(request),
            )
            if not browsing
            else Message(
                "note_archive_filters_left_nothing", articles=_articles(matched), filters=describe_filters(request)
            )
        )
    return SearchResults(
        query=request.query,
        total=total,
        hits=found.hits(top),
        expanded=expander.forms,
        suggestions=_suggest(found.searcher, expander.words) if found.word_matches == 0 else [],
        facets=facets,
        page=request.page,
        limit=request.limit,
        notes=notes,
    )


#: Hits made at a time when every hit of a search is streamed.
STREAM_BATCH = 200


def iter_hits_in(
    session: SearchSession, request: SearchRequest, only: Callable[[int], bool] | None = None
) -> Iterator[Hit]:
    """Every hit of a search in result order (``limit`` and ``page`` ignored), made a batch at a time so
    that a whole result set is never in memory; copies of one story collapsed when the request says so;
    with ``only``, the hits whose article id it accepts."""
    _check(request)
    with index_damage_reported(session.settings.index_dir):
        found = _Matching(session, request)  # parsed and evaluated now: a bad query fails before any output
    return _every_hit(session, found, only)


def matching_ids(session: SearchSession, request: SearchRequest) -> Ints:
    """The ids of every article a search matches (filters applied, copies of a story not collapsed), in
    index order: what a saved search counts."""
    _check(request)
    with index_damage_reported(session.settings.index_dir):
        found = _Matching(session, request)
        # (the column holds the signed id: Whoosh keeps it shifted by 2**63, which the order keys undo)
        return found.values.numbers("number")[found.mask]


def _every_hit(session: SearchSession, found: _Matching, only: Callable[[int], bool] | None) -> Iterator[Hit]:
    with index_damage_reported(session.settings.index_dir):
        yield from _hits_of(found, found.request, only)


def _hits_of(found: _Matching, request: SearchRequest, only: Callable[[int], bool] | None) -> Iterator[Hit]:
    ordered: Iterable[int] = found.ordered()
    if only is not None:
        numbers = found.values.numbers("number")  # (the article ids, see matching_ids)
        ordered = (doc for doc in ordered if only(int(numbers[doc])))
    if request.collapse:
        clusters, seen = found.values.clusters(), set()

        def firsts(docs: Iterable[int]) -> Iterator[int]:
            for doc in docs:
                if clusters[doc] not in seen:
                    seen.add(clusters[doc])
                    yield doc

        ordered = firsts(ordered)
    iterator = iter(ordered)
    while batch := list(islice(iterator, STREAM_BATCH)):
        yield from found.hits(batch)


def _ordered(scores: Floats, mask: Mask, values: DocValues, sort: str) -> Iterator[int]:
    """Matching documents in result order, lazily (see :func:`archive.index.query.collect.ranked`)."""
    if sort == "relevance":
        # best score first; equal scores in index order, as Whoosh orders them
        return ranked(scores, mask, sign=-1)
    # equal dates keep the order articles were stored in, so pages never shuffle; undated ones come last
    dates, numbers = values.date_order(newest=sort == "newest")
    return ranked(dates, mask, secondary=numbers)


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


def similar_in(session: SearchSession, article_id: int, *, limit: int = 10) -> SearchResults:
    """Articles most like the given one (its distinctive words: :mod:`archive.search.similar`), in an open session."""
    with index_damage_reported(session.settings.index_dir):
        return _similar(session, article_id, limit)


def _similar(session: SearchSession, article_id: int, limit: int) -> SearchResults:
    store, _, searcher = session.acquire()
    article = store.article_text(article_id)
    if article is None:
        raise NotFoundError(f"No article with id {article_id}. `archive search` shows the ids.")
    docnum = searcher.document_number(id=str(article_id))
    if docnum is None:
        raise QueryError(Message("not_indexed_yet", id=article_id))
    title, body = article
    terms = distinctive_terms(title, body, searcher)
    values = session.values()
    if not terms:
        return SearchResults(query=f"similar:{article_id}", total=0, hits=[], limit=limit)
    matches = Evaluator(searcher, values).scores(similar_query(terms))
    mask = matches.mask.copy()
    mask[docnum] = False
    # (its copies in other outlets come first, each listed: what a reader comparing versions wants)
    top = list(islice(ranked(matches.scores, mask, sign=-1), limit))
    fields = [searcher.stored_fields(d) for d in top]
    copies = store.cluster_sources([f.get("cluster", "") for f in fields])
    texts = store.texts([int(f["id"]) for f in fields])
    hits = [
        _hit(f, float(matches.scores[d]), texts.get(int(f["id"])), frozenset(), copies)
        for f, d in zip(fields, top, strict=True)
    ]
    return SearchResults(query=f"similar:{article_id}", total=len(hits), hits=hits, limit=limit)


def highlight_in(session: SearchSession, texts: Sequence[str], query: str) -> list[Snippet]:
    """Each of ``texts`` whole, with every word ``query`` matches marked (in any of its forms, as a search
    marks its snippets), in an open session."""
    with index_damage_reported(session.settings.index_dir):
        return _highlight(session, texts, query)


def _highlight(session: SearchSession, texts: Sequence[str], query: str) -> list[Snippet]:
    _, _, searcher = session.acquire()
    acronyms: set[str] = set()
    parsed = parse_query(query, searcher.schema, acronyms=acronyms)
    expander = _expander(session, searcher, acronyms)
    expanded_query = parsed.accept(expander)
    matched = matched_words(QueryForms.of(expanded_query, searcher.reader(), expander.unmarked), words_of(texts))
    return [marked_text(text, matched) for text in texts]
