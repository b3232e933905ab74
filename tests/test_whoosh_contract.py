"""What the archive relies on in Whoosh's internals, checked against the installed whoosh-reloaded.

Every private name of Whoosh that the archive uses lives in ``archive/index/codec/whoosh3.py``. These
tests run first (see ``conftest.py``): when a new whoosh-reloaded renames or drops one of them, this file
says which, before any search fails on it. The last test holds the rest of the package to the rule.
"""

from __future__ import annotations

import ast
import os
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import whoosh
from whoosh import index as whoosh_index
from whoosh.codec import whoosh3 as stock_w3
from whoosh.scoring import BM25F

from archive.index.codec import whoosh3
from archive.index.codec.segment_writer import FastSegmentWriter
from archive.index.schema import build_schema
from tests.conftest import index_documents

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "archive"
CODEC = PACKAGE / "index" / "codec" / "whoosh3.py"


def test_the_installed_whoosh_has_everything_the_codec_relies_on() -> None:
    missing = whoosh3.missing_names()
    assert missing == [], (
        f"whoosh-reloaded {whoosh.versionstring()} lacks what archive/index/codec/whoosh3.py relies on: "
        f"{', '.join(missing)}. Adapt whoosh3.py to it, or pin whoosh-reloaded{whoosh3.SUPPORTED}."
    )
    whoosh3.check_installed()


def test_a_missing_name_or_another_version_fails_with_a_message_naming_both(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(stock_w3.W3LeafMatcher, "_next_block")
    with pytest.raises(whoosh3.WhooshMismatch) as missing:
        whoosh3.check_installed()
    assert "W3LeafMatcher._next_block" in str(missing.value)
    assert f"whoosh-reloaded {'.'.join(map(str, whoosh.__version__))}" in str(missing.value)
    monkeypatch.undo()
    monkeypatch.setattr(whoosh, "__version__", (2, 8, 0))
    with pytest.raises(whoosh3.WhooshMismatch) as newer:
        whoosh3.check_installed()
    assert "version 2.8.0 is outside >=2.7.5,<2.8" in str(newer.value)
    assert "pip install 'whoosh-reloaded>=2.7.5,<2.8'" in str(newer.value)


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A real index in two segments (written by the archive's writer), with a deletion."""
    path = tmp_path_factory.mktemp("contract") / "ix"
    path.mkdir()
    ix = whoosh_index.create_in(str(path), build_schema())
    docs = index_documents(400)
    for batch in (docs[:200], docs[200:]):
        writer = FastSegmentWriter(ix)
        for doc in batch:
            writer.add_document(**doc)
        writer.commit(merge=False)
    writer = ix.writer()
    writer.delete_by_term("id", "7")
    writer.commit(merge=False)
    ix = whoosh_index.open_dir(str(path))
    yield ix
    ix.close()


def _leaves(ix: Any) -> list[Any]:
    with ix.reader() as reader:
        leaves = [leaf for leaf, _ in reader.leaf_readers()]
    assert len(leaves) == 2
    return leaves


def test_segment_files_are_where_the_location_says(index: Any) -> None:
    with index.reader() as reader:
        for leaf, _ in reader.leaf_readers():
            location = whoosh3.segment_location(leaf)
            assert location is not None and Path(location.folder) == Path(index.storage.folder)
            assert os.path.exists(location.path("trm")) and os.path.exists(location.path("pst"))


def test_lengths_and_numeric_columns_read_whole_are_whooshs_own(index: Any) -> None:
    with index.reader() as reader:
        for leaf, _ in reader.leaf_readers():
            count = leaf.doc_count_all()
            perdoc = whoosh3.per_document_reader(leaf)
            assert perdoc is not None
            for field in ("title", "body", "source"):
                codes = whoosh3.length_codes(perdoc, field, count)
                decoded = [leaf.doc_field_length(d, field) or 0 for d in range(count)]
                assert whoosh3.BYTE_LENGTHS[codes].tolist() == decoded and max(decoded) > 0
            # a 64-bit number is stored unsigned: read as int64 keys in the same order, 2**63 below
            column = leaf.column_reader("number", translate=False)
            keys = whoosh3.numeric_values(column, count, 0, offset=2**63)
            assert keys.tolist() == [value - 2**63 for value in column]


def test_blocks_hold_the_postings_the_public_matcher_walks(index: Any) -> None:
    checked = 0
    with index.reader() as reader:
        for leaf, _ in reader.leaf_readers():
            for field, text in leaf.all_terms():
                if field != "body":
                    continue
                public = leaf.postings(field, text)
                public = getattr(public, "child", public)
                expected = []
                while public.is_active():
                    expected.append((public.id(), public.weight(), public.value()))
                    public.next()
                found = whoosh3.blocks(whoosh3.leaf_matcher(leaf, field, text), values=True)
                if found is None:  # inlined in the term table
                    assert len(expected) <= 8
                    continue
                got = []
                for block in found:
                    ids, weights, values = block.postings()
                    assert block.last_id == ids[-1]
                    each = [weights] * len(ids) if not isinstance(weights, tuple | list) else list(weights)
                    got.extend(zip(ids, [1.0 if w is None else w for w in each], values, strict=True))
                assert got == expected
                checked += 1
    assert checked > 20


def test_document_counts_from_the_term_table_are_whooshs(index: Any) -> None:
    with index.reader() as reader:
        for leaf, _ in reader.leaf_readers():
            counts = whoosh3.term_document_counts(leaf, "body")
            assert counts is not None
            assert dict(counts) == {t: leaf.doc_frequency("body", t) for f, t in leaf.all_terms() if f == "body"}


def test_the_bm25_parameter_per_field(index: Any) -> None:
    assert whoosh3.field_b(BM25F(B=0.6), "title") == 0.6
    assert whoosh3.field_b(BM25F(B=0.6, title_B=0.3), "title") == 0.3


def test_arrays_of_lengths_by_byte_are_whooshs() -> None:
    from whoosh.util.numeric import byte_to_length, length_to_byte

    assert whoosh3.BYTE_LENGTHS.tolist() == [byte_to_length(b) for b in range(256)]
    assert all(whoosh3.BYTE_LENGTHS[length_to_byte(n)] == byte_to_length(length_to_byte(n)) for n in range(1, 5000))
    assert np.all(np.diff(whoosh3.BYTE_LENGTHS) >= 0)


# --- the rule: Whoosh's private names in whoosh3.py only ------------------------------------------------


def _whoosh_private_names() -> set[str]:
    """Every private name Whoosh's source defines: functions, classes, module and class attributes, and the
    attributes its methods set on ``self``."""
    names: set[str] = set()
    for path in Path(whoosh.__file__).parent.rglob("*.py"):
        with warnings.catch_warnings():  # (Whoosh's bundled pyparsing has invalid escapes)
            warnings.simplefilter("ignore")
            tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                names.add(node.attr)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
    return {n for n in names if n.startswith("_") and not n.startswith("__")}


def _violations(path: Path, private: set[str]) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("whoosh"):
            found += [f"{where} imports {node.module}.{a.name}" for a in node.names if a.name.startswith("_")]
        elif isinstance(node, ast.Attribute) and node.attr in private:
            receiver = node.value
            if not (isinstance(receiver, ast.Name) and receiver.id in {"self", "cls"}):
                found.append(f"{where} reads {ast.unparse(node)}")
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) in {"getattr", "hasattr", "setattr"}:
            names = [a.value for a in node.args[1:2] if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            found += [f"{where} reads {ast.unparse(node)}" for n in names if n in private]
        elif isinstance(node, ast.ClassDef):
            bases = [ast.unparse(b) for b in node.bases]
            whoosh_bases = [b for b in bases if b in _WHOOSH_BASES]
            found += [f"{where} subclasses Whoosh's {b} (only whoosh3.py may)" for b in whoosh_bases]
    return found


#: Whoosh classes that the codec subclasses; the analysis package extends Whoosh only through its public
#: extension points (Filter, RegexTokenizer, TEXT).
_WHOOSH_BASES = {
    "SegmentWriter",
    "W3Codec",
    "W3FieldWriter",
    "W3PostingsWriter",
    "W3LeafMatcher",
    "_writing.SegmentWriter",
    "_w3.W3Codec",
    "_w3.W3FieldWriter",
    "_w3.W3PostingsWriter",
}


def test_no_module_but_the_codec_names_a_private_whoosh_name() -> None:
    private = _whoosh_private_names()
    assert {"_segment", "_perdoc", "_tindex", "_field_B", "_data", "_lenfield"} <= private
    violations = [v for path in sorted(PACKAGE.rglob("*.py")) if path != CODEC for v in _violations(path, private)]
    assert violations == [], "Whoosh's private names outside archive/index/codec/whoosh3.py:\n" + "\n".join(violations)
    # and the rule can see a violation: the codec itself is full of them
    assert len(_violations(CODEC, private)) > 10


def test_the_range_installed_is_the_range_checked() -> None:
    """One place holds the supported range (archive/requirements.txt): pip installed by it, whoosh3 checks it."""
    from importlib.metadata import requires

    [installed] = [r for r in requires("archive") or () if r.startswith("whoosh-reloaded")]
    assert set(installed.removeprefix("whoosh-reloaded").split(",")) == set(whoosh3.SUPPORTED.split(","))
    assert "whoosh-reloaded" not in (ROOT / "pyproject.toml").read_text(encoding="utf-8")  # (not written twice)
