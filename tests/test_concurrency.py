"""Two commands at once: nothing is corrupted, nothing is counted twice, searches keep answering."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from archive.config import resolve_settings
from archive.index.search_index import new_index_beside
from tests.conftest import Cli, write_jsonl


def _env(home: Path) -> dict[str, str]:
    env = {**os.environ, "ARCHIVE_HOME": str(home)}
    env.pop("ARCHIVE_DB_URL", None)
    return env


@pytest.mark.slow
def test_two_ingests_of_the_same_file_at_once(tmp_path: Path, home: Path) -> None:
    records = [{"title": f"खबर {i}", "body": f"चक्रवात की खबर {i}। " * 20} for i in range(3000)]
    source = write_jsonl(tmp_path / "same.jsonl", records)
    command = [sys.executable, "-m", "archive", "ingest", "--force", str(source)]
    first = subprocess.Popen(command, env=_env(home), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    second = subprocess.Popen(command, env=_env(home), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    searches = []
    while first.poll() is None or second.poll() is None:
        found = subprocess.run(
            [sys.executable, "-m", "archive", "search", "चक्रवात", "--format", "json", "--limit", "1"],
            env=_env(home),
            capture_output=True,
            text=True,
        )
        # before the first batch lands there is no archive yet; after that every search answers
        if "No archive" not in found.stderr and "holds no archive" not in found.stderr:
            assert found.returncode == 0, found.stderr
            searches.append(json.loads(found.stdout)["total"])
    outputs = [process.communicate() for process in (first, second)]
    assert first.returncode == 0 and second.returncode == 0, outputs
    added = [int(out.split("added ")[1].split(",")[0]) for out, _ in outputs]
    assert sum(added) == 3000  # each article stored once, by one or the other
    stats = json.loads(
        subprocess.run(
            [sys.executable, "-m", "archive", "stats", "--format", "json"],
            env=_env(home),
            capture_output=True,
            text=True,
        ).stdout
    )
    assert (stats["articles"], stats["indexed"], stats["in_step"]) == (3000, 3000, True)
    assert searches, "no search answered while the ingests ran"  # (else the next line proves nothing)
    assert searches == sorted(searches)  # what a search sees only grows


@pytest.mark.slow
def test_reindex_during_an_ingest_loses_nothing(tmp_path: Path, home: Path) -> None:
    archive = [sys.executable, "-m", "archive"]
    subprocess.run([*archive, "ingest"], env=_env(home), check=True, capture_output=True)
    records = [{"title": f"खबर {i}", "body": f"भूस्खलन की खबर {i}। " * 20} for i in range(4000)]
    source = write_jsonl(tmp_path / "big.jsonl", records)
    ingest = subprocess.Popen(
        [*archive, "ingest", str(source)], env=_env(home), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    reindexed = subprocess.run([*archive, "reindex"], env=_env(home), capture_output=True, text=True)
    _, err = ingest.communicate(timeout=300)
    assert reindexed.returncode == 0, reindexed.stderr
    # the ingest either finished, or gave up waiting for the index with a clear message
    assert ingest.returncode == 0 or "being written by another archive command" in err, err
    subprocess.run([*archive, "search", "भूस्खलन"], env=_env(home), capture_output=True)  # catches up
    check = subprocess.run([*archive, "check", "--format", "json"], env=_env(home), capture_output=True, text=True)
    report = json.loads(check.stdout)
    assert (report["articles"], report["indexed"], report["healthy"]) == (4001, 4001, True), report


def test_a_reindex_leaves_an_index_directory_another_process_is_writing(tmp_path: Path) -> None:
    """Two rebuilds at once (an ingest that could not follow the feed rebuilds while `archive reindex` runs,
    seen in CI): the reindex removes the unused directories beside the index, but not one whose write lock
    another writer holds; the next reindex, with it free, removes it."""
    home = tmp_path / "home"
    cli = Cli(home)
    assert (
        cli("ingest", str(write_jsonl(tmp_path / "a.jsonl", [{"title": "खबर", "body": "भूस्खलन की खबर"}]))).exit_code == 0
    )
    settings = resolve_settings(home)
    filling = new_index_beside(settings.index_dir, settings.index)
    with filling.writer():
        assert cli("reindex").exit_code == 0
        assert filling.path.is_dir()
    filling.close()
    assert cli("reindex").exit_code == 0
    assert not filling.path.exists()
    assert json.loads(cli("check", "--format", "json").stdout)["healthy"]
