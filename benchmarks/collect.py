"""Collecting: articles per second fetched and stored from sites on the loopback interface, with the default
politeness (2 s between two requests to one site, 4 sites at once) and relaxed (no pause, 8 at once), and the
cost of a fetch in which nothing changed (every feed answers 304) for 50 sources.

Run from the repository root::

    nice python -m benchmarks.collect [--articles 100] [--hosts 5] [--rounds 3]

The article pages carry paragraphs of the shared corpus's editorials when it is present (else generated
text), as a news site prints them (navigation, the article, a footer). Each figure is the median of
``--rounds`` runs, each in a new home.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from archive import Archive
from archive.api import CollectSettings
from tests.sites import Site, article_page, article_text, rss

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "hi_editorials_sampadkiya.jsonl.gz"
POLITE = CollectSettings()
RELAXED = CollectSettings(host_delay=0.0, concurrency=8)


def _texts(count: int) -> list[list[str]]:
    if not CORPUS.exists():
        return [article_text(n) for n in range(count)]
    texts = []
    with gzip.open(CORPUS, "rt", encoding="utf-8") as lines:
        for line in lines:
            body = json.loads(line).get("body") or ""
            paragraphs = [p for p in body.split("\n") if len(p.split()) > 5]
            if len(paragraphs) >= 3:
                texts.append(paragraphs)
            if len(texts) == count:
                break
    return texts


def _sites(articles: int, hosts: int, etag: bool = False, pages_per_feed: int | None = None) -> list[Site]:
    texts = _texts(articles)
    sites = [Site() for _ in range(hosts)]
    per_host = articles // hosts
    for number, site in enumerate(sites):
        items = []
        for n in range(number * per_host, (number + 1) * per_host):
            site.serve(f"/a/{n}.html", article_page(f"खबर {n}", n, text=texts[n % len(texts)] + [f"({n})"]))
            items.append({"title": f"खबर {n}", "link": site.url(f"/a/{n}.html")})
        site.serve("/feed.xml", rss(items[:pages_per_feed]), "application/rss+xml", etag='"v1"' if etag else None)
    return sites


def throughput(articles: int, hosts: int, options: CollectSettings) -> tuple[float, int, float]:
    """(articles per second, articles stored, seconds) of one fetch of ``hosts`` feeds listing ``articles``."""
    sites = _sites(articles, hosts)
    try:
        with tempfile.TemporaryDirectory() as home:
            archive = Archive(home)
            for number, site in enumerate(sites):
                archive.follow_add(site.url("/feed.xml"), f"site{number}")
            archive.upgrade()
            started = time.perf_counter()
            report = archive.fetch((), options)
            took = time.perf_counter() - started
            return report.counts.added / took, report.counts.added, took
    finally:
        for site in sites:
            site.close()


def unchanged_run(sources: int, hosts: int, options: CollectSettings) -> tuple[float, int]:
    """(seconds, requests) of a fetch of ``sources`` feeds that all answer 304 (fetched once before)."""
    per_host = sources // hosts
    sites = [Site() for _ in range(hosts)]
    try:
        for site in sites:
            for feed in range(per_host):
                site.serve(f"/a/{feed}.html", article_page(f"खबर {feed}", feed + site.port * 100))
                items = [{"title": "x", "link": site.url(f"/a/{feed}.html")}]
                site.serve(f"/feed{feed}.xml", rss(items), "application/rss+xml", etag='"v1"')
        with tempfile.TemporaryDirectory() as home:
            archive = Archive(home)
            names = []
            for number, site in enumerate(sites):
                for feed in range(per_host):
                    names.append(f"s{number}-{feed}")
                    archive.follow_add(site.url(f"/feed{feed}.xml"), names[-1])
            archive.fetch(names, RELAXED)
            started = time.perf_counter()
            report = archive.fetch(names, options)
            took = time.perf_counter() - started
            assert all(s.status == "not modified" for s in report.sources), report.sources
            return took, report.requests
    finally:
        for site in sites:
            site.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=100)
    parser.add_argument("--hosts", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sources", type=int, default=50)
    args = parser.parse_args(argv)
    print(f"text: {'the shared corpus' if CORPUS.exists() else 'generated'}; median of {args.rounds} rounds")
    for label, options in (
        ("relaxed (no pause, 8 sites at once)", RELAXED),
        ("polite (2 s per site, 4 at once)", POLITE),
    ):
        runs = [throughput(args.articles, args.hosts, options) for _ in range(args.rounds)]
        rate = statistics.median(r[0] for r in runs)
        took = statistics.median(r[2] for r in runs)
        print(f"{label}: {rate:.1f} articles/s ({args.articles} articles on {args.hosts} sites in {took:.1f} s)")
    for label, options in (("relaxed", RELAXED), ("polite", POLITE)):
        runs = [unchanged_run(args.sources, 10, options) for _ in range(args.rounds)]
        took = statistics.median(r[0] for r in runs)
        print(f"all 304, {args.sources} sources on 10 sites, {label}: {took:.2f} s, {runs[0][1]} requests")
    return 0


if __name__ == "__main__":
    sys.exit(main())
