"""The fast segment writer must write exactly what Whoosh's own writer writes, read by a stock Whoosh."""

from __future__ import annotations

from pathlib import Path

import pytest
from whoosh import index as whoosh_index
from whoosh.qparser import QueryParser

from archive.config import WriterSettings
from archive.index.codec.segment_writer import FastSegmentWriter
from archive.index.schema import build_schema
from tests.conftest import all_postings, build_index, index_documents


@pytest.mark.parametrize(
    ("limitmb", "merge_batch"),
    # 0.05 MB: the pools spill to sorted runs and merge them (40 at a time)
    [(128, None), pytest.param(0.05, None, marks=pytest.mark.slow), pytest.param(0.05, 40, marks=pytest.mark.slow)],
)
def test_fast_writer_writes_the_same_postings_as_whooshs_writer(
    tmp_path: Path, limitmb: float, merge_batch: int | None
) -> None:
    settings = WriterSettings(memory_mb=limitmb, merge_batch=merge_batch or WriterSettings().merge_batch)
    docs = index_documents(120)
    stock = build_index(tmp_path / "stock", lambda ix: ix.writer(), docs)
    fast = build_index(tmp_path / "fast", lambda ix: FastSegmentWriter(ix, settings=settings), docs)

    expected, written = all_postings(stock), all_postings(fast)
    assert len(expected) > 500
    assert written == expected
    with stock.searcher() as old, fast.searcher() as new:
        assert new.doc_count() == old.doc_count() == 119
        for text in ["लावरोव", "~लावरोव", "शब्द3", "अद्वितीय17", "नया"]:
            query = QueryParser("body", stock.schema).parse(text)
            assert [h["id"] for h in new.search(query, limit=None)] == [h["id"] for h in old.search(query, limit=None)]
        reader = new.reader()
        for (fieldname, btext), rows in expected.items():
            assert reader.doc_frequency(fieldname, btext) == len({r[0] for r in rows}) or fieldname == "id"


def test_rare_terms_are_stored_inline_and_common_ones_in_blocks(tmp_path: Path) -> None:
    fast = build_index(tmp_path / "fast", lambda ix: FastSegmentWriter(ix), index_documents(120))
    with fast.reader() as reader:
        assert reader.term_info("body", "अद्वितीय17")._inlined is not None
        common = max(reader.iter_field("body"), key=lambda item: item[1].doc_frequency())
        assert common[1].doc_frequency() > 8 and reader.term_info("body", common[0])._inlined is None


def test_segments_are_separate_files_that_readers_do_not_copy(tmp_path: Path) -> None:
    fast = build_index(tmp_path / "fast", lambda ix: FastSegmentWriter(ix), index_documents(30))
    names = {p.suffix for p in (tmp_path / "fast").iterdir()}
    assert {".trm", ".pst", ".col"} <= names and ".seg" not in names
    with fast.searcher() as searcher:
        assert searcher.document(id="3") is not None


def test_document_counts_read_from_the_term_tables_are_whooshs(tmp_path: Path) -> None:
    from archive.index.search_index import VOCABULARY_FIELDS, _document_counts

    path = tmp_path / "ix"
    path.mkdir()
    ix = whoosh_index.create_in(str(path), build_schema())
    docs = index_documents(60)
    for batch in (docs[:30], docs[30:]):  # two segments
        writer = FastSegmentWriter(ix)
        for doc in batch:
            writer.add_document(**doc)
        writer.commit()
    with ix.reader() as reader:
        assert len(reader.leaf_readers()) == 2
        for field in VOCABULARY_FIELDS:
            expected = {term: info.doc_frequency() for term, info in reader.iter_field(field)}
            found: dict[bytes, int] = {}
            for leaf, _ in reader.leaf_readers():
                for term, documents in _document_counts(leaf, field):
                    found[term] = found.get(term, 0) + documents
            assert found == expected and len(found) > 100
    ix.close()


def test_a_field_of_stopwords_only_is_indexed(tmp_path: Path) -> None:
    """A title made only of common words ("पहले से") left the vocabulary's count of the writer's forms with no
    word in that field, and the commit failed (found collecting a page so titled)."""
    from tests.conftest import Cli, write_jsonl

    cli = Cli(tmp_path / "home")
    record = {"title": "पहले से", "body": "दिल्ली में आज तेज बारिश हुई और लोगों को गर्मी से राहत मिली।"}
    result = cli("ingest", str(write_jsonl(tmp_path / "a.jsonl", [record])))
    assert result.exit_code == 0, result.output
    assert "1 article" in cli("search", "बारिश").output
