"""Ingest benchmark: throughput, memory and size of an end-to-end ``archive ingest`` of the shared corpus.

Run from the repository root::

    python -m benchmarks.ingest_corpus [--quick]

Each run is a separate ``archive ingest --quiet`` process into a fresh temporary home:

* (a) the two corpus files (``*.jsonl.gz``, 4,549 records), then the same command again on the same
  home (it should add nothing);
* (b) a directory of one plain-text file per record (headline line, blank line, body), written first
  into a temporary directory;
* (c) ``raw/sampadkiya_txt`` (200 files, 11 of them a headline only, which ingest rejects with exit
  code 3), and a summary of ``archive rejects --format json``.

For each run: wall time, articles/s and MB/s of text (UTF-8 bytes of title + body of the records
given), peak RSS of the child (``/usr/bin/time -f "%e %M"`` when present, else ``VmHWM`` polled
from ``/proc``), the counts line, the exit code, and the index and database size on disk.

``--quick`` uses the first 150 records of each corpus file (300 in all) for a fast check.
Corpus text is read at run time and written only to temporary directories. Skipped (exit 0) when
the shared corpus is not present.
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.common import archive_command, run_measured

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
CORPUS_FILES = ("hi_editorials_sampadkiya.jsonl.gz", "hi_covid19_newspaper_days.jsonl.gz")
RAW_DIR = "raw/sampadkiya_txt"
QUICK_PER_FILE = 150
MB = 1_000_000


@dataclass
class Run:
    label: str
    records: int
    text_bytes: int
    exit_code: int
    wall: float
    peak_rss_kb: int | None
    stdout: str
    stderr: str
    index_bytes: int = 0
    db_bytes: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def counts_line(self) -> str:
        lines = [line for line in self.stdout.splitlines() if line.startswith("added ")]
        return lines[-1] if lines else "(no counts line)"

    @property
    def skipped_line(self) -> str:
        lines = [line for line in self.stdout.splitlines() if line.startswith("skipped ")]
        return lines[-1] if lines else ""


def read_records(path: Path, limit: int | None = None) -> list[dict[str, str]]:
    records: list[dict[str, str]] = []
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                records.append(json.loads(line))
                if limit is not None and len(records) >= limit:
                    break
    return records


def text_bytes(records: list[dict[str, str]]) -> int:
    return sum(len(r.get("title", "").encode("utf-8")) + len(r.get("body", "").encode("utf-8")) for r in records)


def tree_bytes(path: Path) -> int:
    if not path.exists():
        return 0
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def db_bytes(home: Path) -> int:
    return sum(tree_bytes(home / name) for name in ("archive.db", "archive.db-wal", "archive.db-shm"))


def ingest_run(label: str, home: Path, paths: list[Path], records: int, nbytes: int) -> Run:
    command = [*archive_command(), "--home", str(home), "ingest", *map(str, paths), "--quiet"]
    code, wall, peak, out, err = run_measured(command)
    run = Run(label, records, nbytes, code, wall, peak, out, err)
    run.index_bytes = tree_bytes(home / "index")
    run.db_bytes = db_bytes(home)
    return run


def write_jsonl_gz(path: Path, records: list[dict[str, str]]) -> None:
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=6) as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


def write_text_files(directory: Path, records: list[dict[str, str]]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for number, record in enumerate(records):
        text = f"{record.get('title', '').strip()}\n\n{record.get('body', '').strip()}\n"
        (directory / f"{number:05d}.txt").write_text(text, encoding="utf-8")


def summarise_rejects(home: Path) -> tuple[int, Counter[str], str]:
    command = [*archive_command(), "--home", str(home), "rejects", "--format", "json", "--limit", "100000"]
    proc = subprocess.run(command, capture_output=True, text=True)
    if proc.returncode != 0:
        return 0, Counter(), f"`archive rejects` exited {proc.returncode}: {proc.stderr.strip()[:200]}"
    rows = json.loads(proc.stdout or "[]")
    return len(rows), Counter(str(row.get("reason")) for row in rows), ""


def _fmt(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def print_table(runs: list[Run]) -> None:
    header = ("run", "records", "exit", "wall s", "art/s", "MB/s", "peak RSS MB", "index MB", "db MB")
    rows = []
    for run in runs:
        rows.append(
            (
                run.label,
                str(run.records),
                str(run.exit_code),
                _fmt(run.wall, 2),
                _fmt(run.records / run.wall if run.wall else None, 0),
                _fmt(run.text_bytes / MB / run.wall if run.wall else None, 2),
                _fmt(run.peak_rss_kb * 1024 / MB if run.peak_rss_kb else None, 0),
                _fmt(run.index_bytes / MB),
                _fmt(run.db_bytes / MB),
            )
        )
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    line = "  ".join(h.ljust(widths[0]) if i == 0 else h.rjust(widths[i]) for i, h in enumerate(header))
    print(line)
    print("-" * len(line))
    for row in rows:
        print("  ".join(c.ljust(widths[0]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(row)))
    print()
    for run in runs:
        extra = f"; {run.skipped_line}" if run.skipped_line else ""
        print(f"{run.label}: {run.counts_line}{extra}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"only the first {QUICK_PER_FILE} records of each file")
    args = parser.parse_args(argv)

    corpus_files = [CORPUS / name for name in CORPUS_FILES]
    raw_dir = CORPUS / RAW_DIR
    missing = [p for p in (*corpus_files, raw_dir) if not p.exists()]
    if missing:
        print(f"ingest_corpus: skipped, shared corpus not found ({missing[0]})")
        return 0

    limit = QUICK_PER_FILE if args.quick else None
    per_file = [read_records(path, limit) for path in corpus_files]
    records = [record for part in per_file for record in part]
    nbytes = text_bytes(records)
    print(f"corpus: {CORPUS}")
    print(f"records: {len(records)} ({' + '.join(str(len(p)) for p in per_file)}), text {nbytes / MB:.1f} MB")
    print(f"archive: {' '.join(archive_command())}; peak RSS of the process tree from /proc")

    runs: list[Run] = []
    work = Path(tempfile.mkdtemp(prefix="archive-bench-ingest-"))
    try:
        if args.quick:
            inputs = [work / "input" / name for name in CORPUS_FILES]
            inputs[0].parent.mkdir(parents=True)
            for path, part in zip(inputs, per_file, strict=True):
                write_jsonl_gz(path, part)
        else:
            inputs = corpus_files

        print("(a) jsonl.gz ...", flush=True)
        home_a = work / "home-a"
        runs.append(ingest_run("(a) jsonl.gz", home_a, inputs, len(records), nbytes))
        print("(a) re-run on the same home ...", flush=True)
        runs.append(ingest_run("(a) re-run", home_a, inputs, len(records), nbytes))

        print(f"(b) writing {len(records)} .txt files ...", flush=True)
        text_dir = work / "txt"
        started = time.perf_counter()
        write_text_files(text_dir, records)
        print(f"    written in {time.perf_counter() - started:.1f} s; ingesting ...", flush=True)
        runs.append(ingest_run("(b) .txt files", work / "home-b", [text_dir], len(records), nbytes))

        raw_files = sorted(raw_dir.glob("*.txt"))
        raw_bytes = sum(p.stat().st_size for p in raw_files)
        print(f"(c) {RAW_DIR} ({len(raw_files)} files) ...", flush=True)
        home_c = work / "home-c"
        run_c = ingest_run("(c) raw txt", home_c, [raw_dir], len(raw_files), raw_bytes)
        runs.append(run_c)
        reject_count, reasons, problem = summarise_rejects(home_c)

        print()
        print_table(runs)
        print()
        print(f"(c) exit code {run_c.exit_code} (3 expected when some records are rejected)")
        if problem:
            print(f"(c) rejects: {problem}")
        else:
            print(f"(c) `archive rejects --format json`: {reject_count} rejects")
            for reason, count in reasons.most_common():
                print(f"    {count:>4}  {reason}")
        for run in runs:
            if run.exit_code not in (0, 3):
                print(f"{run.label}: exit {run.exit_code}; stderr: {run.stderr.strip()[-500:]}")
        print("(c raw txt MB/s counts file bytes; art/s counts files given)")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
