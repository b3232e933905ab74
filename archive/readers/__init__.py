"""Readers: pure generators that turn files into article records. No database, no index."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterable, Iterator
from importlib.resources import as_file, files
from pathlib import Path

from archive.readers.jsonl import read_jsonl
from archive.readers.records import ArticleRecord, Record, RejectedRecord
from archive.readers.text import read_text_file

__all__ = ["ArticleRecord", "Record", "RejectedRecord", "iter_files", "read_path", "read_paths", "seed_paths"]

SUFFIXES = (".txt", ".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz", ".txt.gz")


def _format_of(path: Path) -> str | None:
    name = path.name.lower()
    for suffix in SUFFIXES:
        if name.endswith(suffix):
            return suffix.removesuffix(".gz").lstrip(".").replace("ndjson", "jsonl")
    return None


def iter_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Files to read, directories walked recursively in name order, hidden entries skipped."""
    for path in paths:
        if path.is_dir():
            children = sorted(p for p in path.rglob("*") if p.is_file())
            for child in children:
                relative = child.relative_to(path).parts
                if any(part.startswith((".", "__")) for part in relative):
                    continue
                yield child
        else:
            yield path


def read_path(path: Path) -> Iterator[Record]:
    """Every record of one file, a rejected record for whatever cannot be read."""
    origin = str(path)
    kind = _format_of(path)
    if kind is None:
        yield RejectedRecord(origin, "-", f"unsupported file type; archive reads {', '.join(SUFFIXES)} files")
        return
    compressed = path.name.lower().endswith(".gz")
    try:
        if kind == "jsonl":
            opener = gzip.open if compressed else open
            with opener(path, "rb") as stream:
                yield from read_jsonl(stream, origin)
        else:
            data = gzip.decompress(path.read_bytes()) if compressed else path.read_bytes()
            yield from read_text_file(data, origin)
    except (EOFError, gzip.BadGzipFile, zlib.error) as error:
        yield RejectedRecord(
            origin,
            "-",
            "the compressed file is damaged or cut short; the records before the damage were read, "
            f"the rest were not ({error}). Re-create the file and ingest it again",
        )
    except OSError as error:
        yield RejectedRecord(origin, "-", f"cannot read the file ({error.strerror or error})")


def read_paths(paths: Iterable[Path]) -> Iterator[Record]:
    for path in iter_files(paths):
        yield from read_path(path)


def seed_paths() -> list[Path]:
    """The sample articles shipped inside the package."""
    seeds = files("archive.seeds")
    with as_file(seeds) as directory:
        return [Path(directory)]
