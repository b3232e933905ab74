"""An Atom feed (RFC 4287) of a saved search's newest matches, which any feed reader can subscribe to.

Entry ids are stable: made from the article's id (and url, when it has one), which never change while the
article exists, so a reader shows an article once however often the feed is written again.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from xml.etree import ElementTree

from archive.search.request import Hit

ATOM = "http://www.w3.org/2005/Atom"


def entry_id(hit: Hit) -> str:
    """A permanent id for the article's entry.

    >>> from datetime import date
    >>> hit = Hit(7, None, "शीर्षक", None, None, date(2016, 1, 25), 0.0, ())
    >>> entry_id(hit) == entry_id(hit) and entry_id(hit).startswith("urn:uuid:")
    True
    """
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"archive-article:{hit.id}:{hit.url or ''}"))


def feed_id(name: str) -> str:
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"archive-watch:{name}"))


def _stamp(day: date | None, fallback: datetime) -> str:
    moment = datetime.combine(day, time(), tzinfo=UTC) if day else fallback
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def atom_feed(name: str, query: str, hits: Sequence[Hit], now: datetime | None = None) -> str:
    """The feed of ``hits`` (newest first) for the saved search ``name``, as UTF-8 XML text."""
    now = now or datetime.now(UTC)
    ElementTree.register_namespace("", ATOM)

    def element(
        parent: ElementTree.Element, tag: str, text: str | None = None, **attributes: str
    ) -> ElementTree.Element:
        child = ElementTree.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
        if text is not None:
            child.text = text
        return child

    feed = ElementTree.Element(f"{{{ATOM}}}feed")
    element(feed, "title", f"archive: {name}")
    element(feed, "subtitle", query)
    element(feed, "id", feed_id(name))
    newest = max((hit.date for hit in hits if hit.date), default=None)
    element(feed, "updated", _stamp(newest, now))
    element(element(feed, "author"), "name", "archive")  # (for entries without an outlet)
    element(feed, "generator", "archive")
    for hit in hits:
        entry = element(feed, "entry")
        element(entry, "title", hit.title)
        element(entry, "id", entry_id(hit))
        if hit.url:
            element(entry, "link", href=hit.url, rel="alternate")
        element(entry, "updated", _stamp(hit.date, now))
        if hit.date:
            element(entry, "published", _stamp(hit.date, now))
        if hit.source:
            element(element(entry, "author"), "name", hit.source)
        if hit.category:
            element(entry, "category", term=hit.category)
        element(entry, "summary", hit.snippet_text("", ""), type="text")
    ElementTree.indent(feed)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(feed, encoding="unicode") + "\n"
