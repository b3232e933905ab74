"""Nothing lost: rejects kept and listed, runs recorded, exit codes, resuming, interruption."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archive.config import Settings
from archive.ingest.pipeline import BATCH_SIZE, IngestOptions, SilentProgress, ingest
from archive.models import RunCounts
from tests.conftest import Run, write_jsonl


def test_rejects_are_stored_listed_and_set_the_exit_code(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_text(
        '{"title": "अच्छी खबर", "body": "यह ठीक है"}\n{"title": "टूटी\n{"title": "बिना पाठ"}\n', encoding="utf-8"
    )
    result = run("ingest", str(path))
    assert result.exit_code == 3
    assert "added 1, updated 0, unchanged 0, duplicates 0, rejected 2" in result.stdout
    assert "2 records rejected; `archive rejects` lists them" in result.stderr
    assert f"rejected: {path}, record line 2: not valid JSON" in result.stderr
    assert f"rejected: {path}, record line 3: no body text: 'body' is missing" in result.stderr
    found = json.loads(run("search", "अच्छी", "--format", "json").stdout)
    assert found["total"] == 1  # the good record in the same file landed

    listed = json.loads(run("rejects", "--format", "json").stdout)
    assert [(r["file"], r["record"]) for r in listed] == [(str(path), "line 2"), (str(path), "line 3")]
    assert "not valid JSON" in listed[0]["reason"] and listed[0]["context"].startswith('{"title": "टूटी')
    text = run("rejects").stdout
    assert f"run 1 · {path}, record line 2: not valid JSON" in text


def test_history_lists_runs_with_counts(run: Run, articles_file: Path) -> None:
    run("ingest", str(articles_file))
    run("ingest", str(articles_file), "--force")
    runs = json.loads(run("history", "--format", "json").stdout)
    assert [r["run"] for r in runs] == [2, 1]
    assert (runs[1]["added"], runs[0]["unchanged"], runs[0]["status"]) == (4, 4, "finished")
    assert runs[0]["paths"] == [str(articles_file)] and runs[0]["finished"] >= runs[0]["started"]
    assert "run 2 · " in run("history").stdout


def test_unchanged_files_are_skipped_on_the_next_run(run: Run, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    write_jsonl(folder / "a.jsonl", [{"title": "एक", "body": "पहली खबर"}])
    write_jsonl(folder / "b.jsonl", [{"title": "दो", "body": "दूसरी खबर"}])
    assert "added 2" in run("ingest", str(folder)).stdout
    write_jsonl(folder / "b.jsonl", [{"title": "दो", "body": "दूसरी खबर"}, {"title": "तीन", "body": "तीसरी खबर"}])
    again = run("ingest", str(folder))
    assert "added 1, updated 0, unchanged 1" in again.stdout
    assert "skipped 1 unchanged files" in again.stdout


def test_usage_errors_exit_2(run: Run, tmp_path: Path) -> None:
    assert run("ingest", str(tmp_path / "missing.jsonl")).exit_code == 2
    assert run("ingest", "--map", "title", str(tmp_path)).exit_code == 2
    assert run("ingest", "--format", "pdf", str(tmp_path)).exit_code == 2


def test_original_text_and_notes_are_kept(run: Run, tmp_path: Path) -> None:
    line = {"title": "  खबर  ", "body": "पाठ  ।", "source": "नई दुनिया"}
    path = write_jsonl(tmp_path / "a.jsonl", [line])
    run("ingest", str(path))
    shown = json.loads(run("show", "1", "--format", "json").stdout)
    assert shown["title"] == "खबर" and shown["body"] == "पाठ।"
    assert json.loads(shown["original"]) == line
    assert shown["source"] == "नई दुनिया" and shown["source_key"] == "नईदुनिया"


def _articles_in(database: Path) -> int:
    with sqlite3.connect(database) as db:
        if not db.execute("SELECT count(*) FROM sqlite_master WHERE name = 'articles'").fetchone()[0]:
            return 0
        return int(db.execute("SELECT count(*) FROM articles").fetchone()[0])


def test_interrupt_keeps_what_was_stored_and_the_next_run_continues(tmp_path: Path, home: Path) -> None:
    total = 20_000
    records = [{"title": f"खबर {i}", "body": f"बाढ़ की खबर {i}। " * 30} for i in range(total)]
    source = write_jsonl(tmp_path / "big.jsonl", records)
    env = {**os.environ, "ARCHIVE_HOME": str(home)}
    env.pop("ARCHIVE_DB_URL", None)
    command = [sys.executable, "-m", "archive", "ingest", str(source)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    database = home / "archive.db"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:  # wait until batches are landing
        if database.exists() and _articles_in(database) > 0:
            break
        time.sleep(0.05)
    assert process.poll() is None, "the ingest finished before it could be interrupted; give it more records"
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    assert "run the same command again to continue" in err
    added = int(out.split("added ")[1].split(",")[0])
    stats = json.loads(
        subprocess.run(
            [sys.executable, "-m", "archive", "stats", "--format", "json"], env=env, capture_output=True, text=True
        ).stdout
    )
    assert stats["articles"] == added and stats["in_step"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert f"added {total - added}, updated 0, unchanged {added}" in done.stdout
    history = subprocess.run(
        [sys.executable, "-m", "archive", "history", "--format", "json"], env=env, capture_output=True, text=True
    )
    assert [r["status"] for r in json.loads(history.stdout)] == ["finished", "interrupted"]


class _SwallowedCtrlC:
    """Ctrl-C pressed while a finaliser runs: Python prints its KeyboardInterrupt and drops it."""

    def __del__(self) -> None:
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(1)  # the handler runs here, inside the finaliser


class _CtrlCInAFinaliser(SilentProgress):
    def __init__(self) -> None:
        self.pressed = False

    def counts_changed(self, counts: RunCounts) -> None:
        if counts.added and not self.pressed:
            self.pressed = True
            _SwallowedCtrlC()  # finalised at once


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_ctrl_c_that_a_finaliser_swallowed_still_stops_the_ingest(tmp_path: Path, settings: Settings) -> None:
    records = [{"title": f"खबर {i}", "body": f"बाढ़ की खबर {i}।"} for i in range(3 * BATCH_SIZE)]
    source = write_jsonl(tmp_path / "big.jsonl", records)
    report = ingest(settings, [source], IngestOptions(background_index=False), _CtrlCInAFinaliser())
    assert report.interrupted
    assert report.counts.added == BATCH_SIZE  # the batch stored before the press, and no more
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # Ctrl-C handled as usual again
