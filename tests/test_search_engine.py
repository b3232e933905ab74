"""Search evaluates the common query forms itself (term at a time) instead of through Whoosh's matchers:
its matches, scores, order, totals and facets must be the ones Whoosh gives for the same query."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pytest
from whoosh import query as wq
from whoosh import sorting

from archive import Archive
from archive.config import ArrayTerms, resolve_settings
from archive.index.codec import array_positions, array_postings
from archive.index.codec.segment_writer import FastSegmentWriter
from archive.index.schema import VALUE_FIELDS
from archive.index.search_index import SearchIndex
from archive.search.expansion import QueryExpander as _Expander
from archive.search.parsing import parse_query
from tests.conftest import ARTICLES, with_array_terms, with_closeness, without_commit_merges, write_jsonl

QUERIES = [
    "चुनाव",
    "चुनाव संसद",
    "मतदाता OR महंगाई",
    "चुनाव -क्रिकेट",
    "चुनाव NOT क्रिकेट",
    "(चुनाव OR मतदाता) AND महंगाई",
    "(चुनाव NOT क्रिकेट) OR महंगाई",
    '"भारी बारिश"',
    '"खबर संख्या"',
    '"भारी बारिश की चेतावनी"',
    '"भारी चेतावनी"~3',
    '"खबर संख्या" OR महंगाई',
    "title:बाढ़",
    "खबर*",
    "बाढ़ बारिश",
]


@pytest.fixture(scope="module", params=["blocks", "arrays", "both", "both, two segments"])
def archive(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The same archive four times: postings and positions read from Whoosh's blocks; (every term made
    given them) from the plain arrays that segments keep for common terms; and each from either (terms in two
    documents or more given them), so that a phrase meets both, in one segment and in two (a phrase's
    documents are found across segments at once)."""
    home = tmp_path_factory.mktemp("engine") / "home"
    if request.param != "blocks":
        settings = with_array_terms(resolve_settings(home), documents=1 if request.param == "arrays" else 2)
    else:  # (short fields' terms get arrays from a few documents)
        settings = with_array_terms(resolve_settings(home), short_floor=ArrayTerms().documents)
    settings = without_commit_merges(settings)
    with Archive(settings=settings) as created:
        if request.param.endswith("two segments"):
            half = len(ARTICLES) // 2
            created.ingest([write_jsonl(home.parent / "a.jsonl", ARTICLES[:half])])
            created.ingest([write_jsonl(home.parent / "b.jsonl", ARTICLES[half:])])
            index = SearchIndex(created.settings.index_dir)
            with index.searcher() as searcher:
                assert len(searcher.reader().leaf_readers()) == 2
            index.close()
        else:
            created.ingest([write_jsonl(home.parent / "a.jsonl", ARTICLES)])
        for extension in (array_postings.EXTENSION, array_positions.EXTENSION):
            assert bool(list(created.settings.index_dir.glob(f"*.{extension}"))) == (request.param != "blocks")
        # deletions leave documents marked deleted in their segment: they must not be found
        created.delete([3, 8])
        yield created


def whoosh_reference(archive: Archive, query: str, **options: Any) -> list[tuple[int, float, str]]:
    """(article id, score, cluster) of every match, in Whoosh's own order."""
    index = SearchIndex(archive.settings.index_dir)
    with index.searcher() as searcher:
        expanded = parse_query(query, searcher.schema).accept(_Expander(index.vocabulary, searcher.doc_count()))
        since = options.get("since")
        results = searcher.search(
            expanded,
            limit=None,
            filter=wq.DateRange("date", datetime.combine(since, time()), None) if since else None,
            sortedby=[sorting.FieldFacet("date", reverse=True), sorting.FieldFacet("number", reverse=True)]
            if options.get("sort") == "newest"
            else None,
        )
        # sorted by date, Whoosh's "score" is the sort key and the archive reports 0
        if options.get("sort") == "newest":
            found = [(int(h["id"]), 0.0, h["cluster"]) for h in results]
        else:
            fields = {h.docnum: h.fields() for h in results}
            hits = with_closeness(searcher, parse_query(query, searcher.schema), [(h.docnum, h.score) for h in results])
            found = [(int(fields[d]["id"]), round(score, 4), fields[d]["cluster"]) for d, score in hits]
    index.close()
    return found


@pytest.mark.parametrize("query", QUERIES)
def test_matches_scores_and_order_are_whoosh_s(archive: Archive, query: str) -> None:
    expected = whoosh_reference(archive, query)
    got = archive.search(query, limit=100, collapse=False, snippets=False)
    assert expected and [(h.id, h.score) for h in got.hits] == [(i, s) for i, s, _ in expected]
    assert got.total == len(expected)
    stories = archive.search(query, limit=100, snippets=False)
    assert stories.total == len({cluster for _, _, cluster in expected})
    firsts = list({cluster: i for i, _, cluster in reversed(expected)}.values())[::-1]
    assert [h.id for h in stories.hits] == firsts


def test_filtered_sorted_and_faceted_as_whoosh(archive: Archive) -> None:
    since = date(2016, 1, 1)
    expected = whoosh_reference(archive, "चुनाव OR मतदाता", since=since, sort="newest")
    got = archive.search(
        "चुनाव OR मतदाता", since=since, sort="newest", facets=("year",), limit=100, collapse=False, snippets=False
    )
    assert [h.id for h in got.hits] == [i for i, _, _ in expected] and got.total == len(expected)
    years = Counter(str(ARTICLES[i - 1]["date"])[:4] for i, _, _ in expected)
    assert {f.value: f.count for f in got.facets["year"]} == dict(years)


def test_paging_walks_the_same_order(archive: Archive) -> None:
    whole = [h.id for h in archive.search("खबर", limit=30, snippets=False).hits]
    pages = [h.id for p in (1, 2, 3) for h in archive.search("खबर", limit=10, page=p, snippets=False).hits]
    assert pages == whole and len(whole) == 28


def test_phrases_without_a_positions_file_read_their_positions_from_the_blocks(tmp_path: Path) -> None:
    """Plain-array postings whose positions file is missing (or damaged, which reads as missing): a phrase
    reads those words' positions from Whoosh's blocks."""
    with Archive(settings=with_array_terms(resolve_settings(tmp_path / "home"), documents=1)) as created:
        created.ingest([write_jsonl(tmp_path / "a.jsonl", ARTICLES)])
        removed = list(created.settings.index_dir.glob(f"*.{array_positions.EXTENSION}"))
        assert removed and list(created.settings.index_dir.glob(f"*.{array_postings.EXTENSION}"))
        for path in removed:
            path.unlink()
        for query in [q for q in QUERIES if '"' in q]:
            expected = whoosh_reference(created, query)
            got = created.search(query, limit=100, collapse=False, snippets=False)
            assert expected and [(h.id, h.score) for h in got.hits] == [(i, s) for i, s, _ in expected], query


def test_a_word_the_index_lacks_finds_nothing(archive: Archive) -> None:
    assert archive.search("अंतरिक्ष").total == 0 and archive.search("चुनाव अंतरिक्ष").hits == []


def test_an_index_without_documents_finds_nothing(tmp_path: Path) -> None:
    with Archive(tmp_path / "home") as empty:
        empty.upgrade()  # a database, and then an index with no segment yet
        found = empty.search("चुनाव", facets=("year",), sort="newest")
        assert found.total == 0 and found.hits == [] and found.facets == {"year": []}


def test_column_values_are_kept_beside_segments_and_read_back_alike(archive: Archive, tmp_path: Path) -> None:
    options: dict[str, Any] = {"facets": ("year", "source"), "since": date(2016, 1, 1), "sort": "newest"}
    first = archive.search("चुनाव OR मतदाता", **options)
    kept = list(archive.settings.index_dir.glob("*.values"))
    assert kept  # written with the segments
    with Archive(archive.settings.home) as another:  # a new process would read the kept files
        assert another.search("चुनाव OR मतदाता", **options) == first
    for path in kept:  # damaged files are read again from Whoosh (a search writes nothing) ...
        path.write_bytes(b"not a pickle")
    with Archive(archive.settings.home) as another:
        assert another.search("चुनाव OR मतदाता", **options) == first
    assert all(path.read_bytes() == b"not a pickle" for path in kept)
    index = SearchIndex(archive.settings.index_dir)  # ... and written anew by the next writer's commit
    FastSegmentWriter(index.open(), values=VALUE_FIELDS).commit(merge=False)
    index.close()
    assert all(path.read_bytes() != b"not a pickle" for path in kept)
    with Archive(archive.settings.home) as another:
        assert another.search("चुनाव OR मतदाता", **options) == first


def test_articles_without_a_value_make_no_empty_facet(tmp_path: Path) -> None:
    articles = [
        {"title": "बाढ़ की खबर", "body": "राज्य में बाढ़ आई।", "source": "अमर उजाला", "date": "2017-07-01"},
        {"title": "बाढ़ का कहर", "body": "बाढ़ से लोग बेघर हुए।"},  # no outlet, no date
    ]
    with Archive(tmp_path / "home") as archive:
        archive.ingest([write_jsonl(tmp_path / "a.jsonl", articles)])
        found = archive.search("बाढ़", facets=("source", "year", "category"))
    assert found.total == 2
    assert [(f.value, f.count) for f in found.facets["source"]] == [("अमर उजाला", 1)]
    # (the undated one is counted under its own row, not under an empty year)
    assert [(f.value, f.count) for f in found.facets["year"]] == [("2017", 1), ("undated", 1)]
    assert found.facets["category"] == []


#: The query shapes people type most, and filters; each is evaluated a term at a time, never by Whoosh's
#: matchers (a change in how the archive builds Whoosh's query tree would otherwise fall back to the slow
#: path silently: same answers, ten times slower). Prefixes and fuzzy words are Whoosh's by design.
FAST_SHAPES = [q for q in QUERIES if not q.endswith("*")] + ["chunav", "संसदों", "चुनाव OR मतदाता OR संसद"]


def test_common_query_shapes_take_the_fast_path(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with Archive(settings=resolve_settings(tmp_path / "home")) as archive:
        archive.ingest([write_jsonl(tmp_path / "a.jsonl", ARTICLES)])
        with caplog.at_level(logging.DEBUG, logger="archive.index.query.evaluator"):
            totals = [archive.search(query).total for query in FAST_SHAPES]
            totals += [archive.search("चुनाव", since=date(2016, 1, 1), sources=("दैनिक जागरण",)).total]
            assert not caplog.records  # (and the log does see a slow path: a prefix takes it)
            archive.search("खबर*")
        assert [record.getMessage() for record in caplog.records] != []
    assert all(totals), dict(zip(FAST_SHAPES, totals, strict=False))
