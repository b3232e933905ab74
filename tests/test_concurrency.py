"""Two commands at once: nothing is corrupted, nothing is counted twice, searches keep answering."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import write_jsonl


def _env(home: Path) -> dict[str, str]:
    env = {**os.environ, "ARCHIVE_HOME": str(home)}
    env.pop("ARCHIVE_DB_URL", None)
    return env


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
    assert searches == sorted(searches)  # what a search sees only grows
