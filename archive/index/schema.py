"""The index's fields, and the index entry made for an article."""

from __future__ import annotations

from datetime import datetime, time
from typing import TYPE_CHECKING, Any

from whoosh.fields import DATETIME, ID, NUMERIC, Schema

from archive.analysis import hindi_analyzer
from archive.analysis.whoosh_filters import HindiText
from archive.index.codec.segment_values import ValueFields

if TYPE_CHECKING:
    from archive.models import Article

#: Bump when the fields change; an index with another layout is rebuilt like one with another analyzer.
SCHEMA_VERSION = "5"  # 5: outlet keys by consonants, in either script (migration 0008)

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
    """The index entry for an article (from its one serialiser, :meth:`archive.models.Article.to_dict`):
    searchable text, the values filters, facets and collapsing read, and what a result list shows."""
    fields = article.to_dict()
    doc: dict[str, Any] = {
        "id": str(fields["id"]),
        "title": fields["title"],
        "summary": fields["summary"] or "",
        "body": fields["body"],
        "language": fields["language"],
        "content_hash": fields["content_hash"],
        "cluster": str(fields["story"]),
        # the article id as a number, so that equal dates sort in the order articles were stored
        "number": fields["id"],
    }
    if fields["url"]:
        doc["url"] = fields["url"]
    if fields["source"]:
        doc["source"] = fields["source"]
        doc["source_key"] = fields["source_key"] or fields["source"]
    if fields["category"]:
        doc["category"] = fields["category"]
    if article.published:
        doc["date"] = datetime.combine(article.published, time())
        doc["year"] = fields["date"][:4]
        doc["month"] = fields["date"][:7]
    return doc
