"""An ingest outlasting a database restart: a step that failed because the server could not be reached (a
restart, a failover) is tried again until the server answers, for up to :data:`archive.config.RECONNECT_SECONDS`.

Trying a step again is safe because each is one transaction, and storing a batch is idempotent: a batch whose
commit was lost with the connection is rolled back and stored again; one whose commit went through finds its
records stored, and counts them as unchanged (the run's counts then show those records twice, once added and
once unchanged; the articles are there once).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from archive.config import RECONNECT_EVERY, RECONNECT_SECONDS
from archive.errors import DatabaseUnavailable

P = ParamSpec("P")
T = TypeVar("T")


def patiently(step: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """``step(*args, **kwargs)``, tried again while the database cannot be reached; then its last error,
    which names what to do: run the same command again (what was stored is kept)."""
    deadline = time.monotonic() + RECONNECT_SECONDS
    while True:
        try:
            return step(*args, **kwargs)
        except DatabaseUnavailable as error:
            if time.monotonic() > deadline:
                raise DatabaseUnavailable(
                    f"{error} It stayed unreachable for {RECONNECT_SECONDS:.0f} s: everything counted so far is "
                    "stored; run the same command again to continue."
                ) from error
            time.sleep(RECONNECT_EVERY)
