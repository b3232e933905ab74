"""Where an archive's disk goes: the database by table, index and text column, the index by file type,
each per MB of the articles' text.

    python -m benchmarks.disk HOME [--text-mb MB]

Without ``--text-mb`` the text is measured from the database (UTF-8 title + body, decompressed as the
archive reads it). Used by ``benchmarks.run`` after each ingest.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from collections import Counter
from pathlib import Path

MB = 1_000_000

#: Index files by what they hold (our files and Whoosh's), matched on the end of the name.
INDEX_KINDS = (
    (".trm", "term tables (.trm)"),
    (".pst", "postings (.pst)"),
    (".hot", "plain-array postings (.hot)"),
    (".hpos", "plain-array positions (.hpos)"),
    (".values", "per-document values (.values)"),
    ("_stored.col", "stored fields (_stored.col)"),
    ("_len.col", "field lengths (_len.col)"),
    (".col", "columns (.col)"),
    ("vocabulary.sqlite", "vocabulary (vocabulary.sqlite)"),
    (".toc", "tables of contents (.toc)"),
)


def index_parts(home: Path) -> Counter[str]:
    directory = (home / "index").resolve()
    parts: Counter[str] = Counter()
    if not directory.is_dir():
        return parts
    for path in directory.rglob("*"):
        if path.is_file():
            kind = next((label for end, label in INDEX_KINDS if path.name.endswith(end)), "other")
            parts[kind] += path.stat().st_size
    return parts


def database_parts(home: Path) -> Counter[str]:
    """Bytes per table and index (SQLite's dbstat), with the articles table split into its two long text
    columns and the rest; free pages and the write-ahead log apart."""
    path = home / "archive.db"
    parts: Counter[str] = Counter()
    if not path.exists():
        return parts
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        for name, size in connection.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name"):
            parts[f"table or index {name}"] = int(size)
        columns = connection.execute(
            "SELECT SUM(LENGTH(CAST(body AS BLOB))), SUM(LENGTH(CAST(original AS BLOB))) FROM articles"
        ).fetchone()
        (free_pages,) = connection.execute("PRAGMA freelist_count").fetchone()
        (page_size,) = connection.execute("PRAGMA page_size").fetchone()
        free = free_pages * page_size
    finally:
        connection.close()
    body, original = (int(value or 0) for value in columns)
    articles = parts.pop("table or index articles", 0)
    parts["articles.body"] = body
    parts["articles.original"] = original
    parts["articles, other columns and page overhead"] = max(0, articles - body - original)
    if free:
        parts["free pages"] = free
    for suffix in ("-wal", "-shm"):
        extra = path.with_name(path.name + suffix)
        if extra.exists():
            parts[f"archive.db{suffix}"] = extra.stat().st_size
    return parts


def measured_text_bytes(home: Path) -> int:
    from archive import Archive

    archive = Archive(home, catch_up=False)
    try:
        return sum(len(str(a["title"]).encode()) + len(str(a["body"]).encode()) for a in archive.export())
    finally:
        archive.close()


def report(home: Path, text_bytes: int, indent: str = "    ") -> tuple[int, int]:
    """Print the parts; returns (database bytes, index bytes)."""
    totals = []
    for title, parts in (("database", database_parts(home)), ("index", index_parts(home))):
        total = sum(parts.values())
        totals.append(total)
        print(f"{indent}{title}: {total / MB:,.1f} MB, {total / text_bytes:.3f} per MB of text", flush=True)
        for label, size in parts.most_common():
            if size >= total / 1000:
                print(f"{indent}  {label:<48} {size / MB:>9,.1f} MB  {size / text_bytes:.3f}/MB  {size / total:6.1%}")
    print(f"{indent}together: {sum(totals) / text_bytes:.3f}× the text ({text_bytes / MB:,.1f} MB)", flush=True)
    return totals[0], totals[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("home", type=Path)
    parser.add_argument("--text-mb", type=float, help="the text's size (default: measured from the database)")
    args = parser.parse_args(argv)
    text = int(args.text_mb * MB) if args.text_mb else measured_text_bytes(args.home)
    report(args.home, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
