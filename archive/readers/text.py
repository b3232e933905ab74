"""Text files: the scraped-news format of the seeds, and plain text (headline, then body)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from archive.readers.clean import clean_line
from archive.readers.records import ArticleRecord, Record, RejectedRecord

SCRAPED_MARKER = "+"
# Share-button rows that scrapers copy from the page footer.
_SHARE_FOOTER = re.compile(
    r"^(?:(?:facebook|twitter|instagram|whatsapp|linkedin|telegram|koo|email|share|x)[\s,|]*)+$",
    re.IGNORECASE,
)


def parse_text(text: str, origin_file: str) -> Record:
    """One article from the text of a ``.txt`` file.

    The scraped format starts with a ``+`` line, then the headline, the lede, the headline again,
    the body paragraphs and a share-button footer:

    >>> record = parse_text("+\\n\\nशीर्षक\\n\\nपहला अनुच्छेद।\\nशीर्षक\\nदूसरा।\\n\\nfacebook twitter", "a.txt")
    >>> record.title, record.summary, record.body
    ('शीर्षक', 'पहला अनुच्छेद।', 'दूसरा।')

    Plain text is a headline line followed by the body:

    >>> parse_text("शीर्षक\\n\\nपाठ एक।\\n\\nपाठ दो।", "b.txt").body
    'पाठ एक।\\n\\nपाठ दो।'
    """
    lines = [clean_line(line) for line in text.splitlines()]
    paragraphs = [line for line in lines if line]
    scraped = bool(paragraphs) and paragraphs[0] == SCRAPED_MARKER
    if scraped:
        paragraphs = paragraphs[1:]
    while paragraphs and _SHARE_FOOTER.match(paragraphs[-1]):
        paragraphs.pop()
    if not paragraphs:
        return RejectedRecord(origin_file, "1", "the file has no text; nothing to store")
    title, rest = paragraphs[0], paragraphs[1:]
    summary = None
    if scraped and rest:
        summary, rest = rest[0], rest[1:]
        if rest and rest[0] == title:
            rest = rest[1:]
    if not rest:
        return RejectedRecord(
            origin_file, "1", "the file has a headline but no body text; add the article text below it"
        )
    return ArticleRecord(
        title=title,
        summary=summary,
        body="\n\n".join(rest),
        origin_file=origin_file,
        origin_record="1",
    )


def read_text_file(data: bytes, origin_file: str) -> Iterator[Record]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        yield RejectedRecord(
            origin_file,
            "1",
            f"not valid UTF-8 (byte {error.start}); convert the file to UTF-8 and ingest it again",
        )
        return
    yield parse_text(text, origin_file)
