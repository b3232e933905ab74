"""Running a search: parse and expand the query, evaluate it on the index, filter, rank, collapse copies of
one story, count facets, and make the snippets of the page shown."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from itertools import islice
from typing import Any

import numpy as np

from archive.errors import NotFoundError, QueryError
from archive.index.query.arrays import Ints, Mask, Matches
from archive.index.query.values import DocValues
from archive.messages import Message
from archive.search.damage import index_damage_reported
from archive.search.dating import placed
from archive.search.explain import explanations
from archive.search.matched import NO_FORMS, QueryForms, marked_in
from archive.search.matching import FILTERS, Matched, articles, match, new_expander
from archive.search.meaning import MODES, nearest_to_article, rank_fused, top_by_similarity
from archive.search.parsing import parse_query
from archive.search.request import FACETS, SORTS, UNDATED, FacetCount, Hit, SearchRequest, SearchResults, is_browse
from archive.search.session import SearchSession
from archive.search.similar import distinctive_terms, similar_query
from archive.search.snippets import Snippet, marked_text, words_of
from archive.search.suggest import suggestions
from archive.search.synonyms import NO_SYNONYMS, SynonymIndex


def _facet_counts(
    found: Matched,
    names: Sequence[str],
    labelled: Callable[[Sequence[str]], dict[str, str]],
    synonyms: SynonymIndex = NO_SYNONYMS,
) -> dict[str, list[FacetCount]]:
    """Each facet's values with how many results each gives: as the result counts them (one per story when
    it collapses them), and for a facet that is a filter too (outlet, category), with the other filters
    only, so that each count is the total of the search with that value chosen instead. The year and month
    facets place each story once (:func:`archive.search.dating.placed`), so that they and the undated
    count add up to the total."""
    facets: dict[str, list[FacetCount]] = {}
    values, stories = found.values, found.stories
    dating: Mask | None = None
    for name in names:
        mask = found.without(name) if name in FILTERS else found.mask
        codes, labels = values.codes(_FACET_FIELDS[name])
        if name == "source":
            codes = _outlets_merged(values, _FACET_FIELDS[name], labels, synonyms)
        if name in _DATE_FACETS:
            # a story in the period of its earliest dated copy, undated only when no copy is dated (dating.py):
            # the periods plus the undated add up to the total, as the trend's do
            dating = placed(found.mask, stories, values) if dating is None else dating
            tally = np.bincount(codes[dating].astype(np.int64, copy=False), minlength=len(labels))
        else:
            tally = stories.count_by(codes, mask, len(labels))
        # articles without the value (no source, no date) are not a facet value of their own
        found_values = ((str(labels[code]), int(n)) for code, n in enumerate(tally.tolist()) if n and labels[code])
        counts = sorted(found_values, key=lambda kv: (-kv[1], kv[0]))
        if name == "source":
            chosen = {asked: synonyms.outlet_keys(asked) for asked in found.request.sources}
            labels_of = labelled([k for k, _ in counts])
            facets[name] = [
                FacetCount(labels_of.get(k, k), n, tuple(asked for asked, keys in chosen.items() if k in keys))
                for k, n in counts
            ]
            continue
        if name in _DATE_FACETS and dating is not None:
            undated = int(np.count_nonzero(dating & ~values.dated()))
            if undated:
                counts.append((UNDATED, undated))  # last, whatever its count: it is not a period
        facets[name] = [FacetCount(value, count) for value, count in counts]
    return facets


def _outlets_merged(values: DocValues, field: str, keys: Sequence[str], synonyms: SynonymIndex) -> Ints:
    """The documents' outlet codes with the names of one outlet's group (NBT, Navbharat Times) counted as
    one: under the key of the group that holds the most articles (whatever the search)."""
    codes = values.codes(field)[0]
    if not synonyms:
        return codes
    position = {key: code for code, key in enumerate(keys)}
    sizes = values.code_counts(field)
    merged = np.arange(len(keys))
    for code, key in enumerate(keys):
        group = [position[other] for other in synonyms.outlet_group(str(key)) if other in position]
        if len(group) > 1:
            merged[code] = max(group, key=lambda c: (sizes[c], -c))
    return values.merged_codes(field, merged) if (merged != np.arange(len(keys))).any() else codes


_FACET_FIELDS = {"source": "source_key", "year": "year", "month": "month", "category": "category"}
_DATE_FACETS = frozenset({"year", "month"})


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


def check_request(request: SearchRequest) -> None:
    if request.mode not in MODES:
        raise QueryError(f"Cannot search by {request.mode!r}; use one of {', '.join(MODES)}.")
    if request.limit < 1 or request.page < 1:
        raise QueryError(Message("bad_page"))
    unknown = set(request.facets) - set(FACETS)
    if unknown:
        raise QueryError(Message("bad_facet", facets=", ".join(sorted(unknown)), choices=", ".join(FACETS)))
    if request.sort not in SORTS:
        raise QueryError(Message("bad_sort", sort=request.sort, choices=", ".join(SORTS)))
    if request.since and request.until and request.since > request.until:
        raise QueryError(Message("dates_reversed", since=request.since.isoformat(), until=request.until.isoformat()))
    if request.dated is False and (request.since or request.until):
        raise QueryError(Message("undated_with_dates"))


def search_in(session: SearchSession, request: SearchRequest | str, **options: Any) -> SearchResults:
    """Run a search in an open session (:meth:`archive.Archive.search` is the way in). ``request`` is a
    :class:`SearchRequest`, or a query string with the request's other fields as keyword arguments."""
    if isinstance(request, str):
        request = SearchRequest(request, **options)
    check_request(request)
    with session.reading():
        return _search(session, request)


def _search(session: SearchSession, request: SearchRequest) -> SearchResults:
    found = match(session, request)
    total = found.stories.count(found.mask)
    start = (request.page - 1) * request.limit
    top = list(islice(found.shown(), start, start + request.limit))
    facets = _facet_counts(found, request.facets, session.source_labels, found.synonyms)
    expander = found.expander
    notes = list(found.notes)
    if total == 0 and found.word_matches:
        # the words are spelt right: the filters are why nothing is shown (counted as the total is)
        browsing = is_browse(request.query)  # (then it is the archive's articles, every copy counted)
        matched = found.word_matches if browsing else found.stories.count(found.matches.mask)
        verb = "matches" if matched == 1 else "match"
        notes.append(
            Message(
                "note_filters_left_nothing",
                articles=articles(matched),
                verb=verb,
                query=request.query,
                filters=describe_filters(request),
            )
            if not browsing
            else Message(
                "note_archive_filters_left_nothing", articles=articles(matched), filters=describe_filters(request)
            )
        )
    hits = found.hits(top)
    if request.explain and found.sort == "relevance":  # (sorted by date, a hit has no score to explain)
        parts = explanations(found, top)
        hits = [replace(hit, explanation=tuple(parts[doc])) for hit, doc in zip(hits, top, strict=True)]
    return SearchResults(
        query=request.query,
        total=total,
        hits=hits,
        expanded=expander.forms,
        searched=list(expander.searched),  # (a copy: the expander may be kept for the next search)
        suggestions=suggestions(session.vocabulary, [*expander.words, *expander.exact_words])
        if found.word_matches == 0
        else [],
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
    """Every hit of a search in result order (``limit`` and ``page`` ignored), as the pages list them (one
    per story when the request collapses them), made a batch at a time so that a whole result set is never
    in memory; with ``only``, the hits whose article id it accepts (a filter like the others: applied before
    copies of a story are collapsed)."""
    check_request(request)
    with session.reading():
        found = match(session, request)  # parsed and evaluated now: a bad query fails before any output
        if only is not None:
            # (the column holds the signed id: Whoosh keeps it shifted by 2**63, which the order keys undo)
            numbers = found.values.numbers("number")
            chosen = np.flatnonzero(found.mask)
            accepted = np.fromiter((only(int(n)) for n in numbers[chosen]), dtype=bool, count=chosen.size)
            found.mask = np.zeros_like(found.mask)
            found.mask[chosen[accepted]] = True
    return _every_hit(session, found)


def matching_ids(session: SearchSession, request: SearchRequest) -> Ints:
    """The ids of every article a search matches (filters applied, every copy of a story), in index order:
    what a saved search counts (with ``collapse=False``, its total is this many)."""
    check_request(request)
    with session.reading():
        found = match(session, request)
        return found.values.numbers("number")[found.mask]


def _every_hit(session: SearchSession, found: Matched) -> Iterator[Hit]:
    with index_damage_reported(session.settings.index_dir):
        shown = found.shown()
        while batch := list(islice(shown, STREAM_BATCH)):
            yield from found.hits(batch)


def explain_in(session: SearchSession, request: SearchRequest, article_id: int) -> Hit | None:
    """Article ``article_id`` as a hit of ``request``, with why it matched (None when it does not: the words
    do not match it, or a filter leaves it out)."""
    check_request(request)
    with session.reading():
        found = match(session, replace(request, explain=True, sort="relevance"))
        doc = found.searcher.document_number(id=str(article_id))
        if doc is None or not found.mask[doc]:
            return None
        (hit,) = found.hits([doc], name_copies=False)
        return replace(hit, explanation=tuple(explanations(found, [doc])[doc]))


def similar_in(session: SearchSession, article_id: int, *, limit: int = 10) -> SearchResults:
    """Articles most like the given one (its distinctive words: :mod:`archive.search.similar`), in an open session."""
    with session.reading():
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
    query = f"similar:{article_id}"
    if not terms:
        return SearchResults(query=query, total=0, hits=[], limit=limit)
    # (its copies in other outlets come first, each listed: what a reader comparing versions wants)
    request = SearchRequest(query, limit=limit, collapse=False)
    found = match(session, request, query=similar_query(terms), excluding=article_id)
    found.query_forms = NO_FORMS  # (nothing is marked: no word of it was typed)
    _blend_meaning(session, found, article_id)
    top = list(islice(found.shown(), limit))
    return SearchResults(query=query, total=len(top), hits=found.hits(top, name_copies=True), limit=limit)


def _blend_meaning(session: SearchSession, found: Matched, article_id: int) -> None:
    """With the article's vector at hand, the articles nearest to it join those sharing its distinctive words,
    both ranked by rank fusion: a report of the same event in other words is found, and one sharing both
    comes first (its copies in other outlets, first in both lists, stay first)."""
    similarity = nearest_to_article(session.meaning(), found.store, found.values, article_id)
    if similarity is None:
        return
    allowed = found.values.live().copy()
    for kept in found.filters.values():
        allowed &= kept
    near = top_by_similarity(similarity, allowed)
    words = found.matches
    union = words.mask | near
    found.matches = Matches(union, rank_fused(words.scores, words.mask, similarity, near, union & allowed))
    found.mask = union & allowed
    found.by_meaning = near & ~words.mask


def highlight_in(session: SearchSession, texts: Sequence[str], query: str) -> list[Snippet]:
    """Each of ``texts`` whole, with every word ``query`` matches marked (in any of its forms, as a search
    marks its snippets), in an open session."""
    with session.reading():
        return _highlight(session, texts, query)


def _highlight(session: SearchSession, texts: Sequence[str], query: str) -> list[Snippet]:
    _, _, searcher = session.acquire()
    acronyms: set[str] = set()
    parsed = parse_query(query, searcher.schema, acronyms=acronyms)
    expander = new_expander(session, searcher, acronyms)
    expanded_query = expander.expand(parsed)
    forms = QueryForms.of(expanded_query, searcher.reader(), expander.unmarked, expander.excluded)
    matched = marked_in(forms, words_of(texts), texts)
    return [marked_text(text, matched) for text in texts]
