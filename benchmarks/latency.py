"""Search latency on existing archive homes, side by side: the queries of :mod:`benchmarks.run`.

Run from the repository root::

    python -m benchmarks.latency HOME [HOME ...] [--runs N] [--rounds R] [--set standard|twenty|all]
                                                [--clock wall|cpu] [--first]

Each home is searched in-process (``Archive(home).search``, limit 10, snippets on, after warm-ups), and
the homes take turns for ``--rounds`` rounds, so that a noisy moment of a shared machine falls on all of
them alike; p50 and p95 are over every run of every round. A query a home's archive refuses (an older
release without browsing) shows as ``n/a``. ``--set twenty`` searches the 20 queries of issue 38 instead
(each ANDed, top 10: the set its Lucene comparison was measured with) and prints their p50 and p95 over
all of them as well as per query. ``--clock cpu`` times each search by this process's CPU time, which
waiting for a core on a loaded machine does not add to (the wall time it takes then is mostly that
wait). ``--first`` drops what a session keeps from one search for the next before each timed search
(plans, each term's and phrase's documents: ARCHITECTURE.md), so that each is timed as its query's first
search on the index. To compare releases, run this once per release with the package of each on ``PYTHONPATH``, at
the same time on copies of one archive.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from benchmarks.common import time_searches
from benchmarks.run import QUERIES, TWENTY_QUERIES, percentile


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("homes", type=Path, nargs="+")
    parser.add_argument("--runs", type=int, default=20, help="searches per query per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--set", choices=("standard", "twenty", "all"), default="standard", help="which queries")
    parser.add_argument(
        "--clock", choices=("wall", "cpu"), default="wall", help="cpu: this process's CPU time (a loaded machine)"
    )
    parser.add_argument(
        "--first", action="store_true", help="time each search as its query's first (drop what searches keep)"
    )
    args = parser.parse_args(argv)
    clock = time.process_time if args.clock == "cpu" else time.perf_counter
    queries = {"standard": QUERIES, "twenty": TWENTY_QUERIES, "all": [*QUERIES, *TWENTY_QUERIES]}[args.set]

    from archive import Archive

    archives = {home: Archive(home) for home in args.homes}
    timings: dict[tuple[Path, str], list[float]] = {}
    totals: dict[tuple[Path, str], int | None] = {}
    for _ in range(args.rounds):
        for home, archive in archives.items():
            for label, query, options, _cli in queries:
                key = (home, label)
                try:
                    total, runs = time_searches(archive, query, options, args.runs, clock, args.first)
                except Exception as error:  # an older release refuses a query it does not know
                    totals[key] = None
                    print(f"  {home}: {label}: {type(error).__name__}: {error}", file=sys.stderr)
                    continue
                totals[key] = total
                timings.setdefault(key, []).extend(runs)
    for home in archives:
        print(f"{home}")
        every: list[float] = []
        for label, *_ in queries:
            runs = timings.get((home, label))
            if not runs:
                print(f"  {label:<17} n/a")
                continue
            every.extend(runs)
            print(
                f"  {label:<17} total {totals[(home, label)]:>6}  p50 {percentile(runs, 0.5):7.1f} ms"
                f"  p95 {percentile(runs, 0.95):7.1f} ms"
            )
        if every:
            p50, p95 = percentile(every, 0.5), percentile(every, 0.95)
            print(f"  {'all of them':<17} {'':>12}  p50 {p50:7.1f} ms  p95 {p95:7.1f} ms")
    for archive in archives.values():
        archive.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
