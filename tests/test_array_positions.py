"""Common terms' positions kept as plain arrays must be exactly the positions Whoosh reads from its blocks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from archive.config import ArrayTerms, WriterSettings
from archive.index.codec import array_positions, array_postings, term_arrays
from archive.index.codec.array_positions import ArrayPositionsReader, positions_of
from archive.index.codec.array_postings import ArrayPostingsReader
from archive.index.codec.segment_writer import FastSegmentWriter
from tests.conftest import build_index, index_documents

#: Plain arrays for every term in 3 documents or more.
FROM_3 = WriterSettings(arrays=ArrayTerms(documents=3))


def test_every_array_term_holds_whoosh_s_positions(tmp_path: Path) -> None:
    ix = build_index(
        tmp_path / "ix", lambda ix: FastSegmentWriter(ix, settings=FROM_3), index_documents(120)
    )  # merged too
    checked = 0
    with ix.reader() as reader:
        for sub, _ in reader.leaf_readers():
            held = ArrayPositionsReader.of(sub)
            for fieldname, btext in sub.all_terms():
                field = ix.schema[fieldname]
                found = held.positions(fieldname, btext)
                if not field.format.supports("positions"):
                    assert found is None
                    continue
                matcher = sub.postings(fieldname, btext)
                matcher = getattr(matcher, "child", matcher)
                expected: list[list[int]] = []
                while matcher.is_active():
                    expected.append(list(field.format.decode_positions(matcher.value())))
                    matcher.next()
                if len(expected) < 3:
                    assert found is None
                    continue
                assert found is not None
                counts, positions = found
                assert counts.tolist() == [len(p) for p in expected]
                assert positions.tolist() == [p for posting in expected for p in posting]
                checked += 1
            held.close()
    ix.close()
    assert checked > 100


def _postings_lookup(sub: Any, btext: bytes) -> Any:
    return ArrayPostingsReader.of(sub).postings("body", btext)


def _positions_lookup(sub: Any, btext: bytes) -> Any:
    return ArrayPositionsReader.of(sub).positions("body", btext)


@pytest.mark.parametrize(
    ("extension", "lookup", "damages"),
    [
        (array_postings.EXTENSION, _postings_lookup, ("table past the end", "another version")),
        (array_positions.EXTENSION, _positions_lookup, ("table past the end", "another version", "data past the keys")),
    ],
)
def test_a_damaged_file_is_passed_over(tmp_path: Path, extension: str, lookup: Any, damages: tuple[str, ...]) -> None:
    ix = build_index(tmp_path / "ix", lambda ix: FastSegmentWriter(ix, settings=FROM_3), index_documents(60))
    ix.close()
    (path,) = (tmp_path / "ix").glob(f"*.{extension}")
    data = path.read_bytes()
    trailer = term_arrays._TRAILER
    keys_at, table_at, terms, version = trailer.unpack(data[-trailer.size :])
    trailers = {
        "table past the end": trailer.pack(0, len(data) * 2, terms, version),
        "another version": trailer.pack(keys_at, table_at, terms, version + 1),
        "data past the keys": trailer.pack(1, 1, terms, version),
    }
    with ix.reader() as reader:
        for sub, _ in reader.leaf_readers():
            btext = next(t for f, t in sub.all_terms() if f == "body")
            assert lookup(sub, btext) is not None  # the undamaged file holds the term
        for damage in damages:
            path.write_bytes(data[: -trailer.size] + trailers[damage])
            for sub, _ in reader.leaf_readers():
                assert lookup(sub, next(t for f, t in sub.all_terms() if f == "body")) is None, damage


@given(st.lists(st.lists(st.integers(0, 70_000), max_size=5), min_size=1), st.data())
def test_positions_of_chosen_postings(postings: list[list[int]], data: st.DataObject) -> None:
    chosen = sorted(data.draw(st.sets(st.integers(0, len(postings) - 1))))
    counts = np.array([len(p) for p in postings], dtype=np.int64)
    flat = np.array([p for posting in postings for p in posting], dtype=np.uint32)
    owner, found = positions_of(counts, flat, np.array(chosen, dtype=np.int64))
    expected = [(i, p) for i, posting in enumerate(chosen) for p in postings[posting]]
    assert list(zip(owner.tolist(), found.tolist(), strict=True)) == expected
