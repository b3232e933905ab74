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
from typing import Any

import psutil
import pytest

from archive.analysis.sources import source_key
from archive.config import BATCH_SIZE, Settings
from archive.ingest.pipeline import IngestOptions, SilentProgress, ingest
from archive.models import RunCounts
from tests.conftest import Run, wait_for, write_jsonl


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
    assert "skipped 1 unchanged file " in again.stdout


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
    assert shown["source"] == "नई दुनिया" and shown["source_key"] == source_key("नईदुनिया")  # one outlet


def _articles_in(database: Path) -> int:
    with sqlite3.connect(database) as db:
        if not db.execute("SELECT count(*) FROM sqlite_master WHERE name = 'articles'").fetchone()[0]:
            return 0
        return int(db.execute("SELECT count(*) FROM articles").fetchone()[0])


def _start_big_ingest(
    tmp_path: Path, home: Path, total: int = 20_000
) -> tuple[subprocess.Popen[str], dict[str, str], list[str]]:
    """An ingest in a process of its own (its environment and command too), large enough for the
    background indexer, once its first batches have landed."""
    records = [{"title": f"खबर {i}", "body": f"बाढ़ की खबर {i}। " * 30} for i in range(total)]
    source = write_jsonl(tmp_path / "big.jsonl", records)
    env = {**os.environ, "ARCHIVE_HOME": str(home)}
    env.pop("ARCHIVE_DB_URL", None)
    command = [sys.executable, "-m", "archive", "ingest", str(source)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    database = home / "archive.db"
    # ready when its first batches have landed (or it ended: asserted below)
    wait_for(lambda: process.poll() is not None or (database.exists() and _articles_in(database) > 0), "a batch")
    assert process.poll() is None, "the ingest finished before it could be stopped; give it more records"
    return process, env, command


@pytest.mark.slow
def test_interrupt_keeps_what_was_stored_and_the_next_run_continues(tmp_path: Path, home: Path) -> None:
    total = 20_000
    process, env, command = _start_big_ingest(tmp_path, home, total)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=120)  # (how soon it stops is benchmarks/responsiveness.py's)
    assert process.returncode == 130, err
    assert "run the same command again to continue" in err
    added = int(out.split("added ")[1].split(",")[0])

    def stats() -> dict[str, Any]:
        command = [sys.executable, "-m", "archive", "stats", "--format", "json"]
        return json.loads(subprocess.run(command, env=env, capture_output=True, text=True).stdout)  # type: ignore[no-any-return]

    # what was stored and not indexed stays in the feed, and the next command indexes it
    assert stats()["articles"] == added and stats()["pending"] > 0
    search = [sys.executable, "-m", "archive", "search", "बाढ़", "--format", "json", "--no-collapse"]
    assert json.loads(subprocess.run(search, env=env, capture_output=True, text=True).stdout)["total"] == added
    assert stats()["in_step"]
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
        # Ctrl-C arriving now: the handler runs inside the finaliser (called here, as the signal would call
        # it, rather than sent and waited for)
        handler = signal.getsignal(signal.SIGINT)
        assert callable(handler)
        handler(signal.SIGINT, None)


class _CtrlCInAFinaliser(SilentProgress):
    def __init__(self) -> None:
        self.pressed = False

    def read(self, counts: RunCounts, bytes_read: int) -> None:
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


def _history(env: dict[str, str]) -> list[dict[str, Any]]:
    command = [sys.executable, "-m", "archive", "history", "--format", "json"]
    return json.loads(subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout)  # type: ignore[no-any-return]


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="kill -9 is POSIX")
def test_a_killed_run_shows_as_killed_with_what_it_stored(tmp_path: Path, home: Path) -> None:
    process, env, _ = _start_big_ingest(tmp_path, home)
    wait_for(lambda: psutil.Process(process.pid).children(), "the background indexer")  # (at work too)
    process.send_signal(signal.SIGKILL)
    _, err = process.communicate(timeout=60)  # standard error closes when every process holding it has ended
    assert "leaked" not in err and "semaphore" not in err and "Traceback" not in err, err
    stored = _articles_in(home / "archive.db")
    [run] = _history(env)
    assert run["status"] == "killed" and run["finished"] is None
    assert run["added"] == stored > 0  # each batch counted in its own transaction
    text = subprocess.run([sys.executable, "-m", "archive", "history"], env=env, capture_output=True, text=True)
    assert "· killed (its process ended without finishing; the counts are what it stored) ·" in text.stdout
    # the next ingest records it as killed for good, and continues
    subprocess.run([sys.executable, "-m", "archive", "ingest"], env=env, check=True, capture_output=True)
    with sqlite3.connect(home / "archive.db") as db:
        assert db.execute("SELECT status FROM ingest_runs ORDER BY id").fetchall() == [("killed",), ("finished",)]


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="signals are POSIX")
def test_a_second_ctrl_c_still_prints_the_summary(tmp_path: Path, home: Path) -> None:
    process, env, _ = _start_big_ingest(tmp_path, home)
    process.send_signal(signal.SIGINT)
    time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert out.startswith("added ") and "Traceback" not in err and "leaked" not in err, (out, err)
    assert [r["status"] for r in _history(env)] == ["interrupted"]
    assert _history(env)[0]["added"] == int(out.split("added ")[1].split(",")[0]) == _articles_in(home / "archive.db")


class _Recorded(SilentProgress):
    def __init__(self) -> None:
        self.found: tuple[int, int | None] | None = None
        self.bytes: list[int] = []
        self.indexing_calls: list[tuple[int, int]] = []

    def files_found(self, total: int, total_bytes: int | None) -> None:
        self.found = (total, total_bytes)

    def read(self, counts: RunCounts, bytes_read: int) -> None:
        self.bytes.append(bytes_read)

    def indexing(self, done: int, total: int) -> None:
        self.indexing_calls.append((done, total))


@pytest.mark.parametrize("background", [False, pytest.param(True, marks=pytest.mark.slow)])  # (True: a process)
def test_progress_counts_bytes_read_and_the_final_indexing(
    tmp_path: Path, settings: Settings, background: bool
) -> None:
    from archive.api import Archive

    records = [{"title": f"खबर {i}", "body": f"बाढ़ की खबर {i}। " * 30} for i in range(2 * BATCH_SIZE + 7)]
    first = write_jsonl(tmp_path / "a.jsonl", records[:BATCH_SIZE])
    second = write_jsonl(tmp_path / "b.jsonl.gz", records[BATCH_SIZE:])
    total_bytes = first.stat().st_size + second.stat().st_size
    recorded = _Recorded()
    options = IngestOptions(background_index=background)
    report = Archive(settings=settings).ingest([first, second], options, recorded)
    assert report.counts.added == len(records)
    assert recorded.found == (2, total_bytes)
    assert recorded.bytes == sorted(recorded.bytes) and recorded.bytes[-1] == total_bytes
    assert 0 < recorded.bytes[0] < total_bytes  # within the files, not only at their ends
    if not background:  # (the background indexer may have caught up before storing ended)
        assert recorded.indexing_calls[-1] == (len(records), len(records))
    assert all(done <= total for done, total in recorded.indexing_calls)
    rebuilt = _Recorded()
    assert Archive(settings=settings).reindex(rebuilt) == len(records)
    assert rebuilt.indexing_calls[-1] == (len(records), len(records)) and len(rebuilt.indexing_calls) > 1
