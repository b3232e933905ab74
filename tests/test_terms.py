"""What sets a result apart (``archive terms``, ``Archive.terms``): on a small archive made by hand, each
score is Dunning's log-likelihood computed here, and each count the total of a search."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from archive.api import Archive, SearchRequest
from archive.errors import QueryError
from tests.conftest import Cli, ingested


def _records() -> list[dict[str, Any]]:
    """Cricket articles that talk of the pitch and the captain, and other news that does not."""
    records: list[dict[str, Any]] = []
    for n in range(6):
        records.append(
            {
                "title": f"क्रिकेट मैच {n}",
                "body": f"क्रिकेट के मैच में कप्तान ने पिच की तारीफ की। स्टेडियम {n} भरा था।"
                + (" बारिश भी हुई।" if n < 2 else ""),
                "source": "जनसत्ता",
                "date": f"2019-0{n + 1}-10",
                "url": f"https://example.org/cricket/{n}",
            }
        )
    for n in range(14):
        records.append(
            {
                "title": f"शहर की खबर {n}",
                "body": f"नगर निगम ने सड़क {n} की मरम्मत की। बारिश से लोग परेशान रहे।"
                + (" कप्तान साहब भी आए।" if n == 0 else ""),
                "source": "अमर उजाला",
                "date": f"2019-0{n % 9 + 1}-12",
                "url": f"https://example.org/city/{n}",
            }
        )
    return records


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    return ingested(tmp_path_factory, "terms", _records())


@pytest.fixture
def archive(cli: Cli) -> Any:
    with Archive(cli.home) as opened:
        yield opened


def g2(a: int, results: int, in_archive: int, archive: int) -> float:
    """Dunning's G², written out here from the 2 × 2 table (in results or not, holding the word or not)."""
    table = [[a, results - a], [in_archive - a, archive - results - (in_archive - a)]]
    total = sum(map(sum, table))
    score = 0.0
    for i in range(2):
        for j in range(2):
            expected = sum(table[i]) * (table[0][j] + table[1][j]) / total
            if table[i][j]:
                score += table[i][j] * math.log(table[i][j] / expected)
    return 2 * score


def test_the_scores_are_log_likelihood_and_the_counts_are_searches(archive: Archive) -> None:
    found = archive.terms("क्रिकेट", 10)
    assert (found.results, found.archive) == (6, 20)
    by_term = {t.term: t for t in found.terms}
    # every cricket article has them; no other does: the best, in a tie
    assert {"पिच", "तारीफ", "स्टेडियम"} <= set(by_term)
    assert by_term["पिच"].score == round(g2(6, 6, 6, 20), 3) == found.terms[0].score
    # the captain is in every cricket article and one other
    assert (by_term["कप्तान"].in_results, by_term["कप्तान"].in_archive) == (6, 7)
    assert by_term["कप्तान"].score == round(g2(6, 6, 7, 20), 3) < by_term["पिच"].score
    # rain is in fewer cricket articles (2 of 6) than others (14 of 14): not listed
    assert "बारिश" not in by_term
    for term in found.terms:
        exact = f'"{term.term}"'
        assert term.in_archive == archive.search(SearchRequest(exact, collapse=False, limit=1)).total, term
        narrowed = SearchRequest(f"क्रिकेट {exact}", collapse=False, limit=1)
        assert term.in_results == archive.search(narrowed).total, term
    scores = [t.score for t in found.terms]
    assert scores == sorted(scores, reverse=True)


def test_the_querys_own_forms_stopwords_and_numbers_are_left_out(archive: Archive) -> None:
    terms = {t.term for t in archive.terms("क्रिकेट", 100).terms}
    assert "क्रिकेट" not in terms and not any("क्रिकेट" in t.split() for t in terms)
    assert not terms & {"के", "में", "की", "ने", "था"}
    assert not any(word.isdigit() for t in terms for word in t.split())


def test_two_word_phrases_are_counted_as_phrase_searches(archive: Archive) -> None:
    phrases = [t for t in archive.terms("क्रिकेट", 100).terms if " " in t.term]
    assert phrases, "a phrase such as 'पिच तारीफ' (stopwords left out between)"
    for phrase in phrases:
        quoted = f'"{phrase.term}"'
        assert phrase.in_archive == archive.search(SearchRequest(quoted, collapse=False, limit=1)).total


def test_filters_apply(archive: Archive) -> None:
    found = archive.terms(SearchRequest("बारिश", sources=("अमर उजाला",)), 10)
    assert found.results == 14


@pytest.mark.parametrize(
    ("query", "limit", "code"), [("", 10, "query_empty"), ("x", 0, "bad_terms_limit"), ("x", 101, "bad_terms_limit")]
)
def test_bad_requests_are_refused(archive: Archive, query: str, limit: int, code: str) -> None:
    with pytest.raises(QueryError) as refused:
        archive.terms(query, limit)
    assert refused.value.message is not None and refused.value.message.code == code


def test_the_cli_gives_the_same_terms(cli: Cli, archive: Archive) -> None:
    result = cli("terms", "क्रिकेट", "--format", "json", "--limit", "5")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data == archive.terms("क्रिकेट", 5).to_dict()
    assert set(data["terms"][0]) >= {"term", "score", "in_results", "in_archive"}
    result = cli("terms", "क्रिकेट", "--limit", "3")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].startswith("6 matching articles against 20 articles")
    assert len(result.stdout.splitlines()) == 4


@pytest.mark.parametrize(
    "text",
    [
        "और लॉवरोव ने लावरोव से मुलाकात की",
        "COVID-19 पर WHO की चेतावनी; प्रधानमंत्री नरेंद्र मोदी ने कहा कि साथ-साथ चलेंगे",
        "नोट बंदी के बाद नोटबंदी पर बहस, दिल्‍ली में ZWJ और ड़ ड़ नुक्ता",
        "२०१६ में 500 व 1000 रुपये के नोट बंद हुए।",
    ],
)
def test_the_samples_words_are_the_analyzers(text: str) -> None:
    from archive.analysis import analyze
    from archive.search.terms import words_in_order

    assert words_in_order(text) == analyze(text)


def test_copies_of_a_story_are_counted_and_the_searchs_total_is_given_too(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """The terms count every copy of a story; the search the header links to counts a story once: the
    header gives both numbers, so that a reader who follows the link is not met by another number."""
    story = (
        "संसद के शीतकालीन सत्र में आज विपक्ष ने महंगाई पर लंबी बहस की मांग की और सरकार ने कहा कि वह हर सवाल का "
        "जवाब देने को तैयार है। लोकसभा अध्यक्ष ने दोनों पक्षों से शांति बनाए रखने की अपील की।"
    )
    records = [
        {"title": f"संसद में बहस {n}", "body": story, "source": source, "url": f"https://example.org/s/{n}"}
        for n, source in enumerate(("जनसत्ता", "अमर उजाला"))
    ]
    records += [
        {
            "title": f"मौसम {n}",
            "body": f"बारिश से शहर {n} की सड़कें भर गईं।",
            "source": "जनसत्ता",
            "url": f"https://example.org/w/{n}",
        }
        for n in range(5)
    ]
    cli = ingested(tmp_path_factory, "copies", records)
    with Archive(cli.home) as archive:
        found = archive.terms("संसद", 5)
        total = archive.search("संसद").total
    assert (found.results, found.stories, total) == (2, 1, 1)
    result = cli("terms", "संसद", "--limit", "3")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].startswith(
        "2 matching articles (the search's 1: it counts a story printed by several outlets once) against"
    )
