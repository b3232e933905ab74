"""An honest API description: the OpenAPI document lists every route with its real content types, status
codes and response schemas, passes openapi-spec-validator, and the JSON the server really sends validates
against the schemas it declares. The JSON twin honours limit= and links its next and previous pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate

from archive.config import Settings
from archive.web.app import create_app
from tests.conftest import Run, write_jsonl

STORIES = [
    {
        "title": f"बाढ़ समाचार {number}",
        "body": f"नदी में बाढ़ आई, अंक {number}।",
        "source": ("जनसत्ता", "अमर उजाला")[number % 2],
        "date": f"2019-0{number % 9 + 1}-11",
        "url": f"https://example.org/{number}",
    }
    for number in range(7)
]


@pytest.fixture
def client(run: Run, settings: Settings, tmp_path: Path) -> TestClient:
    assert run("ingest", str(write_jsonl(tmp_path / "news.jsonl", STORIES))).exit_code == 0
    return TestClient(create_app(settings))


def schema_of(document: dict[str, Any], path: str, status: str, media: str) -> dict[str, Any]:
    return {**document["paths"][path]["get"]["responses"][status]["content"][media]["schema"], **document}


def holds(document: dict[str, Any], schema: dict[str, Any], instance: Any) -> None:
    OAS31Validator({**schema, "components": document["components"]}).validate(instance)


def test_the_document_is_valid_and_lists_every_route_as_it_answers(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    validate(document)  # (openapi-spec-validator: the OpenAPI 3.1 schema and its rules)
    routes = {
        "search": "/",
        "search_json": "/search.json",
        "article": "/articles/{article_id}",
        "article_json": "/articles/{article_id}.json",
        "sources": "/sources",
        "sources_json": "/sources.json",
        "export_csv": "/search.csv",
        "export_jsonl": "/search.jsonl",
        "explain": "/explain",
        "explain_json": "/explain.json",
        "trend": "/trend",
        "trend_json": "/trend.json",
        "trend_csv": "/trend.csv",
        "kwic": "/kwic",
        "kwic_json": "/kwic.json",
        "kwic_csv": "/kwic.csv",
        "terms": "/terms",
        "terms_json": "/terms.json",
        "terms_csv": "/terms.csv",
        "watch": "/watch",
        "watch_json": "/watch.json",
        "watch_feed": "/watch/{name}.atom",
    }
    assert set(document["paths"]) == set(routes.values())
    for name, path in routes.items():  # (the routes the server has, by name)
        given = {"article_id": "{article_id}"} if "{article_id}" in path else {"name": "{name}"} if "{" in path else {}
        assert client.app.url_path_for(name, **given) == path  # type: ignore[attr-defined]
    media = {
        path: {status: set(answer.get("content", {})) for status, answer in operation["get"]["responses"].items()}
        for path, operation in document["paths"].items()
    }
    assert media["/search.csv"]["200"] == {"text/csv"}
    assert media["/search.jsonl"]["200"] == {"application/x-ndjson"}
    assert media["/"]["200"] == {"text/html", "application/json"}
    assert media["/search.json"]["200"] == {"application/json"}
    assert media["/articles/{article_id}"]["404"] == {"text/html", "application/json"}
    for path, answers in media.items():
        assert "422" not in answers and "400" in answers, path  # (the server answers 400, never 422)
    # a page and its twin share one schema
    for page, twin in (
        ("/", "/search.json"),
        ("/articles/{article_id}", "/articles/{article_id}.json"),
        ("/explain", "/explain.json"),
        ("/trend", "/trend.json"),
        ("/kwic", "/kwic.json"),
        ("/terms", "/terms.json"),
    ):
        ours = document["paths"][page]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        theirs = document["paths"][twin]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert ours == theirs and "$ref" in ours


def test_what_the_server_sends_is_what_the_document_says(client: TestClient) -> None:
    document = client.get("/openapi.json").json()

    def schema(path: str, status: str = "200") -> dict[str, Any]:
        answer = document["paths"][path]["get"]["responses"][status]["content"]["application/json"]["schema"]
        return dict(answer)

    found = client.get("/search.json", params={"q": "बाढ़"})
    holds(document, schema("/search.json"), found.json())
    holds(document, schema("/"), client.get("/", params={"q": "बाढ़", "format": "json"}).json())
    holds(document, schema("/search.json"), client.get("/search.json").json())  # (nothing asked)
    article = client.get(f"/articles/{found.json()['hits'][0]['id']}.json")
    holds(document, schema("/articles/{article_id}.json"), article.json())
    holds(document, schema("/sources.json"), client.get("/sources.json").json())
    why = client.get("/explain.json", params={"q": "बाढ़", "id": found.json()["hits"][0]["id"]})
    holds(document, schema("/explain.json"), why.json())
    trend = client.get("/trend.json", params={"q": ["बाढ़", "समाचार"]})
    holds(document, schema("/trend.json"), trend.json())
    holds(document, schema("/terms.json"), client.get("/terms.json", params={"q": "बाढ़"}).json())
    holds(document, schema("/kwic.json"), client.get("/kwic.json", params={"q": "बाढ़", "limit": 2}).json())
    refused = client.get("/search.json", params={"q": "(बाढ़"})
    assert refused.status_code == 400 and refused.headers["content-type"] == "application/json"
    holds(document, schema("/search.json", "400"), refused.json())
    missing = client.get("/articles/999.json")
    assert missing.status_code == 404
    holds(document, schema("/articles/{article_id}.json", "404"), missing.json())
    assert client.get("/search.csv", params={"q": "बाढ़"}).headers["content-type"].startswith("text/csv")
    assert client.get("/search.jsonl", params={"q": "बाढ़"}).headers["content-type"].startswith("application/x-ndjson")


def test_the_json_twin_honours_limit_and_links_its_pages(client: TestClient) -> None:
    first = client.get("/search.json", params={"q": "बाढ़", "limit": 3, "sort": "oldest"}).json()
    assert (first["total"], first["limit"], first["pages"], len(first["hits"])) == (7, 3, 3, 3)
    assert first["previous"] is None and first["next"].startswith("http://testserver/search.json?")
    second = client.get(first["next"]).json()
    assert second["page"] == 2 and len(second["hits"]) == 3
    assert {hit["id"] for hit in second["hits"]}.isdisjoint(hit["id"] for hit in first["hits"])
    third = client.get(second["next"]).json()
    assert len(third["hits"]) == 1 and third["next"] is None
    assert client.get(third["previous"]).json() == second
