"""``archive backup`` and ``archive restore``: a consistent copy of a running archive, and the archive
brought back from it.

**What is consistent.** The index is copied under its write lock (no commit meanwhile), and a SQLite
database with SQLite's online backup *while that lock is still held*: the copied index has applied the feed
up to a position the copied database holds, and no prune can have passed it (this node's position, which
pruning waits for, cannot move while its index cannot commit). Restored, the index applies what the
database has after its position and is in step, without a rebuild. A server database is copied by its own
tools (``pg_dump``: the README); the backup then holds the index, which applies the feed of the restored
database after it (or is rebuilt from its articles, when that database is older than the index).

The backup is a folder: ``archive.db`` (SQLite), the index's directory (unless ``--no-index``: it can be
rebuilt from the database), the home's node id, and ``archive-backup.json`` describing them.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archive.config import Settings
from archive.errors import InputError
from archive.home import opened
from archive.index.copying import copy_files, write_locked
from archive.index.feed import NODE_FILE
from archive.index.swap import current_directory, point_to
from archive.index.sync import ensure_index, sync_index
from archive.models import utc_now

MANIFEST = "archive-backup.json"
DATABASE_FILE = "archive.db"


@dataclass(frozen=True)
class Backup:
    """What a backup holds (or a restore brought back)."""

    folder: str
    articles: int
    #: The database copied (SQLite) or left to its server's tools (None: the location, for pg_dump).
    database: str | None
    server: str | None
    index: str | None
    index_bytes: int
    position: int

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def backup(settings: Settings, destination: Path, *, with_index: bool = True) -> Backup:
    """Copy the archive at ``settings`` into the new folder ``destination``."""
    if destination.exists() and any(destination.iterdir()):
        raise InputError(f"{destination} is not empty; give a new folder for the backup.")
    with opened(settings, create=False) as (store, index):
        sqlite = settings.uses_default_sqlite
        has_index = with_index and index.exists()
        destination.mkdir(parents=True, exist_ok=True)
        index_name, size, position = None, 0, -1
        with write_locked(index) if has_index else nullcontext():
            if has_index:
                source = current_directory(index.path)
                index_name = source.name
                size = copy_files(source, destination / index_name)
                position = index.applied_position()
            if sqlite:
                _copy_sqlite(settings.home / DATABASE_FILE, destination / DATABASE_FILE)
        articles = len(store.article_ids())
        if (settings.home / NODE_FILE).exists():
            shutil.copy2(settings.home / NODE_FILE, destination / NODE_FILE)
        made = Backup(
            folder=str(destination),
            articles=articles,
            database=DATABASE_FILE if sqlite else None,
            server=None if sqlite else store.location,
            index=index_name,
            index_bytes=size,
            position=position,
        )
    manifest = {"version": 1, "made": utc_now().isoformat(timespec="seconds"), **made.to_dict()}
    (destination / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return made


def _copy_sqlite(source: Path, target: Path) -> None:
    """SQLite's online backup: a consistent copy while others read and write (each step restarts on a write)."""
    origin, copy = sqlite3.connect(source), sqlite3.connect(target)
    try:
        origin.backup(copy)
    finally:
        copy.close()
        origin.close()


def restore(settings: Settings, source: Path) -> Backup:
    """Bring the archive in the backup ``source`` back into the (empty) home of ``settings``, and bring its
    index up to date with the database (built from the articles when the backup has none)."""
    try:
        manifest = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise InputError(f"{source} is not a backup made by `archive backup` (no readable {MANIFEST}).") from error
    home = settings.home
    if (home / DATABASE_FILE).exists() or (home / "index").exists() or (home / "index.current").exists():
        raise InputError(f"{home} holds an archive already; restore into a new home (--home) or move it away first.")
    if manifest.get("database") and not settings.uses_default_sqlite:
        raise InputError("This backup holds a SQLite database: restore it without --db (into the home).")
    if not manifest.get("database") and settings.uses_default_sqlite:
        raise InputError(
            f"This backup's database was on a server ({manifest.get('server')}): restore that with pg_restore "
            "(see the README), then run `archive --db URL restore` to bring the index back beside it."
        )
    home.mkdir(parents=True, exist_ok=True)
    if manifest.get("database"):
        shutil.copy2(source / DATABASE_FILE, home / DATABASE_FILE)
    if (source / NODE_FILE).exists():
        shutil.copy2(source / NODE_FILE, home / NODE_FILE)
    if manifest.get("index"):
        copied = home / str(manifest["index"])
        shutil.copytree(source / str(manifest["index"]), copied)
        point_to(home / "index", copied)
    with opened(settings, create=False) as (store, index):
        ensure_index(store, index)
        sync_index(store, index)
        return Backup(
            folder=str(source),
            articles=len(store.article_ids()),
            database=manifest.get("database"),
            server=manifest.get("server"),
            index=manifest.get("index"),
            index_bytes=int(manifest.get("index_bytes", 0)),
            position=index.applied_position(),
        )
