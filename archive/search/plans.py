"""What a query's words become before they are searched (parsed, widened to their variants and synonyms,
the forms its snippets mark), kept by a session for the query's next searches.

Parsing and widening a query of two words asks the vocabulary and the index's term tables dozens of times
(a millisecond or two, as much as finding its documents); the next page of the same query, or the same
query with another filter, would ask it all again. The answer depends on the query's text, the index's
terms (the searcher), the vocabulary and the synonym groups: a plan is kept only while all of them stay the
same (a new searcher drops every plan; the vocabulary file and the synonyms are compared at each use).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from archive.search.expansion import QueryExpander
from archive.search.matched import QueryForms
from archive.search.synonyms import SynonymIndex

#: Plans a session keeps at most (the least recently used leave first).
KEPT = 256


@dataclass
class Plan:
    """A query's words as searched: what the parser noted, the expander (its forms and searched parts), the
    widened query, and (once a search has made them) the forms its snippets mark."""

    synonyms: SynonymIndex
    vocabulary: Any
    parsed: Any
    notes: tuple[Any, ...]
    expander: QueryExpander
    query: Any
    forms: QueryForms | None = None


class Plans:
    """A session's plans by query text."""

    def __init__(self, kept: int = KEPT) -> None:
        self.kept = kept
        self._plans: OrderedDict[str, Plan] = OrderedDict()

    def get(self, text: str, synonyms: SynonymIndex, vocabulary: Any) -> Plan | None:
        plan = self._plans.get(text)
        if plan is None or plan.synonyms is not synonyms or plan.vocabulary != vocabulary:
            return None
        self._plans.move_to_end(text)
        return plan

    def put(self, text: str, plan: Plan) -> None:
        self._plans[text] = plan
        self._plans.move_to_end(text)
        while len(self._plans) > self.kept:
            self._plans.popitem(last=False)

    def clear(self) -> None:
        self._plans.clear()
