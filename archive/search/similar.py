"""Articles on the same subject as one article: ranked by its distinctive words.

Whoosh's ``more_like`` keys on the words an article uses most against how rare they are, datelines and
boilerplate included, so a cricket report from Mumbai found the football report from Mumbai first (its
city, in both datelines, is a rare word). Here an article's words are weighted as BM25 weights a query's
(rarer and more repeated counts for more, with saturation; a title word counts as much as
:data:`TITLE_WEIGHT` body words); its dateline (the place and date before the first ``,`` ``:`` or ``।``)
and the words in a large share of all articles (boilerplate, the commonest words) are left out; and the
:data:`SIMILAR_TERMS` heaviest words search the index, each with its variants. Copies of the article
printed by other outlets share all its words, and come first.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import Any

from whoosh import query as wq

from archive.analysis import analyze
from archive.analysis.cached import variant_key
from archive.analysis.variants import VARIANT_PREFIX
from archive.search.expansion import KEY_BOOST

SIMILAR_TERMS = 25
TITLE_WEIGHT = 3
#: A word in more than this share of articles says nothing of a subject (in an archive large enough to say:
#: in a few dozen articles, rarity is left to the weights).
BOILERPLATE_SHARE = 0.1
BOILERPLATE_MIN_DOCUMENTS = 50
#: BM25's saturation: the tenth use of a word adds little to the first few.
K1 = 1.2
#: A dateline is a few words: the place, the date, the agency.
DATELINE_WORDS = 6
_CLAUSE = re.compile(r"^[^,:।|\n]*[,:।|\n]")


def without_dateline(body: str) -> str:
    """The body after its dateline, when it opens with one.

    >>> without_dateline("मुंबई, 5 मार्च (भाषा)। भारत ने मैच जीता।")
    ' भारत ने मैच जीता।'
    >>> without_dateline("भारत ने आज एक लंबे और कठिन मुकाबले में मैच जीता, सबको खुशी हुई।")
    'भारत ने आज एक लंबे और कठिन मुकाबले में मैच जीता, सबको खुशी हुई।'
    """
    rest = body
    for _ in range(2):  # the place, then the date and agency
        clause = _CLAUSE.match(rest)
        if clause is None or len(clause.group().split()) > DATELINE_WORDS:
            break
        rest = rest[clause.end() :]
    return rest if rest != body and rest.strip() else body


def distinctive_terms(title: str, body: str, searcher: Any, top: int = SIMILAR_TERMS) -> list[tuple[str, float]]:
    """The article's ``top`` heaviest words with their weights, heaviest first."""
    counts: Counter[str] = Counter()
    for word in analyze(title):
        counts[word] += TITLE_WEIGHT
    counts.update(analyze(without_dateline(body)))
    documents = max(1, searcher.doc_count())
    weights = []
    for word, uses in counts.items():
        if word.isdigit():
            continue
        frequency = max(searcher.doc_frequency("body", word), searcher.doc_frequency("title", word))
        if frequency <= 1 or frequency > max(BOILERPLATE_SHARE * documents, BOILERPLATE_MIN_DOCUMENTS):
            continue  # no other article has it, or most do
        idf = math.log(1 + (documents - frequency + 0.5) / (frequency + 0.5))
        weights.append((word, idf * uses * (K1 + 1) / (uses + K1)))
    weights.sort(key=lambda pair: (-pair[1], pair[0]))
    return weights[:top]


def similar_query(terms: list[tuple[str, float]]) -> Any:
    """The query for articles with those words (in title or body, any variant), each at its weight."""
    parts = []
    for word, weight in terms:
        for field in ("title", "body"):
            parts.append(wq.Term(field, word, boost=weight))
            if not word.isascii():
                parts.append(wq.Term(field, VARIANT_PREFIX + variant_key(word), boost=weight * KEY_BOOST))
    return wq.Or(parts)
