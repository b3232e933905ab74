"""`archive serve --workers N`: N worker processes answer on one port, one follower (in the supervising
process) brings what an ingest stores to every worker, and a stop is graceful: the server exits cleanly and
leaves no process behind."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

import psutil

from tests.conftest import env, free_port, get_json, wait_until_up, write_jsonl


def workers_of(server: psutil.Process) -> list[psutil.Process]:
    return [child for child in server.children() if "spawn_main" in " ".join(child.cmdline())]


def test_workers_share_a_port_follow_one_feed_and_stop_gracefully(tmp_path: Path) -> None:
    archive = [sys.executable, "-m", "archive", "--home", str(tmp_path / "home")]
    stories = [{"title": f"बाढ़ खबर {n}", "body": f"नदी में बाढ़, अंक {n}।", "source": "जनसत्ता"} for n in range(30)]
    subprocess.run([*archive, "ingest", str(write_jsonl(tmp_path / "a.jsonl", stories))], env=env(), check=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [*archive, "serve", "--port", str(port), "--workers", "2"],
        env=env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until_up(base + "/sources.json", server)
        process = psutil.Process(server.pid)
        workers = workers_of(process)
        assert len(workers) == 2
        totals: list[int] = []

        def client() -> None:
            for _ in range(10):
                totals.append(get_json(base + "/search.json?q=" + quote("बाढ़"))["total"])

        clients = [threading.Thread(target=client) for _ in range(8)]
        for thread in clients:
            thread.start()
        for thread in clients:
            thread.join()
        assert totals == [30] * 80
        later = [{"title": "चक्रवात की चेतावनी", "body": "तट पर चक्रवात से पहले चेतावनी जारी हुई।"}]
        subprocess.run([*archive, "ingest", str(write_jsonl(tmp_path / "b.jsonl", later))], env=env(), check=True)
        deadline = time.monotonic() + 30  # (every worker sees it: several requests, whichever answers)
        while {get_json(base + "/search.json?q=" + quote("चक्रवात"))["total"] for _ in range(6)} != {1}:
            assert time.monotonic() < deadline, "the workers never showed the new article"
            time.sleep(0.3)
    finally:
        server.terminate()
        _, stderr = server.communicate(timeout=30)
    assert server.returncode == 0, stderr
    assert "with 2 workers" in stderr and "Traceback" not in stderr
    assert not any(worker.is_running() and worker.status() != psutil.STATUS_ZOMBIE for worker in workers)


def test_one_follower_per_home_and_a_dead_ones_claim_is_taken_over(tmp_path: Path) -> None:
    from archive.cli.serving import FOLLOWER_FILE, claim_following, give_up_following
    from archive.config import resolve_settings

    archive = [sys.executable, "-m", "archive", "--home", str(tmp_path / "home")]
    subprocess.run([*archive, "ingest"], env=env(), check=True, capture_output=True)  # (the seeds)
    first_port, second_port = free_port(), free_port()
    servers = [
        subprocess.Popen(
            [*archive, "serve", "--port", str(port), "--workers", "1"],
            env=env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for port in (first_port,)
    ]
    try:
        wait_until_up(f"http://127.0.0.1:{first_port}/sources.json", servers[0])
        claim = tmp_path / "home" / FOLLOWER_FILE
        assert claim.exists() and str(servers[0].pid) in claim.read_text()
        servers.append(
            subprocess.Popen(
                [*archive, "serve", "--port", str(second_port), "--workers", "1"],
                env=env(),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
        wait_until_up(f"http://127.0.0.1:{second_port}/sources.json", servers[1])
        assert str(servers[0].pid) in claim.read_text()  # (still the first's)
    finally:
        for server in servers:
            server.terminate()
        outputs = [server.communicate(timeout=30)[1] for server in servers]
    assert f"another archive serve (process {servers[0].pid}) follows" in outputs[1]
    assert "another archive serve" not in outputs[0]
    assert not claim.exists()  # (given up when the first stopped)

    settings = resolve_settings(tmp_path / "home")
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    claim.write_text(json.dumps({"follower": [socket.gethostname(), int(gone.stdout), 1.0]}))
    assert claim_following(settings) is None  # (its process is gone: taken over)
    assert str(os.getpid()) in claim.read_text()
    give_up_following(settings)
    assert not claim.exists()
