"""The engine against stock Whoosh on the real corpus: generated queries, evaluated both ways on one index.

Run from the repository root::

    python -m benchmarks.differential [--home DIR] [--queries N] [--seed S]

It builds an archive of the two shared corpus files in a temporary home, one ingest each (several
segments), and deletes one article in a hundred (deletions in every segment); or it uses ``--home`` as it
is. It then generates ``--queries`` queries (default 300) from the corpus itself: words drawn from the
index's vocabulary across frequency bands, phrases and proximity pairs of words that stand next to or near
each other in articles, and their combinations with AND, OR, NOT / ``-``, ``title:`` and brackets. Each is
parsed and expanded as the archive does, then compared with :func:`tests.oracle.compare`:
the same documents, scores within the stated tolerance, and the archive's ranking rank by rank.

Prints how many agree, each disagreement, and the time taken; exits 1 if any query disagrees. Corpus text
is read at run time only. Skipped (exit 0) when the shared corpus is not present.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import sqlite3
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

from archive import Archive
from archive.errors import QueryError
from archive.index.search_index import SearchIndex
from archive.search.expansion import QueryExpander
from archive.search.parsing import parse_query
from tests.oracle import TOLERANCE, compare

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
CORPUS_FILES = ("hi_editorials_sampadkiya.jsonl.gz", "hi_covid19_newspaper_days.jsonl.gz")
ALL = 100_000
WORD = re.compile(r"[\u0900-\u0963\u0966-\u097f]+")


def build(home: Path, seed: int) -> None:
    archive = Archive(home)
    for name in CORPUS_FILES:
        report = archive.ingest([CORPUS / name])
        print(f"  ingested {name}: {report.summary}", flush=True)
    rng = random.Random(seed)
    doomed = sorted(rng.sample(range(1, archive.stats().articles + 1), archive.stats().articles // 100))
    print(f"  deleted {archive.delete(doomed)} articles (one in a hundred)")


def vocabulary_bands(home: Path) -> list[list[str]]:
    """Devanagari forms of the index's vocabulary, in bands of document frequency: rare, middling, common."""
    with closing(sqlite3.connect(home / "index" / "vocabulary.sqlite")) as db:
        rows = db.execute("SELECT form, documents FROM forms").fetchall()
    bands: list[list[str]] = [[], [], []]
    for form, documents in rows:
        if WORD.fullmatch(form) and len(form) > 2:
            bands[0 if documents < 10 else 1 if documents < 300 else 2].append(form)
    return [sorted(band) for band in bands]


def neighbours(rng: random.Random, count: int) -> list[tuple[str, str, int]]:
    """Pairs of words found near each other in the corpus's articles, with their distance in words."""
    with gzip.open(CORPUS / CORPUS_FILES[0], "rt", encoding="utf-8") as corpus:
        lines = corpus.read().splitlines()
    pairs = []
    for line in rng.sample(lines, count):
        words = WORD.findall(json.loads(line)["body"])
        if len(words) > 10:
            at = rng.randrange(len(words) - 4)
            gap = rng.choice((1, 1, 2, 3))
            pairs.append((words[at], words[at + gap], gap))
    return pairs


def generate(home: Path, count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    bands = vocabulary_bands(home)
    pairs = neighbours(rng, count)

    def word() -> str:
        return rng.choice(bands[rng.choice((0, 1, 1, 2, 2))])

    def phrase() -> str:
        first, second, gap = rng.choice(pairs)
        return f'"{first} {second}"' if gap == 1 else f'"{first} {second}"~{gap + rng.randint(0, 2)}'

    makers = [
        lambda: word(),
        lambda: f"{word()} {word()}",
        lambda: f"{word()} {word()} {word()}",
        lambda: f"{word()} OR {word()}",
        lambda: f"{word()} -{word()}",
        lambda: f"{word()} NOT {word()}",
        lambda: phrase(),
        lambda: f"{phrase()} {word()}",
        lambda: f"{phrase()} OR {phrase()}",
        lambda: f"title:{word()}",
        lambda: f"title:{word()} {word()}",
        lambda: f"({word()} OR {word()}) {word()}",
        lambda: f"({word()} OR {word()}) -{word()}",
        lambda: f"({word()} {word()}) OR ({word()} -{word()})",
    ]
    return [makers[n % len(makers)]() for n in range(count)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path, help="an archive to compare on (default: the corpus, built now)")
    parser.add_argument("--queries", type=int, default=300, help="queries to generate (default 300)")
    parser.add_argument("--seed", type=int, default=20_161_108, help="random seed (default 20161108)")
    args = parser.parse_args(argv)
    if not all((CORPUS / name).exists() for name in CORPUS_FILES):
        print(f"differential: skipped, shared corpus not found ({CORPUS})")
        return 0
    with tempfile.TemporaryDirectory(prefix="archive-differential-") as scratch:
        home = args.home or Path(scratch) / "home"
        if args.home is None:
            print(f"building {home} from {', '.join(CORPUS_FILES)} ...", flush=True)
            build(home, args.seed)
        queries = generate(home, args.queries, args.seed)
        return run(home, queries)


def run(home: Path, queries: list[str]) -> int:
    archive = Archive(home)
    index = SearchIndex(home / "index")
    agree = 0
    refused: dict[str, int] = {}
    disagreements: list[tuple[str, object]] = []
    matched = 0
    started = time.perf_counter()
    with index.searcher() as searcher:
        reader = searcher.reader()
        segments, deleted = len(reader.leaf_readers()), searcher.doc_count_all() - searcher.doc_count()
        print(f"index: {searcher.doc_count()} documents in {segments} segments, {deleted} deleted")
        for query in queries:
            try:
                expanded = parse_query(query, searcher.schema).accept(
                    QueryExpander(index.vocabulary, searcher.doc_count())
                )
            except QueryError as error:
                reason = "only stopwords" if "very common words" in str(error) else str(error).split(": ")[-1][:60]
                refused[reason] = refused.get(reason, 0) + 1
                continue
            hits = archive.search(query, limit=ALL, collapse=False, snippets=False).hits
            order = [searcher.document_number(id=str(hit.id)) for hit in hits]
            matched += len(order)
            found = compare(searcher, expanded, order)
            if found:
                disagreements.append((query, found))
            else:
                agree += 1
    index.close()
    archive.close()
    compared = len(queries) - sum(refused.values())
    took = time.perf_counter() - started
    reasons = ", ".join(f"{count}: {reason}" for reason, count in sorted(refused.items()))
    print(f"queries: {len(queries)} generated, {compared} compared; refused by the parser: {reasons or 'none'}")
    print(f"agree: {agree} of {compared} (documents, scores within {TOLERANCE:g} relative, order rank by rank)")
    print(f"matches compared: {matched} documents, in {took:.1f} s")
    for query, found in disagreements:
        print(f"  DISAGREE {query!r}: {found}")
    return 1 if disagreements else 0


if __name__ == "__main__":
    sys.exit(main())
