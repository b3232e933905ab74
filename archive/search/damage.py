"""A search that trips over a damaged index says so, and names the fix, instead of "unexpected error".

A damaged segment surfaces as whatever its decoder trips over (a struct error, a bad header, a missing
file, an ``ord()`` of nothing): an error raised inside Whoosh or our index code, while a search reads the
index, is taken for damage. ``archive check`` reads the same files and says what is wrong; ``archive check
--repair`` rebuilds the index from the database. A search does not repair it itself: searching never
writes more than the changes of the feed it catches up on.
"""

from __future__ import annotations

import gc
import traceback
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from archive.errors import ArchiveError, SearchIndexError
from archive.index.search_index import REPAIR, unreadable


@contextmanager
def index_damage_reported(path: Path) -> Iterator[None]:
    """Turn an error from reading the index at ``path`` into a :class:`SearchIndexError` naming the fix."""
    problem = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)  # (see archive.index.search_index.read_quietly)
        try:
            yield
        except ArchiveError:
            raise
        except Exception as error:
            if not _raised_reading_the_index(error):
                raise
            problem = f"{unreadable(path, error)} {REPAIR}"
            traceback.clear_frames(error.__traceback__)
            error.__traceback__ = None
        if problem is not None:
            gc.collect()
    if problem is not None:
        raise SearchIndexError(problem)


def _raised_reading_the_index(error: BaseException) -> bool:
    for frame, _ in traceback.walk_tb(error.__traceback__):
        module = str(frame.f_globals.get("__name__", ""))
        if module.split(".")[0] == "whoosh" or module.startswith("archive.index"):
            return True
    return False
