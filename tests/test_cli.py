"""The CLI end to end, against a real SQLite file and a real Whoosh index in a temp dir."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from archive.cli.app import app
from archive.config import Settings
from archive.store.database import Store
from archive.store.schema import SCHEMA_HEAD
from tests.conftest import Run, write_jsonl


def search_json(run: Run, query: str, *extra: str) -> dict:  # type: ignore[type-arg]
    result = run("search", query, "--format", "json", *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_ingest_seeds_then_search_finds_the_seed_first(run: Run) -> None:
    result = run("ingest")
    assert result.exit_code == 0, result.output
    assert "added 1, updated 0, unchanged 0, duplicates 0, rejected 0" in result.stdout

    result = run("search", "लावरोव")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "1 article matches 'लावरोव':"
    assert lines[1] == "searched: लावरोव, लॉवरोव"  # both spellings in the seed
    assert lines[3].startswith("1. जयशंकर ने रूस के विदेश मंत्री सर्गेई लावरोव से बातचीत की")
    assert "id 1" in lines[4]
    assert "**लावरोव**" in lines[5]  # the match is marked when not on a terminal
    assert "\x1b[" not in result.stdout  # and no colour codes in a pipe


def test_search_json_output(run: Run, articles_file: Path) -> None:
    assert run("ingest", str(articles_file)).exit_code == 0
    data = search_json(run, "बारिश")
    assert data["query"] == "बारिश" and data["total"] == 2
    assert {hit["url"] for hit in data["hits"]} == {"https://example.org/1", "https://example.org/2"}
    first = data["hits"][0]
    assert set(first) == {
        "id",
        "url",
        "title",
        "source",
        "category",
        "date",
        "score",
        "snippet",
        "highlights",
        "also_in",
    }
    # the article with the word in its title ranks first
    assert first["title"] == "दिल्ली में बारिश से राहत"
    assert (first["source"], first["category"], first["date"]) == ("दैनिक जागरण", "मौसम", "2016-01-25")
    # the match as character offsets into the plain snippet, not the text format's ** marks
    assert "**" not in first["snippet"] and first["highlights"]
    assert {first["snippet"][start:end] for start, end in first["highlights"]} == {"बारिश"}
    assert data["hits"][0]["score"] >= data["hits"][1]["score"]


def test_limit_caps_hits_but_total_counts_all(run: Run, tmp_path: Path) -> None:
    records = [{"title": f"खबर {i}", "body": f"चुनाव की खबर संख्या {i}"} for i in range(15)]
    run("ingest", str(write_jsonl(tmp_path / "many.jsonl", records)))
    data = search_json(run, "चुनाव", "--limit", "3")
    assert data["total"] == 15 and len(data["hits"]) == 3


def test_boolean_phrase_and_field_queries(run: Run, articles_file: Path) -> None:
    run("ingest", str(articles_file))
    titles = lambda q: sorted(h["title"] for h in search_json(run, q)["hits"])  # noqa: E731
    assert titles("बारिश AND दिल्ली") == ["दिल्ली में बारिश से राहत"]
    assert titles("बारिश NOT दिल्ली") == ["क्रिकेट: भारत ने मैच जीता"]
    assert titles("संसद OR शिक्षा") == ["नई शिक्षा नीति पर चर्चा", "संसद का सत्र"]
    assert titles('"तेज बारिश"') == ["दिल्ली में बारिश से राहत"]
    assert titles('"बारिश तेज"') == []
    assert titles("title:बारिश") == ["दिल्ली में बारिश से राहत"]
    assert titles("शीतकालीन") == ["संसद का सत्र"]  # found in the summary too


def test_reingest_changes_nothing(run: Run, articles_file: Path) -> None:
    first = run("ingest", str(articles_file))
    assert "added 4, updated 0, unchanged 0" in first.stdout
    again = run("ingest", str(articles_file))
    assert again.exit_code == 0
    assert "added 0, updated 0, unchanged 0, duplicates 0, rejected 0" in again.stdout
    assert "skipped 1 unchanged file already ingested (--force reads it again)" in again.stdout
    forced = run("ingest", "--force", str(articles_file))  # read again: every article is already there
    assert "added 0, updated 0, unchanged 4, duplicates 0, rejected 0" in forced.stdout
    stats = json.loads(run("stats", "--format", "json").stdout)
    assert (stats["articles"], stats["indexed"], stats["in_step"]) == (4, 4, True)


def test_same_text_under_another_url_is_a_duplicate(run: Run, tmp_path: Path) -> None:
    article = {"title": "एक खबर", "body": "पूरी खबर का पाठ।"}
    path = write_jsonl(
        tmp_path / "a.jsonl", [article, article | {"url": "https://a/1"}, article | {"url": "https://b/2"}]
    )
    result = run("ingest", str(path))
    # the second and third records are copies of the first, which takes the second's url (in one batch or
    # two, either order of the records counts the same)
    assert "added 1, updated 0, unchanged 0, duplicates 2" in result.stdout
    shown = json.loads(run("show", "1", "--format", "json").stdout)
    assert shown["url"] == "https://a/1" and [o["record"] for o in shown["origins"]] == ["line 1", "line 2", "line 3"]
    other = tmp_path / "other"
    reversed_order = write_jsonl(tmp_path / "b.jsonl", [article | {"url": "https://a/1"}, article])
    again = CliRunner().invoke(app, ["--home", str(other), "ingest", str(reversed_order)], catch_exceptions=False)
    assert "added 1, updated 0, unchanged 0, duplicates 1" in again.stdout


def test_changed_article_with_same_url_is_updated_in_database_and_index(run: Run, tmp_path: Path) -> None:
    url = "https://example.org/news/7"
    old = write_jsonl(tmp_path / "old.jsonl", [{"title": "पुराना शीर्षक", "body": "मानसून की पहली खबर", "url": url}])
    new = write_jsonl(tmp_path / "new.jsonl", [{"title": "नया शीर्षक", "body": "चक्रवात की ताज़ा खबर", "url": url}])
    run("ingest", str(old))
    result = run("ingest", str(new))
    assert "added 0, updated 1, unchanged 0" in result.stdout
    assert search_json(run, "मानसून")["total"] == 0
    hits = search_json(run, "चक्रवात")["hits"]
    assert [(h["title"], h["url"]) for h in hits] == [("नया शीर्षक", url)]
    shown = json.loads(run("show", str(hits[0]["id"]), "--format", "json").stdout)
    assert shown["body"] == "चक्रवात की ताज़ा खबर" and shown["origin"]["file"] == str(new)


def test_missing_path_is_a_usage_error(run: Run, tmp_path: Path) -> None:
    result = run("ingest", str(tmp_path / "nope.jsonl"))
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_malformed_queries_get_a_clear_message(run: Run) -> None:
    run("ingest")
    for query, message in [
        ("(रूस OR भारत", "Unclosed parenthesis at position 1"),
        ('"शिखर सम्मेलन', "Unclosed quote at position 1"),
        ("रूस)", "Unmatched ')' at position 4"),
        ("लावरोव AND", "AND at position 8 has nothing after it"),
        ("OR लावरोव", "OR at position 1 has nothing before it"),
        ("लावरोव (NOT)", "NOT at position 9 has nothing after it"),
        ("title:", "title: at position 1 has nothing after it"),
        ("लावरोव title: रूस", "title: at position 8 has nothing after it"),
        ("😀 🙏", "Nothing to search for in '😀 🙏': it has no letters or digits"),
        ("का की", "Nothing to search for in 'का की': it has only very common words"),
    ]:
        result = run("search", query)
        assert result.exit_code == 2, result.output
        assert result.stderr.startswith(f"Error: {message}"), result.stderr
        assert "Traceback" not in result.output


def test_commands_on_an_empty_home_say_how_to_make_an_archive(run: Run, home: Path) -> None:
    for args in (["search", "लावरोव"], ["stats"], ["show", "1"], ["reindex"]):
        result = run(*args)
        assert result.exit_code == 1
        assert result.stderr.strip() == (
            f"Error: No archive at {home}. Create one with `archive ingest` "
            "(or point --home / ARCHIVE_HOME at an existing one)."
        )
    assert not home.exists()  # looking did not create anything


def test_show_unknown_id(run: Run) -> None:
    run("ingest")
    result = run("show", "999")
    assert result.exit_code == 1
    assert "No article with id 999" in result.stderr


def test_show_and_stats_text(run: Run, articles_file: Path) -> None:
    run("ingest", str(articles_file))
    shown = run("show", "1")
    assert shown.stdout.splitlines()[0] == "दिल्ली में बारिश से राहत"
    assert "source: दैनिक जागरण" in shown.stdout and "date: 2016-01-25" in shown.stdout
    stats = run("stats").stdout
    assert "articles:  4" in stats and "sources:   3" in stats and "2016-01-25 … 2016-02-01" in stats
    assert "in step:   yes" in stats


def test_home_from_environment(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from archive.cli.app import app

    monkeypatch.setenv("ARCHIVE_HOME", str(tmp_path / "env-home"))
    result = CliRunner().invoke(app, ["ingest"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "env-home" / "archive.db").is_file()
    assert (tmp_path / "env-home" / "index").is_dir()


def test_database_url_override(tmp_path: Path, home: Path) -> None:
    db = tmp_path / "elsewhere.db"
    from typer.testing import CliRunner

    from archive.cli.app import app

    result = CliRunner().invoke(app, ["--home", str(home), "--db", f"sqlite:///{db}", "ingest"])
    assert result.exit_code == 0, result.output
    assert db.is_file() and not (home / "archive.db").exists()


def test_reindex_rebuilds_from_the_database(run: Run, articles_file: Path, settings: Settings) -> None:
    run("ingest", str(articles_file))
    result = run("reindex")
    assert result.exit_code == 0 and "indexed 4 articles" in result.stdout
    assert search_json(run, "बारिश")["total"] == 2
    # the archive's `index` is a link, swapped in one step to the rebuilt directory
    first = settings.index_dir.resolve()
    assert settings.index_dir.is_symlink() and first.name.startswith("index-")
    run("reindex")
    second = settings.index_dir.resolve()
    assert second != first and first.exists()  # the previous one stays for searches still reading it
    run("reindex")
    assert not first.exists() and second.exists()  # and goes at the rebuild after
    assert sorted(p.name for p in settings.home.iterdir() if p.name.startswith("index")) == sorted(
        ["index", second.name, settings.index_dir.resolve().name]
    )


def test_index_built_by_another_analyzer_version_asks_for_reindex(run: Run, settings: Settings) -> None:
    run("ingest")
    meta = settings.index_dir / "archive-index.json"
    meta.write_text(json.dumps({"analyzer_version": "0", "schema_version": "1"}), encoding="utf-8")
    result = run("search", "लावरोव")
    assert result.exit_code == 1 and "Run `archive reindex`" in result.stderr
    assert run("reindex").exit_code == 0
    assert search_json(run, "लावरोव")["total"] == 1


def test_db_upgrade_creates_the_schema(run: Run, settings: Settings) -> None:
    result = run("db", "upgrade")
    assert result.exit_code == 0 and f"schema revision {SCHEMA_HEAD}" in result.stdout
    store = Store.open(settings, create=False)
    assert "articles" in store.table_names() and "rejects" in store.table_names()
    store.close()


def test_hostile_queries_get_a_clear_message(run: Run) -> None:
    run("ingest")
    for query, message in [
        ("लावरोव " * 20_000, "characters; at most"),
        ("(" * 100 + "रूस" + ")" * 100, "nest deeper than"),
        ("रूस\x00भारत", "control character (U+0000) at position 4"),
        ("रूस \ud800", "lone surrogate"),
    ]:
        result = run("search", query)
        assert result.exit_code == 2, result.output
        assert message in result.stderr and "Traceback" not in result.output
