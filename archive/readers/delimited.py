"""CSV and TSV files with a header row: one article per row, columns named by the header."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from archive.readers.article import CONTEXT_CHARS, make_record
from archive.readers.decode import decode_utf8
from archive.readers.inputs import Input, InputProblem
from archive.readers.lines import MAX_LINE_BYTES, iter_lines
from archive.readers.mapping import Lookup, pick
from archive.readers.records import Record, RejectedRecord

_REQUIRED = (("title", "title", "the headline"), ("body", "body text", "the article text"))


def _text_lines(source: Input) -> Iterator[str]:
    """Decoded lines for the csv module; a line it must not see raises :class:`InputProblem`."""
    for line in iter_lines(source.stream):
        if line.overlong:
            raise InputProblem(
                f"a line of {line.length:,} bytes, more than the {MAX_LINE_BYTES // 2**20} MB a row may have",
                context=line.data[:CONTEXT_CHARS].decode("utf-8", "replace"),
            )
        yield decode_utf8(line.data, source.offset + line.offset)


def _as_csv(row: list[str], delimiter: str) -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="").writerow(row)
    return out.getvalue()


def _missing_columns(columns: list[str], keys: Lookup) -> str | None:
    present = pick(dict.fromkeys(columns, ""), keys)
    for name, what, holds in _REQUIRED:
        if name not in present:
            wanted = keys[name][0]
            mapped = f" (named by --map {name}={wanted})" if wanted != name else ""
            return (
                f"no {what}: the file has no '{wanted}' column{mapped}; its columns are {', '.join(columns)}. "
                f"Name the column that holds {holds} with --map {name}=COLUMN"
            )
    return None


def read_delimited(source: Input, keys: Lookup, delimiter: str) -> Iterator[Record]:
    """Rows of a CSV (``delimiter=","``) or TSV (``"\\t"``) file. Rows are numbered as a spreadsheet shows
    them: the header is row 1. Quoted values may hold separators and line breaks."""
    # Articles are long: the csv module's default limit (128 KB a value) would refuse real bodies.
    # The limit is process-wide; it is only ever raised, to the longest line a reader accepts.
    csv.field_size_limit(max(csv.field_size_limit(), MAX_LINE_BYTES))
    rows = csv.reader(_text_lines(source), delimiter=delimiter)
    number = 0  # the last row read; a problem is in the row after it
    try:
        header = next(rows, None)
        if header is None:
            return
        number = 1
        columns = [column.strip() for column in header]
        missing = _missing_columns(columns, keys)
        for number, row in enumerate(rows, start=2):
            if not any(cell.strip() for cell in row):
                continue  # a blank line
            original = _as_csv(row, delimiter)
            reason = missing or _cell_count_problem(row, columns)
            if reason is not None:
                yield RejectedRecord(source.origin, f"row {number}", reason, context=original[:CONTEXT_CHARS])
                continue
            obj = dict(zip(columns, row, strict=True))
            yield make_record(
                pick(obj, keys),
                origin_file=source.origin,
                origin_record=f"row {number}",
                original=original,
                keys=columns,
                mapped={name: candidates[0] for name, candidates in keys.items()},
                unit="row",
            )
    except InputProblem as problem:
        yield RejectedRecord(
            source.origin, f"row {number + 1}", f"{problem.reason}; the rows after it were not read", problem.context
        )
    except csv.Error as error:
        yield RejectedRecord(
            source.origin,
            f"row {number + 1}",
            f"not valid {'TSV' if delimiter == chr(9) else 'CSV'} ({error}); the rows after it were not read",
        )


def _cell_count_problem(row: list[str], columns: list[str]) -> str | None:
    if len(row) == len(columns):
        return None
    fewer = len(row) < len(columns)
    cells = f"{len(row)} cell" + ("" if len(row) == 1 else "s")
    return f"the row has {cells} but the header has {len(columns)} columns; " + (
        "a separator may be missing, or a quoted value was not closed"
        if fewer
        else "a value holding the separator must be in double quotes"
    )
