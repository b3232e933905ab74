"""A plain (non-editable) install must carry the seeds and the migrations inside the package."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_ships_seeds_and_migrations_and_works_installed(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(wheels), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheels.glob("archive-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "archive/seeds/000_cc12dde5166b09ec.txt" in names
    assert "archive/migrations/env.py" in names and "archive/migrations/versions/0001_articles.py" in names

    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    # Run the installed copy from elsewhere, so nothing can come from the source tree.
    env = {**os.environ, "PYTHONPATH": str(target), "ARCHIVE_HOME": str(tmp_path / "home")}
    env.pop("ARCHIVE_DB_URL", None)

    def archive(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "archive", *args], env=env, cwd=tmp_path, capture_output=True, text=True
        )

    where = subprocess.run(
        [sys.executable, "-c", "import archive; print(archive.__file__)"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert where.stdout.startswith(str(target))
    assert archive("ingest").returncode == 0
    found = archive("search", "लावरोव", "--format", "json")
    assert found.returncode == 0, found.stderr
    assert json.loads(found.stdout)["total"] == 1
