"""What the CLI and the web page both write from results: CSV that a spreadsheet cannot be tricked by, and
marked text split into paragraphs. Pure text in, text out; one copy for both, so they cannot drift apart.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a formula to Excel,
LibreOffice and Google Sheets, which evaluate it when the file is opened (CSV injection, OWASP): a title
``=HYPERLINK("http://evil", "click")`` becomes a link, ``@SUM(1+1)`` a sum. Such a cell is written with an
apostrophe in front, which the spreadsheets show as text and a reader of the CSV sees as one extra first
character: the text itself survives.

>>> safe_cell("=HYPERLINK(1)"), safe_cell("-5 डिग्री"), safe_cell("बाढ़"), safe_cell(-5)
("'=HYPERLINK(1)", "'-5 डिग्री", 'बाढ़', -5)
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

#: The first characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: The UTF-8 byte-order mark: without it Excel reads a CSV as the local code page (Devanagari as mojibake).
BOM = "\ufeff"

Marked = Sequence[tuple[str, bool]]


def safe_cell(value: Any) -> Any:
    """``value`` as a spreadsheet should show it: text that starts like a formula gets an apostrophe in
    front; numbers and everything else are left as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_lines(
    rows: Iterable[Mapping[str, Any]], fields: Sequence[str], *, bom: bool = True, ignore_extra: bool = False
) -> Iterator[str]:
    """The CSV of ``rows`` (``fields`` its columns, in order), a record at a time: first the header (after
    the byte-order mark unless ``bom`` is false), then one string per row, every text cell made safe by
    :func:`safe_cell`. A caller writes each as it comes, so a whole result set never sits in memory.

    >>> "".join(csv_lines([{"title": "@SUM(1+1)", "id": 3}], ("id", "title"), bom=False))
    "id,title\\n3,'@SUM(1+1)\\n"
    """
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, fieldnames=fields, lineterminator="\n", extrasaction="ignore" if ignore_extra else "raise"
    )
    if bom:
        buffer.write(BOM)
    writer.writeheader()
    yield _taken(buffer)
    for row in rows:
        writer.writerow({key: safe_cell(value) for key, value in row.items()})
        yield _taken(buffer)


def _taken(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def paragraphs(pieces: Iterable[tuple[str, bool]]) -> list[list[tuple[str, bool]]]:
    """Marked text (pieces of text, each marked or not) split into paragraphs at its line breaks; an
    empty line is an empty paragraph (the CLI prints it as a blank line, the page leaves it out).

    >>> paragraphs([("बाढ़ आई।\\nफिर ", False), ("बाढ़", True)])
    [[('बाढ़ आई।', False)], [('फिर ', False), ('बाढ़', True)]]
    """
    found: list[list[tuple[str, bool]]] = [[]]
    for part, is_marked in pieces:
        for number, line in enumerate(part.split("\n")):
            if number:
                found.append([])
            if line:
                found[-1].append((line, is_marked))
    return found
