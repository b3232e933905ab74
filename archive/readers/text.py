"""Text files: the scraped-news format of the seeds, and plain text (headline, then body)."""

from __future__ import annotations

from collections.abc import Iterator

from archive.readers.article import make_record
from archive.readers.clean import clean_line, is_share_row
from archive.readers.decode import decode_utf8
from archive.readers.inputs import Input, read_all
from archive.readers.records import Record, RejectedRecord

SCRAPED_MARKER = "+"
#: A text file is one article; a larger one is refused. (Bodies over the ingest limit are rejected there.)
MAX_TEXT_BYTES = 64 * 1024 * 1024


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
    lines = text.splitlines()
    # Only the headline (and the scraped format's marker and lede) are taken here; the rest goes to
    # make_record as it is, so that a huge file is cleaned once, not twice.
    heads: list[str] = []
    scraped = False
    body_start = len(lines)
    for number, line in enumerate(lines):
        cleaned = clean_line(line)
        if not heads and not scraped and cleaned == SCRAPED_MARKER:
            scraped = True
        elif cleaned and any(char.isalnum() for char in cleaned) and not is_share_row(cleaned):
            heads.append(cleaned)
        if len(heads) == (2 if scraped else 1):
            body_start = number + 1
            break
    rest = [line for line in lines[body_start:] if not is_share_row(line.strip())]
    if not heads:
        return RejectedRecord(origin_file, "1", "no body text: the file has no text; nothing to store", text[:200])
    if not any(line.strip() for line in rest):
        return RejectedRecord(
            origin_file,
            "1",
            "no body text: the file has a headline but no body text; add the article text below it",
            context=text[:200],
        )
    fields = {"title": heads[0], "summary": heads[1] if scraped and len(heads) > 1 else None, "body": "\n".join(rest)}
    return make_record(fields, origin_file=origin_file, origin_record="1", original=text, unit="file")


def read_text(source: Input) -> Iterator[Record]:
    data = read_all(source.stream, MAX_TEXT_BYTES, "the text file")
    text = decode_utf8(data, source.offset)
    del data  # a large file is held once, as text
    yield parse_text(text, source.origin)
