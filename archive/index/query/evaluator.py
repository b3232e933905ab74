"""Evaluating queries over the index a term at a time, with numpy arrays over all documents.

Whoosh's matchers walk the postings one document at a time through a tree of Python objects (a union
per word, its variants, its fields), and an exact total and facets need every match: 250-550 ms a query
at 100,000 articles. Here the common parts of a query (words and their variants, AND, OR, NOT, date
ranges) are evaluated a term at a time instead: each term's postings are read whole
(:mod:`archive.index.query.postings`) and scored at once with Whoosh's own BM25F formula and statistics,
operation for operation (:mod:`archive.index.query.bm25`): each term's score is Whoosh's to the last bit,
and a document's sum of three parts or more may differ in its last bits only, where Whoosh adds in another
order (``tests/oracle.py`` says why; tests/test_differential.py compares them). A result
is a :class:`Matches`: a boolean mask and a score for every document number of the searcher. Phrases are
found here too (:mod:`archive.index.query.phrase`); prefixes and fuzzy words are left to Whoosh's matchers.

Each part of a query left to Whoosh's matchers is logged (at ``DEBUG``, on this module's logger): the same
answers, ten times slower, so ``tests/test_search_engine.py`` fails when a common query shape takes that path.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
from whoosh import query as wq

from archive.index.query.arrays import Floats, Ints, Mask, Matches
from archive.index.query.bm25 import TermWeight, bm25
from archive.index.query.cache import Found
from archive.index.query.phrase import put_phrase
from archive.index.query.postings import term_postings
from archive.index.query.values import DocValues

_log = logging.getLogger(__name__)

#: The scores of matches found without them (a filter's): never read, as an unscored term sets none.
_UNSCORED: Floats = np.zeros(0)


class Evaluator:
    def __init__(self, searcher: Any, values: DocValues) -> None:
        self.searcher = searcher
        self.values = values
        #: (the searcher's: its segments and statistics never change)
        self.stats = values.term_stats()

    def evaluated(self, query: Any) -> Matches:
        """:meth:`scores` of a whole query, in arrays of the caller's own to change. The query's matches are
        kept for its next searches on this searcher (when it is made of words, phrases, AND, OR and NOT:
        those are what its key describes whole), so that those cost a copy."""
        key = _shape(query)
        if key is None:
            return self.scores(query)
        kept = self.values.queries.get(key)
        if kept is None:
            found = self.scores(query)
            self.values.queries.put(key, Matches(found.mask.copy(), found.scores.copy()))
            return found
        return Matches(kept.mask.copy(), kept.scores.copy())

    def _none(self) -> Matches:
        return Matches(np.zeros(self.values.count, dtype=bool), np.zeros(self.values.count))

    def scores(self, node: Any) -> Matches:
        """Every matching (undeleted) document with its score."""
        kind = type(node)
        if kind is wq.Term:
            return self._term(node, scored=True)
        subs = getattr(node, "subqueries", ())
        if kind is wq.Or and node.boost == 1.0 and not any(isinstance(q, wq.Not) for q in subs):
            # A word's terms are added straight into the union (each as its postings), not each made a
            # pair of arrays over all documents and then added: per document, the same additions in the
            # same order (adding nothing where Whoosh adds 0.0 to a score that is never -0.0)
            total = self._none()
            for number, sub in enumerate(subs):
                # (the first sub's scores are set, not added to the zeros: 0.0 + x is x, at half the cost)
                if type(sub) is wq.Term and self._put_term(sub, total, scored=True, add=number > 0):
                    continue
                if type(sub) is wq.Phrase and sub.slop >= 1 and self._put_phrase(sub, total):
                    continue
                found = self.scores(sub)
                total.mask[:] |= found.mask
                total.scores[:] += found.scores
            return total
        if kind is wq.And and node.boost == 1.0:
            positive = [self.scores(q) for q in subs if not isinstance(q, wq.Not)]
            negative = [q.query for q in subs if isinstance(q, wq.Not)]
            if positive:
                mask = positive[0].mask.copy()
                for part in positive[1:]:
                    mask &= part.mask
                for excluded in negative:
                    mask &= ~self.docs(excluded)
                # summed in the matched documents only, in the same order (a masked ufunc, `where=mask`, took
                # 0.4 ms an addition over 100,000 documents)
                matched = np.flatnonzero(mask)
                sums = np.zeros(matched.size)
                for part in positive:
                    sums += part.scores[matched]
                # Whoosh scores each `NOT x` clause of an AND as 1.0 (its inverse matcher's weight), in the
                # documents the AND matches only: a union adds every document's score
                if negative:
                    sums += float(len(negative))
                summed = np.zeros(self.values.count)
                summed[matched] = sums
                return Matches(mask, summed)
        if kind is wq.AndNot and node.boost == 1.0:
            found = self.scores(node.a)
            mask = found.mask & ~self.docs(node.b)
            return Matches(mask, np.where(mask, found.scores, 0.0))
        if kind is wq.Phrase and node.slop >= 1:
            found = self._none()
            if self._put_phrase(node, found):
                return found
        return self._whoosh(node, scored=True)

    def _put_phrase(self, node: Any, found: Matches) -> bool:
        return put_phrase(self.searcher, self.values, node, found, self.stats)

    def docs(self, node: Any) -> Mask:
        """Every matching (undeleted) document, without scores (for filters)."""
        kind = type(node)
        if kind is wq.Term:
            found = Matches(np.zeros(self.values.count, dtype=bool), _UNSCORED)
            if self._put_term(node, found, scored=False, add=False):
                return found.mask
            return self._whoosh(node, scored=True).mask
        subs = getattr(node, "subqueries", ())
        if kind is wq.Or and not any(isinstance(q, wq.Not) for q in subs):
            # (a word's terms marked straight into the union: an array over all documents each, and a pair
            # of them as scores() gives, cost more than marking their postings at a million articles)
            union = Matches(np.zeros(self.values.count, dtype=bool), _UNSCORED)
            for sub in subs:
                if type(sub) is wq.Term and self._put_term(sub, union, scored=False, add=False):
                    continue
                union.mask[:] |= self.docs(sub)
            return union.mask
        if kind is wq.And:
            positive = [self.docs(q) for q in subs if not isinstance(q, wq.Not)]
            if positive:
                mask = positive[0].copy()
                for other in positive[1:]:
                    mask &= other
                for sub in subs:
                    if isinstance(sub, wq.Not):
                        mask &= ~self.docs(sub.query)
                return mask
        if kind is wq.AndNot:
            return self.docs(node.a) & ~self.docs(node.b)
        if kind is wq.DateRange and not (node.startexcl or node.endexcl):
            return self._date_range(node)
        return self._whoosh(node, scored=False).mask

    def _date_range(self, node: Any) -> Mask:
        """A date filter read off the date column (Whoosh's range matcher unions many trie terms)."""
        field = self.searcher.schema[node.fieldname]
        missing = field.column_type.default_value(False)
        low = field.to_column_value(node.startdate) if node.startdate is not None else 0
        high = field.to_column_value(node.enddate) if node.enddate is not None else missing - 1
        dates = self.values.numbers(node.fieldname)
        offset = self.values.offset(node.fieldname)
        low, high = low - offset, high - offset
        within: Mask = (dates >= low) & (dates <= high) & self.values.live()
        return within

    def _term(self, node: Any, *, scored: bool) -> Matches:
        found = self._none()
        if not self._put_term(node, found, scored=scored, add=False):
            return self._whoosh(node, scored=True)
        return found

    def _put_term(self, node: Any, found: Matches, *, scored: bool, add: bool) -> bool:
        """Mark a term's undeleted documents in ``found`` and, if ``scored``, set their scores there (or
        add them to the scores there, with ``add``). False, with nothing done, when the weighting is not
        BM25F (Whoosh scores the term). What a term finds is kept in the searcher's cache
        (:mod:`archive.index.query.cache`) for the next searches."""
        key = ("term", node.fieldname, node.text, node.boost if scored else None)
        held = self.values.cache.get(key)
        if held is None:
            held = self._term_found(node, scored=scored)
            if held is None:
                return False
            self.values.cache.put(key, held)
        ids, scores = held
        found.mask[ids] = True
        if scores is not None:
            if add:  # (a term's documents are distinct: one addition each, as Whoosh adds)
                found.scores[ids] += scores
            else:
                found.scores[ids] = scores
        return True

    def _term_found(self, node: Any, *, scored: bool) -> Found | None:
        """A term's undeleted documents (global numbers) and, if ``scored``, their scores; None when the
        weighting is not BM25F."""
        searcher = self.searcher
        field = node.fieldname
        none = Found(np.zeros(0, dtype=np.int64), np.zeros(0) if scored else None)
        if field not in searcher.schema:
            return none
        try:
            text = searcher.schema[field].to_bytes(node.text)
        except ValueError:
            return none
        scratch = self.values.scratch()
        live = self.values.live() if self.values.deletions else None
        weight: TermWeight | None = None
        id_parts: list[Ints] = []
        score_parts: list[Floats] = []
        for leaf, (sub, offset) in enumerate(self.values.leaves):
            postings = term_postings(self.values, leaf, sub.reader(), field, text, scratch)
            if postings is None:
                continue
            if scored and weight is None:
                weight = self.stats.weight(field, text)
                if weight is None:
                    return None
                norms = self.values.norms(field, weight.K1, weight.B, weight.avgfl)
            ids, weights = postings
            ids += offset
            if live is not None:
                kept = live[ids]
                ids, weights = ids[kept], weights[kept]
            id_parts.append(ids.copy())  # (the scratch's: the next segment decodes into it)
            if weight is None:  # (not scored)
                continue
            # the scratch again, for the documents' length norms (clip: the numbers are all in range, and
            # take() would otherwise make a buffer of its own)
            lengths = np.take(norms, ids, out=scratch.values[: ids.size], mode="clip")
            score = bm25(weights, lengths, weight.idf, weight.K1)
            if node.boost != 1.0:
                score *= node.boost
            score_parts.append(score.copy())
        if not id_parts:
            return none
        ids_found = np.concatenate(id_parts)
        if not scored:
            return Found(ids_found, None)
        return Found(ids_found, np.concatenate(score_parts))

    def _whoosh(self, node: Any, *, scored: bool) -> Matches:
        """What Whoosh's own matcher for ``node`` finds, leaf by leaf, deleted documents left out (Whoosh's
        matchers skip them, but for one: a query of only ``NOT x`` found the deleted document just after
        ``x``'s last match in a segment)."""
        _log.debug("left to Whoosh's matchers: %r", node)
        found = self._none()
        context = self.searcher.context() if scored else self.searcher.boolean_context()
        for sub, offset in self.values.leaves:
            matcher = node.matcher(sub, context)
            while matcher.is_active():
                found.mask[offset + matcher.id()] = True
                if scored:
                    found.scores[offset + matcher.id()] = matcher.score()
                matcher.next()
        if self.values.deletions:
            deleted = ~self.values.live()
            found.mask[deleted] = False
            found.scores[deleted] = 0.0
        return found


def _shape(node: Any) -> tuple[Any, ...] | None:
    """Everything that decides what ``node`` matches and how it scores, as a key; None for a query of other
    kinds (a prefix, a fuzzy word: whose equality Whoosh may not define by all that decides them)."""
    kind = type(node)
    if isinstance(node, wq.Term):
        return (kind, node.fieldname, node.text, node.boost)
    if isinstance(node, wq.Phrase):
        return (kind, node.fieldname, tuple(node.words), node.slop, node.boost)
    if isinstance(node, wq.Not):
        inner = _shape(node.query)
        return None if inner is None else (kind, node.boost, inner)
    if kind in (wq.And, wq.Or, wq.AndNot):
        subs = [_shape(sub) for sub in ((node.a, node.b) if kind is wq.AndNot else node.subqueries)]
        if any(sub is None for sub in subs):
            return None
        extra = (getattr(node, "minmatch", 0), getattr(node, "scale", None))
        return (kind, node.boost, extra, tuple(subs))
    return None
