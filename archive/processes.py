"""Which process runs an ingest, and whether it still does: how a run killed with ``kill -9`` (or by a crash
or a power cut, which give it no chance to say so) is told from one still running.

A process is named by its machine, its id and its start time: ids are reused, a start time with them is
not. psutil answers the same way on Linux, macOS and Windows (``os.kill(pid, 0)`` would end the process on
Windows instead of asking about it).
"""

from __future__ import annotations

import socket
from typing import NamedTuple

#: Start times are compared to within this much (they are read from the system's clock ticks).
_START_TOLERANCE_SECONDS = 1.0


class ProcessId(NamedTuple):
    host: str
    pid: int
    started: float


def this_process() -> ProcessId:
    import psutil  # (20 ms to import: only the commands that ask pay for it)

    process = psutil.Process()
    return ProcessId(socket.gethostname(), process.pid, process.create_time())


def is_alive(owner: ProcessId) -> bool | None:
    """Whether the process still runs; None when it ran on another machine (nothing here can tell).

    >>> is_alive(this_process())
    True
    >>> is_alive(this_process()._replace(started=0.0))
    False
    """
    if owner.host != socket.gethostname():
        return None
    import psutil

    try:
        process = psutil.Process(owner.pid)
        started = process.create_time()
        if process.status() == psutil.STATUS_ZOMBIE:  # ended, not yet waited for by its parent
            return False
    except psutil.NoSuchProcess:
        return False
    except psutil.Error:  # (access denied: it exists, and belongs to someone else)
        return True
    return abs(started - owner.started) <= _START_TOLERANCE_SECONDS
