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
from datetime import datetime, timedelta
from typing import Any

from archive import models
from archive.analysis.words import normalize_word
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
    #: Stores one record; returns whether it changed anything (an export ingested again changes nothing).
    load: Callable[[Store, dict[str, Any], datetime], bool]


def _synonyms(store: Store) -> Iterator[dict[str, Any]]:
    for group in store.synonyms.groups():
        yield {"words": list(group.words)}


def _load_synonyms(store: Store, fields: dict[str, Any], now: datetime) -> bool:
    words = [str(w) for w in fields.get("words", [])]
    wanted = {_same(w) for w in words}
    if any(wanted <= {_same(w) for w in group.words} for group in store.synonyms.groups()):
        return False  # (a group already holds them all)
    store.synonyms.add(words, now)
    return True


def _same(word: str) -> str:
    return " ".join(normalize_word(part) for part in word.split())


def _saved_searches(store: Store) -> Iterator[dict[str, Any]]:
    for saved in store.saved.all():
        shown = store.hashes_of(store.saved.seen_ids(saved.name))
        yield {**saved.to_dict(), "shown": sorted(shown)}


def _load_saved_search(store: Store, fields: dict[str, Any], now: datetime) -> bool:
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
        return True
    unseen = set(shown) - set(store.saved.seen_ids(saved.name))
    if unseen:
        store.saved.mark_seen(saved.name, sorted(unseen), saved.seen_at or now)
    return bool(unseen)


def _followed_sources(store: Store) -> Iterator[dict[str, Any]]:
    for source in store.follows.all():
        yield {"name": source.name, "url": source.url, "every_seconds": source.every_seconds}


def _load_followed_source(store: Store, fields: dict[str, Any], now: datetime) -> bool:
    name, url = str(fields["name"]), str(fields["url"])
    if any(source.name == name or source.url == url for source in store.follows.all()):
        return False  # (followed already, here under this name or address: what is fetched from it stays)
    store.follows.add(name, url, timedelta(seconds=int(fields["every_seconds"])), now)
    return True


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
        Kind("followed_source", ("followed source", "followed sources"), _followed_sources, _load_followed_source),
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


def load(store: Store, kind: str, fields: dict[str, Any], now: datetime) -> str | bool:
    """Store one record; returns whether it changed anything, or why it cannot be stored (an unknown kind: an
    export of a newer archive)."""
    found = KINDS.get(kind)
    if found is None:
        known = ", ".join(KINDS)
        return f"an archive record of kind {kind!r}, which this archive does not know ({known}); upgrade archive"
    try:
        return found.load(store, fields, now)
    except ArchiveError as error:
        return f"an archive record of kind {kind!r} that cannot be stored: {error}"
    except (KeyError, TypeError, ValueError) as error:
        return f"an archive record of kind {kind!r} without what it needs ({error}); is the export damaged?"
