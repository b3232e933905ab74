"""What sets a result apart: the words and two-word phrases most over-represented in the articles a search
matches, against the whole archive, by Dunning's log-likelihood ratio (G²).

**Why log-likelihood.** It is a test of whether a word's share of the matching articles differs from its
share of the others, and it stays sound for rare words and small results, where a ratio of shares (or
Elasticsearch's default ``significant_terms`` score, JLH: the difference of the shares times their ratio)
puts words seen in two matching articles and nowhere else above the words that truly mark a subject; it is
the keyness statistic of corpus linguistics (WordSmith, AntConc), so a researcher can say what the number
means. Only over-represented words are listed (a word rarer in the results than elsewhere scores too).

**What is counted.** Articles, not uses: ``in_results`` is how many matching articles hold the word (in
the title, summary or body, in that exact form: the search ``"word"`` finds them), ``in_archive`` how many
of all articles do. Every copy of a story counts, in both. Stopwords, numbers and the query's own forms
are left out; a phrase is two words next to one another once stopwords are left out (as a phrase search
matches them), and a phrase with a query form in it is left out too.

**Sampling.** Candidates are found in the words of at most :data:`SAMPLE` matching articles (evenly
spread in index order, which is the order they were stored): the best by an estimate of their score, and
the most common in the sample whatever their estimate (in a result of half the archive, what sets it apart
is common words a little more common in it, whose estimates sampling blurs most). They are then counted
exactly on the index, so every number shown is exact, and only a word the sample missed can be missing
(``benchmarks/views.py`` compares the top 20 with a ten times larger sample and with a reference that
counts fifteen times more candidates: for मोदी at 100,000, 54,000 results, the common words lifted the top
20 shared with the reference from 10 to 18).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np
from whoosh import query as wq

from archive.analysis.terms import index_terms
from archive.errors import QueryError
from archive.index.query.evaluator import Evaluator
from archive.messages import Message
from archive.search.matched import matched_words
from archive.search.matching import match
from archive.search.request import SearchRequest, is_browse
from archive.search.searching import check_request
from archive.search.session import SearchSession

#: Matching articles read for candidates at most (reading and analysing one takes about a millisecond).
SAMPLE = 400
#: Terms listed by default and at most.
DEFAULT_TERMS = 30
MAX_TERMS = 100
#: Candidates counted exactly on the index, per term listed (words and phrases each).
CANDIDATES_A_TERM = 6
#: A candidate is in at least this many sampled articles (one article's pet word is no pattern), and when
#: the results were sampled, in at least this share of the sample: a word in fewer than 1% of 20,000 results
#: is rarely among the best, and looking up every rarer word's count in the archive took most of a second.
MIN_SAMPLED = 2
MIN_SAMPLED_SHARE = 0.01
#: The words most common in the sample counted exactly too, per term listed, beside the best estimated.
COMMON_A_TERM = 2
_FIELDS = ("title", "summary", "body")


@dataclass(frozen=True)
class SignificantTerm:
    term: str
    score: float
    in_results: int
    in_archive: int

    def to_dict(self) -> dict[str, Any]:
        return {"term": self.term, "score": self.score, "in_results": self.in_results, "in_archive": self.in_archive}


@dataclass(frozen=True)
class SignificantTerms:
    """The terms, best first, and what they were counted in: the matching articles and all of them."""

    terms: list[SignificantTerm]
    results: int
    archive: int
    sampled: int
    #: The search's total for the same request (a story printed by several outlets once, as the search counts
    #: it): the terms count every copy, so a reader comparing the two numbers is told why they differ.
    stories: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "terms": [t.to_dict() for t in self.terms],
            "results": self.results,
            "stories": self.stories,
            "archive": self.archive,
            "sampled": self.sampled,
        }


def log_likelihood(in_results: int, results: int, in_archive: int, archive: int) -> float:
    """Dunning's G² of a term in ``in_results`` of ``results`` matching articles and ``in_archive`` of all
    ``archive`` articles (the results among them), signed: negative when the term is rarer in the results.

    >>> round(log_likelihood(10, 100, 20, 1000), 3), round(log_likelihood(1, 100, 100, 1000), 3)
    (21.177, -15.238)
    """
    a, c = in_results, in_archive - in_results
    b, d = results - a, (archive - results) - c
    total = a + b + c + d
    g2 = 0.0
    for observed, row, column in ((a, a + b, a + c), (b, a + b, b + d), (c, c + d, a + c), (d, c + d, b + d)):
        expected = row * column / total if total else 0.0
        if observed > 0 and expected > 0:
            g2 += observed * math.log(observed / expected)
    g2 *= 2
    over = (a / (a + b) if a + b else 0.0) > (c / (c + d) if c + d else 0.0)
    return g2 if over else -g2


def check_terms(request: SearchRequest, limit: int) -> None:
    if is_browse(request.query):
        raise QueryError(Message("query_empty"))
    if not 1 <= limit <= MAX_TERMS:
        raise QueryError(Message("bad_terms_limit", limit=limit, most=MAX_TERMS))
    check_request(request)


def terms_in(
    session: SearchSession,
    request: SearchRequest,
    limit: int = DEFAULT_TERMS,
    sample: int = SAMPLE,
    candidates: int = CANDIDATES_A_TERM,
    common: int = COMMON_A_TERM,
) -> SignificantTerms:
    """The ``limit`` terms that most set apart what ``request`` matches (its filters applied)."""
    check_terms(request, limit)
    with session.reading():
        found = match(session, request)
        mask = found.mask
        live = found.values.live()
        results, archive = int(np.count_nonzero(mask)), int(np.count_nonzero(live))
        chosen = np.flatnonzero(mask)
        if chosen.size > sample:
            chosen = chosen[np.linspace(0, chosen.size - 1, sample).astype(np.int64)]
        searcher = found.searcher
        stored = [searcher.stored_fields(int(d)) for d in chosen]  # (titles are in the index: no read of them)
        texts = found.store.texts([int(f["id"]) for f in stored])
        words: Counter[str] = Counter()
        pairs: Counter[tuple[str, str]] = Counter()
        for fields in stored:
            summary, body = texts.get(int(fields["id"]), (None, ""))
            parts = (str(fields.get("title") or ""), summary, body)
            seen = [w for w in words_in_order("\n".join(filter(None, parts))) if not w.isdigit()]
            words.update(set(seen))
            pairs.update({(x, y) for x, y in pairwise(seen) if x != y})
        own = matched_words(found.query_forms, set(words))
        evaluator = Evaluator(searcher, found.values)
        scale = results / max(1, len(chosen))
        least = max(min(MIN_SAMPLED, len(chosen)), math.ceil(MIN_SAMPLED_SHARE * len(chosen)) if scale > 1 else 0)
        unigram = [(w, n) for w, n in words.items() if n >= least and w not in own]
        # the best candidates by an estimate: the sample's count scaled up, and the archive's from the
        # vocabulary's document counts (a look-up in each segment's term table a word took half a second)
        known = session.vocabulary.counts(w for w, _ in unigram)

        def estimate(word: str, sampled: int) -> float:
            in_results = min(results, round(sampled * scale))
            in_archive = max(in_results, known.get(word, 0))
            return log_likelihood(in_results, results, min(archive, in_archive), archive)

        estimated = sorted(unigram, key=lambda wn: -estimate(*wn))[: candidates * limit]
        # and the words most common in the sample, whatever their estimate: in a large result (half the
        # archive) the words that set it apart are common ones a little more common in it, whose estimate
        # sampling blurs most, while rarer words lucky in the sample, scaled up, crowd them out of the list
        taken = {word for word, _ in estimated}
        by_count = sorted((wn for wn in unigram if wn[0] not in taken), key=lambda wn: (-wn[1], wn[0]))
        estimated += by_count[: common * limit]
        phrases = [(p, n) for p, n in pairs.most_common() if n >= least and not (set(p) & own)]
        phrases = phrases[: candidates * limit // 2]
        counted: list[SignificantTerm] = []
        for word, _ in estimated:
            holding = evaluator.docs(wq.Or([wq.Term(f, word) for f in _FIELDS]))
            counted.append(_exact(word, holding, mask, live, results))
        for (first, second), _ in phrases:
            # (a phrase through the evaluator's own phrase path: Whoosh's span matchers took 10 ms each)
            holding = np.zeros(found.values.count, dtype=bool)
            for f in _FIELDS:
                holding |= evaluator.scores(wq.Phrase(f, [first, second], slop=1)).mask
            counted.append(_exact(f"{first} {second}", holding, mask, live, results))
        best = sorted((t for t in counted if t.score > 0), key=lambda t: (-t.score, t.term))[:limit]
        return SignificantTerms(best, results, archive, len(chosen), found.stories.count(mask))


def words_in_order(text: str) -> list[str]:
    """The words a query would search for in ``text``, in order (stopwords out): the analyzer's, from the
    index's own fast path (one regex scan and a cached look-up a word: half the analyzer's time, which was
    half of the whole at 400 articles).

    >>> words_in_order("और लॉवरोव ने लावरोव से मुलाकात की")
    ['लॉवरोव', 'लावरोव', 'मुलाकात']
    """
    placed = sorted((at, term) for term, places in index_terms(text).items() if term[0] != "~" for at in places)
    return [term for _, term in placed]


def _exact(term: str, holding: Any, mask: Any, live: Any, results: int) -> SignificantTerm:
    holding = holding & live
    in_archive = int(np.count_nonzero(holding))
    in_results = int(np.count_nonzero(holding & mask))
    score = log_likelihood(in_results, results, in_archive, int(np.count_nonzero(live)))
    return SignificantTerm(term, round(score, 3), in_results, in_archive)
