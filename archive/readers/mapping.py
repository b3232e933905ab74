"""Which key or column of the input holds which of our fields (``--map title=headline``)."""

from __future__ import annotations

from collections.abc import Mapping

from archive.readers.article import FIELDS

#: Our field -> the input keys tried in turn.
Lookup = dict[str, tuple[str, ...]]


def mapping_problem(mapping: Mapping[str, str] | None) -> str | None:
    """Why ``mapping`` cannot be used, or ``None``.

    >>> mapping_problem({"title": "headline"}) is None
    True
    >>> mapping_problem({"heading": "h"})  # doctest: +ELLIPSIS
    "--map names 'heading', which is not a field; the fields are title, body, summary, url, ..."
    """
    for ours, theirs in (mapping or {}).items():
        if ours not in (*FIELDS, "published"):
            return f"--map names '{ours}', which is not a field; the fields are {', '.join(FIELDS)}"
        if not theirs:
            return f"--map {ours}= names no key or column"
    return None


def lookup(mapping: Mapping[str, str] | None) -> Lookup:
    """The keys to try for each field: the field's own name unless ``mapping`` names another.

    >>> lookup({"title": "headline", "published": "pubDate"})["title"], lookup({"published": "pubDate"})["date"]
    (('headline',), ('pubDate',))
    >>> lookup(None)["date"]
    ('date', 'published')
    """
    keys: Lookup = {name: (name,) for name in FIELDS}
    keys["date"] = ("date", "published")
    for ours, theirs in (mapping or {}).items():
        keys["date" if ours == "published" else ours] = (theirs,)
    return keys


def pick(obj: Mapping[str, object], keys: Lookup) -> dict[str, object]:
    """Our fields from one input object. A key is matched exactly, else ignoring case, else as a dotted
    path into nested objects (``meta.title``).

    >>> pick({"Headline": "शीर्षक", "meta": {"text": "पाठ"}}, lookup({"title": "headline", "body": "meta.text"}))
    {'title': 'शीर्षक', 'body': 'पाठ'}
    """
    folded: dict[str, str] | None = None
    fields: dict[str, object] = {}
    for name, candidates in keys.items():
        for key in candidates:
            if key in obj:
                fields[name] = obj[key]
                break
            if folded is None:
                folded = {str(k).casefold(): k for k in obj}
            if key.casefold() in folded:
                fields[name] = obj[folded[key.casefold()]]
                break
            found, value = _dotted(obj, key)
            if found:
                fields[name] = value
                break
    return fields


def _dotted(obj: Mapping[str, object], key: str) -> tuple[bool, object]:
    if "." not in key:
        return False, None
    value: object = obj
    for part in key.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return False, None
        value = value[part]
    return True, value
