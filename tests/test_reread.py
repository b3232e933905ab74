"""A record without an address read again after a cleaning rule changed (`archive ingest --force`, a file
that grew) updates the article it was read into, instead of adding a second copy; another record now at
the same place is another article, and the first one is kept."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from archive.store.packing import pack, pack_original, unpack, unpack_original
from tests.conftest import Cli, write_jsonl


def editorial(n: int) -> dict[str, str]:
    return {"title": f"नदी का पानी {n}", "body": f"गांव की नदी में पानी फिर लौट आया, खबर संख्या {n}।", "source": "जनसत्ता"}


def as_an_older_cleaning_stored_them(database: Path) -> None:
    """Give every stored article another text than today's cleaning makes of its record (its original kept)."""
    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT id, body, original FROM articles").fetchall()
        for article_id, packed_body, packed in rows:
            body = unpack(packed_body) or ""
            older = body + " और पढ़ें"
            original = unpack_original(packed, body)
            db.execute(
                "UPDATE articles SET body = ?, original = ?, content_hash = ? WHERE id = ?",
                (pack(older), pack_original(original, older), f"older-{article_id}", article_id),
            )
    db.close()


def found(cli: Cli, query: str) -> list[int]:
    return sorted(hit["id"] for hit in json.loads(cli("search", query, "--no-collapse", "-f", "json").stdout)["hits"])


def test_a_record_read_again_updates_its_article_and_a_new_record_in_its_place_is_added(tmp_path: Path) -> None:
    home, cli = tmp_path / "home", Cli(tmp_path / "home")
    news = write_jsonl(tmp_path / "news.jsonl", [editorial(n) for n in range(3)])
    assert cli("ingest", str(news)).exit_code == 0
    ids = found(cli, "नदी")
    as_an_older_cleaning_stored_them(home / "archive.db")

    again = cli("ingest", "--force", str(news))
    assert again.exit_code == 0, again.output
    assert json.loads(cli("history", "-f", "json").stdout)[0]["updated"] == 3
    assert found(cli, "नदी") == ids  # the same three articles, not six
    report = json.loads(cli("check", "-f", "json").stdout)
    assert report["healthy"] and report["articles"] == report["indexed"] == 3, report
    with sqlite3.connect(home / "archive.db") as db:
        assert not [body for (body,) in db.execute("SELECT body FROM articles") if "और पढ़ें" in (unpack(body) or "")]
    db.close()

    # the file edited: its first line is another article now; the one read from there before stays
    write_jsonl(news, [{**editorial(9), "title": "बाजार में तेजी"}, editorial(1), editorial(2)])
    assert cli("ingest", str(news)).exit_code == 0
    assert len(found(cli, "नदी")) == 4 and found(cli, "नदी")[:3] == ids
