"""JSON Lines: one article object per line; a bad line is rejected on its own."""

from __future__ import annotations

import json
from collections.abc import Iterator

from archive.readers.article import CONTEXT_CHARS, make_record
from archive.readers.decode import decode_utf8
from archive.readers.inputs import Input, InputProblem
from archive.readers.lines import MAX_LINE_BYTES, iter_lines
from archive.readers.mapping import Lookup, pick
from archive.readers.records import CARRIED_KEY, CarriedRecord, Record, RejectedRecord


def from_object(obj: object, origin_file: str, origin_record: str, original: str, keys: Lookup) -> Record:
    """An article from one decoded JSON value, or the reason it cannot be one."""
    if not isinstance(obj, dict):
        return RejectedRecord(
            origin_file,
            origin_record,
            f"expected a JSON object with title and body, found {_json_kind(obj)}",
            context=original[:CONTEXT_CHARS],
        )
    if CARRIED_KEY in obj:  # (an export's synonyms, saved searches, …: stored after the articles before them)
        return CarriedRecord(str(obj[CARRIED_KEY]), obj, origin_file, origin_record)
    kept = obj.get("original")
    return make_record(
        pick(obj, keys),
        origin_file=origin_file,
        origin_record=origin_record,
        # an export of ours carries the text as first read: keep that rather than the export line
        original=kept if isinstance(kept, str) and kept else original,
        keys=list(obj),
        mapped={name: candidates[0] for name, candidates in keys.items()},
        carried_origins=obj.get("origins"),
    )


def _json_kind(value: object) -> str:
    return {list: "an array", str: "a string", bool: "true/false", type(None): "null"}.get(type(value), "a number")


def read_jsonl(source: Input, keys: Lookup) -> Iterator[Record]:
    for line in iter_lines(source.stream):
        where = f"line {line.number}"
        if line.overlong:
            yield RejectedRecord(
                source.origin,
                where,
                f"the line is {line.length:,} bytes long, more than the {MAX_LINE_BYTES // 2**20} MB a record may "
                "have; JSON Lines needs one article per line, is this file in that format?",
                context=line.data[:CONTEXT_CHARS].decode("utf-8", "replace"),
            )
            continue
        if not line.data.strip():
            continue
        try:
            text = decode_utf8(line.data, source.offset + line.offset).rstrip("\r\n")
        except InputProblem as problem:
            yield RejectedRecord(source.origin, where, problem.reason, context=problem.context)
            continue
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as error:
            cut_short = error.msg.startswith("Unterminated") or error.pos >= len(text.rstrip()) - 1
            cut = " (the line seems cut short)" if cut_short else ""
            yield RejectedRecord(
                source.origin,
                where,
                f"not valid JSON: {error.msg.removesuffix(' at')} at column {error.colno}{cut}; "
                "each line must be one JSON object",
                context=text[:CONTEXT_CHARS],
            )
            continue
        if isinstance(obj, list) and line.number == 1:
            yield RejectedRecord(
                source.origin,
                where,
                "the file starts with a JSON array, not one JSON object per line: it looks like a JSON file; "
                "read it with --format json",
                context=text,
            )
            continue
        yield from_object(obj, source.origin, where, text, keys)
