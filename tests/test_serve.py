"""`archive serve` as users start it: a process on loopback, a warning when it listens beyond, a follower
that shows what another home stored within seconds, and a web stack no other command loads."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.conftest import env, free_port, get_json, wait_for, wait_until_up, write_jsonl


@pytest.mark.slow
def test_serve_answers_and_follows_what_another_home_stores(tmp_path: Path) -> None:
    db = f"sqlite:///{(tmp_path / 'shared.db').as_posix()}"
    server_home, writer_home = tmp_path / "server", tmp_path / "writer"
    ingest = [sys.executable, "-m", "archive", "--home", str(writer_home), "--db", db, "ingest"]
    assert subprocess.run(ingest, env=env(), capture_output=True).returncode == 0  # the seeds
    port = free_port()
    command = [sys.executable, "-m", "archive", "--home", str(server_home), "--db", db, "serve", "--port", str(port)]
    server = subprocess.Popen(command, env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base + "/sources.json", server)
        assert get_json(base + "/search.json?q=" + quote("लावरोव"))["total"] == 1
        later = [{"title": "चक्रवात की चेतावनी", "body": "तट पर चक्रवात से पहले चेतावनी जारी हुई।"}]
        path = write_jsonl(tmp_path / "later.jsonl", later)
        assert subprocess.run([*ingest, str(path)], env=env(), capture_output=True).returncode == 0
        # the writer's home indexed it; the server's index learns of it from the change feed, by itself
        found = lambda: get_json(base + "/search.json?q=" + quote("चक्रवात"))["total"] == 1  # noqa: E731
        wait_for(found, "the server to show the new article", timeout=30)
    finally:
        server.terminate()
        _, stderr = server.communicate(timeout=20)
    assert f"at http://127.0.0.1:{port}/" in stderr and "Warning" not in stderr


@pytest.mark.slow
def test_serving_beyond_loopback_warns(tmp_path: Path) -> None:
    port = free_port()
    command = [sys.executable, "-m", "archive", "--home", str(tmp_path / "h"), "serve", "--host", "0.0.0.0"]
    subprocess.run([sys.executable, "-m", "archive", "--home", str(tmp_path / "h"), "ingest"], env=env(), check=True)
    server = subprocess.Popen([*command, "--port", str(port)], env=env(), stderr=subprocess.PIPE, text=True)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/", server)
    finally:
        server.terminate()
        _, stderr = server.communicate(timeout=20)
    assert "anyone who can reach this machine on the network can read the archive" in stderr


def test_other_commands_do_not_load_the_web_stack(tmp_path: Path) -> None:
    home = str(tmp_path / "h")
    subprocess.run([sys.executable, "-m", "archive", "--home", home, "ingest"], env=env(), check=True)
    code = (
        "import sys; from archive.cli.app import main\n"
        "sys.argv = ['archive', '--home', sys.argv[1], 'search', 'लावरोव', '--format', 'json']\n"
        "try:\n    main()\nexcept SystemExit as done:\n    assert not done.code, done.code\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('fastapi', 'starlette', 'jinja2', 'uvicorn')))"
    )
    found = subprocess.run([sys.executable, "-c", code, home], env=env(), capture_output=True, text=True)
    assert found.returncode == 0, found.stderr
    *answer, loaded = found.stdout.strip().splitlines()
    assert json.loads("\n".join(answer))["total"] == 1  # the search ran, and found the seed
    assert loaded == "[]", found.stderr
