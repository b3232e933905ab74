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
from archive.readers.records import Record, RejectedRecord, shown

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


#: Columns named in a message, and the characters of each (a header row may be a whole article's text).
_COLUMNS_SHOWN = 12
_COLUMN_CHARS = 40


def _missing_columns(columns: list[str], keys: Lookup, delimiter: str) -> str | None:
    """What the header lacks, every required column at once (not one now and the next after a --map), with
    the columns it has and the --map that names them; None when nothing is missing."""
    present = pick(dict.fromkeys(columns, ""), keys)
    missing = [(name, what, holds) for name, what, holds in _REQUIRED if name not in present]
    if not missing:
        return None
    other = "\t" if delimiter == "," else ","
    if len(columns) == 1 and other in columns[0]:
        wrong, right = ("CSV", "tsv") if delimiter == "," else ("TSV", "csv")
        return (
            f"the header row has no {'comma' if delimiter == ',' else 'tab'} but has "
            f"{'tabs' if other == chr(9) else 'commas'}: this looks like {right.upper()}, not {wrong}; "
            f"read it with --format {right}"
        )
    lacks = " and ".join(f"no {what} column ('{keys[name][0]}')" for name, what, _ in missing)
    shown_columns = ", ".join(f"'{shown(c, _COLUMN_CHARS)}'" for c in columns[:_COLUMNS_SHOWN])
    more = f" and {len(columns) - _COLUMNS_SHOWN} more" if len(columns) > _COLUMNS_SHOWN else ""
    maps = " ".join(f"--map {name}=COLUMN" for name, _, _ in missing)
    holds = " and ".join(holds for _, _, holds in missing)
    return (
        f"{lacks}: the file's columns are {shown_columns}{more}. Name the columns that hold {holds} with "
        f"{maps}; no row of the file was read"
    )


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
        missing = _missing_columns(columns, keys, delimiter)
        if missing is not None:  # one reject for the file, not one a row
            yield RejectedRecord(source.origin, "row 1", missing, context=_as_csv(header, delimiter))
            return
        for number, row in enumerate(rows, start=2):
            if not any(cell.strip() for cell in row):
                continue  # a blank line
            original = _as_csv(row, delimiter)
            reason = _cell_count_problem(row, columns)
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
