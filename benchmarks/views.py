"""The researcher's views at scale (issue 35): the trend of three queries by month, on a kept archive home.

Run from the repository root (on a copy of a home: a search may bring a lagging index up to date)::

    python -m benchmarks.views HOME [--runs N]

Prints each view's p50 and p95 over ``--runs`` runs after a warm-up, with the figures the issue asks for
beside them. In-process, as the page's server answers (its kept answers turned off: every run counts).
"""

from __future__ import annotations

import argparse
import io
import time
from itertools import islice
from pathlib import Path

#: Three queries of different sizes (a common word, a name, a rarer word).
TREND_QUERIES = ("सरकार", "मोदी", "बाढ़")
KWIC_QUERIES = ("सरकार", "बाढ़")
#: Results of 3,000, 7,000, 29,000 and 54,000 articles at 100,000.
TERMS_QUERIES = ("बाढ़", "क्रिकेट", "किसान", "मोदी")


def _timed(work: object, runs: int) -> tuple[float, float]:
    assert callable(work)
    work()  # (a warm-up: the index's files and the per-document values read once)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    times.sort()
    return times[len(times) // 2] * 1000, times[min(len(times) - 1, int(len(times) * 0.95))] * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("home", type=Path)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument(
        "--reference",
        action="store_true",
        help="also compare the terms' top 20 with a reference: a sample of 4,000 and 60 candidates a term counted "
        "exactly (minutes a query)",
    )
    args = parser.parse_args(argv)

    from archive.api import KWIC_FIELDS, Archive
    from archive.sheets import csv_lines

    with Archive(args.home) as archive:
        stats = archive.stats()
        print(f"{args.home}: {stats.articles:,} articles")
        found = archive.trend(list(TREND_QUERIES), granularity="month")
        periods = len(found.series[0].periods)
        totals = ", ".join(f"{s.query} {s.total:,}" for s in found.series)
        p50, p95 = _timed(lambda: archive.trend(list(TREND_QUERIES), granularity="month"), args.runs)
        print(f"trend, 3 queries ({totals}) x {periods} months: p50 {p50:.0f} ms, p95 {p95:.0f} ms (issue: <= 300 ms)")

        for query in KWIC_QUERIES:

            def page(query: str = query) -> None:
                assert len(list(islice(archive.kwic(query), 100))) == 100

            p50, p95 = _timed(page, args.runs)
            print(f"kwic {query}: a page of 100 lines: p50 {p50:.0f} ms, p95 {p95:.0f} ms (issue: <= 200 ms)")
        start = time.perf_counter()
        buffer = io.StringIO()
        written = sum(
            1
            for _ in map(
                buffer.write, csv_lines((line.to_row() for line in islice(archive.kwic("सरकार"), 10_000)), KWIC_FIELDS)
            )
        )
        print(
            f"kwic सरकार: 10,000 lines as CSV ({written - 1:,} rows): "
            f"{time.perf_counter() - start:.2f} s (issue: <= 5 s)"
        )

        session = archive._ready()  # (the sampling's comparison calls the search module with its own sample)
        from archive.api import SearchRequest
        from archive.search.terms import terms_in

        for query in TERMS_QUERIES:
            found = archive.terms(query, 20)
            p50, p95 = _timed(lambda query=query: archive.terms(query, 20), max(3, args.runs // 4))
            larger = terms_in(session, SearchRequest(query), 20, sample=4_000)
            top = {t.term for t in found.terms}
            same = len(top & {t.term for t in larger.terms})
            reference = ""
            if args.reference:
                best = terms_in(session, SearchRequest(query), 20, sample=4_000, candidates=60, common=20)
                reference = f"; with the reference: {len(top & {t.term for t in best.terms})}"
            print(
                f"terms {query} ({found.results:,} results, candidates from {found.sampled}): p50 {p50:.0f} ms, "
                f"p95 {p95:.0f} ms (issue: <= 1 s); top 20 shared with a sample of "
                f"{larger.sampled:,}: {same}{reference}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
