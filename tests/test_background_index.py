"""Ingest with a second process indexing while the first stores: the same archive as a serial ingest."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from archive import Archive
from archive.config import Settings, resolve_settings
from archive.index.search_index import SearchIndex
from archive.index.sync import lag
from archive.ingest.pipeline import IngestOptions, ingest
from archive.store.database import Store
from tests.conftest import Run, wait_for, without_commit_merges, write_jsonl

WORDS = "बाढ़ चक्रवात चुनाव संसद किसान बजट रेलवे अस्पताल विद्यालय सड़क बिजली पानी".split()


def _records(count: int, offset: int = 0) -> list[dict[str, str]]:
    return [
        {
            "url": f"https://example.com/{i}",
            "title": f"खबर {i} {WORDS[i % len(WORDS)]}",
            "body": " ".join(WORDS[(i * 7 + k) % len(WORDS)] for k in range(40)) + f" अनोखा{i}",
        }
        for i in range(offset, offset + count)
    ]


def _search(run: Run, query: str) -> dict:  # type: ignore[type-arg]
    result = run("search", query, "--format", "json", "--limit", "50", "--no-collapse")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.slow
def test_background_indexing_indexes_everything_stored_and_the_last_version(
    tmp_path: Path, settings: Settings, run: Run
) -> None:
    first = write_jsonl(tmp_path / "a.jsonl", _records(1_500))
    # a later file changes article 7, twice: only its last text may be found
    changed = [{**_records(1, 7)[0], "body": "पहला संशोधन"}]
    second = write_jsonl(tmp_path / "b.jsonl", _records(1_500, 1_500) + changed)
    third = write_jsonl(tmp_path / "c.jsonl", [{**changed[0], "body": "दूसरा संशोधन अंतिम"}])

    report = ingest(settings, [first, second, third], IngestOptions(background_index=True))

    assert (report.counts.added, report.counts.updated, report.counts.rejected) == (3_000, 2, 0)
    assert report.indexed >= 3_000
    stats = json.loads(run("stats", "--format", "json").stdout)
    assert (stats["articles"], stats["indexed"], stats["pending"], stats["in_step"]) == (3_000, 3_000, 0, True)
    assert _search(run, "अनोखा2999")["total"] == 1
    assert _search(run, "अंतिम")["total"] == 1
    assert _search(run, "संशोधन")["total"] == 1  # one document for article 7, not one per version
    assert _search(run, "पहला")["total"] == 0


def test_background_and_serial_ingests_build_the_same_index(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "a.jsonl", _records(600))
    totals: dict[bool, list[int]] = {}
    for background in (False, True):
        settings = resolve_settings(tmp_path / f"home-{background}")
        ingest(settings, [source], IngestOptions(background_index=background))
        store = Store.open(settings, create=False)
        try:
            assert lag(store, SearchIndex(settings.index_dir)) == 0
        finally:
            store.close()
        archive = Archive(settings=settings)
        totals[background] = [archive.search(w, limit=5, collapse=False).total for w in [*WORDS, "अनोखा599", "खबर"]]
    assert totals[True] == totals[False]
    assert min(totals[True]) >= 1


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _committed(index_dir: Path) -> bool:
    if not index_dir.exists():
        return False
    index = SearchIndex(index_dir)
    try:
        return index.applied_position() > 0
    finally:
        index.close()


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/status").read_text().split("State:")[1].split()[0] not in ("Z", "X")
    except (OSError, IndexError):
        return False


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads process trees from /proc")
def test_killing_the_storing_process_stops_the_indexer_and_the_next_search_catches_up(
    tmp_path: Path, home: Path, run: Run
) -> None:
    source = write_jsonl(tmp_path / "big.jsonl", _records(20_000))
    script = (
        "import sys; from pathlib import Path; from archive.config import resolve_settings; "
        "from archive.ingest.pipeline import IngestOptions, ingest; "
        "ingest(resolve_settings(Path(sys.argv[1])), [Path(sys.argv[2])], IngestOptions(background_index=True))"
    )
    process = subprocess.Popen([sys.executable, "-c", script, str(home), str(source)], stderr=subprocess.DEVNULL)
    wait_for(lambda: process.poll() is not None or _children(process.pid), "the background indexer")
    indexer = _children(process.pid)
    assert indexer and process.poll() is None, "the ingest ended before its indexer could be seen"
    # both processes at work: the indexer has committed a part of what the first one stores
    wait_for(lambda: process.poll() is not None or _committed(home / "index"), "the indexer's first commit")
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    wait_for(lambda: not any(_alive(pid) for pid in indexer), "the indexer to end with the process it indexed for")

    stored = json.loads(run("stats", "--format", "json").stdout)["articles"]
    assert stored > 0
    assert _search(run, "अनोखा0")["total"] == 1
    stats = json.loads(run("stats", "--format", "json").stdout)
    assert (stats["indexed"], stats["pending"], stats["in_step"]) == (stored, 0, True)


def test_a_long_ingests_commits_grow_as_large_as_all_before_them(tmp_path: Path) -> None:
    # commits of 100 at first, then as large as all the run's earlier ones, up to 250: 100, 100, 200, 250 and
    # the rest; no catch-up commits (as for a large input), and no merges, so each commit stays a segment
    settings = without_commit_merges(resolve_settings(tmp_path / "home"))
    tuning = settings.index._replace(commit_every=100, commit_growth_cap=250, idle_commit_input_bytes=0)
    settings = replace(settings, index=tuning)
    source = write_jsonl(tmp_path / "a.jsonl", _records(800))

    report = ingest(settings, [source], IngestOptions(background_index=True))

    assert report.counts.added == 800
    index = whoosh_index.open_dir(str(settings.index_dir))
    try:
        with index.searcher() as searcher:
            sizes = [sub.doc_count_all() for sub, _ in searcher.leaf_searchers()]
    finally:
        index.close()
    assert sizes == [100, 100, 200, 250, 150]
    assert Archive(settings=settings).search("अनोखा799").total == 1
