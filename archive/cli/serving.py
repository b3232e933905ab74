"""`archive serve`: the web application (archive.web) under uvicorn, and a follower that keeps this home's
index in step with the database while it serves."""

from __future__ import annotations

import ipaddress
import threading
import webbrowser

import typer

from archive.api import Archive
from archive.config import Settings
from archive.errors import ArchiveError

#: How often the follower asks whether the index is behind the database (another process or node wrote).
FOLLOW_SECONDS = 2.0


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def follow(settings: Settings, stop: threading.Event) -> None:
    """Apply the database's new changes to this home's index every few seconds: pages only read, and see
    what an ingest on any machine stored within seconds, without a restart."""
    follower = Archive(settings=settings)
    while not stop.wait(FOLLOW_SECONDS):
        try:
            follower.catch_up()
        except ArchiveError:  # (a busy index: the command writing it applies the changes)
            continue


def serve_archive(settings: Settings, host: str, port: int, open_browser: bool) -> None:
    import uvicorn  # (only here: the web stack stays out of every other command's start-up)

    from archive.web.app import create_app

    Archive(settings=settings).catch_up()  # an index to read from the first page on
    if not is_loopback(host):
        typer.echo(
            f"Warning: listening on {host}: anyone who can reach this machine on the network can read the archive.",
            err=True,
        )
    address = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/"
    typer.echo(f"serving {settings.home} at {address} (Ctrl-C stops)", err=True)
    stop = threading.Event()
    threading.Thread(target=follow, args=(settings, stop), name="archive-follow", daemon=True).start()
    if open_browser:
        threading.Timer(1.0, webbrowser.open, args=(address,)).start()
    try:
        uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")
    finally:
        stop.set()
