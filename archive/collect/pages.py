"""An article page fetched: its text read by the HTML reader the ingest uses (trafilatura), decoded by the
charset the answer declares, else the page's ``<meta>``, else UTF-8; the feed's own fields fill what the
page lacks, and stand in for the page when it cannot be had."""

from __future__ import annotations

import codecs
import dataclasses
import json
from collections.abc import Mapping

from archive.collect.http import Fetched, host_of
from archive.readers.article import make_record
from archive.readers.dates import read_date
from archive.readers.decode import declared_encoding
from archive.readers.records import ArticleRecord, Record, RejectedRecord
from archive.readers.webpage import page_record

_HTML_TYPES = ("text/html", "application/xhtml+xml", "")
#: How a collected record names what it was read from (its file is the address).
PAGE_RECORD, FEED_RECORD = "page", "feed entry"


class PageProblem(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def page_text(fetched: Fetched) -> str:
    """The page as text, in the charset its answer or its ``<meta>`` declares (UTF-8 when neither does).

    >>> page_text(Fetched("u", 200, "<p>नमस्ते</p>".encode(), {"content-type": "text/html; charset=utf-8"}))
    '<p>नमस्ते</p>'
    >>> page_text(Fetched("u", 200, b"<meta charset='windows-1252'><p>caf\\xe9</p>", {"content-type": "text/html"}))
    "<meta charset='windows-1252'><p>café</p>"
    """
    declared = fetched.charset or declared_encoding(fetched.content[:8192])
    codec = "utf-8"
    if declared:
        try:
            codec = codecs.lookup(declared).name
        except LookupError:
            raise PageProblem(f"the page declares an encoding Python does not know ({declared!r})") from None
    data = fetched.content
    if codec == "utf-8" and data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode(codec)
    except UnicodeDecodeError as error:
        said = f"the encoding it declares ({codec})" if declared else "UTF-8 (it declares no encoding)"
        raise PageProblem(f"the page is not valid {said} at byte {error.start}") from None


def page_article(fetched: Fetched, listed_url: str, entry: Mapping[str, str], url: str | None = None) -> Record:
    """The article of a fetched page, with what the source listed for it filling the gaps (its date, the
    outlet's name); ``url``: the address to store it under (default: the page's canonical address when it
    is on the page's own site, else the address the source listed)."""
    if fetched.content_type not in _HTML_TYPES:
        return RejectedRecord(
            listed_url, PAGE_RECORD, f"not an HTML page (its content type is {fetched.content_type}); nothing to read"
        )
    try:
        text = page_text(fetched)
    except PageProblem as problem:
        return RejectedRecord(listed_url, PAGE_RECORD, problem.reason, context=fetched.content[:200].decode("latin-1"))
    record = page_record(text, listed_url, PAGE_RECORD)
    if not isinstance(record, ArticleRecord):
        return record
    canonical = record.url if record.url and host_of(record.url) == host_of(listed_url) else None
    notes = list(record.notes)
    published = record.published
    if published is None and entry.get("date"):
        published, note = read_date(entry["date"])
        if note:
            notes.append(f"the feed's {note}")
    return dataclasses.replace(
        record,
        url=url or canonical or listed_url,
        source=record.source or entry.get("source"),
        published=published,
        notes=tuple(notes),
        category=record.category or entry.get("category"),
        language=entry.get("language", record.language) if record.language == "hi" else record.language,
    )


def feed_article(listed_url: str, entry: Mapping[str, str]) -> Record:
    """The article as the source itself gives it (a feed entry's title and text), for a page that cannot be had."""
    fields = {**entry, "url": listed_url}
    return make_record(
        fields,
        origin_file=listed_url,
        origin_record=FEED_RECORD,
        original=json.dumps(dict(entry), ensure_ascii=False),
        unit="entry",
    )
