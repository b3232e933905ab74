"""A consistent copy of an index while it is in use: its files copied under its write lock, so that no
commit or merge adds or deletes a segment meanwhile (a search goes on; a writer waits for the copy).
The vocabulary, a SQLite file written after commits, is copied with SQLite's online backup."""

from __future__ import annotations

import shutil
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from archive.errors import SearchIndexError
from archive.index.search_index import SearchIndex
from archive.index.vocabulary import FILE_NAME as VOCABULARY_FILE

#: What is never copied: the lock itself, a writer's scratch space, a file being replaced, SQLite's journals
#: (the vocabulary is rebuilt beside itself as ``vocabulary.sqlite.<id>.tmp``, with its own ``-journal``).
_LEFT_OUT = ("_WRITELOCK", ".tmp", ".partial", "-journal", "-wal", "-shm")


def _is_scratch(name: str) -> bool:
    return name.endswith(_LEFT_OUT) or ".tmp" in name


@contextmanager
def write_locked(index: SearchIndex) -> Iterator[None]:
    """Hold the index's write lock (waiting up to its settings' lock time): no commit while it is held."""
    ix = index.open()
    lock = ix.storage.lock(f"{ix.indexname}_WRITELOCK")
    deadline = time.monotonic() + index.settings.lock_timeout
    while not lock.acquire(False):
        if time.monotonic() > deadline:
            raise SearchIndexError(
                f"The search index at {index.path} is being written by another archive command; try again when "
                "it has finished."
            )
        time.sleep(0.05)
    try:
        yield
    finally:
        lock.release()


def copy_files(directory: Path, target: Path) -> int:
    """Copy an index directory's files to ``target`` (made; call under :func:`write_locked`); returns bytes."""
    target.mkdir(parents=True)
    copied = 0
    for item in sorted(directory.iterdir()):
        if item.is_dir() or _is_scratch(item.name):
            continue
        if item.name == VOCABULARY_FILE:
            source, destination = sqlite3.connect(item), sqlite3.connect(target / item.name)
            try:
                source.backup(destination)
            finally:
                destination.close()
                source.close()
        else:
            shutil.copy2(item, target / item.name)
        copied += item.stat().st_size
    return copied
