"""The index swap where symbolic links cannot be made (Windows without the privilege): a pointer file beside
``index`` names the directory in use, replaced in one rename; ingest, search, reindex and check work alike."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archive.config import Settings
from archive.index.swap import current_directory
from tests.conftest import Run, write_jsonl


@pytest.fixture
def no_symlinks(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: Path, target: object, target_is_directory: bool = False) -> None:
        raise OSError(1314, "A required privilege is not held by the client")  # (Windows' words)

    monkeypatch.setattr(Path, "symlink_to", refuse)


def test_without_symlinks_a_pointer_file_names_the_index(
    no_symlinks: None, run: Run, settings: Settings, articles_file: Path
) -> None:
    assert run("ingest", str(articles_file)).exit_code == 0
    link, pointer = settings.index_dir, settings.index_dir.with_name("index.current")
    assert not link.exists() and pointer.is_file()
    first = current_directory(link)
    assert first.is_dir() and first.name == pointer.read_text(encoding="utf-8")
    assert json.loads(run("search", "बारिश", "--format", "json").stdout)["total"] == 2

    assert run("reindex").stdout.strip() == "indexed 4 articles"
    second = current_directory(link)
    assert second != first and second.is_dir() and first.is_dir()  # swapped; the old one kept for its readers
    assert run("reindex").exit_code == 0
    assert current_directory(link) not in (first, second) and not first.exists()  # ... until the next swap
    assert json.loads(run("search", "बारिश", "--format", "json").stdout)["total"] == 2
    assert json.loads(run("check", "--format", "json").stdout)["healthy"] is True
    assert json.loads(run("stats", "--format", "json").stdout)["in_step"] is True


def test_an_archive_with_a_symlink_moves_to_the_pointer_file(
    run: Run, settings: Settings, articles_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An archive made where links work, used where they do not (a home copied over, say)."""
    run("ingest", str(articles_file))
    assert settings.index_dir.is_symlink()
    monkeypatch.setattr(Path, "symlink_to", lambda *_: (_ for _ in ()).throw(OSError("no links here")))
    assert run("reindex").exit_code == 0
    assert not settings.index_dir.exists() and current_directory(settings.index_dir).is_dir()
    more = write_jsonl(articles_file.with_name("more.jsonl"), [{"title": "नई खबर", "body": "भूकंप के झटके।"}])
    assert run("ingest", str(more)).exit_code == 0
    assert json.loads(run("search", "भूकंप", "--format", "json").stdout)["total"] == 1
