"""Swapping one index directory for another atomically.

The archive's ``index`` stands for the directory in use (``index-<random>`` beside it): a rebuild makes a
new directory, then points ``index`` at it in one atomic step, so a search opens the old index or the new
one, never none. ``index`` is a symbolic link where the system lets a user make one (Linux, macOS); where it
does not (Windows without the privilege), a pointer file ``index.current`` beside it names the directory,
and is replaced in one rename (``os.replace``, atomic on Windows too). :func:`current_directory` reads
either.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterable
from pathlib import Path

from archive.index.codec.whoosh3 import write_lock_held

POINTER_SUFFIX = ".current"


def fresh_directory_beside(link: Path) -> Path:
    """A new directory's path next to ``link`` (``index-<random>``), not yet in use."""
    return link.with_name(f"{link.name}-{uuid.uuid4().hex[:12]}")


def _pointer(link: Path) -> Path:
    return link.with_name(link.name + POINTER_SUFFIX)


def current_directory(link: Path) -> Path:
    """The directory ``link`` stands for: a symlink's target, else the one its pointer file names, else
    ``link`` itself (an index directory from before the links, or none yet)."""
    if link.is_symlink():
        return Path(os.path.realpath(link))
    try:
        name = _pointer(link).read_text(encoding="utf-8").strip()
    except OSError:
        return link
    return link.with_name(name) if name else link


def point_to(link: Path, target: Path) -> Path | None:
    """Make ``link`` (the archive's ``index``) stand for ``target`` in one atomic step (see the module's
    text). Returns the directory it stood for before."""
    previous: Path | None = None
    pointer = _pointer(link)
    if link.is_symlink() or pointer.exists():
        previous = current_directory(link)
    elif link.exists():  # an index directory from before the links: move it aside first
        previous = fresh_directory_beside(link)
        link.rename(previous)
    swap = link.with_name(f"{link.name}.swap")
    swap.unlink(missing_ok=True)
    try:
        swap.symlink_to(target.name)
    except OSError:  # no symbolic links for this user here: the pointer file
        staged = pointer.with_name(pointer.name + ".swap")
        staged.write_text(target.name, encoding="utf-8")
        os.replace(staged, pointer)
        if link.is_symlink():
            link.unlink()
        return previous
    os.replace(swap, link)
    pointer.unlink(missing_ok=True)
    return previous


def remove_unused_beside(link: Path, keep: Iterable[Path]) -> None:
    """Delete index directories ``link`` no longer stands for, but those in ``keep`` (still being read) and
    those another process is writing: a rebuild of its own that an ingest started meanwhile (seen in CI: a
    reindex deleted the directory an ingest was filling, which failed). The next rebuild removes those."""
    kept = {p.resolve() for p in keep} | {current_directory(link).resolve()}
    for candidate in link.parent.glob(f"{link.name}-*"):
        unused = candidate.is_dir() and not candidate.is_symlink() and candidate.resolve() not in kept
        if unused and not being_written(candidate):
            shutil.rmtree(candidate, ignore_errors=True)


def being_written(directory: Path) -> bool:
    """Whether a process holds the write lock of the index in ``directory``."""
    return write_lock_held(str(directory))
