"""The JSON the pages' twins answer, as schemas for the OpenAPI document (one per page, shared by the page's
``format=json`` and its ``.json`` address). They describe; the routes build plain dicts (``to_dict``, the
CLI's JSON), so a response costs no validation."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class HitRow(BaseModel):
    id: int
    url: str | None
    title: str
    source: str | None
    category: str | None
    date: str | None = Field(description="YYYY-MM-DD")
    score: float
    snippet: str
    highlights: list[list[int]] = Field(description="[start, end) character offsets of the marked words")
    also_in: list[str] = Field(description="Other outlets that printed the same story")


class FacetValue(BaseModel):
    value: str
    count: int


class SearchedPart(BaseModel):
    text: str
    exact: bool
    forms: list[str]


class SearchPage(BaseModel):
    query: str
    total: int = Field(description="Matching articles (a story printed by several outlets counts once)")
    page: int
    limit: int
    pages: int
    next: str | None = Field(description="The next page's address, or null on the last")
    previous: str | None = Field(description="The previous page's address, or null on the first")
    hits: list[HitRow]
    expanded: list[str] = []
    searched: list[SearchedPart] = []
    suggestions: list[str] = []
    notes: list[str] = []
    facets: dict[str, list[FacetValue]] = {}


class OriginRow(BaseModel):
    file: str = Field(description="The file's name (never a path of the machine that read it)")
    record: str
    source: str | None = None
    date: str | None = None
    url: str | None = None


class ArticlePage(BaseModel):
    id: int
    title: str
    body: str
    summary: str | None = None
    source: str | None = None
    author: str | None = None
    date: str | None = None
    category: str | None = None
    url: str | None = None
    language: str | None = None
    source_key: str | None = None
    content_hash: str
    ingested_at: str
    updated_at: str
    story: int | None = None
    notes: list[str] = []
    origin: OriginRow = Field(description="The record the text as stored was read from")
    origins: list[OriginRow] = Field(description="Every record that carried the text (copies of the story)")
    similar: list[HitRow]


class OutletRow(BaseModel):
    source: str
    articles: int


class SourcesPage(BaseModel):
    articles: int
    sources: list[OutletRow]
    first_date: str | None
    last_date: str | None
    undated: int
    index_bytes: int


class ScorePart(BaseModel):
    field: str = Field(description="title, summary or body; empty for a ranking rule")
    form: str = Field(description="The form, spelling key, phrase or rule")
    kind: str = Field(description="form, spelling, closeness, dated or passage")
    rule: str = Field(description="For a ranking rule: near, adjacent, dated or order; else empty")
    score: float


class ExplainPage(BaseModel):
    query: str
    id: int
    title: str
    score: float
    parts: list[ScorePart] = Field(description="The parts of the score, largest first; they add up to it")


class TrendPeriodRow(BaseModel):
    period: str = Field(description="2016, 2016-01, 2016-W04 (ISO week) or 2016-01-25")
    since: str = Field(description="The period's first day, YYYY-MM-DD")
    until: str = Field(description="The period's last day, YYYY-MM-DD")
    count: int
    share: float | None = Field(description="count / the articles the filters let through in the period")


class TrendSeriesRow(BaseModel):
    query: str
    total: int = Field(description="The search's total with the same filters: the periods' counts plus undated")
    undated: int
    periods: list[TrendPeriodRow]


class TrendPage(BaseModel):
    series: list[TrendSeriesRow]
    granularity: str = Field(description="day, week, month or year")
    published: list[int] = Field(description="The articles the filters let through, period by period")
    published_undated: int


class KwicRow(BaseModel):
    id: int
    title: str
    source: str | None
    date: str | None = Field(description="YYYY-MM-DD")
    field: str = Field(description="title or body")
    left: str = Field(description="The words before the match (whole words)")
    match: str = Field(description="The form matched, as the text spells it")
    right: str = Field(description="The words after the match (whole words)")


class KwicPage(BaseModel):
    query: str
    page: int
    limit: int
    sorted_among_first: int | None = Field(description="Set when the order was made among the first lines only")
    lines: list[KwicRow]
    next: str | None
    previous: str | None


class TermRow(BaseModel):
    term: str = Field(description="A word, or two words side by side (stopwords left out)")
    score: float = Field(description="Dunning's log-likelihood ratio (G²) against the whole archive")
    in_results: int = Field(description="Matching articles that hold it")
    in_archive: int = Field(description="Articles that hold it")


class TermsPage(BaseModel):
    terms: list[TermRow]
    results: int
    archive: int
    sampled: int = Field(description="Matching articles the candidates were found in")


class WatchRow(BaseModel):
    name: str
    query: str
    total: int = Field(description="Articles it matches now (every copy counted)")
    new: int = Field(description="Of them, those `archive watch show` has not shown yet")
    feed: str = Field(description="Its Atom feed's absolute address")


class WatchPage(BaseModel):
    searches: list[WatchRow]


class Problem(BaseModel):
    error: str = Field(description="What is wrong and how to fix it, in the page's language")


def _ref(name: str) -> dict[str, Any]:
    return {"schema": {"$ref": f"#/components/schemas/{name}"}}


_HTML = {"schema": {"type": "string"}}


def json_page(model: type[BaseModel], *, found: bool = False) -> dict[int | str, dict[str, Any]]:
    """The responses of a ``.json`` twin: the page's schema, and the errors as :class:`Problem`."""
    answers: dict[int | str, dict[str, Any]] = {
        200: {"model": model, "description": "The page's JSON twin"},
        400: {"model": Problem, "description": "A parameter is wrong or over its limit; the message says the fix"},
    }
    if found:
        answers[404] = {"model": Problem, "description": "No such article"}
    return answers


def html_page(model: type[BaseModel], *, found: bool = False) -> dict[str, Any]:
    """A page's ``openapi_extra``: HTML, or with ``format=json`` the JSON of its twin (``model``, which the
    twin's route registers), and its errors in either form."""
    problem = {"text/html": _HTML, "application/json": _ref("Problem")}
    responses: dict[str, Any] = {
        "200": {"content": {"text/html": _HTML, "application/json": _ref(model.__name__)}},
        "400": {"description": "A parameter is wrong or over its limit; the message says the fix", "content": problem},
    }
    if found:
        responses["404"] = {"description": "No such article", "content": problem}
    return {"responses": responses}


def download(media: str) -> dict[int | str, dict[str, Any]]:
    """The responses of a download: the file, streamed, or a 400 page (HTML)."""
    return {
        200: {"description": "Every match (at most limit), streamed as an attachment", "content": {media: _HTML}},
        400: {"description": "A parameter is wrong or over its limit", "content": {"text/html": _HTML}},
    }
