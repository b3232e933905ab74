"""The article page: nothing of the server's machine on it (the origins named by what a reader can use),
while the CLI's `show` keeps the full path; and the way back to the exact search it came from."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from archive.config import Settings
from archive.web.app import create_app
from tests.conftest import Run, write_jsonl

STORY = {
    "title": "बाढ़ राहत शिविर",
    "body": "राहत शिविर में बाढ़ पीड़ितों को भोजन मिला।\nदूसरा अनुच्छेद।",
    "source": "जनसत्ता",
    "date": "2019-08-11",
    "url": "https://example.org/flood",
}


@pytest.fixture
def client(run: Run, settings: Settings, tmp_path: Path) -> TestClient:
    folder = tmp_path / "ravi" / "corpus"
    folder.mkdir(parents=True)
    copy = {**STORY, "url": "https://example.org/flood-copy", "source": "अमर उजाला"}
    assert run("ingest", str(write_jsonl(folder / "floods.jsonl", [STORY]))).exit_code == 0
    assert run("ingest", str(write_jsonl(folder / "copies.jsonl", [copy]))).exit_code == 0
    return TestClient(create_app(settings))


def test_the_article_page_shows_no_path_of_the_machine(client: TestClient, run: Run, tmp_path: Path) -> None:
    html = client.get("/articles/1", params={"q": "बाढ़"}).text
    json_text = client.get("/articles/1.json").text
    for shown in (html, json_text):
        assert str(tmp_path) not in shown and "/ravi/" not in shown and "corpus/" not in shown
    origins = re.findall(r"<li>(floods\.jsonl|copies\.jsonl), ", html)
    assert sorted(origins) == ["copies.jsonl", "floods.jsonl"]  # the file's name, with the record and outlet
    assert "https://example.org/flood-copy" in html and "अमर उजाला" in html
    files = [origin["file"] for origin in client.get("/articles/1.json").json()["origins"]]
    assert sorted(files) == ["copies.jsonl", "floods.jsonl"]
    shown = run("show", "1").stdout  # the CLI, on the machine that read the files, keeps the whole path
    assert str(tmp_path / "ravi" / "corpus" / "floods.jsonl") in shown
