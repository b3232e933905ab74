"""The database is the truth; whatever interrupts a run, the next command brings the index in step."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest

from archive.config import Settings
from archive.index.search_index import SearchIndex
from archive.index.sync import apply_changes, lag
from archive.readers import ArticleRecord
from archive.store.database import Store
from tests.conftest import Run, write_jsonl


def stats(run: Run) -> dict:  # type: ignore[type-arg]
    result = run("stats", "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_articles_committed_but_not_indexed_are_indexed_by_the_next_search(run: Run, settings: Settings) -> None:
    run("ingest")
    # What an ingest killed between its database commit and its index commit leaves behind:
    store = Store.open(settings, create=False)
    store.upsert(
        [ArticleRecord(title="अधूरा काम", body="चक्रवात तट से टकराया", origin_file="x", origin_record="1")], datetime.now()
    )
    store.close()
    before = stats(run)
    assert (before["articles"], before["indexed"], before["pending"], before["in_step"]) == (2, 1, 1, False)
    assert "in step:   no (1 waiting" in run("stats").stdout

    result = run("search", "चक्रवात", "--format", "json")
    assert json.loads(result.stdout)["total"] == 1
    after = stats(run)
    assert (after["indexed"], after["pending"], after["in_step"]) == (2, 0, True)


def test_a_deleted_index_is_rebuilt_from_the_database(run: Run, settings: Settings) -> None:
    run("ingest")
    shutil.rmtree(settings.index_dir.resolve())  # `index` is a link to the directory in use
    result = run("search", "लावरोव", "--format", "json")
    assert json.loads(result.stdout)["total"] == 1
    assert stats(run)["in_step"] is True


@pytest.mark.slow
def test_ingest_killed_at_random_moments_loses_nothing(tmp_path: Path, home: Path) -> None:
    records = [
        {"title": f"खबर संख्या {i}", "body": f"बाढ़ से जुड़ी खबर {i}। " * 40, "url": f"https://n/{i}"} for i in range(3000)
    ]
    source = write_jsonl(tmp_path / "big.jsonl", records)
    env = {**os.environ, "ARCHIVE_HOME": str(home)}
    env.pop("ARCHIVE_DB_URL", None)
    command = [sys.executable, "-m", "archive", "ingest", str(source)]
    delays = random.Random(7).sample([x / 10 for x in range(4, 40)], 6)  # random moments, the same each run
    for delay in delays:
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
    # whatever state the kills left, the next run completes the set without duplicates
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    check = subprocess.run(
        [sys.executable, "-m", "archive", "stats", "--format", "json"], env=env, capture_output=True, text=True
    )
    data = json.loads(check.stdout)
    assert (data["articles"], data["indexed"], data["in_step"]) == (3000, 3000, True)
    found = subprocess.run(
        [sys.executable, "-m", "archive", "search", "बाढ़", "--format", "json", "--limit", "1"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert json.loads(found.stdout)["total"] == 3000


def test_a_locked_index_gives_a_clear_message_and_searches_still_answer(
    run: Run, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from archive.index.search_index import SearchIndex

    run("ingest")
    monkeypatch.setenv("ARCHIVE_LOCK_TIMEOUT", "0.5")
    holder = SearchIndex(settings.index_dir)
    writer = holder.open().writer()  # another process writing, as far as the archive can tell
    try:
        path = write_jsonl(tmp_path / "new.jsonl", [{"title": "नई खबर", "body": "भूकंप के झटके महसूस हुए।"}])
        result = run("ingest", str(path))
        # everything is stored: the run finishes, and says what waits for the command holding the index (issue
        # 36: an ingest used to fail after the lock wait while `archive serve`'s follower applied the feed)
        assert result.exit_code == 0
        assert "1 change waits for the index: another archive command" in result.stderr
        assert json.loads(run("history", "--format", "json").stdout)[0]["status"] == "finished"
        # the article is stored, its change in the feed; a search does not wait for the lock and still answers
        found = run("search", "लावरोव", "--format", "json")
        assert found.exit_code == 0 and json.loads(found.stdout)["total"] == 1
    finally:
        writer.cancel()
        holder.close()
    # once the lock is free, the next command applies the feed
    assert json.loads(run("search", "भूकंप", "--format", "json").stdout)["total"] == 1


def test_an_article_changed_while_it_was_being_indexed_is_applied_again(run: Run, settings: Settings) -> None:
    # Another process updates an article after this one read it for the index and before its commit: the
    # commit's position covers only the change it applied, so the later one is still ahead of the index.
    run("ingest")
    store = Store.open(settings, create=False)
    index = SearchIndex(settings.index_dir)
    try:
        record = ArticleRecord(
            title="पहला रूप", body="मंडी में खरबूजा", url="https://example.com/a", origin_file="x", origin_record="1"
        )
        store.upsert([record], datetime(2024, 1, 1, 9))
        changed = ArticleRecord(
            title="दूसरा रूप", body="मंडी में तरबूज", url="https://example.com/a", origin_file="x", origin_record="1"
        )
        with index.writer() as writer:
            through = store.feed.head().position
            assert apply_changes(store, writer, through) == (1, False)
            assert store.upsert([changed], datetime(2024, 1, 1, 10)).updated == 1
        assert index.applied_position() == through and lag(store, index) == 1
    finally:
        index.close()
        store.close()
    assert json.loads(run("search", "तरबूज", "--format", "json").stdout)["total"] == 1
    assert json.loads(run("search", "खरबूजा", "--format", "json").stdout)["total"] == 0


def test_a_small_ingest_keeps_the_vocabulary_as_a_full_rescan_would(tmp_path: Path, settings: Settings) -> None:
    """A small ingest updates the vocabulary from the word forms its writer indexed (no second analysis of
    the text); the counts must be those a rescan of the whole lexicon gives."""
    import sqlite3

    from archive import Archive
    from archive.index.search_index import SearchIndex
    from tests.conftest import ARTICLES

    archive = Archive(settings=settings)
    archive.ingest([write_jsonl(tmp_path / "a.jsonl", ARTICLES[:20])])
    extra = [{**a, "title": a["title"] + " नयाशब्द", "url": f"https://n/{i}"} for i, a in enumerate(ARTICLES[20:])]
    archive.ingest([write_jsonl(tmp_path / "b.jsonl", extra)])

    def vocabulary() -> list[tuple[str, int]]:
        with sqlite3.connect(settings.index_dir / "vocabulary.sqlite") as db:
            rows = db.execute("SELECT form, documents FROM forms ORDER BY form").fetchall()
        db.close()
        return rows

    updated = vocabulary()
    assert ("नयाशब्द", len(extra)) in updated
    index = SearchIndex(settings.index_dir)
    index.rebuild_vocabulary()
    index.close()
    assert updated == vocabulary()
