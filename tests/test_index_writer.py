"""The fast segment writer must write exactly what Whoosh's own writer writes, read by a stock Whoosh."""

from __future__ import annotations

import random
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from whoosh import index as whoosh_index
from whoosh.qparser import QueryParser

from archive.config import WriterSettings
from archive.index.codec.segment_writer import FastSegmentWriter
from archive.index.schema import build_schema

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def _documents(count: int) -> list[dict[str, Any]]:
    """Articles recombined from the seed's sentences: many rare terms, some common ones, repeats."""
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")))
    sentences = [s.strip() for s in text.replace("\n", "।").split("।") if s.strip()]
    rng = random.Random(7)
    docs = []
    for number in range(count):
        body = "। ".join(rng.choices(sentences, k=rng.randint(1, 12))) + f" शब्द{number % 5} अद्वितीय{number}"
        docs.append(
            {
                "id": str(number),
                "title": rng.choice(sentences)[:60],
                "body": body,
                "source": rng.choice(["जनसत्ता", "नवभारत टाइम्स", "Dainik Jagran"]),
                "source_key": rng.choice(["jansatta", "nbt"]),
                "category": rng.choice(["देश", "विदेश"]),
                "date": datetime(2015 + number % 5, 1 + number % 12, 1 + number % 28),
                "year": str(2015 + number % 5),
                "cluster": str(number // 3),
                "number": number,
                "content_hash": f"h{number}",
            }
        )
    return docs


def _build(path: Path, writer_factory: Any, docs: list[dict[str, Any]]) -> Any:
    path.mkdir()
    ix = whoosh_index.create_in(str(path), build_schema())
    half = len(docs) // 2
    for batch in (docs[:half], docs[half:]):  # two commits: the second merges the first segment
        writer = writer_factory(ix)
        for doc in batch:
            writer.update_document(**doc)
        writer.commit()
    writer = writer_factory(ix)  # replace and delete some, then merge everything
    writer.update_document(**{**docs[3], "body": "नया पाठ लावरोव"})
    writer.delete_by_term("id", "5")
    writer.commit(optimize=True)
    return whoosh_index.open_dir(str(path))  # a stock Whoosh opens it


def _postings(ix: Any) -> dict[tuple[str, bytes], list[tuple[str, float, bytes | None, int]]]:
    """Every posting by stored article id (document numbers may differ), with the field length."""
    found: dict[tuple[str, bytes], list[tuple[str, float, bytes | None, int]]] = {}
    with ix.reader() as reader:
        ids = {docnum: fields["id"] for docnum, fields in reader.iter_docs()}
        for fieldname, btext in reader.all_terms():
            matcher = reader.postings(fieldname, btext)
            rows = []
            while matcher.is_active():
                docnum = matcher.id()
                if docnum in ids:
                    length = reader.doc_field_length(docnum, fieldname)
                    # a field with no values (dates, ids) reads as None from a block and "" from inline postings
                    rows.append((ids[docnum], matcher.weight(), matcher.value() or None, length))
                matcher.next()
            found[(fieldname, btext)] = sorted(rows)
    return found


@pytest.mark.parametrize(
    ("limitmb", "merge_batch"),
    [(128, None), (0.05, None), (0.05, 40)],  # 0.05 MB: the pools spill to sorted runs and merge them (40 at a time)
)
def test_fast_writer_writes_the_same_postings_as_whooshs_writer(
    tmp_path: Path, limitmb: float, merge_batch: int | None
) -> None:
    settings = WriterSettings(memory_mb=limitmb, merge_batch=merge_batch or WriterSettings().merge_batch)
    docs = _documents(120)
    stock = _build(tmp_path / "stock", lambda ix: ix.writer(), docs)
    fast = _build(tmp_path / "fast", lambda ix: FastSegmentWriter(ix, settings=settings), docs)

    expected, written = _postings(stock), _postings(fast)
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
    fast = _build(tmp_path / "fast", lambda ix: FastSegmentWriter(ix), _documents(120))
    with fast.reader() as reader:
        assert reader.term_info("body", "अद्वितीय17")._inlined is not None
        common = max(reader.iter_field("body"), key=lambda item: item[1].doc_frequency())
        assert common[1].doc_frequency() > 8 and reader.term_info("body", common[0])._inlined is None


def test_segments_are_separate_files_that_readers_do_not_copy(tmp_path: Path) -> None:
    fast = _build(tmp_path / "fast", lambda ix: FastSegmentWriter(ix), _documents(30))
    names = {p.suffix for p in (tmp_path / "fast").iterdir()}
    assert {".trm", ".pst", ".col"} <= names and ".seg" not in names
    with fast.searcher() as searcher:
        assert searcher.document(id="3") is not None


def test_document_counts_read_from_the_term_tables_are_whooshs(tmp_path: Path) -> None:
    from archive.index.search_index import VOCABULARY_FIELDS, _document_counts

    path = tmp_path / "ix"
    path.mkdir()
    ix = whoosh_index.create_in(str(path), build_schema())
    docs = _documents(60)
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
