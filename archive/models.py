"""Tables. The schema itself is created and changed only by the Alembic migrations in ``migrations/``."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, Integer, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Named constraints, so that migrations can refer to them on every backend.
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Article(Base):
    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str | None] = mapped_column(String(2048), unique=True)
    title: Mapped[str] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(String(256), index=True)
    category: Mapped[str | None] = mapped_column(String(256))
    published: Mapped[date | None] = mapped_column(Date, index=True)
    language: Mapped[str] = mapped_column(String(16), default="hi")
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    ingested_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    origin_file: Mapped[str] = mapped_column(Text)
    origin_record: Mapped[str] = mapped_column(String(64))


class PendingIndex(Base):
    """Articles whose index entry may lag the database (an outbox).

    Written in the same transaction as the article, removed only after the index commit,
    so a crash between the two leaves a to-do list that the next command works off.
    """

    __tablename__ = "pending_index"

    # No foreign key: an id whose article is gone means "delete it from the index".
    article_id: Mapped[int] = mapped_column(Integer, primary_key=True)
