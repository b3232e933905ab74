"""Results a Hindi reader can trust (issue 17): hyphenated words, dated sorting, a year as a query, browsing by
filter, and saying why nothing matched, on a fixture archive written for these tests (article ``i`` of
``ARTICLES`` has id ``i + 1``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from archive.config import Settings
from tests.conftest import Cli, Run, ingested, write_jsonl


def article(title: str, body: str, day: str | None = None, source: str = "दैनिक जागरण") -> dict[str, Any]:
    record = {"title": title, "body": body, "source": source, "url": f"https://news.example/{title}"}
    return record | ({"date": day} if day else {})


ARTICLES = [
    article("घाटी में मतदान", "जम्मू-कश्मीर में विधानसभा चुनाव के पहले चरण का मतदान शांतिपूर्ण रहा।", "2016-03-01"),
    article("सुरक्षा की समीक्षा", "जम्मू कश्मीर की सुरक्षा पर गृह मंत्रालय में बैठक हुई।", "2017-05-02"),
    article("पुलिस भर्ती", "जम्मूकश्मीर पुलिस में सिपाहियों की भर्ती शुरू हुई।", "2018-01-03"),
    article("मौसम का हाल", "जम्मू में तेज बारिश से सड़कें डूब गईं और कश्मीर का रास्ता नहीं खुला।", "2016-07-04"),
    article("बर्फबारी", "कश्मीर में भारी बर्फबारी से यातायात थम गया।", "2015-12-05"),
    article("शिखर वार्ता", "भारत-रूस शिखर वार्ता में 2016-17 के व्यापार लक्ष्य तय हुए।", "2016-10-06"),
    # undated, and on the subject of the dated ones below
    article("प्रधानमंत्री का भाषण", "प्रधानमंत्री मोदी ने किसानों को संबोधित किया।"),
    article("मोदी की रैली", "प्रधानमंत्री मोदी ने रैली में विकास की बात कही।", "2015-04-07", "अमर उजाला"),
    article("बजट पर मोदी", "मोदी सरकार के बजट पर विपक्ष ने सवाल उठाए।", "2019-02-08", "अमर उजाला"),
    article("मोदी का दौरा", "मोदी के विदेश दौरे की तैयारियां पूरी हुईं।", "2020-11-09"),
    article("पुरानी यादें", "वर्ष 2015 की बाढ़ को लोग आज भी याद करते हैं।"),  # undated, says the year
    article("नई योजना", "सरकार ने सिंचाई की नई योजना घोषित की।", "2015-08-10", "अमर उजाला"),  # dated 2015, silent
]


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    """The articles above, ingested once: these tests only read them."""
    return ingested(tmp_path_factory, "trust", ARTICLES)


def found(run: Run, *args: str) -> dict[str, Any]:
    result = run("search", *args, "--format", "json", "--limit", "100")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def ids(run: Run, *args: str) -> list[int]:
    return [hit["id"] for hit in found(run, *args)["hits"]]


# --- 1. hyphens ---------------------------------------------------------------------------------------


def test_a_hyphenated_word_finds_its_hyphenated_spaced_and_joined_spellings(archive: Run) -> None:
    assert sorted(ids(archive, "जम्मू-कश्मीर")) == [1, 2, 3]
    # the parts apart are not the hyphenated word: article 4 has both words, in two places
    assert 4 not in ids(archive, "जम्मू-कश्मीर")
    assert sorted(ids(archive, "भारत-रूस")) == [6]
    assert sorted(ids(archive, "2016-17")) == [6]
    assert ids(archive, "title:जम्मू-कश्मीर") == []  # in bodies only
    assert ids(archive, "title:शिखर-वार्ता") == [6]


def test_a_minus_after_a_space_still_excludes(archive: Run) -> None:
    assert sorted(ids(archive, "कश्मीर -जम्मू")) == [5]
    assert sorted(ids(archive, "कश्मीर -जम्मू-कश्मीर")) == [4, 5]


def test_a_dash_standing_alone_is_left_out_with_a_note(archive: Run) -> None:
    data = found(archive, "जम्मू - बारिश")
    assert [hit["id"] for hit in data["hits"]] == [4]
    assert data["notes"] == [
        "Left out the '-' standing alone at position 7: join it to a word (-word leaves the word out, +word "
        "requires it)."
    ]


# --- 5. dates -----------------------------------------------------------------------------------------

UNDATED = [7, 11]


def test_sorting_by_date_puts_undated_articles_last_both_ways(archive: Run) -> None:
    newest = ids(archive, "मोदी", "--sort", "newest")
    assert newest == [10, 9, 8, 7]
    assert ids(archive, "मोदी", "--sort", "oldest") == [8, 9, 10, 7]
    every = ids(archive, "--sort", "newest")
    assert every[-2:] == sorted(UNDATED, reverse=True) and len(every) == len(ARTICLES)


def test_dated_and_undated_filter_and_facet(archive: Run) -> None:
    assert sorted(ids(archive, "मोदी", "--undated")) == [7]
    assert sorted(ids(archive, "मोदी", "--dated")) == [8, 9, 10]
    facets = found(archive, "मोदी", "--facet", "year")["facets"]["year"]
    assert facets == [
        {"value": "2015", "count": 1},
        {"value": "2019", "count": 1},
        {"value": "2020", "count": 1},
        {"value": "undated", "count": 1},
    ]


def test_a_year_alone_also_finds_the_articles_dated_in_it_after_those_that_say_it(archive: Run) -> None:
    dated_2015 = [i + 1 for i, a in enumerate(ARTICLES) if a.get("date", "").startswith("2015")]
    for query in ("2015", "२०१५"):
        data = found(archive, query)
        hits = [hit["id"] for hit in data["hits"]]
        assert hits[0] == 11  # the one whose text says 2015
        assert sorted(hits[1:]) == sorted(dated_2015)
        assert data["notes"] == ["Also listed: 3 articles dated in 2015, after those whose text says it."]


# --- 7. browsing ---------------------------------------------------------------------------------------


def test_no_query_lists_what_the_filters_let_through_newest_first(archive: Run) -> None:
    assert ids(archive, "--source", "अमर उजाला") == [9, 12, 8]
    assert ids(archive, "--source", "अमर उजाला", "--sort", "oldest") == [8, 12, 9]
    assert ids(archive, "--since", "2018-01-01") == [10, 9, 3]
    assert found(archive)["total"] == len(ARTICLES)
    assert ids(archive, "*", "--since", "2018-01-01") == [10, 9, 3]


def test_browsing_in_text_says_what_it_lists(archive: Run) -> None:
    result = archive("search", "--source", "अमर उजाला", "--limit", "1")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("3 articles match the filters:\n")


# --- 8. why nothing matched ------------------------------------------------------------------------------


def test_filters_that_leave_nothing_are_named_and_no_spelling_is_blamed(archive: Run) -> None:
    data = found(archive, "मोदी", "--since", "2030-01-01")
    assert data["total"] == 0 and data["suggestions"] == []
    assert data["notes"] == ["4 articles match 'मोदी'; none dated 2030-01-01 or later."]
    data = found(archive, "मोदी", "--source", "अमर उजाला", "--until", "2014-12-31")
    assert data["notes"] == ["4 articles match 'मोदी'; none from अमर उजाला, dated 2014-12-31 or earlier."]


def test_a_misspelt_word_still_gets_suggestions(archive: Run) -> None:
    data = found(archive, "बर्फबारि")
    assert data["total"] == 0 and data["notes"] == []
    assert "बर्फबारी" in data["suggestions"]


def test_an_inverted_date_range_is_an_error(archive: Run) -> None:
    result = archive("search", "मोदी", "--since", "2020-01-01", "--until", "2019-01-01")
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "Error: The dates are the wrong way round: --since 2020-01-01 is after --until 2019-01-01; swap them."
    )


# --- 2. acronyms and English words; 3. synonyms; 9. outlets ----------------------------------------------

WORDS = [
    article("कर सुधार", "जीएसटी की नई दरें आज से लागू हुईं।", "2017-07-01"),
    article("गश्त बढ़ी", "सीमा पर पुलिस की गस्त बढ़ा दी गई है।", "2017-07-02"),
    article("ब्याज दरें", "आरबीआई ने ब्याज दरों में कटौती की।", "2019-02-07", "Amar Ujala"),
    article("फसल", "रबी की फसल की बुवाई शुरू हुई।", "2019-11-01", "अमर उजाला"),
    article("बंदी", "देशभर में लॉकडाउन बढ़ा दिया गया।", "2020-04-14", "अमरउजाला"),
    article("टीका", "वैक्सीन का परीक्षण अंतिम चरण में है।", "2020-11-20"),
    article("भ्रष्टाचार पर वार", "सरकार ने भ्रष्टाचार के खिलाफ अभियान छेड़ा।", "2016-05-05"),
    article("दल की बैठक", "बीजेपी की राष्ट्रीय कार्यकारिणी की बैठक हुई।", "2018-09-08"),
    article("चुनाव प्रचार", "भाजपा ने प्रचार तेज किया।", "2018-09-09"),
    article("घोषणा पत्र", "भारतीय जनता पार्टी ने घोषणा पत्र जारी किया।", "2018-09-10"),
    article("मंदिर में योग", "योगी आदित्यनाथ ने मंदिर में पूजा की।", "2018-10-10"),
    article("नतीजे", "एग्जिट पोल के नतीजे आए।", "2019-05-19"),
    article("बहस", "एक्जिट पोल पर बहस हुई।", "2019-05-20"),
    article("नई बीमारी", "नया वायरस फैला।", "2020-01-20"),
    article("बचाव", "वाइरस से बचाव के उपाय बताए गए।", "2020-01-21"),
    article("इलाज", "डॉक्टर ने मरीज का इलाज किया।", "2020-02-01"),
    article("बीमा", "नई बीमा पॉलिसी लागू हुई।", "2020-02-02"),
]


@pytest.fixture
def words(run: Run, tmp_path: Path) -> Run:
    result = run("ingest", str(write_jsonl(tmp_path / "words.jsonl", WORDS)))
    assert result.exit_code == 0, result.output
    return run


def test_an_acronym_finds_its_devanagari_letter_names_and_not_a_word_with_its_consonants(words: Run) -> None:
    assert ids(words, "GST") == [1]  # not गस्त (patrol)
    assert ids(words, "RBI") == [3]  # not रबी (the crop)
    assert ids(words, "gst") == [1]  # no vowel: an acronym in small letters
    assert found(words, "GST")["expanded"][0] == "जीएसटी"


def test_english_and_romanised_words_find_their_devanagari_spellings(words: Run) -> None:
    assert ids(words, "lockdown") == [5]
    assert ids(words, "vaccine") == [6]
    assert ids(words, "bhrashtachar") == [7]  # a conjunct, ष्ट
    assert ids(words, "yogi") == [11]
    assert ids(words, "doctor") == [16]  # read as it sounds: doktor
    assert ids(words, "police") == [2]  # पुलिस, not पॉलिसी (policy)


def test_loanwords_spelt_with_another_consonant_or_a_glide_meet(words: Run) -> None:
    assert ids(words, "एग्जिट") == [12, 13] and ids(words, "एक्जिट") == [13, 12]  # the form typed first
    assert ids(words, "वायरस") == [14, 15] and ids(words, "वाइरस") == [15, 14]
    assert "एक्जिट" in found(words, "एग्जिट")["expanded"]


def test_synonyms_shipped_apply_and_appear_in_searched(words: Run) -> None:
    for query in ("भाजपा", "बीजेपी", "BJP", '~"भारतीय जनता पार्टी"'):
        data = found(words, query)
        assert sorted(hit["id"] for hit in data["hits"]) == [8, 9, 10], query
    # the word as typed ranks first
    assert ids(words, "बीजेपी")[0] == 8
    assert "भारतीय जनता पार्टी" in found(words, "भाजपा")["expanded"]
    # a synonym phrase's words are not marked one by one (भारतीय, पार्टी stand alone in many an article)
    marked = {
        hit["id"]: [hit["snippet"][start:end] for start, end in hit["highlights"]]
        for hit in found(words, "बीजेपी")["hits"]
    }
    assert marked == {8: ["बीजेपी"], 9: ["भाजपा"], 10: []}


def test_synonyms_are_the_users_to_change(words: Run) -> None:
    assert ids(words, "बोआई") == []
    result = words("synonyms", "add", "बुवाई", "बोआई")
    assert result.exit_code == 0 and result.stdout == "synonyms: बुवाई, बोआई\n", result.output
    assert "बुवाई, बोआई" in words("synonyms", "list").stdout.splitlines()
    assert ids(words, "बोआई") == [4] and "बुवाई" in found(words, "बोआई")["expanded"]
    # a group that shares a word takes the new ones
    words("synonyms", "add", "बोआई", "बिजाई")
    assert "बुवाई, बोआई, बिजाई" in words("synonyms", "list").stdout.splitlines()
    assert ids(words, "बिजाई") == [4]
    result = words("synonyms", "remove", "बीजेपी", "BJP")
    assert result.exit_code == 0 and result.stdout == "removed: बीजेपी, BJP\n"
    assert sorted(ids(words, "भाजपा")) == [9, 10]
    result = words("synonyms", "remove", "नहीं-है")
    assert result.exit_code == 1 and "No synonym group has 'नहीं-है'" in result.stderr
    assert words("synonyms", "add", "अकेला").exit_code == 2


def test_an_outlet_is_one_whichever_script_or_spelling_names_it(words: Run) -> None:
    for spelling in ("अमर उजाला", "Amar Ujala", "amar ujala", "अमरउजाला"):
        assert sorted(ids(words, "--source", spelling)) == [3, 4, 5], spelling
    facet = found(words, "--facet", "source")["facets"]["source"]
    assert {"value": "Amar Ujala", "count": 3} in facet or {"value": "अमर उजाला", "count": 3} in facet
    data = json.loads(words("sources", "--format", "json").stdout)
    amar = next(o for o in data if o["articles"] == 3)
    assert sorted((s["name"], s["articles"]) for s in amar["spellings"]) == [
        ("Amar Ujala", 1),
        ("अमर उजाला", 1),
        ("अमरउजाला", 1),
    ]
    text = words("sources").stdout
    assert text.startswith("2 outlets (--source takes any spelling shown):\n")


# --- 10. similar articles -----------------------------------------------------------------------------------

SPORTS = [
    article("मुंबई में भारत जीता", "मुंबई, 5 मार्च (भाषा)। मुंबई के वानखेड़े स्टेडियम में भारत ने क्रिकेट मैच में "
            "ऑस्ट्रेलिया को हराया। कोहली ने शतक जड़ा और गेंदबाजों ने विकेट झटके। बल्लेबाजों ने रन बटोरे।", "2019-03-05"),
    article("मुंबई क्लब की जीत", "मुंबई, 6 मार्च (भाषा)। मुंबई के फुटबॉल क्लब ने मुंबई स्टेडियम में लीग मैच में गोल "
            "दागकर जीत दर्ज की। मुंबई के दर्शक मुंबई के मैदान में उमड़े और मुंबई में जश्न हुआ।", "2019-03-06"),
    article("इंग्लैंड हारा", "कोलकाता, 7 मार्च (भाषा)। ईडन गार्डन्स में भारत ने क्रिकेट के मुकाबले में इंग्लैंड को "
            "हराया। रोहित ने शतक लगाया और गेंदबाजों ने विकेट लिए। बल्लेबाजों ने रन बनाए।", "2019-03-07"),
    article("हॉकी", "चेन्नई, 8 मार्च। हॉकी टीम ने अभ्यास शिविर में पसीना बहाया।", "2019-03-08"),
    article("बारिश", "पटना, 9 मार्च। तेज बारिश से शहर की सड़कें डूब गईं।", "2019-03-09"),
    article("बजट", "दिल्ली, 10 मार्च। वित्त मंत्री ने संसद में बजट पेश किया।", "2019-03-10"),
    article("चुनाव", "लखनऊ, 11 मार्च। आयोग ने चुनाव की तारीखें घोषित कीं।", "2019-03-11"),
    article("जाम", "पुणे, 12 मार्च। पुणे की सड़कों पर भारी जाम लगा।", "2019-03-12"),
]  # fmt: skip


def test_similar_articles_share_the_subject_not_the_dateline(run: Run, tmp_path: Path) -> None:
    assert run("ingest", str(write_jsonl(tmp_path / "sports.jsonl", SPORTS))).exit_code == 0
    result = run("similar", "1", "--format", "json")
    assert result.exit_code == 0, result.output
    hits = [hit["id"] for hit in json.loads(result.stdout)["hits"]]
    assert hits[:2] == [3, 2]  # the other cricket report, from another city, before the football from this one
    assert 1 not in hits


def test_a_long_open_session_sees_synonyms_changed_elsewhere(
    words: Run, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from archive import Archive
    from archive.search import session

    with Archive(settings=settings) as serving, Archive(settings=settings) as other:
        assert [hit.id for hit in serving.search("बोआई").hits] == []
        other.add_synonyms(["बुवाई", "बोआई"])
        assert [hit.id for hit in other.search("बोआई").hits] == [4]  # its own change, at once
        # the open session reads them again once its interval has passed: here at once, instead of a sleep
        monkeypatch.setattr(session, "SYNONYMS_SECONDS", 0.0)
        assert [hit.id for hit in serving.search("बोआई").hits] == [4]
