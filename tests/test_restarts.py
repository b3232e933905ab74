"""The database restarts (an upgrade, a failover) under a running archive: PostgreSQL restarted with
``pg_ctlcluster … restart`` (a cluster of the test's own) while ``serve`` answers, while an ingest stores and
while a node's follower catches up. The server answers again within seconds (a 503 with a message meanwhile,
never a traceback), the ingest completes (or stops with the message to run it again, and then completes), and
afterwards the database and every index agree, with nothing lost or duplicated."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.clusters import Cluster, archive, found, news
from tests.conftest import env, free_port, wait_for, wait_until_up, write_jsonl

pytestmark = pytest.mark.slow


def status_of(address: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(address, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")
    except OSError as error:
        return 0, str(error)


def start_serving(home: Path, db: str) -> tuple[subprocess.Popen[str], str]:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "archive", "--home", str(home), "--db", db, "serve", "--port", str(port),
         "--workers", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env(),
    )  # fmt: skip
    address = f"http://127.0.0.1:{port}/"
    wait_until_up(address, server)
    return server, address


def stopped(server: subprocess.Popen[str]) -> str:
    server.terminate()
    return server.communicate(timeout=30)[1]


def stored(cluster: Cluster) -> int:
    try:
        return int(cluster.sql("SELECT count(*) FROM articles", cluster.database).strip() or 0)
    except RuntimeError:
        return 0


def test_serve_ingest_and_a_follower_survive_a_database_restart(
    pg_pair: tuple[Cluster, Cluster], tmp_path: Path
) -> None:
    primary, _ = pg_pair
    db = primary.url
    writer, node = tmp_path / "writer", tmp_path / "node"
    archive(writer, "--db", db, "ingest", str(write_jsonl(tmp_path / "first.jsonl", news(30, first=1000))))
    before = stored(primary)
    server, address = start_serving(node, db)
    seen: list[tuple[int, str]] = []
    stop = threading.Event()

    def reader(first: int) -> None:  # searches no server keeps an answer of: each one reads the database
        n = first
        while not stop.is_set():
            n += 2
            seen.append(status_of(f"{address}search.json?q={quote(f'संग्रहखबर अनोखा{1000 + n % 30}')}"))

    readers = [threading.Thread(target=reader, args=(n,)) for n in range(2)]
    for thread in readers:
        thread.start()
    try:
        wait_for(lambda: len(seen) > 5, "the server's first answers")
        # an ingest that overlaps the restart: the database goes away while it stores
        big = write_jsonl(tmp_path / "big.jsonl", news(500, first=2000))
        ingest = subprocess.Popen(
            [sys.executable, "-m", "archive", "--home", str(writer), "--db", db, "ingest", str(big)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env(),
        )  # fmt: skip
        wait_for(lambda: stored(primary) > before, "the ingest to store its first batch")
        restarted_at = len(seen)
        primary.restart()
        _, errors = ingest.communicate(timeout=300)
        if ingest.returncode:  # stopped with the message to run it again: then it completes
            assert "run the same command again" in errors, errors
            archive(writer, "--db", db, "ingest", str(big))
        else:
            assert "Traceback" not in errors, errors
        # the server answers again within seconds of the restart, and the follower brings the news to the node
        wait_for(lambda: seen[-1][0] == 200, "the server to answer again", 30)
        wait_for(
            lambda: status_of(f"{address}search.json?q={quote('अनोखा2499')}")[1].count('"id"') >= 1,
            "the node to serve what was stored across the restart",
            60,
        )
    finally:
        stop.set()
        for thread in readers:
            thread.join()
        errors = stopped(server)
    statuses = {status for status, _ in seen}
    assert statuses <= {200, 503}, [(s, b[-300:]) for s, b in seen if s not in (200, 503)]
    assert any(s == 200 for s, _ in seen[restarted_at:]), "no answer after the restart"
    assert all("Traceback" not in body for _, body in seen)
    # a message, in the page's language, naming the database
    assert all("डेटाबेस" in json.loads(body)["error"] for s, body in seen if s == 503), {b for s, b in seen if s == 503}
    assert "Traceback" not in errors, errors
    # nothing lost, nothing duplicated: every record once in the database, and in both indexes
    assert stored(primary) == before + 500
    assert primary.sql("SELECT count(DISTINCT url) FROM articles", primary.database).strip() == str(before + 500)
    for home in (writer, node):
        report = json.loads(archive(home, "--db", db, "check", "-f", "json").stdout)
        assert report["articles"] == report["indexed"] == before + 500, report
        assert not (report["missing"] or report["extra"] or report["stale"]), report
        assert found(home, db) == before + 500
