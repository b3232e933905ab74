"""What an index knows of the database's change feed: the position it has applied up to, committed with
its segments, and the node (the home) it belongs to.

**The position is part of a commit.** Whoosh commits by writing a new table of contents, generation
``g``; just before it, the writer records in ``archive-feed.json`` that generation ``g`` has applied the
feed up to position ``p`` (with the previous generation's entry beside it). The position of an index is
the one recorded for the newest generation not newer than its table of contents: a writer that recorded
``g`` and died before writing the table of contents leaves generation ``g - 1`` in force, and its entry
with it. A commit by another program (a stock Whoosh) keeps the last position recorded, which is still
true of it. An index with no such file (one made before the feed) is at position 0.

Applying a change is idempotent (an article is indexed as it is now, or removed when gone), so a position
that lags what an index holds costs only work done again, never a wrong result; a position ahead of it
would lose changes, and cannot happen: it is written only with the commit that holds them.

**A new index is unfilled** (position :data:`UNFILLED`, recorded before its first table of contents): the
first writer to take its lock fills it from the articles as they are then, and only then follows the feed.
Several processes may find the index missing at once: each makes one and points the home at it, and the
one pointed at last is filled by whichever process takes its lock first (the others find it filled).
"""

from __future__ import annotations

import json
import os
import socket
import uuid
from pathlib import Path
from typing import Any

from archive.models import FeedNode

FEED_FILE = "archive-feed.json"
#: The home's identity as a node of the feed (one per home, kept across reindexes).
NODE_FILE = "archive-node.json"
#: The position of an index made but not yet filled from the articles (below every position of the feed).
UNFILLED = -1


def applied_position(directory: Path, generation: int) -> int:
    """The feed position applied by generation ``generation`` of the index in ``directory``."""
    recorded = [(g, p) for g, p in _commits(directory) if g <= generation]
    return max(recorded)[1] if recorded else 0


def record_position(directory: Path, generation: int, position: int, previous: int) -> None:
    """Record, before generation ``generation`` is committed, that it applies the feed up to ``position``
    (``previous``: the position of the generation before it, kept in case this commit does not happen)."""
    commits = [{"generation": generation, "position": position}, {"generation": generation - 1, "position": previous}]
    target = directory / FEED_FILE
    partial = directory / f"{FEED_FILE}.partial"
    partial.write_text(json.dumps({"version": 1, "commits": commits}), encoding="utf-8")
    os.replace(partial, target)  # (atomic on every platform: a reader sees the old file or the new)


def _commits(directory: Path) -> list[tuple[int, int]]:
    try:
        data: Any = json.loads((directory / FEED_FILE).read_text(encoding="utf-8"))
        return [(int(c["generation"]), int(c["position"])) for c in data["commits"]]
    except (OSError, ValueError, KeyError, TypeError):
        return []  # none, or damaged: position 0 (the feed is applied again, or the index rebuilt)


def known_node(home: Path) -> str | None:
    """The home's node id, if it has one yet (reads only)."""
    try:
        return str(json.loads((home / NODE_FILE).read_text(encoding="utf-8"))["node"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def this_node(home: Path) -> FeedNode:
    """The home as a node of the feed; its id is made the first time and kept in the home."""
    path = home / NODE_FILE
    node = known_node(home)
    if node is None:
        node = uuid.uuid4().hex
        home.mkdir(parents=True, exist_ok=True)
        partial = home / f"{NODE_FILE}.partial"
        partial.write_text(json.dumps({"node": node}), encoding="utf-8")
        os.replace(partial, path)
    return FeedNode(node=node, host=socket.gethostname(), home=str(home.resolve()))
