"""What the benchmark scripts share: how to run the archive as a child process and measure it, and how to
time searches in-process."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

GNU_TIME = Path("/usr/bin/time")
WARMUP = 2


def archive_command() -> list[str]:
    """The installed ``archive`` script next to this Python, else ``python -m archive``."""
    script = Path(sys.executable).with_name("archive")
    return [str(script)] if script.exists() else [sys.executable, "-m", "archive"]


def _poll_hwm(pid: int, peak: list[int], done: threading.Event) -> None:
    status = Path(f"/proc/{pid}/status")
    while not done.is_set():
        try:
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak[0] = max(peak[0], int(line.split()[1]))
        except (OSError, ValueError):
            return
        time.sleep(0.02)


def run_measured(command: list[str]) -> tuple[int, float, int | None, str, str]:
    """(exit code, wall seconds, peak RSS in KiB, stdout, stderr) of one child process: peak from GNU time
    when installed, else from polling /proc."""
    if GNU_TIME.exists():
        with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
            start = time.perf_counter()
            proc = subprocess.run(
                [str(GNU_TIME), "-f", "%e %M", "-o", report.name, *command], capture_output=True, text=True
            )
            wall = time.perf_counter() - start
            # GNU time writes "Command exited with non-zero status N" first when the child fails
            last = (Path(report.name).read_text().strip().splitlines() or [""])[-1].split()
            peak = int(last[1]) if len(last) == 2 and last[1].isdigit() else None
        return proc.returncode, wall, peak, proc.stdout, proc.stderr
    peak_box = [0]
    done = threading.Event()
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    poller = threading.Thread(target=_poll_hwm, args=(child.pid, peak_box, done), daemon=True)
    poller.start()
    out, err = child.communicate()
    wall = time.perf_counter() - start
    done.set()
    poller.join()
    return child.returncode, wall, peak_box[0] or None, out, err


def time_searches(archive: Any, query: str, options: dict[str, Any], runs: int) -> tuple[int, list[float]]:
    """(total matches, milliseconds per run) of ``runs`` in-process searches with snippets, after warm-ups."""
    total = 0
    for _ in range(WARMUP):
        total = archive.search(query, limit=10, snippets=True, **options).total
    timings: list[float] = []
    for _ in range(runs):
        started = time.perf_counter()
        archive.search(query, limit=10, snippets=True, **options)
        timings.append((time.perf_counter() - started) * 1000)
    return total, timings
