"""Article vectors in the database (``archive embed`` writes them, searches by meaning read them), with the
model they are of: ``Store.vectors``, on the store's sessions.

Each vector keeps the ``content_hash`` of the article it was made from: an update changes the hash, and the
vector reads as out of date (not loaded, embedded again) without any step of the ingest knowing about
vectors; a delete takes the vector with it (the foreign key cascades).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, and_, delete, func, insert, or_, select
from sqlalchemy.orm import aliased

from archive import models
from archive.store.chunks import chunks
from archive.store.packing import unpack
from archive.store.sessions import Sessions
from archive.store.tables import Article, ArticleVector, EmbeddingModel


class ArticleVectors:
    """The archive's vectors and the model that made them."""

    def __init__(self, sessions: Sessions) -> None:
        self._session = sessions

    def model(self) -> models.VectorModel | None:
        with self._session() as session:
            row = session.get(EmbeddingModel, 1)
            return None if row is None else _model(row)

    def start(self, model: models.VectorModel) -> None:
        """Make ``model`` the archive's, deleting every vector of the one before (the caller has asked)."""
        with self._session(write=True) as session:
            session.execute(delete(ArticleVector))
            row = session.get(EmbeddingModel, 1)
            if row is None:
                session.add(EmbeddingModel(id=1, **_fields(model)))
            else:
                for name, value in _fields(model).items():
                    setattr(row, name, value)

    def _pending_query(self) -> Select[Article]:
        vector = aliased(ArticleVector)
        joined = select(Article).outerjoin(vector, vector.article_id == Article.id)
        return joined.where(or_(vector.id.is_(None), vector.content_hash != Article.content_hash))

    def pending_count(self) -> int:
        """Articles without a current vector."""
        with self._session() as session:
            query = self._pending_query().with_only_columns(func.count())
            return int(session.scalar(query) or 0)

    def pending(self, after: int, limit: int) -> list[models.PendingPassage]:
        """The first ``limit`` articles after id ``after`` without a current vector, in id order."""
        with self._session() as session:
            columns = (Article.id, Article.content_hash, Article.title, Article.body)
            query = self._pending_query().with_only_columns(*columns)
            rows = session.execute(query.where(Article.id > after).order_by(Article.id).limit(limit))
            return [models.PendingPassage(i, h, t, b if isinstance(b, str) else unpack(b) or "") for i, h, t, b in rows]

    def save(self, vectors: Sequence[tuple[int, str, bytes]]) -> int:
        """Keep each (article id, content hash it was made from, packed vector) in one transaction, replacing
        the article's vector before it; a vector of an article deleted or changed since it was read is dropped
        (the next run embeds the article as it is now). Returns how many were kept."""
        by_id = {article_id: (content_hash, blob) for article_id, content_hash, blob in vectors}
        with self._session(write=True) as session:
            current = [
                article_id
                for chunk in chunks(list(by_id))
                for article_id, content_hash in session.execute(
                    select(Article.id, Article.content_hash).where(Article.id.in_(chunk))
                )
                if by_id[article_id][0] == content_hash
            ]
            for chunk in chunks(current):
                session.execute(delete(ArticleVector).where(ArticleVector.article_id.in_(chunk)))
            if current:
                rows = [{"article_id": i, "content_hash": by_id[i][0], "vector": by_id[i][1]} for i in current]
                session.execute(insert(ArticleVector), rows)
            return len(current)

    def coverage(self) -> tuple[int, int]:
        """(articles with a current vector, articles)."""
        with self._session() as session:
            articles = int(session.scalar(select(func.count()).select_from(Article)) or 0)
            same_text = and_(Article.id == ArticleVector.article_id, Article.content_hash == ArticleVector.content_hash)
            current = select(func.count()).select_from(ArticleVector).join(Article, same_text)
            return int(session.scalar(current) or 0), articles


def _fields(model: models.VectorModel) -> dict[str, object]:
    return {"name": model.name, "version": model.version, "dimension": model.dimension, "passage": model.passage}


def _model(row: EmbeddingModel) -> models.VectorModel:
    return models.VectorModel(row.name, row.version, row.dimension, row.passage)
