"""A plain (non-editable) install must carry the seeds and the migrations inside the package."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
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


@pytest.mark.slow
def test_the_readme_demonstration_keeps_to_a_home_of_its_own(tmp_path: Path) -> None:
    """The README's first command, after its install: the sample article goes to ./demo, and the user's own
    archive (the per-user default home) is left untouched."""
    import re
    import shlex

    first = re.search(r"```sh\n(.*?)\n```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S)
    assert first is not None
    commands = [shlex.split(part) for part in first.group(1).split(" && ") if part.startswith("archive ")]
    assert [c[:3] for c in commands] == [["archive", "--home", "demo"]] * 2
    users = tmp_path / "user"
    env = {**os.environ, "HOME": str(users), "XDG_DATA_HOME": str(users / "data"), "APPDATA": str(users)}
    for name in ("ARCHIVE_HOME", "ARCHIVE_DB_URL"):
        env.pop(name, None)
    outputs = [
        subprocess.run([sys.executable, "-m", "archive", *c[1:]], env=env, cwd=tmp_path, capture_output=True, text=True)
        for c in commands
    ]
    assert [o.returncode for o in outputs] == [0, 0], [o.stderr for o in outputs]
    assert outputs[1].stdout.startswith("1 article matches 'लावरोव':")
    assert (tmp_path / "demo" / "archive.db").is_file()
    assert not users.exists()  # nothing in the default home
