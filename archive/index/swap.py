"""Swapping one index directory for another atomically: the archive's ``index`` is a link to the
directory in use, and a rebuild makes a new directory beside it, then points the link at it."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterable
from pathlib import Path


def fresh_directory_beside(link: Path) -> Path:
    """A new directory's path next to ``link`` (``index-<random>``), not yet in use."""
    return link.with_name(f"{link.name}-{uuid.uuid4().hex[:12]}")


def point_to(link: Path, target: Path) -> Path | None:
    """Make ``link`` (the archive's ``index``) a symlink to ``target`` in one atomic rename, so a search
    opens either the old index or the new one, never none. Returns the directory it pointed to before."""
    previous: Path | None = None
    if link.is_symlink():
        previous = link.resolve()
    elif link.exists():  # an index directory from before the switch to symlinks: move it aside first
        previous = link.with_name(f"{link.name}-{uuid.uuid4().hex[:12]}")
        link.rename(previous)
    swap = link.with_name(f"{link.name}.swap")
    swap.unlink(missing_ok=True)
    swap.symlink_to(target.name)
    os.replace(swap, link)
    return previous


def remove_unused_beside(link: Path, keep: Iterable[Path]) -> None:
    """Delete index directories ``link`` no longer points to, but those in ``keep`` (still being read)."""
    kept = {p.resolve() for p in keep} | {link.resolve()}
    for candidate in link.parent.glob(f"{link.name}-*"):
        if candidate.is_dir() and not candidate.is_symlink() and candidate.resolve() not in kept:
            shutil.rmtree(candidate, ignore_errors=True)
