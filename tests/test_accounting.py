"""Every record accounted for: duplicates and the origins they add, rejects of every run and what became of
them, deletions that name what they would delete. The CLI on a real SQLite file and index in a temp dir."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.conftest import Run, write_jsonl

EDITORIAL = (
    "फैसले का संदेश\n\n"
    "सर्वोच्च अदालत के फैसले ने साफ कर दिया कि कानून के सामने सब बराबर हैं। सरकार को इस संदेश को समझना होगा।\n\n"
    "सौजन्य- जनसत्ता, {date}।"
)


def editorials(folder: Path, *dates: str) -> list[Path]:
    """The same editorial printed on several dates: files that differ only by the credit line's date."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number, day in enumerate(dates, start=1):
        path = folder / f"{number:03}.txt"
        path.write_text(EDITORIAL.format(date=day), encoding="utf-8")
        paths.append(path)
    return paths


def shown(run: Run, article_id: int) -> dict:  # type: ignore[type-arg]
    result = run("show", str(article_id), "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_a_copy_published_again_is_a_duplicate_and_keeps_its_date(run: Run, tmp_path: Path) -> None:
    first, second = editorials(tmp_path / "raw", "31-10-2016", "29-10-2016")
    result = run("ingest", str(tmp_path / "raw"))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "added 1, updated 0, unchanged 0, duplicates 1, rejected 0"
    assert f"  {second}, record 1 → article 1" in lines
    origins = shown(run, 1)["origins"]
    assert [(o["file"], o["record"], o["source"], o["date"]) for o in origins] == [
        (str(first), "1", "जनसत्ता", "2016-10-31"),
        (str(second), "1", "जनसत्ता", "2016-10-29"),
    ]
    text = run("show", "1").stdout
    assert "read from 2 records:" in text
    assert f"  {second}, record 1 · जनसत्ता · 2016-10-29" in text
    # the very same records read again are unchanged, not duplicates
    again = run("ingest", "--force", str(tmp_path / "raw"))
    assert again.stdout.splitlines()[0] == "added 0, updated 0, unchanged 2, duplicates 0, rejected 0"
    assert len(shown(run, 1)["origins"]) == 2


def test_export_then_ingest_keeps_every_origin(run: Run, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from archive.cli.app import app

    editorials(tmp_path / "raw", "31-10-2016", "29-10-2016", "01-11-2016")
    run("ingest", str(tmp_path / "raw"))
    exported = tmp_path / "export.jsonl"
    assert run("export", "--output", str(exported)).exit_code == 0
    record = json.loads(exported.read_text(encoding="utf-8").splitlines()[0])  # (the article; synonyms follow)
    assert [o["date"] for o in record["origins"]] == ["2016-10-31", "2016-10-29", "2016-11-01"]

    other = tmp_path / "other"

    def in_other(*args: str):  # type: ignore[no-untyped-def]
        return CliRunner().invoke(app, ["--home", str(other), *args], catch_exceptions=False)

    assert in_other("ingest", str(exported)).stdout.splitlines()[0].startswith("added 1,")
    copied = json.loads(in_other("show", "1", "--format", "json").stdout)
    assert copied["origins"] == shown(run, 1)["origins"]
    # the export read again (even from another copy of the file) is the same records: unchanged
    again = tmp_path / "again.jsonl"
    again.write_bytes(exported.read_bytes())
    assert in_other("ingest", str(again)).stdout.splitlines()[0] == (
        "added 0, updated 0, unchanged 1, duplicates 0, rejected 0"
    )


def test_rejects_of_every_run_and_what_became_of_them(run: Run, tmp_path: Path) -> None:
    feed = tmp_path / "feed"
    feed.mkdir()
    bad = write_jsonl(feed / "bad.jsonl", [{"title": "अच्छी खबर", "body": "पाठ एक।"}, {"title": "बिना पाठ"}])
    first = run("ingest", str(feed))
    assert first.exit_code == 3
    assert "1 record rejected; `archive rejects` lists them" in first.stderr
    # a later run of other files, with no rejects: the earlier reject stays in view
    assert run("ingest", str(write_jsonl(tmp_path / "good.jsonl", [{"title": "क", "body": "ख।"}]))).exit_code == 0
    listed = json.loads(run("rejects", "--format", "json").stdout)
    assert [(r["run"], r["file"], r["record"], r["status"]) for r in listed] == [(1, str(bad), "line 2", "rejected")]
    # the folder again, its bad file unchanged: still bad, and the exit code says so again
    second = run("ingest", str(feed))
    assert second.exit_code == 3, second.output
    assert second.stdout.splitlines()[0] == "added 0, updated 0, unchanged 1, duplicates 0, rejected 1"
    # fixed and read again: both rejects of that file are resolved by the run that read it cleanly
    write_jsonl(bad, [{"title": "अच्छी खबर", "body": "पाठ एक।"}, {"title": "बिना पाठ", "body": "अब पाठ है।"}])
    assert run("ingest", str(feed)).exit_code == 0
    listed = json.loads(run("rejects", "--format", "json").stdout)
    assert [(r["run"], r["status"], r["since_run"]) for r in listed] == [(3, "resolved", 4), (1, "resolved", 4)]
    assert "resolved: run 4 read the file without rejects" in run("rejects").stdout
    assert json.loads(run("rejects", "--open", "--format", "json").stdout) == []
    assert [r["run"] for r in json.loads(run("rejects", "--run", "3", "--format", "json").stdout)] == [3]


def test_a_reject_read_again_and_still_bad_is_marked_so(run: Run, tmp_path: Path) -> None:
    bad = write_jsonl(tmp_path / "bad.jsonl", [{"title": "बिना पाठ"}])
    run("ingest", str(bad))
    bad.write_text('{"title": "अब भी बिना पाठ"}\n', encoding="utf-8")
    run("ingest", str(bad))
    listed = json.loads(run("rejects", "--format", "json").stdout)
    assert [(r["run"], r["status"], r["since_run"]) for r in listed] == [
        (2, "rejected", None),
        (1, "rejected again", 2),
    ]
    assert [r["run"] for r in json.loads(run("rejects", "--open", "--format", "json").stdout)] == [2]


def test_rejects_of_a_run_that_does_not_exist_is_an_error(run: Run, articles_file: Path) -> None:
    run("ingest", str(articles_file))
    result = run("rejects", "--run", "99")
    assert result.exit_code == 1
    assert result.stderr.strip() == "Error: No ingest run 99. `archive history` lists the runs."


def test_deleting_ids_the_archive_does_not_hold_is_an_error_and_deletes_nothing(run: Run, articles_file: Path) -> None:
    run("ingest", str(articles_file))
    result = run("delete", "99999")
    assert result.exit_code == 1
    assert "No article with id 99999; nothing was deleted" in result.stderr
    result = run("delete", "1", "99998", "99999")
    assert result.exit_code == 1 and "ids 99998, 99999" in result.stderr
    assert shown(run, 1)["id"] == 1  # the one that exists was not deleted either
    result = run("delete", "--source", "कोई अख़बार नहीं")
    assert result.exit_code == 1 and "No articles from the source 'कोई अख़बार नहीं'" in result.stderr


def test_delete_dry_run_lists_and_deletes_nothing(run: Run, articles_file: Path, home: Path) -> None:
    run("ingest", str(articles_file))
    result = run("delete", "--source", "अमर उजाला", "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "       2  क्रिकेट: भारत ने मैच जीता  (अमर उजाला · 2016-02-01)",
        "would delete 1 article (--dry-run: nothing was deleted)",
    ]
    assert shown(run, 2)["id"] == 2
    # off a terminal (a script) it does not ask
    assert run("delete", "--source", "अमर उजाला").stdout.strip() == "deleted 1 article"
    assert run("show", "2").exit_code == 1
    with sqlite3.connect(home / "archive.db") as db:  # its origins went with it
        assert db.execute("SELECT count(*) FROM origins WHERE article_id = 2").fetchone() == (0,)


def test_an_update_replaces_the_origins_of_the_text_it_replaces(run: Run, tmp_path: Path) -> None:
    cricket = {"title": "मैच", "body": "भारत ने क्रिकेट मैच जीता।"}
    pollution = {"title": "प्रदूषण", "body": "दिल्ली में प्रदूषण बढ़ा।"}
    first = write_jsonl(tmp_path / "first.jsonl", [cricket | {"url": "https://x/1"}])
    second = write_jsonl(
        tmp_path / "second.jsonl", [pollution | {"url": "https://x/1"}, cricket | {"url": "https://x/2"}]
    )
    run("ingest", str(first))
    assert run("ingest", str(second)).stdout.splitlines()[0] == (
        "added 1, updated 1, unchanged 0, duplicates 0, rejected 0"
    )
    updated, added = shown(run, 1), shown(run, 2)
    assert (updated["title"], [(o["file"], o["record"]) for o in updated["origins"]]) == (
        "प्रदूषण",
        [(str(second), "line 1")],  # not first.jsonl's record, which carried the cricket text
    )
    assert (added["title"], [(o["file"], o["record"]) for o in added["origins"]]) == ("मैच", [(str(second), "line 2")])


def test_the_same_file_under_another_spelling_of_its_path_is_the_same_records(
    run: Run, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "feed").mkdir()
    path = write_jsonl(tmp_path / "feed" / "a.jsonl", [{"title": "क", "body": "ख।"}, {"title": "ग", "body": "घ।"}])
    run("ingest", str(path))
    monkeypatch.chdir(tmp_path)
    again = run("ingest", "--force", "feed/./a.jsonl")
    assert again.stdout.splitlines()[0] == "added 0, updated 0, unchanged 2, duplicates 0, rejected 0"
    assert [o["file"] for o in shown(run, 1)["origins"]] == [
        str(path)
    ]  # kept as a full path: it means the same anywhere


def test_what_became_of_each_reject_is_decided_per_record(run: Run, tmp_path: Path) -> None:
    feed = tmp_path / "feed"
    feed.mkdir()
    good = {"title": "अच्छी खबर", "body": "पाठ।"}
    bad = write_jsonl(feed / "bad.jsonl", [good, {"title": "बिना पाठ"}, {"title": "यह भी बिना पाठ"}])
    (feed / "gone.jsonl").symlink_to(tmp_path / "nowhere.jsonl")
    run("ingest", str(feed))
    write_jsonl(bad, [good, {"title": "अब पाठ", "body": "पाठ है।"}, {"title": "यह भी बिना पाठ"}])
    run("ingest", str(feed))

    def statuses() -> list[tuple[int, str, str, str]]:
        rows = json.loads(run("rejects", "--format", "json").stdout)
        return [(r["run"], Path(r["file"]).name, r["record"], r["status"]) for r in rows]

    assert statuses() == [
        (2, "bad.jsonl", "line 3", "rejected"),
        (2, "gone.jsonl", "-", "rejected"),
        (1, "bad.jsonl", "line 2", "resolved"),  # fixed, though the file still has another bad record
        (1, "bad.jsonl", "line 3", "rejected again"),
        (1, "gone.jsonl", "-", "rejected again"),  # the link to nowhere was read (and rejected) again
    ]
    bad.unlink()
    (feed / "gone.jsonl").unlink()
    assert [s[3] for s in statuses()][:2] == ["gone", "gone"]  # nothing left to fix
    assert json.loads(run("rejects", "--open", "--format", "json").stdout) == []
