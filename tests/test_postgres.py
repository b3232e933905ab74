"""The same archive on PostgreSQL. Runs when ARCHIVE_TEST_PG_URL points at a server where the user may
create databases (`.ci/run` installs and starts one); skipped otherwise."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from archive.cli.app import app
from tests.conftest import PG_SERVER, write_jsonl

pytestmark = pytest.mark.skipif(not PG_SERVER, reason="ARCHIVE_TEST_PG_URL is not set (no PostgreSQL server)")


def test_the_archive_works_on_postgresql(database: str, tmp_path: Path) -> None:
    runner = CliRunner()

    def run(*args: str) -> Result:
        return runner.invoke(app, ["--home", str(tmp_path / "home"), "--db", database, *args], catch_exceptions=False)

    assert "holds no archive" in run("search", "लावरोव").stderr
    assert run("ingest").exit_code == 0
    found = json.loads(run("search", "लावरोव", "--format", "json").stdout)
    assert found["total"] == 1 and found["expanded"] == ["लावरोव", "लॉवरोव"]
    records = [
        {
            "title": "बाढ़ की खबर",
            "body": "नदी में बाढ़ आई।",
            "url": "https://a/1",
            "source": "नई दुनिया",
            "date": "2016-01-25",
        },
        {"title": "टूटी", "body": 7},
    ]
    path = write_jsonl(tmp_path / "a.jsonl", records)
    result = run("ingest", str(path))
    assert result.exit_code == 3 and "added 1" in result.stdout
    assert json.loads(run("rejects", "--format", "json").stdout)[0]["record"] == "line 2"
    again = run("ingest", "--force", str(path))
    assert "added 0, updated 0, unchanged 1" in again.stdout
    faceted = json.loads(run("search", "बाढ़", "--facet", "source", "--since", "2016-01-01", "--format", "json").stdout)
    assert faceted["total"] == 1 and faceted["facets"]["source"] == [{"value": "नई दुनिया", "count": 1}]
    stats = json.loads(run("stats", "--format", "json").stdout)
    assert (stats["articles"], stats["indexed"], stats["in_step"]) == (2, 2, True)
    assert json.loads(run("check", "--format", "json").stdout)["healthy"] is True
    exported = [line for line in run("export").stdout.splitlines() if '"archive_record"' not in line]  # (articles)
    assert len(exported) == 2 and json.loads(exported[1])["source"] == "नई दुनिया"
    assert run("delete", "--source", "नईदुनिया").stdout.strip() == "deleted 1 article"
    assert json.loads(run("history", "--format", "json").stdout)[0]["status"] == "finished"


def test_origins_duplicates_and_rejects_on_postgresql(database: str, tmp_path: Path) -> None:
    runner = CliRunner()

    def run(*args: str) -> Result:
        return runner.invoke(app, ["--home", str(tmp_path / "home"), "--db", database, *args], catch_exceptions=False)

    text = {"title": "फैसले का संदेश", "body": "कानून के सामने सब बराबर हैं।", "source": "जनसत्ता"}
    first = write_jsonl(tmp_path / "a.jsonl", [text | {"date": "2016-10-31"}, {"title": "बिना पाठ"}])
    second = write_jsonl(tmp_path / "b.jsonl", [text | {"date": "2016-10-29"}])
    assert run("ingest", str(first)).exit_code == 3
    result = run("ingest", str(second))
    assert result.stdout.splitlines()[0] == "added 0, updated 0, unchanged 0, duplicates 1, rejected 0"
    origins = json.loads(run("show", "1", "--format", "json").stdout)["origins"]
    assert [o["date"] for o in origins] == ["2016-10-31", "2016-10-29"]
    write_jsonl(first, [text | {"date": "2016-10-31"}, {"title": "अब पाठ", "body": "पाठ।"}])
    assert run("ingest", str(first)).exit_code == 0
    assert [r["status"] for r in json.loads(run("rejects", "--format", "json").stdout)] == ["resolved"]
    stats = json.loads(run("stats", "--format", "json").stdout)
    assert stats["top_sources"] == [["जनसत्ता", 1]] and stats["undated"] == 1
    assert [r["added"] for r in json.loads(run("history", "--format", "json").stdout)] == [1, 0, 1]
    assert run("delete", "1", "--yes").exit_code == 0
    import psycopg

    with psycopg.connect(database) as connection:  # its origins went with it (ON DELETE CASCADE)
        assert connection.execute("SELECT count(*) FROM origins WHERE article_id = 1").fetchone() == (0,)


def test_saved_searches_on_postgresql(database: str, tmp_path: Path) -> None:
    runner = CliRunner()

    def run(*args: str) -> Result:
        return runner.invoke(app, ["--home", str(tmp_path / "home"), "--db", database, *args], catch_exceptions=False)

    first = [{"title": f"नोटबंदी {i}", "body": f"नोटबंदी की खबर {i}।", "date": f"2016-11-{i + 1:02}"} for i in range(3)]
    run("ingest", str(write_jsonl(tmp_path / "a.jsonl", first)))
    assert run("watch", "add", "नोटबंदी", "नोटबंदी").exit_code == 0
    later = [{"title": "नोटबंदी का असर", "body": "नोटबंदी का असर दिखा।", "date": "2016-12-01"}]
    assert run("ingest", str(write_jsonl(tmp_path / "b.jsonl", later))).stdout.splitlines()[1] == (
        "नोटबंदी: 1 new (`archive watch show नोटबंदी`)"
    )
    assert [h["id"] for h in json.loads(run("watch", "show", "नोटबंदी", "--format", "json").stdout)["hits"]] == [4]
    assert json.loads(run("watch", "list", "--format", "json").stdout)[0]["new"] == 0
