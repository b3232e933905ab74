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


class QueryError(ArchiveError):
    """A search query cannot be parsed or cannot match anything."""

    exit_code = 2


class InputError(ArchiveError):
    """A path given to ingest cannot be read at all (missing, unreadable, unknown format)."""

    exit_code = 2


class NotFoundError(ArchiveError):
    """An article id that the archive does not hold."""
