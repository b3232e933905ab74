"""The downloads: every match of a search as CSV (``/search.csv``, the CLI's columns, formula-like cells
neutralised by :mod:`archive.sheets`) or JSON Lines (``/search.jsonl``), streamed, at most
:data:`~archive.web.common.MAX_EXPORT_ROWS` rows."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from archive.api import HIT_FIELDS, hit_csv_row
from archive.sheets import csv_lines
from archive.web.common import MAX_EXPORT_ROWS, ExportLimit, Filters, FiltersParameter, Problem, archives_of
from archive.web.schemas import download

router = APIRouter()
CHUNK = 32_768


class CsvResponse(StreamingResponse):
    media_type = "text/csv"


class JsonLinesResponse(StreamingResponse):
    media_type = "application/x-ndjson"


@router.get(
    "/search.csv",
    name="export_csv",
    summary="Every match as CSV (the CLI's columns), streamed",
    response_class=CsvResponse,
    responses=download("text/csv"),
)
def search_csv(request: Request, filters: FiltersParameter, limit: ExportLimit = MAX_EXPORT_ROWS) -> StreamingResponse:
    return _export(request, filters, "csv", limit)


@router.get(
    "/search.jsonl",
    name="export_jsonl",
    summary="Every match as JSON Lines (the CLI's columns), streamed",
    response_class=JsonLinesResponse,
    responses=download("application/x-ndjson"),
)
def search_jsonl(
    request: Request, filters: FiltersParameter, limit: ExportLimit = MAX_EXPORT_ROWS
) -> StreamingResponse:
    return _export(request, filters, "jsonl", limit)


def _export(request: Request, filters: Filters, kind: str, limit: int) -> StreamingResponse:
    if not filters.asked:
        raise Problem(400, "nothing_to_export")
    reader = archives_of(request).fresh()
    try:
        hits = itertools.islice(reader.search_all(filters.request()), limit)
        first = next(hits, None)  # (a bad query fails here, as a 400 page, not half-way through a download)
    except BaseException:
        reader.close()
        raise

    def chunks() -> Iterator[str]:
        try:
            every = _chain(first, hits)
            if kind == "csv":
                lines = csv_lines((hit_csv_row(hit.to_row()) for hit in every), HIT_FIELDS)
            else:
                lines = (json.dumps(hit.to_row(), ensure_ascii=False) + "\n" for hit in every)
            gathered: list[str] = []
            size = 0
            for line in lines:
                gathered.append(line)
                size += len(line)
                if size > CHUNK:
                    yield "".join(gathered)
                    gathered, size = [], 0
            yield "".join(gathered)
        finally:
            reader.close()

    media = "text/csv; charset=utf-8" if kind == "csv" else "application/x-ndjson; charset=utf-8"
    name = f"archive-search.{kind}"
    return StreamingResponse(
        chunks(), media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


def _chain(first: Any, rest: Iterator[Any]) -> Iterator[Any]:
    if first is not None:
        yield first
        yield from rest
