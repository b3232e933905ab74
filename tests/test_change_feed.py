"""Several homes (nodes) on one database, each index following the change feed on its own (SQLite here;
tests/test_postgres_feed.py runs the same on PostgreSQL with writers at once)."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from archive.cli.app import app
from archive.config import FEED_RETENTION, resolve_settings
from archive.index.codec.whoosh3 import latest_generation
from archive.index.feed import UNFILLED, applied_position, record_position
from archive.index.search_index import SearchIndex
from archive.index.sync import lag, sync_index
from archive.store.database import Store
from tests.conftest import write_jsonl


class Node:
    """One home on the shared database, driven through the CLI."""

    def __init__(self, home: Path, db: str) -> None:
        self.home, self.db = home, db
        self.runner = CliRunner()

    def __call__(self, *args: str) -> Result:
        return self.runner.invoke(app, ["--home", str(self.home), "--db", self.db, *args], catch_exceptions=False)

    def json(self, *args: str) -> Any:
        result = self(*args, "--format", "json")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    def total(self, query: str) -> int:
        # (every copy: the generated reports are near-duplicates of each other, which a search folds)
        return int(self.json("search", query, "--no-collapse")["total"])

    def index(self) -> SearchIndex:
        settings = resolve_settings(self.home, self.db)
        return SearchIndex(settings.index_dir, settings.index)

    def position(self) -> int:
        index = self.index()
        try:
            return index.applied_position()
        finally:
            index.close()

    def agrees(self) -> None:
        report = self.json("check")
        assert report["healthy"] is True, report
        assert report["position"] == report["head"], report


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{(tmp_path / 'shared.db').as_posix()}"


@pytest.fixture
def nodes(tmp_path: Path, db: str, monkeypatch: pytest.MonkeyPatch) -> tuple[Node, Node, Node]:
    monkeypatch.delenv("ARCHIVE_HOME", raising=False)
    monkeypatch.delenv("ARCHIVE_DB_URL", raising=False)
    return Node(tmp_path / "a", db), Node(tmp_path / "b", db), Node(tmp_path / "c", db)


def reports(tmp_path: Path, name: str, count: int, word: str, start: int = 0) -> Path:
    records = [
        {"title": f"{word} खबर {i}", "body": f"संवाददाता के अनुसार {word} घटना संख्या {i} हुई।", "url": f"https://n/{i}"}
        for i in range(start, start + count)
    ]
    return write_jsonl(tmp_path / name, records)


def open_store(node: Node) -> Store:
    return Store.open(resolve_settings(node.home, node.db), create=False)


def feed_rows(node: Node) -> list[tuple[int, int, bool]]:
    """The changes table as it is (read with sqlite3: no API of ours hides a row)."""
    with closing(sqlite3.connect(node.db.removeprefix("sqlite:///"))) as connection:
        rows = connection.execute("SELECT seq, article_id, deleted FROM changes ORDER BY seq").fetchall()
    return [(int(seq), int(article), bool(deleted)) for seq, article, deleted in rows]


def test_every_node_finds_what_any_node_stored(tmp_path: Path, nodes: tuple[Node, Node, Node]) -> None:
    a, b, c = nodes
    assert a("ingest", str(reports(tmp_path, "a.jsonl", 15, "बाढ़"))).exit_code == 0
    assert b("ingest", str(reports(tmp_path, "b.jsonl", 15, "सूखा", start=100))).exit_code == 0
    # the case of the issue: the first node's index must not have lost the second node's articles
    assert a.total("संवाददाता") == 30
    assert c.total("संवाददाता") == 30
    assert b.total("बाढ़") == 15
    for node in nodes:
        node.agrees()


def test_updates_and_deletes_reach_every_node(tmp_path: Path, nodes: tuple[Node, Node, Node]) -> None:
    a, b, c = nodes
    path = reports(tmp_path, "a.jsonl", 10, "बाढ़")
    a("ingest", str(path))
    assert (b.total("बाढ़"), c.total("बाढ़")) == (10, 10)
    # an update on one node, a delete on another: the third had seen neither
    path.write_text(path.read_text(encoding="utf-8").replace("बाढ़", "तूफान"), encoding="utf-8")
    assert "updated 10" in a("ingest", str(path)).stdout
    ids = [str(hit["id"]) for hit in b.json("search", "तूफान", "--limit", "3")["hits"]]
    assert b("delete", *ids, "--yes").exit_code == 0
    deletes = [row for row in feed_rows(a) if row[2]]
    assert sorted(str(row[1]) for row in deletes) == sorted(ids)  # tombstones, one per article
    assert (c.total("बाढ़"), c.total("तूफान")) == (0, 7)
    assert (a.total("बाढ़"), a.total("तूफान")) == (0, 7)
    for node in nodes:
        node.agrees()


def test_a_reindex_on_one_node_leaves_the_others_alone(tmp_path: Path, nodes: tuple[Node, Node, Node]) -> None:
    a, b, _ = nodes
    a("ingest", str(reports(tmp_path, "a.jsonl", 8, "बाढ़")))
    assert b.total("बाढ़") == 8
    b_directory = b.index().directory
    b_generation, b_position = latest_generation(str(b_directory)), b.position()
    assert "indexed 8 articles" in a("reindex").stdout
    assert b.index().directory == b_directory  # not rebuilt, not touched
    assert (latest_generation(str(b_directory)), b.position()) == (b_generation, b_position)
    # and the rebuilt node follows the feed from where it was rebuilt
    b("ingest", str(reports(tmp_path, "b.jsonl", 4, "सूखा", start=50)))
    assert a.total("सूखा") == 4
    a.agrees()
    b.agrees()


def test_the_feed_is_pruned_once_every_node_applied_it(tmp_path: Path, nodes: tuple[Node, Node, Node]) -> None:
    a, b, _ = nodes
    a("ingest", str(reports(tmp_path, "a.jsonl", 6, "बाढ़")))
    assert b.total("बाढ़") == 6  # b registers and fills itself
    a("ingest", str(reports(tmp_path, "b.jsonl", 5, "सूखा", start=20)))
    # b has not applied the last five: they are kept for it, everything before them is gone
    assert len(feed_rows(a)) == 5
    lagging = {n["home"]: n for n in a.json("nodes")}[str(b.home.resolve())]
    assert (lagging["behind"], lagging["gone"]) == (5, False)
    assert b.total("सूखा") == 5
    a("ingest", str(reports(tmp_path, "c.jsonl", 1, "ओले", start=40)))  # a's next commit prunes what b applied
    assert [row[1] for row in feed_rows(a)] == [12]


def test_a_node_gone_past_the_retention_no_longer_holds_the_feed_and_rebuilds(
    tmp_path: Path, nodes: tuple[Node, Node, Node]
) -> None:
    a, b, _ = nodes
    a("ingest", str(reports(tmp_path, "a.jsonl", 6, "बाढ़")))
    assert b.total("बाढ़") == 6
    a("ingest", str(reports(tmp_path, "b.jsonl", 5, "सूखा", start=20)))
    store = open_store(a)
    try:
        later = datetime.now(UTC).replace(tzinfo=None) + FEED_RETENTION + timedelta(days=1)
        gone = {n.home: n for n in store.feed.nodes(later)}[str(b.home.resolve())]
        assert gone.gone is True
        assert store.feed.prune(later) == 5  # a month on, b no longer holds the feed
        assert not store.feed.head().can_follow(b.position())
    finally:
        store.close()
    b_directory = b.index().directory
    assert b.total("सूखा") == 5  # b comes back: it cannot follow, so it rebuilt its index
    assert b.index().directory != b_directory
    b.agrees()


def test_an_index_commit_that_did_not_happen_leaves_the_position_where_it_was(
    tmp_path: Path, nodes: tuple[Node, Node, Node]
) -> None:
    a, b, _ = nodes
    a("ingest", str(reports(tmp_path, "a.jsonl", 4, "बाढ़")))
    assert b.total("बाढ़") == 4
    directory = b.index().directory
    generation, position = latest_generation(str(directory)), b.position()
    # what a writer killed between recording its position and writing its table of contents leaves
    record_position(directory, generation + 1, position + 1000, position)
    assert b.position() == position == applied_position(directory, generation)
    a("ingest", str(reports(tmp_path, "b.jsonl", 3, "सूखा", start=10)))
    assert b.total("सूखा") == 3
    b.agrees()


@pytest.mark.slow
def test_an_index_found_missing_by_two_commands_at_once_is_filled_once(tmp_path: Path, db: str) -> None:
    node = Node(tmp_path / "home", db)
    node("ingest", str(reports(tmp_path, "a.jsonl", 400, "बाढ़")))
    index = node.index()
    directory = index.directory
    index.close()
    shutil.rmtree(directory)
    command = [sys.executable, "-m", "archive", "--home", str(node.home), "--db", db, "search", "बाढ़", "--no-collapse"]
    command += ["--format", "json"]
    searches = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(3)]
    for search in searches:
        out, err = search.communicate(timeout=300)
        assert search.returncode == 0, err.decode()
        assert json.loads(out)["total"] == 400
    node.agrees()
    assert node.index().info().documents == 400


def test_a_new_index_is_unfilled_until_its_first_sync(tmp_path: Path, nodes: tuple[Node, Node, Node]) -> None:
    a, b, _ = nodes
    a("ingest", str(reports(tmp_path, "a.jsonl", 5, "बाढ़")))
    fresh = SearchIndex(tmp_path / "fresh", b.index().settings)
    fresh.create()
    fresh.close()
    assert fresh.applied_position() == UNFILLED
    store = open_store(a)
    try:
        assert lag(store, fresh) == 5  # every article: it must be filled from them
        assert sync_index(store, fresh) == 5
        assert fresh.applied_position() == store.feed.head().position
        assert lag(store, fresh) == 0
    finally:
        store.close()
        fresh.close()


def test_nodes_lists_every_index_and_forgets_one(tmp_path: Path, nodes: tuple[Node, Node, Node]) -> None:
    a, b, _ = nodes
    a("ingest", str(reports(tmp_path, "a.jsonl", 3, "बाढ़")))
    b.total("बाढ़")
    a("ingest", str(reports(tmp_path, "b.jsonl", 2, "सूखा", start=10)))
    listing = a("nodes").stdout
    assert "2 indexes follow this database's change feed" in listing
    assert f"{a.home.resolve()} on " in listing and "this home" in listing
    assert "2 changes behind" in listing
    b_node = {n["home"]: n["node"] for n in a.json("nodes")}[str(b.home.resolve())]
    check = a("check").stdout
    assert "change feed: applied up to" in check and "2 changes behind" in check
    forgotten = a("nodes", "forget", b_node[:8])
    assert forgotten.exit_code == 0 and "no longer waits" in forgotten.stdout
    assert [n["home"] for n in a.json("nodes")] == [str(a.home.resolve())]
    unknown = a("nodes", "forget", "no-such-node")
    assert unknown.exit_code != 0 and "`archive nodes` lists them" in unknown.stderr
    # a forgotten node that comes back is simply a node again
    assert b.total("सूखा") == 2
    assert len(a.json("nodes")) == 2
    b.agrees()
