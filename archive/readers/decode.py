"""Bytes to text, strictly: text that is not valid in its encoding is refused with the byte offset, never
mangled into replacement characters."""

from __future__ import annotations

import codecs
import re

from archive.readers.inputs import InputProblem

_CONVERT = "convert the file to UTF-8 (e.g. with iconv) and ingest it again"


def _around(data: bytes, position: int, codec: str = "utf-8") -> str:
    """The text just before ``position``, and the offending bytes shown as ``\\xff`` escapes."""
    return data[max(0, position - 150) : position + 8].decode(codec, "backslashreplace")[-200:]


def decode_utf8(data: bytes, offset: int = 0) -> str:
    """``data`` as text; ``offset`` is where ``data`` starts in the file, for the message.

    >>> decode_utf8("पाठ".encode())
    'पाठ'
    >>> try:
    ...     decode_utf8(b"ok \\xff", offset=100)
    ... except InputProblem as problem:
    ...     print(problem.reason[:34])
    not valid UTF-8 at byte 103; conve
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputProblem(
            f"not valid UTF-8 at byte {offset + error.start}; {_CONVERT}", context=_around(data, error.start)
        ) from None
    nul = text.find("\x00")
    if nul >= 0:
        position = offset + len(text[:nul].encode("utf-8"))
        raise InputProblem(
            f"a NUL byte at byte {position}: this is a binary file, or UTF-16 without a byte-order mark; "
            "only text files can be read",
            context=_around(data, position - offset),
        )
    return text


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""", re.IGNORECASE)


def declared_encoding(head: bytes) -> str | None:
    """The encoding an HTML ``<meta>`` or an XML declaration names, when Python knows it.

    >>> declared_encoding(b'<?xml version="1.0" encoding="windows-1252"?><rss>')
    'cp1252'
    >>> declared_encoding(b'<html><head><meta charset="utf-8">'), declared_encoding(b"<html>")
    ('utf-8', None)
    """
    match = _XML_ENCODING.search(head[:1024]) or _META_CHARSET.search(head[:8192])
    if match is None:
        return None
    try:
        return codecs.lookup(match.group(1).decode("ascii")).name
    except LookupError:
        return None


def decode_declared(data: bytes, head: bytes) -> str:
    """A whole HTML page or feed in the encoding it declares (UTF-8 when it declares none)."""
    codec = declared_encoding(head) or "utf-8"
    if codec in ("utf-8", "utf-16", "utf-16-le", "utf-16-be", "utf-32"):
        # The input is UTF-8 by now (UTF-16 files are converted when opened, whatever they declare).
        return decode_utf8(data)
    try:
        return data.decode(codec)
    except UnicodeDecodeError as error:
        raise InputProblem(
            f"not valid {codec} (the encoding the file declares) at byte {error.start}; {_CONVERT}",
            context=_around(data, error.start, "latin-1"),
        ) from None
