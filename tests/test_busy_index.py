"""An ingest whose final sync finds the index held by another command (`archive serve`'s follower applying
the feed, seen in the soak benchmark: the ingest waited 30 s, then failed) finishes: everything is stored,
and the changes it leaves wait in the feed for the command holding the index, or the next one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from archive.config import resolve_settings
from archive.index.copying import write_locked
from archive.index.search_index import SearchIndex
from tests.clusters import news
from tests.conftest import Cli, write_jsonl


def test_an_ingest_finishes_when_another_command_holds_the_index(tmp_path: Path) -> None:
    home = tmp_path / "home"
    cli = Cli(home)
    assert cli("ingest", str(write_jsonl(tmp_path / "a.jsonl", news(5)))).exit_code == 0
    index = SearchIndex(resolve_settings(home).index_dir)
    environment = {k: v for k, v in os.environ.items() if k not in ("ARCHIVE_HOME", "ARCHIVE_DB_URL")}
    more = write_jsonl(tmp_path / "b.jsonl", news(7, first=5))
    with write_locked(index):
        done = subprocess.run(
            [sys.executable, "-m", "archive", "--home", str(home), "ingest", str(more)],
            capture_output=True, text=True, timeout=120, env={**environment, "ARCHIVE_LOCK_TIMEOUT": "0.5"},
        )  # fmt: skip
    index.close()
    assert done.returncode == 0, done.stderr
    assert "added 7" in done.stdout
    assert "7 changes wait for the index" in done.stderr, done.stderr
    assert json.loads(cli("history", "-f", "json").stdout)[0]["status"] == "finished"
    # the next command (a search) indexes them
    assert json.loads(cli("search", "संग्रहखबर", "--no-collapse", "-f", "json").stdout)["total"] == 12
