"""Outlet names one letter away from a well-printed outlet's name merge into it when the archive's own counts
show them to be misprints; `archive sources` lists the merge, `--source` and the facets follow it, and
`archive sources --unmerge` keeps the name apart for good."""

from __future__ import annotations

from pathlib import Path

from archive.api import Archive
from archive.config import Settings
from tests.conftest import Run, write_jsonl
from tests.sites import article_text


def _records(source: str, count: int, first: int) -> list[dict[str, str]]:
    return [
        {"title": f"संपादकीय {n}", "body": "\n".join(article_text(n)), "source": source, "url": f"https://e.org/{n}"}
        for n in range(first, first + count)
    ]


def test_a_misprinted_outlet_is_merged_listed_searched_and_can_be_kept_apart(
    tmp_path: Path, run: Run, settings: Settings
) -> None:
    records = _records("दैनिक जागरण", 12, 0) + _records("दैनिक जारगण", 1, 100) + _records("दैनिक भास्कर", 1, 200)
    assert run("ingest", str(write_jsonl(tmp_path / "a.jsonl", records))).exit_code == 0
    shown = run("sources").output
    assert "13  दैनिक जागरण" in shown and "merged as a misprint: दैनिक जारगण (1)" in shown
    assert "दैनिक भास्कर" in shown  # (one letter from nothing: an outlet of its own)
    archive = Archive(settings=settings)
    assert archive.search("", sources=("दैनिक जागरण",)).total == 13
    assert archive.search("", sources=("दैनिक जारगण",)).total == 13  # (either name: the one outlet)

    undone = run("sources", "--unmerge", "दैनिक जारगण")
    assert undone.exit_code == 0 and "apart from दैनिक जागरण" in undone.output
    assert "merged as a misprint" not in run("sources").output
    # (a session reads the merges again within seconds; a new one at once)
    assert Archive(settings=settings).search("", sources=("दैनिक जागरण",)).total == 12
    more = _records("दैनिक जागरण", 3, 300)
    assert run("ingest", str(write_jsonl(tmp_path / "b.jsonl", more))).exit_code == 0
    assert "merged as a misprint" not in run("sources").output  # (refused for good)
    assert "is merged as a misprint" in run("sources", "--unmerge", "दैनिक जारगण").output


def test_a_small_archive_merges_nothing(tmp_path: Path, run: Run) -> None:
    records = _records("दैनिक जागरण", 5, 0) + _records("दैनिक जारगण", 1, 100)
    assert run("ingest", str(write_jsonl(tmp_path / "a.jsonl", records))).exit_code == 0
    assert "merged as a misprint" not in run("sources").output
