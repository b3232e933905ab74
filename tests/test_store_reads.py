"""A search reads a current SQLite archive through sqlite3 directly (archive.store.readonly): the answers must
be the store's (the same statements through its SQLAlchemy engine), and anything that is not a current archive
must be left to the store."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

from archive import Archive
from archive.config import resolve_settings
from archive.readers.records import ArticleRecord
from archive.store.database import Store
from archive.store.readonly import ReadOnlyStore
from tests.conftest import ARTICLES, write_jsonl


def test_sqlite_reads_answer_as_the_store(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with Archive(home) as archive:
        archive.ingest([write_jsonl(tmp_path / "a.jsonl", ARTICLES)])
        store = Store.open(archive.settings, create=False)
    reads = ReadOnlyStore.sqlite(home / "archive.db")
    assert reads is not None
    try:
        ids = [31, 5, 2, 999]
        assert reads.texts(ids) == store.reads.texts(ids) and set(reads.texts(ids)) == {31, 5, 2}
        clusters = ["31", "1", "7", ""]
        assert reads.cluster_sources(clusters) == store.reads.cluster_sources(clusters)
        assert len(reads.cluster_sources(["31"])["31"]) == 3  # the wire story printed three times
        keys = ["नईदुनिया", "दैनिक जागरण", "कोई नहीं"]
        assert reads.source_labels(keys) == store.reads.source_labels(keys)
        head = reads.feed_head()
        assert head == store.reads.feed_head() and head.position > 0
        record = ArticleRecord(title="नया", body="नई खबर", origin_file="x", origin_record="1")
        store.upsert([record], datetime.now())
        # a read sees the other connection's commit
        assert reads.feed_head() == store.reads.feed_head() and reads.feed_head().last == head.position + 1
    finally:
        reads.close()
        store.close()


def test_anything_but_a_current_archive_is_left_to_the_store(tmp_path: Path) -> None:
    assert ReadOnlyStore.sqlite(tmp_path / "missing.db") is None
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    assert ReadOnlyStore.sqlite(empty) is None
    old = tmp_path / "old.db"
    with sqlite3.connect(old) as db:
        db.execute("CREATE TABLE alembic_version (version_num TEXT)")
        db.execute("INSERT INTO alembic_version VALUES ('0002')")
    db.close()
    assert ReadOnlyStore.sqlite(old) is None


def test_a_batch_is_clustered_as_if_its_articles_were_stored_one_by_one(tmp_path: Path) -> None:
    from tests.conftest import WIRE

    def records(tag: str) -> list[ArticleRecord]:
        bodies = [WIRE, "क्रिकेट मैच में भारत जीता और दर्शक खुश हुए।", WIRE + " अधिकारियों ने स्थिति पर नजर रखी।"]
        bodies += [WIRE.replace("हजारों", "सैकड़ों"), "क्रिकेट मैच में भारत जीता और दर्शक बहुत खुश हुए।", WIRE + " ।"]
        return [ArticleRecord(f"{tag}{n}", body, tag, str(n)) for n, body in enumerate(bodies)]

    clusters = []
    for batch_size in (1, 6):
        store = Store.open(resolve_settings(tmp_path / f"home-{batch_size}"), create=True)
        batch = records("r")
        for start in range(0, len(batch), batch_size):
            store.upsert(batch[start : start + batch_size], datetime.now())
        clusters.append([store.get(i).cluster_id for i in range(1, len(batch) + 1)])
        store.close()
    assert clusters[0] == clusters[1]
    assert clusters[0][0] == clusters[0][2] == 1 and clusters[0][1] == 2  # copies together, another story apart
