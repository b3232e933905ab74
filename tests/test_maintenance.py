"""Looking after an archive: check and repair the index, delete, export and re-ingest losslessly."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from archive.config import Settings
from archive.index.search_index import SearchIndex
from archive.store.database import Store
from tests.conftest import Run, write_jsonl


def check(run: Run, *args: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    result = run("check", "--format", "json", *args)
    return result.exit_code, json.loads(result.stdout)


def test_check_finds_and_repairs_missing_extra_and_stale_documents(
    run: Run, articles_file: Path, settings: Settings
) -> None:
    run("ingest", str(articles_file))
    assert check(run) == (0, check(run)[1]) and check(run)[1]["healthy"] is True
    # damage the index behind the archive's back: drop one document, change another, add a stray one
    index = SearchIndex(settings.index_dir)
    store = Store.open(settings, create=False)
    with index.writer() as writer:
        writer.remove([1])
        stale = replace(store.get(2), body="बदला हुआ पाठ", content_hash="x")
        writer.put([stale])
        stray = replace(store.get(3), id=99)
        writer.put([stray])
    index.close()
    store.close()
    code, report = check(run)
    assert code == 1
    assert (report["missing"], report["extra"], report["stale"]) == ([1], [99], [2])
    assert "run `archive check --repair`" in run("check").stdout
    code, report = check(run, "--repair")
    assert code == 0 and report["repaired"] is True
    assert check(run)[1]["healthy"] is True
    found = json.loads(run("search", "बारिश", "--format", "json").stdout)
    assert {h["id"] for h in found["hits"]} == {1, 2}


@pytest.mark.slow
def test_check_repairs_an_unreadable_index(run: Run, settings: Settings) -> None:
    run("ingest")
    postings = list(settings.index_dir.glob("*.pst"))  # a segment's postings file lost
    assert postings
    for segment in postings:
        segment.unlink()
    code, report = check(run)
    assert code == 1 and report["problem"]
    assert check(run, "--repair")[0] == 0
    assert json.loads(run("search", "लावरोव", "--format", "json").stdout)["total"] == 1


def test_delete_by_id_and_by_source(run: Run, articles_file: Path) -> None:
    run("ingest", str(articles_file))
    assert run("delete", "1").stdout.strip() == "deleted 1 article"
    assert json.loads(run("search", "बारिश", "--format", "json").stdout)["total"] == 1
    assert run("delete", "--source", "अमर उजाला").stdout.strip() == "deleted 1 article"
    assert json.loads(run("search", "बारिश", "--format", "json").stdout)["total"] == 0
    assert run("show", "2").exit_code == 1
    assert check(run)[1]["healthy"] is True
    assert run("delete").exit_code == 2


def test_export_round_trips_through_ingest(run: Run, tmp_path: Path, home: Path) -> None:
    source = write_jsonl(
        tmp_path / "in.jsonl",
        [
            {"title": "शीर्षक एक", "body": "पहला पाठ।\n\nदूसरा अनुच्छेद।", "url": "https://a/1", "source": "नई दुनिया",
             "date": "25.01.2016", "category": "राजनीति", "author": "राम", "summary": "सार"},
            {"title": "शीर्षक दो", "body": "सौजन्य के बिना पाठ।", "language": "hi"},
        ],
    )  # fmt: skip
    run("ingest", str(source))
    exported = tmp_path / "out.jsonl"
    assert run("export", "-o", str(exported)).exit_code == 0
    from typer.testing import CliRunner

    from archive.cli.app import app

    other = tmp_path / "other"
    assert CliRunner().invoke(app, ["--home", str(other), "ingest", str(exported)]).exit_code == 0
    fields = (
        "title",
        "summary",
        "body",
        "url",
        "source",
        "category",
        "date",
        "language",
        "author",
        "original",
        "content_hash",
    )

    def shown(where: Path, article_id: int) -> dict:  # type: ignore[type-arg]
        result = CliRunner().invoke(app, ["--home", str(where), "show", str(article_id), "--format", "json"])
        data = json.loads(result.stdout)
        return {key: data[key] for key in fields}

    for article_id in (1, 2):
        assert shown(home, article_id) == shown(other, article_id)
    assert shown(other, 1)["date"] == "2016-01-25" and "25.01.2016" in shown(other, 1)["original"]
    # and exporting the copy gives the same file
    copy = tmp_path / "copy.jsonl"
    CliRunner().invoke(app, ["--home", str(other), "export", "-o", str(copy)])
    assert copy.read_text(encoding="utf-8") == exported.read_text(encoding="utf-8")
    shutil.rmtree(other)
