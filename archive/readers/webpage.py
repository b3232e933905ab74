"""News pages saved as HTML: the article's text and metadata, without the page around it.

The extraction is trafilatura's. Compared with readability-lxml and jusText, which only find the main
text, trafilatura also returns the publication date, author, canonical url and site name a news page
carries in its markup, and it scores best on main-text extraction in its own evaluation and at or near
the top in independent ones (Scrapinghub's article-extraction-benchmark; Bevendorff et al., SIGIR 2023).
Menus, share buttons, related-article boxes and footers are left out by it; our cleaning rules then
drop what slips through ("ये भी पढ़ें" lines, share rows, the headline repeated in the text).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import trafilatura

from archive.readers.article import make_record
from archive.readers.clean import SENTENCE_END, paragraphs
from archive.readers.decode import decode_declared
from archive.readers.inputs import Input, read_all
from archive.readers.records import Record, RejectedRecord

#: A saved news page is far below this; larger HTML is refused rather than handed to the extractor.
MAX_HTML_BYTES = 16 * 1024 * 1024
#: How much of the page is kept as the record's ``original``.
ORIGINAL_HTML_CHARS = 2 * 1024 * 1024
#: A page is an article when its text has at least this many words of running text (sentences: paragraphs
#: that end like one, or are long): menus, lists of linked headlines and "page not found" notices do not.
MIN_ARTICLE_WORDS = 20


def _extract(html: str) -> dict[str, Any] | None:
    result = trafilatura.bare_extraction(
        html,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        # Dates only from the page's markup (meta tags, <time>), never guessed from dates in the text.
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    if result is None:
        return None
    return result if isinstance(result, dict) else result.as_dict()


def _running_words(text: str) -> int:
    """Words in sentences; a headline (no full stop, short) is not running text.

    >>> _running_words("दिल्ली में बारिश\\nआज बारिश हुई और राहत मिली।\\nमुंबई में भारी बारिश का अलर्ट जारी")
    6
    """
    words = 0
    for paragraph in paragraphs(text):
        count = len(paragraph.split())
        if count >= 15 or SENTENCE_END.search(paragraph):
            words += count
    return words


def read_html(source: Input) -> Iterator[Record]:
    data = read_all(source.stream, MAX_HTML_BYTES, "the HTML page")
    yield page_record(decode_declared(data, source.head), source.origin)


def page_record(html: str, origin: str, origin_record: str = "1") -> Record:
    """The article of one news page (already decoded), or the reason there is none."""
    original = html[:ORIGINAL_HTML_CHARS]
    try:
        found = _extract(html)
    except Exception as error:  # a third-party parser on arbitrary input: report it, never crash
        return RejectedRecord(origin, origin_record, f"the page could not be parsed as HTML ({error})", html[:200])
    text = str((found or {}).get("text") or "")
    words = _running_words(text)
    if words < MIN_ARTICLE_WORDS:
        return RejectedRecord(
            origin,
            origin_record,
            f"no article found in the page (only {words} words of running text; menus, link lists and short "
            "notices are not articles); save the article's own page, or read the file with --format text",
            context=html[:200],
        )
    assert found is not None
    fields = {
        "title": found.get("title"),
        "body": text,
        "summary": found.get("description"),
        "url": found.get("url"),
        "source": found.get("sitename"),
        "date": found.get("date"),
        "author": found.get("author"),
    }
    return make_record(fields, origin_file=origin, origin_record=origin_record, original=original, unit="page")
