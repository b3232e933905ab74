"""What readers yield: plain records, with no database or index in sight."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


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


@dataclass(frozen=True)
class RejectedRecord:
    """A record that cannot be stored, with where it came from and why."""

    origin_file: str
    origin_record: str
    reason: str

    def describe(self) -> str:
        return f"{self.origin_file}, record {self.origin_record}: {self.reason}"


Record = ArticleRecord | RejectedRecord
