"""RSS and Atom feeds saved to a file: one article per entry, read with feedparser.

feedparser reads every RSS version and Atom, tolerates the malformed feeds found in the wild, and
sanitises the HTML in entries; we turn that HTML into plain text. A broken entry (no title, no text) is
rejected on its own; a file that is no feed at all is one rejection.
"""

from __future__ import annotations

import io
import json
import xml.sax
from collections.abc import Iterator, Mapping
from typing import Any

import feedparser  # type: ignore[import-untyped]

from archive.readers.article import make_record
from archive.readers.clean import clean_text, html_to_text
from archive.readers.decode import decode_declared
from archive.readers.inputs import Input, read_all
from archive.readers.records import Record, RejectedRecord

#: Feeds are small (the last few dozen entries); larger files are refused.
MAX_FEED_BYTES = 64 * 1024 * 1024
_HTML_TYPES = ("text/html", "application/xhtml+xml", "html", "xhtml")


def _text_of(detail: Mapping[str, Any] | None, value: object) -> str:
    """The plain text of a feed text construct (HTML turned into text)."""
    if not isinstance(value, str):
        return ""
    kind = str((detail or {}).get("type") or "text/html")
    return html_to_text(value) if kind in _HTML_TYPES or "<" in value else value


def entry_fields(entry: Mapping[str, Any], feed: Mapping[str, Any]) -> dict[str, object]:
    contents = [c for c in entry.get("content") or [] if isinstance(c, Mapping) and c.get("value")]
    summary = _text_of(entry.get("summary_detail"), entry.get("summary"))
    if contents:
        body = _text_of(contents[0], contents[0].get("value"))
        # A summary that only repeats the start of the content says nothing more.
        if clean_text(body).startswith(clean_text(summary)[:100]):
            summary = ""
    else:
        body, summary = summary, ""
    tags = [t.get("term") for t in entry.get("tags") or [] if isinstance(t, Mapping) and t.get("term")]
    entry_source = entry.get("source") if isinstance(entry.get("source"), Mapping) else {}
    language = str(feed.get("language") or "").split("-")[0].strip().lower()
    return {
        "title": _text_of(entry.get("title_detail"), entry.get("title")),
        "body": body,
        "summary": summary,
        "url": entry.get("link"),
        "source": (entry_source or {}).get("title") or feed.get("title"),
        "category": tags[0] if tags else None,
        "date": entry.get("published") or entry.get("updated") or entry.get("created"),
        "author": entry.get("author"),
        "language": language or None,
    }


def _as_json(entry: Mapping[str, Any]) -> str:
    plain = {key: value for key, value in entry.items() if not key.endswith("_parsed")}
    return json.dumps(plain, ensure_ascii=False, default=str)


def read_feed(source: Input) -> Iterator[Record]:
    data = read_all(source.stream, MAX_FEED_BYTES, "the feed")
    text = decode_declared(data, source.head)
    # The text is handed over as UTF-8 whatever the file declared (a converted UTF-16 file still says
    # UTF-16); the charset of the (pretend) HTTP header is what feedparser trusts first.
    parsed = feedparser.parse(
        io.BytesIO(text.encode("utf-8")), response_headers={"content-type": "application/xml; charset=utf-8"}
    )
    entries = list(parsed.get("entries") or [])
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if not entries:
        reason = (
            f"not an RSS or Atom feed ({problem or 'no feed element'}); nothing could be read"
            if problem is not None or not parsed.get("version")
            else "the feed has no entries; nothing to store"
        )
        yield RejectedRecord(source.origin, "-", reason, context=text[:200])
        return
    feed = parsed.get("feed") or {}
    for number, entry in enumerate(entries, start=1):
        yield make_record(
            entry_fields(entry, feed),
            origin_file=source.origin,
            origin_record=f"entry {number}",
            original=_as_json(entry),
            unit="entry",
        )
    if isinstance(problem, xml.sax.SAXException):
        yield RejectedRecord(
            source.origin,
            f"entry {len(entries) + 1}",
            f"the feed is not well-formed XML ({problem}); the {len(entries)} entries before the damage were "
            "read, any after it were not. Was the file cut short?",
        )
