"""What the benchmark scripts share: how to run the archive as a child process and measure it, and how to
time searches in-process."""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

WARMUP = 2


def archive_command() -> list[str]:
    """The installed ``archive`` script next to this Python, else ``python -m archive``."""
    script = Path(sys.executable).with_name("archive")
    return [str(script)] if script.exists() else [sys.executable, "-m", "archive"]


def install_note() -> str:
    """How the measured ``archive`` is installed, which changes every process's start-up: an editable
    install loads its import hook (about 20 ms), and with PYTHONDONTWRITEBYTECODE set it compiles the
    package's modules again in every process (about 25 ms); ``pip install .`` does neither."""
    import json
    import os
    import tempfile

    # asked of the interpreter the `archive` script runs on, away from the source tree (whose egg-info, left
    # by a build, would answer for it)
    code = "import importlib.metadata as m; print(m.distribution('archive').read_text('direct_url.json') or '{}')"
    with tempfile.TemporaryDirectory() as elsewhere:
        asked = subprocess.run([sys.executable, "-c", code], cwd=elsewhere, capture_output=True, text=True)
    if asked.returncode:
        return "archive is not installed: processes run `python -m archive` from the source tree"
    editable = bool(json.loads(asked.stdout).get("dir_info", {}).get("editable"))
    if not editable:
        return "archive installed with `pip install .` (as the README installs it)"
    note = "archive installed editable (`pip install -e`): its import hook adds to every process's start-up"
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        note += ", and with PYTHONDONTWRITEBYTECODE set every process compiles the package again"
    return note + "; measure processes with `pip install .` for what users get"


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants (Linux /proc)."""
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        with contextlib.suppress(OSError, ValueError):
            queue.extend(int(c) for c in Path(f"/proc/{current}/task/{current}/children").read_text().split())
    return found


def _status_kb(pid: int, field: str) -> int:
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1])
    return 0


def poll_memory(pid: int, peak: list[int], done: threading.Event) -> None:
    """Peak memory of a process tree: the largest sum of resident sizes seen (every 20 ms) and, for
    what sampling misses, each process's own high-water mark (``VmHWM``); the larger of the two."""
    hwm: dict[int, int] = {}
    while not done.is_set():
        processes = _tree(pid)
        total = 0
        for each in processes:
            total += _status_kb(each, "VmRSS:")
            hwm[each] = max(hwm.get(each, 0), _status_kb(each, "VmHWM:"))
        peak[0] = max(peak[0], total, max(hwm.values(), default=0))
        time.sleep(0.02)


#: The exit code :func:`run_measured` reports for a command it stopped at its timeout.
TIMED_OUT = -999


def run_measured(command: list[str], timeout: float | None = None) -> tuple[int, float, int | None, str, str]:
    """(exit code, wall seconds, peak RSS in KiB, stdout, stderr) of one command, its peak memory that of
    its whole process tree (ingest indexes in a second process), sampled from /proc. A command still
    running after ``timeout`` seconds is interrupted (SIGINT, then killed) and reported as
    :data:`TIMED_OUT`."""
    peak_box = [0]
    done = threading.Event()
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    poller = threading.Thread(target=poll_memory, args=(child.pid, peak_box, done), daemon=True)
    poller.start()
    try:
        out, err = child.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        child.send_signal(signal.SIGINT)
        try:
            out, err = child.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            child.kill()
            out, err = child.communicate()
        done.set()
        poller.join()
        return TIMED_OUT, time.perf_counter() - start, peak_box[0] or None, out, err
    wall = time.perf_counter() - start
    done.set()
    poller.join()
    return child.returncode, wall, peak_box[0] or None, out, err


def time_searches(
    archive: Any, query: str, options: dict[str, Any], runs: int, clock: Any = time.perf_counter, first: bool = False
) -> tuple[int, list[float]]:
    """(total matches, milliseconds per run) of ``runs`` in-process searches with snippets, after warm-ups,
    timed by ``clock`` (``time.process_time``: the CPU time of this process, which a loaded machine's
    waiting for a core does not add to). With ``first``, what a session keeps from one search for the next
    is dropped before each run: each is timed as the query's first search (a release that keeps nothing
    is timed as it is)."""
    total = 0
    for _ in range(WARMUP):
        total = archive.search(query, limit=10, snippets=True, **options).total
    timings: list[float] = []
    for _ in range(runs):
        session = getattr(archive, "_session", None)  # (an Archive's open session: a benchmark's look inside)
        if first and hasattr(session, "forget_kept"):
            session.forget_kept()
        started = clock()
        archive.search(query, limit=10, snippets=True, **options)
        timings.append((clock() - started) * 1000)
    return total, timings
