"""Which format a file is in: from its name, and from its first bytes when the name does not say."""

from __future__ import annotations

import codecs
import csv
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePath

FORMATS = ("text", "jsonl", "json", "csv", "tsv", "html", "feed")

_EXTENSIONS = {
    ".txt": "text",
    ".text": "text",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".jsonlines": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".shtml": "html",
    ".rss": "feed",
    ".atom": "feed",
    ".xml": "feed",
}
_MAGIC = (
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or a Word/Excel/OpenDocument file)"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"BZh", "a bzip2 file"),
    (b"\xfd7zXZ", "an xz file"),
    (b"{\\rtf", "an RTF document"),
)
_TITLE_COLUMNS = {"title", "headline", "heading", "shirshak", "शीर्षक", "हेडलाइन"}
_BODY_COLUMNS = {"body", "text", "content", "article", "story", "पाठ", "समाचार", "खबर", "ख़बर", "लेख"}
_HTML_START = re.compile(r"<(?:html|head|body|article|div|p|h1|meta|title)\b", re.IGNORECASE)
_READS = "text, JSON Lines, JSON, CSV, TSV, HTML and RSS/Atom files (any of them gzip-compressed)"


@dataclass(frozen=True)
class Unsupported:
    reason: str


def _sniff(head: bytes, mapping: Mapping[str, str] | None) -> tuple[str | None, bool]:
    """(format, sure) from the first bytes; format ``None`` means binary or undecodable."""
    if b"\x00" in head or any(head.startswith(magic) for magic, _ in _MAGIC):
        return None, True
    try:  # a character cut at the end of the head is fine
        text = codecs.getincrementaldecoder("utf-8")("strict").decode(head, final=False)
    except UnicodeDecodeError:
        return None, True
    stripped = text.lstrip()
    first_line = stripped.split("\n", 1)[0].strip()
    if stripped.startswith("["):
        return "json", True
    if stripped.startswith("{"):
        return ("jsonl" if _is_json(first_line) or "\n" not in stripped else "json"), True
    if stripped.startswith("<"):
        start = stripped[:4096].lower()
        if any(tag in start for tag in ("<rss", "<feed", "<rdf:rdf")):
            return "feed", True
        if "<!doctype html" in start or _HTML_START.search(start):
            return "html", True
        if start.startswith("<?xml"):
            return "feed", True  # some XML: the feed reader says what is wrong with it
    if first_line == "+":
        return "text", True
    delimited = _header_format(first_line, mapping)
    if delimited is not None:
        return delimited, True
    return "text", False


def _is_json(line: str) -> bool:
    try:
        json.loads(line)
    except ValueError:
        return False
    return True


def _header_format(line: str, mapping: Mapping[str, str] | None) -> str | None:
    """``csv`` or ``tsv`` when ``line`` is a header row naming a title and a body column.

    >>> _header_format("title,body", None), _header_format("x\\ry", None)
    ('csv', None)
    """
    delimiter = "\t" if "\t" in line else ","
    try:
        cells = {cell.strip().casefold() for cell in next(csv.reader([line], delimiter=delimiter), [])}
    except csv.Error:  # e.g. a lone carriage return: not a header row
        return None
    titles = _TITLE_COLUMNS | {(mapping or {}).get("title", "title").casefold()}
    bodies = _BODY_COLUMNS | {(mapping or {}).get("body", "body").casefold()}
    if len(cells) >= 2 and cells & titles and cells & bodies:
        return "tsv" if delimiter == "\t" else "csv"
    return None


def detect_format(name: str, head: bytes, mapping: Mapping[str, str] | None = None) -> str | Unsupported:
    """The format of a file called ``name`` (lower-case, ``.gz`` removed; "" for standard input) that
    starts with ``head``.

    >>> detect_format("a.jsonl", b""), detect_format("", b'  [{"title": 1}]'), detect_format("", b"+\\n\\nx")
    ('jsonl', 'json', 'text')
    >>> detect_format("a.json", b'{"title": "x"}\\n{"title": "y"}'), detect_format("a.json", b'{\\n "title": 1}')
    ('jsonl', 'json')
    >>> detect_format("", b"headline,text\\nx,y"), detect_format("", b"<?xml version='1.0'?><rss>")
    ('csv', 'feed')
    >>> detect_format("notes", "शीर्षक\\nपाठ".encode())
    'text'
    >>> detect_format("b.pdf", b"%PDF-1.4").reason  # doctest: +ELLIPSIS
    'unsupported file type: this is a PDF document; archive reads text, ...'
    >>> detect_format("notes.md", "शीर्षक\\nपाठ".encode()).reason  # doctest: +ELLIPSIS
    "unsupported file type '.md'; archive reads ... To read it as plain text (headline, then body), use --format text"
    """
    extension = PurePath(name).suffix if name else ""
    # "2016.01.25" has no extension; only a short word after the last dot is one.
    extension = extension if re.fullmatch(r"\.[a-z][a-z0-9]{0,9}", extension) else ""
    by_name = _EXTENSIONS.get(extension)
    sniffed, sure = _sniff(head, mapping)
    if by_name == "json" and sniffed == "jsonl":
        return "jsonl"  # a .json file holding JSON Lines
    if by_name == "feed" and sniffed == "html":
        return "html"  # an .xml file holding XHTML
    if b"\x00" in head or any(head.startswith(magic) for magic, _ in _MAGIC):
        # a binary file is one reject whatever its name (a .jsonl of bytes is not 80 lines of bad UTF-8); text
        # that is not UTF-8 is read, each bad line rejected with its byte offset and the conversion to make
        magic = next((what for start, what in _MAGIC if head.startswith(start)), "a binary file, not text")
        named = f" although it is named {extension}" if by_name else ""
        return Unsupported(f"unsupported file type: this is {magic}{named}; archive reads {_READS}")
    if by_name is not None:
        return by_name
    if sniffed is None:
        magic = next((what for start, what in _MAGIC if head.startswith(start)), "a binary file, not text")
        return Unsupported(f"unsupported file type: this is {magic}; archive reads {_READS}")
    if extension and not sure:
        return Unsupported(
            f"unsupported file type '{extension}'; archive reads {_READS}. "
            "To read it as plain text (headline, then body), use --format text"
        )
    return sniffed
