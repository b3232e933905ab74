"""Web sites on the loopback interface for the collector's tests and benchmark: each a server of its own (a
port of its own, so a host of its own to the collector), serving fixture feeds, sitemaps and article pages,
and logging every request with the moment it arrived (the per-host spacing is measured from this log)."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Answer:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    #: Seconds to wait before answering (a slow server).
    delay: float = 0.0


@dataclass(frozen=True)
class Hit:
    at: float
    path: str
    headers: dict[str, str]


Route = Callable[[dict[str, str], int], Answer]


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # (a client that closed its kept-alive connection, or gave up on a slow answer)


class Site:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.log: list[Hit] = []
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                arrived = time.monotonic()
                headers = {k.lower(): v for k, v in self.headers.items()}
                with site._lock:
                    site.log.append(Hit(arrived, self.path, headers))
                    count = site._counts[self.path] = site._counts.get(self.path, 0) + 1
                route = site.routes.get(self.path)
                answer = route(headers, count) if route else Answer(404, b"not found", {"content-type": "text/plain"})
                if answer.delay:
                    time.sleep(answer.delay)
                try:
                    self.send_response(answer.status)
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    self.send_header("content-length", str(len(answer.body)))
                    self.end_headers()
                    self.wfile.write(answer.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = _Server(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def serve(
        self, path: str, body: bytes | str, content_type: str = "text/html; charset=utf-8", etag: str | None = None
    ) -> None:
        """A fixed answer; with ``etag``, a request that names it is answered 304."""
        data = body.encode("utf-8") if isinstance(body, str) else body

        def route(headers: dict[str, str], _count: int) -> Answer:
            if etag is not None and headers.get("if-none-match") == etag:
                return Answer(304, b"", {"etag": etag})
            return Answer(200, data, {"content-type": content_type, **({"etag": etag} if etag else {})})

        self.routes[path] = route

    def answers(self, path: str, *answers: Answer) -> None:
        """The first request gets the first answer, the second the second, …, and the rest the last."""
        self.routes[path] = lambda _headers, count: answers[min(count, len(answers)) - 1]

    def hits(self, path: str | None = None) -> list[Hit]:
        with self._lock:
            return [hit for hit in self.log if path is None or hit.path == path]


WORDS = (
    "सरकार संसद चुनाव किसान बजट अदालत पुलिस शहर गांव नदी बारिश सड़क बिजली पानी स्कूल अस्पताल डॉक्टर मरीज "
    "व्यापार बाजार कंपनी मजदूर नौकरी युवा महिला बच्चे खेल टीम मैच कप्तान फिल्म कलाकार संगीत यात्रा रेल "
    "विमान मौसम ठंड गर्मी फसल गेहूं धान मंत्री नेता दल विपक्ष सभा बैठक योजना नीति कानून फैसला जांच रिपोर्ट"
).split()


def article_text(number: int, sentences: int = 6) -> list[str]:
    """Paragraphs of Hindi-looking running text, different for every ``number`` (no two are near copies)."""
    chooser = random.Random(number)
    paragraphs = []
    for _ in range(sentences):
        words = [chooser.choice(WORDS) for _ in range(12)]
        paragraphs.append(f"{' '.join(words)} {number} के बारे में बताया गया है।")
    return paragraphs


def article_page(
    title: str,
    number: int,
    *,
    date: str | None = "2026-12-01",
    outlet: str = "नमूना समाचार",
    canonical: str | None = None,
    charset: str = "utf-8",
    text: Sequence[str] | None = None,
) -> str:
    """A news article's page, as a site prints it: navigation, the article, a footer."""
    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in (text or article_text(number)))
    published = f'<meta property="article:published_time" content="{date}">' if date else ""
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    return (
        f'<!doctype html><html lang="hi"><head><meta charset="{charset}"><title>{escape(title)}</title>'
        f'<meta property="og:title" content="{escape(title)}"><meta property="og:site_name" content="{outlet}">'
        f"{published}{link}</head><body><nav><a href='/'>होम</a> <a href='/desh/'>देश</a></nav>"
        f"<article><h1>{escape(title)}</h1>{paragraphs}</article><footer>© {outlet}</footer></body></html>"
    )


def rss(items: Iterable[dict[str, str]], title: str = "नमूना समाचार") -> str:
    """An RSS 2.0 feed of items with title, link, and optionally description and pubDate."""
    entries = "".join(
        "<item>" + "".join(f"<{key}>{escape(value)}</{key}>" for key, value in item.items()) + "</item>"
        for item in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{escape(title)}</title><link>http://127.0.0.1/</link><description>खबरें</description>"
        f"{entries}</channel></rss>"
    )


def rfc822(moment: datetime) -> str:
    return format_datetime(moment.replace(tzinfo=UTC), usegmt=True)


def urlset(urls: Iterable[tuple[str, str | None]]) -> str:
    rows = "".join(
        f"<url><loc>{escape(url)}</loc>{f'<lastmod>{lastmod}</lastmod>' if lastmod else ''}</url>"
        for url, lastmod in urls
    )
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{rows}</urlset>'


def news_sitemap(urls: Iterable[tuple[str, str, str]], outlet: str = "नमूना समाचार") -> str:
    """A Google News sitemap: (address, title, publication date) per article."""
    rows = "".join(
        f"<url><loc>{escape(url)}</loc><news:news><news:publication><news:name>{outlet}</news:name>"
        f"<news:language>hi</news:language></news:publication><news:publication_date>{date}</news:publication_date>"
        f"<news:title>{escape(title)}</news:title></news:news></url>"
        for url, title, date in urls
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{rows}</urlset>'
    )


def sitemap_index(sitemaps: Iterable[tuple[str, str | None]]) -> str:
    rows = "".join(
        f"<sitemap><loc>{escape(url)}</loc>{f'<lastmod>{lastmod}</lastmod>' if lastmod else ''}</sitemap>"
        for url, lastmod in sitemaps
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{rows}</sitemapindex>'
    )
