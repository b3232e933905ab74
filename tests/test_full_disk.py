"""Full disks survived: an ingest into a home on a small filesystem (a tmpfs of a few MB, mounted by the test
as root; skipped where it cannot be made), an index commit with no room, and `optimize --full` with no room.
Each stops with a message naming the disk and the room needed, leaves the database and the index
consistent (what is stored and not indexed is only pending), and completes once there is room."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.clusters import archive, news
from tests.conftest import write_jsonl

pytestmark = pytest.mark.slow


class SmallDisk:
    def __init__(self, path: Path) -> None:
        self.path = path

    def resize(self, size: str) -> None:
        subprocess.run(["mount", "-o", f"remount,size={size}", str(self.path)], check=True, capture_output=True)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[SmallDisk]:
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small tmpfs needs root (as .ci/run runs)")
    path = tmp_path / "small"
    path.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(path)], capture_output=True)
    if made.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.strip()}")
    try:
        yield SmallDisk(path)
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


def consistent(home: Path, *db: str) -> dict:  # type: ignore[type-arg]
    """`archive check`'s report, asserting the index holds nothing wrong (pending changes are not wrong)."""
    done = subprocess.run(
        [sys.executable, "-m", "archive", "--home", str(home), *db, "check", "-f", "json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    report: dict = json.loads(done.stdout)  # type: ignore[type-arg]
    assert not (report["missing"] or report["extra"] or report["stale"] or report["problem"]), report
    return report


def test_an_ingest_that_fills_the_disk_stops_with_the_room_needed_and_completes_once_freed(
    small_disk: SmallDisk, tmp_path: Path
) -> None:
    home = small_disk.path / "home"
    articles = write_jsonl(tmp_path / "in.jsonl", news(1200))
    failed = archive(home, "ingest", str(articles), expect=1)
    assert "Traceback" not in failed.stderr, failed.stderr
    message = failed.stderr.strip().splitlines()[-1]
    assert f"The disk {small_disk.path} " in message and "MB free" in message and "more needed" in message
    assert "run the same command again" in message
    consistent(home)
    small_disk.resize("64m")
    archive(home, "ingest", str(articles))
    report = consistent(home)
    assert report["healthy"] and report["articles"] == report["indexed"] == 1200, report


def test_an_index_commit_with_no_room_leaves_the_database_whole_and_the_index_as_it_was(
    small_disk: SmallDisk, tmp_path: Path
) -> None:
    home = small_disk.path / "home"
    db = ("--db", f"sqlite:///{tmp_path / 'archive.db'}")  # (the database on a large disk: only the index is full)
    articles = write_jsonl(tmp_path / "in.jsonl", news(1200))
    failed = archive(home, *db, "ingest", str(articles), expect=1)
    assert "Traceback" not in failed.stderr, failed.stderr
    assert "search index" in failed.stderr and f"The disk {small_disk.path} " in failed.stderr, failed.stderr
    report = consistent(home, *db)
    assert report["articles"] == 1200 and report["pending"], report  # every article stored; the index behind
    small_disk.resize("64m")
    archive(home, *db, "check", "--repair")
    report = consistent(home, *db)
    assert report["healthy"] and report["indexed"] == 1200, report


def test_optimize_full_with_no_room_keeps_the_index_in_use(small_disk: SmallDisk, tmp_path: Path) -> None:
    small_disk.resize("64m")
    home = small_disk.path / "home"
    for part in range(2):  # (two segments: something to optimize)
        archive(home, "ingest", str(write_jsonl(tmp_path / f"{part}.jsonl", news(300, first=300 * part))))
    index_bytes = sum(f.stat().st_size for f in (home / "index").resolve().iterdir())
    used = shutil.disk_usage(small_disk.path).used
    small_disk.resize(f"{(used + index_bytes // 3) // 1024}k")  # (room for a third of the index's copy)
    failed = archive(home, "optimize", "--full", expect=1)
    assert "Traceback" not in failed.stderr, failed.stderr
    assert "search index" in failed.stderr and "more needed" in failed.stderr, failed.stderr
    assert [p.name for p in home.glob("index-*")] == [(home / "index").resolve().name]  # (the half copy is gone)
    report = consistent(home)
    assert report["healthy"] and report["indexed"] == 600, report
    small_disk.resize("64m")
    assert "merged 2 segments into 1" in archive(home, "optimize", "--full").stdout
    assert consistent(home)["healthy"]
