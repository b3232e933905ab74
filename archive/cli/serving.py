"""`archive serve`: the web application (archive.web) under uvicorn, in one process or several workers, and
one follower that keeps this home's index in step with the database while it serves.

**Workers.** ``--workers N`` (default: the machine's cores) runs N processes that share one listening socket:
uvicorn's supervisor binds it, then *spawns* each worker (``multiprocessing``'s spawn start method, not
``fork``, and no ``SO_REUSEPORT``), which works alike on Linux, macOS and Windows; each worker builds the
application from the environment (:func:`archive.web.app.app_from_environment`) and reads with its own
pool of archives, so no lock is shared on the read path. ``--workers 1`` serves from this process (a
thread pool): the fallback wherever spawning workers is not wanted.

**One follower.** The follower runs in this (the supervising) process only, never in a worker: one per
``archive serve``, whatever the number of workers. It stops with the server: Ctrl-C or SIGTERM lets
requests in flight finish (up to :data:`GRACE_SECONDS`), then the workers exit, then the follower.
"""

from __future__ import annotations

import ipaddress
import os
import threading
import webbrowser

import typer

from archive.api import Archive
from archive.config import Settings
from archive.errors import ArchiveError

#: How often the follower asks whether the index is behind the database (another process or node wrote).
FOLLOW_SECONDS = 2.0
#: How long a stopping server lets requests in flight finish.
GRACE_SECONDS = 10


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def default_workers() -> int:
    """One worker per core (measured on 2 cores: benchmarks/web.py), at most 8."""
    return max(1, min(os.cpu_count() or 1, 8))


def follow(settings: Settings, stop: threading.Event) -> None:
    """Apply the database's new changes to this home's index every few seconds: pages only read, and see
    what an ingest on any machine stored within seconds, without a restart."""
    follower = Archive(settings=settings)
    try:
        while not stop.wait(FOLLOW_SECONDS):
            try:
                follower.catch_up()
            except ArchiveError:  # (a busy index: the command writing it applies the changes)
                continue
    finally:
        follower.close()


def serve_archive(settings: Settings, host: str, port: int, open_browser: bool, workers: int | None = None) -> None:
    import uvicorn  # (only here: the web stack stays out of every other command's start-up)

    from archive.web.app import DB_URL_ENV, HOME_ENV, create_app

    workers = workers or default_workers()
    Archive(settings=settings).catch_up()  # an index to read from the first page on
    if not is_loopback(host):
        typer.echo(
            f"Warning: listening on {host}: anyone who can reach this machine on the network can read the archive.",
            err=True,
        )
    address = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/"
    shown = f"{workers} workers" if workers > 1 else "1 process"
    typer.echo(f"serving {settings.home} at {address} with {shown} (Ctrl-C stops)", err=True)
    stop = threading.Event()
    follower = threading.Thread(target=follow, args=(settings, stop), name="archive-follow", daemon=True)
    follower.start()
    if open_browser:
        threading.Timer(1.0, webbrowser.open, args=(address,)).start()
    options = {"host": host, "port": port, "log_level": "warning", "timeout_graceful_shutdown": GRACE_SECONDS}
    try:
        if workers == 1:
            uvicorn.run(create_app(settings), **options)  # type: ignore[arg-type]
        else:
            os.environ[HOME_ENV] = str(settings.home)  # (what each spawned worker builds its application from)
            os.environ[DB_URL_ENV] = settings.db_url
            uvicorn.run("archive.web.app:app_from_environment", factory=True, workers=workers, **options)  # type: ignore[arg-type]
    finally:
        stop.set()
        follower.join(timeout=GRACE_SECONDS + FOLLOW_SECONDS)
