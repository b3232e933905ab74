"""What a followed source lists: the entries of an RSS or Atom feed (feedparser), the addresses of a
sitemap, a sitemap index or a Google News sitemap (lxml, with entities and network access off: no XXE, no
billion laughs), or the article links of a section page."""

from __future__ import annotations

import gzip
import io
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import feedparser  # type: ignore[import-untyped]
from lxml import etree, html  # type: ignore[import-untyped]

from archive.collect.http import Fetched, host_of
from archive.readers.feeds import entry_fields

#: A gzipped sitemap (`sitemap.xml.gz`) is unpacked up to this size.
MAX_UNPACKED_BYTES = 64 * 1024 * 1024
_GZIP_MAGIC = b"\x1f\x8b"


class ListingProblem(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Entry:
    """An article a source lists: its address, the stamp the source gives it (a changed stamp is a changed
    article), and the source's own fields for it (the text to fall back on when the page cannot be had)."""

    url: str
    stamp: str | None = None
    fields: Mapping[str, str] = field(default_factory=dict)

    def fields_json(self) -> str | None:
        return json.dumps(dict(self.fields), ensure_ascii=False) if self.fields else None


@dataclass(frozen=True)
class Listing:
    #: feed, sitemap or page
    kind: str
    entries: list[Entry]
    #: The sitemaps a sitemap index names, with their lastmod, newest first.
    sitemaps: list[tuple[str, str | None]] = field(default_factory=list)
    #: What the listing left out, and why (entries without a link).
    notes: list[str] = field(default_factory=list)


_TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|ref_src)$", re.IGNORECASE)


def clean_url(url: str) -> str:
    """An address without its fragment and tracking parameters: one article, one address.

    >>> clean_url("https://example.org/a/1.html?utm_source=rss&id=3#top")
    'https://example.org/a/1.html?id=3'
    """
    parts = urlsplit(url.strip())
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)])
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", query, ""))


def kind_of(fetched: Fetched) -> str:
    """feed, sitemap or page, from the answer's start (a server's content type is often wrong for feeds)."""
    head = _unpacked(fetched.content)[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if b"<urlset" in head or b"<sitemapindex" in head:
        return "sitemap"
    if b"<rss" in head or b"<feed" in head or b"<rdf:rdf" in head:
        return "feed"
    if b"<html" in head or b"<!doctype html" in head or "html" in fetched.content_type:
        return "page"
    return "feed"  # (feedparser names what it is not)


def read_listing(fetched: Fetched, kind: str | None = None) -> Listing:
    kind = kind or kind_of(fetched)
    if kind == "sitemap":
        return _sitemap(fetched)
    if kind == "page":
        return _section_page(fetched)
    return _feed(fetched)


def _unpacked(content: bytes) -> bytes:
    if not content.startswith(_GZIP_MAGIC):
        return content
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(content)) as unpacked:
            data = unpacked.read(MAX_UNPACKED_BYTES + 1)
    except (OSError, EOFError) as error:
        raise ListingProblem(f"the gzipped listing is damaged ({error})") from error
    if len(data) > MAX_UNPACKED_BYTES:
        raise ListingProblem(f"the gzipped listing unpacks to more than {MAX_UNPACKED_BYTES:,} bytes; left alone")
    return data


def _feed(fetched: Fetched) -> Listing:
    headers = {"content-type": fetched.headers.get("content-type", "application/xml"), "content-location": fetched.url}
    parsed = feedparser.parse(io.BytesIO(fetched.content), response_headers=headers)
    entries = list(parsed.get("entries") or [])
    if not entries:
        problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
        if problem is not None or not parsed.get("version"):
            raise ListingProblem(f"not an RSS or Atom feed ({problem or 'no feed element'}); nothing could be read")
        raise ListingProblem("the feed has no entries; nothing to fetch")
    feed: Mapping[str, Any] = parsed.get("feed") or {}
    found, linkless = [], 0
    for entry in entries:
        link = entry.get("link")
        if not isinstance(link, str) or not link.startswith(("http://", "https://")):
            linkless += 1
            continue
        fields = {k: v for k, v in entry_fields(entry, feed).items() if isinstance(v, str) and v}
        # (dict.get: feedparser's own get maps a missing `updated` to `published`, with a warning; an entry's
        # publication date is no sign of a change)
        stamp = dict.get(entry, "updated") or None
        found.append(Entry(clean_url(link), str(stamp)[:128] if stamp else None, fields))
    notes = [f"{linkless} entries without a link to their page were left out"] if linkless else []
    if not found:
        problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
        if problem is not None:
            raise ListingProblem(f"the feed is not well-formed XML ({problem}), and no entry read links to a page")
        raise ListingProblem("no entry of the feed links to a page; nothing to fetch")
    return Listing("feed", found, notes=notes)


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _child_text(element: Any, name: str) -> str | None:
    for child in element.iter():
        if _local(child.tag) == name and child.text and child.text.strip():
            return str(child.text.strip())
    return None


def _sitemap(fetched: Fetched) -> Listing:
    # No entities resolved, no DTD loaded, nothing fetched from the network: a hostile sitemap cannot read
    # local files (XXE) or blow up memory (billion laughs).
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(_unpacked(fetched.content), parser=parser)
    except etree.XMLSyntaxError as error:
        raise ListingProblem(f"the sitemap is not well-formed XML ({error})") from error
    if _local(root.tag) == "sitemapindex":
        children = [
            (clean_url(urljoin(fetched.url, loc)), _child_text(node, "lastmod"))
            for node in root
            if _local(node.tag) == "sitemap" and (loc := _child_text(node, "loc"))
        ]
        if not children:
            raise ListingProblem("the sitemap index names no sitemap; nothing to fetch")
        children.sort(key=lambda child: child[1] or "", reverse=True)
        return Listing("sitemap", [], sitemaps=children)
    if _local(root.tag) != "urlset":
        raise ListingProblem(f"not a sitemap (its root element is <{_local(root.tag)}>, not <urlset>)")
    entries = list(_sitemap_entries(root, fetched.url))
    if not entries:
        raise ListingProblem("the sitemap lists no address; nothing to fetch")
    entries.sort(key=lambda entry: entry.stamp or entry.fields.get("date", ""), reverse=True)
    return Listing("sitemap", entries)


def _sitemap_entries(root: Any, base: str) -> Iterator[Entry]:
    for node in root:
        if _local(node.tag) != "url" or not (loc := _child_text(node, "loc")):
            continue
        fields: dict[str, str] = {}
        for name, ours in (("title", "title"), ("publication_date", "date"), ("language", "language")):
            value = _child_text(node, name)
            if value:
                fields[ours] = value
        publication = next((n for n in node.iter() if _local(n.tag) == "publication"), None)
        if publication is not None and (outlet := _child_text(publication, "name")):
            fields["source"] = outlet
        yield Entry(clean_url(urljoin(base, loc)), _child_text(node, "lastmod"), fields)


# Paths of a site's furniture, not articles.
_NOT_ARTICLES = re.compile(
    r"/(tag|tags|topic|topics|category|categories|author|authors|page|search|login|signup|register|"
    r"subscribe|about|contact|privacy|terms|video|videos|photo|photos|gallery|live-tv|epaper)(/|$)",
    re.IGNORECASE,
)
_FILES = re.compile(r"\.(jpe?g|png|gif|webp|svg|css|js|pdf|mp[34]|zip|xml|rss)$", re.IGNORECASE)


def looks_like_article(url: str, page: str) -> bool:
    """Whether a link of a section page leads to an article: on the page's host, not the page itself, not a
    section, tag or file, and with an article's address (a long slug or a number in its last part).

    >>> page = "https://example.org/desh/"
    >>> looks_like_article("https://example.org/desh/modi-ne-kaha-chunav-ke-baad-12345.html", page)
    True
    >>> [looks_like_article(u, page) for u in ("https://example.org/tag/modi", "https://other.org/a-1", page)]
    [False, False, False]
    """
    parts, home = urlsplit(url), urlsplit(page)
    if parts.scheme not in ("http", "https") or host_of(url) != host_of(page):
        return False
    if parts.path.rstrip("/") == home.path.rstrip("/") or _NOT_ARTICLES.search(parts.path) or _FILES.search(parts.path):
        return False
    last = parts.path.rstrip("/").rsplit("/", 1)[-1]
    return any(char.isdigit() for char in last) or (last.count("-") >= 3 and len(last) >= 20)


def _section_page(fetched: Fetched) -> Listing:
    try:
        document = html.fromstring(fetched.content, base_url=fetched.url)
    except (etree.ParserError, ValueError) as error:
        raise ListingProblem(f"the page could not be read as HTML ({error})") from error
    found: dict[str, Entry] = {}
    for anchor in document.iter("a"):
        href = anchor.get("href")
        if not href:
            continue
        url = clean_url(urljoin(fetched.url, href))
        if url not in found and looks_like_article(url, fetched.url):
            title = " ".join(anchor.text_content().split())
            found[url] = Entry(url, None, {"title": title} if title else {})
    if not found:
        raise ListingProblem("the page links to no article (no link on its site with an article's address)")
    return Listing("page", list(found.values()))


def entry_from_json(text: str | None) -> dict[str, str]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}
