"""Errors that name the fix, and output that a terminal, a spreadsheet and jq read well. The CLI on a real
SQLite file and index in a temp dir (and in subprocesses where the process itself matters)."""

from __future__ import annotations

import gzip
import json
import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from tests.conftest import Run, write_jsonl


def columns(text: str) -> int:
    """Columns as the C library's wcwidth gives them: combining marks and format characters take none."""
    return sum(unicodedata.category(c) not in ("Mn", "Me", "Cf") for c in text)


# One long article whose body the tests search and wrap.
LONG_BODY = " ".join(
    ["सीमा पर निशान लगाने का काम आज पूरा हुआ और अधिकारियों ने बताया कि लावरोव की यात्रा से पहले यह जरूरी था।"] * 12
)


def test_postgresql_without_its_driver_names_the_extra_to_install(tmp_path: Path) -> None:
    code = (
        "import sys; sys.modules['psycopg'] = None; sys.modules['psycopg2'] = None; "
        "sys.argv = ['archive', '--db', 'postgresql://u:p@localhost/news', 'stats']; "
        "from archive.cli.app import main; main()"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert result.stderr.strip() == (
        "Error: The database URL needs the PostgreSQL driver, which is not installed: pip install 'archive[postgres]'"
    )
    other = subprocess.run(
        [sys.executable, "-c", code.replace("postgresql://", "postgresql+psycopg2://")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert other.returncode == 1 and "names the driver 'psycopg2', which is not installed" in other.stderr


@pytest.mark.parametrize(
    "damage",
    [
        "term table",
        "table of contents",
        *(pytest.param(d, marks=pytest.mark.slow) for d in ("stored fields", "a missing file")),
    ],
)
def test_a_damaged_index_on_search_names_check_and_repair(
    run: Run, home: Path, articles_file: Path, damage: str
) -> None:
    run("ingest", str(articles_file))
    index = home / "index"
    if damage == "table of contents":
        next(index.glob("*.toc")).write_bytes(b"")
    elif damage == "a missing file":
        next(index.glob("*.pst")).unlink()
    else:
        path = next(index.glob("*.trm" if damage == "term table" else "*._stored.col"))
        data = bytearray(path.read_bytes())
        for position in range(0, len(data), 7):
            data[position] ^= 0x5A
        path.write_bytes(bytes(data))
    result = run("search", "बारिश")
    assert result.exit_code == 1
    message = result.stderr.strip()
    assert message.startswith(f"Error: The search index at {home}") and "could not be read" in message
    assert "`archive check --repair` rebuilds it from the database" in message and "Unexpected" not in message
    checked = run("check")
    assert checked.exit_code == 1
    said = checked.stdout.split("index unusable: ")[1]  # what check says, the search said too
    assert said.startswith(f"The search index at {home}") and "could not be read" in said and "damaged" in said
    assert run("check", "--repair").exit_code == 0
    assert json.loads(run("search", "बारिश", "--format", "json").stdout)["total"] == 2


def test_a_link_to_nowhere_in_a_folder_is_reported(run: Run, tmp_path: Path) -> None:
    folder = tmp_path / "feed"
    folder.mkdir()
    write_jsonl(folder / "good.jsonl", [{"title": "खबर", "body": "पाठ।"}])
    (folder / "gone.jsonl").symlink_to(tmp_path / "deleted.jsonl")
    result = run("ingest", str(folder))
    assert result.exit_code == 3
    assert result.stdout.splitlines()[0] == "added 1, updated 0, unchanged 0, duplicates 0, rejected 1"
    assert (
        f"rejected: {folder / 'gone.jsonl'}, record -: the symbolic link points to {tmp_path / 'deleted.jsonl'}, "
        "which does not exist; fix the link or remove it, then ingest again"
    ) in result.stderr


def test_a_gz_file_that_is_not_gzip_is_called_so(run: Run, tmp_path: Path) -> None:
    plain = write_jsonl(tmp_path / "news.jsonl", [{"title": "खबर", "body": "पाठ।"}])
    misnamed = plain.rename(tmp_path / "news.jsonl.gz")
    real = tmp_path / "real.jsonl.gz"
    real.write_bytes(gzip.compress(b'{"title": "\\u0916", "body": "\\u092a"}\n'))
    result = run("ingest", str(misnamed), str(real))
    assert result.exit_code == 3
    assert f"rejected: {misnamed}, record -: the file is named .gz but is not gzip-compressed" in result.stderr
    assert "1 record rejected;" in result.stderr
    assert result.stdout.startswith("added 1,")


def _archive_of_one_long_article(run: Run, tmp_path: Path) -> None:
    source = write_jsonl(
        tmp_path / "long.jsonl",
        [
            {
                "title": "सीमा पर निशान",
                "body": LONG_BODY,
                "source": "जनसत्ता",
                "date": "2016-10-31",
                "url": "https://e.org/1",
            },
            {"title": "दूसरी खबर", "body": "बिना तारीख की खबर।", "source": "जनसत्ता"},
            {"title": "तीसरी खबर", "body": "अमर उजाला की खबर।", "source": "अमर उजाला", "date": "2016-01-01"},
        ],
    )
    assert run("ingest", str(source)).exit_code == 0


def test_snippets_wrap_at_word_boundaries_to_the_terminal_width(run: Run, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _archive_of_one_long_article(run, tmp_path)
    monkeypatch.setenv("COLUMNS", "50")
    lines = run("search", "निशान").stdout.splitlines()
    snippet = [line for line in lines[4:] if line.startswith("   ") and "id " not in line]
    assert len(snippet) > 2
    words = set(LONG_BODY.replace("।", " ").split()) | {"…"}
    for line in snippet:
        assert line.startswith("   ") and not line.startswith("    ")  # the indent kept on every line
        assert columns(line.replace("**", "")) <= 50
        for word in line.replace("**", "").split():  # no word cut in two (न|िशान)
            assert word.strip("…।") in words or word in words, word
    assert any("**निशान**" in line for line in snippet)


def test_show_marks_the_query_and_lists_notes_and_origins(run: Run, tmp_path: Path) -> None:
    _archive_of_one_long_article(run, tmp_path)
    text = run("show", "1", "--query", "निशानों").stdout
    assert text.splitlines()[0] == "सीमा पर **निशान**"
    assert text.count("**निशान**") == 1 + 12  # the title and every sentence of the body, in another inflection
    assert f"  {tmp_path / 'long.jsonl'}, record line 1 · जनसत्ता · 2016-10-31 · https://e.org/1" in text
    marked = json.loads(run("show", "1", "--query", "निशानों", "--format", "json").stdout)
    assert marked["highlights"]["title"] == [[8, 13]]  # सीमा पर |निशान| and len(marked["highlights"]["body"]) == 12
    assert {marked["body"][start:end] for start, end in marked["highlights"]["body"]} == {"निशान"}
    noted = write_jsonl(tmp_path / "noted.jsonl", [{"title": "खबर", "body": "पाठ।", "date": "32.13.2016"}])
    run("ingest", str(noted))
    shown = run("show", "4").stdout
    assert "notes:\n  - date '32.13.2016' could not be read; left empty" in shown


def test_stats_lists_top_outlets_and_undated(run: Run, tmp_path: Path) -> None:
    _archive_of_one_long_article(run, tmp_path)
    text = run("stats").stdout
    assert "dated:     2 (2016-01-01 … 2016-10-31); undated: 1" in text
    assert text.split("top sources:\n")[1].splitlines() == ["        2  जनसत्ता", "        1  अमर उजाला"]
    data = json.loads(run("stats", "--format", "json").stdout)
    assert data["undated"] == 1 and data["top_sources"] == [["जनसत्ता", 2], ["अमर उजाला", 1]]


def test_every_hit_streams_as_jsonl_and_csv(run: Run, tmp_path: Path) -> None:
    records = [{"title": f"चुनाव खबर {i}", "body": f"चुनाव की खबर संख्या {i}।", "date": "2016-01-01"} for i in range(450)]
    run("ingest", str(write_jsonl(tmp_path / "many.jsonl", records)))
    lines = run("search", "चुनाव", "--all", "--format", "jsonl", "--sort", "oldest").stdout.splitlines()
    hits = [json.loads(line) for line in lines]
    assert len(hits) == 450 and [h["id"] for h in hits] == list(range(1, 451))
    assert all(h["snippet"][s:e] == "चुनाव" for h in hits for s, e in h["highlights"])
    table = run("search", "चुनाव", "--all", "--format", "csv").stdout
    assert table.startswith("\ufeffid,") and len(table.splitlines()) == 451
    for bad in (['"चुनाव'], ["चुनाव", "--sort", "bogus"]):  # refused before any output: no bare header left
        failed = run("search", *bad, "--all", "--format", "csv")
        assert failed.exit_code == 2 and failed.stdout == "", failed.output
    refused = run("search", "चुनाव", "--all")
    assert refused.exit_code == 2 and "--all writes every match as --format jsonl or csv" in refused.output


def test_counts_take_the_right_number(run: Run, tmp_path: Path) -> None:
    two = write_jsonl(tmp_path / "two.jsonl", [{"title": "क"}, {"title": "ख"}])
    assert "2 records rejected;" in run("ingest", str(two)).stderr
    assert run("reindex").stdout.strip() == "indexed 0 articles"
    one = write_jsonl(tmp_path / "one.jsonl", [{"title": "क", "body": "ख।"}])
    run("ingest", str(one))
    assert run("reindex").stdout.strip() == "indexed 1 article"


def _pty_run(args: list[str], env: dict[str, str], answer: bytes | None = None) -> tuple[int, str]:
    """Run the command with a terminal for its standard input and error (its output stays a pipe);
    returns its exit code and all the terminal saw."""
    import pty
    import select

    main, secondary = pty.openpty()
    process = subprocess.Popen(args, stdin=secondary, stdout=subprocess.PIPE, stderr=secondary, env=env)
    os.close(secondary)
    seen = b""
    if answer is not None:
        os.write(main, answer)
    while True:
        ready, _, _ = select.select([main], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(main, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        elif process.poll() is not None:
            break
    out, _ = process.communicate()
    os.close(main)
    return process.returncode, seen.decode("utf-8", "replace") + out.decode("utf-8", "replace")


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="a pseudo-terminal is POSIX")
def test_delete_asks_on_a_terminal(home: Path, articles_file: Path) -> None:
    env = {**os.environ, "ARCHIVE_HOME": str(home)}
    env.pop("ARCHIVE_DB_URL", None)
    archive = [sys.executable, "-m", "archive"]
    subprocess.run([*archive, "ingest", str(articles_file)], env=env, check=True, capture_output=True)
    code, seen = _pty_run([*archive, "delete", "--source", "अमर उजाला"], env, answer=b"n\n")
    assert code == 1 and "Delete 1 article? [y/N]" in seen and "nothing was deleted" in seen
    assert "क्रिकेट: भारत ने मैच जीता" in seen  # what would go is listed before the question
    assert subprocess.run([*archive, "show", "2"], env=env, capture_output=True).returncode == 0
    code, seen = _pty_run([*archive, "delete", "--source", "अमर उजाला"], env, answer=b"y\n")
    assert code == 0 and "deleted 1 article" in seen
    assert subprocess.run([*archive, "show", "2"], env=env, capture_output=True).returncode == 1
    code, seen = _pty_run([*archive, "delete", "1", "--yes"], env)
    assert code == 0 and "[y/N]" not in seen and "deleted 1 article" in seen


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="a pseudo-terminal is POSIX")
def test_the_ingest_bar_counts_bytes_and_articles(home: Path, tmp_path: Path) -> None:
    records = [{"title": f"खबर {i}", "body": f"बाढ़ की खबर {i}। " * 40} for i in range(3000)]
    source = write_jsonl(tmp_path / "big.jsonl", records)
    env = {**os.environ, "ARCHIVE_HOME": str(home), "COLUMNS": "160"}
    env.pop("ARCHIVE_DB_URL", None)
    code, seen = _pty_run([sys.executable, "-m", "archive", "ingest", str(source)], env)
    assert code == 0, seen
    megabytes = f"{source.stat().st_size / 1e6:,.1f} MB"
    assert f"/{megabytes}" in seen  # bytes read of the total, not "0/1 files"
    assert " articles" in seen and "files" not in seen
    assert "added 3000," in seen
    code, seen = _pty_run([sys.executable, "-m", "archive", "reindex"], env)
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", seen)
    assert code == 0 and "indexing" in plain and "/3000 articles" in plain and "indexed 3000 articles" in plain


def test_a_word_found_only_in_bodies_is_marked(run: Run, tmp_path: Path) -> None:
    source = write_jsonl(
        tmp_path / "two.jsonl",
        [
            {"title": "पुतिन का दौरा", "body": "रूसी राष्ट्रपति ने चीन में जिनपिंग से मुलाकात की।"},
            {"title": "प्रदूषण", "body": "दिल्ली के स्कूल बंद रहे।"},
        ],
    )
    run("ingest", str(source))
    [hit] = json.loads(run("search", "पुतिन जिनपिंग", "--format", "json").stdout)["hits"]
    assert [hit["snippet"][s:e] for s, e in hit["highlights"]] == ["जिनपिंग"]  # in the body only; पुतिन: title
    assert run("show", "2", "--query", "दिल्ली").stdout.splitlines()[-1] == "**दिल्ली** के स्कूल बंद रहे।"
