"""What a search is asked (:class:`SearchRequest`) and what it answers (:class:`SearchResults`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from archive.search.snippets import Snippet

if TYPE_CHECKING:
    from archive.search.explain import Contribution

SORTS = ("relevance", "newest", "oldest")
#: The facet value that counts articles without a date (in the year and month facets).
UNDATED = "undated"


def is_browse(query: str) -> bool:
    """Whether a query asks for no words, only filters: empty, or the ``*`` that means everything."""
    return query.strip() in ("", "*")


FACETS = ("source", "year", "month", "category")


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
    #: Why it matched, when the request asked (:mod:`archive.search.explain`): the parts of its score.
    explanation: tuple[Contribution, ...] = ()
    #: Found by meaning alone (in meaning or hybrid mode): the words did not match it, so nothing is marked.
    by_meaning: bool = False

    def snippet_text(self, before: str = "**", after: str = "**") -> str:
        """The snippet with every matched word between ``before`` and ``after``."""
        return "".join(f"{before}{text}{after}" if matched else text for text, matched in self.snippet)

    def to_row(self, date_text: str | None = None) -> dict[str, Any]:
        """The hit for programs (JSON, JSON Lines, CSV: the CLI and the web page write the same columns):
        the snippet as plain text, and where in it each match is (character offsets, end exclusive).
        ``date_text``: the date as the caller writes it (ISO by default)."""
        return (
            {
                "id": self.id,
                "url": self.url,
                "title": self.title,
                "source": self.source,
                "category": self.category,
                "date": date_text if date_text is not None else (self.date.isoformat() if self.date else None),
                "score": self.score,
                "snippet": self.snippet_text("", ""),
                "highlights": marked_spans(self.snippet),
                "also_in": list(self.also_in),
            }
            | ({"explanation": [part.to_dict() for part in self.explanation]} if self.explanation else {})
            | ({"by_meaning": True} if self.by_meaning else {})
        )


#: The columns of a hit's row (:meth:`Hit.to_row`), in order.
HIT_FIELDS = ("id", "url", "title", "source", "category", "date", "score", "snippet", "highlights", "also_in")


def hit_csv_row(row: dict[str, Any]) -> dict[str, Any]:
    """A hit's row for CSV, where a cell holds text: spans as "start-end" separated by spaces, outlets by "; "."""
    return {k: v for k, v in row.items() if k != "by_meaning"} | {
        "highlights": " ".join(f"{start}-{end}" for start, end in row["highlights"]),
        "also_in": "; ".join(row["also_in"]),
    }


def marked_spans(pieces: Snippet) -> list[list[int]]:
    """Where the marked pieces are in the text they make up: [start, end) character offsets."""
    spans, offset = [], 0
    for part, matched in pieces:
        if matched:
            spans.append([offset, offset + len(part)])
        offset += len(part)
    return spans


@dataclass(frozen=True)
class SearchRequest:
    """Everything a search can be asked: the query, filters, order, page, facets. An empty query (or
    ``*``) browses: every article the filters let through, newest first unless ``sort`` says otherwise."""

    query: str = ""
    limit: int = 10
    page: int = 1
    sources: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    since: date | None = None
    until: date | None = None
    languages: tuple[str, ...] = ()
    #: Only articles with a date (True) or only those without one (False).
    dated: bool | None = None
    sort: str = "relevance"
    facets: tuple[str, ...] = ()
    #: Show each near-duplicate story once, with the other outlets that printed it.
    collapse: bool = True
    #: Read bodies to make snippets (callers that need only ids can skip it).
    snippets: bool = True
    #: Say for each hit shown which forms matched in which fields and what each added to its score.
    explain: bool = False
    #: How the query finds articles: ``words`` (as typed, in its forms), ``meaning`` (the articles nearest the
    #: query's vector), ``hybrid`` (both, ranked by rank fusion): :mod:`archive.search.meaning`; ``auto`` (the
    #: CLI's and the page's default): words for a query in Devanagari, hybrid for one in Latin letters when the
    #: archive's vectors can be searched (:func:`archive.search.modes.resolved_mode`).
    mode: str = "words"


@dataclass(frozen=True)
class SearchedPart:
    """A word or phrase of the query as it was searched: exactly as typed (quoted), or with the ``forms``
    of it the archive holds (spellings, inflections, readings, synonyms)."""

    text: str
    exact: bool
    forms: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "exact": self.exact, "forms": list(self.forms)}


@dataclass(frozen=True)
class FacetCount:
    value: str
    count: int
    #: The request's names of this value when it was asked for by another of its names (``--source Jansatta``
    #: is जनसत्ता): a page marks the value chosen, with its count.
    chosen_as: tuple[str, ...] = ()


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
    #: What the reader should know about how the query was read or why nothing matched.
    notes: list[str] = field(default_factory=list)
    #: Each word or phrase of the query, and how it was searched (exactly, or with which forms).
    searched: list[SearchedPart] = field(default_factory=list)

    @property
    def browsing(self) -> bool:
        """Whether this lists articles by filters alone (no query)."""
        return is_browse(self.query)

    def to_dict(self, row: Callable[[Hit], dict[str, Any]] = Hit.to_row) -> dict[str, Any]:
        """The results for programs (the CLI's and the web page's JSON), each hit made by ``row``."""
        return {
            "query": self.query,
            "total": self.total,
            "page": self.page,
            "limit": self.limit,
            "expanded": self.expanded,
            "searched": [part.to_dict() for part in self.searched],
            "suggestions": self.suggestions,
            "notes": self.notes,
            "facets": {
                name: [{"value": f.value, "count": f.count} for f in counts] for name, counts in self.facets.items()
            },
            "hits": [row(hit) for hit in self.hits],
        }
