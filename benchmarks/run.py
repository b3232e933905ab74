"""One benchmark run: ingest, reindex, reference indexes and search latency, per corpus size.

Run from the repository root::

    python -m benchmarks.run [--sizes 4549,20000] [--runs N] [--search-runs N] [--skip-process] [--skip-references]
                             [--skip-reindex] [--due-merge-timeout S] [--serve-requests N]
                             [--keep DIR [--search-only]]

For each size (4,549 = the real corpus, the two ``*.jsonl.gz`` files of ``../shared/corpus`` as they
are; any other size = a generated corpus of real paragraphs of the real articles recombined into new
articles, dates spread over 2015–2020, the real outlets, fixed seed, written one article at a time as
``.jsonl.gz``, or as plain ``.jsonl`` above 200,000 articles, in a temporary directory):

1. ``archive ingest FILE --quiet`` as a process into a fresh temporary home (median of ``--runs``):
   wall time, articles/s, MB of text (UTF-8 title + body)/s, peak RSS (``/usr/bin/time -f "%e %M"``),
   index and database size on disk;
   then disk per MB of text by file type (``benchmarks.disk``), search latency as that leaves the
   archive (see 4.: a large input is committed in growing steps, so its index has several segments),
   a day's update of 200 new articles and one of 1 (whole ``archive ingest`` processes), the search
   page of ``archive serve`` (one worker, answers not kept: p50 of the server's own time and the
   client's, ``--serve-requests`` a query), and the merges (``archive optimize``: those due, stopped
   after ``--due-merge-timeout`` seconds if given; then ``--full``: one segment), each command's peak
   memory (its whole process tree);
2. ``archive reindex`` on that home (articles/s; one segment), unless ``--skip-reindex`` (``optimize
   --full`` has built the same one segment: what a million articles cannot afford twice);
3. (unless ``--skip-references``) reference points on the same text: a plain Whoosh index (``TEXT``
   with Whoosh's default ``StandardAnalyzer`` for title and body, stored ``ID``; one writer,
   ``limitmb=128``) and SQLite FTS5 (``tokenize='unicode61'``, inserts in one transaction),
   articles/s and size, and the ratios;
4. search latency, after the reindex (or ``optimize --full``): p50/p95 in-process
   (``Archive(home).search``, limit 10, snippets on, after 2 warm-ups) and as whole ``archive search``
   processes (unless ``--skip-process``, with the largest peak memory of one), and ``archive --help``;
   then issue 38's 20 queries together (in-process);
5. a final table per size and the ratio of time per article between the largest and smallest size.

Corpus text is read at run time; everything written goes to temporary directories that are removed,
unless ``--keep DIR`` keeps each size's generated corpus and archive home there; ``--keep DIR
--search-only`` then measures search alone on those homes (after a change to search, say).
Peak memory is that of the whole process tree (ingest indexes in a second process).
Skipped (exit 0) when the shared corpus is not present.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import platform
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from benchmarks import disk
from benchmarks.common import (
    TIMED_OUT,
    WARMUP,
    archive_command,
    install_note,
    poll_memory,
    run_measured,
    time_searches,
)

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
CORPUS_FILES = ("hi_editorials_sampadkiya.jsonl.gz", "hi_covid19_newspaper_days.jsonl.gz")
SEED = 20_151_120
MB = 1_000_000
CLI_RUNS = 5
HELP_RUNS = 5
FIRST_DAY, LAST_DAY = date(2015, 1, 1), date(2020, 12, 31)
SINCE = date(2016, 1, 1)
#: The daily updates measured into each size: (articles, seed of their generated corpus).
UPDATES = ((200, SEED + 200), (1, SEED + 1))
#: Generated corpora up to this size are gzipped; larger ones are written as plain JSON Lines.
GZIP_UP_TO = 200_000
#: And one of this many with the page cache dropped first.
COLD_UPDATE = 200

#: (label, query, API keyword arguments, CLI options)
QUERIES: list[tuple[str, str, dict[str, Any], list[str]]] = [
    ("one word", "सरकार", {}, []),
    ("two words", "भारत चीन", {}, []),
    ("phrase", '"काला धन"', {}, []),
    (
        "filtered+faceted",
        "नोटबंदी",
        {"facets": ("source", "year"), "since": SINCE, "sort": "newest"},
        ["--facet", "source", "--facet", "year", "--since", SINCE.isoformat(), "--sort", "newest"],
    ),
    # no query: every article the filters let through, newest first (issue 17: at most 50 ms at 100,000)
    (
        "browse filtered",
        "",
        {"sources": ("दैनिक जागरण",), "since": SINCE},
        ["--source", "दैनिक जागरण", "--since", SINCE.isoformat()],
    ),
    ("browse all", "", {}, []),
]

#: Issue 38's 20 queries, each ANDed, top 10: the set its comparison with Lucene 8 was measured with.
TWENTY_QUERIES: list[tuple[str, str, dict[str, Any], list[str]]] = [
    (query, query, {}, [])
    for query in (
        "भारत",
        "सरकार",
        "चुनाव",
        "प्रधानमंत्री",
        "अदालत",
        "पुलिस",
        "क्रिकेट",
        "अर्थव्यवस्था",
        "किसानों",
        "बारिश",
        "विदेश मंत्री",
        "सुप्रीम कोर्ट",
        "शेयर बाजार",
        "रूसी राष्ट्रपति",
        "कोरोना वायरस",
        "लोकसभा चुनाव",
        "रिजर्व बैंक",
        "मौसम विभाग",
        "दिल्ली पुलिस",
        "विश्व कप",
    )
]

TWENTY_LABEL = "the 20 queries"


@dataclass
class Latency:
    label: str
    total: int
    api_p50: float
    api_p95: float
    cli_p50: float | None = None
    cli_p95: float | None = None
    failures: int = 0


@dataclass
class SizeResult:
    size: int
    text_bytes: int
    ingest_wall: float = 0.0
    ingest_peak_kb: int | None = None
    ingest_exit: int = 0
    ingest_counts: str = ""
    index_bytes: int = 0
    db_bytes: int = 0
    reindex_wall: float = 0.0
    reindex_peak_kb: int | None = None
    whoosh_wall: float = 0.0
    whoosh_bytes: int = 0
    fts5_wall: float = 0.0
    fts5_bytes: int = 0
    #: Search as ``archive ingest`` leaves the archive (a large input commits every 20,000 articles, so
    #: several segments), and after ``archive reindex`` (one segment).
    ingested_latency: list[Latency] = field(default_factory=list)
    ingested_segments: int | None = None
    latency: list[Latency] = field(default_factory=list)
    segments: int | None = None
    disk_db_bytes: int = 0
    disk_index_bytes: int = 0
    #: ``archive ingest`` of a day's new articles into the archive as ingested (whole process, wall s).
    update_walls: dict[int, float] = field(default_factory=dict)
    cold_update_wall: float | None = None
    #: ``archive optimize --full`` (one segment) after those updates; None: no such command.
    merge_wall: float | None = None
    merge_segments: str = ""
    #: ``archive optimize`` (the merges the policy has due) before it.
    due_merge_wall: float | None = None
    due_merge_segments: str = ""
    #: Peak memory (KiB, the whole process tree) of the other commands, by label.
    peaks_kb: dict[str, int] = field(default_factory=dict)
    #: ``archive serve``'s search pages one at a time: (server p50 ms, client p50 ms), answers not kept.
    serve_p50: tuple[float, float] | None = None


# ---------------------------------------------------------------- helpers


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def tree_bytes(path: Path) -> int:
    if not path.exists():
        return 0
    path = path.resolve()
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def db_bytes(home: Path) -> int:
    return sum(tree_bytes(home / name) for name in ("archive.db", "archive.db-wal", "archive.db-shm"))


def wall_ms(command: list[str]) -> tuple[float, int]:
    started = time.perf_counter()
    code = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
    return (time.perf_counter() - started) * 1000, code


def text_bytes(records: Sequence[dict[str, Any]]) -> int:
    return sum(len(str(r.get("title", "")).encode()) + len(str(r.get("body", "")).encode()) for r in records)


# ---------------------------------------------------------------- corpus


def read_records(path: Path) -> list[dict[str, Any]]:
    return list(iter_records(path))


def iter_records(path: Path) -> Iterator[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") if path.suffix == ".gz" else path.open(encoding="utf-8") as lines:
        yield from (json.loads(line) for line in lines if line.strip())


def paragraphs(body: str) -> list[str]:
    return [p.strip() for p in body.split("\n") if p.strip()]


def generate(real: Sequence[dict[str, Any]], size: int, seed: int = SEED) -> list[dict[str, Any]]:
    """``size`` new articles made of real paragraphs, deterministic for a seed (:func:`generated`, as a list)."""
    return list(generated(real, size, seed))


def generated(real: Sequence[dict[str, Any]], size: int, seed: int = SEED) -> Iterator[dict[str, Any]]:
    """``size`` new articles made of real paragraphs, deterministic for a seed, one at a time (a million
    articles hold about 10 GB of text: never all in memory).

    Each new article takes a real "donor" article at random: its title, outlet and category, and its
    number of paragraphs, which are drawn from the pool of paragraphs of the donor's dataset (so
    article lengths follow the real distribution). Dates are spread uniformly over 2015–2020.
    """
    rng = random.Random(seed)
    pools: dict[str, list[str]] = {}
    for record in real:
        pools.setdefault(str(record.get("dataset", "")), []).extend(paragraphs(str(record.get("body", ""))))
    days = (LAST_DAY - FIRST_DAY).days
    for _ in range(size):
        donor = real[rng.randrange(len(real))]
        pool = pools[str(donor.get("dataset", ""))]
        count = max(1, len(paragraphs(str(donor.get("body", "")))))
        body = "\n\n".join(rng.choice(pool) for _ in range(count))
        yield {
            "title": str(donor.get("title", "")),
            "body": body,
            "date": (FIRST_DAY + timedelta(days=rng.randint(0, days))).isoformat(),
            "source": donor.get("source") or "",
            "category": donor.get("category") or "",
        }


def write_jsonl_gz(path: Path, records: Iterable[dict[str, Any]]) -> int:
    """Write the records as JSON Lines, gzipped when the name ends in ``.gz``; the bytes of their text
    (UTF-8 title + body)."""
    written = 0
    gz = path.suffix == ".gz"
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=6) if gz else path.open("w", encoding="utf-8") as out:
        for record in records:
            written += text_bytes([record])
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return written


def jsonl_text_bytes(path: Path) -> int:
    """The text bytes of a JSON Lines file's records, read one at a time."""
    return sum(text_bytes([record]) for record in iter_records(path))


# ---------------------------------------------------------------- measurements


def measure_ingest(result: SizeResult, inputs: list[Path], work: Path, runs: int) -> Path:
    """Median of ``runs`` ingests into fresh homes; the last home is kept for the later steps."""
    walls: list[float] = []
    peaks: list[int] = []
    home = work / "home-0"
    for run in range(runs):
        home = work / f"home-{run}"
        if home.exists():
            shutil.rmtree(home)
        command = [*archive_command(), "--home", str(home), "ingest", *map(str, inputs), "--quiet"]
        code, wall, peak, out, err = run_measured(command)
        walls.append(wall)
        if peak:
            peaks.append(peak)
        result.ingest_exit = code
        counts = [line for line in out.splitlines() if line.startswith("added ")]
        result.ingest_counts = counts[-1] if counts else f"(no counts line; stderr: {err.strip()[-300:]})"
        print(
            f"    ingest run {run + 1}/{runs}: {wall:.1f} s, exit {code}, peak {_mb(peak)}, {result.ingest_counts}",
            flush=True,
        )
        if code:
            for line in err.strip().splitlines()[-5:]:
                print(f"      stderr: {line[:200]}")
        if run < runs - 1:
            shutil.rmtree(home, ignore_errors=True)
    result.ingest_wall = statistics.median(walls)
    result.ingest_peak_kb = int(statistics.median(peaks)) if peaks else None
    result.index_bytes = tree_bytes(home / "index")
    result.db_bytes = db_bytes(home)
    return home


def measure_updates(result: SizeResult, real: Sequence[dict[str, Any]], home: Path, work: Path) -> None:
    """A day's update: new articles (generated with other seeds) ingested into the archive as it is; then
    one more of 200 with the page cache dropped first, where this process may drop it (root on Linux)."""
    for count, seed in (*UPDATES, (COLD_UPDATE, SEED + COLD_UPDATE + 1)):
        cold = seed == SEED + COLD_UPDATE + 1
        if cold and not drop_page_cache():
            print("    update, cold: the page cache cannot be dropped here (needs root on Linux)")
            continue
        path = work / f"update-{count}{'-cold' if cold else ''}.jsonl.gz"
        write_jsonl_gz(path, generate(real, count, seed))
        if cold:
            drop_page_cache()
        command = [*archive_command(), "--home", str(home), "ingest", str(path), "--quiet"]
        code, wall, peak, out, err = run_measured(command)
        if peak and not cold:
            result.peaks_kb[f"update of {count}"] = peak
        counts = [line for line in out.splitlines() if line.startswith("added ")]
        if cold:
            result.cold_update_wall = wall
        else:
            result.update_walls[count] = wall
        label = f"update of {count}{', page cache dropped' if cold else ''}"
        said = counts[-1] if counts else err.strip()[-300:]
        print(f"    {label}: {wall:.2f} s, exit {code}, peak {_mb(peak)}, {said}")


def drop_page_cache() -> bool:
    """Write the dirty pages out and drop the page cache (Linux, as root); whether it could."""
    try:
        subprocess.run(["sync"], check=False)
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
    except OSError:
        return False
    return True


def measure_merge(result: SizeResult, home: Path, due_timeout: float | None = None) -> None:
    """``archive optimize`` (the merges the policy has due; stopped after ``due_timeout`` seconds, when
    given: a merge killed midway leaves the index as it was), then ``archive optimize --full`` (one segment)."""
    probe = subprocess.run([*archive_command(), "optimize", "--help"], capture_output=True, text=True)
    if probe.returncode:
        print("    merge: this archive has no `archive optimize`")
        return
    for full in (False, True):
        before = segment_count(home)
        command = [*archive_command(), "--home", str(home), "optimize", *(["--full"] if full else [])]
        code, wall, peak, out, err = run_measured(command, timeout=None if full else due_timeout)
        if peak:
            result.peaks_kb["optimize --full" if full else "optimize"] = peak
        if code:
            print(f"    optimize exit {code}: {err.strip()[-300:]}")
        if code == TIMED_OUT:
            out = f"stopped after {due_timeout:.0f} s (--due-merge-timeout), unfinished"
        segments = f"{before} → {segment_count(home)}"
        if full:
            result.merge_wall, result.merge_segments = wall, segments
        else:
            result.due_merge_wall, result.due_merge_segments = wall, segments
        print(
            f"    archive optimize{' --full' if full else ''}: {wall:.1f} s, peak {_mb(peak)}, segments {segments}: "
            f"{out.strip()}",
            flush=True,
        )


def measure_serve(result: SizeResult, home: Path, requests: int) -> None:
    """``archive serve`` (one worker, answers not kept: ``ARCHIVE_SERVE_CACHE=0``), each search page of
    :data:`QUERIES` requested ``requests`` times one at a time after a first request: p50 of the server's
    own time (``Server-Timing``) and of the client's; and the server's peak memory."""
    import os
    from urllib.parse import quote

    from benchmarks.web import free_port, get

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "ARCHIVE_SERVE_CACHE": "0"}
    command = [*archive_command(), "--home", str(home), "serve", "--port", str(port), "--workers", "1"]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = [0]
    done = threading.Event()
    poller = threading.Thread(target=poll_memory, args=(server.pid, peak, done), daemon=True)
    poller.start()
    try:
        deadline = time.monotonic() + 300
        while get(base, "/sources")[0] != 200:
            if server.poll() is not None or time.monotonic() > deadline:
                print(f"    serve: the server did not start (exit {server.poll()})")
                return
            time.sleep(0.3)
        server_ms: list[float] = []
        client_ms: list[float] = []
        for _label, query, _options, _cli in QUERIES:
            if not query:
                continue
            address = f"/?q={quote(query)}"
            get(base, address)
            for _ in range(requests):
                status, client, own = get(base, address)
                if status == 200 and own is not None:
                    server_ms.append(own)
                    client_ms.append(client)
        if server_ms:
            result.serve_p50 = (statistics.median(server_ms), statistics.median(client_ms))
            own, seen = result.serve_p50
            print(f"    serve: search page p50 {own:.1f} ms (server), {seen:.1f} ms (client)")
    finally:
        server.terminate()
        server.wait(timeout=60)
        done.set()
        poller.join()
        if peak[0]:
            result.peaks_kb["serve"] = peak[0]
            print(f"    serve: peak {_mb(peak[0])}", flush=True)


def measure_reindex(result: SizeResult, home: Path) -> None:
    code, wall, peak, _out, err = run_measured([*archive_command(), "--home", str(home), "reindex"])
    if code:
        print(f"    reindex exit {code}: {err.strip()[-300:]}")
    result.reindex_wall, result.reindex_peak_kb = wall, peak
    print(f"    reindex: {wall:.1f} s, peak {_mb(peak)}", flush=True)


def plain_whoosh(records: Iterable[dict[str, Any]], directory: Path) -> tuple[float, int]:
    from whoosh import index
    from whoosh.fields import ID, TEXT, Schema

    directory.mkdir(parents=True)
    started = time.perf_counter()
    schema = Schema(id=ID(stored=True, unique=True), title=TEXT, body=TEXT)
    ix = index.create_in(str(directory), schema)
    writer = ix.writer(limitmb=128)
    for number, record in enumerate(records):
        writer.add_document(id=str(number), title=str(record.get("title", "")), body=str(record.get("body", "")))
    writer.commit()
    ix.close()
    return time.perf_counter() - started, tree_bytes(directory)


def sqlite_fts5(records: Iterable[dict[str, Any]], directory: Path) -> tuple[float, int]:
    directory.mkdir(parents=True)
    path = directory / "fts5.db"
    started = time.perf_counter()
    conn = sqlite3.connect(path)
    try:
        conn.execute("CREATE VIRTUAL TABLE docs USING fts5(title, body, tokenize='unicode61')")
        with conn:
            conn.executemany(
                "INSERT INTO docs (title, body) VALUES (?, ?)",
                ((str(r.get("title", "")), str(r.get("body", ""))) for r in records),
            )
    finally:
        conn.close()
    return time.perf_counter() - started, tree_bytes(path)


def measure_latency(
    home: Path, search_runs: int, skip_process: bool, peaks: dict[str, int] | None = None
) -> list[Latency]:
    """The rows of :data:`QUERIES`, then one of issue 38's 20 queries together (in-process only; its total
    is the sum of theirs). ``peaks`` gets the largest peak memory of an ``archive search`` process."""
    from archive import Archive

    archive = Archive(home)
    rows: list[Latency] = []
    for label, query, options, cli_options in QUERIES:
        total, api = time_searches(archive, query, options, search_runs)
        row = Latency(label, total, percentile(api, 0.5), percentile(api, 0.95))
        if not skip_process:
            command = [*archive_command(), "--home", str(home), "search", query, "--limit", "10", *cli_options]
            cli: list[float] = []
            for _ in range(CLI_RUNS):
                elapsed, code = wall_ms(command)
                cli.append(elapsed)
                row.failures += code != 0
            row.cli_p50, row.cli_p95 = percentile(cli, 0.5), percentile(cli, 0.95)
            if peaks is not None:
                peak = run_measured(command)[2]
                peaks["search"] = max(peaks.get("search", 0), peak or 0)
        rows.append(row)
        print(
            f"    {label:<17} total {total:>6}  API p50 {row.api_p50:7.1f} p95 {row.api_p95:7.1f} ms"
            + (f"  CLI p50 {row.cli_p50:6.0f} p95 {row.cli_p95:6.0f} ms" if row.cli_p50 is not None else "")
            + (f"  ({row.failures} CLI runs failed)" if row.failures else ""),
            flush=True,
        )
    if peaks and "search" in peaks:
        print(f"    archive search: peak {_mb(peaks['search'])} (the largest of one process a query)", flush=True)
    every: list[float] = []
    summed = 0
    for _label, query, options, _cli in TWENTY_QUERIES:
        total, api = time_searches(archive, query, options, search_runs)
        summed += total
        every.extend(api)
    rows.append(Latency(TWENTY_LABEL, summed, percentile(every, 0.5), percentile(every, 0.95)))
    print(f"    {TWENTY_LABEL:<17} total {summed:>6}  API p50 {rows[-1].api_p50:7.1f} p95 {rows[-1].api_p95:7.1f} ms")
    archive.close()
    return rows


def segment_count(home: Path) -> int:
    from whoosh import index

    ix = index.open_dir(str(home / "index"))
    try:
        return len(ix._segments())
    finally:
        ix.close()


def measure_help() -> float:
    command = [*archive_command(), "--help"]
    wall_ms(command)  # warm the page cache
    return statistics.median(wall_ms(command)[0] for _ in range(HELP_RUNS))


# ---------------------------------------------------------------- report


def _f(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def per_second(count: float, seconds: float) -> float | None:
    return count / seconds if seconds else None


def print_markdown(header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    print("| " + " | ".join(header) + " |")
    print("| " + " | ".join("---" if i == 0 else "---:" for i in range(len(header))) + " |")
    for row in rows:
        print("| " + " | ".join(row) + " |")


def final_table(results: Sequence[SizeResult], help_ms: float) -> None:
    metrics: list[tuple[str, Callable[[SizeResult], str]]] = [
        ("articles", lambda r: f"{r.size:,}"),
        ("text MB (title + body)", lambda r: _f(r.text_bytes / MB)),
        ("ingest wall s", lambda r: _f(r.ingest_wall)),
        ("ingest articles/s", lambda r: _f(per_second(r.size, r.ingest_wall))),
        ("ingest MB text/s", lambda r: _f(per_second(r.text_bytes / MB, r.ingest_wall), 3)),
        ("ingest ms/article", lambda r: _f(1000 * r.ingest_wall / r.size, 2)),
        (
            "ingest peak RSS MB (all processes)",
            lambda r: _f(r.ingest_peak_kb * 1024 / MB if r.ingest_peak_kb else None, 0),
        ),
        ("index MB", lambda r: _f(r.index_bytes / MB)),
        ("db MB", lambda r: _f(r.db_bytes / MB)),
        ("disk per MB of text: database", lambda r: _f(r.disk_db_bytes / r.text_bytes, 3)),
        ("disk per MB of text: index", lambda r: _f(r.disk_index_bytes / r.text_bytes, 3)),
        ("disk per MB of text: together", lambda r: _f((r.disk_db_bytes + r.disk_index_bytes) / r.text_bytes, 3)),
        *(
            (f"update of {count} article(s), whole process s", lambda r, c=count: _f(r.update_walls.get(c), 2))
            for count, _seed in UPDATES
        ),
        (f"update of {COLD_UPDATE}, page cache dropped, s", lambda r: _f(r.cold_update_wall, 2)),
        ("due merges (archive optimize) s", lambda r: _f(r.due_merge_wall)),
        *(
            (f"peak RSS MB: {command}", lambda r, c=command: _f(r.peaks_kb[c] / 1000 if c in r.peaks_kb else None, 0))
            for command in ("search", "update of 200", "update of 1", "serve", "optimize", "optimize --full")
        ),
        ("serve: search page p50 ms, server / client", lambda r: _serve(r.serve_p50)),
        ("segments before → after the due merges", lambda r: r.due_merge_segments or "–"),
        ("one segment (archive optimize --full) s", lambda r: _f(r.merge_wall)),
        ("segments before → after --full", lambda r: r.merge_segments or "–"),
        ("reindex wall s", lambda r: _f(r.reindex_wall)),
        ("reindex articles/s", lambda r: _f(per_second(r.size, r.reindex_wall))),
        ("reindex peak RSS MB", lambda r: _f(r.reindex_peak_kb * 1024 / MB if r.reindex_peak_kb else None, 0)),
        ("plain Whoosh articles/s", lambda r: _f(per_second(r.size, r.whoosh_wall))),
        ("plain Whoosh index MB", lambda r: _f(r.whoosh_bytes / MB)),
        ("FTS5 articles/s", lambda r: _f(per_second(r.size, r.fts5_wall))),
        ("FTS5 db MB", lambda r: _f(r.fts5_bytes / MB)),
        ("ingest / plain Whoosh (throughput)", lambda r: _f(_ratio(r.whoosh_wall, r.ingest_wall), 3)),
        ("reindex / plain Whoosh (throughput)", lambda r: _f(_ratio(r.whoosh_wall, r.reindex_wall), 3)),
        ("ingest / FTS5 (throughput)", lambda r: _f(_ratio(r.fts5_wall, r.ingest_wall), 4)),
        ("index size / plain Whoosh", lambda r: _f(r.index_bytes / r.whoosh_bytes if r.whoosh_bytes else None, 2)),
    ]
    metrics.append(("index segments as ingested / after reindex", lambda r: f"{r.ingested_segments} / {r.segments}"))
    for number, label in enumerate([*(q[0] for q in QUERIES), TWENTY_LABEL]):
        metrics.append((f"{label}: hits", lambda r, n=number: f"{r.latency[n].total:,}"))
        for when, rows in (("as ingested", "ingested_latency"), ("after reindex", "latency")):
            metrics.append(
                (f"{label}: API p50 / p95 ms, {when}", lambda r, n=number, a=rows: _api(_nth(getattr(r, a), n)))
            )
            metrics.append(
                (f"{label}: process p50 / p95 ms, {when}", lambda r, n=number, a=rows: _cli(_nth(getattr(r, a), n)))
            )
    metrics.append(("`archive --help` ms (median of 5)", lambda r: _f(help_ms, 0)))
    print_markdown(
        ["figure", *(f"{r.size:,} articles" for r in results)], [[m, *(fn(r) for r in results)] for m, fn in metrics]
    )
    if len(results) > 1 and all(r.ingest_wall and r.reindex_wall and r.whoosh_wall for r in results):
        small, large = min(results, key=lambda r: r.size), max(results, key=lambda r: r.size)
        ingest = (large.ingest_wall / large.size) / (small.ingest_wall / small.size)
        reindex = (large.reindex_wall / large.size) / (small.reindex_wall / small.size)
        whoosh = (large.whoosh_wall / large.size) / (small.whoosh_wall / small.size)
        print(
            f"\ntime per article, {large.size:,} vs {small.size:,}: ingest ×{ingest:.2f}, reindex ×{reindex:.2f}, "
            f"plain Whoosh ×{whoosh:.2f}"
        )


def _mb(peak_kb: int | None) -> str:
    """A peak memory (KiB) as the log prints it, as soon as a step ends: a run that does not finish still says it."""
    return "–" if not peak_kb else f"{peak_kb / 1000:,.0f} MB"


def _serve(p50: tuple[float, float] | None) -> str:
    return "–" if p50 is None else f"{p50[0]:.1f} / {p50[1]:.1f}"


def _ratio(a: float, b: float) -> float | None:
    return a / b if a and b else None


def _nth(rows: Sequence[Latency], number: int) -> Latency | None:
    return rows[number] if number < len(rows) else None


def _api(row: Latency | None) -> str:
    if row is None:
        return "not measured"
    return f"{row.api_p50:.1f} / {row.api_p95:.1f}"


def _cli(row: Latency | None) -> str:
    if row is None:
        return "not measured"
    if row.cli_p50 is None or row.cli_p95 is None:
        return "skipped"
    return f"{row.cli_p50:.0f} / {row.cli_p95:.0f}" + (f" ({row.failures} failed)" if row.failures else "")


# ---------------------------------------------------------------- main


def parse_sizes(text: str) -> list[int]:
    sizes = [int(part) for part in text.split(",") if part.strip()]
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError("sizes are positive integers separated by commas")
    return sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--sizes", type=parse_sizes, default=[4549, 20000], help="corpus sizes (default 4549,20000)")
    parser.add_argument("--runs", type=int, default=1, help="ingest runs per size, median (default 1)")
    parser.add_argument("--search-runs", type=int, default=20, help="in-process runs per query (default 20)")
    parser.add_argument("--skip-process", action="store_true", help="no `archive search` processes")
    parser.add_argument("--keep", type=Path, help="keep each size's corpus and archive home under this directory")
    parser.add_argument("--skip-references", action="store_true", help="no plain Whoosh and FTS5 reference indexes")
    parser.add_argument(
        "--search-only", action="store_true", help="with --keep: only measure search, on homes kept by an earlier run"
    )
    parser.add_argument(
        "--skip-reindex", action="store_true", help="no `archive reindex` (optimize --full builds the same one segment)"
    )
    parser.add_argument(
        "--due-merge-timeout", type=float, default=None, help="stop `archive optimize` (the due merges) after S seconds"
    )
    parser.add_argument("--serve-requests", type=int, default=10, help="requests per search page for serve's p50")
    args = parser.parse_args(argv)
    if args.search_only and not args.keep:
        parser.error("--search-only needs --keep DIR (the homes an earlier run kept)")

    files = [CORPUS / name for name in CORPUS_FILES]
    if not all(p.exists() for p in files):
        print(f"benchmarks.run: skipped, shared corpus not found ({CORPUS})")
        return 0

    per_file = [read_records(path) for path in files]
    real = [record for part in per_file for record in part]
    print(f"corpus: {CORPUS} ({' + '.join(str(len(p)) for p in per_file)} = {len(real)} records)")
    print(f"archive: {' '.join(archive_command())}; Python {platform.python_version()}; sizes {args.sizes}")
    print(f"  {install_note()}")

    help_ms = measure_help()
    print(f"`archive --help`: {help_ms:.0f} ms (median of {HELP_RUNS})", flush=True)

    results: list[SizeResult] = []
    for size in args.sizes:
        if args.keep:
            work = args.keep / f"size-{size}"
            work.mkdir(parents=True, exist_ok=True)
        else:
            work = Path(tempfile.mkdtemp(prefix=f"archive-bench-run-{size}-"))
        try:
            records: Callable[[], Iterable[dict[str, Any]]]
            if size == len(real):
                inputs = files
                result = SizeResult(size, text_bytes(real))
                records = lambda: real  # noqa: E731
                print(f"\n== {size} articles: the real corpus", flush=True)
            else:
                # (written and read back one record at a time: a million articles hold about 10 GB of text)
                started = time.perf_counter()
                # (gzip at level 6 would cost 45 CPU-minutes at a million articles, 3 times the generating)
                inputs = [work / f"generated-{size}.jsonl{'.gz' if size <= GZIP_UP_TO else ''}"]
                if inputs[0].exists():
                    result = SizeResult(size, jsonl_text_bytes(inputs[0]))
                else:
                    result = SizeResult(size, write_jsonl_gz(inputs[0], generated(real, size)))
                records = lambda path=inputs[0]: iter_records(path)  # noqa: E731
                print(
                    f"\n== {size} articles: generated (seed {SEED}) in {time.perf_counter() - started:.1f} s, "
                    f"{inputs[0].stat().st_size / MB:,.1f} MB on disk, {result.text_bytes / MB:,.1f} MB of text",
                    flush=True,
                )
            if args.search_only:
                home = work / "home-0"
                if not home.exists():
                    print(f"    no kept home at {home}: run without --search-only first")
                    continue
            else:
                print("  1. ingest", flush=True)
                home = measure_ingest(result, inputs, work, max(1, args.runs))
                result.ingested_segments = segment_count(home)
                print("  disk as ingested", flush=True)
                result.disk_db_bytes, result.disk_index_bytes = disk.report(home, result.text_bytes)
                print(f"  search as ingested ({result.ingested_segments} segments)", flush=True)
                result.ingested_latency = measure_latency(home, args.search_runs, args.skip_process, result.peaks_kb)
                print("  1b. daily updates, the search page, and the merge", flush=True)
                measure_updates(result, real, home, work)
                measure_serve(result, home, args.serve_requests)
                measure_merge(result, home, args.due_merge_timeout)
                if not args.skip_reindex:
                    print("  2. reindex", flush=True)
                    measure_reindex(result, home)
                if not args.skip_references:
                    print("  3. references", flush=True)
                    result.whoosh_wall, result.whoosh_bytes = plain_whoosh(records(), work / "plain-whoosh")
                    made = f"{result.whoosh_wall:.1f} s, {result.whoosh_bytes / MB:.1f} MB"
                    print(f"    plain Whoosh: {made}", flush=True)
                    result.fts5_wall, result.fts5_bytes = sqlite_fts5(records(), work / "fts5")
                    print(f"    FTS5: {result.fts5_wall:.1f} s, {result.fts5_bytes / MB:.1f} MB", flush=True)
                    for reference in ("plain-whoosh", "fts5"):
                        shutil.rmtree(work / reference, ignore_errors=True)
            result.segments = segment_count(home)
            after = "optimize --full" if args.skip_reindex else "reindex"
            print(f"  4. search after {after} ({result.segments} segments)", flush=True)
            result.latency = measure_latency(home, args.search_runs, args.skip_process)
            results.append(result)
        finally:
            if not args.keep:
                shutil.rmtree(work, ignore_errors=True)

    print(
        f"\n== results (ingest median of {max(1, args.runs)}; API {args.search_runs} runs after {WARMUP} warm-ups; "
        f"process {CLI_RUNS} runs)\n"
    )
    final_table(results, help_ms)
    return 0


if __name__ == "__main__":
    sys.exit(main())
