"""A helper process that ends when the process it works for dies, on every system: ``kill -9`` gives the
parent no chance to tell it, and an orphan would hold the index's lock (or write files) against the next
command."""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from contextlib import suppress

_PR_SET_PDEATHSIG = 1


def stop_if_orphaned(parent: int) -> None:
    """End this process when ``parent`` has died (where Linux has not already ended it)."""
    if os.getppid() != parent:
        raise SystemExit(1)


def end_with(parent: int) -> None:
    """Ask Linux to kill this process when ``parent`` dies; elsewhere the process's loop calls
    :func:`stop_if_orphaned` (or finds its pipe to the parent closed)."""
    if sys.platform.startswith("linux"):
        with suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    stop_if_orphaned(parent)  # it may have died before the request was made
