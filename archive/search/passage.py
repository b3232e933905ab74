"""Pasted passages: a long query of plain text (a paragraph, a quote) searched for the articles it came from.

A passage is not a list of words that must all be there: its first and last words are often cut in half, it
holds words the archive does not, and every one of its hundreds of words ANDed with its variants finds
nothing, slowly. So a passage is searched as a reader looks for it: the articles that hold most of its
rarest words are the results, and among them those that hold its words in the same order (runs of
:data:`RUN` words in a row, as the passage has them) rank first. Its words are searched as written (each
one's index form, no variants or synonyms): a passage is copied, not remembered.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any

import numpy as np
from whoosh import query as wq

from archive.analysis import analyze
from archive.index.query.arrays import Mask, Matches
from archive.index.query.collect import ranked
from archive.index.query.evaluator import Evaluator
from archive.search.parsing import TEXT_FIELDS

#: A query of this many words or more with no query syntax is a passage (a query typed word by word is
#: shorter: the longest queries of the relevance benchmark have 7).
PASSAGE_WORDS = 12
#: The rarest words of a passage that choose its articles: enough that a passage's source holds far more of
#: them than an article on the same subject does, few enough that evaluating them stays fast at any size.
CHOSEN_WORDS = 32
#: The share of the chosen words an article must hold to be a result.
SHARE_NEEDED = 0.5
#: The best candidates whose text is compared with the passage's word order (each costs a read and an
#: analysis of the article, about a millisecond).
ORDER_CHECKED = 30
#: Words in a row that make a run of the passage's order.
RUN = 3

# (only the index's own fields are syntax: a pasted "10:30", "Note:" or "https://..." is text)
_SYNTAX = re.compile(rf"^(OR|AND|NOT|[+-]?(?:{'|'.join(sorted(TEXT_FIELDS))}):.*)$")


@dataclass(frozen=True)
class Passage:
    """A query read as a passage: its index words in order, and the rarest of them that the archive holds."""

    words: tuple[str, ...]
    chosen: tuple[str, ...]

    @property
    def query(self) -> Any:
        """The passage as a query of its chosen words (what snippets mark)."""
        return wq.Or([wq.Term("body", word) for word in self.chosen])

    def runs(self) -> set[tuple[str, ...]]:
        return _runs(self.words)


def passage_of(text: str, searcher: Any) -> Passage | None:
    """``text`` as a passage, or None when it is a query (shorter than :data:`PASSAGE_WORDS` words, or
    written with the query language's operators or fields).

    Quotes, brackets, dashes and stars are punctuation in a passage: a pasted quote has them as text.
    """
    tokens = text.split()
    if len(tokens) < PASSAGE_WORDS or any(_SYNTAX.match(token) for token in tokens):
        return None
    words = tuple(analyze(text))
    frequency = {word: searcher.doc_frequency("body", word) for word in set(words)}
    held = sorted((word for word, n in frequency.items() if n), key=lambda word: (frequency[word], word))
    return Passage(words, tuple(held[:CHOSEN_WORDS]))


def passage_matches(passage: Passage, evaluator: Evaluator) -> Matches:
    """The articles holding at least :data:`SHARE_NEEDED` of the passage's chosen words, scored by how many
    they hold (then by BM25, scaled below one word's worth)."""
    count = evaluator.values.count
    held = np.zeros(count, dtype=np.int32)
    bm25 = np.zeros(count)
    for word in passage.chosen:
        found = evaluator.scores(wq.Term("body", word))
        held += found.mask
        bm25 += found.scores
    needed = min(len(passage.chosen), max(2, math.ceil(SHARE_NEEDED * len(passage.chosen))))
    mask = (held >= needed) if passage.chosen else np.zeros(count, dtype=bool)
    top = float(bm25.max()) if count else 0.0
    scores = np.where(mask, held + bm25 / (top + 1.0), 0.0)
    return Matches(mask, scores)


def rank_by_order(passage: Passage, matches: Matches, mask: Mask, searcher: Any, store: Any) -> None:
    """Raise the scores of the best results (``mask``, after the filters) by the share of the passage's runs
    of words their text has in the same order, so that the passage's source comes first."""
    runs = passage.runs()
    if not runs:
        return
    best = [int(doc) for doc in islice(ranked(matches.scores, mask, sign=-1), ORDER_CHECKED)]
    ids = [int(searcher.stored_fields(doc)["id"]) for doc in best]
    texts = store.texts(ids)
    # above any count of chosen words: the order decides first
    weight = float(len(passage.chosen) + 1)
    for doc, article_id in zip(best, ids, strict=True):
        summary, body = texts.get(article_id, (None, ""))
        shared = len(runs & _runs(tuple(analyze(f"{summary or ''}\n{body}"))))
        matches.scores[doc] += weight * shared / len(runs)


def _runs(words: Sequence[str]) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + RUN]) for i in range(len(words) - RUN + 1)}
