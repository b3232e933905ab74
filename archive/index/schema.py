"""The index's fields, and the index entry made for an article."""

from __future__ import annotations

from datetime import datetime, time
from typing import TYPE_CHECKING, Any

from whoosh.fields import DATETIME, ID, NUMERIC, Schema

from archive.analysis import hindi_analyzer
from archive.analysis.whoosh_filters import HindiText
from archive.index.codec.segment_values import ValueFields

if TYPE_CHECKING:  # annotations only: a search process need not import SQLAlchemy
    from archive.store.tables import Article

#: Bump when the fields change; an index with another layout is rebuilt like one with another analyzer.
SCHEMA_VERSION = "4"

#: The per-document values written beside every segment, for what searches read of each document: the text
#: fields' lengths (BM25), dates and numbers (ranges, sorting), facet columns, stories (collapsing).
VALUE_FIELDS = ValueFields(
    lengths=("body", "source", "summary", "title"),
    numbers=("date", "number"),
    codes=("category", "language", "month", "source_key", "year"),
    stories="cluster",
)


def build_schema() -> Schema:
    analyzer = hindi_analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        url=ID(stored=True),
        title=HindiText(analyzer=analyzer, stored=True, phrase=True),
        summary=HindiText(analyzer=analyzer, stored=True, phrase=True),
        body=HindiText(analyzer=analyzer, phrase=True),
        source=HindiText(analyzer=analyzer, stored=True, phrase=True),
        # exact-value fields for filters, facets and collapsing
        source_key=ID(stored=True, sortable=True),
        category=ID(stored=True, sortable=True),
        date=DATETIME(stored=True, sortable=True),
        year=ID(sortable=True),
        month=ID(sortable=True),
        language=ID(stored=True, sortable=True),
        cluster=ID(stored=True, sortable=True),
        # the article id as a number, so that equal dates sort in the order articles were stored
        number=NUMERIC(sortable=True, bits=64),
        content_hash=ID(stored=True),
    )


def document(article: Article) -> dict[str, Any]:
    """The index entry for an article: searchable text plus what a result list shows."""
    doc: dict[str, Any] = {
        "id": str(article.id),
        "title": article.title,
        "summary": article.summary or "",
        "body": article.body,
        "language": article.language,
        "content_hash": article.content_hash,
    }
    if article.url:
        doc["url"] = article.url
    if article.source:
        doc["source"] = article.source
        doc["source_key"] = article.source_key or article.source
    if article.category:
        doc["category"] = article.category
    if article.published:
        doc["date"] = datetime.combine(article.published, time())
        doc["year"] = f"{article.published.year:04d}"
        doc["month"] = f"{article.published.year:04d}-{article.published.month:02d}"
    doc["cluster"] = str(article.cluster_id or article.id)
    doc["number"] = article.id
    return doc
