"""Where an archive lives: ``--home`` option > ``ARCHIVE_HOME`` > a per-user data directory."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

HOME_ENV = "ARCHIVE_HOME"
DB_URL_ENV = "ARCHIVE_DB_URL"


@dataclass(frozen=True)
class Settings:
    home: Path
    db_url: str

    @property
    def index_dir(self) -> Path:
        return self.home / "index"

    @property
    def uses_default_sqlite(self) -> bool:
        return self.db_url == sqlite_url(self.home / "archive.db")


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def resolve_settings(home: Path | None = None, db_url: str | None = None) -> Settings:
    """Settings from explicit values, then the environment, then per-user defaults.

    >>> s = resolve_settings(Path("/tmp/a"))
    >>> s.db_url, s.index_dir.as_posix()
    ('sqlite:////tmp/a/archive.db', '/tmp/a/index')
    """
    if home is None:
        env_home = os.environ.get(HOME_ENV)
        if env_home:
            home = Path(env_home)
        else:
            from platformdirs import user_data_dir  # 5 ms of every command that names its home otherwise

            home = Path(user_data_dir("archive", appauthor=False))
    home = home.expanduser().absolute()
    url = db_url or os.environ.get(DB_URL_ENV) or sqlite_url(home / "archive.db")
    return Settings(home=home, db_url=with_driver(url))


def with_driver(url: str) -> str:
    """A plain ``postgresql://`` URL uses psycopg 3 (the ``postgres`` extra), not SQLAlchemy's default psycopg2.

    >>> with_driver("postgresql://u@localhost/news"), with_driver("sqlite:///a.db")
    ('postgresql+psycopg://u@localhost/news', 'sqlite:///a.db')
    """
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
