"""One matching step behind every count (issue 31, point 9): a facet's count is the total of the search its
value opens, the streamed export lists what the pages list, and a saved search counts what `search` finds,
on an archive whose stories were printed by several outlets (near-copies, collapsed into one hit)."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Run, write_jsonl

OUTLETS = ("दैनिक जागरण", "अमर उजाला", "Navbharat Times", "जनसत्ता")
CATEGORIES = ("राजनीति", "खेल", "संपादकीय")
FILLER = (
    "सरकार संसद नीति विकास योजना किसान मजदूर शिक्षा स्वास्थ्य सड़क पानी बिजली गांव शहर अदालत पुलिस बाजार व्यापार "
    "रेल विमान मौसम बारिश फसल मंडी बजट कर बैंक उद्योग निवेश रोजगार युवा महिला बच्चे परिवार समाज संस्कृति"
).split()


def _story(rng: random.Random, subject: str) -> str:
    words = [rng.choice(FILLER) for _ in range(160)]
    for place in rng.sample(range(160), 6):
        words[place] = subject
    return " ".join(words) + "।"


def _articles() -> list[dict[str, Any]]:
    """Twelve stories: some printed by two or three outlets (a copy has one word changed at its end), some
    undated, about चुनाव or बारिश."""
    rng = random.Random(31)
    records = []
    for number in range(12):
        subject = "चुनाव" if number % 3 else "बारिश"
        body = _story(rng, subject)
        printed_by = rng.sample(OUTLETS, 1 + number % 3)
        for copy, outlet in enumerate(printed_by):
            record = {
                "title": f"{subject} की खबर {number}",
                "body": body if copy == 0 else body[:-1] + f" {FILLER[copy]}।",
                "source": outlet,
                "category": CATEGORIES[(number + copy) % len(CATEGORIES)],
                "url": f"https://news.example/{number}/{copy}",
            }
            if number % 4:
                record["date"] = f"201{5 + number % 3}-0{1 + copy + number % 5}-1{number % 9}"
            records.append(record)
    return records


@pytest.fixture(scope="module")
def stories(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("stories")
    return write_jsonl(folder / "stories.jsonl", _articles())


@pytest.fixture
def archive(run: Run, stories: Path) -> Run:
    result = run("ingest", str(stories))
    assert result.exit_code == 0, result.output
    return run


def search(run: Run, *args: str) -> dict[str, Any]:
    result = run("search", *args, "--format", "json", "--limit", "100")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def _opens(facet: str, value: str) -> list[str]:
    """The options of the search a facet's value opens."""
    if facet == "source":
        return ["--source", value]
    if facet == "category":
        return ["--category", value]
    if value == "undated":
        return ["--undated"]
    if facet == "year":
        return ["--since", f"{value}-01-01", "--until", f"{value}-12-31"]
    year, month = value.split("-")
    last = {"02": "28"}.get(month, "30")
    return ["--since", f"{value}-01", "--until", f"{year}-{month}-{last}"]


@pytest.mark.parametrize("collapse", [True, False])
@pytest.mark.parametrize("query", ["चुनाव", "", "चुनाव OR बारिश"])
def test_every_facet_count_is_the_total_of_the_search_it_opens(archive: Run, query: str, collapse: bool) -> None:
    copies = [] if collapse else ["--no-collapse"]
    facets = ["--facet", "source", "--facet", "category", "--facet", "year", "--facet", "month"]
    asked = search(archive, query, *facets, *copies)
    assert asked["total"] > 0
    every_copy, one_per_story = search(archive, query, "--no-collapse")["total"], search(archive, query)["total"]
    assert one_per_story < every_copy  # the fixture has copies of stories among the matches
    assert asked["total"] == (one_per_story if collapse else every_copy)
    checked = 0
    for facet, values in asked["facets"].items():
        assert values, facet
        for value in values:
            opened = search(archive, query, *_opens(facet, value["value"]), *copies)
            assert opened["total"] == value["count"], (facet, value)
            checked += 1
    assert checked >= 10


def test_a_chosen_outlet_leaves_the_others_countable_and_each_count_is_its_own_search(archive: Run) -> None:
    first = search(archive, "चुनाव", "--facet", "source")["facets"]["source"]
    chosen = first[0]["value"]
    narrowed = search(archive, "चुनाव", "--source", chosen, "--facet", "source", "--facet", "year")
    # every outlet is still listed, with the count its own search gives (so that a second can be added)
    assert narrowed["facets"]["source"] == first
    assert len(first) > 1
    for value in first:
        assert search(archive, "चुनाव", "--source", value["value"])["total"] == value["count"]
    # a facet that is not the chosen one counts within the choice
    for value in narrowed["facets"]["year"]:
        opened = search(archive, "चुनाव", "--source", chosen, *_opens("year", value["value"]))
        assert opened["total"] == value["count"]
    # two outlets combine with OR
    both = search(archive, "चुनाव", "--source", first[0]["value"], "--source", first[1]["value"])
    assert max(first[0]["count"], first[1]["count"]) <= both["total"] <= first[0]["count"] + first[1]["count"]


def _streamed(run: Run, *args: str) -> list[int]:
    result = run("search", *args, "--all", "--format", "jsonl")
    assert result.exit_code == 0, result.output
    return [json.loads(line)["id"] for line in result.stdout.splitlines()]


@pytest.mark.parametrize("copies", [[], ["--no-collapse"]])
def test_the_streamed_export_lists_what_the_pages_list(archive: Run, copies: list[str]) -> None:
    for query in ("चुनाव", ""):
        total = search(archive, query, *copies)["total"]
        pages = []
        for page in range(1, 100):
            result = archive("search", query, *copies, "--format", "json", "--limit", "4", "--page", str(page))
            hits = json.loads(result.stdout)["hits"]
            if not hits:
                break
            pages += [hit["id"] for hit in hits]
        assert pages == _streamed(archive, query, *copies)
        assert len(pages) == total


def test_a_saved_search_counts_what_search_finds_copy_by_copy(archive: Run) -> None:
    assert archive("watch", "add", "चुनाव-खबरें", "चुनाव", "--category", "राजनीति").exit_code == 0
    listed = archive("watch", "list", "--format", "json")
    assert listed.exit_code == 0, listed.output
    (saved,) = json.loads(listed.stdout)
    every_copy = search(archive, "चुनाव", "--category", "राजनीति", "--no-collapse")["total"]
    assert saved["total"] == every_copy > 0
