"""Saved searches on the page (read-only): the list with each one's total and what is new, and its Atom
feed, whose entries link to the article pages by absolute addresses (feedparser reads it back)."""

from __future__ import annotations

from pathlib import Path

import feedparser
import pytest
from fastapi.testclient import TestClient

from archive.api import Archive
from archive.config import Settings
from archive.web.app import create_app
from tests.conftest import Run, trend_news, write_jsonl


@pytest.fixture
def saved(run: Run, settings: Settings, tmp_path: Path) -> Settings:
    assert run("ingest", str(write_jsonl(tmp_path / "news.jsonl", trend_news()))).exit_code == 0
    assert run("watch", "add", "सूखा", "सूखा").exit_code == 0
    assert run("watch", "add", "जनसत्ता की बाढ़", "बाढ़", "--source", "जनसत्ता").exit_code == 0
    return settings


def test_the_list_gives_each_searchs_total_and_news(saved: Settings) -> None:
    client = TestClient(create_app(saved))
    with Archive(settings=saved, catch_up=False) as archive:
        expected = {c.search.name: (c.total, c.new) for c in archive.watch_counts()}
    data = client.get("/watch.json").json()
    assert {row["name"]: (row["total"], row["new"]) for row in data["searches"]} == expected
    assert all(row["feed"].startswith("http://testserver/watch/") for row in data["searches"])
    html = client.get("/watch").text
    assert "जनसत्ता की बाढ़" in html and "source=" in html  # (its search keeps its filters)
    with Archive(settings=saved, catch_up=False) as archive:
        assert {c.search.name: (c.total, c.new) for c in archive.watch_counts()} == expected  # (nothing seen)


def test_the_feed_links_each_entry_to_its_article_page(saved: Settings) -> None:
    client = TestClient(create_app(saved, base_url="https://news.example.org/"))
    answer = client.get("/watch/" + "सूखा" + ".atom")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(answer.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.feed.title == "archive: सूखा"
    links = {link.rel: link.href for link in feed.feed.links}
    assert links["self"] == "https://news.example.org/watch/%E0%A4%B8%E0%A5%82%E0%A4%96%E0%A4%BE.atom"
    assert links["alternate"].startswith("https://news.example.org/?q=")
    with Archive(settings=saved, catch_up=False) as archive:
        total = archive.watch_counts()
    assert len(feed.entries) == next(c.total for c in total if c.search.name == "सूखा") == 4
    for entry in feed.entries:
        alternate = next(link.href for link in entry.links if link.rel == "alternate")
        assert alternate.startswith("https://news.example.org/articles/")
        page = client.get(alternate.removeprefix("https://news.example.org"))
        assert page.status_code == 200 and entry.title in page.text
        related = [link.href for link in entry.links if link.rel == "related"]
        assert related and related[0].startswith("https://example.org/drought/")
        assert entry.id.startswith("urn:uuid:") and entry.updated


def test_an_unknown_saved_search_is_a_404(saved: Settings) -> None:
    client = TestClient(create_app(saved))
    assert client.get("/watch/nothing.atom").status_code == 404
