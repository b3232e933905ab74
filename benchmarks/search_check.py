"""Search check: facet counts, date filter and order against SQL, near-duplicate collapsing, and latency.

Run from the repository root::

    python -m benchmarks.search_check [--home DIR]

It builds an archive of the two shared corpus files in a temporary home (or in ``--home``; a home
that already holds articles is reused as it is), then:

a. runs ``नोटबंदी`` and ``सरकार`` with facets source and year, since 2016-01-01, newest first and
   collapsing off, through the Python API with every hit returned, and checks against SQL on
   ``<home>/archive.db``: every hit is dated 2016-01-01 or later, the total equals the hits
   returned, the source and year facets equal a ``GROUP BY`` over the returned ids (a source facet's
   label is mapped to its ``source_key`` as the outlet name most articles of that key print), the
   order is newest first, and the date filter drops no dated match;
b. counts near-duplicate clusters in SQL, shows three, and for one searches a word of its headline
   with collapsing on (the story once, the other outlets in ``also_in``) and off (every copy);
c. measures latency (p50, p95) of five queries in-process and as whole ``archive search`` processes.

Prints PASS/FAIL per check and exits 1 if any failed. Corpus text is read at run time only.
Skipped (exit 0) when the shared corpus is not present.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from contextlib import closing
from datetime import date
from pathlib import Path
from typing import Any

from archive import Archive
from benchmarks.common import WARMUP, archive_command, time_searches

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
CORPUS_FILES = ("hi_editorials_sampadkiya.jsonl.gz", "hi_covid19_newspaper_days.jsonl.gz")
ALL = 100_000
SINCE = date(2016, 1, 1)
FACET_QUERIES = ("नोटबंदी", "सरकार")
RUNS_API, RUNS_CLI = 30, 10
#: Devanagari letters and signs, without the danda and double danda.
WORD = re.compile(r"[\u0900-\u0963\u0966-\u097f]+")

#: (label, query, API keyword arguments, CLI options)
LATENCY_QUERIES: list[tuple[str, str, dict[str, Any], list[str]]] = [
    ("one word", "सरकार", {}, []),
    ("two words", "भारत चीन", {}, []),
    ("phrase", '"काला धन"', {}, []),
    ("romanised", "sarkar", {}, []),
    (
        "filtered+faceted",
        "नोटबंदी",
        {"facets": ("source", "year"), "since": SINCE, "sort": "newest"},
        ["--facet", "source", "--facet", "year", "--since", SINCE.isoformat(), "--sort", "newest"],
    ),
]


class Checks:
    def __init__(self) -> None:
        self.failed: list[str] = []
        self.count = 0

    def check(self, ok: bool, name: str, detail: str) -> bool:
        self.count += 1
        print(f"  {'PASS' if ok else 'FAIL'}  {name}: {detail}")
        if not ok:
            self.failed.append(name)
        return ok


def article_count(home: Path) -> int:
    db = home / "archive.db"
    if not db.exists():
        return 0
    try:
        with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
            return int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])
    except sqlite3.Error:
        return 0


def connect(home: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{home / 'archive.db'}?mode=ro", uri=True)


def load_ids(conn: sqlite3.Connection, ids: Sequence[int]) -> None:
    """The ids, in order, as the temporary table ``hits(pos, id)``."""
    conn.execute("DROP TABLE IF EXISTS temp.hits")
    conn.execute("CREATE TEMP TABLE hits (pos INTEGER PRIMARY KEY, id INTEGER NOT NULL)")
    conn.executemany("INSERT INTO temp.hits (pos, id) VALUES (?, ?)", enumerate(ids))


def source_label_keys(conn: sqlite3.Connection) -> dict[str, set[str]]:
    """label → the source keys whose most common ``source`` it is (ties: every tied name is a label)."""
    per_key: dict[str, Counter[str]] = defaultdict(Counter)
    rows = conn.execute(
        "SELECT source_key, source, count(*) FROM articles "
        "WHERE source_key IS NOT NULL AND source IS NOT NULL GROUP BY source_key, source"
    )
    for key, source, count in rows:
        per_key[key][source] = count
    keys_of: dict[str, set[str]] = defaultdict(set)
    for key, sources in per_key.items():
        top = max(sources.values())
        for source, count in sources.items():
            if count == top:
                keys_of[source].add(key)
    return keys_of


def _diff(expected: dict[str, int], got: dict[str, int]) -> str:
    keys = sorted(set(expected) | set(got))
    wrong = [f"{k}: sql {expected.get(k, 0)} vs facet {got.get(k, 0)}" for k in keys if expected.get(k) != got.get(k)]
    return "; ".join(wrong[:5]) + (f" (+{len(wrong) - 5} more)" if len(wrong) > 5 else "")


def check_facets(archive: Archive, conn: sqlite3.Connection, query: str, checks: Checks) -> None:
    started = time.perf_counter()
    results = archive.search(
        query, facets=("source", "year"), since=SINCE, sort="newest", limit=ALL, collapse=False, snippets=False
    )
    elapsed = (time.perf_counter() - started) * 1000
    ids = [hit.id for hit in results.hits]
    print(f"\n[a] {query!r}: total {results.total}, {len(ids)} hits returned ({elapsed:.0f} ms)")
    load_ids(conn, ids)

    checks.check(
        results.total == len(ids) and len(set(ids)) == len(ids),
        "total equals returned ids",
        f"total={results.total}, ids={len(ids)}, distinct={len(set(ids))}",
    )
    in_db, early, undated = conn.execute(
        "SELECT count(a.id), sum(a.published < ?), sum(a.published IS NULL) "
        "FROM temp.hits h LEFT JOIN articles a ON a.id = h.id",
        (SINCE.isoformat(),),
    ).fetchone()
    checks.check(
        in_db == len(ids) and not early and not undated,
        "every hit published >= 2016-01-01",
        f"in db {in_db}/{len(ids)}, earlier {early or 0}, undated {undated or 0}",
    )
    wrong_dates = sum(
        1
        for hit, (published,) in zip(
            results.hits,
            conn.execute("SELECT a.published FROM temp.hits h JOIN articles a ON a.id = h.id ORDER BY h.pos"),
            strict=False,
        )
        if (hit.date.isoformat() if hit.date else None) != published
    )
    checks.check(wrong_dates == 0, "hit dates equal articles.published", f"{wrong_dates} differ")

    # source facet vs GROUP BY source_key
    sql_sources = dict(
        conn.execute(
            "SELECT a.source_key, count(*) FROM temp.hits h JOIN articles a ON a.id = h.id "
            "WHERE a.source_key IS NOT NULL GROUP BY a.source_key"
        ).fetchall()
    )
    no_key = conn.execute(
        "SELECT count(*) FROM temp.hits h JOIN articles a ON a.id = h.id WHERE a.source_key IS NULL"
    ).fetchone()[0]
    keys_of = source_label_keys(conn)
    facet_sources: dict[str, int] = {}
    unresolved: list[str] = []
    for entry in results.facets.get("source", []):
        keys = keys_of.get(entry.value, set())
        candidates = [k for k in keys if k in sql_sources] or sorted(keys)
        if len(candidates) != 1:
            unresolved.append(f"{entry.value} ({len(candidates)} keys)")
            continue
        facet_sources[candidates[0]] = facet_sources.get(candidates[0], 0) + entry.count
    checks.check(
        facet_sources == sql_sources and not unresolved,
        "source facet equals SQL GROUP BY source_key",
        f"{len(results.facets.get('source', []))} outlets, facet sum {sum(facet_sources.values())}, "
        f"sql sum {sum(sql_sources.values())} (+{no_key} hits without source)"
        + (f"; unresolved labels: {', '.join(unresolved)}" if unresolved else "")
        + (f"; {_diff(sql_sources, facet_sources)}" if facet_sources != sql_sources else ""),
    )
    top = ", ".join(f"{e.value} {e.count}" for e in results.facets.get("source", [])[:5])
    print(f"        top sources: {top}")

    sql_years = {
        str(y): n
        for y, n in conn.execute(
            "SELECT substr(a.published, 1, 4), count(*) FROM temp.hits h JOIN articles a ON a.id = h.id "
            "WHERE a.published IS NOT NULL GROUP BY 1"
        )
    }
    facet_years = {e.value: e.count for e in results.facets.get("year", [])}
    checks.check(
        facet_years == sql_years,
        "year facet equals SQL GROUP BY year",
        ", ".join(f"{y}: {n}" for y, n in sorted(facet_years.items())) + f" | sql {dict(sorted(sql_years.items()))}"
        if facet_years != sql_years
        else ", ".join(f"{y}: {n}" for y, n in sorted(facet_years.items())),
    )

    inversions, ties_out_of_id_order = conn.execute(
        "SELECT sum(a2.published > a1.published), sum(a2.published = a1.published AND a2.id > a1.id) "
        "FROM temp.hits h1 JOIN temp.hits h2 ON h2.pos = h1.pos + 1 "
        "JOIN articles a1 ON a1.id = h1.id JOIN articles a2 ON a2.id = h2.id"
    ).fetchone()
    first_last = conn.execute(
        "SELECT (SELECT a.published FROM temp.hits h JOIN articles a ON a.id = h.id ORDER BY h.pos LIMIT 1), "
        "(SELECT a.published FROM temp.hits h JOIN articles a ON a.id = h.id ORDER BY h.pos DESC LIMIT 1)"
    ).fetchone()
    checks.check(
        not inversions,
        "newest first: published non-increasing",
        f"{inversions or 0} adjacent pairs out of order, first {first_last[0]}, last {first_last[1]}"
        f" (equal dates with id ascending: {ties_out_of_id_order or 0})",
    )

    unfiltered = archive.search(query, limit=ALL, collapse=False, snippets=False)
    load_ids(conn, [hit.id for hit in unfiltered.hits])
    dated_since = conn.execute(
        "SELECT count(*) FROM temp.hits h JOIN articles a ON a.id = h.id WHERE a.published >= ?",
        (SINCE.isoformat(),),
    ).fetchone()[0]
    checks.check(
        dated_since == results.total,
        "date filter drops no match",
        f"unfiltered {unfiltered.total} hits, {dated_since} of them dated >= 2016-01-01;"
        f" filtered total {results.total}",
    )


def longest_shared_word(title: str, texts: Iterable[str]) -> str | None:
    """The longest word of ``title`` that every text contains (else the longest word of the title)."""
    words = sorted(dict.fromkeys(WORD.findall(title)), key=len, reverse=True)
    texts = list(texts)
    for word in words:
        if all(word in text for text in texts):
            return word
    return words[0] if words else None


Member = tuple[int, str | None, str | None, str, str]
#: A made-up outlet for the synthetic cross-outlet copy.
OTHER_OUTLET = "बेंचमार्क टाइम्स"


def cluster_members(conn: sqlite3.Connection, cluster_id: int) -> list[Member]:
    """(id, source, source_key, title, body) of every article of a cluster, oldest first."""
    return conn.execute(
        "SELECT id, source, source_key, title, body FROM articles WHERE cluster_id = ? ORDER BY id", (cluster_id,)
    ).fetchall()


def collapse_case(archive: Archive, rows: list[Member], checks: Checks, label: str) -> None:
    """Search the longest headline word shared by a cluster's copies, with collapsing on and off."""
    ids = {r[0] for r in rows}
    query = longest_shared_word(rows[0][3], (f"{r[3]}\n{r[4]}" for r in rows))
    if query is None:
        checks.check(False, f"{label}: collapse", f"ids {sorted(ids)}: the first title has no Devanagari word")
        return
    sources = [r[1] or "-" for r in rows]
    print(f"    {label}: ids {sorted(ids)}, outlets {sources}, query {query!r}")
    on = archive.search(query, limit=ALL, collapse=True, snippets=False)
    off = archive.search(query, limit=ALL, collapse=False, snippets=False)
    on_page = archive.search(query, limit=10, collapse=True, snippets=False)
    on_hits = [h for h in on.hits if h.id in ids]
    off_ids = {h.id for h in off.hits if h.id in ids}
    checks.check(
        len(on_hits) == 1,
        f"{label}: collapse on shows the story once",
        f"{len(on_hits)} of the cluster's {len(ids)} articles shown"
        + (f" (id {on_hits[0].id}, {on_hits[0].source})" if on_hits else ""),
    )
    if on_hits:
        hit = on_hits[0]
        expected = {r[1] for r in rows if r[1]} - {hit.source}
        checks.check(
            set(hit.also_in) == expected,
            f"{label}: also_in lists the other outlets",
            f"also_in {list(hit.also_in)}, expected {sorted(expected)}",
        )
    checks.check(
        off_ids == ids,
        f"{label}: collapse off shows every copy",
        f"{len(off_ids)} of {len(ids)} copies shown" + (f", missing {sorted(ids - off_ids)}" if off_ids != ids else ""),
    )
    checks.check(
        on.total == len(on.hits) == on_page.total and off.total == len(off.hits),
        f"{label}: totals equal the hits returned",
        f"collapse on: total {on.total} (limit {ALL}) / {on_page.total} (limit 10), {len(on.hits)} hits returned;"
        f" collapse off: total {off.total}, {len(off.hits)} hits",
    )


def check_collapse(archive: Archive, conn: sqlite3.Connection, checks: Checks) -> None:
    clusters = conn.execute(
        "SELECT cluster_id, count(*), count(DISTINCT source_key) FROM articles WHERE cluster_id IS NOT NULL "
        "GROUP BY cluster_id HAVING count(*) > 1 ORDER BY count(*) DESC, cluster_id"
    ).fetchall()
    in_clusters = sum(n for _, n, _ in clusters)
    cross = sum(1 for _, _, outlets in clusters if outlets > 1)
    no_cluster = conn.execute("SELECT count(*) FROM articles WHERE cluster_id IS NULL").fetchone()[0]
    print(
        f"\n[b] clusters with more than one article: {len(clusters)} ({in_clusters} articles; {cross} of them"
        f" span more than one outlet; articles without cluster_id: {no_cluster})"
    )
    if not clusters:
        checks.check(False, "collapse", "no near-duplicate cluster in the archive to test with")
        return
    for cluster_id, size, _ in clusters[:3]:
        print(f"    cluster {cluster_id} ({size} articles):")
        for article_id, source, _key, title, _body in cluster_members(conn, cluster_id):
            print(f"      id {article_id:>5}  {source or '-'}  {title[:60]}")

    # prefer a cluster printed by more than one outlet
    chosen = next((c for c, _, outlets in clusters if outlets > 1), clusters[0][0])
    rows = cluster_members(conn, chosen)
    collapse_case(archive, rows, checks, f"cluster {chosen}")
    if not cross:
        check_cross_outlet(rows, checks)


def check_cross_outlet(rows: list[Member], checks: Checks) -> None:
    """No cluster spans two outlets: store two copies of one under different outlets in a scratch archive."""
    first, second = rows[0], rows[1]
    print(f"    no cluster spans two outlets: scratch archive with ids {first[0]} ({first[1]}) and {second[0]} as")
    print(f"    if printed by {OTHER_OUTLET!r}")
    with tempfile.TemporaryDirectory(prefix="archive-bench-collapse-") as scratch:
        path = Path(scratch) / "copies.jsonl"
        records = [
            {"title": first[3], "body": first[4], "source": first[1] or "अज्ञात"},
            {"title": second[3], "body": second[4], "source": OTHER_OUTLET},
        ]
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
        home = Path(scratch) / "home"
        archive = Archive(home)
        report = archive.ingest([path])
        with closing(connect(home)) as conn:
            copies = conn.execute(
                "SELECT id, source, source_key, title, body, cluster_id FROM articles ORDER BY id"
            ).fetchall()
        clustered = len(copies) == 2 and copies[0][5] == copies[1][5]
        if not checks.check(
            clustered,
            "scratch: the two copies form one cluster",
            f"{report.summary}; cluster ids {[c[5] for c in copies]}",
        ):
            return
        collapse_case(archive, [c[:5] for c in copies], checks, "scratch")


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def measure_latency(archive: Archive, home: Path) -> list[tuple[str, str, int, float, float, float, float, str]]:
    rows = []
    for label, query, options, cli_options in LATENCY_QUERIES:
        total, api = time_searches(archive, query, options, RUNS_API)
        command = [*archive_command(), "--home", str(home), "search", query, "--limit", "10", *cli_options]
        cli: list[float] = []
        failures = 0
        for _ in range(RUNS_CLI):
            started = time.perf_counter()
            code = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
            cli.append((time.perf_counter() - started) * 1000)
            failures += code != 0
        note = f"{failures} runs failed" if failures else ""
        rows.append(
            (
                label,
                query,
                total,
                percentile(api, 0.5),
                percentile(api, 0.95),
                percentile(cli, 0.5),
                percentile(cli, 0.95),
                note,
            )
        )
    return rows


def print_latency(rows: list[tuple[str, str, int, float, float, float, float, str]]) -> None:
    print(f"\n[c] latency, limit 10, snippets on: API {RUNS_API} runs after {WARMUP} warm-up; CLI {RUNS_CLI} processes")
    header = f"  {'query':<18} {'text':<12} {'total':>6} {'API p50':>8} {'API p95':>8} {'CLI p50':>8} {'CLI p95':>8}"
    print(header + "   (ms)")
    print("  " + "-" * (len(header) - 2))
    for label, query, total, a50, a95, c50, c95, note in rows:
        print(
            f"  {label:<18} {query:<12} {total:>6} {a50:>8.1f} {a95:>8.1f} {c50:>8.0f} {c95:>8.0f}"
            + (f"  {note}" if note else "")
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path, help="archive home to build into, or reuse if it holds articles")
    args = parser.parse_args(argv)

    files = [CORPUS / name for name in CORPUS_FILES]
    if not all(p.exists() for p in files):
        print(f"search_check: skipped, shared corpus not found ({CORPUS})")
        return 0

    temporary = args.home is None
    home = Path(tempfile.mkdtemp(prefix="archive-bench-search-")) if temporary else args.home.resolve()
    checks = Checks()
    try:
        archive = Archive(home)
        existing = article_count(home)
        if existing:
            print(f"reusing {home}: {existing} articles")
        else:
            print(f"building {home} from {', '.join(CORPUS_FILES)} ...", flush=True)
            started = time.perf_counter()
            report = archive.ingest(files)
            print(f"  {report.summary} in {time.perf_counter() - started:.1f} s")
        with closing(connect(home)) as conn:
            for query in FACET_QUERIES:
                check_facets(archive, conn, query, checks)
            check_collapse(archive, conn, checks)
        print_latency(measure_latency(archive, home))
    finally:
        if temporary:
            shutil.rmtree(home, ignore_errors=True)
    passed = checks.count - len(checks.failed)
    print(f"\n{passed}/{checks.count} checks passed" + (", FAILED:" if checks.failed else ""))
    for name in checks.failed:
        print(f"  FAIL {name}")
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
