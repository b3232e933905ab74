"""A bounded load test of `archive serve` on loopback: 20 clients for 30 s while an ingest writes into the
same home. Every request must succeed; the figures are printed (`pytest -s` shows them; benchmarks/web.py
runs the same against the shared corpus)."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

from benchmarks.run import percentile
from benchmarks.web import free_port, get, pages
from tests.conftest import write_jsonl

WORDS = (
    "सरकार कोरोना भारत चीन शिखर सम्मेलन मोदी नोटबंदी किसान आंदोलन बाढ़ सूखा चुनाव संसद अदालत फैसला बजट "
    "शिक्षा स्वास्थ्य अस्पताल रेल सड़क बारिश मौसम खेल क्रिकेट टीम जीत हार बाजार शेयर रुपया महंगाई"
).split()


def articles(count: int, seed: int) -> list[dict[str, str]]:
    rng = random.Random(seed)
    return [
        {
            "title": " ".join(rng.choices(WORDS, k=5)),
            "body": "। ".join(" ".join(rng.choices(WORDS, k=12)) for _ in range(8)) + f"। क्रमांक {seed}-{number}",
            "source": rng.choice(("जनसत्ता", "अमर उजाला", "दैनिक जागरण", "नई दुनिया")),
            "date": f"{rng.randint(2015, 2020)}-{rng.randint(1, 12):02}-{rng.randint(1, 28):02}",
            "url": f"https://example.org/{seed}/{number}",
        }
        for number in range(count)
    ]


def test_twenty_clients_for_thirty_seconds_while_an_ingest_writes(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("ARCHIVE_HOME", "ARCHIVE_DB_URL")}
    archive = [sys.executable, "-m", "archive", "--home", str(tmp_path / "home")]
    first = write_jsonl(tmp_path / "first.jsonl", articles(600, 1))
    subprocess.run([*archive, "ingest", "-q", str(first)], env=env, check=True, capture_output=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([*archive, "serve", "--port", str(port)], env=env, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while get(base, "/sources")[0] != 200:
            assert time.monotonic() < deadline and server.poll() is None, "the server did not start"
            time.sleep(0.2)
        later = write_jsonl(tmp_path / "later.jsonl", articles(3000, 2))
        ingest = subprocess.Popen([*archive, "ingest", "-q", str(later)], env=env, stdout=subprocess.DEVNULL)
        results: list[tuple[int, float, float | None]] = []
        lock = threading.Lock()
        stop = time.monotonic() + 30
        addresses = pages()

        def client(number: int) -> None:
            rng = random.Random(number)
            while time.monotonic() < stop:
                outcome = get(base, rng.choice(addresses))
                with lock:
                    results.append(outcome)

        threads = [threading.Thread(target=client, args=(n,)) for n in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert ingest.wait(timeout=600) == 0
    finally:
        server.terminate()
        server.wait(timeout=30)
    failed = [status for status, _, _ in results if status != 200]
    latencies = [ms for _, ms, _ in results]
    print(
        f"\nload: {len(results)} requests in 30 s from 20 clients during an ingest, {len(failed)} errors, "
        f"p50 {percentile(latencies, 0.5):.0f} ms, p95 {percentile(latencies, 0.95):.0f} ms"
    )
    assert results and failed == []
