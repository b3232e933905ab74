"""What an export carries besides the articles, kind by kind: each kind writes its records (JSON objects
marked with ``"archive_record": KIND``, after the articles) and stores one read back by ``archive ingest``.

**Adding a kind is one entry** of :data:`KINDS`: its name, the records of a store, and how to store one. The
articles a record names (what a saved search has shown) are named by their content hash, which an export and
the ingest of it keep, not by their ids, which another archive gives anew. Storing a record is idempotent
(a synonym group already there is merged; a saved search already there keeps its query and adds what this
one has shown), so ingesting an export twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from archive import models
from archive.errors import ArchiveError, NotFoundError
from archive.readers.records import CARRIED_KEY
from archive.store.database import Store


@dataclass(frozen=True)
class Kind:
    """One kind of record an export carries."""

    name: str
    #: What it is, in a summary ("3 synonym groups").
    noun: tuple[str, str]
    export: Callable[[Store], Iterator[dict[str, Any]]]
    load: Callable[[Store, dict[str, Any], datetime], None]


def _synonyms(store: Store) -> Iterator[dict[str, Any]]:
    for group in store.synonyms.groups():
        yield {"words": list(group.words)}


def _load_synonyms(store: Store, fields: dict[str, Any], now: datetime) -> None:
    store.synonyms.add([str(w) for w in fields.get("words", [])], now)


def _saved_searches(store: Store) -> Iterator[dict[str, Any]]:
    for saved in store.saved.all():
        shown = store.hashes_of(store.saved.seen_ids(saved.name))
        yield {**saved.to_dict(), "shown": sorted(shown)}


def _load_saved_search(store: Store, fields: dict[str, Any], now: datetime) -> None:
    saved = models.SavedSearch(
        name=str(fields["name"]),
        query=str(fields.get("query", "")),
        sources=tuple(fields.get("sources", ())),
        categories=tuple(fields.get("categories", ())),
        since=fields.get("since"),
        until=fields.get("until"),
        languages=tuple(fields.get("languages", ())),
        created_at=_when(fields.get("created")),
        seen_at=_when(fields.get("seen")),
    )
    shown = store.ids_with_hashes([str(h) for h in fields.get("shown", [])])
    try:
        store.saved.named(saved.name)
    except NotFoundError:
        store.saved.add(saved, shown, now)
    else:
        store.saved.mark_seen(saved.name, shown, saved.seen_at or now)


def _when(value: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value)).replace(tzinfo=None) if value else None
    except ValueError:
        return None


#: Every kind an export carries, in the order they are written (after the articles).
KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind("synonyms", ("synonym group", "synonym groups"), _synonyms, _load_synonyms),
        Kind("saved_search", ("saved search", "saved searches"), _saved_searches, _load_saved_search),
    )
}


def counted(kind: str, count: int) -> str:
    """``3 synonym groups``, ``1 saved search``."""
    found = KINDS.get(kind)
    one, many = found.noun if found else (kind, kind)
    return f"{count} {one if count == 1 else many}"


def exported(store: Store) -> Iterator[dict[str, Any]]:
    """Every record of every kind, each marked with its kind."""
    for kind in KINDS.values():
        for record in kind.export(store):
            yield {CARRIED_KEY: kind.name, **record}


def load(store: Store, kind: str, fields: dict[str, Any], now: datetime) -> str | None:
    """Store one record; returns why it cannot be (an unknown kind: an export of a newer archive), or None."""
    found = KINDS.get(kind)
    if found is None:
        known = ", ".join(KINDS)
        return f"an archive record of kind {kind!r}, which this archive does not know ({known}); upgrade archive"
    try:
        found.load(store, fields, now)
    except ArchiveError as error:
        return f"an archive record of kind {kind!r} that cannot be stored: {error}"
    except (KeyError, TypeError, ValueError) as error:
        return f"an archive record of kind {kind!r} without what it needs ({error}); is the export damaged?"
    return None
