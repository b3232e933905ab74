"""Keyword in context (``archive kwic``, ``Archive.kwic``): every line checked against the articles' text,
counted independently in the test, on a real archive in a temp dir."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

import pytest

from archive.api import Archive, SearchRequest, sorted_lines
from archive.errors import QueryError
from tests.conftest import Cli, ingested, trend_news

#: Forms of बाढ़ in the test's articles, and a word that is not one (बाढ़ी is another word in no article).
FORMS = {"बाढ़", "बाढ़ों"}


def _records() -> list[dict[str, Any]]:
    records = trend_news()
    records.append(
        {
            "title": "बाढ़ों का इतिहास",
            "body": "पिछली सदी की बाढ़ों ने नदी (बाढ़) के किनारे बसे गाँवों को बार-बार उजाड़ा, और हर बाढ़ के बाद लोग लौटे।",
            "source": "जनसत्ता",
            "date": "2018-06-01",
        }
    )
    records += [
        {
            "title": "विदेश नीति पर बहस",
            "body": "विदेश मंत्री ने संसद में जवाब दिया। मंत्री ने कहा कि विदेश नीति नहीं बदलेगी। बाद में विदेश के मंत्री दिल्ली लौटे।",
            "source": "जनसत्ता",
            "date": "2018-07-01",
        },
        {"title": "मंत्री का दौरा", "body": "मंत्री आज विदेश गए और वहां नीति पर बात की।", "source": "अमर उजाला"},
    ]
    return records


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    return ingested(tmp_path_factory, "kwic", _records())


@pytest.fixture
def archive(cli: Cli) -> Any:
    with Archive(cli.home) as opened:
        yield opened


def _occurrences(text: str) -> int:
    """Whole-word occurrences of FORMS, counted with a pattern of the test's own."""
    return len(re.findall(r"(?<![\u0900-\u097F])(?:बाढ़ों|बाढ़)(?![\u0900-\u097F])", text))


def test_every_occurrence_is_a_line_and_its_middle_a_matched_form(archive: Archive) -> None:
    request = SearchRequest("बाढ़", collapse=False)
    lines = list(archive.kwic(request))
    ids = [hit.id for hit in archive.search_all(request)]
    expected = 0
    for article_id in ids:
        article = archive.get(article_id)
        expected += _occurrences(article.title) + _occurrences(article.body)
    assert len(lines) == expected > 10
    assert {line.match for line in lines} == FORMS
    assert list(dict.fromkeys(line.id for line in lines)) == ids  # (in the search's order)
    for line in lines:
        article = archive.get(line.id)
        text = " ".join((article.title if line.field == "title" else article.body).split())
        # the line is the text as it reads: its context glued to the match where the text glues it, "(बाढ़)"
        pattern = r"\s?".join(re.escape(part) for part in (line.left, line.match, line.right) if part)
        assert re.search(pattern, text), (line, text)
        assert len(line.left.split()) <= 6 and len(line.right.split()) <= 6


def test_the_context_is_whole_words_and_its_width_is_chosen(archive: Archive) -> None:
    line = next(line for line in archive.kwic("बाढ़ों", width=2) if line.field == "body")
    assert (line.left, line.match, line.right) == ("सदी की", "बाढ़ों", "ने नदी")
    wide = next(line for line in archive.kwic("बाढ़ों", width=25) if line.field == "body")
    assert wide.left == "पिछली सदी की"
    # a match glued to punctuation is still the form alone; the punctuation stays in the context
    glued = [line for line in archive.kwic("बाढ़", width=1) if line.left.endswith("(")]
    assert glued and glued[0].match == "बाढ़" and glued[0].right.startswith(")")


def test_filters_and_the_story_rule_are_the_searchs(archive: Archive) -> None:
    for request in (
        SearchRequest("बाढ़", sources=("जनसत्ता",)),
        SearchRequest("बाढ़", since=__import__("datetime").date(2019, 7, 1)),
        SearchRequest("सर्वेक्षण"),  # a story printed twice: its lines once
    ):
        ids = {line.id for line in archive.kwic(request)}
        assert ids == {hit.id for hit in archive.search_all(request)}


def test_sorting_by_the_left_or_right_context(archive: Archive) -> None:
    lines, more = sorted_lines(archive.kwic("बाढ़"), "right", 1_000)
    assert not more
    rights = [line.right.split() for line in lines]
    assert rights == sorted(rights)
    lefts, _ = sorted_lines(archive.kwic("बाढ़"), "left", 1_000)
    assert [line.left.split()[::-1] for line in lefts] == sorted(line.left.split()[::-1] for line in lefts)
    few, more = sorted_lines(archive.kwic("बाढ़"), "left", 3)
    assert len(few) == 3 and more


@pytest.mark.parametrize(
    ("query", "width", "code"),
    [("", 6, "query_empty"), ("*", 6, "query_empty"), ("बाढ़", 0, "bad_width"), ("बाढ़", 26, "bad_width")],
)
def test_bad_requests_are_refused_before_the_first_line(archive: Archive, query: str, width: int, code: str) -> None:
    with pytest.raises(QueryError) as refused:
        archive.kwic(query, width)
    assert refused.value.message is not None and refused.value.message.code == code


def test_the_cli_writes_the_same_lines_in_every_format(cli: Cli, archive: Archive) -> None:
    expected = [line.to_row() for line in archive.kwic("बाढ़")]
    result = cli("kwic", "बाढ़", "--format", "jsonl")
    assert result.exit_code == 0, result.output
    assert [json.loads(line) for line in result.stdout.splitlines()] == expected
    result = cli("kwic", "बाढ़", "--format", "json")
    assert json.loads(result.stdout) == expected
    result = cli("kwic", "बाढ़", "--format", "csv", "--no-bom")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(int(r["id"]), r["left"], r["match"], r["right"]) for r in rows] == [
        (r["id"], r["left"], r["match"], r["right"]) for r in expected
    ]
    result = cli("kwic", "बाढ़", "--limit", "3")
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    # aligned: every match starts in the same column (the left contexts padded by their width in columns)
    from archive.cli.wrapping import columns

    starts = {columns(line.split("**", 1)[0]) for line in lines}
    assert len(starts) == 1
    result = cli("kwic", "बाढ़", "--width", "40")
    assert result.exit_code != 0 and "1 to 25 words" in result.output


def test_a_phrase_is_one_occurrence_and_its_words_alone_are_none(archive: Archive) -> None:
    """A concordance of ``"विदेश मंत्री"`` lists the phrase where the text has it (a stopword between its
    words, as the index reads it, is no gap), never मंत्री or विदेश alone; a snippet marks it the same way."""
    lines = list(archive.kwic(SearchRequest('"विदेश मंत्री"')))
    assert [(line.title, line.match) for line in lines] == [
        ("विदेश नीति पर बहस", "विदेश मंत्री"),
        ("विदेश नीति पर बहस", "विदेश के मंत्री"),
    ]
    (hit,) = archive.search('"विदेश मंत्री"').hits
    assert [part for part, marked in hit.snippet if marked] == ["विदेश मंत्री", "विदेश के मंत्री"], hit.snippet
    # the two words searched apart are each matched wherever they are
    apart = [line.match for line in archive.kwic(SearchRequest("विदेश मंत्री"))]
    assert apart.count("मंत्री") >= 3 and "विदेश मंत्री" not in apart
