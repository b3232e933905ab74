from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from archive.config import Settings
from archive.models import Base
from archive.store import Store


def test_empty_database_is_migrated_to_head_and_matches_the_models(settings: Settings) -> None:
    store = Store.open(settings, create=True)
    assert store.current_revision() == "0001"
    assert store.table_names() == ["alembic_version", "articles", "pending_index"]
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
