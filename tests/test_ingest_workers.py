"""`archive ingest --workers N`: indexing in N worker processes gives the same archive as one, and a kill of a
worker or of the ingest itself loses nothing."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import psutil
import pytest
from whoosh import index as whoosh_index
from whoosh.qparser import QueryParser

from archive import Archive
from archive.config import Settings, resolve_settings
from archive.index.search_index import SearchIndex
from archive.index.sync import lag
from archive.ingest.pipeline import IngestOptions, ingest
from archive.ingest.workers import STAGING
from archive.store.database import Store
from tests.conftest import wait_for, without_commit_merges, write_jsonl

WORDS = "बाढ़ चक्रवात चुनाव संसद किसान बजट रेलवे अस्पताल विद्यालय सड़क बिजली पानी".split()
QUERIES = [*WORDS, "चुनाव संसद", '"किसान बजट"', "खबर", "अनोखा17", "बाढ़ OR रेलवे", "संशोधन"]


def _records(count: int, offset: int = 0) -> list[dict[str, str]]:
    """Articles whose words and lengths vary (a seeded draw), so that searches rank them by score, not ties."""
    records = []
    for i in range(offset, offset + count):
        draw = random.Random(i)
        body = " ".join(draw.choice(WORDS) for _ in range(draw.randrange(20, 400)))
        records.append(
            {"url": f"https://example.com/{i}", "title": f"खबर {i} {WORDS[i % len(WORDS)]}", "body": f"{body} अनोखा{i}"}
        )
    return records


def _tuned(home: Path, commit_every: int = 300) -> Settings:
    """Small commits and batches, so that a small input makes several commits, each of several batches; no
    merges at commit, so the segments show who wrote them."""
    settings = without_commit_merges(resolve_settings(home))
    tuning = settings.index._replace(commit_every=commit_every, commit_growth_cap=commit_every, batch=100)
    return replace(settings, index=tuning)


def _archive_of(settings: Settings) -> dict[str, Any]:
    """What must not depend on the number of workers: the articles, the index's documents, the results of
    the query set (totals and the ids of the first page, in order), and that the two agree."""
    store = Store.open(settings, create=False)
    index = SearchIndex(settings.index_dir, settings.index)
    try:
        assert lag(store, index) == 0
        articles = store.content_hashes()
        documents = index.stored_hashes()
    finally:
        index.close()
        store.close()
    assert documents == articles  # the index equals the database: no article lost or doubled
    archive = Archive(settings=settings)
    results = {}
    for query in QUERIES:
        found = archive.search(query, limit=10, collapse=False)
        results[query] = (found.total, _ranking([(hit.score, hit.id) for hit in found.hits], 10))
    return {"articles": articles, "results": results}


def _ranking(hits: list[tuple[float, int]], limit: int) -> list[list[int]]:
    """A page of hits as the ids of each score, best first. Documents of equal score come in the order of the
    index's segments, which no layout promises (`archive optimize`'s merges reorder them too), so the ids of
    one score are compared as a set, and the lowest score of a full page is left out (which of its ids made
    the page is such an order). Scores themselves are not compared: BM25's statistics count the deleted
    documents a layout holds (an updated article's earlier versions, until a merge drops them)."""
    groups: dict[float, list[int]] = {}
    for score, article in hits:
        groups.setdefault(round(score, 6), []).append(article)
    ranked = [sorted(ids) for ids in groups.values()]
    return ranked[:-1] if len(hits) == limit else ranked


def _segments(settings: Settings) -> list[int]:
    index = whoosh_index.open_dir(str(settings.index_dir))
    try:
        with index.searcher() as searcher:
            return [sub.doc_count_all() for sub, _ in searcher.leaf_searchers()]
    finally:
        index.close()


def test_workers_build_the_same_archive_as_one(tmp_path: Path) -> None:
    first = write_jsonl(tmp_path / "a.jsonl", _records(1_400))
    # article 17 changed twice by the next files (in one commit or two): only its last text may be found
    second = write_jsonl(tmp_path / "b.jsonl", [{**_records(1, 17)[0], "body": "पहला संशोधन"}, *_records(300, 1_400)])
    third = write_jsonl(tmp_path / "c.jsonl", [{**_records(1, 17)[0], "body": "दूसरा संशोधन अनोखा17"}])
    built: dict[int, dict[str, Any]] = {}
    segments: dict[int, list[int]] = {}
    for workers in (1, 2):
        settings = _tuned(tmp_path / f"home-{workers}")
        report = ingest(settings, [first, second, third], IngestOptions(background_index=True, workers=workers))
        assert (report.counts.added, report.counts.updated) == (1_700, 2)
        built[workers] = _archive_of(settings)
        segments[workers] = _segments(settings)
    assert built[2] == built[1]
    assert built[1]["results"]["संशोधन"][0] == 1 and built[1]["results"]["खबर"][0] == 1_700
    # the workers did write the index: commits of 300 articles, each in two segments, not one
    assert sum(segments[2]) == sum(segments[1])  # (article 17's earlier versions, deleted, in both)
    assert len(segments[2]) > len(segments[1])
    assert not (tmp_path / "home-2" / STAGING).exists()


def test_stock_whoosh_reads_an_index_the_workers_wrote(tmp_path: Path) -> None:
    settings = _tuned(tmp_path / "home", commit_every=200)
    source = write_jsonl(tmp_path / "a.jsonl", _records(500))
    ingest(settings, [source], IngestOptions(background_index=True, workers=2))
    assert len(_segments(settings)) >= 4
    index = whoosh_index.open_dir(str(settings.index_dir))
    try:
        with index.searcher() as searcher:
            hits = searcher.search(QueryParser("body", index.schema).parse("अनोखा321"), limit=5)
            assert [hit["id"] for hit in hits] == ["322"]  # (article ids count from 1)
            assert searcher.doc_count() == 500
    finally:
        index.close()


# --- kills ------------------------------------------------------------------------------------------

_SCRIPT = (
    "import sys; from dataclasses import replace; from pathlib import Path; "
    "from archive.config import resolve_settings; from archive.ingest.pipeline import IngestOptions, ingest; "
    "s = resolve_settings(Path(sys.argv[1])); "
    "s = replace(s, index=s.index._replace(commit_every=1_000, commit_growth_cap=1_000, batch=100)); "
    "ingest(s, [Path(sys.argv[2])], IngestOptions(background_index=True, workers=2))"
)


def _ingest_process(home: Path, source: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", _SCRIPT, str(home), str(source)], stderr=subprocess.DEVNULL)


def _workers_of(process: subprocess.Popen[bytes]) -> list[psutil.Process]:
    """The ingest's worker processes: the background indexer's spawned children."""
    try:
        found = []
        for indexer in psutil.Process(process.pid).children():
            found += [p for p in indexer.children() if "spawn_main" in " ".join(p.cmdline())]
        return found
    except psutil.Error:
        return []


def _staging_in_use(home: Path) -> bool:
    """A worker is writing: its staging index has its first files."""
    return any((home / STAGING).glob("*/*"))


def _committed(home: Path) -> bool:
    index = SearchIndex(home / "index")
    try:
        return (home / "index").exists() and index.applied_position() > 0
    finally:
        index.close()


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_jsonl(tmp_path_factory.mktemp("kills") / "big.jsonl", _records(8_000))


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory, source: Path) -> dict[str, Any]:
    """The archive one worker makes of the same input, undisturbed."""
    settings = resolve_settings(tmp_path_factory.mktemp("clean") / "home")
    ingest(settings, [source], IngestOptions(background_index=True, workers=1))
    return _archive_of(settings)


@pytest.mark.slow
def test_a_killed_worker_loses_nothing(tmp_path: Path, source: Path, clean: dict[str, Any]) -> None:
    home = tmp_path / "home"
    process = _ingest_process(home, source)
    # mid-commit, after a first commit: the workers hold staged work of the second one
    wait_for(lambda: process.poll() is not None or _committed(home), "the first commit")
    wait_for(lambda: process.poll() is not None or _staging_in_use(home), "a worker's staging index")
    workers = _workers_of(process)
    assert workers and process.poll() is None, "the ingest ended before its workers could be seen"
    workers[0].send_signal(signal.SIGKILL)

    assert process.wait(timeout=300) == 0  # the storing process's final sync indexes what was left
    assert _archive_of(resolve_settings(home)) == clean
    for worker in workers[1:]:
        wait_for(lambda w=worker: not w.is_running() or w.status() == psutil.STATUS_ZOMBIE, "the other workers")


@pytest.mark.slow
def test_a_killed_ingest_loses_nothing_and_leaves_nothing_in_the_way(
    tmp_path: Path, source: Path, clean: dict[str, Any]
) -> None:
    home = tmp_path / "home"
    process = _ingest_process(home, source)
    wait_for(lambda: process.poll() is not None or _committed(home), "the first commit")
    wait_for(lambda: process.poll() is not None or _staging_in_use(home), "a worker's staging index")
    helpers = psutil.Process(process.pid).children(recursive=True)
    assert helpers and process.poll() is None, "the ingest ended before it could be killed mid-commit"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    # the indexer and its workers end with it (holding no lock, writing nothing)
    for helper in helpers:
        wait_for(lambda h=helper: not h.is_running() or h.status() == psutil.STATUS_ZOMBIE, f"{helper.pid} to end")
    assert (home / STAGING).exists()  # what the killed commit staged is left...

    again = _ingest_process(home, source)  # ... and the next run carries on
    assert again.wait(timeout=300) == 0
    assert _archive_of(resolve_settings(home)) == clean
    assert not (home / STAGING).exists()
