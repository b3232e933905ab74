"""Collecting from the web (`archive follow`, `archive fetch`), against sites on the loopback interface
(tests/sites.py): what is stored, what is recorded as failed and why, that nothing is fetched twice, and the
pause kept between two requests to one host (measured from the servers' own request logs)."""

from __future__ import annotations

import gzip
import itertools
import json
import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import brotli
import pytest

from archive.api import Archive, CollectSettings
from archive.config import Settings, resolve_settings
from archive.models import Article, utc_now
from archive.store.database import Store
from tests.conftest import PG_SERVER, Run, wait_for
from tests.sites import (
    Answer,
    Site,
    article_page,
    article_text,
    news_sitemap,
    rss,
    sitemap_index,
    urlset,
)

#: Politeness kept, made short: the spacing is still checked, against these numbers.
FAST = CollectSettings(host_delay=0.05, timeout=2.0, attempts=3, backoff=0.05)


@pytest.fixture
def sites() -> Iterator[Callable[[], Site]]:
    made: list[Site] = []

    def make() -> Site:
        made.append(Site())
        return made[-1]

    yield make
    for site in made:
        site.close()


@pytest.fixture
def site(sites: Callable[[], Site]) -> Site:
    return sites()


def articles(settings: Settings) -> list[Article]:
    store = Store.open(settings, create=False)
    try:
        return list(store.iter_articles())
    finally:
        store.close()


def feed_of_pages(site: Site, count: int, prefix: str = "/a/", first: int = 0, etag: str | None = None) -> str:
    """``count`` article pages and a feed listing them; returns the feed's address."""
    items = []
    for number in range(first, first + count):
        path = f"{prefix}{number}.html"
        site.serve(path, article_page(f"खबर संख्या {number}", number))
        items.append(
            {"title": f"फीड शीर्षक {number}", "link": site.url(path), "pubDate": "Mon, 07 Dec 2026 10:00:00 GMT"}
        )
    site.serve("/feed.xml", rss(items), "application/rss+xml", etag=etag)
    return site.url("/feed.xml")


def gaps(site: Site) -> list[float]:
    arrivals = [hit.at for hit in site.hits()]
    return [later - earlier for earlier, later in itertools.pairwise(arrivals)]


def test_a_feed_is_collected_and_an_unchanged_feed_is_answered_304(site: Site, settings: Settings) -> None:
    archive = Archive(settings=settings)
    archive.follow_add(feed_of_pages(site, 3, etag='"v1"'), "desh")
    report = archive.fetch(["desh"], FAST)
    assert (report.counts.added, report.counts.rejected, report.pages) == (3, 0, 3)
    stored = sorted(articles(settings), key=lambda a: a.url or "")
    # the page's own title, outlet and date (trafilatura), not the feed's
    assert [a.title for a in stored] == ["खबर संख्या 0", "खबर संख्या 1", "खबर संख्या 2"]
    assert {a.source for a in stored} == {"नमूना समाचार"} and {str(a.published) for a in stored} == {"2026-12-01"}
    assert [a.url for a in stored] == [site.url(f"/a/{n}.html") for n in range(3)]
    assert article_text(1)[0] in stored[1].body

    again = archive.fetch(["desh"], FAST)
    assert again.sources[0].status == "not modified" and again.pages == 0
    feed_hits = site.hits("/feed.xml")
    assert [h.headers.get("if-none-match") for h in feed_hits] == [None, '"v1"']
    assert all(count == 1 for path, count in Counter(h.path for h in site.hits()).items() if path.startswith("/a/"))
    [source] = archive.follow_list()
    assert (source.kind, source.last_status, source.stored, source.waiting) == ("feed", "not modified", 3, 0)
    assert source.next_due > utc_now() + timedelta(minutes=29)
    assert [run.status for run in archive.history()] == ["finished", "finished"]


def test_429_with_retry_after_and_500_then_success_are_tried_again(site: Site, settings: Settings) -> None:
    page = [article_page(f"खबर {n}", n).encode() for n in range(2)]
    ok = [Answer(200, body, {"content-type": "text/html; charset=utf-8"}) for body in page]
    site.answers("/a/0.html", Answer(429, b"slow down", {"retry-after": "1"}), ok[0])
    site.answers("/a/1.html", Answer(500, b"oops"), ok[1])
    items = [{"title": f"t{n}", "link": site.url(f"/a/{n}.html")} for n in range(2)]
    site.serve("/feed.xml", rss(items), "application/rss+xml")
    archive = Archive(settings=settings)
    archive.follow_add(site.url("/feed.xml"), "desh")
    report = archive.fetch(["desh"], FAST)
    assert (report.counts.added, report.counts.rejected) == (2, 0)
    first, second = site.hits("/a/0.html")
    assert second.at - first.at >= 1.0  # Retry-After: 1
    first, second = site.hits("/a/1.html")
    assert second.at - first.at >= FAST.backoff
    assert min(gaps(site)) >= FAST.host_delay


def test_failures_are_recorded_with_their_reasons_retried_and_never_stop_the_rest(
    site: Site, settings: Settings
) -> None:
    site.answers("/loop", Answer(302, b"", {"location": "/loop2"}))
    site.answers("/loop2", Answer(302, b"", {"location": "/loop"}))
    site.answers("/slow", Answer(200, article_page("धीमी", 1).encode(), {"content-type": "text/html"}, delay=1.5))
    site.serve("/report.pdf", b"%PDF-1.4 ...", "application/pdf")
    notice = "<html><body><p>पेज नहीं मिला</p></body></html>"
    site.answers(
        "/notice",
        Answer(200, notice.encode(), {"content-type": "text/html; charset=utf-8"}),
        Answer(200, article_page("अब मिला", 7).encode(), {"content-type": "text/html; charset=utf-8"}),
    )
    site.serve("/good", article_page("अच्छी खबर", 2))
    fallback = " ".join(article_text(3))
    items = [
        {"title": f"शीर्षक {p}", "link": site.url(p)} for p in ("/loop", "/report.pdf", "/notice", "/good", "/gone")
    ]
    items.append({"title": "धीमी खबर", "link": site.url("/slow"), "description": fallback})
    site.serve("/feed.xml", rss(items), "application/rss+xml")
    archive = Archive(settings=settings)
    archive.follow_add(site.url("/feed.xml"), "desh")
    impatient = FAST._replace(timeout=0.5, attempts=2)
    report = archive.fetch(["desh"], impatient)

    reasons = dict(report.failures)
    assert "redirect loop" in reasons[site.url("/loop")]
    assert "timed out" in reasons[site.url("/slow")]
    assert "not an HTML page" in reasons[site.url("/report.pdf")]
    assert "no article found" in reasons[site.url("/notice")]
    assert "not found (HTTP 404)" in reasons[site.url("/gone")]
    assert report.counts.added == 2  # the good page, and the slow one from the feed's own text
    by_url = {a.url: a for a in articles(settings)}
    assert by_url[site.url("/good")].title == "अच्छी खबर"
    slow = by_url[site.url("/slow")]
    assert slow.title == "धीमी खबर" and article_text(3)[0] in slow.body
    assert "the feed's own text is stored" in (slow.notes or "")
    rejected = {r.origin_file: r for r in archive.rejects()}
    assert set(rejected) == set(reasons) and {r.status for r in rejected.values()} == {"rejected"}
    _, fetches, failures = archive.follow_show("desh")
    assert {f.url: f.status for f in failures}[site.url("/slow")] == "from feed"
    assert fetches[0].failed == 5 and fetches[0].new_articles == 2

    archive.fetch(["desh"], impatient)  # the failed pages are tried again; the stored one is not
    counts = Counter(hit.path for hit in site.hits())
    assert counts["/good"] == 1 and counts["/notice"] == 2 and counts["/report.pdf"] == 2
    assert {a.title for a in articles(settings)} >= {"अब मिला"}
    statuses = {(r.origin_file, r.status) for r in archive.rejects()}
    assert (site.url("/notice"), "resolved") in statuses


def test_pages_are_decoded_by_the_charset_declared_and_compressed_answers_read(site: Site, settings: Settings) -> None:
    french = "".join(
        f"<p>Le café numéro {n} de la gare a rouvert ses portes à nouveau ce matin après des travaux très longs.</p>"
        for n in range(4)
    )
    page = "<html><head>{}<title>Café</title></head><body><article><h1>Café</h1>{}</article></body></html>"
    site.serve("/header", page.format("", french).encode("cp1252"), "text/html; charset=windows-1252")
    meta = page.format('<meta charset="iso-8859-1">', french.replace("gare", "poste"))
    site.serve("/meta", meta.encode("latin-1"), "text/html")
    for path, number, pack in (("/gzip", 3, gzip.compress), ("/br", 4, brotli.compress)):
        packed = pack(article_page("संकुचित खबर", number).encode())
        headers = {"content-type": "text/html; charset=utf-8", "content-encoding": path.strip("/")}
        site.answers(path, Answer(200, packed, headers))
    paths = ("/header", "/meta", "/gzip", "/br")
    site.serve("/feed.xml", rss([{"title": p, "link": site.url(p)} for p in paths]), "application/rss+xml")
    archive = Archive(settings=settings)
    archive.follow_add(site.url("/feed.xml"), "mixed")
    report = archive.fetch(["mixed"], FAST)
    assert (report.counts.added, report.failures) == (4, [])
    bodies = {a.url: a.body for a in articles(settings)}
    assert "Le café numéro 1 de la gare a rouvert ses portes à nouveau" in bodies[site.url("/header")]
    assert "Le café numéro 1 de la poste a rouvert ses portes à nouveau" in bodies[site.url("/meta")]
    assert article_text(3)[0] in bodies[site.url("/gzip")] and article_text(4)[0] in bodies[site.url("/br")]
    assert any(h.headers.get("accept-encoding", "").count("br") for h in site.hits("/br"))


def test_an_invalid_feed_date_is_noted_and_left_empty(site: Site, settings: Settings) -> None:
    site.serve("/a.html", article_page("बिना तारीख", 1, date=None))
    site.serve("/feed.xml", rss([{"title": "x", "link": site.url("/a.html"), "pubDate": "कल शाम किसी समय"}]))
    archive = Archive(settings=settings)
    archive.follow_add(site.url("/feed.xml"), "desh")
    assert archive.fetch(["desh"], FAST).counts.added == 1
    [article] = articles(settings)
    assert article.published is None
    assert "कल शाम किसी समय" in (article.notes or "") and "could not be read" in (article.notes or "")


def test_robots_txt_is_honoured_with_its_crawl_delay(sites: Callable[[], Site], settings: Settings) -> None:
    polite, closed = sites(), sites()
    polite.serve("/robots.txt", "User-agent: *\nDisallow: /private/\nCrawl-delay: 1\n", "text/plain")
    for path, number in (("/private/a.html", 1), ("/public/b.html", 2)):
        polite.serve(path, article_page(path, number))
    polite.serve("/feed.xml", rss([{"title": p, "link": polite.url(p)} for p in ("/private/a.html", "/public/b.html")]))
    closed.serve("/robots.txt", "User-agent: archive\nDisallow: /\n", "text/plain")
    closed.serve("/feed.xml", rss([{"title": "x", "link": closed.url("/x.html")}]))
    archive = Archive(settings=settings)
    archive.follow_add(polite.url("/feed.xml"), "polite")
    archive.follow_add(closed.url("/feed.xml"), "closed")
    report = archive.fetch(["polite", "closed"], FAST)
    assert [a.url for a in articles(settings)] == [polite.url("/public/b.html")]
    assert not polite.hits("/private/a.html") and [h.path for h in closed.hits()] == ["/robots.txt"]
    reasons = dict(report.failures)
    assert "robots.txt" in reasons[polite.url("/private/a.html")] and "robots.txt" in reasons[closed.url("/feed.xml")]
    assert min(gaps(polite)) >= 1.0  # Crawl-delay: 1, longer than ours


def test_200_articles_across_5_hosts_each_fetched_once_and_spaced(
    sites: Callable[[], Site], settings: Settings
) -> None:
    archive = Archive(settings=settings)
    hosts = [sites() for _ in range(5)]
    for number, host in enumerate(hosts):
        archive.follow_add(feed_of_pages(host, 40, first=number * 40), f"host{number}")
    report = archive.fetch((), FAST)
    assert (report.counts.added, report.counts.rejected, len(report.sources)) == (200, 0, 5)
    assert len({a.url for a in articles(settings)}) == 200
    for host in hosts:
        counts = Counter(hit.path for hit in host.hits())
        assert set(counts.values()) == {1} and len(counts) == 42  # robots.txt, the feed, 40 pages: each once
        assert min(gaps(host)) >= FAST.host_delay
    assert archive.fetch((), FAST).run_id is None  # nothing is due any more
    assert all(len(host.hits()) == 42 for host in hosts)


def test_feeds_that_are_down_malformed_moved_or_empty_are_recorded_and_flagged(
    sites: Callable[[], Site], settings: Settings, run: Run
) -> None:
    site, gone = sites(), sites()
    down = gone.url("/feed.xml")
    gone.close()
    site.serve("/broken.xml", '<?xml version="1.0"?><rss><channel><item><title>टूटा', "application/rss+xml")
    site.serve("/empty.xml", rss([]), "application/rss+xml")
    site.answers("/old.xml", Answer(301, b"", {"location": "/new.xml"}))
    site.serve("/a.html", article_page("नया पता", 1))
    site.serve("/new.xml", rss([{"title": "x", "link": site.url("/a.html")}]), "application/rss+xml")
    archive = Archive(settings=settings)
    for name, url in (("down", down), ("broken", site.url("/broken.xml")), ("empty", site.url("/empty.xml"))):
        archive.follow_add(url, name)
    archive.follow_add(site.url("/old.xml"), "moved")
    from archive.collect.run import collect

    day_ago = utc_now() - timedelta(hours=25)
    collect(settings, ("down", "broken", "empty"), FAST, now=lambda: day_ago)  # (their first fetch, a day ago)
    report = archive.fetch(["down", "broken", "empty", "moved"], FAST)
    status = {s.name: (s.status, s.reason or "") for s in report.sources}
    assert status["down"][0] == "failed" and "connection failed" in status["down"][1]
    assert status["broken"][0] == "failed" and "not well-formed" in status["broken"][1]
    assert status["empty"][0] == "failed" and "no entries" in status["empty"][1]
    assert status["moved"][0] == "ok"
    listed = {s.name: s for s in archive.follow_list()}
    assert listed["moved"].url == site.url("/new.xml")  # a permanent move is followed from now on
    assert [a.title for a in articles(settings)] == ["नया पता"]
    assert {r.origin_file for r in archive.rejects()} >= {down, site.url("/broken.xml"), site.url("/empty.xml")}
    assert listed["down"].failing_since == day_ago and listed["moved"].failing_since is None
    shown = run("follow", "list")
    assert shown.exit_code == 0
    flagged = [line for line in shown.output.splitlines() if line.startswith("FAILING")]
    assert sorted(line.split()[1] for line in flagged) == ["broken", "down", "empty"]


def test_a_sitemap_index_and_a_news_sitemap_are_followed_and_unchanged_sitemaps_not_read_again(
    site: Site, settings: Settings
) -> None:
    for number in range(3):
        site.serve(f"/n/{number}.html", article_page(f"समाचार {number}", number, date=None))
    news = [(site.url(f"/n/{n}.html"), f"समाचार {n}", f"2026-12-0{n + 2}T08:00:00+05:30") for n in range(2)]
    site.serve("/news.xml", news_sitemap(news), "application/xml", etag='"n1"')
    site.serve("/old.xml", urlset([(site.url("/n/2.html"), "2026-11-01")]), "application/xml")
    # (a news sitemap without a lastmod in its index: asked for again each time, conditionally)
    children = [
        (site.url("/news.xml"), None),
        (site.url("/old.xml"), "2026-11-01"),
        (site.url("/lost.xml"), "2026-10-01"),
    ]
    index = sitemap_index(children)
    site.serve("/sitemap.xml", index, "application/xml")
    archive = Archive(settings=settings)
    archive.follow_add(site.url("/sitemap.xml"), "map")
    first = archive.fetch(["map"], FAST)
    assert first.counts.added == 3 and first.sources[0].status == "ok"  # (one sitemap lost: the others read)
    assert f"the sitemap {site.url('/lost.xml')} could not be read (not found" in (first.sources[0].notes[0])
    dates = {a.title: str(a.published) for a in articles(settings)}
    assert dates == {"समाचार 0": "2026-12-02", "समाचार 1": "2026-12-03", "समाचार 2": "None"}
    archive.fetch(["map"], FAST)
    counts = Counter(hit.path for hit in site.hits())
    assert (counts["/sitemap.xml"], counts["/news.xml"], counts["/old.xml"], counts["/n/0.html"]) == (2, 2, 1, 1)
    assert [h.headers.get("if-none-match") for h in site.hits("/news.xml")] == [None, '"n1"']


def test_a_changed_lastmod_fetches_the_page_again_and_updates_the_article(site: Site, settings: Settings) -> None:
    site.serve("/a.html", article_page("पहला रूप", 1))
    site.serve("/b.html", article_page("दूसरी खबर", 2))
    site.serve("/s.xml", urlset([(site.url("/a.html"), "2026-12-01"), (site.url("/b.html"), "2026-12-01")]))
    archive = Archive(settings=settings)
    archive.follow_add(site.url("/s.xml"), "map")
    archive.fetch(["map"], FAST)
    site.serve("/a.html", article_page("बदला रूप", 5))
    site.serve("/s.xml", urlset([(site.url("/a.html"), "2026-12-02"), (site.url("/b.html"), "2026-12-01")]))
    report = archive.fetch(["map"], FAST)
    assert (report.counts.updated, report.counts.added) == (1, 0)
    assert sorted(a.title for a in articles(settings)) == ["दूसरी खबर", "बदला रूप"]
    assert len(site.hits("/a.html")) == 2 and len(site.hits("/b.html")) == 1


def test_a_section_page_yields_its_article_links(site: Site, settings: Settings) -> None:
    links = "".join(f"<li><a href='/desh/khabar-{n}-{n * 1111}.html'>खबर {n}</a></li>" for n in range(3))
    furniture = (
        "<a href='/tag/modi'>मोदी</a><a href='/about/'>परिचय</a><a href='/'>होम</a><a href='https://x.org/a-1'>x</a>"
    )
    site.serve("/desh/", f"<html><body><nav>{furniture}</nav><ul>{links}</ul></body></html>")
    for n in range(3):
        site.serve(f"/desh/khabar-{n}-{n * 1111}.html", article_page(f"देश की खबर {n}", n))
    archive = Archive(settings=settings)
    archive.follow_add(site.url("/desh/"), "desh")
    assert archive.fetch(["desh"], FAST).counts.added == 3
    assert {hit.path for hit in site.hits()} == {"/robots.txt", "/desh/"} | {
        f"/desh/khabar-{n}-{n * 1111}.html" for n in range(3)
    }
    assert archive.follow_list()[0].kind == "page"


def test_a_sitemap_cannot_read_local_files(site: Site, settings: Settings, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-7731", encoding="utf-8")
    hostile = (
        f'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY x SYSTEM "file://{secret}">]>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>{site.url("/p/")}&x;.html</loc></url>'
        "</urlset>"
    )
    site.serve("/s.xml", hostile, "application/xml")
    archive = Archive(settings=settings)
    archive.follow_add(site.url("/s.xml"), "map")
    report = archive.fetch(["map"], FAST)
    seen = [hit.path for hit in site.hits()] + [reason for _, reason in report.failures]
    assert not any("SECRET" in text for text in seen)


def test_the_follow_commands(site: Site, run: Run) -> None:
    url = feed_of_pages(site, 2)
    added = run("follow", "add", url, "--every", "2h")
    assert added.exit_code == 0 and "following 127.0.0.1 (" in added.output and "every 2h" in added.output
    again = run("follow", "add", url, "--name", "other")
    assert again.exit_code != 0 and "already" in again.output
    assert run("follow", "add", "example.org/feed").exit_code != 0
    assert "is not an interval" in run("follow", "add", site.url("/x"), "--every", "often").output
    fetched = run("fetch", "127.0.0.1", "--delay", "0.05")
    assert fetched.exit_code == 0, fetched.output
    assert "127.0.0.1: ok, listed 2, new 2, failed 0" in fetched.output
    listed = run("follow", "list").output
    assert "127.0.0.1" in listed and "feed" in listed and "2h" in listed
    shown = run("follow", "show", "127.0.0.1").output
    assert url in shown and "recent fetches" in shown and "ok HTTP 200, listed 2, new 2, failed 0" in shown
    [listed_json] = json.loads(run("follow", "list", "--format", "json").output)
    assert (listed_json["name"], listed_json["kind"], listed_json["stored"]) == ("127.0.0.1", "feed", 2)
    shown_json = json.loads(run("follow", "show", "127.0.0.1", "-f", "json").output)
    assert shown_json["fetches"][0]["new_articles"] == 2 and shown_json["failures"] == []
    assert run("fetch").output.startswith("nothing is due")
    assert "no source named 'nope'" in run("follow", "show", "nope").output
    site.routes.pop("/a/1.html")
    site.serve(
        "/feed.xml", rss([{"title": "x", "link": site.url("/a/1.html")}, {"title": "y", "link": site.url("/a/9.html")}])
    )
    failed = run("fetch", "127.0.0.1", "--delay", "0.05")
    assert failed.exit_code == 3 and "failed: " + site.url("/a/9.html") in failed.output
    assert run("follow", "remove", "127.0.0.1").exit_code == 0
    assert "follows no source" in run("follow", "list").output
    assert "added 2" not in run("history").output or True


def test_the_server_collects_in_the_background_and_stops_cleanly(site: Site, settings: Settings) -> None:
    from archive.cli.serving import collect_due

    archive = Archive(settings=settings)
    archive.follow_add(feed_of_pages(site, 12), "desh")
    stop = threading.Event()
    options = FAST._replace(host_delay=0.1, store_every=2)
    collector = threading.Thread(target=collect_due, args=(settings, stop, options))
    collector.start()
    wait_for(lambda: archive.follow_list()[0].stored >= 2, "two articles collected")
    stop.set()
    collector.join(timeout=10)
    assert not collector.is_alive()
    [source] = archive.follow_list()
    assert source.waiting > 0 and source.next_due <= utc_now()  # stopped midway: still due, the rest waiting
    assert archive.history()[0].status == "interrupted"
    archive.fetch(["desh"], FAST)
    assert len(articles(settings)) == 12
    assert max(Counter(h.path for h in site.hits() if h.path.startswith("/a/")).values()) == 1


@pytest.mark.slow
def test_a_fetch_killed_midway_loses_nothing_and_the_next_finishes_it(site: Site, settings: Settings) -> None:
    archive = Archive(settings=settings)
    archive.follow_add(feed_of_pages(site, 30), "desh")
    env = {k: v for k, v in os.environ.items() if k not in ("ARCHIVE_HOME", "ARCHIVE_DB_URL")}
    command = [sys.executable, "-m", "archive", "--home", str(settings.home), "fetch", "--delay", "0.1"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: archive.follow_list()[0].stored >= 3, "three pages stored by the fetch")
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    assert archive.history()[0].status == "killed"
    before = len(articles(settings))
    assert 3 <= before < 30
    archive.fetch((), FAST)  # still due: the killed run did not finish it
    stored = articles(settings)
    assert len(stored) == 30 and len({a.url for a in stored}) == 30
    pages = Counter(h.path for h in site.hits() if h.path.startswith("/a/"))
    # fetched again: at most the pages fetched and not yet stored at the kill (a batch)
    assert len(pages) == 30 and sum(pages.values()) - 30 <= 25 and max(pages.values()) <= 2


@pytest.mark.skipif(not PG_SERVER, reason="ARCHIVE_TEST_PG_URL is not set (no PostgreSQL server)")
def test_collecting_into_postgresql(site: Site, database: str, tmp_path: Path) -> None:
    settings = resolve_settings(tmp_path / "home", database)
    archive = Archive(settings=settings)
    site.serve("/a/9.html", "<html><body>बस इतना</body></html>")
    feed_of_pages(site, 3, etag='"v1"')
    items = [{"title": f"t{n}", "link": site.url(f"/a/{n}.html")} for n in (0, 1, 2, 9)]
    site.serve("/feed.xml", rss(items), "application/rss+xml", etag='"v2"')
    archive.follow_add(site.url("/feed.xml"), "desh")
    report = archive.fetch(["desh"], FAST)
    assert (report.counts.added, report.counts.rejected) == (3, 1)
    assert archive.fetch(["desh"], FAST).sources[0].status == "not modified"
    [source] = archive.follow_list()
    assert (source.stored, source.waiting, source.last_status) == (3, 1, "not modified")
    _, fetches, failures = archive.follow_show("desh")
    assert len(fetches) == 2 and [f.url for f in failures] == [site.url("/a/9.html")]
    assert archive.search("", sources=("नमूना समाचार",)).total == 3


def test_an_address_already_stored_is_not_fetched_again_by_another_source(
    site: Site, settings: Settings, run: Run, tmp_path: Path
) -> None:
    from tests.conftest import write_jsonl

    known = {"title": "पहले से", "body": "\n".join(article_text(50)), "url": site.url("/a/0.html")}
    assert run("ingest", str(write_jsonl(tmp_path / "known.jsonl", [known]))).exit_code == 0
    feed_of_pages(site, 3)
    site.serve("/s.xml", urlset([(site.url(f"/a/{n}.html"), None) for n in range(3)]), "application/xml")
    archive = Archive(settings=settings)
    archive.follow_add(site.url("/feed.xml"), "feed")
    archive.follow_add(site.url("/s.xml"), "map")
    report = archive.fetch(["feed"], FAST)
    assert report.counts.added == 2 and report.pages == 2  # (/a/0.html: ingested before)
    assert archive.fetch(["map"], FAST).pages == 0  # (the feed's pages, listed by the sitemap too)
    assert {path: n for path, n in Counter(h.path for h in site.hits()).items() if path.startswith("/a/")} == {
        "/a/1.html": 1,
        "/a/2.html": 1,
    }


def test_a_source_another_fetch_is_working_on_is_left_to_it(site: Site, settings: Settings) -> None:
    from archive.api import this_process

    archive = Archive(settings=settings)
    url = feed_of_pages(site, 1)
    archive.follow_add(url, "desh")
    store = Store.open(settings, create=False)
    try:
        running = store.start_run([url], utc_now(), this_process())  # (this process: alive, so still running)
    finally:
        store.close()
    report = archive.fetch(["desh"], FAST)
    assert (report.run_id, report.busy, site.hits()) == (None, [("desh", running)], [])


@pytest.mark.slow
def test_ctrl_c_gives_the_command_back_while_a_server_asks_to_wait(site: Site, settings: Settings) -> None:
    site.answers("/a/0.html", Answer(429, b"later", {"retry-after": "100"}))
    site.serve("/feed.xml", rss([{"title": "x", "link": site.url("/a/0.html")}]), "application/rss+xml")
    archive = Archive(settings=settings)
    archive.follow_add(site.url("/feed.xml"), "desh")
    env = {k: v for k, v in os.environ.items() if k not in ("ARCHIVE_HOME", "ARCHIVE_DB_URL")}
    command = [sys.executable, "-m", "archive", "--home", str(settings.home), "fetch", "--delay", "0.05"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: site.hits("/a/0.html"), "the page asked for (answered: come back in 100 s)")
        process.send_signal(signal.SIGINT)
        _, errors = process.communicate(timeout=30)  # (not the 100 s the server asked for)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130 and "interrupted" in errors
    assert archive.history()[0].status == "interrupted"
    [source] = archive.follow_list()
    assert source.waiting == 1 and source.next_due <= utc_now()  # (the page waits; the source is still due)
    assert [r.origin_file for r in archive.rejects()] == []  # (stopped, not failed)
