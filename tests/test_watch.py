"""Saved searches (`archive watch`): saving, what each ingest brings, marking seen, deletions, updates,
output formats and the Atom feed (read back with feedparser). The CLI on a real archive in a temp dir."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import feedparser
import pytest

from tests.conftest import Run, write_jsonl


def article(n: int, title: str, body: str, **fields: str) -> dict[str, Any]:
    return {"title": title, "body": body, "url": f"https://news.example/{n}", "date": f"2016-11-{n:02}", **fields}


FIRST = [
    article(1, "नोटबंदी पर संसद में बहस", "संसद में नोटबंदी पर लंबी बहस हुई।", source="जनसत्ता"),
    article(2, "दिल्ली में बारिश", "राजधानी में तेज बारिश हुई।", source="अमर उजाला"),
    article(3, "नोटबंदी से किसान परेशान", "गांवों में किसानों को नकदी नहीं मिली।", source="दैनिक जागरण"),
]
SECOND = [
    article(4, "नोटबंदी के बाद बाज़ार", "नोटबंदी के बाद बाज़ार में नकदी की कमी रही।", source="जनसत्ता"),
    article(5, "क्रिकेट में जीत", "भारत ने रोमांचक मैच जीता।", source="अमर उजाला"),
    article(6, "बैंकों में कतारें", "नोटबंदी के कारण बैंकों के बाहर लंबी कतारें लगीं।", source="दैनिक जागरण"),
]


def ingest(run: Run, tmp_path: Path, name: str, records: list[dict[str, Any]]) -> list[str]:
    result = run("ingest", str(write_jsonl(tmp_path / name, records)))
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


def counts(run: Run) -> dict[str, tuple[int, int]]:
    rows = json.loads(run("watch", "list", "--format", "json").stdout)
    return {row["name"]: (row["total"], row["new"]) for row in rows}


def shown(run: Run, name: str, *extra: str) -> list[int]:
    result = run("watch", "show", name, "--format", "json", *extra)
    assert result.exit_code == 0, result.output
    return [hit["id"] for hit in json.loads(result.stdout)["hits"]]


def test_a_saved_search_reports_what_each_ingest_brings(run: Run, tmp_path: Path) -> None:
    ingest(run, tmp_path, "first.jsonl", FIRST)
    saved = run("watch", "add", "नोटबंदी", "नोटबंदी")
    assert saved.exit_code == 0, saved.output
    assert saved.stdout.startswith("saved 'नोटबंदी': 2 articles match now")
    assert run("watch", "add", "जनसत्ता में", "नोटबंदी", "--source", "जनसत्ता").exit_code == 0
    assert counts(run) == {"नोटबंदी": (2, 0), "जनसत्ता में": (1, 0)}  # what matched when saved is not new

    lines = ingest(run, tmp_path, "second.jsonl", SECOND)
    assert lines[1:] == [  # by name
        "जनसत्ता में: 1 new (`archive watch show 'जनसत्ता में'`)",
        "नोटबंदी: 2 new (`archive watch show नोटबंदी`)",
    ]
    assert counts(run) == {"नोटबंदी": (4, 2), "जनसत्ता में": (2, 1)}
    text = run("watch", "list").stdout
    assert "नोटबंदी: 2 new · 4 articles in all\n    'नोटबंदी'\n" in text
    assert "    'नोटबंदी' --source 'जनसत्ता'" in text

    # the new ones, newest first, with snippets; then they are seen
    result = run("watch", "show", "नोटबंदी")
    assert result.stdout.splitlines()[0].startswith("नोटबंदी: 2 new matches since ")
    assert "1. बैंकों में कतारें" in result.stdout and "**नोटबंदी**" in result.stdout
    assert result.stdout.index("बैंकों में कतारें") < result.stdout.index("नोटबंदी के बाद बाज़ार")
    assert counts(run)["नोटबंदी"] == (4, 0)
    assert run("watch", "show", "नोटबंदी").stdout.startswith("नोटबंदी: 0 new matches since ")
    assert shown(run, "नोटबंदी", "--all") == [6, 4, 3, 1]
    assert shown(run, "नोटबंदी", "--since-run", "2") == [6, 4]
    # an ingest with nothing that matches says nothing of saved searches
    assert ingest(run, tmp_path, "third.jsonl", [article(7, "मौसम", "ठंड बढ़ी।")])[1:] == []


def test_deleted_articles_drop_out_and_updates_count_only_when_newly_matching(run: Run, tmp_path: Path) -> None:
    ingest(run, tmp_path, "first.jsonl", FIRST)
    run("watch", "add", "नोटबंदी", "नोटबंदी")
    run("watch", "add", "बारिश", "बारिश")
    assert run("delete", "3").exit_code == 0
    assert counts(run) == {"नोटबंदी": (1, 0), "बारिश": (1, 0)}
    # article 1 changed but still matches: not new; article 2 now mentions नोटबंदी for the first time: new
    changed = [
        article(1, "नोटबंदी पर संसद में बहस", "संसद में नोटबंदी पर बहस दूसरे दिन भी चली।", source="जनसत्ता"),
        article(2, "दिल्ली में बारिश", "राजधानी में तेज बारिश हुई; नोटबंदी से दुकानें बंद रहीं।", source="अमर उजाला"),
    ]
    lines = ingest(run, tmp_path, "changed.jsonl", changed)
    assert lines[0] == "added 0, updated 2, unchanged 0, duplicates 0, rejected 0"
    assert lines[1:] == ["नोटबंदी: 1 new (`archive watch show नोटबंदी`)"]
    assert shown(run, "नोटबंदी") == [2]
    assert counts(run) == {"नोटबंदी": (2, 0), "बारिश": (1, 0)}
    assert run("watch", "remove", "बारिश").stdout.strip() == "removed the saved search 'बारिश'"
    assert list(counts(run)) == ["नोटबंदी"]
    gone = run("watch", "show", "बारिश")
    assert gone.exit_code == 1 and "No saved search named 'बारिश'. `archive watch list` shows them." in gone.stderr


def test_bad_names_and_queries_are_refused_clearly(run: Run, tmp_path: Path) -> None:
    ingest(run, tmp_path, "first.jsonl", FIRST)
    assert run("watch", "add", "नोटबंदी", "नोटबंदी").exit_code == 0
    cases = {
        ("", "नोटबंदी"): "A saved search needs a name",
        ("नोटबंदी", "बैंक"): "There is a saved search named 'नोटबंदी' already",
        ("खाली", "  "): "A saved search needs a query",
        ("टूटा", '"नोटबंदी'): "",  # the message is search's own, checked below
    }
    for (name, query), message in cases.items():
        result = run("watch", "add", name, query)
        assert result.exit_code == 2, (name, result.output)
        assert message in result.stderr and "Unexpected" not in result.stderr
    unparsable = run("watch", "add", "टूटा", '"नोटबंदी')
    assert unparsable.stderr == run("search", '"नोटबंदी').stderr  # as clear as search's
    unknown = run("watch", "add", "कहीं", "नोटबंदी", "--source", "कोई अख़बार नहीं")
    assert unknown.exit_code == 2 and "No articles from the source 'कोई अख़बार नहीं'" in unknown.stderr
    bad_date = run("watch", "add", "कब", "नोटबंदी", "--since", "परसों")
    assert bad_date.exit_code == 2 and "--since" in bad_date.output
    assert list(counts(run)) == ["नोटबंदी"]  # none of them was saved


def test_list_and_show_in_json_jsonl_and_csv(run: Run, tmp_path: Path) -> None:
    ingest(run, tmp_path, "first.jsonl", FIRST)
    run("watch", "add", "नोटबंदी", "नोटबंदी", "--since", "2016-01-01")
    ingest(run, tmp_path, "second.jsonl", SECOND)
    [row] = json.loads(run("watch", "list", "--format", "json").stdout)
    assert (row["name"], row["query"], row["since"], row["total"], row["new"]) == (
        "नोटबंदी",
        "नोटबंदी",
        "2016-01-01",
        4,
        2,
    )
    [line] = run("watch", "list", "--format", "jsonl").stdout.splitlines()
    assert json.loads(line) == row
    table = list(csv.DictReader(io.StringIO(run("watch", "list", "--format", "csv").stdout.removeprefix("\ufeff"))))
    assert [(r["name"], r["total"], r["new"]) for r in table] == [("नोटबंदी", "4", "2")]
    lines = run("watch", "show", "नोटबंदी", "--format", "jsonl", "--all").stdout.splitlines()
    assert [json.loads(line)["id"] for line in lines] == [6, 4, 3, 1]
    assert all(set(json.loads(line)) >= {"id", "title", "snippet", "highlights", "date"} for line in lines)
    assert counts(run)["नोटबंदी"] == (4, 0)


def test_the_atom_feed_reads_back_with_stable_ids(run: Run, tmp_path: Path) -> None:
    ingest(run, tmp_path, "first.jsonl", FIRST)
    run("watch", "add", "नोटबंदी", "नोटबंदी")
    ingest(run, tmp_path, "second.jsonl", SECOND)
    written = tmp_path / "watch.atom"
    assert run("watch", "feed", "नोटबंदी", "-o", str(written)).exit_code == 0
    feed = feedparser.parse(written.read_bytes())
    assert not feed.bozo, feed.bozo_exception
    assert feed.feed.title == "archive: नोटबंदी"
    entries = feed.entries
    assert [e.title for e in entries] == [
        "बैंकों में कतारें",
        "नोटबंदी के बाद बाज़ार",
        "नोटबंदी से किसान परेशान",
        "नोटबंदी पर संसद में बहस",
    ]
    assert [e.link for e in entries] == [f"https://news.example/{n}" for n in (6, 4, 3, 1)]
    assert [e.author for e in entries] == ["दैनिक जागरण", "जनसत्ता", "दैनिक जागरण", "जनसत्ता"]
    assert entries[0].published.startswith("2016-11-06") and "नोटबंदी" in entries[0].summary
    assert len({e.id for e in entries}) == 4
    # written again (after another ingest), the same articles keep their ids
    ingest(run, tmp_path, "third.jsonl", [article(9, "नोटबंदी का असर", "नोटबंदी का असर दिखा।")])
    again = feedparser.parse(run("watch", "feed", "नोटबंदी").stdout.encode("utf-8"))
    assert [e.id for e in again.entries][1:] == [e.id for e in entries]
    assert again.entries[0].title == "नोटबंदी का असर"
    assert counts(run)["नोटबंदी"] == (5, 3)  # a feed marks nothing seen


def test_review_mends_ids_xml_names_and_unwritable_feeds(run: Run, tmp_path: Path) -> None:
    ingest(run, tmp_path, "first.jsonl", FIRST)
    run("watch", "add", " नोटबंदी ", "नोटबंदी")  # kept as नोटबंदी, and found so however it is typed
    assert run("watch", "show", " नोटबंदी", "--format", "json").exit_code == 0
    assert run("watch", "add", "क्\u200dष", "नोटबंदी").exit_code == 0  # a ZWJ belongs to the word
    assert run("watch", "remove", "क्\u200dष").exit_code == 0
    # an id SQLite gives again after its article was deleted is another entry
    # (dated after the others: the feed lists the newest first, and undated articles last)
    ingest(run, tmp_path, "a.jsonl", [{"title": "नोटबंदी एक", "body": "नोटबंदी पर पहली बात।", "date": "2017-01-01"}])
    before = feedparser.parse(run("watch", "feed", "नोटबंदी", "-n", "1").stdout.encode("utf-8")).entries[0]
    assert run("delete", "4", "--yes").exit_code == 0
    ingest(
        run, tmp_path, "b.jsonl", [{"title": "नोटबंदी दो", "body": "नोटबंदी पर दूसरी बात।\ufffe", "date": "2017-01-01"}]
    )
    written = run("watch", "feed", "नोटबंदी", "-n", "1").stdout
    after = feedparser.parse(written.encode("utf-8"))
    assert not after.bozo, after.bozo_exception  # the U+FFFE left out: the feed stays well-formed XML
    assert after.entries[0].title == "नोटबंदी दो" and after.entries[0].id != before.id
    failed = run("watch", "feed", "नोटबंदी", "-o", str(tmp_path / "no" / "such" / "feed.atom"))
    assert failed.exit_code == 1 and failed.stderr.startswith(f"Error: Cannot write {tmp_path / 'no'}")


@pytest.mark.slow
def test_an_interrupted_run_is_announced_by_the_next(run: Run, tmp_path: Path, settings: Any) -> None:
    from archive.api import Archive, IngestOptions, RunCounts, SilentProgress

    class _Pressed(SilentProgress):
        def read(self, counts: RunCounts, bytes_read: int) -> None:
            if counts.added:
                raise KeyboardInterrupt  # Ctrl-C once the first batch is stored

    ingest(run, tmp_path, "first.jsonl", FIRST)
    run("watch", "add", "नोटबंदी", "नोटबंदी")
    many = [article(n, f"नोटबंदी खबर {n}", f"नोटबंदी की खबर {n}।") for n in range(10, 10 + 600)]
    report = Archive(settings=settings).ingest(
        [write_jsonl(tmp_path / "many.jsonl", many)], IngestOptions(background_index=False), _Pressed()
    )
    assert report.interrupted and report.counts.added == 500
    lines = ingest(run, tmp_path, "many.jsonl", many)  # the same again: the rest, and the news of both
    assert lines[0] == "added 100, updated 0, unchanged 500, duplicates 0, rejected 0"
    assert lines[1:] == ["नोटबंदी: 600 new (`archive watch show नोटबंदी`)"]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_matches_that_could_not_be_written_stay_new(run: Run, tmp_path: Path, home: Path) -> None:
    import os
    import subprocess
    import sys

    ingest(run, tmp_path, "first.jsonl", FIRST)
    run("watch", "add", "नोटबंदी", "नोटबंदी")
    ingest(run, tmp_path, "second.jsonl", SECOND)
    env = {**os.environ, "ARCHIVE_HOME": str(home)}
    env.pop("ARCHIVE_DB_URL", None)
    with open("/dev/full", "w") as full:
        command = [sys.executable, "-m", "archive", "watch", "show", "नोटबंदी", "--format", "csv"]
        failed = subprocess.run(command, env=env, stdout=full, stderr=subprocess.PIPE, text=True)
    assert failed.returncode != 0
    assert counts(run)["नोटबंदी"] == (4, 2)  # still new: nothing was shown
