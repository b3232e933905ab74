from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from archive.config import Settings
from archive.store.database import Store
from archive.store.schema import SCHEMA_HEAD
from archive.store.tables import Article, Base
from tests.conftest import Run


def stored(store: Store, article_id: int) -> Article:
    """The article's row as the migrations left it (signature and bands included)."""
    from sqlalchemy.orm import Session

    with Session(store.engine) as session:
        row = session.get(Article, article_id)
        assert row is not None
        session.expunge(row)
        return row


def test_empty_database_is_migrated_to_head_and_matches_the_models(settings: Settings) -> None:
    store = Store.open(settings, create=True)
    assert store.current_revision() == SCHEMA_HEAD
    assert store.table_names() == [
        "alembic_version",
        "article_vectors",
        "articles",
        "changes",
        "collected_urls",
        "embedding_model",
        "feed_state",
        "followed_sources",
        "index_nodes",
        "ingest_runs",
        "ingested_files",
        "origins",
        "outlet_merges",
        "rejects",
        "saved_search_seen",
        "saved_searches",
        "source_fetches",
        "synonyms",
    ]
    with store.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []
    store.close()


def test_opening_again_applies_nothing_and_keeps_data(settings: Settings) -> None:
    from datetime import datetime

    from archive.readers import ArticleRecord

    store = Store.open(settings, create=True)
    store.upsert([ArticleRecord(title="क", body="ख", origin_file="f", origin_record="1")], datetime.now())
    store.close()
    again = Store.open(settings, create=False)
    assert again.stats().articles == 1
    again.close()
    engine = create_engine(settings.db_url)
    columns = {c["name"] for c in inspect(engine).get_columns("articles")}
    engine.dispose()
    assert {"url", "content_hash", "published", "origin_file", "origin_record", "language"} <= columns


def test_upgrade_from_0001_keeps_articles_and_fills_source_keys(settings: Settings) -> None:
    from alembic import command

    from archive.store.schema import alembic_config as _alembic_config

    settings.home.mkdir(parents=True)
    engine = create_engine(settings.db_url)
    with engine.begin() as connection:
        command.upgrade(_alembic_config(connection), "0001")
        connection.exec_driver_sql(
            "INSERT INTO articles (title, body, source, language, content_hash, ingested_at, updated_at, "
            "origin_file, origin_record) VALUES ('शीर्षक', 'पाठ', 'नई दुनिया', 'hi', 'h1', '2026-01-01', "
            "'2026-01-01', 'f', '1')"
        )
    engine.dispose()
    store = Store.open(settings, create=False)  # opening upgrades to head
    assert store.current_revision() == SCHEMA_HEAD
    article = store.get(1)
    # (keyed by 0002's rule, then again by 0008's: the name's consonants)
    assert (article.title, article.source, article.source_key) == ("शीर्षक", "नई दुनिया", "~ndn")
    store.close()
    # after a backup copy of the database as it was
    backup = settings.home / f"archive.db.before-{SCHEMA_HEAD}.bak"
    with sqlite3.connect(backup) as old:
        assert old.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
        assert old.execute("SELECT title FROM articles").fetchall() == [("शीर्षक",)]


def test_upgrade_from_0002_signs_and_clusters_stored_articles(settings: Settings) -> None:
    from alembic import command

    from archive.store.schema import alembic_config as _alembic_config

    settings.home.mkdir(parents=True)
    engine = create_engine(settings.db_url)
    from tests.conftest import WIRE as story

    with engine.begin() as connection:
        command.upgrade(_alembic_config(connection), "0002")
        for n, body in enumerate([story, story + " अधिकारियों ने स्थिति पर नजर रखी।", "क्रिकेट मैच में भारत जीता।"], start=1):
            connection.exec_driver_sql(
                "INSERT INTO articles (title, body, language, content_hash, ingested_at, updated_at, origin_file, "
                f"origin_record) VALUES ('t{n}', '{body}', 'hi', 'h{n}', '2026-01-01', '2026-01-01', 'f', '{n}')"
            )
    engine.dispose()
    store = Store.open(settings, create=False)
    clusters = [store.get(i).cluster_id for i in (1, 2, 3)]
    assert store.current_revision() == SCHEMA_HEAD and stored(store, 1).simhash is not None
    assert clusters == [1, 1, 3]  # the two copies of the story share a cluster
    store.close()


def test_a_migration_is_all_or_nothing(settings: Settings) -> None:
    """A migration that fails (or is killed) half-way leaves no tables behind without a version stamp."""
    from alembic import command
    from sqlalchemy import event

    from archive.store.database import _sqlite_begin, _sqlite_pragmas
    from archive.store.schema import alembic_config as _alembic_config

    settings.home.mkdir(parents=True)
    engine = create_engine(settings.db_url)
    event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "begin", _sqlite_begin)

    def fail_after_first_table(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        if "CREATE TABLE pending_index" in statement:
            raise RuntimeError("killed")

    event.listen(engine, "before_cursor_execute", fail_after_first_table)
    try:
        with engine.begin() as connection:
            command.upgrade(_alembic_config(connection), "head")
    except RuntimeError:
        pass
    assert inspect(engine).get_table_names() == []
    engine.dispose()
    store = Store.open(settings, create=True)  # and the next open migrates cleanly
    assert store.current_revision() == SCHEMA_HEAD
    store.close()


def test_schema_head_constant_matches_the_migrations() -> None:
    from alembic.script import ScriptDirectory

    from archive.store.schema import SCHEMA_HEAD
    from archive.store.schema import alembic_config as _alembic_config

    assert ScriptDirectory.from_config(_alembic_config()).get_current_head() == SCHEMA_HEAD


def test_upgrade_from_0003_recomputes_signatures_and_keeps_clusters(settings: Settings) -> None:
    from alembic import command

    from archive.store.dedupe import bands, simhash
    from archive.store.schema import alembic_config as _alembic_config

    settings.home.mkdir(parents=True)
    engine = create_engine(settings.db_url)
    with engine.begin() as connection:
        command.upgrade(_alembic_config(connection), "0003")
        for n in (1, 2):  # signatures of the earlier kind (here any other number), clustered together
            connection.exec_driver_sql(
                "INSERT INTO articles (title, body, language, content_hash, ingested_at, updated_at, origin_file, "
                "origin_record, simhash, band0, band1, band2, band3, cluster_id) VALUES "
                f"('t{n}', 'पाठ संख्या {n} यहां', 'hi', 'h{n}', '2026-01-01', '2026-01-01', 'f', '{n}', "
                "12345, 1, 2, 3, 4, 1)"
            )
    engine.dispose()
    store = Store.open(settings, create=False)
    assert store.current_revision() == SCHEMA_HEAD
    for n in (1, 2):
        article = stored(store, n)
        expected = simhash(f"पाठ संख्या {n} यहां")
        assert article.simhash == expected != 12345
        assert (article.band0, article.band1, article.band2, article.band3) == bands(expected)
        assert article.cluster_id == 1
    store.close()


def test_revision_files_are_frozen() -> None:
    """A migration runs as it was written, whatever the package becomes: a revision carries its own table
    definitions and copies of the data rules it applies, and imports nothing of the archive."""
    import ast
    from pathlib import Path

    revisions = sorted((Path(__file__).resolve().parents[1] / "migrations" / "versions").glob("0*.py"))
    assert len(revisions) >= 4
    for path in revisions:
        imported = [
            name
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            for name in (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
        ]
        assert not [name for name in imported if name.split(".")[0] == "archive"], path.name


def test_upgrade_from_0004_gives_each_article_its_origin(settings: Settings) -> None:
    from alembic import command

    from archive.store.schema import alembic_config as _alembic_config

    settings.home.mkdir(parents=True)
    engine = create_engine(settings.db_url)
    with engine.begin() as connection:
        command.upgrade(_alembic_config(connection), "0004")
        connection.exec_driver_sql(
            "INSERT INTO articles (title, body, source, published, url, language, content_hash, ingested_at, "
            "updated_at, origin_file, origin_record) VALUES ('शीर्षक', 'पाठ', 'जनसत्ता', '2016-01-25', 'https://e/1', "
            "'hi', 'h1', '2026-01-01 00:00:00', '2026-01-01 00:00:00', 'raw/47.txt', '1')"
        )
    engine.dispose()
    store = Store.open(settings, create=False)
    origins = store.get(1).origins
    assert [(o.file, o.record, o.source, str(o.published), o.url) for o in origins] == [
        ("raw/47.txt", "1", "जनसत्ता", "2016-01-25", "https://e/1")
    ]
    store.close()


def test_upgrade_from_0006_carries_the_queue_over_and_needs_no_reindex(settings: Settings, run: Run) -> None:
    """An archive of the shared queue: its index (no position recorded) applies what was queued, no more."""
    import json
    from datetime import datetime

    from alembic import command

    from archive.index.feed import FEED_FILE, NODE_FILE
    from archive.readers import ArticleRecord
    from archive.store.schema import alembic_config as _alembic_config

    assert run("ingest").exit_code == 0
    store = Store.open(settings, create=False)
    records = [
        ArticleRecord(title=f"चक्रवात {i}", body=f"चक्रवात तट से टकराया, खबर {i}", origin_file="x", origin_record=str(i))
        for i in range(3)
    ]
    store.upsert(records, datetime.now())  # stored, not yet indexed: queued
    store.close()
    engine = create_engine(settings.db_url)
    with engine.begin() as connection:
        command.downgrade(_alembic_config(connection), "0006")
        queued = [row[0] for row in connection.exec_driver_sql("SELECT article_id FROM pending_index ORDER BY 1")]
        assert queued == [2, 3, 4]
        connection.exec_driver_sql("DELETE FROM origins WHERE article_id = 4")
        connection.exec_driver_sql("DELETE FROM articles WHERE id = 4")  # deleted while queued
    engine.dispose()
    directory = settings.index_dir.resolve()
    (directory / FEED_FILE).unlink()  # an index from before the feed
    (settings.home / NODE_FILE).unlink()

    found = json.loads(run("search", "चक्रवात", "--format", "json", "--no-collapse").stdout)
    assert sorted(hit["id"] for hit in found["hits"]) == [2, 3]
    assert settings.index_dir.resolve() == directory  # applied to the index as it was, not rebuilt
    report = json.loads(run("check", "--format", "json").stdout)
    assert report["healthy"] is True and report["position"] == report["head"] == 3
    assert json.loads(run("stats", "--format", "json").stdout)["articles"] == 3


def test_upgrade_from_0007_rekeys_outlets_across_scripts_and_adds_the_default_synonyms(
    settings: Settings, run: Run, tmp_path: Path
) -> None:
    import json

    from alembic import command

    from archive.analysis.sources import source_key
    from archive.store.schema import alembic_config as _alembic_config
    from tests.conftest import write_jsonl

    names = ["Amar Ujala", "अमर उजाला", "अमरउजाला", "Editorial:दैनिक जागरण", "Dainik Jagran", "BBC हिन्दी"]
    records = [{"title": f"खबर {i}", "body": f"बाढ़ की खबर संख्या {i}", "source": name} for i, name in enumerate(names)]
    assert run("ingest", str(write_jsonl(tmp_path / "outlets.jsonl", records))).exit_code == 0
    engine = create_engine(settings.db_url)
    with engine.begin() as connection:
        command.downgrade(_alembic_config(connection), "0007")
        # the keys as revision 0002's rule made them: Devanagari folded, Latin lower-cased
        connection.exec_driver_sql("UPDATE articles SET source_key = lower(replace(source, ' ', ''))")
    engine.dispose()
    assert run("db", "upgrade").exit_code == 0
    with sqlite3.connect(settings.home / "archive.db") as db:
        keys = dict(db.execute("SELECT source, source_key FROM articles").fetchall())
        groups = [row[0].split("\n") for row in db.execute("SELECT words FROM synonyms ORDER BY id")]
    assert keys == {name: source_key(name) for name in names}  # the frozen rule is today's
    assert len({keys[n] for n in names[:3]}) == 1 and len({keys[n] for n in names[3:5]}) == 1
    assert groups[0] == ["भाजपा", "बीजेपी", "BJP", "भारतीय जनता पार्टी"] and len(groups) >= 20
    found = json.loads(run("search", "बाढ़", "--source", "अमर उजाला", "--format", "json").stdout)
    assert sorted(hit["id"] for hit in found["hits"]) == [1, 2, 3]
