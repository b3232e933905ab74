"""The search page (``/``) and its JSON twin (``/search.json``): the search's own pipeline answers both, with
the outlet, year, category and month facets; the page adds the timeline (the search's own trend, by the
granularity chosen from its span or asked for) and the links that change one thing."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from archive.api import GRANULARITIES, SearchResults, Trend
from archive.errors import QueryError
from archive.messages import Message
from archive.web import timeline
from archive.web.common import (
    PAGE_SIZE,
    Filters,
    FiltersParameter,
    Format,
    Lang,
    Limit,
    More,
    Page,
    archives_of,
    check_depth,
    error_text,
    link,
    pages_of,
    wants_json,
)
from archive.web.saving import form_token
from archive.web.schemas import SearchPage, html_page, json_page
from archive.web.text import message_text, words
from archive.web.trend import Granularity

router = APIRouter()
FACETS = ("source", "year", "category", "month")
#: Values a facet shows until its "all" link is followed (``more=source``).
FACET_SHOWN = 15


@dataclass(frozen=True)
class FacetValue:
    label: str
    count: int | None
    active: bool
    href: str


@dataclass(frozen=True)
class FacetView:
    name: str
    values: list[FacetValue]
    total: int
    more: str | None
    fewer: str | None


@router.get(
    "/",
    name="search",
    summary="The search page (format=json: its JSON twin)",
    response_class=HTMLResponse,
    openapi_extra=html_page(SearchPage),
)
@router.get(
    "/search.json",
    name="search_json",
    summary="The search page's JSON twin, with next and previous addresses",
    response_class=JSONResponse,
    responses=json_page(SearchPage),
)
def search_page(
    request: Request,
    filters: FiltersParameter,
    page: Page = 1,
    limit: Limit = PAGE_SIZE,
    lang: Lang = "hi",
    format: Format = "html",
    more: More = [],  # noqa: B006 (FastAPI copies defaults)
    granularity: Granularity = "",
) -> Response:
    check_depth(page, limit)
    opened = [name for name in dict.fromkeys(more) if name in ("source", "category", "year")]
    state: dict[str, Any] = {
        **filters.state(),
        "lang": lang,
        "limit": limit,
        "more": opened,
        "granularity": granularity,
    }
    results: SearchResults | None = None
    if filters.asked:
        results = archives_of(request).search(filters.request(page, limit, FACETS))
    pages = max(1, math.ceil(results.total / limit)) if results else 1
    if wants_json(request):
        return JSONResponse(_json(request, results, filters.q, page, limit, pages, state))
    if granularity and granularity not in GRANULARITIES:
        raise QueryError(Message("bad_granularity", granularity=granularity, choices=", ".join(GRANULARITIES)))
    drawn: Trend | None = None
    too_long = ""
    if results is not None and results.total:
        try:
            drawn = archives_of(request).timeline(filters.request(), granularity or None)
        except QueryError as error:  # (too many periods by the one asked for: the results are still shown)
            too_long = error_text(error, lang)
    hindi = {"filters": _filters_in_hindi(filters)}
    notes = (
        [message_text(n.code, n.values, lang, hindi) if isinstance(n, Message) else n for n in results.notes]
        if results
        else []
    )
    token_holder = Response()
    save_token = form_token(request, token_holder)
    page_answer = pages_of(request).render(
        request,
        "search.html",
        lang,
        q=filters.q,
        results=results,
        notes=notes,
        state=state,
        pages=pages,
        past_end=bool(results and results.total and page > pages),
        article=lambda number: link(f"/articles/{number}", {**state, "page": page}) + "#m",
        why=lambda number: link("/explain", {"q": filters.q, "id": number, "lang": lang}),
        bars=(bars := timeline.bars(drawn.series[0].periods if drawn else [])),
        ticks=timeline.ticks(bars),
        period_labels=timeline.labels(bars),
        height=timeline.HEIGHT,
        band=timeline.LABELS_BAND,
        undated=drawn.series[0].undated if drawn else 0,
        granularity=drawn.granularity if drawn else None,
        granularities=GRANULARITIES,
        timeline_note=too_long,
        undated_link=link("/", state, {"dated": "no", "since": None, "until": None, "page": None}),
        trend_link=link(
            "/trend", {k: state[k] for k in ("q", "source", "category", "since", "until", "lang", "granularity")}
        ),
        link=lambda **change: link("/", state, change),
        chips=_chips(state, lang),
        facets=[_facet(name, results, state) for name in ("source", "category", "year")] if results else [],
        exports={
            kind: link(f"/search.{kind}", state, {"lang": None, "limit": None, "more": None, "granularity": None})
            for kind in ("csv", "jsonl")
        },
        save_token=save_token,
    )
    _carry_cookies(token_holder, page_answer)
    return page_answer


def _carry_cookies(source: Response, target: Response) -> None:
    for key, value in source.raw_headers:
        if key == b"set-cookie":
            target.raw_headers.append((key, value))


def _json(
    request: Request,
    results: SearchResults | None,
    q: str,
    page: int,
    limit: int,
    pages: int,
    state: dict[str, Any],
) -> dict[str, Any]:
    base = str(request.base_url).rstrip("/") + "/search.json"
    json_state = {**state, "lang": None, "more": None, "granularity": None}
    if results is None:
        empty = {"query": q, "total": 0, "page": page, "limit": limit, "pages": 1, "hits": []}
        return empty | {"next": None, "previous": None}
    data = results.to_dict()
    data["pages"] = pages
    data["next"] = base + link("", json_state, {"page": page + 1}) if page < pages else None
    data["previous"] = base + link("", json_state, {"page": min(page - 1, pages)}) if page > 1 else None
    return data


def _chips(state: dict[str, Any], lang: str) -> list[tuple[str, str]]:
    """(label, address without it) of every active filter."""
    t = words(lang)
    chips = []
    for name in state["source"]:
        rest = [s for s in state["source"] if s != name]
        chips.append((f"{t['source']}: {name}", link("/", state, {"source": rest, "page": None})))
    for name in state["category"]:
        rest = [c for c in state["category"] if c != name]
        chips.append((f"{t['category']}: {name}", link("/", state, {"category": rest, "page": None})))
    if state["since"] or state["until"]:
        span = f"{state['since'] or '…'} – {state['until'] or '…'}"
        chips.append((f"{t['period']}: {span}", link("/", state, {"since": None, "until": None, "page": None})))
    if state.get("dated"):
        label = t["dated_only"] if state["dated"] == "yes" else t["undated_only"]
        chips.append((label, link("/", state, {"dated": None, "page": None})))
    return chips


def _filters_in_hindi(filters: Filters) -> str:
    """The filters in Hindi, for the note that says they left nothing ("... कोई भी {filters} नहीं")."""
    parts = []
    if filters.source:
        parts.append(" या ".join(filters.source) + " का")
    if filters.category:
        parts.append("श्रेणी " + " या ".join(filters.category) + " का")
    since, until = filters.dates
    if since and until:
        parts.append(f"{since.isoformat()} से {until.isoformat()} के बीच का")
    elif since:
        parts.append(f"{since.isoformat()} या उसके बाद का")
    elif until:
        parts.append(f"{until.isoformat()} या उससे पहले का")
    if filters.dated:
        parts.append("तिथि वाला" if filters.dated == "yes" else "बिना तिथि का")
    return ", ".join(parts) or "फ़िल्टरों से बचा"


def _facet(name: str, results: SearchResults, state: dict[str, Any]) -> FacetView:
    """A facet as the page shows it: its values with the pipeline's counts (an outlet's or category's count
    leaves its own filter out, so it is the total its value gives), every active value first and checked
    (a click unchecks it), an unchecked value's click adding it to the others (any of them: OR)."""
    counts = results.facets.get(name, [])
    found: list[FacetValue] = []
    if name in ("source", "category"):
        chosen: list[str] = state[name]
        keys = {value.casefold() for value in chosen}
        seen = set()
        for entry in counts:
            names = {entry.value.casefold(), *(asked.casefold() for asked in entry.chosen_as)}
            active = bool(names & keys)
            seen.update(names & keys)
            values = [v for v in chosen if v.casefold() not in names] if active else [*chosen, entry.value]
            found.append(FacetValue(entry.value, entry.count, active, link("/", state, {name: values, "page": None})))
        for value in chosen:  # (an outlet the search does not reach: none of its results, 0)
            if value.casefold() not in seen:
                rest = [v for v in chosen if v != value]
                found.append(FacetValue(value, 0, True, link("/", state, {name: rest, "page": None})))
    else:
        for entry in counts:
            if entry.value == "undated":
                active = state["dated"] == "no"
                change: dict[str, Any] = {"dated": None} if active else {"dated": "no", "since": None, "until": None}
            else:
                span = (f"{entry.value}-01-01", f"{entry.value}-12-31")
                active = (state["since"], state["until"]) == span
                change = (
                    {"since": None, "until": None} if active else {"since": span[0], "until": span[1], "dated": None}
                )
            found.append(FacetValue(entry.value, entry.count, active, link("/", state, {**change, "page": None})))
    found.sort(key=lambda value: not value.active)  # (stable: the pipeline's order otherwise)
    whole = name in state["more"]
    shown = found if whole else found[: max(FACET_SHOWN, sum(v.active for v in found))]
    more = link("/", state, {"more": [*state["more"], name]}) if len(found) > len(shown) else None
    fewer = (
        link("/", state, {"more": [m for m in state["more"] if m != name]})
        if whole and len(found) > FACET_SHOWN
        else None
    )
    return FacetView(name, shown, len(found), more, fewer)
