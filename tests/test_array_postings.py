"""Common terms' postings kept as plain arrays must be exactly the postings Whoosh reads from its blocks."""

from __future__ import annotations

from array import array
from pathlib import Path

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from archive.config import ArrayTerms, WriterSettings
from archive.index.codec.array_postings import ArrayPostingsReader, decode, encode
from archive.index.codec.segment_writer import FastSegmentWriter
from tests.conftest import build_index, index_documents


@given(
    st.lists(st.integers(0, 2**32 - 1), min_size=1, unique=True).map(sorted),
    st.sampled_from(["counts", "large counts", "fractions"]),
)
def test_arrays_round_trip(docnums: list[int], kind: str) -> None:
    weights = {
        "counts": [float(1 + n % 7) for n in docnums],
        "large counts": [float(300 + n % 70_000) for n in docnums],
        "fractions": [1.5 + n % 3 for n in docnums],
    }[kind]
    id_bytes, weight_bytes, cuts, weight_type = encode(array("I", docnums), array("f", weights))
    ids, found = decode(id_bytes, weight_bytes, cuts, weight_type, len(docnums))
    assert ids.tolist() == docnums
    assert found.tolist() == np.asarray(weights, dtype=np.float32).astype(np.float64).tolist()


def test_every_array_term_holds_whoosh_s_postings(tmp_path: Path) -> None:
    settings = WriterSettings(arrays=ArrayTerms(documents=3))
    ix = build_index(tmp_path / "ix", lambda ix: FastSegmentWriter(ix, settings=settings), index_documents(120))
    checked = 0
    with ix.reader() as reader:
        for sub, _ in reader.leaf_readers():
            held = ArrayPostingsReader.of(sub)
            for fieldname, btext in sub.all_terms():
                found = held.postings(fieldname, btext)
                matcher = sub.postings(fieldname, btext)
                matcher = getattr(matcher, "child", matcher)
                expected: list[tuple[int, float]] = []
                while matcher.is_active():
                    expected.append((matcher.id(), matcher.weight()))
                    matcher.next()
                if len(expected) < 3:
                    assert found is None
                    continue
                assert found is not None
                assert list(zip(found[0].tolist(), found[1].tolist(), strict=True)) == expected
                checked += 1
            held.close()
    ix.close()
    assert checked > 100


def test_a_smaller_segment_gives_arrays_to_terms_in_as_large_a_share_of_it(tmp_path: Path) -> None:
    # (the shares of the default scaled to a small test: 10% of a segment, at least 2 and at most 30 documents;
    # in a short field such as the title, 2%, at least 1)
    arrays = ArrayTerms(documents=30, floor=2, share=0.1, short_floor=1, short_share=0.02)
    settings = WriterSettings(arrays=arrays)
    for size in (60, 400):
        ix = build_index(
            tmp_path / f"ix{size}", lambda ix: FastSegmentWriter(ix, settings=settings), index_documents(size)
        )
        with ix.reader() as reader:
            (sub, _), *others = reader.leaf_readers()
            assert not others
            documents = sub.doc_count_all()  # (one article was deleted)
            assert arrays.minimum(documents) == (5 if size == 60 else 30)
            assert arrays.minimum(documents, 10) == (1 if size == 60 else 7)
            words = {"title": sub.field_length("title") / documents, "body": sub.field_length("body") / documents}
            assert words["title"] < arrays.short_field_words < words["body"]
            minimum = {field: arrays.minimum(documents, count) for field, count in words.items()}
            held = ArrayPostingsReader.of(sub)
            kept = {(f, t): held.postings(f, t) is not None for f, t in sub.all_terms() if f in minimum}
            frequencies = {(f, t): sub.doc_frequency(f, t) for f, t in kept}
            held.close()
        ix.close()
        assert kept == {(f, t): frequencies[f, t] >= minimum[f] for f, t in kept}
        assert any(kept.values()) and not all(kept.values())
        # title terms in fewer documents than a body term needs have arrays
        assert any(kept[f, t] and frequencies[f, t] < minimum["body"] for f, t in kept if f == "title")
