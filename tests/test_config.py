"""Where an archive lives: --home, then ARCHIVE_HOME, then the per-user data directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive.config import resolve_settings


def test_home_comes_from_the_option_then_the_environment_then_the_user_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARCHIVE_HOME", str(tmp_path / "from-env"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert resolve_settings(tmp_path / "given").home == tmp_path / "given"
    assert resolve_settings().home == tmp_path / "from-env"
    monkeypatch.delenv("ARCHIVE_HOME")
    assert resolve_settings().home == tmp_path / "data" / "archive"


def test_the_lock_wait_comes_from_the_environment_and_a_bad_one_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from archive.cli.app import app

    monkeypatch.setenv("ARCHIVE_LOCK_TIMEOUT", "2.5")
    assert resolve_settings(tmp_path).index.lock_timeout == 2.5
    monkeypatch.setenv("ARCHIVE_LOCK_TIMEOUT", "soon")
    result = CliRunner().invoke(app, ["--home", str(tmp_path), "stats"])
    assert result.exit_code == 2
    assert "ARCHIVE_LOCK_TIMEOUT='soon' is not a number of seconds" in result.stderr
