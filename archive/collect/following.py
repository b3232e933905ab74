"""``archive follow``: the sources an archive collects from, kept in its database."""

from __future__ import annotations

from archive.collect.schedule import check_url, default_name, parse_every
from archive.config import Settings
from archive.errors import QueryError
from archive.home import opened
from archive.models import CollectFailure, FollowedSource, SourceFetch, utc_now

#: A source's name is typed in commands: kept short.
MAX_NAME_CHARS = 200


def add(settings: Settings, url: str, name: str | None, every: str) -> FollowedSource:
    url = check_url(url)
    interval = parse_every(every)
    if name is not None and (not name.strip() or len(name) > MAX_NAME_CHARS):
        raise QueryError(f"A source's name is 1 to {MAX_NAME_CHARS} characters; {name!r} is not")
    with opened(settings, create=True) as (store, _):
        taken = {source.name for source in store.follows.all()}
        return store.follows.add(name.strip() if name else default_name(url, taken), url, interval, utc_now())


def listed(settings: Settings) -> list[FollowedSource]:
    with opened(settings, create=False) as (store, _):
        return store.follows.all()


def show(settings: Settings, name: str, limit: int) -> tuple[FollowedSource, list[SourceFetch], list[CollectFailure]]:
    with opened(settings, create=False) as (store, _):
        [source] = store.follows.named([name])
        return source, store.follows.fetches(source.id, limit), store.follows.failures(source.id, 2 * limit)


def remove(settings: Settings, name: str) -> None:
    with opened(settings, create=False) as (store, _):
        store.follows.remove(name)
