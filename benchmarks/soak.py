"""A soak: `archive serve` answering 10 search clients for 10 minutes while an ingest of new articles runs
every minute. It reports what a long-running deployment would show: errors (none expected), the server's
memory at the start and at the end (a leak shows as growth that does not level off), the clients' p50 and
p95, each ingest's outcome, and at the end whether the database and the index agree (`archive check`).

Run from the repository root (the machine is shared: nice it)::

    nice python -m benchmarks.soak                       # 10 minutes, SQLite
    nice python -m benchmarks.soak --minutes 2 --db postgresql://archive:archive@localhost/soak

Needs /work/shared/corpus (the real articles it builds the archive and the new articles from).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchmarks.common import _status_kb, _tree, archive_command
from benchmarks.run import generate, percentile, read_records, write_jsonl_gz
from benchmarks.web import CORPUS, CORPUS_FILES, ERRORS, free_port, get, pages


def resident_mb(pid: int) -> float:
    """The resident memory of a process and its children (the server and its workers), in MB."""
    return sum(_status_kb(each, "VmRSS:") for each in _tree(pid)) / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--ingest-every", type=float, default=60, help="seconds between ingests")
    parser.add_argument("--articles", type=int, default=300, help="new articles per ingest")
    parser.add_argument("--db", default=None, help="a PostgreSQL URL (default: the home's SQLite file)")
    args = parser.parse_args(argv)
    if not all((CORPUS / name).exists() for name in CORPUS_FILES):
        print(f"skipped: the shared corpus is not at {CORPUS}")
        return 0
    work = Path(tempfile.mkdtemp(prefix="archive-soak-"))
    env = {k: v for k, v in os.environ.items() if k not in ("ARCHIVE_HOME", "ARCHIVE_DB_URL")}
    command = [*archive_command(), "--home", str(work / "home"), *(["--db", args.db] if args.db else [])]
    subprocess.run([*command, "ingest", "-q", *(str(CORPUS / n) for n in CORPUS_FILES)], env=env, check=True)
    real = [record for name in CORPUS_FILES for record in read_records(CORPUS / name)]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(work / "serve.log", "w")  # noqa: SIM115 (open while the server runs)
    server = subprocess.Popen([*command, "serve", "--port", str(port)], env=env, stderr=log)
    try:
        deadline = time.monotonic() + 120
        while get(base, "/sources")[0] != 200:
            if time.monotonic() > deadline:
                raise SystemExit("the server did not start")
            time.sleep(0.3)
        seconds = args.minutes * 60
        stop = time.monotonic() + seconds
        results: list[tuple[int, float]] = []
        lock = threading.Lock()
        addresses = pages()

        def client(number: int) -> None:
            rng = random.Random(number)
            while time.monotonic() < stop:
                status, ms, _ = get(base, rng.choice(addresses))
                with lock:
                    results.append((status, ms))

        threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
        for thread in threads:
            thread.start()
        time.sleep(5)  # (the workers' first pages loaded: memory from here)
        memory = [(0.0, resident_mb(server.pid))]
        ingests: list[tuple[int, float]] = []
        started = time.monotonic()
        round_ = 0
        while time.monotonic() < stop - 5:
            fresh = work / f"fresh-{round_}.jsonl.gz"
            write_jsonl_gz(fresh, generate(real, args.articles, seed=1000 + round_))
            began = time.monotonic()
            done = subprocess.run([*command, "ingest", "-q", str(fresh)], env=env, capture_output=True, text=True)
            ingests.append((done.returncode, time.monotonic() - began))
            if done.returncode:
                print(f"ingest {round_} exited {done.returncode}: {done.stderr[-500:]}")
            memory.append((time.monotonic() - started, resident_mb(server.pid)))
            round_ += 1
            time.sleep(max(0.0, min(began + args.ingest_every, stop - 5) - time.monotonic()))
        for thread in threads:
            thread.join()
        memory.append((time.monotonic() - started, resident_mb(server.pid)))
        latencies = [ms for _, ms in results]
        errors = [status for status, _ in results if status != 200]
        print(f"soak: {args.clients} clients for {args.minutes:g} min, an ingest of {args.articles} new articles "
              f"every {args.ingest_every:g} s, {args.db or 'SQLite'}")  # fmt: skip
        print(f"  requests {len(results):,} ({len(results) / seconds:.0f}/s), errors {len(errors)}")
        for text in ERRORS[:3]:
            print("  answered: " + " ".join(text.split())[-300:])
        print(f"  latency p50 {percentile(latencies, 0.5):.0f} ms, p95 {percentile(latencies, 0.95):.0f} ms")
        failed = sum(1 for code, _ in ingests if code)
        print(f"  ingests {len(ingests)}, failed {failed}, each {min(s for _, s in ingests):.1f}-"
              f"{max(s for _, s in ingests):.1f} s")  # fmt: skip
        print("  server memory (MB, with its workers): " + ", ".join(f"{m:.0f} at {t:.0f} s" for t, m in memory))
        check = subprocess.run([*command, "check", "-f", "json"], env=env, capture_output=True, text=True)
        report = json.loads(check.stdout) if check.stdout.strip().startswith("{") else {}
        print(f"  check: exit {check.returncode}, {report.get('articles')} articles, {report.get('indexed')} indexed")
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
        problems = (work / "serve.log").read_text(errors="replace")
        failures = [line for line in problems.splitlines() if line.startswith(("GET ", "POST "))]
        if failures:
            print("\nwhat the server logged of its failed requests:\n" + "\n".join(failures[:10]))
        if "Traceback" in problems:
            print("\nthe server's errors:\n" + problems[-3000:])
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
