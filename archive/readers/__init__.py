"""Readers: pure generators that turn files into article records. No database, no index.

Every problem with the input becomes a :class:`RejectedRecord` naming the file, the record and what to
do; nothing here raises for bad input or prints.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from importlib.resources import as_file, files
from pathlib import Path, PurePosixPath

from archive.models import STDIN_ORIGIN
from archive.readers.delimited import read_delimited
from archive.readers.detect import FORMATS, Unsupported, detect_format
from archive.readers.inputs import (
    DAMAGE,
    HEAD_BYTES,
    STDIN,
    Input,
    InputProblem,
    ReadTracker,
    open_input,
)
from archive.readers.json_array import read_json
from archive.readers.jsonl import read_jsonl
from archive.readers.mapping import Lookup, lookup, mapping_problem
from archive.readers.records import ArticleRecord, CarriedRecord, Record, RejectedRecord
from archive.readers.text import read_text

__all__ = [
    "FORMATS",
    "ArticleRecord",
    "CarriedRecord",
    "ReadTracker",
    "Record",
    "RejectedRecord",
    "iter_files",
    "read_path",
    "read_paths",
    "seed_paths",
]

_READERS: dict[str, Callable[[Input, Lookup], Iterator[Record]]] = {
    "text": lambda source, _keys: read_text(source),
    "jsonl": read_jsonl,
    "json": read_json,
    "csv": lambda source, keys: read_delimited(source, keys, ","),
    "tsv": lambda source, keys: read_delimited(source, keys, "\t"),
    "html": lambda source, _keys: _read_html(source),
    "feed": lambda source, _keys: _read_feed(source),
}


# trafilatura and feedparser take a fifth of a second to import: only when a page or feed is read.
def _read_html(source: Input) -> Iterator[Record]:
    from archive.readers.webpage import read_html

    return read_html(source)


def _read_feed(source: Input) -> Iterator[Record]:
    from archive.readers.feeds import read_feed

    return read_feed(source)


def _skipped(name: str) -> bool:
    return name.startswith((".", "__"))


def _matches(patterns: Sequence[str], *candidates: str) -> bool:
    return any(fnmatch.fnmatchcase(candidate, pattern) for pattern in patterns for candidate in candidates)


def _wanted(relative: PurePosixPath, include: Sequence[str], exclude: Sequence[str]) -> bool:
    """``include``/``exclude`` globs against the path relative to the directory given and the file name;
    an ``exclude`` also matches any folder on the way (``--exclude drafts`` leaves out ``drafts/``)."""
    path, name = relative.as_posix(), relative.name
    folders = [parent.as_posix() for parent in relative.parents if parent != PurePosixPath(".")]
    folder_names = [PurePosixPath(folder).name for folder in folders]
    if exclude and _matches(exclude, path, name, *folders, *folder_names):
        return False
    return not include or _matches(include, path, name)


def _walk(directory: Path, seen: set[tuple[int, int]]) -> Iterator[Path]:
    """Files under ``directory`` in name order (folders in place, depth first), hidden and ``__``
    entries skipped, each folder once even when symbolic links lead back to it."""
    try:
        status = directory.stat()
        entries = sorted(os.scandir(directory), key=lambda entry: entry.name)
    except OSError:
        yield directory  # read_path names the problem
        return
    if (status.st_dev, status.st_ino) in seen:
        return
    seen.add((status.st_dev, status.st_ino))
    for entry in entries:
        if _skipped(entry.name):
            continue
        path = Path(entry.path)
        if entry.is_dir():
            yield from _walk(path, seen)
        elif entry.is_file() or entry.is_symlink():  # a link to nowhere is read, and named as such
            yield path


def iter_files(paths: Iterable[Path], *, include: Sequence[str] = (), exclude: Sequence[str] = ()) -> Iterator[Path]:
    """Files to read. Directories are walked recursively in name order, hidden and ``__`` entries
    skipped. ``include`` / ``exclude`` are glob patterns matched (``fnmatch``, case-sensitive) against the
    path relative to the directory given and against the file name; files given by name are matched the
    same way, on the path as given. ``Path("-")`` (standard input) is yielded as it is."""
    for path in paths:
        if path == STDIN:
            yield path
        elif path.is_dir():
            for child in _walk(path, set()):
                if _wanted(PurePosixPath(child.relative_to(path).as_posix()), include, exclude):
                    yield child
        elif _wanted(PurePosixPath(path.as_posix()), include, exclude):
            yield path


def read_path(
    path: Path,
    *,
    format: str | None = None,
    mapping: Mapping[str, str] | None = None,
    tracker: ReadTracker | None = None,
) -> Iterator[Record]:
    """Every record of one file (``Path("-")``: standard input), a rejected record for whatever cannot be
    read. ``format`` is one of :data:`FORMATS`, ``None`` to detect it; ``mapping`` maps our field names
    to the input's keys or columns, e.g. ``{"title": "headline"}``; ``tracker`` follows how far into the
    file reading has got."""
    origin = STDIN_ORIGIN if path == STDIN else str(path)
    problem = mapping_problem(mapping)
    if format is not None and format not in FORMATS:
        problem = f"unknown format '{format}'; use one of {', '.join(FORMATS)}"
    if problem is None and path != STDIN and path.is_symlink() and not path.exists():
        problem = (
            f"the symbolic link points to {os.readlink(path)}, which does not exist; "
            "fix the link or remove it, then ingest again"
        )
    if problem is not None:
        yield RejectedRecord(origin, "-", problem)
        return
    try:
        with open_input(path, tracker) as source:
            if not source.head.strip() and len(source.head) < HEAD_BYTES:
                yield RejectedRecord(origin, "-", "the file is empty; nothing to read")
                return
            kind = format or detect_format(source.name, source.head, mapping)
            if isinstance(kind, Unsupported):
                yield RejectedRecord(origin, "-", kind.reason, context=_printable_start(source.head))
                return
            yield from _READERS[kind](source, lookup(mapping))
    except InputProblem as error:
        yield RejectedRecord(origin, "-", error.reason, context=error.context)
    except DAMAGE as error:
        yield RejectedRecord(
            origin,
            "-",
            "the compressed file is damaged or cut short; the records before the damage were read, "
            f"the rest were not ({error}). Re-create the file and ingest it again",
        )
    except OSError as error:
        yield RejectedRecord(origin, "-", f"cannot read the file ({error.strerror or error})")


def _printable_start(head: bytes) -> str | None:
    text = head[:200].decode("utf-8", "replace")
    return text if text.isprintable() else None


def read_paths(
    paths: Iterable[Path],
    *,
    format: str | None = None,
    mapping: Mapping[str, str] | None = None,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
) -> Iterator[Record]:
    for path in iter_files(paths, include=include, exclude=exclude):
        yield from read_path(path, format=format, mapping=mapping)


def seed_paths() -> list[Path]:
    """The sample articles shipped inside the package."""
    seeds = files("archive.seeds")
    with as_file(seeds) as directory:
        return [Path(directory)]
