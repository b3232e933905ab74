"""Backups that restore everything: `archive export` → `archive ingest` carries the synonym groups, the
saved searches with what they have shown and the followed sources; `archive backup` copies a running archive
(an ingest storing meanwhile) and `archive restore` brings it back in step; a PostgreSQL archive's `pg_dump`
restores into a fresh database that the archive then opens."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from archive.config import resolve_settings
from archive.index.copying import copy_files, write_locked
from archive.index.search_index import SearchIndex
from archive.index.vocabulary import FILE_NAME as VOCABULARY_FILE
from tests.clusters import Cluster, archive, news
from tests.conftest import Cli, env, wait_for, write_jsonl


def watch_state(cli: Cli) -> list[tuple[str, int, int]]:
    """Each saved search: name, matches, not yet shown."""
    listed = json.loads(cli("watch", "list", "-f", "json").stdout)
    return [(w["name"], w["total"], w["new"]) for w in listed]


def followed(cli: Cli) -> list[tuple[str, str, int]]:
    return [(s["name"], s["url"], s["every_seconds"]) for s in json.loads(cli("follow", "list", "-f", "json").stdout)]


def totals(cli: Cli, *queries: str) -> list[int]:
    return [json.loads(cli("search", q, "--no-collapse", "-f", "json").stdout)["total"] for q in queries]


def test_export_then_ingest_carries_synonyms_saved_searches_and_followed_sources(tmp_path: Path) -> None:
    first = Cli(tmp_path / "first")
    assert first("ingest", str(write_jsonl(tmp_path / "a.jsonl", news(30)))).exit_code == 0
    # a synonym that widens a search (as नोटबंदी = विमुद्रीकरण would), and two saved searches
    assert first("synonyms", "add", "अनोखा3", "अनोखा4").exit_code == 0
    assert first("watch", "add", "खबरें", "संग्रहखबर").exit_code == 0
    assert first("watch", "add", "तीन", "अनोखा3").exit_code == 0
    feed = "https://news.example.org/rss.xml"
    assert first("follow", "add", feed, "--name", "उदाहरण", "--every", "2h").exit_code == 0
    # news after the saved searches: some shown (then seen), some not yet
    assert first("ingest", str(write_jsonl(tmp_path / "b.jsonl", news(12, first=30)))).exit_code == 0
    assert first("watch", "show", "खबरें", "--limit", "5").exit_code == 0
    before = watch_state(first)
    assert [new for _, _, new in before] == [7, 0], before  # (12 new, 5 shown; तीन's widened match was there)

    groups = len(json.loads(first("synonyms", "list", "-f", "json").stdout))  # (the built-in ones, and ours)
    exported = tmp_path / "export.jsonl"
    done = first("export", "-o", str(exported))
    assert f"exported 42 articles and {groups + 3} records of the archive's own" in done.output, done.output
    second = Cli(tmp_path / "second")
    done = second("ingest", str(exported))
    assert done.exit_code == 0, done.output
    # (the built-in synonym groups were there already)
    assert "1 synonym group, 2 saved searches, 1 followed source" in done.output, done.output

    assert totals(second, "अनोखा3", "संग्रहखबर") == totals(first, "अनोखा3", "संग्रहखबर") == [2, 42]
    assert json.loads(second("synonyms", "list", "-f", "json").stdout) == json.loads(
        first("synonyms", "list", "-f", "json").stdout
    )
    assert watch_state(second) == before
    assert followed(second) == followed(first) == [("उदाहरण", feed, 7200)]
    shown = json.loads(first("watch", "show", "खबरें", "-f", "json").stdout)
    again = json.loads(second("watch", "show", "खबरें", "-f", "json").stdout)
    assert [h["title"] for h in again["hits"]] == [h["title"] for h in shown["hits"]]
    # ingesting the export again changes nothing
    assert second("ingest", "--force", str(exported)).exit_code == 0
    assert watch_state(second) == [(name, total, 0 if name == "खबरें" else new) for name, total, new in before]
    assert len(json.loads(second("synonyms", "list", "-f", "json").stdout)) == groups


def test_an_unknown_kind_of_record_is_one_reject_naming_the_upgrade(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "home")
    lines = [*news(2), {"archive_record": "followed_feed", "url": "https://example.org/rss"}]
    done = cli("ingest", str(write_jsonl(tmp_path / "newer.jsonl", lines)))
    assert done.exit_code == 3
    assert "added 2" in done.output
    rejects = json.loads(cli("rejects", "-f", "json").stdout)
    assert len(rejects) == 1 and "followed_feed" in rejects[0]["reason"] and "upgrade" in rejects[0]["reason"]


@pytest.mark.slow
def test_a_backup_taken_during_an_ingest_restores_an_archive_in_step(tmp_path: Path) -> None:
    home = tmp_path / "home"
    archive(home, "ingest", str(write_jsonl(tmp_path / "a.jsonl", news(200))))
    assert Cli(home)("synonyms", "add", "अनोखा3", "अनोखा4").exit_code == 0
    big = write_jsonl(tmp_path / "b.jsonl", news(2000, first=1000))
    ingest = subprocess.Popen(
        [sys.executable, "-m", "archive", "--home", str(home), "ingest", str(big)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env(),
    )  # fmt: skip
    try:
        wait_for(lambda: Cli(home)("history", "-f", "json").stdout.count('"added": 5') > 0, "the ingest's first batch")
        made = json.loads(archive(home, "backup", str(tmp_path / "copy"), "-f", "json").stdout)
    finally:
        _, errors = ingest.communicate(timeout=300)
    assert ingest.returncode == 0, errors
    assert 200 < made["articles"] <= 2200, made  # (a copy taken mid-ingest, or after)
    restored = Cli(tmp_path / "restored")
    done = restored("restore", str(tmp_path / "copy"))
    assert done.exit_code == 0, done.output
    report = json.loads(restored("check", "-f", "json").stdout)
    assert report["healthy"] and report["articles"] == report["indexed"] == made["articles"], report
    assert totals(restored, "अनोखा3") == [2]  # (the synonym came along)
    # the original carries on, and a restore refuses a home that has an archive
    assert Cli(home)("stats", "-f", "json").exit_code == 0
    refused = restored("restore", str(tmp_path / "copy"))
    assert refused.exit_code == 2 and "holds an archive already" in refused.output
    # without the index: rebuilt from the articles on restore
    archive(home, "backup", "--no-index", str(tmp_path / "bare"))
    bare = Cli(tmp_path / "bare-restored")
    assert bare("restore", str(tmp_path / "bare")).exit_code == 0
    assert json.loads(bare("check", "-f", "json").stdout)["indexed"] == 2200


def test_an_index_copy_leaves_out_a_vocabulary_rebuild_in_progress(tmp_path: Path) -> None:
    """A vocabulary being rebuilt beside itself (its file and SQLite journal come and go as the copy lists
    the directory: a CI run failed on a journal gone before it was read) is not part of the copy."""
    home = tmp_path / "home"
    assert Cli(home)("ingest", str(write_jsonl(tmp_path / "a.jsonl", news(20)))).exit_code == 0
    index = SearchIndex(resolve_settings(home).index_dir)
    rebuilding = f"{VOCABULARY_FILE}.{'a' * 32}.tmp"
    scratch = [rebuilding, f"{rebuilding}-journal"]
    for name in scratch:
        (index.path / name).write_bytes(b"half written")
    with write_locked(index):
        copy_files(index.path, tmp_path / "copy")
    index.close()
    copied = {p.name for p in (tmp_path / "copy").iterdir()}
    assert VOCABULARY_FILE in copied and not copied & set(scratch), copied
    left_out = {p.name for p in index.path.iterdir() if p.is_file()} - copied
    assert left_out - {n for n in left_out if n.endswith("_WRITELOCK")} == set(scratch), left_out


@pytest.mark.slow
def test_a_pg_dump_of_an_archive_restores_into_a_fresh_database_the_archive_opens(
    pg_pair: tuple[Cluster, Cluster], tmp_path: Path
) -> None:
    primary, _ = pg_pair
    primary.sql("CREATE DATABASE dumped")
    primary.sql("CREATE DATABASE restored")
    source, target = replace(primary, database="dumped").url, replace(primary, database="restored").url
    home = tmp_path / "home"
    archive(home, "--db", source, "ingest", str(write_jsonl(tmp_path / "a.jsonl", news(50))))
    archive(home, "--db", source, "synonyms", "add", "अनोखा3", "अनोखा4")
    backed = archive(home, "--db", source, "backup", str(tmp_path / "index-copy"))
    assert "pg_dump" in backed.stderr
    dump = tmp_path / "archive.dump"
    pg = f"postgresql://postgres@127.0.0.1:{primary.port}"
    subprocess.run(["pg_dump", "-Fc", "-f", str(dump), f"{pg}/dumped"], check=True, capture_output=True)
    subprocess.run(["pg_restore", "--no-owner", "-d", f"{pg}/restored", str(dump)], check=True, capture_output=True)
    restored = tmp_path / "restored"
    archive(restored, "--db", target, "restore", str(tmp_path / "index-copy"))
    report = json.loads(archive(restored, "--db", target, "check", "-f", "json").stdout)
    assert report["healthy"] and report["articles"] == report["indexed"] == 50, report
    found = json.loads(archive(restored, "--db", target, "search", "अनोखा3", "-f", "json").stdout)
    assert found["total"] == 2
