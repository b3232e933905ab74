"""What a search is asked (:class:`SearchRequest`) and what it answers (:class:`SearchResults`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from archive.search.snippets import Snippet

SORTS = ("relevance", "newest", "oldest")
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

    def snippet_text(self, before: str = "**", after: str = "**") -> str:
        """The snippet with every matched word between ``before`` and ``after``."""
        return "".join(f"{before}{text}{after}" if matched else text for text, matched in self.snippet)


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
