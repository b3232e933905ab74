"""How quickly the archive answers a person: the times the tests used to assert, measured here instead
(a test asserts behaviour; a time depends on the machine and its load).

Run from the repository root::

    python -m benchmarks.responsiveness

1. Ctrl-C during a large ingest (20,000 generated articles, the background indexer at work): seconds from
   the press to the process's exit with its summary. It used to index everything stored before stopping
   (many seconds at this size); it should stop within a second or two.
2. Reading one 50 MB line of text as one article body (``readers.read_path``): seconds.
"""

from __future__ import annotations

import gzip
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import archive_command


def _stored(database: Path) -> int:
    if not database.exists():
        return 0
    with sqlite3.connect(database) as db:
        if not db.execute("SELECT count(*) FROM sqlite_master WHERE name = 'articles'").fetchone()[0]:
            return 0
        return int(db.execute("SELECT count(*) FROM articles").fetchone()[0])


def ctrl_c_seconds(folder: Path, total: int = 20_000) -> float:
    source = folder / "big.jsonl.gz"
    records = ({"title": f"खबर {i}", "body": f"बाढ़ की खबर {i}। " * 30} for i in range(total))
    lines = (json.dumps(record, ensure_ascii=False) for record in records)
    source.write_bytes(gzip.compress("\n".join(lines).encode("utf-8")))
    home = folder / "home"
    env = {**os.environ, "ARCHIVE_HOME": str(home)}
    env.pop("ARCHIVE_DB_URL", None)
    command = [*archive_command(), "ingest", str(source)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    while process.poll() is None and _stored(home / "archive.db") == 0:
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    pressed = time.perf_counter()
    process.communicate()
    return time.perf_counter() - pressed


def read_50_mb_seconds(folder: Path) -> float:
    from archive.readers import read_path

    path = folder / "huge.txt"
    path.write_text("शीर्षक\n" + "पाठ " * (50 * 1024 * 1024 // 10) + "\n", encoding="utf-8")
    started = time.perf_counter()
    (record,) = read_path(path)
    assert record is not None
    return time.perf_counter() - started


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        print(f"Ctrl-C to exit during a 20,000-article ingest: {ctrl_c_seconds(Path(folder)):.2f} s")
    with tempfile.TemporaryDirectory() as folder:
        print(f"a 50 MB line read as one body: {read_50_mb_seconds(Path(folder)):.2f} s")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
