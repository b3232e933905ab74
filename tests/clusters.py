"""PostgreSQL clusters of a test's own (Debian's ``pg_createcluster``), on free ports: a primary, a hot standby
made from it with ``pg_basebackup -R``, restarted and dropped by the test. Never the shared cluster.

They need root (the clusters belong to the ``postgres`` user) and Debian's postgresql-common; a test using them
is skipped with the reason otherwise (``.ci/run`` runs as root and installs PostgreSQL).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

#: The bundled seed articles (tests/conftest.py's SEEDS: not imported, conftest imports this module).
SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def env() -> dict[str, str]:
    """The environment of a node's command: no home or database of the caller's."""
    return {k: v for k, v in os.environ.items() if k not in ("ARCHIVE_HOME", "ARCHIVE_DB_URL")}


#: Lines put at the top of each cluster's pg_hba.conf: Debian's own rules (scram for local TCP) come first
#: otherwise, and the tests connect without passwords (the clusters listen on loopback only).
TRUST = """local all all trust
local replication all trust
host all all 127.0.0.1/32 trust
host replication all 127.0.0.1/32 trust
"""


def cannot_make_clusters() -> str | None:
    """Why clusters cannot be made here, or None."""
    if os.geteuid() != 0:
        return "making PostgreSQL clusters needs root (pg_createcluster): run as root, as .ci/run does"
    for tool in ("pg_createcluster", "pg_ctlcluster", "pg_dropcluster", "pg_basebackup"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (Debian's postgresql package)"
    if not _versions():
        return "no PostgreSQL server under /usr/lib/postgresql"
    return None


def _versions() -> list[str]:
    try:
        return sorted(
            (p.name for p in Path("/usr/lib/postgresql").iterdir() if (p / "bin" / "postgres").exists()), key=float
        )
    except (OSError, ValueError):
        return []


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run(*command: str) -> str:
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if done.returncode:
        raise RuntimeError(f"{' '.join(command)} failed: {done.stderr or done.stdout}")
    return done.stdout


@dataclass(frozen=True)
class Cluster:
    version: str
    name: str
    port: int
    #: The database the archive's commands use (``url``): one of its own for each test.
    database: str = "archive"

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{self.database}"

    @property
    def data(self) -> Path:
        return Path(f"/var/lib/postgresql/{self.version}/{self.name}")

    def sql(self, statement: str, database: str = "postgres") -> str:
        return _run(
            "psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", database, "-tAc", statement
        )

    def restart(self) -> None:
        _run("pg_ctlcluster", self.version, self.name, "restart")

    def stop(self) -> None:
        _run("pg_ctlcluster", self.version, self.name, "stop", "-m", "fast")

    def start(self) -> None:
        _run("pg_ctlcluster", self.version, self.name, "start")

    def drop(self) -> None:
        # (immediate: nothing of a test's cluster needs keeping, and a smart stop waits for its clients)
        subprocess.run(["pg_ctlcluster", self.version, self.name, "stop", "-m", "immediate"], capture_output=True)
        subprocess.run(["pg_dropcluster", "--stop", self.version, self.name], capture_output=True, timeout=120)


def _create(version: str, name: str) -> Cluster:
    cluster = Cluster(version, name, free_port())
    _run(
        "pg_createcluster", version, name, "-p", str(cluster.port),
        "-o", "fsync=off", "-o", "shared_buffers=16MB", "-o", "max_connections=60",
    )  # fmt: skip
    hba = Path(f"/etc/postgresql/{version}/{name}/pg_hba.conf")
    hba.write_text(TRUST + hba.read_text())
    return cluster


def _wait_ready(cluster: Cluster, statement: str = "SELECT 1") -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            cluster.sql(statement)
            return
        except RuntimeError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@contextmanager
def clusters(*, standby: bool) -> Iterator[tuple[Cluster, Cluster | None]]:
    """A primary with a database ``archive`` (and a hot standby streaming from it), dropped afterwards."""
    reason = cannot_make_clusters()
    if reason:
        pytest.skip(reason)
    version = _versions()[-1]
    tag = uuid.uuid4().hex[:8]
    made: list[Cluster] = []
    try:
        primary = _create(version, f"durable_{tag}_p")
        made.append(primary)
        primary.start()
        _wait_ready(primary)
        primary.sql("CREATE DATABASE archive")
        replica = None
        if standby:
            replica = _create(version, f"durable_{tag}_s")
            made.append(replica)
            shutil.rmtree(replica.data)
            _run(
                "su", "postgres", "-c",
                f"pg_basebackup -h 127.0.0.1 -p {primary.port} -U postgres -D {replica.data} -R -X stream -c fast",
            )  # fmt: skip
            replica.start()
            _wait_ready(replica, "SELECT pg_is_in_recovery()")
        yield primary, replica
    finally:
        for cluster in reversed(made):
            cluster.drop()


@pytest.fixture(scope="session")
def pg_clusters() -> Iterator[tuple[Cluster, Cluster]]:
    """One primary and its standby for every test of a session that asks (making them takes ~20 s)."""
    with clusters(standby=True) as (primary, standby):
        assert standby is not None
        yield primary, standby


@pytest.fixture
def pg_pair(pg_clusters: tuple[Cluster, Cluster]) -> tuple[Cluster, Cluster]:
    """The session's primary and standby, with a database of this test's own (replayed on the standby): what
    one test stores is not counted by the next."""
    primary, standby = pg_clusters
    database = f"archive_{uuid.uuid4().hex[:10]}"
    primary.sql(f"CREATE DATABASE {database}")
    replayed = f"SELECT count(*) FROM pg_database WHERE datname = '{database}'"
    deadline = time.monotonic() + 60
    while standby.sql(replayed).strip() != "1":
        assert time.monotonic() < deadline, f"the standby never replayed the creation of {database}"
        time.sleep(0.1)
    return replace(primary, database=database), replace(standby, database=database)


def caught_up(primary: Cluster, replica: Cluster) -> bool:
    """Whether the standby has replayed everything the primary has written."""
    written = primary.sql("SELECT pg_current_wal_lsn()").strip()
    return replica.sql(f"SELECT pg_last_wal_replay_lsn() >= '{written}'::pg_lsn").strip() == "t"


# --- nodes of an archive on them: commands in processes of their own, as on machines of their own ---------


def news(count: int, first: int = 0) -> list[dict[str, Any]]:
    """Articles recombined from the seed's sentences, each with a word of its own (``अनोखा<n>``) and one
    they all share (``संग्रहखबर``), none a copy of another."""
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")))
    sentences = [s.strip() for s in text.replace("\n", "।").split("।") if len(s.strip()) > 20]
    rng = random.Random(first)
    return [
        {
            "title": f"{rng.choice(sentences)[:50]} अनोखा{n}",
            "body": "। ".join(rng.sample(sentences, 6)) + f"। संग्रहखबर अनोखा{n}",
            "url": f"https://news.example/{n}",
            "source": rng.choice(["जनसत्ता", "अमर उजाला"]),
            "date": f"2020-{1 + n % 12:02d}-{1 + n % 28:02d}",
        }
        for n in range(first, first + count)
    ]


def archive(home: Path, *args: str, expect: int = 0) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "archive", "--home", str(home), *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env(),
    )
    assert done.returncode == expect, done.stderr + done.stdout[:3000]
    return done


def found(home: Path, db: str, *extra: str, query: str = "संग्रहखबर") -> int:
    """How many articles a search of ``query`` finds through this node (every copy counted)."""
    done = archive(home, "--db", db, *extra, "search", query, "--no-collapse", "-f", "json")
    return int(json.loads(done.stdout)["total"])
