"""One family of errors. Every message names the problem and what to do about it."""

from __future__ import annotations

from archive.messages import Message


class ArchiveError(Exception):
    """Base of every error the archive reports to a user.

    The CLI prints ``str(error)`` on one line and exits with ``exit_code``.
    """

    exit_code = 1

    @property
    def message(self) -> Message | None:
        """The error's :class:`~archive.messages.Message`, when it was raised with one (a page translates it)."""
        first = self.args[0] if self.args else None
        return first if isinstance(first, Message) else None


class NoArchiveError(ArchiveError):
    """A command needs an archive and there is none at the configured home."""


class DatabaseError(ArchiveError):
    """The database cannot be opened, migrated or written."""


class DatabaseUnavailable(DatabaseError):
    """The database server cannot be reached for now (restarting, failing over): worth trying again shortly."""


class DiskFullError(ArchiveError):
    """A disk has no room left for what the archive was writing; the message names it and the room needed."""


class SchemaBehindError(DatabaseError):
    """The database is at an older schema revision than this archive reads (``archive db upgrade``)."""


class SearchIndexError(ArchiveError):
    """The search index cannot be opened, written or is out of date."""


class IndexBusyError(SearchIndexError):
    """Another command holds the index's write lock (it applies the feed, this command's changes included)."""


class QueryError(ArchiveError):
    """A search query cannot be parsed or cannot match anything."""

    exit_code = 2


class InputError(ArchiveError):
    """A path given to ingest cannot be read at all (missing, unreadable, unknown format)."""

    exit_code = 2


class NotFoundError(ArchiveError):
    """An article id that the archive does not hold."""


def is_disk_full(error: BaseException | None) -> bool:
    """Whether ``error`` (or what caused it) is a full disk: ENOSPC or EDQUOT from the system, or SQLite's
    "database or disk is full" (SQLITE_FULL)."""
    import errno

    while error is not None:
        if isinstance(error, OSError) and error.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
            return True
        if "database or disk is full" in str(error):
            return True
        error = error.__cause__ or getattr(error, "orig", None)
    return False


def disk_full(path: object, doing: str, needed: int | None = None) -> DiskFullError:
    """The error for a full disk under ``path`` (a file or folder of the archive), while ``doing`` something,
    naming the disk (its mount point), the room left on it and, when it can be told, the room needed."""
    import os
    import shutil

    where = os.path.abspath(str(path))
    while not os.path.exists(where) and os.path.dirname(where) != where:
        where = os.path.dirname(where)
    disk = where
    while not os.path.ismount(disk) and os.path.dirname(disk) != disk:
        disk = os.path.dirname(disk)
    try:
        free = f"{_megabytes(shutil.disk_usage(disk).free)} free"
    except OSError:
        free = "no room left"
    wanted = f"about {_megabytes(needed)} more needed" if needed else "more room needed"
    return DiskFullError(
        f"The disk {disk} (holding {path}) is full while {doing}: {free}, {wanted}. Free space there (or move "
        "the archive's home to a larger disk), then run the same command again: what was stored is kept."
    )


def _megabytes(size: int) -> str:
    return f"{size / 2**20:,.1f} MB"
