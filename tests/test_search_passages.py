"""Pasted passages and "did you mean" (issue 31): a paragraph pasted as a query finds the article it came
from first, cut mid-word, without its punctuation or with its reduplicated words; a mistyped word is
offered the form the archive holds often. On a fixture archive written for these tests."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from archive.cli.app import app
from archive.search.passage import PASSAGE_WORDS
from tests.conftest import Run, write_jsonl

SOURCE = (
    "नदी के किनारे बसे गांव में इस साल बाढ़ ने भारी तबाही मचाई। किसानों की धान की फसल पूरी तरह डूब गई और "
    "कई परिवारों को ऊंचे टीलों पर शरण लेनी पड़ी। प्रशासन ने राहत शिविर लगाए, लेकिन ग्रामीणों का कहना है कि "
    "नावें समय पर नहीं पहुंचीं। धीरे-धीरे पानी उतरा तो टूटे हुए तटबंध की मरम्मत का सवाल फिर उठा। जिला "
    "अधिकारी ने बताया कि तटबंध की ऊंचाई बढ़ाने का प्रस्ताव राज्य सरकार को भेजा गया है और अगले मानसून से "
    "पहले काम पूरा करने का लक्ष्य रखा गया है। गांव के बुजुर्गों ने याद किया कि पिछले दशक में भी ऐसी ही बाढ़ "
    "आई थी और तब भी यही वादे किए गए थे।"
)
# the same subject in other words, and the source's words in another order
SIMILAR = (
    "बाढ़ के बाद गांव के किसानों ने राहत की मांग की। प्रशासन का कहना है कि शिविर में भोजन और दवाएं पहुंचाई "
    "गईं और नावें भी भेजी गईं। तटबंध की मरम्मत के लिए राज्य सरकार से धन मांगा गया है।"
)
SHUFFLED = " ".join(reversed(SOURCE.split()))


def article(title: str, body: str) -> dict[str, Any]:
    return {"title": title, "body": body, "source": "अमर उजाला", "url": f"https://news.example/{title}"}


ARTICLES = [
    article("बाढ़ से तबाही", SOURCE),  # 1
    article("राहत की मांग", SIMILAR),  # 2
    article("उलटा पाठ", SHUFFLED),  # 3
    article("प्रधानमंत्री का दौरा", "प्रधानमंत्री ने आज राज्य का दौरा किया।"),  # 4
    article("प्रधानमंत्री की सभा", "प्रधानमंत्री की सभा में भीड़ उमड़ी।"),  # 5
    article("प्रधानमंत्री का भाषण", "प्रधानमंत्री ने भाषण में विकास की बात की।"),  # 6
    article("एक भूल", "प्रधानमंंत्री ने बैठक बुलाई।"),  # 7: a misprint, once
    # the right spelling is common, as in a real archive (the misprint is in one article of a hundred)
    *(article(f"सभा {n}", f"प्रधानमंत्री ने जिले {n} में सभा की।") for n in range(30)),
]


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Run:
    folder = tmp_path_factory.mktemp("passages")
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        environment = {"ARCHIVE_HOME": None, "ARCHIVE_DB_URL": None}
        return runner.invoke(app, ["--home", str(folder / "home"), *args], env=environment, catch_exceptions=False)

    result = invoke("ingest", str(write_jsonl(folder / "passages.jsonl", ARTICLES)))
    assert result.exit_code == 0, result.output
    return invoke


def search(run: Run, query: str) -> dict[str, Any]:
    result = run("search", "--format", "json", "--limit", "10", "--", query)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def cut(text: str) -> str:
    """A passage as a reader copies it: starting and ending in the middle of a word."""
    return text[7:-9]


@pytest.mark.parametrize(
    "passage",
    [
        cut(SOURCE),
        re.sub(r"[।,\-]", " ", cut(SOURCE)),  # without punctuation, धीरे-धीरे spaced
        cut(SOURCE).replace("धीरे-धीरे", "धीरेधीरे"),
        cut(SOURCE)[: len(SOURCE) // 3] + " किसी और लेख के शब्द " + cut(SOURCE)[len(SOURCE) // 2 :],  # edited
        cut(SOURCE) + " (सुबह 10:30 बजे, Note: https://news.example/baadh)",  # colons of text, not fields
    ],
)
def test_a_pasted_passage_finds_its_source_first(archive: Run, passage: str) -> None:
    found = search(archive, passage)
    assert [hit["id"] for hit in found["hits"]][:1] == [1]
    assert any(note.startswith("Searched as a passage") for note in found["notes"])


def test_the_same_words_in_another_order_rank_after_the_source(archive: Run) -> None:
    ranked = [hit["id"] for hit in search(archive, cut(SOURCE))["hits"]]
    assert ranked.index(1) < ranked.index(3)
    assert 2 not in ranked  # another article on the subject holds too few of the passage's words


def test_a_short_query_is_not_a_passage(archive: Run) -> None:
    words = SOURCE.split()[: PASSAGE_WORDS - 1]
    found = search(archive, " ".join(words))
    assert not any(note.startswith("Searched as a passage") for note in found["notes"])


def test_a_long_query_with_operators_is_a_query(archive: Run) -> None:
    query = " OR ".join(SOURCE.split()[:PASSAGE_WORDS])
    found = search(archive, query)
    assert not any(note.startswith("Searched as a passage") for note in found["notes"])
    assert found["total"] >= 3


def test_did_you_mean_offers_the_form_the_archive_holds_often(archive: Run) -> None:
    found = search(archive, "प्रधानमंत्रि")
    assert found["total"] == 0
    assert found["suggestions"][:1] == ["प्रधानमंत्री"]
    assert "प्रधानमंंत्री" not in found["suggestions"]


def test_a_quoted_mistyped_word_is_offered_its_spelling_too(archive: Run) -> None:
    assert search(archive, '"प्रधानमंत्रि"')["suggestions"][:1] == ["प्रधानमंत्री"]


def test_a_passage_the_archive_holds_no_word_of_says_so(archive: Run) -> None:
    found = search(archive, " ".join(["zxqv", "qqzx", "vvqz"] * 5))
    assert found["total"] == 0 and found["notes"][-1].endswith("the archive holds none of them.")


def test_did_you_mean_stays_quiet_when_the_words_are_in_the_archive(archive: Run) -> None:
    found = search(archive, "प्रधानमंत्री तबाही")
    assert found["total"] == 0
    assert found["suggestions"] == []


def test_the_command_line_repeats_a_passage_by_its_first_words(archive: Run) -> None:
    passage = cut(SOURCE)
    first = archive("search", "--", passage).stdout.splitlines()[0]
    assert "match '" in first and len(first) < 160 and f"({len(passage)} characters)" in first
