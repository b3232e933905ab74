"""The one matching step every search goes through: what a request matches, with scores, filters and the one
rule for copies of a story (:class:`archive.index.query.collect.Stories`).

The page, its total, the facets, the timeline, the streamed exports, the saved searches' counts and
``similar`` all read a :class:`Matched` (as Whoosh's ``search_with_collector`` runs one matcher for any
collector, and tantivy's collectors share one scorer): what they count and list can never disagree.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence, Set
from dataclasses import dataclass, field, replace
from datetime import datetime, time
from typing import Any

import numpy as np
from whoosh import query as wq

from archive.analysis.compounds import compound_spans, stopword_pair
from archive.errors import QueryError
from archive.index.query.arrays import Mask, Matches
from archive.index.query.collect import Stories, ranked
from archive.index.query.evaluator import Evaluator
from archive.index.query.values import DocValues
from archive.messages import Message
from archive.search.closeness import Closeness, add_closeness
from archive.search.dating import story_date_filters
from archive.search.expansion import QueryExpander
from archive.search.matched import NO_FORMS, QueryForms, marked_in
from archive.search.modes import apply_mode, resolved_mode, started_query
from archive.search.parsing import MAX_QUERY_CHARS, parse_query
from archive.search.passage import Passage, passage_matches, passage_of, rank_by_order
from archive.search.plans import Plan
from archive.search.request import Hit, SearchRequest, is_browse
from archive.search.session import SearchSession
from archive.search.snippets import Snippet, make_snippet, words_starting_in
from archive.search.synonyms import NO_SYNONYMS, SynonymIndex

SNIPPET_FRAGMENTS = 2
SNIPPET_CHARS = 180

#: The filters of a request by name; a facet of the same name leaves its own filter out when it counts, so
#: that its values combine with OR (check a second outlet beside the first).
FILTERS = ("source", "category", "language", "date", "dated")


@dataclass
class Matched:
    """A request evaluated on the index: every matching document with its score (``matches``, the words
    alone), each filter's documents, the result (``mask``: words and every filter), and the story rule."""

    request: SearchRequest
    store: Any
    searcher: Any
    values: DocValues
    expander: QueryExpander
    #: The query as evaluated (None when browsing by filters alone).
    expanded_query: Any
    matches: Matches
    filters: dict[str, Mask]
    mask: Mask
    stories: Stories
    sort: str
    query_forms: QueryForms
    notes: list[str] = field(default_factory=list)
    #: What ranking by closeness added to the scores (None when it did not apply).
    closeness: Closeness | None = None
    #: The query read as a pasted passage (None when it is a query).
    passage: Passage | None = None
    #: The synonym groups the search applied (outlets' names among them).
    synonyms: SynonymIndex = NO_SYNONYMS
    #: Found by meaning alone (meaning and hybrid modes; None in words mode).
    by_meaning: Mask | None = None

    @property
    def word_matches(self) -> int:
        """How many documents the words match before the filters."""
        return int(np.count_nonzero(self.matches.mask))

    def without(self, name: str) -> Mask:
        """The documents the words and every filter but ``name`` match (a facet's own filter left out)."""
        mask = self.matches.mask
        for other, kept in self.filters.items():
            if other != name:
                mask = mask & kept
        return mask

    def ordered(self, mask: Mask | None = None) -> Iterator[int]:
        """The documents of ``mask`` (by default the result) in result order, lazily."""
        chosen = self.mask if mask is None else mask
        if self.sort == "relevance":
            # best score first; equal scores in index order, as Whoosh orders them
            return ranked(self.matches.scores, chosen, sign=-1)
        # equal dates keep the order articles were stored in, so pages never shuffle; undated ones come last
        dates, numbers = self.values.date_order(newest=self.sort == "newest")
        return ranked(dates, chosen, secondary=numbers)

    def shown(self, mask: Mask | None = None) -> Iterator[int]:
        """What a list of results shows, in order: one document per story when the request collapses them."""
        return self.stories.firsts(self.ordered(mask))

    def hits(self, top: Sequence[int], *, name_copies: bool | None = None) -> list[Hit]:
        """The hits of these documents, in this order, with their snippets and (``name_copies``, by default
        when the request collapses copies) the other outlets that printed each story."""
        request = self.request
        name_copies = request.collapse if name_copies is None else name_copies
        fields = [self.searcher.stored_fields(d) for d in top]
        ids = [int(f["id"]) for f in fields]
        texts = self.store.texts(ids) if request.snippets else {}
        copies = self.store.cluster_sources([f.get("cluster", "") for f in fields]) if name_copies else {}
        # the shown articles' words asked about at once (which summaries are shown depends on the bodies)
        first_letters = self.query_forms.first_letters()
        words = words_starting_in((text for pair in texts.values() for text in pair if text), first_letters)
        shown_texts = [text for pair in texts.values() for text in pair if text]
        matched = marked_in(self.query_forms, words, shown_texts)
        # sorted by date, there is no relevance score to report (as before: 0)
        scores = self.matches.scores
        shown = [float(scores[d]) if self.sort == "relevance" else None for d in top]
        hits = [
            make_hit(f, score, texts.get(int(f["id"])), matched, copies) for f, score in zip(fields, shown, strict=True)
        ]
        if self.by_meaning is not None:
            alone = self.by_meaning
            hits = [replace(hit, by_meaning=True) if alone[d] else hit for hit, d in zip(hits, top, strict=True)]
        return hits


def match(
    session: SearchSession,
    request: SearchRequest,
    *,
    query: Any = None,
    expander: QueryExpander | None = None,
    excluding: int | None = None,
) -> Matched:
    """Evaluate ``request`` (or, with ``query``, that Whoosh query instead of the request's words: what
    ``similar`` asks) on the session's index; ``excluding`` leaves that article out of the result. Everything
    is read from one state of the index: an ingest committing meanwhile changes the next search, not this one."""
    # (read before the searcher: reading them may open a newer searcher, whose documents differ)
    synonyms = session.synonyms()
    store, _, searcher = session.acquire()
    values = session.values()
    evaluator = Evaluator(searcher, values)
    notes: list[str] = []
    browsing = query is None and is_browse(request.query)
    asked = request.mode if query is None and not browsing else "words"
    mode = resolved_mode(asked, request.query, session.meaning(), store)
    # (embedded on the second core while the words are searched)
    embedded = started_query(session.meaning(), request.query) if mode != "words" else None
    # with no words there is no relevance to rank by: the newest first
    sort = "newest" if browsing and request.sort == "relevance" else request.sort
    expanded_query: Any = None
    parsed: Any = None
    closeness: Closeness | None = None
    plan: Plan | None = None
    passage = None if query is not None or browsing else _passage(request.query, searcher)
    if browsing:
        expander = expander or QueryExpander(session.vocabulary, searcher.doc_count())
        matches = Matches(values.live().copy(), np.zeros(values.count))
    elif passage is not None:
        expander = expander or QueryExpander(session.vocabulary, searcher.doc_count())
        expanded_query = passage.query
        matches = passage_matches(passage, evaluator)
        notes.append(Message("note_passage" if passage.chosen else "note_passage_unheld", words=len(passage.words)))
    else:
        if query is None:
            # (a plan is kept for the words alone: searching by meaning widens its expander again)
            keep = expander is None and embedded is None
            vocabulary = session.vocabulary.state() if keep else None
            plan = session.plans.get(request.query, synonyms, vocabulary) if keep else None
            if plan is None:
                acronyms: set[str] = set()
                parsed_notes: list[Any] = []
                try:
                    parsed = parse_query(request.query, searcher.schema, parsed_notes, acronyms)
                except QueryError as error:
                    # (a query of common words alone still has a meaning: "what is the matter")
                    if embedded is None or getattr(error.args[0], "code", "") not in _NO_WORDS:
                        raise
                expander = expander or new_expander(session, searcher, acronyms, synonyms)
                query = expander.expand(parsed) if parsed is not None else None
                if keep:
                    plan = Plan(synonyms, vocabulary, parsed, tuple(parsed_notes), expander, query)
                    session.plans.put(request.query, plan)
                notes.extend(parsed_notes)
            else:
                parsed, expander, query = plan.parsed, plan.expander, plan.query
                notes.extend(plan.notes)
        expander = expander or QueryExpander(session.vocabulary, searcher.doc_count())
        expanded_query = query
        no_words = Matches(np.zeros(values.count, dtype=bool), np.zeros(values.count))
        matches = evaluator.evaluated(query) if query is not None else no_words
        year = year_asked(request.query)
        if year is not None:
            _add_dated_in(matches, values, year, notes)
    filters = _filters(request, evaluator, values, synonyms)
    if excluding is not None:
        left_out = searcher.document_number(id=str(excluding))
        if left_out is not None:
            filters["only"] = np.ones(values.count, dtype=bool)
            filters["only"][left_out] = False
    stories = Stories(values.clusters(), collapse=request.collapse, copies=values.story_copies())
    # (a story is in a period, or undated, by the copy that dates it: dating.py's rule)
    story_date_filters(filters, matches.mask, stories, values, undated_asked=request.dated is False)
    mask = matches.mask
    for kept in filters.values():
        mask = mask & kept
    by_meaning: Mask | None = None
    if embedded is not None:
        moded = apply_mode(
            mode, request.query, embedded, session.meaning(), store, matches, filters, evaluator, values, expander,
            searcher,
        )  # fmt: skip
        matches, by_meaning = moded.matches, moded.by_meaning
        notes.extend(moded.notes)
        mask = matches.mask
        for kept in filters.values():
            mask = mask & kept
    # (orders the result: for a relevance sort only, after the filters, so that what is shown is what is ranked)
    if sort == "relevance" and parsed is not None and mode == "words":
        closeness = add_closeness(matches, parsed, evaluator, mask)
    if sort == "relevance" and passage is not None and mode == "words":
        rank_by_order(passage, matches, mask, searcher, store)
    query_forms = NO_FORMS
    if plan is not None and plan.forms is not None:
        query_forms = plan.forms
    elif expanded_query is not None:
        query_forms = QueryForms.of(expanded_query, searcher.reader(), expander.unmarked, expander.excluded)
        if not compound_spans(request.query):
            # no pair typed but one typed joined (साथसाथ): the others (नोटबंदी is not नोटबं + दी) are not
            # looked for in the shown texts, which costs a scan of each
            query_forms = replace(query_forms, compounds=frozenset(filter(stopword_pair, query_forms.compounds)))
        if plan is not None:
            plan.forms = query_forms
    return Matched(
        request, store, searcher, values, expander, expanded_query, matches, filters, mask, stories, sort,
        query_forms, notes, closeness, passage, synonyms, by_meaning,
    )  # fmt: skip


#: What a query of no searchable words is refused with; in meaning and hybrid modes its meaning is searched.
_NO_WORDS = frozenset({"query_only_common", "query_no_letters"})


def _passage(text: str, searcher: Any) -> Passage | None:
    # a query too long even for a passage fails in the parser, with the limit in its message
    return passage_of(text, searcher) if len(text) <= MAX_QUERY_CHARS else None


def new_expander(
    session: SearchSession, searcher: Any, acronyms: Set[str], synonyms: SynonymIndex | None = None
) -> QueryExpander:
    return QueryExpander(
        session.vocabulary,
        searcher.doc_count(),
        session.synonyms() if synonyms is None else synonyms,
        frozenset(acronyms),
        idf=lambda term: float(searcher.idf("body", term)),
    )


def _filters(
    request: SearchRequest, evaluator: Evaluator, values: DocValues, synonyms: SynonymIndex
) -> dict[str, Mask]:
    """Each filter of the request, by name (:data:`FILTERS`), as the documents it lets through. An outlet is
    every name of its synonym group (Navbharat Times, नवभारत टाइम्स, NBT)."""
    parts: dict[str, Any] = {}
    if request.sources:
        keys = sorted({key for name in request.sources for key in synonyms.outlet_keys(name)})
        parts["source"] = wq.Or([wq.Term("source_key", key) for key in keys])
    if request.categories:
        parts["category"] = wq.Or([wq.Term("category", c) for c in request.categories])
    if request.languages:
        parts["language"] = wq.Or([wq.Term("language", lang) for lang in request.languages])
    if request.since or request.until:
        start = datetime.combine(request.since, time()) if request.since else None
        end = datetime.combine(request.until, time(23, 59, 59)) if request.until else None
        parts["date"] = wq.DateRange("date", start, end)
    masks = {name: evaluator.docs(condition) for name, condition in parts.items()}
    if request.dated is not None:
        masks["dated"] = values.dated() if request.dated else ~values.dated()
    return masks


def _add_dated_in(matches: Matches, values: DocValues, year: int, notes: list[str]) -> None:
    """A query that is only a year also finds the articles dated in it, after those whose text says it
    (ingest moves a credit line's date out of the text, so the text of many does not)."""
    codes, labels = values.codes("year")
    if str(year) not in labels:
        return
    extra = (codes == labels.index(str(year))) & values.live() & ~matches.mask
    added = int(np.count_nonzero(extra))
    if not added:
        return
    scores = matches.scores
    lowest = float(scores[matches.mask].min()) if matches.mask.any() else 1.0
    scores[extra] = lowest / 2
    matches.mask[extra] = True
    notes.append(Message("note_dated_in", articles=articles(added), year=year))


_DEVANAGARI_DIGITS = str.maketrans("०१२३४५६७८९", "0123456789")


def year_asked(query: str) -> int | None:
    """The year a query consists of, in either script (``2015``, ``२०१५``), if it is only that.

    >>> year_asked("२०१५"), year_asked(" 2015 "), year_asked("2015 चुनाव"), year_asked("12345")
    (2015, 2015, None, None)
    """
    text = query.strip().translate(_DEVANAGARI_DIGITS)
    return int(text) if len(text) == 4 and text.isascii() and text.isdigit() else None


def articles(count: int) -> str:
    return f"{count:,} article" + ("" if count == 1 else "s")


def make_hit(
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
