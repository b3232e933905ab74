"""Saved searches: what they cost after an ingest, per saved search, at a given archive size.

Run from the repository root::

    python -m benchmarks.watch [--size 100000] [--work DIR] [--searches 20]

It builds an archive of ``--size`` articles generated from the shared corpus's paragraphs
(``benchmarks.run.generate``; a home already in ``--work`` is reused), saves ``--searches`` searches (one
word, two words, phrases, with and without filters), then ingests a daily batch of 200 new articles and
times, in the process that ingested:

- ``Archive.watch_news(run)``: what the CLI runs after every ingest to print ``NAME: N new`` lines,
  in all and per saved search (the target: at most 20 ms per saved search at 100,000 articles);
- ``Archive.watch_counts()`` (``archive watch list``), per saved search;
- and, once, ``Archive.watch_add`` (saving a search with the articles it matches as its baseline).

Each figure is the median of five rounds. Skipped (exit 0) when the shared corpus is not present.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from archive import Archive
from archive.api import IngestOptions, SavedSearch
from benchmarks.run import generate, read_records, write_jsonl_gz

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
CORPUS_FILES = ("hi_editorials_sampadkiya.jsonl.gz", "hi_covid19_newspaper_days.jsonl.gz")
DAILY = 200
ROUNDS = 5

#: (query, filters) of the saved searches, cycled through as many times as asked.
SEARCHES: list[tuple[str, dict[str, tuple[str, ...] | str]]] = [
    ("नोटबंदी", {}),
    ("सरकार", {}),
    ("भारत चीन", {}),
    ('"काला धन"', {}),
    ("किसान आंदोलन", {}),
    ("कोरोना", {"since": "2016-01-01"}),
    ("मोदी", {"sources": ("दैनिक जागरण",)}),
    ("चुनाव OR मतदान", {}),
    ("अर्थव्यवस्था", {"until": "2018-12-31"}),
    ("शिक्षा नीति", {}),
]


def build(work: Path, size: int) -> Path:
    home = work / f"home-{size}"
    if (home / "archive.db").exists():
        print(f"reusing {home}")
        return home
    real = [record for name in CORPUS_FILES for record in read_records(CORPUS / name)]
    source = work / f"{size}.jsonl.gz"
    write_jsonl_gz(source, generate(real, size))
    started = time.perf_counter()
    Archive(home).ingest([source], IngestOptions())
    print(f"built {home}: {size:,} articles in {time.perf_counter() - started:.0f} s")
    return home


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--work", type=Path, default=None, help="where to build (and reuse) the archive")
    parser.add_argument("--searches", type=int, default=20)
    args = parser.parse_args(argv)
    if not all((CORPUS / name).exists() for name in CORPUS_FILES):
        print(f"skipped: the shared corpus is not at {CORPUS}")
        return 0
    work = args.work or Path(tempfile.mkdtemp(prefix="archive-watch-"))
    work.mkdir(parents=True, exist_ok=True)
    home = build(work, args.size)
    real = [record for name in CORPUS_FILES for record in read_records(CORPUS / name)]
    archive = Archive(home)
    for saved in archive.watch_counts():
        archive.watch_remove(saved.search.name)
    started = time.perf_counter()
    for number in range(args.searches):
        query, filters = SEARCHES[number % len(SEARCHES)]
        archive.watch_add(SavedSearch(f"w{number:02} {query}", query, **filters))  # type: ignore[arg-type]
    add_ms = (time.perf_counter() - started) * 1000
    news_ms: list[float] = []
    count_ms: list[float] = []
    for round_number in range(ROUNDS):
        daily = work / f"daily-{round_number}.jsonl.gz"
        # seeded by the archive's size, so that a reused archive gets articles it does not hold yet
        write_jsonl_gz(daily, generate(real, DAILY, seed=archive.stats().articles))
        report = archive.ingest([daily], IngestOptions())
        started = time.perf_counter()
        news = archive.watch_news(report.run_id)
        news_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        archive.watch_counts()
        count_ms.append((time.perf_counter() - started) * 1000)
        print(f"round {round_number + 1}: added {report.counts.added}, {len(news)} saved searches with news")
    archive.close()
    news_all, count_all = statistics.median(news_ms), statistics.median(count_ms)
    print(f"\n{args.searches} saved searches, {args.size:,} articles (+{DAILY} a round), median of {ROUNDS} rounds:")
    print(f"after an ingest (watch_news): {news_all:.1f} ms in all, {news_all / args.searches:.2f} ms per saved search")
    print(f"watch add (each saved with its baseline): {add_ms / args.searches:.1f} ms per search")
    print(f"watch list (watch_counts):    {count_all:.1f} ms in all, {count_all / args.searches:.2f} ms per search")
    return 0


if __name__ == "__main__":
    sys.exit(main())
