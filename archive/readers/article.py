"""From the fields a reader found to an :class:`ArticleRecord`, or the reason there is none.

Every reader ends here, so every format gets the same checks (types, a title and a body), the same
cleaning and the same reading of dates, outlets and credit lines.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from datetime import date

from archive.models import Origin
from archive.readers.clean import (
    author_name,
    clean_text,
    drop_also_read,
    drop_repeated_title,
    drop_style_debris,
    drop_title_danda,
    is_share_row,
    one_line,
    paragraphs,
    split_credit,
    split_opening_credit,
    split_title_outlet,
)
from archive.readers.dates import read_date
from archive.readers.records import ArticleRecord, Record, RejectedRecord

#: Our field names, as ``mapping`` keys use them; ``published`` is another name for ``date``.
FIELDS = ("title", "body", "summary", "url", "source", "category", "date", "language", "author")
_LINE_FIELDS = ("url", "source", "category", "language", "author")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
CONTEXT_CHARS = 200


def type_name(value: object) -> str:
    """How a wrong value is described to the person who wrote it.

    >>> type_name(5), type_name(True), type_name([1]), type_name({"a": 1})
    ('a number', 'true/false', 'a list', 'an object')
    """
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float) or type(value).__name__ == "Decimal":
        return "a number"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def make_record(
    raw: Mapping[str, object],
    *,
    origin_file: str,
    origin_record: str,
    original: str | None,
    keys: Collection[str] | None = None,
    mapped: Mapping[str, str] | None = None,
    unit: str = "record",
    carried_origins: object = None,
) -> Record:
    """The article in ``raw`` (our field names; values as read), cleaned.

    ``keys`` are the input's own keys or columns, for saying what there is when a field is missing
    (and pointing at ``--map``); formats without keys (text, HTML, feeds) leave it ``None``. ``mapped``
    names the input key a field was looked up under, when ``--map`` named one. ``carried_origins`` is
    the ``origins`` list of a record ``archive export`` wrote (see :func:`read_origins`).

    >>> body = "फैसले का संदेश\\nपाठ ।\\nfacebook twitter\\nसौजन्य- जनसत्ता, 25.01.2016।"
    >>> record = make_record(
    ...     {"title": "फैसले का संदेश (जनसत्ता)।", "body": body}, origin_file="a.txt", origin_record="1", original=None
    ... )
    >>> record.title, record.body, record.source, record.published
    ('फैसले का संदेश', 'पाठ।', 'जनसत्ता', datetime.date(2016, 1, 25))
    >>> make_record({"title": 7, "body": "पाठ"}, origin_file="a.jsonl", origin_record="line 1", original=None).reason
    "'title' should be text, found a number"
    """
    context = original[:CONTEXT_CHARS] if original else None

    def reject(reason: str) -> RejectedRecord:
        return RejectedRecord(origin_file, origin_record, reason, context=context)

    values: dict[str, str] = {}
    for name in FIELDS:
        value = raw.get(name)
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            return reject(f"'{name}' should be text, found {type_name(value)}")
        surrogate = _SURROGATE.search(value)
        if surrogate is not None:
            return reject(
                f"'{name}' has a broken character at position {surrogate.start()} (half of a UTF-16 pair, "
                "e.g. a lone \\ud83d escape); fix the text where it was written"
            )
        values[name] = value

    for name, what in (("title", "title"), ("body", "body text")):
        if not values.get(name, "").strip():
            return reject(_missing(name, what, raw, keys, (mapped or {}).get(name), unit))

    notes: list[str] = []
    title, title_outlet = split_title_outlet(one_line(values["title"]))
    title = drop_title_danda(title)
    source = one_line(values.get("source", "")) or title_outlet
    published: date | None = None
    if "date" in values:
        published, note = read_date(values["date"])
        notes.extend([note] if note else [])

    body = [paragraph for paragraph in paragraphs(values["body"]) if not is_share_row(paragraph)]
    body, opening_outlet, opening_author = split_opening_credit(drop_style_debris(body))
    source = source or opening_outlet or ""
    if opening_author and not values.get("author"):
        values["author"] = opening_author
    # (again after the headline: the debris may start the paragraph after a repeated headline)
    body = drop_style_debris(drop_also_read(drop_repeated_title([title, one_line(values["title"])], body)))
    body, credit = split_credit(body)
    if credit is not None:
        body = [p for p in body if not is_share_row(p)]
        source = source or credit.outlet
        if published is None and credit.date_text and "date" not in values:
            published = credit.published
            if published is None:
                notes.append(f"date '{credit.date_text}' in the credit line could not be read; left empty")
    if not title:
        return reject(f"no title: the {unit}'s title is only an outlet name")
    if not body:
        return reject(
            "no body text: nothing is left after removing the repeated headline, share buttons, "
            "'also read' links and the credit line"
        )

    origins, origins_note = read_origins(carried_origins)
    notes.extend([origins_note] if origins_note else [])
    line_values = {name: one_line(values[name]) for name in _LINE_FIELDS if name in values}
    summary = clean_text(values["summary"]) if "summary" in values else ""
    return ArticleRecord(
        title=title,
        body="\n\n".join(body),
        origin_file=origin_file,
        origin_record=origin_record,
        summary=summary or None,
        url=line_values.get("url") or None,
        source=source or None,
        category=line_values.get("category") or None,
        published=published,
        language=line_values.get("language") or "hi",
        author=author_name(line_values["author"]) if line_values.get("author") else None,
        original=original,
        notes=tuple(notes),
        carried_origins=origins,
    )


def read_origins(value: object) -> tuple[tuple[Origin, ...], str | None]:
    """The origins an exported record carries, and a note when they cannot be read (the record then
    stands for itself only).

    >>> read_origins([{"file": "raw/47.txt", "record": "1", "date": "2016-10-31"}])[0][0].published
    datetime.date(2016, 10, 31)
    >>> read_origins([{"file": 3}])
    ((), "'origins' should be a list of objects with a file and a record; ignored, this record is the origin")
    >>> read_origins(None)
    ((), None)
    """
    if value is None:
        return (), None
    problem = "'origins' should be a list of objects with a file and a record; ignored, this record is the origin"
    if not isinstance(value, list):
        return (), problem
    found: list[Origin] = []
    for entry in value:
        if not isinstance(entry, dict) or not all(isinstance(entry.get(k), str) for k in ("file", "record")):
            return (), problem
        texts = {k: entry.get(k) if isinstance(entry.get(k), str) else None for k in ("source", "date", "url")}
        published = read_date(texts["date"])[0] if texts["date"] else None
        found.append(Origin(entry["file"], entry["record"], texts["source"], published, texts["url"]))
    return tuple(found), None


def _missing(
    name: str, what: str, raw: Mapping[str, object], keys: Collection[str] | None, key: str | None, unit: str
) -> str:
    if keys is None:
        missing = "title" if name == "title" else "text"
        return f"no {what}: the {unit} has no {missing}; every article needs a title and a body"
    named = f"'{key}' (named by --map {name}={key})" if key and key != name else f"'{name}'"
    if name in raw and raw[name] is not None:
        return f"no {what}: {named} is empty; every article needs a title and a body"
    shown = ", ".join(sorted(keys)[:20]) or "nothing"
    return (
        f"no {what}: {named} is missing (the {unit} has: {shown}); every article needs a title and a body. "
        f"If it is under another name, use --map {name}=NAME"
    )
