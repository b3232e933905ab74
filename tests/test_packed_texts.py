"""Bodies and originals stored compressed (migration 0009, ``archive.store.packing``): an archive made as
the release before stored it is migrated with its data and its export unchanged, a migration killed midway
goes on where it stopped, and everything that reads texts reads them the same."""

from __future__ import annotations

import json
import random
import sqlite3
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine

from archive.config import Settings, resolve_settings
from archive.store.database import Store
from archive.store.packing import is_packed, pack, unpack
from archive.store.schema import SCHEMA_HEAD, alembic_config
from tests.conftest import PG_SERVER, Run, write_jsonl

WORDS = (
    "सरकार संसद चुनाव मंत्री किसान बारिश अदालत फैसला बजट नीति शिक्षा अस्पताल डॉक्टर पुलिस शहर गांव नदी "
    "सड़क रेल विमान बाजार कंपनी बैंक रुपया कीमत महंगाई रोजगार युवा खेल टीम मैच जीत हार"
).split()


def articles(count: int, seed: int = 7) -> list[dict[str, str]]:
    rng = random.Random(seed)
    return [
        {
            "title": f"{rng.choice(WORDS)} {rng.choice(WORDS)} खबर {n}",
            "body": " ".join(rng.choice(WORDS) for _ in range(rng.randint(80, 200))) + "।",
            "url": f"https://example.org/{n}",
            "source": rng.choice(("दैनिक जागरण", "अमर उजाला", "जनसत्ता")),
            "date": f"2016-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
        }
        for n in range(count)
    ]


def stored_kinds(db: Path) -> list[tuple[str, str]]:
    """SQLite's own type of each body and original, as stored."""
    with sqlite3.connect(db) as connection:
        return connection.execute("SELECT typeof(body), typeof(original) FROM articles ORDER BY id").fetchall()


def revision(db: Path) -> str:
    with sqlite3.connect(db) as connection:
        return str(connection.execute("SELECT version_num FROM alembic_version").fetchone()[0])


def test_packing_round_trips_text_and_reads_plain_values() -> None:
    text = "संसद में आज बजट पेश हुआ। 2016-17 (₹) \u200d" * 20
    packed = pack(text)
    assert packed is not None and is_packed(packed) and len(packed) < len(text.encode())
    assert unpack(packed) == text
    # what a database holds before 0009 packed it: text, or UTF-8 bytes on PostgreSQL after the type change
    assert unpack(text) == text and unpack(text.encode()) == text and unpack(memoryview(packed)) == text
    assert pack(None) is None and unpack(None) is None
    # UTF-8 text never starts as a zstd frame does (0x28 then a continuation byte)
    assert not is_packed("(µ".encode())


def test_an_archive_of_the_release_before_is_packed_with_its_data_and_export_unchanged(
    run: Run, settings: Settings, tmp_path: Path
) -> None:
    run("ingest", str(write_jsonl(tmp_path / "a.jsonl", articles(300))))
    exported = run("export").stdout
    found = run("search", "किसान", "--format", "json").stdout
    db = settings.home / "archive.db"
    # the database as the release before left it: revision 0008, every text plain
    engine = create_engine(settings.db_url)
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0008")
    engine.dispose()
    assert revision(db) == "0008" and set(stored_kinds(db)) == {("text", "text")}
    sqlite3.connect(db).execute("VACUUM").connection.close()
    plain_size = db.stat().st_size

    store = Store.open(settings, create=False)  # opening migrates
    assert store.current_revision() == SCHEMA_HEAD  # 0009 and every migration after it
    store.close()
    assert set(stored_kinds(db)) == {("blob", "blob")}
    assert db.stat().st_size < 0.6 * plain_size  # vacuumed: the plain texts' pages are given back
    assert run("export").stdout == exported
    assert run("search", "किसान", "--format", "json").stdout == found
    backup = settings.home / f"archive.db.before-{SCHEMA_HEAD}.bak"  # (named by the head it migrated to)
    assert revision(backup) == "0008"


KILLER = """
import os, sys
import zstandard
from pathlib import Path
from archive.config import resolve_settings
from archive.store.database import Store

calls = 0
compress = zstandard.compress

def dying(data, level):
    global calls
    calls += 1
    if calls > int(sys.argv[2]):
        os._exit(9)  # as a kill -9 would: no clean-up, no rollback but the database's own
    return compress(data, level)

zstandard.compress = dying
Store.open(resolve_settings(Path(sys.argv[1])), create=False)
"""


@pytest.mark.slow
def test_a_packing_killed_midway_keeps_its_batches_reads_correctly_and_goes_on(settings: Settings) -> None:
    settings.home.mkdir(parents=True)
    db = settings.home / "archive.db"
    engine = create_engine(settings.db_url)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0008")
    engine.dispose()
    records = articles(4100, seed=11)
    now = datetime(2026, 1, 1).isoformat(" ")
    with sqlite3.connect(db) as connection:  # rows as the release before wrote them: plain text
        connection.executemany(
            "INSERT INTO articles (title, body, source, language, content_hash, ingested_at, updated_at, "
            "origin_file, origin_record, original) VALUES (?, ?, ?, 'hi', ?, ?, ?, 'f.jsonl', ?, ?)",
            [
                (
                    r["title"],
                    r["body"],
                    r["source"],
                    f"h{n}",
                    now,
                    now,
                    f"line {n + 1}",
                    json.dumps(r, ensure_ascii=False),
                )
                for n, r in enumerate(records)
            ],
        )
    # one body packed per article: dies in the second batch of 2,000, after the first one's commit
    killed = subprocess.run([sys.executable, "-c", KILLER, str(settings.home), "2500"], capture_output=True)
    assert killed.returncode == 9, killed.stderr.decode()[-2000:]
    kinds = stored_kinds(db)
    assert revision(db) == "0008"
    assert kinds[:2000] == [("blob", "blob")] * 2000 and set(kinds[2000:]) == {("text", "text")}

    # half packed, every text reads as it was stored (the archive's reads unpack what is packed)
    with sqlite3.connect(db) as connection:
        bodies = connection.execute("SELECT body FROM articles WHERE id IN (1, 4100) ORDER BY id").fetchall()
    assert [unpack(body) for (body,) in bodies] == [records[0]["body"], records[4099]["body"]]
    store = Store.open(settings, create=False)  # and the next open goes on from there
    assert store.current_revision() == SCHEMA_HEAD
    assert set(stored_kinds(db)) == {("blob", "blob")}
    for article_id in (1, 2000, 2001, 4100):
        article = store.get(article_id)
        assert (article.title, article.body) == (records[article_id - 1]["title"], records[article_id - 1]["body"])
        assert json.loads(article.original or "") == records[article_id - 1]
    store.close()


@pytest.mark.skipif(not PG_SERVER, reason="ARCHIVE_TEST_PG_URL is not set (no PostgreSQL server)")
def test_a_postgresql_archive_of_the_release_before_is_packed(database: str, tmp_path: Path) -> None:
    """On a server the columns become bytea (their texts as UTF-8), then are packed a batch at a time."""
    import psycopg

    engine = create_engine(database.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0008")
    engine.dispose()
    records = articles(30, seed=3)
    now = datetime(2026, 1, 1)
    with psycopg.connect(database) as connection:
        for n, r in enumerate(records):
            connection.execute(
                "INSERT INTO articles (title, body, source, language, content_hash, ingested_at, updated_at, "
                "origin_file, origin_record, original) VALUES (%s, %s, %s, 'hi', %s, %s, %s, 'f.jsonl', %s, %s)",
                (
                    r["title"],
                    r["body"],
                    r["source"],
                    f"h{n}",
                    now,
                    now,
                    f"line {n + 1}",
                    json.dumps(r, ensure_ascii=False),
                ),
            )
    store = Store.open(resolve_settings(tmp_path / "home", database), create=False)
    assert store.current_revision() == SCHEMA_HEAD
    for article_id in (1, 30):
        article = store.get(article_id)
        assert article.body == records[article_id - 1]["body"]
        assert json.loads(article.original or "") == records[article_id - 1]
    store.close()
    with psycopg.connect(database) as connection:
        kinds = connection.execute(
            "SELECT data_type FROM information_schema.columns "
            "WHERE table_name = 'articles' AND column_name IN ('body', 'original')"
        ).fetchall()
        bodies = connection.execute("SELECT body FROM articles").fetchall()
    assert kinds == [("bytea",), ("bytea",)] and all(is_packed(body) for (body,) in bodies)
