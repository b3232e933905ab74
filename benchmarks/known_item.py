"""Known-item benchmark: a reader remembers three fairly common words of an article; is it in the first ten?

Run from the repository root::

    python -m benchmarks.known_item [--home DIR] [--corpus PATH] [--queries 300] [--seed 31]

For articles drawn at random from the corpus archive, three words of the article whose document frequency
is between 41 and 400 (in the 4,549 articles of the corpus; scaled to another size) make a query, typed as
the article prints them. Two kinds of memory are measured:

* ``together``: three such words that stand within twelve words of each other (a phrase or a sentence
  remembered, the commoner case);
* ``scattered``: three such words from anywhere in the article.

For each, the mean reciprocal rank of the article in the first ten results (MRR@10) and how often it is
first (P@1), for our search (copies of a story not collapsed, so that the article itself is found) and for
Lucene's Hindi analyzer with BM25 (k1 1.2, b 0.75; the words ORed, as Elasticsearch's ``match`` query
does; :mod:`benchmarks.lucene_hindi`). Skipped (exit 0) when the shared corpus is not present.
"""

from __future__ import annotations

import argparse
import math
import random
import shutil
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from benchmarks.lucene_hindi import lucene_term
from benchmarks.relevance import CORPUS_FILES, DEFAULT_CORPUS, Doc, article_count, build_archive, load_docs

CORPUS_SIZE = 4_549
LOW, HIGH = 41, 400
WORDS = 3
WINDOW = 12
TOP = 10


@dataclass(frozen=True)
class KnownItem:
    kind: str
    article: int
    words: tuple[str, ...]

    @property
    def query(self) -> str:
        return " ".join(self.words)


def draw(docs: list[Doc], count: int, seed: int) -> list[KnownItem]:
    """``count`` queries of each kind, three distinct words of the right frequency from one article each."""
    frequency = Counter(word for doc in docs for word in doc.tokens)
    scale = len(docs) / CORPUS_SIZE
    low, high = max(2, round(LOW * scale)), max(3, round(HIGH * scale))

    def fits(word: str) -> bool:
        return low <= frequency[word] <= high and len(word) > 1 and not word.isdigit()

    chance = random.Random(seed)
    items: list[KnownItem] = []
    for kind in ("together", "scattered"):
        drawn = 0
        for doc in chance.sample(docs, len(docs)):
            words = doc.sequence.split()
            picked = _together(words, fits, chance) if kind == "together" else _scattered(words, fits, chance)
            if picked:
                items.append(KnownItem(kind, doc.id, picked))
                drawn += 1
                if drawn == count:
                    break
    return items


def _together(words: list[str], fits: object, chance: random.Random) -> tuple[str, ...] | None:
    for _ in range(20):
        start = chance.randrange(max(1, len(words) - WINDOW))
        window = [w for w in dict.fromkeys(words[start : start + WINDOW]) if fits(w)]  # type: ignore[operator]
        if len(window) >= WORDS:
            return tuple(window[:WORDS])
    return None


def _scattered(words: list[str], fits: object, chance: random.Random) -> tuple[str, ...] | None:
    distinct = [w for w in dict.fromkeys(words) if fits(w)]  # type: ignore[operator]
    if len(distinct) < WORDS:
        return None
    picked = set(chance.sample(distinct, WORDS))
    return tuple(w for w in distinct if w in picked)  # in the article's order, as remembered


class LuceneBM25:
    """BM25 over Lucene's Hindi terms of each article's title, summary and body (one field)."""

    def __init__(self, docs: list[Doc], *, k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.ids = [doc.id for doc in docs]
        self.counts = [Counter(doc.lucene_sequence.split()) for doc in docs]
        self.lengths = [sum(c.values()) for c in self.counts]
        self.average = sum(self.lengths) / max(1, len(self.lengths))
        self.postings: dict[str, list[int]] = {}
        for number, counts in enumerate(self.counts):
            for term in counts:
                self.postings.setdefault(term, []).append(number)

    def top(self, words: tuple[str, ...], n: int) -> list[int]:
        total = len(self.ids)
        scores: Counter[int] = Counter()
        for term in dict.fromkeys(lucene_term(w) for w in words):
            posting = self.postings.get(term, [])
            idf = math.log(1 + (total - len(posting) + 0.5) / (len(posting) + 0.5))
            for number in posting:
                tf = self.counts[number][term]
                norm = self.k1 * (1 - self.b + self.b * self.lengths[number] / self.average)
                scores[number] += idf * tf * (self.k1 + 1) / (tf + norm)
        ranked = sorted(scores, key=lambda number: (-scores[number], number))[:n]
        return [self.ids[number] for number in ranked]


def reciprocal_rank(article: int, ranked: list[int]) -> float:
    return 1.0 / (ranked.index(article) + 1) if article in ranked else 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, help="archive home to build in or reuse (default: a temp dir)")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--queries", type=int, default=300, help="queries of each kind")
    parser.add_argument("--seed", type=int, default=31)
    parser.add_argument("--show-misses", type=int, default=0, help="print this many missed queries of each kind")
    parser.add_argument(
        "--modes", default="words", help="search modes to measure, comma-separated: words,meaning,hybrid (embedded)"
    )
    args = parser.parse_args(argv)
    corpus: Path = args.corpus
    if not all((corpus / name).is_file() for name in CORPUS_FILES):
        print(f"known-item benchmark skipped: corpus not found at {corpus}")
        return 0
    home = args.home.expanduser().absolute() if args.home else Path(tempfile.mkdtemp(prefix="known-item-"))
    try:
        if not article_count(home):
            build_archive(home, corpus)
        docs = load_docs(home)
        items = draw(docs, args.queries, args.seed)
        lucene = LuceneBM25(docs)
        from archive import Archive
        from archive.config import resolve_settings

        results: dict[tuple[str, str], list[float]] = {}
        misses: dict[str, list[str]] = {}
        start = time.perf_counter()
        with Archive(settings=resolve_settings(home)) as archive:
            for item in items:
                for mode in args.modes.split(","):
                    found = archive.search(item.query, limit=TOP, snippets=False, collapse=False, mode=mode)
                    ranked = [hit.id for hit in found.hits]
                    engine = "ours" if mode == "words" else mode
                    results.setdefault((item.kind, engine), []).append(reciprocal_rank(item.article, ranked))
                    if mode == "words":
                        ours = ranked
                results.setdefault((item.kind, "lucene"), []).append(
                    reciprocal_rank(item.article, lucene.top(item.words, TOP))
                )
                if item.article not in ours[:1]:
                    rank = ours.index(item.article) + 1 if item.article in ours else "-"
                    misses.setdefault(item.kind, []).append(f"{item.query}  (article {item.article}: rank {rank})")
        seconds = time.perf_counter() - start
        print(f"{len(docs)} articles, {len(items)} queries ({seconds:.1f} s), words of df {LOW}-{HIGH} at 4,549")
        print(f"{'kind':<10} {'engine':<8} {'MRR@10':>7} {'P@1':>6} {'in 10':>6}  queries")
        for (kind, engine), ranks in results.items():
            mrr = sum(ranks) / len(ranks)
            first = sum(r == 1.0 for r in ranks) / len(ranks)
            found_share = sum(r > 0 for r in ranks) / len(ranks)
            print(f"{kind:<10} {engine:<8} {mrr:>7.3f} {first:>6.3f} {found_share:>6.3f}  {len(ranks)}")
        for kind, missed in misses.items():
            for line in missed[: args.show_misses]:
                print(f"  missed ({kind}): {line}")
    finally:
        if args.home is None:
            shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
