"""The saved searches' Atom feeds against the rules of RFC 4287 that the W3C feed validator
(validator.w3.org/feed) checks, written out here because the tests run without the internet: one id,
title and updated per feed and per entry, an author for every entry (its own or the feed's), ids that are
IRIs and unique, dates in RFC 3339, an alternate link or content in every entry, a self link to where the
feed is served, xml:lang; and feedparser reads each feed without its bozo flag. Checked on feeds written by
`archive watch feed` and by `/watch/NAME.atom`, from a real archive whose articles lack an address, an
outlet, a date, or have an address with spaces and Devanagari in it."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote
from xml.etree import ElementTree

import feedparser
import pytest
from fastapi.testclient import TestClient

from archive.config import Settings
from archive.web.app import create_app
from tests.conftest import Run, write_jsonl

ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
#: RFC 3339 section 5.6: date-time, with a time offset (Z or ±hh:mm).
RFC3339 = re.compile(
    r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?(Z|[+-]\d{2}:\d{2})$"
)
#: An IRI (RFC 3987): a scheme, then no character an IRI may not hold (space, <>"{}|\\^`, controls).
IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`\x00-\x1f\x7f-\x9f]+$")
#: A language tag (RFC 3066/5646, as the validator reads xml:lang).
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")

ARTICLES = [
    {
        "title": "सूखे की मार",
        "body": "खेत में सूखा पड़ा; किसान परेशान हैं।",
        "source": "जनसत्ता",
        "date": "2019-07-20",
        "url": "https://example.org/सूखा खबर?id=1 2",
        "category": "देश",
    },
    {"title": "सूखा और पानी", "body": "गाँव में सूखा, पानी की कमी।", "date": "2020-03-02"},  # no address, no outlet
    {"title": "बिना तिथि का सूखा", "body": "पहाड़ पर सूखा।", "source": "अमर उजाला", "url": "javascript:alert(1)"},
]


def violations(text: str, served_at: str | None = None) -> list[str]:
    """What in this Atom document breaks a rule the W3C validator checks (empty: valid)."""
    found: list[str] = []
    root = ElementTree.fromstring(text.encode("utf-8"))
    if root.tag != ATOM + "feed":
        return [f"the root is {root.tag}, not atom:feed"]
    lang = root.get(XML_LANG)
    if lang is None or not LANGUAGE_TAG.match(lang):
        found.append(f"xml:lang {lang!r}")

    def once(parent: ElementTree.Element, tag: str, where: str) -> ElementTree.Element | None:
        children = parent.findall(ATOM + tag)
        if len(children) != 1:
            found.append(f"{where} has {len(children)} atom:{tag} (exactly one)")
            return None
        return children[0]

    def text_construct(element: ElementTree.Element | None, where: str) -> None:
        if element is not None and element.get("type", "text") not in ("text", "html", "xhtml"):
            found.append(f"{where}: type {element.get('type')!r}")

    def date_of(element: ElementTree.Element | None, where: str) -> None:
        if element is not None and not RFC3339.match(element.text or ""):
            found.append(f"{where}: {element.text!r} is not an RFC 3339 date-time")

    def links(parent: ElementTree.Element, where: str) -> dict[str, list[ElementTree.Element]]:
        kinds: dict[str, list[ElementTree.Element]] = {}
        for link in parent.findall(ATOM + "link"):
            href = link.get("href")
            if not href or not IRI.match(href):
                found.append(f"{where}: link href {href!r} is not an IRI")
            kinds.setdefault(link.get("rel", "alternate"), []).append(link)
        alternates = [(link.get("type"), link.get("hreflang")) for link in kinds.get("alternate", [])]
        if len(alternates) != len(set(alternates)):
            found.append(f"{where}: two alternate links of one type and language")
        return kinds

    def authors_ok(parent: ElementTree.Element) -> bool:
        named = [a.find(ATOM + "name") for a in parent.findall(ATOM + "author")]
        return bool(named) and all(n is not None and (n.text or "").strip() for n in named)

    feed_id = once(root, "id", "feed")
    if feed_id is not None and not IRI.match(feed_id.text or ""):
        found.append(f"feed id {feed_id.text!r} is not an IRI")
    text_construct(once(root, "title", "feed"), "feed title")
    date_of(once(root, "updated", "feed"), "feed updated")
    feed_links = links(root, "feed")
    if served_at is not None:
        selves = [link.get("href") for link in feed_links.get("self", [])]
        if selves != [served_at]:
            found.append(f"feed self link {selves} is not where it is served ({served_at})")
    feed_has_author = authors_ok(root)
    ids = []
    for number, entry in enumerate(root.findall(ATOM + "entry")):
        where = f"entry {number}"
        entry_id = once(entry, "id", where)
        if entry_id is not None:
            ids.append(entry_id.text)
            if not IRI.match(entry_id.text or ""):
                found.append(f"{where}: id {entry_id.text!r} is not an IRI")
        text_construct(once(entry, "title", where), f"{where} title")
        date_of(once(entry, "updated", where), f"{where} updated")
        for published in entry.findall(ATOM + "published"):
            date_of(published, f"{where} published")
        if not feed_has_author and not authors_ok(entry):
            found.append(f"{where} has no author, nor has the feed")
        kinds = links(entry, where)
        content = entry.findall(ATOM + "content")
        if len(content) > 1:
            found.append(f"{where} has {len(content)} atom:content")
        if not content and not kinds.get("alternate"):
            found.append(f"{where} has neither content nor an alternate link (RFC 4287 4.1.2)")
        if len(entry.findall(ATOM + "summary")) > 1:
            found.append(f"{where} has two summaries")
        for category in entry.findall(ATOM + "category"):
            if not (category.get("term") or "").strip():
                found.append(f"{where}: a category without a term")
    if len(ids) != len(set(ids)):
        found.append("two entries share an id")
    return found


def test_the_checker_finds_what_the_validator_would() -> None:
    broken = (
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><updated>2019-07-20</updated>'
        "<entry><id>not an iri</id><title>x</title><updated>2019-07-20T00:00:00Z</updated></entry></feed>"
    )
    found = violations(broken)
    assert any("xml:lang" in f for f in found) and any("feed has 0 atom:id" in f for f in found)
    assert any("RFC 3339" in f for f in found) and any("is not an IRI" in f for f in found)
    assert any("no author" in f for f in found) and any("neither content nor" in f for f in found)


@pytest.fixture
def saved(run: Run, settings: Settings, tmp_path: Path) -> Settings:
    assert run("ingest", str(write_jsonl(tmp_path / "news.jsonl", ARTICLES))).exit_code == 0
    assert run("watch", "add", "सूखा और पानी", "सूखा").exit_code == 0
    return settings


@pytest.mark.parametrize("base_url", [None, "https://news.example.org/संग्रह"])
def test_the_clis_feed_keeps_the_rules(saved: Settings, run: Run, base_url: str | None) -> None:
    result = run("watch", "feed", "सूखा और पानी", *(["--base-url", base_url] if base_url else []))
    assert result.exit_code == 0, result.output
    served_at = base_url + "/watch/" + quote("सूखा और पानी", safe="") + ".atom" if base_url else None
    assert violations(result.stdout, served_at) == []
    parsed = feedparser.parse(result.stdout)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert len(parsed.entries) == 3
    links = [link.href for entry in parsed.entries for link in entry.get("links", [])]
    assert not any(href.startswith("javascript:") for href in links)


def test_the_served_feed_keeps_the_rules(saved: Settings) -> None:
    client = TestClient(create_app(saved, base_url="https://news.example.org"))
    address = "/watch/" + quote("सूखा और पानी", safe="") + ".atom"
    answer = client.get(address)
    assert answer.status_code == 200
    assert violations(answer.text, served_at="https://news.example.org" + address) == []
    parsed = feedparser.parse(answer.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.language == "hi" and len(parsed.entries) == 3
    related = [link.href for entry in parsed.entries for link in entry.links if link.rel == "related"]
    assert related == ["https://example.org/सूखा%20खबर?id=1%202"]  # (spaces escaped, Devanagari kept)
    for entry in parsed.entries:  # every entry's page is there
        page = next(link.href for link in entry.links if link.rel == "alternate")
        assert client.get(page.removeprefix("https://news.example.org")).status_code == 200
