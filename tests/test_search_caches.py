"""What a session keeps from one search for the next (a query's plan, each term's and phrase's documents and
scores, the closeness answers: archive/search/plans.py, archive/index/query/cache.py) must give exactly what
searching afresh gives, and must never outlive what it was read from (the searcher, the synonyms)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from archive import Archive
from archive.index.query.cache import Found, LeafCache
from archive.index.query.evaluator import Evaluator
from archive.index.query.values import DocValues
from archive.search.matching import match
from archive.search.request import SearchRequest
from archive.search.session import SearchSession
from tests.conftest import write_jsonl

QUERIES = ("बारिश", "दिल्ली बारिश", '"तेज बारिश"', "भारत मैच", "शिक्षा OR संसद", "बारिश -दिल्ली")


def _page(archive: Archive, query: str) -> tuple[int, list[tuple[int, float]], list[object]]:
    found = archive.search(query, limit=10, snippets=True)
    return found.total, [(hit.id, hit.score) for hit in found.hits], [hit.snippet for hit in found.hits]


def test_a_query_searched_again_gives_what_a_fresh_session_gives(tmp_path: Path, articles_file: Path) -> None:
    home = tmp_path / "home"
    Archive(home).ingest([articles_file])
    with Archive(home) as kept:
        first = [_page(kept, query) for query in QUERIES]
        again = [_page(kept, query) for query in QUERIES]
        session = kept._session
        assert session is not None and len(session.values().cache) > 0
        session.forget_kept()
        assert len(session.values().cache) == 0 and not session.values().spans
        assert [_page(kept, query) for query in QUERIES] == first
        for query in QUERIES:
            fresh_archive = Archive(home)
            assert _page(fresh_archive, query) == first[QUERIES.index(query)]
            fresh_archive.close()
    assert again == first


@contextmanager
def _searched(tmp_path: Path, articles_file: Path) -> Iterator[tuple[Archive, SearchSession]]:
    """An archive of ``articles_file`` and its session, after a first search."""
    home = tmp_path / "home"
    Archive(home).ingest([articles_file])
    with Archive(home) as archive:
        archive.search("x")
        assert archive._session is not None
        yield archive, archive._session


def _matched(session: SearchSession, query: str) -> tuple[Any, Any]:
    """The session's searcher and ``query`` as it searches it, once searched (what it found now kept)."""
    expanded = match(session, SearchRequest(query)).expanded_query
    _, _, searcher = session.acquire()
    return searcher, expanded


def test_kept_scores_are_the_same_numbers_to_the_last_bit(tmp_path: Path, articles_file: Path) -> None:
    with _searched(tmp_path, articles_file) as (_, session):
        for query in QUERIES:
            searcher, expanded = _matched(session, query)
            assert len(session.values().cache) > 0
            warm = Evaluator(searcher, session.values()).scores(expanded)
            fresh_values = DocValues(searcher)
            fresh = Evaluator(searcher, fresh_values).scores(expanded)
            assert np.array_equal(warm.mask, fresh.mask) and warm.mask.any()
            assert warm.scores.tobytes() == fresh.scores.tobytes()
            fresh_values.close()


def test_a_whole_query_kept_is_handed_out_as_the_callers_own_copy(tmp_path: Path, articles_file: Path) -> None:
    """A search changes its query's arrays (a year in the query adds the year's articles, closeness adds to
    the scores): the kept matches must come out as they were found, whatever the last search did to its."""
    with _searched(tmp_path, articles_file) as (archive, session):
        for query in QUERIES:
            searcher, expanded = _matched(session, query)
            evaluator = Evaluator(searcher, session.values())
            handed = evaluator.evaluated(expanded)
            handed.mask[:] = True
            handed.scores[:] = -1.0
            again = evaluator.evaluated(expanded)
            fresh_values = DocValues(searcher)
            fresh = Evaluator(searcher, fresh_values).scores(expanded)
            assert np.array_equal(again.mask, fresh.mask) and 0 < np.count_nonzero(fresh.mask) < fresh.mask.size
            assert again.scores.tobytes() == fresh.scores.tobytes()
            fresh_values.close()
        assert archive.search("बारिश 2016").total == archive.search("बारिश 2016").total


def test_nothing_kept_outlives_a_change_of_the_index_or_the_synonyms(tmp_path: Path, articles_file: Path) -> None:
    home = tmp_path / "home"
    with Archive(home) as archive:
        archive.ingest([articles_file])
        assert archive.search("बारिश").total == 2 and archive.search("चक्रवात").total == 0
        rain = {"title": "चक्रवात", "body": "चक्रवात के साथ बारिश", "url": "https://example.org/c", "source": "स"}
        Archive(home).ingest([write_jsonl(tmp_path / "more.jsonl", [rain])])
        assert archive.search("बारिश").total == 3 and archive.search("चक्रवात").total == 1

        assert archive.search("तूफान").total == 0
        archive.add_synonyms(["तूफान", "चक्रवात"])
        assert archive.search("तूफान").total == 1

        added = archive.search("चक्रवात").hits[0].id
        Archive(home).delete([added])
        assert archive.search("बारिश").total == 2 and archive.search("तूफान").total == 0


def _found(n: int) -> Found:
    return Found(np.arange(n, dtype=np.int64), np.ones(n))


def test_the_leaf_cache_holds_its_budget_dropping_the_least_recently_used() -> None:
    cache = LeafCache(budget=3 * _found(10).size)
    for key in "abc":
        cache.put(key, _found(10))
    assert cache.get("a") is not None  # now the most recently used
    cache.put("d", _found(10))
    assert cache.get("b") is None and {k for k in "acd" if cache.get(k) is not None} == set("acd")
    assert cache.held <= cache.budget
    cache.put("huge", _found(100))  # larger than the whole budget: returned, not kept
    assert cache.get("huge") is None and len(cache) == 3


@pytest.mark.parametrize("query", ["दिल्ली बारिश", "भारत टीम"])
def test_closeness_answers_kept_are_those_found_afresh(tmp_path: Path, articles_file: Path, query: str) -> None:
    home = tmp_path / "home"
    Archive(home).ingest([articles_file])
    with Archive(home) as archive:
        first = archive.search(query, explain=True).hits
        again = archive.search(query, explain=True).hits
        assert [(h.id, h.score, h.explanation) for h in again] == [(h.id, h.score, h.explanation) for h in first]
