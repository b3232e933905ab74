"""JSON Lines: one article object per line."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any

from archive.readers.clean import clean_line, clean_text
from archive.readers.records import ArticleRecord, Record, RejectedRecord

_OPTIONAL_TEXT = ("summary", "url", "source", "category", "language")


def parse_date(value: str) -> date | None:
    """An ISO date or date-time; ``None`` when it is not one.

    >>> parse_date("2016-01-25"), parse_date("2016-01-25T10:00:00+05:30"), parse_date("kal")
    (datetime.date(2016, 1, 25), datetime.date(2016, 1, 25), None)
    """
    value = value.strip()
    for parse in (date.fromisoformat, lambda v: datetime.fromisoformat(v).date()):
        try:
            return parse(value)
        except ValueError:
            continue
    return None


def parse_object(obj: Any, origin_file: str, origin_record: str) -> Record:
    """An article from one decoded JSON value, or the reason it cannot be one."""

    def reject(reason: str) -> RejectedRecord:
        return RejectedRecord(origin_file, origin_record, reason)

    if not isinstance(obj, dict):
        return reject(f"expected a JSON object with title and body, found {type(obj).__name__}")
    fields: dict[str, Any] = {}
    for key in ("title", "body"):
        value = obj.get(key)
        if not isinstance(value, str) or not value.strip():
            return reject(f"'{key}' is missing or empty; every article needs a title and a body")
    fields["title"] = clean_line(obj["title"])
    fields["body"] = clean_text(obj["body"])
    for key in _OPTIONAL_TEXT:
        value = obj.get(key)
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            return reject(f"'{key}' should be text, found {type(value).__name__}")
        fields[key] = clean_text(value) if key == "summary" else clean_line(value)
    raw_date = obj.get("date", obj.get("published"))
    if isinstance(raw_date, str) and raw_date.strip():
        published = parse_date(raw_date)
        if published is None:
            return reject(f"date {raw_date!r} is not an ISO date (YYYY-MM-DD); fix or remove it")
        fields["published"] = published
    elif raw_date is not None and raw_date != "":
        return reject(f"date should be text like 2016-01-25, found {type(raw_date).__name__}")
    return ArticleRecord(origin_file=origin_file, origin_record=origin_record, **fields)


def read_jsonl(lines: Iterable[bytes], origin_file: str) -> Iterator[Record]:
    """Records from the lines of a JSON Lines file; a bad line is rejected on its own."""
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        where = f"line {number}"
        try:
            obj = json.loads(raw.decode("utf-8-sig" if number == 1 else "utf-8"))
        except UnicodeDecodeError as error:
            yield RejectedRecord(origin_file, where, f"not valid UTF-8 (byte {error.start}); re-save as UTF-8")
            continue
        except json.JSONDecodeError as error:
            yield RejectedRecord(origin_file, where, f"not valid JSON ({error.msg} at column {error.colno})")
            continue
        yield parse_object(obj, origin_file, where)
