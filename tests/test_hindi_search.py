"""What a Hindi reader expects of search, through the CLI, on small articles written for the tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Cli, Run, ingested, write_jsonl

ARTICLES = [
    # (title, body)
    ("गंगा की सफाई", "गङ्गा नदी की सफाई पर सम्पादक ने लिखा।"),
    ("ठंड का प्रकोप", "उत्तर भारत में ठण्ड बढ़ी, पण्डित जी ने पूजा की।"),
    ("कंपनी के नतीजे", "कम्पनी का मुनाफा बढ़ा।"),
    ("हंसी का दिन", "बच्चों की हँसी गूंजी।"),
    ("अदालत का फ़ैसला", "क़ानून के तहत ज़रूरत पड़ी।"),
    ("जरूरी कानून", "अदालत ने फैसला सुनाया कि कानून की जरूरत है।"),
    ("ऑस्ट्रेलिया का दौरा", "बॉलीवुड सितारे और हॉकी टीम रवाना।"),
    ("आस्ट्रेलिया में मैच", "बालीवुड की फिल्म और हाकी का खेल।"),
    ("दिवाली का त्योहार", "दीवाली पर बाजार सजे।"),
    ("लड़का पास", "लड़के और लड़कों ने परीक्षा दी; नदियों में बाढ़।"),
    ("नदी किनारे", "एक नदी बहती है और बातें होती हैं।"),
    ("देशों की बैठक", "कई देशों के अधिकारियों ने बात की।"),
    ("अधिकार का सवाल", "नागरिकों के अधिकार पर बहस।"),
    ("कॉफी की खेती", "कर्नाटक में कॉफी उगाई जाती है।"),
    ("काफी बारिश", "इस साल काफी बारिश हुई।"),
    ("हॉल में सभा", "टाउन हॉल में लोग जुटे।"),
    ("देश का हाल", "देश का हाल बुरा है।"),
    ("दीन की सेवा", "दीन दुखियों की सेवा।"),
    ("एक दिन", "वह दिन याद रहेगा।"),
    ("शंकर की कथा", "शंकर भगवान की पूजा।"),
    ("विदेश मंत्री जयशंकर", "जयशंकर ने बयान दिया।"),
    ("कोरोना पर WHO", "WHO ने COVID-19 को महामारी कहा।"),
    ("ज़ेलेंस्की का भाषण", "ज़ेलेंस्की ने संसद को संबोधित किया।"),
    ("जेलेन्स्की की अपील", "जेलेन्स्की ने मदद मांगी।"),
    ("बाइडन की यात्रा", "राष्ट्रपति बाइडन पहुंचे।"),
    ("बाइडेन का बयान", "राष्ट्रपति बाइडेन ने कहा।"),
    ("नेतन्याहू की सरकार", "नेतन्याहू ने इस्तीफा दिया।"),
    ("नेतान्याहू का दौरा", "नेतान्याहू भारत आए।"),
    ("ट्रम्प का ट्वीट", "ट्रंप ने लिखा।"),
    ("सरकारों की नीति", "राज्य सरकारों ने नीति बदली।"),
    ("भारत सरकार", "भारत की सरकार ने फैसला किया।"),
    ("चुनाव जीतेंगे", "लोग चुनाव जीतेंगे और नेता प्रचार करते हैं।"),
    ("जीतना जरूरी", "मैच जीतना जरूरी है।"),
    ("१९ साल बाद", "पूरे 19 साल बाद जीत।"),
]


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    """The articles above, ingested once: these tests only read them."""
    records = [{"title": t, "body": b, "url": f"https://t/{i}"} for i, (t, b) in enumerate(ARTICLES)]
    return ingested(tmp_path_factory, "hindi", records)


def titles(run: Run, query: str) -> set[str]:
    result = run("search", query, "--format", "json", "--limit", "50")
    assert result.exit_code == 0, result.output
    return {hit["title"] for hit in json.loads(result.stdout)["hits"]}


def found(run: Run, query: str) -> dict:  # type: ignore[type-arg]
    result = run("search", query, "--format", "json", "--limit", "50")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # nasals: anusvara and nasal consonant + virama
        ("गंगा", {"गंगा की सफाई"}),
        ("गङ्गा", {"गंगा की सफाई"}),
        ("ठंड", {"ठंड का प्रकोप"}),
        ("पंडित", {"ठंड का प्रकोप"}),
        ("संपादक", {"गंगा की सफाई"}),
        ("कंपनी", {"कंपनी के नतीजे"}),
        ("हंसी", {"हंसी का दिन"}),
        ("हँसी", {"हंसी का दिन"}),
        # nukta typed or left out
        ("फैसला", {"अदालत का फ़ैसला", "जरूरी कानून", "भारत सरकार"}),
        ("ज़रूरत", {"अदालत का फ़ैसला", "जरूरी कानून"}),
        ("क़ानून", {"अदालत का फ़ैसला", "जरूरी कानून"}),
        ("\u0958ानून", {"अदालत का फ़ैसला", "जरूरी कानून"}),
        # candra vowels of loanwords
        ("ऑस्ट्रेलिया", {"ऑस्ट्रेलिया का दौरा", "आस्ट्रेलिया में मैच"}),
        ("आस्ट्रेलिया", {"ऑस्ट्रेलिया का दौरा", "आस्ट्रेलिया में मैच"}),
        ("बॉलीवुड", {"ऑस्ट्रेलिया का दौरा", "आस्ट्रेलिया में मैच"}),
        ("हाकी", {"ऑस्ट्रेलिया का दौरा", "आस्ट्रेलिया में मैच"}),
        # vowel length and transliterated names
        ("दीवाली", {"दिवाली का त्योहार"}),
        ("ज़ेलेंस्की", {"ज़ेलेंस्की का भाषण", "जेलेन्स्की की अपील"}),
        ("बाइडन", {"बाइडन की यात्रा", "बाइडेन का बयान"}),
        ("नेतन्याहू", {"नेतन्याहू की सरकार", "नेतान्याहू का दौरा"}),
        ("ट्रम्प", {"ट्रम्प का ट्वीट"}),
        # inflection
        ("लड़का", {"लड़का पास"}),
        ("लड़कों", {"लड़का पास"}),
        ("नदी", {"लड़का पास", "नदी किनारे", "गंगा की सफाई"}),
        ("बात", {"नदी किनारे", "देशों की बैठक"}),
        ("देश", {"देशों की बैठक", "देश का हाल"}),
        ("अधिकारी", {"देशों की बैठक"}),
        ("सरकार", {"सरकारों की नीति", "भारत सरकार", "नेतन्याहू की सरकार"}),
        ("जीतते", {"चुनाव जीतेंगे", "जीतना जरूरी", "१९ साल बाद"}),
        # digits and mixed script
        ("19", {"१९ साल बाद", "कोरोना पर WHO"}),  # COVID-19 holds a 19 too
        ("१९", {"१९ साल बाद", "कोरोना पर WHO"}),
        ("covid", {"कोरोना पर WHO"}),
        ("who", {"कोरोना पर WHO"}),
    ],
)
def test_variants_and_inflections_are_found(archive: Run, query: str, expected: set[str]) -> None:
    assert titles(archive, query) == expected


@pytest.mark.parametrize(
    ("query", "must_not_find"),
    [
        ("कॉफी", "काफी बारिश"),
        ("काफी", "कॉफी की खेती"),
        ("हॉल", "देश का हाल"),
        ("हाल", "हॉल में सभा"),
        ("दीन", "एक दिन"),
        ("दिन", "दीन की सेवा"),
        ("शंकर", "विदेश मंत्री जयशंकर"),
        ("अधिकार", "देशों की बैठक"),
    ],
)
def test_precision_traps_hold(archive: Run, query: str, must_not_find: str) -> None:
    hits = titles(archive, query)
    assert hits and must_not_find not in hits


def test_exact_form_ranks_above_variants(archive: Run) -> None:
    data = found(archive, "जेलेन्स्की")
    assert [h["title"] for h in data["hits"]] == ["जेलेन्स्की की अपील", "ज़ेलेंस्की का भाषण"]
    data = found(archive, "ज़ेलेंस्की")
    assert [h["title"] for h in data["hits"]] == ["ज़ेलेंस्की का भाषण", "जेलेन्स्की की अपील"]


def test_expanded_forms_are_reported(archive: Run) -> None:
    assert found(archive, "नेतन्याहू")["expanded"] == ["नेतन्याहू", "नेतान्याहू"]
    text = archive("search", "बाइडन").stdout
    assert "searched: बाइडन, बाइडेन" in text


@pytest.mark.parametrize(
    ("query", "expected"),
    [("sarkar", "सरकार"), ("bharat", "भारत"), ("jaishankar", "जयशंकर"), ("netanyahu", "नेतन्याहू")],
)
def test_romanised_queries_reach_devanagari(archive: Run, query: str, expected: str) -> None:
    data = found(archive, query)
    assert expected in data["expanded"]
    assert data["total"] >= 1
    assert any(expected in hit["title"] or expected in hit["snippet"] for hit in data["hits"])


def test_phrase_still_works_after_stemming(archive: Run) -> None:
    assert titles(archive, '"राज्य सरकारों"') == {"सरकारों की नीति"}
    assert titles(archive, '~"राज्य सरकार"') == {"सरकारों की नीति"}  # the phrase in another inflection
    assert titles(archive, '"राज्य सरकार"') == set()  # quotes: exactly as typed
    assert titles(archive, '~"सरकार राज्य"') == set()


def test_snippets_mark_every_matched_form(archive: Run) -> None:
    data = found(archive, "लड़का")
    hit = data["hits"][0]
    assert {hit["snippet"][start:end] for start, end in hit["highlights"]} == {"लड़के", "लड़कों"}


def test_did_you_mean(archive: Run) -> None:
    data = found(archive, "नेतन्याहु")
    assert data["total"] == 0 or "नेतन्याहू" in data["expanded"]
    data = found(archive, "कम्पनीज")
    assert data["total"] == 0 and "कम्पनी" in data["suggestions"]
    assert "did you mean: " in archive("search", "कम्पनीज").stdout


def test_query_of_only_stopwords_is_explained(archive: Run) -> None:
    result = archive("search", "का और है")
    assert result.exit_code == 2
    assert "only very common words" in result.stderr


def test_vocabulary_follows_small_ingests(run: Run, tmp_path: Path) -> None:
    """After the first ingest the vocabulary is updated word by word; new spellings still join in."""
    run("ingest", str(write_jsonl(tmp_path / "a.jsonl", [{"title": "नेतन्याहू का दौरा", "body": "नेतन्याहू भारत आए।"}])))
    assert found(run, "नेतन्याहू")["expanded"] == ["नेतन्याहू"]
    run("ingest", str(write_jsonl(tmp_path / "b.jsonl", [{"title": "नेतान्याहू का बयान", "body": "नेतान्याहू बोले।"}])))
    data = found(run, "नेतन्याहू")
    assert data["expanded"] == ["नेतन्याहू", "नेतान्याहू"] and data["total"] == 2
