"""The change feed: how fast a lagging node catches up, and what the up-to-date check costs every search.

Run from the repository root::

    python -m benchmarks.feed [--changes 10000] [--db postgresql://…] [--rounds 3]

Two homes share one database (a temporary SQLite file, or the empty PostgreSQL database ``--db`` names):

1. node A ingests the seed article, node B searches (so B's index follows the feed);
2. A ingests ``--changes`` new articles made of the shared corpus's paragraphs (``benchmarks.run.generate``),
   timed: the ingest's own speed, storing and indexing together, and then A's ``reindex`` (indexing alone,
   from the database);
3. B catches up (``Archive.catch_up``, what B's next command runs): the changes it applies per second;
4. with nothing changed, the up-to-date check: ``SearchSession.behind()`` (what every search asks first)
   and ``sync_index`` (what every ingest and ``catch_up`` ask first), median of many calls.

Steps 2 and 3 run ``--rounds`` times (fresh articles each round) and print each round, so the two speeds
are compared in the same run. The last lines estimate what a day of downtime costs a node at the size of the
corpus. Corpus text is read at run time and written only to temporary directories. Skipped (exit 0)
without the shared corpus.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from archive import Archive
from archive.api import IngestOptions
from archive.config import FEED_RETENTION, resolve_settings
from archive.index.search_index import SearchIndex
from archive.index.sync import sync_index
from archive.search.session import SearchSession
from archive.store.database import Store
from benchmarks.run import generate, read_records, write_jsonl_gz

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
CORPUS_FILES = ("hi_editorials_sampadkiya.jsonl.gz", "hi_covid19_newspaper_days.jsonl.gz")
CHECKS = 2_000


def timed_ms(call: object, times: int) -> float:
    """Median wall time of ``call()`` in ms."""
    assert callable(call)
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--changes", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--db", default=None, help="an empty PostgreSQL database (default: a SQLite file)")
    args = parser.parse_args(argv)
    if not all((CORPUS / name).exists() for name in CORPUS_FILES):
        print(f"skipped: the shared corpus is not at {CORPUS}")
        return 0
    work = Path(tempfile.mkdtemp(prefix="archive-feed-"))
    db = args.db or f"sqlite:///{(work / 'shared.db').as_posix()}"
    real = [record for name in CORPUS_FILES for record in read_records(CORPUS / name)]
    a, b = Archive(work / "a", db_url=db), Archive(work / "b", db_url=db)
    a.ingest([], IngestOptions())  # (no path: the seeds)
    b.search("लावरोव")
    b.close()
    print(f"database: {db.split('@')[-1]}; {args.changes:,} changes a round\n")
    print("| round | ingest on A (store + index) | reindex on A (index only) | catch-up on B (apply the feed) |")
    print("| --- | ---: | ---: | ---: |")
    ingest_rates, reindex_rates, catch_up_rates = [], [], []
    for round_number in range(args.rounds):
        source = work / f"round-{round_number}.jsonl.gz"
        write_jsonl_gz(source, generate(real, args.changes, seed=1000 + round_number))
        started = time.perf_counter()
        report = a.ingest([source], IngestOptions())
        ingest_s = time.perf_counter() - started
        changed = report.counts.added + report.counts.updated
        started = time.perf_counter()
        indexed = a.reindex()
        reindex_s = time.perf_counter() - started
        started = time.perf_counter()
        applied = b.catch_up()
        catch_up_s = time.perf_counter() - started
        assert applied == changed, (applied, changed)
        ingest_rates.append(changed / ingest_s)
        reindex_rates.append(indexed / reindex_s)
        catch_up_rates.append(applied / catch_up_s)
        print(
            f"| {round_number + 1} | {changed:,} in {ingest_s:.1f} s = {ingest_rates[-1]:,.0f}/s "
            f"| {indexed:,} in {reindex_s:.1f} s = {reindex_rates[-1]:,.0f}/s "
            f"| {applied:,} in {catch_up_s:.1f} s = {catch_up_rates[-1]:,.0f}/s |"
        )

    settings = resolve_settings(work / "b", db)
    session = SearchSession(settings)
    session.acquire()  # (as after a search: the session holds a searcher on the latest commit)
    behind_ms = timed_ms(session.behind, CHECKS)
    session.close()
    store, index = Store.open(settings, create=False), SearchIndex(settings.index_dir, settings.index)
    sync_ms = timed_ms(lambda: sync_index(store, index), CHECKS)
    store.close()
    index.close()
    print(f"\nup to date, nothing changed (median of {CHECKS:,}):")
    print(f"  SearchSession.behind() (before every search): {behind_ms:.3f} ms")
    print(f"  sync_index() (before every ingest, catch_up): {sync_ms:.3f} ms")

    rate = statistics.median(catch_up_rates)
    articles = len(real)
    dated = Counter(str(r["date"])[:10] for r in real if r.get("date"))
    busiest = max(dated.values())
    print(f"\nmedian catch-up {rate:,.0f} changes/s; ingest {statistics.median(ingest_rates):,.0f}/s;")
    print(f"reindex {statistics.median(reindex_rates):,.0f}/s")
    print(f"a day of downtime at the corpus's size ({articles:,} articles over {len(dated)} dated days):")
    for label, changes in (
        (f"its busiest day ({busiest} articles)", busiest),
        ("a newsroom's day of 200 new articles", 200),
        ("every article of the corpus changed in the day", articles),
    ):
        print(f"  {label}: {changes / rate:.2f} s of catch-up on the next command")
    rebuild_s = articles / statistics.median(reindex_rates)
    print(f"  away beyond the feed's retention ({FEED_RETENTION.days} days): a rebuild, {rebuild_s:.1f} s")
    a.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
