"""Merging segments: the tiered policy's choices, the tiny merges a commit makes, ``archive optimize``
(the policy's due merges, and ``--full``), and a merge killed midway."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archive import Archive
from archive.config import MergePolicy, Settings, resolve_settings
from archive.index.merging import SegmentSize, allowed_segments, next_merge
from archive.index.search_index import SearchIndex
from archive.index.sync import PARTS
from tests.conftest import write_jsonl

SMALL = MergePolicy(floor_documents=4, per_tier=3, at_once=3, max_merged_documents=10_000, commit_merge_documents=0)
WORDS = "सरकार संसद चुनाव मंत्री किसान बारिश अदालत फैसला बजट नीति शिक्षा अस्पताल पुलिस शहर गांव".split()


def with_merges(settings: Settings, policy: MergePolicy) -> Settings:
    return replace(settings, index=settings.index._replace(merges=policy))


def batch(path: Path, start: int, count: int) -> Path:
    rng = random.Random(start)
    return write_jsonl(
        path,
        [
            {
                "title": f"{rng.choice(WORDS)} खबर {n}",
                "body": " ".join(rng.choice(WORDS) for _ in range(40)) + f" क्रमांक{n}।",
                "url": f"https://example.org/{n}",
            }
            for n in range(start, start + count)
        ],
    )


def ids_of(archive: Archive, query: str) -> list[int]:
    return sorted(hit.id for hit in archive.search(query, limit=1000, collapse=False).hits)


@given(st.lists(st.integers(min_value=1, max_value=300), min_size=1, max_size=80))
def test_the_policy_keeps_the_count_bounded_with_even_merges(commits: list[int]) -> None:
    """Commit after commit of any sizes, with every due merge made: never more segments than allowed
    (plus the one just added), and no merge of more than ``at_once`` or with one segment dominating it
    when even ones were possible."""
    policy = MergePolicy(floor_documents=10, per_tier=4, at_once=4)
    segments: list[int] = []
    for size in commits:
        segments.append(size)
        while chosen := next_merge([SegmentSize(n, n) for n in segments], policy):
            assert 2 <= len(chosen) <= policy.at_once and len(set(chosen)) == len(chosen)
            merged = sum(segments[i] for i in chosen)
            segments = [n for i, n in enumerate(segments) if i not in chosen] + [merged]
        assert len(segments) <= allowed_segments(sum(segments), policy)
    assert sum(segments) == sum(commits)


def test_a_merge_reads_no_more_than_its_limit_and_reclaims_deletions() -> None:
    policy = MergePolicy(floor_documents=10, per_tier=1, at_once=3)
    sizes = [SegmentSize(1000, 1000)] + [SegmentSize(n, n) for n in (10, 12, 11, 10, 12, 11, 10, 12, 11, 10)]
    chosen = next_merge(sizes, policy)
    assert len(chosen) == 3 and 0 not in chosen  # even merges of the small ones, never the large one
    assert sum(sizes[i].stored for i in next_merge(sizes, policy, limit=20)) <= 20
    assert next_merge(sizes, policy, limit=15) == []
    # of two even merges, the one that drops deleted documents
    sizes = [SegmentSize(10, 10), SegmentSize(10, 10), SegmentSize(10, 40), SegmentSize(10, 40)]
    assert sorted(next_merge(sizes, MergePolicy(floor_documents=10, per_tier=1, at_once=2))) == [2, 3]


def test_commits_merge_tiny_segments_and_leave_larger_ones_to_optimize(settings: Settings, tmp_path: Path) -> None:
    archive = Archive(settings=with_merges(settings, SMALL._replace(commit_merge_documents=6)))
    for n in range(8):  # eight ingests of two articles: merges of at most six at commit
        archive.ingest([batch(tmp_path / f"b{n}.jsonl", 2 * n, 2)])
    index = SearchIndex(settings.index_dir)
    sizes = index.segment_sizes()
    index.close()
    assert sum(live for live, _ in sizes) == 16 and len(sizes) < 8
    assert all(stored <= 6 for _, stored in sizes)  # (no commit made a merge larger than its limit)
    assert ids_of(archive, "खबर") == list(range(1, 17))
    archive.close()


@pytest.mark.slow
def test_optimize_runs_the_due_merges_and_full_makes_one_segment(settings: Settings, tmp_path: Path) -> None:
    tuned = with_merges(settings, SMALL)
    archive = Archive(settings=tuned)
    for n in range(12):
        archive.ingest([batch(tmp_path / f"b{n}.jsonl", 5 * n, 5)])
    archive.delete([3, 17])
    found = {word: ids_of(archive, word) for word in WORDS[:5]}
    index = SearchIndex(settings.index_dir, tuned.index)
    assert len(index.segment_sizes()) == 12  # (nothing merged at commit: the limit is 0)
    index.close()

    assert (archive.stats().segments, archive.stats().merges_due) == (12, True)
    merged = archive.optimize()
    assert merged.segments_before == 12 and merged.merges
    assert not archive.stats().merges_due
    assert merged.segments_after <= allowed_segments(58, SMALL) < 12
    assert {word: ids_of(archive, word) for word in WORDS[:5]} == found
    report = archive.check()
    assert report.healthy, report

    full = archive.optimize(full=True)
    assert full.segments_after == 1 and full.merges == (58,)
    assert {word: ids_of(archive, word) for word in WORDS[:5]} == found
    assert archive.optimize(full=True).merges == ()  # one segment, no deletions: nothing to do
    assert archive.check().healthy
    archive.close()


KILLED_MERGE = """
import os, sys
from dataclasses import replace
from pathlib import Path
from archive import Archive
from archive.config import MergePolicy, resolve_settings
from archive.index.codec.segment_writer import FastSegmentWriter

def killed(self, segments):
    os._exit(9)  # the merged segment written, its table of contents not: as a kill -9 there would

FastSegmentWriter.before_commit = killed
policy = MergePolicy(**{policy})
settings = resolve_settings(Path(sys.argv[1]))
Archive(settings=replace(settings, index=settings.index._replace(merges=policy))).optimize()
"""


@pytest.mark.slow
def test_a_merge_killed_midway_leaves_the_index_as_it_was(settings: Settings, tmp_path: Path) -> None:
    tuned = with_merges(settings, SMALL)
    archive = Archive(settings=tuned)
    for n in range(9):
        archive.ingest([batch(tmp_path / f"b{n}.jsonl", 4 * n, 4)])
    found = {word: ids_of(archive, word) for word in WORDS[:4]}
    index = SearchIndex(settings.index_dir, tuned.index)
    before = index.segment_sizes()
    index.close()
    archive.close()

    code = KILLED_MERGE.replace("{policy}", json.dumps(SMALL._asdict()))
    killed = subprocess.run([sys.executable, "-c", code, str(settings.home)], capture_output=True)
    assert killed.returncode == 9, killed.stderr.decode()[-2000:]

    archive = Archive(settings=tuned)
    index = SearchIndex(settings.index_dir, tuned.index)
    assert index.segment_sizes() == before  # the generation before the merge, in force
    index.close()
    assert {word: ids_of(archive, word) for word in WORDS[:4]} == found
    assert archive.check().healthy
    merged = archive.optimize()  # and the merge runs again, cleaning up what the killed one left
    assert merged.merges and {word: ids_of(archive, word) for word in WORDS[:4]} == found
    segments = {name.split(".")[0].split("_")[1] for name in _segment_files(settings)}
    index = SearchIndex(settings.index_dir, tuned.index)
    assert len(segments) == len(index.segment_sizes())  # no files of the killed merge's segment are left
    index.close()
    archive.close()


def _segment_files(settings: Settings) -> list[str]:
    return [p.name for p in settings.index_dir.resolve().iterdir() if p.name.startswith("MAIN_") and "." in p.name]


def test_a_merge_writes_its_articles_afresh_as_the_database_has_them_now(tmp_path: Path) -> None:
    """``archive optimize`` merges by writing the merged segments' articles afresh from the database. On a
    node whose index is behind the database it shares (another node updated and deleted articles since),
    it writes them as they are now; the changes the feed still holds for it then apply to the same effect,
    and the index equals the database, one segment fewer than the merge took, read by stock Whoosh too."""
    db = f"sqlite:///{(tmp_path / 'shared.db').as_posix()}"
    behind = Archive(settings=with_merges(resolve_settings(tmp_path / "behind", db), SMALL))
    for n in range(12):
        behind.ingest([batch(tmp_path / f"b{n}.jsonl", 5 * n, 5)])
    ahead = Archive(settings=resolve_settings(tmp_path / "ahead", db))
    changed = batch(tmp_path / "changed.jsonl", 0, 60)
    changed.write_text(changed.read_text(encoding="utf-8").replace("खबर", "समाचार"), encoding="utf-8")
    assert ahead.ingest([changed]).changed == 60
    ahead.delete([40])
    truth = {word: ids_of(ahead, word) for word in ["खबर", "समाचार", *WORDS[:4]]}

    index = SearchIndex(behind.settings.index_dir, behind.settings.index)
    before = len(index.segment_sizes())
    index.close()
    merged = behind.optimize()
    assert merged.merges and merged.segments_after < before
    index = SearchIndex(behind.settings.index_dir, behind.settings.index)
    assert index.applied_position() < behind.check().head  # (its feed not yet applied: the merge did not)
    index.close()
    with Archive(settings=behind.settings, catch_up=False) as as_merged:  # (the index read as the merge left it)
        # the merged segments' articles as the database has them now (a merge through Whoosh kept the old),
        # the deleted one gone if its segment was merged
        assert 0 < as_merged.search("समाचार").total < as_merged.search("खबर OR समाचार").total in (59, 60)
    assert {word: ids_of(behind, word) for word in truth} == truth  # (the search catches the index up)
    report = behind.check()
    assert report.healthy and report.indexed == report.articles == 59 and report.pending == 0, report

    from whoosh import index as whoosh_index

    with whoosh_index.open_dir(str(behind.settings.index_dir)).searcher() as searcher:
        assert searcher.doc_count() == 59
    behind.close()
    ahead.close()


def test_a_rebuild_writes_segments_no_larger_than_an_ingests_largest_commit(settings: Settings, tmp_path: Path) -> None:
    """``optimize --full`` (and ``reindex``, and a new node's first fill) write the index in segments of at most
    ``commit_growth_cap`` articles, each in an index of its own adopted by one commit: the same archive as
    one segment gives, and nothing of the parts left."""
    small = replace(settings, index=settings.index._replace(commit_growth_cap=25))
    archive = Archive(settings=small)
    archive.ingest([batch(tmp_path / "all.jsonl", 0, 60)])
    found = {word: ids_of(archive, word) for word in WORDS[:6]}
    assert archive.reindex() == 60
    index = SearchIndex(small.index_dir, small.index)
    assert index.segment_sizes() == [(25, 25), (25, 25), (10, 10)]
    index.close()
    assert {word: ids_of(archive, word) for word in WORDS[:6]} == found
    report = archive.check()
    assert report.healthy and report.indexed == 60, report
    assert not (small.index_dir.resolve() / PARTS).exists()

    from whoosh import index as whoosh_index

    with whoosh_index.open_dir(str(small.index_dir)).searcher() as searcher:
        assert searcher.doc_count() == 60
    archive.close()
