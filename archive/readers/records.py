"""What readers yield: plain records, with no database or index in sight."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from archive.models import Origin


@dataclass(frozen=True)
class ArticleRecord:
    title: str
    body: str
    origin_file: str
    origin_record: str
    summary: str | None = None
    url: str | None = None
    source: str | None = None
    category: str | None = None
    published: date | None = None
    language: str = "hi"
    author: str | None = None
    #: The record as it was read (decoded, before cleaning), so cleaning can be changed and re-applied.
    original: str | None = None
    #: Problems that did not stop the record, e.g. a date that could not be read and was left empty.
    notes: tuple[str, ...] = ()
    #: Where the article was read from before, as an export of ours carries it; empty: this record only.
    carried_origins: tuple[Origin, ...] = ()

    @property
    def origins(self) -> tuple[Origin, ...]:
        """The records this one stands for: those it carries, else itself."""
        return self.carried_origins or (
            Origin(self.origin_file, self.origin_record, self.source, self.published, self.url),
        )


@dataclass(frozen=True)
class RejectedRecord:
    """A record that cannot be stored, with where it came from and why."""

    origin_file: str
    origin_record: str
    reason: str
    #: The start of the offending input (at most a few hundred characters), to help fix it.
    context: str | None = None

    def __post_init__(self) -> None:
        # Reported once, briefly: a reason or a record's start is shown on a line, and kept in the database,
        # whatever the input held (a 5 MB line taken for a header row, a binary file's bytes).
        object.__setattr__(self, "reason", shown(self.reason, MAX_REASON_CHARS))
        if self.context is not None:
            object.__setattr__(self, "context", shown(self.context, MAX_CONTEXT_CHARS) or None)

    def describe(self) -> str:
        return f"{self.origin_file}, record {self.origin_record}: {self.reason}"


#: The longest reason and record start a reject keeps (more is cut, marked with "…").
MAX_REASON_CHARS = 600
MAX_CONTEXT_CHARS = 200


def shown(text: str, limit: int) -> str:
    r"""The start of ``text``, printable: at most ``limit`` characters, each control character (a line break,
    a NUL of a binary file) as a space or "�", and "…" where it was cut (a trailing line break left out).

    >>> shown("a\x00b\nc" + "x" * 10, 8)
    'a�b cxx…'
    """
    start = text[: limit + 1]
    cleaned = "".join(c if c.isprintable() else " " if c in "\t\r\n" else "\ufffd" for c in start)
    return cleaned.rstrip() if len(text) <= limit else cleaned[: limit - 1] + "…"


#: The key that marks a line of an export as a record of the archive's own, not an article (its value: the kind).
CARRIED_KEY = "archive_record"


@dataclass(frozen=True)
class CarriedRecord:
    """A record of the archive's own that an export carries besides the articles (synonyms, saved searches):
    a JSON object with :data:`CARRIED_KEY`, stored by the kind's entry of :mod:`archive.store.carried`."""

    kind: str
    fields: dict[str, Any]
    origin_file: str
    origin_record: str


Record = ArticleRecord | RejectedRecord | CarriedRecord
