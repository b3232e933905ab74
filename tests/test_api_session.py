"""One Archive object searched many times keeps its database and index open: it must still see every
change made meanwhile, by itself or by anyone else (queued work, other writers, a reindex, deletions)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from archive import Archive
from archive.config import resolve_settings
from archive.readers.records import ArticleRecord
from archive.search.request import SearchRequest
from archive.search.session import SearchSession
from archive.search.trend import trend_in
from archive.store.database import Store
from tests.conftest import write_jsonl


def rain(n: int) -> dict[str, str]:
    return {
        "title": f"बारिश की खबर {n}",
        "body": f"आज फिर बारिश हुई, खबर संख्या {n}।",
        "url": f"https://example.org/r{n}",
        "source": f"समाचार {n}",
    }


def outlets(archive: Archive) -> set[str]:
    return {f.value for f in archive.search("बारिश", facets=("source",)).facets["source"]}


def test_a_reused_archive_sees_every_change_made_between_searches(tmp_path: Path, articles_file: Path) -> None:
    home = tmp_path / "home"
    with Archive(home) as archive:
        archive.ingest([articles_file])
        assert archive.search("बारिश").total == 2 and outlets(archive) == {"दैनिक जागरण", "अमर उजाला"}

        # another writer (as another process would be) adds an article
        Archive(home).ingest([write_jsonl(tmp_path / "more.jsonl", [rain(1)])])
        assert archive.search("बारिश").total == 3 and "समाचार 1" in outlets(archive)

        # stored and queued but never indexed (an ingest killed between the two): the next search indexes it
        store = Store.open(archive.settings, create=False)
        try:
            store.upsert(
                [ArticleRecord(title="अधूरा काम", body="बारिश के बाद चक्रवात", origin_file="x", origin_record="1")],
                datetime.now(),
            )
        finally:
            store.close()
        found = archive.search("चक्रवात")
        assert found.total == 1 and archive.search("बारिश").total == 4

        # a reindex swaps the index directory under the open searcher
        Archive(home).reindex()
        Archive(home).ingest([write_jsonl(tmp_path / "after.jsonl", [rain(2)])])
        assert archive.search("बारिश").total == 5 and "समाचार 2" in outlets(archive)

        Archive(home).delete([found.hits[0].id])
        assert archive.search("चक्रवात").total == 0 and archive.search("बारिश").total == 4
        assert [h.id for h in archive.similar(1).hits] == [h.id for h in Archive(home).similar(1).hits]

    # closed: a later call opens everything again
    assert archive.search("बारिश").total == 4
    archive.close()


def test_an_index_removed_under_an_open_archive_is_rebuilt_by_the_next_search(
    tmp_path: Path, articles_file: Path
) -> None:
    """A session skips asking whether the index exists while its searcher is on the latest commit; an
    index directory deleted from under it must still be noticed and rebuilt from the database."""
    import os
    import shutil

    home = tmp_path / "home"
    with Archive(home) as archive:
        archive.ingest([articles_file])
        assert archive.search("बारिश").total == 2
        shutil.rmtree(os.path.realpath(archive.settings.index_dir))
        assert archive.search("बारिश").total == 2


def test_one_operation_reads_one_state_of_the_index_while_another_writer_commits(tmp_path: Path) -> None:
    """Inside ``reading()`` a second acquire (a search reading its synonyms after its searcher, a trend's
    second query) gets the searcher the first one opened, still readable, though another writer committed
    meanwhile; the next operation sees the commit."""
    home = tmp_path / "home"
    Archive(home).ingest([write_jsonl(tmp_path / "a.jsonl", [rain(n) for n in range(3)])])
    session = SearchSession(resolve_settings(home))
    try:
        with session.reading():
            _, _, first = session.acquire()
            Archive(home).ingest([write_jsonl(tmp_path / "b.jsonl", [rain(n) for n in range(3, 5)])])
            session.forget_synonyms()  # (read again now, as a search a second later would: it acquires)
            session.synonyms()
            _, _, again = session.acquire()
            assert again is first and first.doc_count() == 3
            assert trend_in(session, ["बारिश", "खबर"], SearchRequest("")).series[0].total == 3
        _, _, after = session.acquire()
        assert after is not first and after.doc_count() == 5
    finally:
        session.close()
