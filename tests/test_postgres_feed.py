"""Several nodes on one PostgreSQL archive: concurrent writers, a change feed no reader can skip through,
and nodes killed at random moments. Runs against the server `.ci/run` starts; skipped without one."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from archive.config import resolve_settings
from archive.index.search_index import SearchIndex
from archive.index.sync import ensure_index, sync_index
from archive.readers import ArticleRecord
from archive.store.database import Store
from archive.store.feed import ChangeFeed
from tests.conftest import PG_SERVER, write_jsonl

pytestmark = pytest.mark.skipif(not PG_SERVER, reason="ARCHIVE_TEST_PG_URL is not set (no PostgreSQL server)")


def archive(home: Path, db: str, *args: str, expect: int = 0) -> subprocess.CompletedProcess[str]:
    """One command of a node, in its own process (as on its own machine)."""
    done = subprocess.run(
        [sys.executable, "-m", "archive", "--home", str(home), "--db", db, *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=_env(),
    )
    assert done.returncode == expect, done.stderr + done.stdout[:3000]
    return done


def start(home: Path, db: str, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "archive", "--home", str(home), "--db", db, *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=_env(),
    )


def _env() -> dict[str, str]:
    env = {**os.environ}
    env.pop("ARCHIVE_HOME", None)
    env.pop("ARCHIVE_DB_URL", None)
    return env


def as_json(result: subprocess.CompletedProcess[str]) -> Any:
    return json.loads(result.stdout)
    return json.loads(result.stdout)


def every_copy(home: Path, db: str, query: str) -> set[int]:
    found = as_json(archive(home, db, "search", query, "--no-collapse", "--limit", "5000", "--format", "json"))
    return {int(hit["id"]) for hit in found["hits"]}


def stored_ids(db: str, containing: str) -> set[int]:
    import psycopg

    from archive.store.packing import unpack

    with psycopg.connect(db) as connection:
        rows = connection.execute("SELECT id, body FROM articles").fetchall()
    # (bodies are stored compressed: read as the archive reads them)
    return {int(row[0]) for row in rows if containing in (unpack(row[1]) or "")}


def agrees(home: Path, db: str, articles: int) -> None:
    """After its next command, the node's index equals the database."""
    archive(home, db, "search", "संवाददाता")
    report = as_json(archive(home, db, "check", "--format", "json"))
    assert report["healthy"] is True, report
    assert (report["articles"], report["indexed"]) == (articles, articles), report
    assert report["position"] == report["head"], report


def reports(path: Path, count: int, word: str, start: int = 0, repeat: int = 1, site: str | None = None) -> Path:
    records = [
        {
            "title": f"{word} खबर {i}",
            "body": f"संवाददाता के अनुसार {word} की घटना संख्या {i} हुई। " * repeat,
            "url": f"https://n/{site or word}/{i}",
            "source": ["जनसत्ता", "अमर उजाला", "दैनिक जागरण"][i % 3],
        }
        for i in range(start, start + count)
    ]
    return write_jsonl(path, records)


@pytest.mark.slow
def test_three_nodes_two_writing_at_once_each_index_equals_the_database(database: str, tmp_path: Path) -> None:
    a, b, c = (tmp_path / name for name in "abc")
    first = start(a, database, "ingest", str(reports(tmp_path / "a.jsonl", 300, "बाढ़")))
    second = start(b, database, "ingest", str(reports(tmp_path / "b.jsonl", 300, "सूखा")))
    assert (first.wait(timeout=300), second.wait(timeout=300)) == (0, 0)
    assert every_copy(c, database, "संवाददाता") == stored_ids(database, "संवाददाता")
    assert len(stored_ids(database, "संवाददाता")) == 600
    # updates on a, deletes on b, both at once; c searches
    updated = reports(tmp_path / "a2.jsonl", 300, "तूफान", site="बाढ़")  # the same addresses, a new text
    update = start(a, database, "ingest", str(updated))
    archive(b, database, "delete", "--source", "जनसत्ता", "--yes")
    assert update.wait(timeout=300) == 0
    left = len(stored_ids(database, "संवाददाता"))
    assert left < 600 and len(stored_ids(database, "तूफान")) > 0
    assert every_copy(c, database, "तूफान") == stored_ids(database, "तूफान")
    assert every_copy(c, database, "बाढ़") == stored_ids(database, "बाढ़") == set()
    assert every_copy(c, database, "सूखा") == stored_ids(database, "सूखा")
    archive(a, database, "ingest", str(reports(tmp_path / "one.jsonl", 1, "ओले")))  # b has run nothing since
    left += 1
    behind = as_json(archive(b, database, "check", "--format", "json", expect=1))
    assert behind["pending"] > 0 and (behind["missing"], behind["extra"], behind["stale"]) == ([], [], [])
    assert "the index is behind, not wrong" in archive(b, database, "check", expect=1).stdout
    for node in (a, b, c):
        agrees(node, database, left)
    nodes = as_json(archive(c, database, "nodes", "--format", "json"))
    assert sorted(n["home"] for n in nodes) == sorted(str(h.resolve()) for h in (a, b, c))
    assert all(n["behind"] == 0 for n in nodes)


@pytest.fixture
def stores(database: str, tmp_path: Path) -> Iterator[tuple[Store, Store, Store]]:
    """Two writers and a reader, each with its own connections (as three processes would have)."""
    settings = resolve_settings(tmp_path / "home", database)
    opened = [Store.open(settings, create=True) for _ in range(3)]
    yield opened[0], opened[1], opened[2]
    for store in opened:
        store.close()


def record(word: str) -> ArticleRecord:
    return ArticleRecord(
        title=f"{word} की खबर", body=f"{word} पर संवाददाता की रिपोर्ट", origin_file="t", origin_record=word
    )


@pytest.mark.parametrize("locked", [True, False], ids=["with the feed's lock", "without it: the trap is real"])
def test_a_change_numbered_first_and_committed_last_is_not_skipped(
    stores: tuple[Store, Store, Store], tmp_path: Path, locked: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Writer 1 numbers its change, then stalls in its commit; writer 2 numbers a later change and commits;
    a node catches up in between. Without the lock the node applies the later number first and never
    sees the earlier one: the case proves the test can fail, and the lock that it cannot."""
    slow, quick, reader = stores
    if not locked:
        monkeypatch.setattr(ChangeFeed, "_take_feed_lock", staticmethod(lambda session: None))
    index = SearchIndex(tmp_path / "home" / "index")
    ensure_index(reader, index)
    sync_index(reader, index)
    in_commit, release = threading.Event(), threading.Event()

    def stall(connection: Any) -> None:
        if not in_commit.is_set():
            in_commit.set()
            assert release.wait(timeout=30)

    event.listen(slow.engine, "commit", stall)  # (fires before the COMMIT is sent: its changes are written)
    writers = [threading.Thread(target=slow.upsert, args=([record("पहला")], datetime.now()))]
    writers[0].start()
    assert in_commit.wait(timeout=30)
    writers.append(threading.Thread(target=quick.upsert, args=([record("दूसरा")], datetime.now())))
    writers[1].start()
    writers[1].join(timeout=2)  # done without the lock; waiting on writer 1 with it
    assert writers[1].is_alive() is locked
    sync_index(reader, index)  # a node catching up while writer 1 has not committed
    release.set()
    for writer in writers:
        writer.join(timeout=30)
    sync_index(reader, index)  # and again, after every writer committed
    with index.searcher() as searcher:
        indexed = {fields["title"] for fields in searcher.all_stored_fields()}
    index.close()
    assert "दूसरा की खबर" in indexed
    assert ("पहला की खबर" in indexed) is locked


@pytest.mark.slow
def test_nodes_killed_at_random_moments_mid_ingest_and_mid_catch_up_lose_nothing(database: str, tmp_path: Path) -> None:
    writer, follower = tmp_path / "writer", tmp_path / "follower"
    archive(follower, database, "ingest")  # the follower has an index to catch up
    source = reports(tmp_path / "big.jsonl", 2000, "बाढ़", repeat=20)
    moments = random.Random(11).sample([x / 10 for x in range(5, 40)], 4)  # random moments, the same each run
    for moment in moments:
        ingest = start(writer, database, "ingest", str(source))
        time.sleep(moment)
        catch_up = start(follower, database, "search", "बाढ़")
        time.sleep(moment / 2)
        for process in (ingest, catch_up):
            process.send_signal(signal.SIGKILL)
            process.wait()
    archive(writer, database, "ingest", str(source))
    stored = stored_ids(database, "बाढ़")
    assert len(stored) == 2000  # none twice, none lost
    for node in (writer, follower):
        assert every_copy(node, database, "बाढ़") == stored
        agrees(node, database, 2001)
