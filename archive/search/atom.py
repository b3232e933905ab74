"""An Atom feed (RFC 4287) of a saved search's newest matches, which any feed reader can subscribe to.

Entry ids are stable: made from the article's id and the time it was first stored, which never change
while the article exists (an id alone can come back: SQLite gives the highest one again once its article is
deleted), so a reader shows an article once however often the feed is written again. Text is cleaned of the
characters XML 1.0 does not allow (a stray U+FFFE in a body would make the whole feed unreadable).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time
from urllib.parse import quote, urlencode
from xml.etree import ElementTree

from archive.search.request import Hit

ATOM = "http://www.w3.org/2005/Atom"


def entry_id(hit: Hit, stored: datetime | None) -> str:
    """A permanent id for the article's entry.

    >>> from datetime import date, datetime
    >>> hit = Hit(7, None, "शीर्षक", None, None, date(2016, 1, 25), 0.0, ())
    >>> first, again = entry_id(hit, datetime(2026, 1, 2)), entry_id(hit, datetime(2026, 3, 4))
    >>> first == entry_id(hit, datetime(2026, 1, 2)) != again and first.startswith("urn:uuid:")
    True
    """
    when = stored.isoformat() if stored else ""
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"archive-article:{hit.id}:{when}:{hit.url or ''}"))


_NOT_IN_XML = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_text(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot hold.

    >>> _xml_text("पाठ\ufffe\x07।")
    'पाठ।'
    """
    return _NOT_IN_XML.sub("", text)


#: What an IRI (RFC 3987) may hold unescaped besides letters, digits and non-ASCII text: a space, a quote,
#: ``<>{}|\^``` and control characters are percent-encoded (an outlet's address sometimes has them).
_IRI_SAFE = ":/?#[]@!$&'()*+,;=%-._~"


def iri(address: str) -> str:
    """An address as a valid IRI: what it may not hold percent-encoded, nothing else changed.

    >>> iri("https://example.org/बाढ़ राहत?q=a b")
    'https://example.org/बाढ़%20राहत?q=a%20b'
    """
    return "".join(c if c.isalnum() or c in _IRI_SAFE or ord(c) > 0x9F else quote(c, safe="") for c in address)


def _web_address(address: str | None) -> str | None:
    """An outlet's address fit for a link (http or https only: never ``javascript:``), as an IRI."""
    if address and address.strip().lower().startswith(("http://", "https://")):
        return iri(address.strip())
    return None


def feed_id(name: str) -> str:
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"archive-watch:{name}"))


def _stamp(day: date | None, fallback: datetime) -> str:
    moment = datetime.combine(day, time(), tzinfo=UTC) if day else fallback
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def atom_feed(
    name: str,
    query: str,
    hits: Sequence[Hit],
    stored: Mapping[int, datetime],
    now: datetime | None = None,
    base_url: str | None = None,
) -> str:
    """The feed of ``hits`` (newest first) for the saved search ``name``, as UTF-8 XML text; ``stored``: when
    each article was first stored (part of its entry's id). With ``base_url`` (where ``archive serve`` is
    reached: ``https://news.example.org``), each entry links to its article's page there (the outlet's
    address, when known, as a related link), and the feed to itself and to its search (absolute addresses:
    a feed reader has no page to resolve a relative one against)."""
    base = base_url.rstrip("/") if base_url else None
    now = now or datetime.now(UTC)
    ElementTree.register_namespace("", ATOM)

    def element(
        parent: ElementTree.Element, tag: str, text: str | None = None, **attributes: str
    ) -> ElementTree.Element:
        child = ElementTree.SubElement(parent, f"{{{ATOM}}}{tag}", {k: _xml_text(v) for k, v in attributes.items()})
        if text is not None:
            child.text = _xml_text(text)
        return child

    feed = ElementTree.Element(f"{{{ATOM}}}feed")
    feed.set("{http://www.w3.org/XML/1998/namespace}lang", "hi")  # (the articles' language, for readers' fonts)
    element(feed, "title", f"archive: {name}")
    element(feed, "subtitle", query)
    element(feed, "id", feed_id(name))
    newest = max((hit.date for hit in hits if hit.date), default=None)
    element(feed, "updated", _stamp(newest, now))
    if base:
        self_address = iri(f"{base}/watch/{quote(name, safe='')}.atom")
        element(feed, "link", href=self_address, rel="self", type="application/atom+xml")
        element(feed, "link", href=iri(f"{base}/?{urlencode({'q': query})}"), rel="alternate", type="text/html")
    element(element(feed, "author"), "name", "archive")  # (for entries without an outlet)
    element(feed, "generator", "archive")
    for hit in hits:
        entry = element(feed, "entry")
        element(entry, "title", hit.title)
        element(entry, "id", entry_id(hit, stored.get(hit.id)))
        outlet = _web_address(hit.url)
        if base:
            page = f"{base}/articles/{hit.id}?{urlencode({'q': query})}"
            element(entry, "link", href=iri(page), rel="alternate", type="text/html")
            if outlet:
                element(entry, "link", href=outlet, rel="related")
        elif outlet:
            element(entry, "link", href=outlet, rel="alternate")
        element(entry, "updated", _stamp(hit.date, now))
        if hit.date:
            element(entry, "published", _stamp(hit.date, now))
        if hit.source:
            element(element(entry, "author"), "name", hit.source)
        if hit.category:
            element(entry, "category", term=hit.category)
        element(entry, "summary", hit.snippet_text("", ""), type="text")
        if not base and not outlet:
            # (RFC 4287 4.1.2: an entry without an alternate link must have content; the snippet is what we have)
            element(entry, "content", hit.snippet_text("", ""), type="text")
    ElementTree.indent(feed)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(feed, encoding="unicode") + "\n"
