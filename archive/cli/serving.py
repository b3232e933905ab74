"""`archive serve`: the web application (archive.web) under uvicorn, in one process or several workers, and
one follower that keeps this home's index in step with the database while it serves.

**Workers.** ``--workers N`` (default: the machine's cores) runs N processes that share one listening socket:
uvicorn's supervisor binds it, then *spawns* each worker (``multiprocessing``'s spawn start method, not
``fork``, and no ``SO_REUSEPORT``), which works alike on Linux, macOS and Windows; each worker builds the
application from the environment (:func:`archive.web.app.app_from_environment`) and reads with its own
pool of archives, so no lock is shared on the read path. ``--workers 1`` serves from this process (a
thread pool): the fallback wherever spawning workers is not wanted.

**One follower per home.** The follower runs in this (the supervising) process only, never in a worker,
whatever the number of workers; and a second ``archive serve`` of the same home leaves the following to
the first while it runs (:func:`claim_following`: the home's ``archive-serve.json`` names the process that
follows, with its start time, and psutil tells whether it still runs, alike on every system; a killed
server's claim is taken over). It stops with the server: Ctrl-C or SIGTERM lets requests in flight finish
(up to :data:`GRACE_SECONDS`), then the workers exit, then the follower, and the claim is given up.
"""

from __future__ import annotations

import ipaddress
import json
import os
import signal
import socket
import threading
import webbrowser

import typer

from archive.api import Archive, CollectSettings, ProcessId, is_alive, this_process
from archive.config import Settings
from archive.errors import ArchiveError

#: How often the follower asks whether the index is behind the database (another process or node wrote).
FOLLOW_SECONDS = 2.0
#: How often the collector (`serve --follow`) looks for followed sources that are due.
COLLECT_SECONDS = 60.0
#: Articles ``serve --embed`` embeds between two looks at the feed (about 5 s of one core): a large ingest is
#: embedded over a while, and new articles are indexed meanwhile.
EMBED_AT_ONCE = 48
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


def follow(settings: Settings, stop: threading.Event, embed: bool = False) -> None:
    """Apply the database's new changes to this home's index every few seconds: pages only read, and see
    what an ingest on any machine stored within seconds, without a restart. With ``embed``, also embed the
    articles without a current vector, :data:`EMBED_AT_ONCE` a round (on one core: the other serves)."""
    follower = Archive(settings=settings)
    try:
        while not stop.wait(FOLLOW_SECONDS):
            try:
                follower.catch_up()
                if embed:
                    follower.embed(limit=EMBED_AT_ONCE, workers=1)
            except ArchiveError:  # (a busy index: the command writing it applies the changes)
                continue
    finally:
        follower.close()


def collect_due(settings: Settings, stop: threading.Event, options: CollectSettings | None = None) -> None:
    """Fetch the followed sources as they fall due (`archive fetch`, on a schedule), until ``stop``: a fetch
    under way finishes its current pages first (each page is stored as it is read; the rest waits for the
    next round)."""
    collector = Archive(settings=settings)
    while True:
        try:
            collector.fetch(options=options, cancelled=stop.is_set)
        except ArchiveError as error:  # (a busy database: the next round tries again)
            typer.echo(f"collecting: {error}", err=True)
        if stop.wait(COLLECT_SECONDS):
            return


def _terminated(signum: int, frame: object) -> None:
    raise SystemExit(0)


#: The file in a home that names the `archive serve` following the change feed for it.
FOLLOWER_FILE = "archive-serve.json"


def claim_following(settings: Settings) -> ProcessId | None:
    """Claim the following of this home's change feed for this process: None when claimed (the file is
    created exclusively, or taken over from a process that no longer runs), else the process that has it."""
    path = settings.home / FOLLOWER_FILE
    me = this_process()
    for _ in range(2):
        try:
            with open(path, "x", encoding="utf-8") as claim:
                json.dump({"follower": list(me)}, claim)
            return None
        except FileExistsError:
            try:
                owner = ProcessId(*json.loads(path.read_text(encoding="utf-8"))["follower"])
            except (OSError, ValueError, KeyError, TypeError):
                owner = None
            if owner is not None and owner.pid != me.pid and is_alive(owner) is not False:
                return owner
            path.unlink(missing_ok=True)  # (its process is gone, or the file is unreadable: take it over)
    return None


def give_up_following(settings: Settings) -> None:
    path = settings.home / FOLLOWER_FILE
    try:
        owner = ProcessId(*json.loads(path.read_text(encoding="utf-8"))["follower"])
        if (owner.host, owner.pid) == (socket.gethostname(), os.getpid()):  # (ours: its start time is read again)
            path.unlink()
    except (OSError, ValueError, KeyError, TypeError):
        pass


def serve_archive(
    settings: Settings,
    host: str,
    port: int,
    open_browser: bool,
    workers: int | None = None,
    base_url: str | None = None,
    allow_saving: bool = False,
    *,
    collect: bool = False,
    embed: bool = False,
) -> None:
    import secrets

    import uvicorn  # (only here: the web stack stays out of every other command's start-up)

    from archive.web.app import BASE_URL_ENV, DB_URL_ENV, HOME_ENV, SAVING_ENV, SECRET_ENV, create_app

    workers = workers or default_workers()
    Archive(settings=settings).catch_up()  # an index to read from the first page on
    if not is_loopback(host):
        typer.echo(
            f"Warning: listening on {host}: anyone who can reach this machine on the network can read the archive.",
            err=True,
        )
    address = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/"
    shown = f"{workers} workers" if workers > 1 else "1 process"
    if allow_saving:
        typer.echo("--allow-saving: anyone who can reach the page can save searches and mark them seen.", err=True)
    secret = secrets.token_hex(32)  # (the forms' tokens: one secret for every worker, new at each start)
    typer.echo(f"serving {settings.home} at {address} with {shown} (Ctrl-C stops)", err=True)
    stop = threading.Event()
    follower = threading.Thread(target=follow, args=(settings, stop, embed), name="archive-follow", daemon=True)
    owner = claim_following(settings)
    if owner is None:
        follower.start()
    else:
        typer.echo(
            f"another archive serve (process {owner.pid}) follows this home's feed: this one reads only.", err=True
        )
    collector = threading.Thread(target=collect_due, args=(settings, stop), name="archive-collect", daemon=True)
    if collect and owner is None:
        collector.start()
    elif collect:
        typer.echo("that serve collects the followed sources too: this one does not.", err=True)
    if open_browser:
        threading.Timer(1.0, webbrowser.open, args=(address,)).start()
    options = {"host": host, "port": port, "log_level": "warning", "timeout_graceful_shutdown": GRACE_SECONDS}
    # uvicorn stops gracefully on SIGTERM, then raises the signal again for the handler it found: this one
    # ends the process through the `finally` below (the follower stopped, its claim given up), with status 0
    signal.signal(signal.SIGTERM, _terminated)
    try:
        if workers == 1:
            app = create_app(settings, base_url=base_url, allow_saving=allow_saving, secret=secret)
            uvicorn.run(app, **options)  # type: ignore[arg-type]
        else:
            os.environ[HOME_ENV] = str(settings.home)  # (what each spawned worker builds its application from)
            os.environ[DB_URL_ENV] = settings.db_url
            if base_url:
                os.environ[BASE_URL_ENV] = base_url
            if allow_saving:
                os.environ[SAVING_ENV], os.environ[SECRET_ENV] = "1", secret
            uvicorn.run("archive.web.app:app_from_environment", factory=True, workers=workers, **options)  # type: ignore[arg-type]
    finally:
        stop.set()
        if owner is None:
            follower.join(timeout=GRACE_SECONDS + FOLLOW_SECONDS)
            if collect:
                collector.join(timeout=GRACE_SECONDS + FOLLOW_SECONDS)
            give_up_following(settings)
