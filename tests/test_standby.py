"""Search nodes on a read-only replica: two real PostgreSQL clusters of the test's own (a primary, and a hot
standby streaming from it, made with ``pg_basebackup -R``). An ingest on the primary; a node searching and
serving the standby finds every article within seconds, writes nothing to it (a standby refuses every
write: a node that tried would fail), and records its position on the primary, where ``archive nodes``
lists it with its lag."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.clusters import Cluster, archive, caught_up, found, news
from tests.conftest import env, free_port, get_json, wait_for, wait_until_up, write_jsonl

pytestmark = pytest.mark.slow


def test_a_node_on_the_standby_finds_every_article_and_records_itself_on_the_primary(
    pg_pair: tuple[Cluster, Cluster], tmp_path: Path
) -> None:
    primary, standby = pg_pair
    writer, node = tmp_path / "writer", tmp_path / "node"
    archive(writer, "--db", primary.url, "ingest", str(write_jsonl(tmp_path / "a.jsonl", news(40))))
    wait_for(lambda: caught_up(primary, standby), "the standby to replay the ingest")
    assert standby.sql("SELECT pg_is_in_recovery()").strip() == "t"

    # the standby refuses writes: a node that wrote there (its registration, its position) would fail
    assert found(node, standby.url, "--primary", primary.url) == 40
    nodes = json.loads(archive(writer, "--db", primary.url, "nodes", "-f", "json").stdout)
    mine = [n for n in nodes if n["home"] == str(node.resolve())]
    assert len(mine) == 1 and mine[0]["behind"] == 0, nodes
    assert len(nodes) == 2  # the writer's home and the node

    # serving the standby: what the primary stores reaches the node's pages within seconds
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "archive", "--home", str(node), "--db", standby.url, "--primary", primary.url,
         "serve", "--port", str(port), "--workers", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env(),
    )  # fmt: skip
    try:
        address = f"http://127.0.0.1:{port}/"
        wait_until_up(address, server)
        archive(writer, "--db", primary.url, "ingest", str(write_jsonl(tmp_path / "b.jsonl", news(25, first=40))))
        wait_for(
            lambda: get_json(f"{address}search.json?q={quote('अनोखा64')}")["total"] == 1,
            "the node to serve the news",
            30,
        )
        # the node's position, recorded on the primary by its follower, reaches the feed's head
        wait_for(
            lambda: (
                [
                    n["behind"]
                    for n in json.loads(archive(writer, "--db", primary.url, "nodes", "-f", "json").stdout)
                    if n["home"] == str(node.resolve())
                ]
                == [0]
            ),
            "the node's position on the primary",
            30,
        )
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=30)
    assert "Traceback" not in errors and "Error" not in errors, errors
    assert found(node, standby.url, "--primary", primary.url) == 65
    # the primary's `nodes` and the standby's (the primary is asked) list both nodes, with their lag
    listed = archive(node, "--db", standby.url, "--primary", primary.url, "nodes").stdout
    assert "2 indexes follow" in listed and str(node.resolve()) in listed, listed


def test_a_node_on_the_standby_with_no_primary_named_writes_nowhere(
    pg_pair: tuple[Cluster, Cluster], tmp_path: Path
) -> None:
    primary, standby = pg_pair
    writer, node = tmp_path / "writer", tmp_path / "node"
    archive(writer, "--db", primary.url, "ingest", str(write_jsonl(tmp_path / "c.jsonl", news(10, first=100))))
    wait_for(lambda: caught_up(primary, standby), "the standby to replay the ingest")
    before = primary.sql("SELECT count(*) FROM index_nodes", primary.database)
    assert found(node, standby.url, query="अनोखा105") == 1
    archive(writer, "--db", primary.url, "ingest", str(write_jsonl(tmp_path / "d.jsonl", news(5, first=200))))
    wait_for(lambda: caught_up(primary, standby), "the standby to replay the ingest")
    assert found(node, standby.url, query="अनोखा203") == 1  # (the node caught up from its own position)
    assert primary.sql("SELECT count(*) FROM index_nodes", primary.database) == before  # unknown to the primary
    # what would write is refused with the fix, never a traceback
    failed = archive(node, "--db", standby.url, "ingest", str(tmp_path / "d.jsonl"), expect=1)
    assert "read-only" in failed.stderr and "primary" in failed.stderr, failed.stderr
