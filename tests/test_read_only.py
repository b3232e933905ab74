"""A search only reads: on an archive with nothing queued, searching, showing, counting and finding similar
articles change no file under the home (database, index, vocabulary, values beside the segments)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from archive import Archive
from tests.conftest import ARTICLES, Run, write_jsonl


def snapshot(home: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``home``: its path, size and modification time (ns)."""
    found = {}
    for folder, _, names in os.walk(home):
        for name in names:
            path = Path(folder) / name
            status = path.stat()
            found[str(path.relative_to(home))] = (status.st_size, status.st_mtime_ns)
    return found


def test_reading_commands_change_nothing_under_the_home(run: Run, home: Path, tmp_path: Path) -> None:
    assert run("ingest", str(write_jsonl(tmp_path / "a.jsonl", ARTICLES))).exit_code == 0
    before = snapshot(home)
    assert any(name.endswith(".values") for name in before) and "archive.db" in before
    searches = [
        ["चुनाव"],
        ["चुनाव OR मतदाता", "--facet", "year", "--facet", "source", "--sort", "newest"],
        ['"भारी बारिश"', "--since", "2016-01-01", "--format", "json"],
        ["खबर*", "--page", "2", "--format", "csv"],
        ["अंतरिक्ष"],  # nothing found: suggestions
    ]
    for arguments in searches:
        assert run("search", *arguments).exit_code == 0
    assert json.loads(run("show", "3", "--format", "json").stdout)["id"] == 3
    assert json.loads(run("stats", "--format", "json").stdout)["in_step"] is True
    assert run("similar", "1").exit_code == 0
    with Archive(home) as archive:
        assert archive.search("बाढ़", facets=("month",)).total > 0
        assert archive.similar(2).hits and archive.stats().articles == len(ARTICLES)
    assert snapshot(home) == before


def test_a_reader_that_may_not_write_leaves_queued_work_alone(run: Run, home: Path, articles_file: Path) -> None:
    """``Archive(catch_up=False)`` (what a server of many readers uses) never writes, even with work queued."""
    from datetime import datetime

    from archive.readers.records import ArticleRecord
    from archive.store.database import Store

    run("ingest", str(articles_file))
    with Archive(home) as archive:
        store = Store.open(archive.settings, create=False)
        store.upsert([ArticleRecord(title="नई", body="चक्रवात आया", origin_file="x", origin_record="1")], datetime.now())
        store.close()
    before = snapshot(home)
    with Archive(home, catch_up=False) as reader:
        assert reader.search("चक्रवात").total == 0  # queued, not yet indexed: not found, and not indexed
    assert snapshot(home) == before
    with Archive(home) as archive:  # the explicit step (a search that may write) finds it
        assert archive.search("चक्रवात").total == 1
