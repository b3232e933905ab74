"""Dates and cleaning rules, one by one: what each removes or moves, and what it must leave alone."""

from __future__ import annotations

from datetime import date

import pytest

from archive.readers.article import make_record
from archive.readers.clean import (
    Credit,
    author_name,
    clean_line,
    drop_also_read,
    drop_repeated_title,
    html_to_text,
    is_share_row,
    paragraphs,
    split_credit,
    split_title_outlet,
)
from archive.readers.dates import parse_date, read_date
from archive.readers.records import ArticleRecord, RejectedRecord

# --- dates ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "2016-01-25",
        "2016-01-25T23:30:00+05:30",
        "2016-01-25 10:00:00",
        "2016-01-25T10:00:00Z",
        "25.01.2016",
        "25/01/2016",
        "25-01-2016",
        "25 .01. 2016",
        "२५.०१.२०१६",
        "25 जनवरी 2016",
        "२५ जनवरी, २०१६",
        "जनवरी 25, 2016",
        "25 January 2016",
        "25 Jan 2016",
        "January 25, 2016",
        "Jan. 25th, 2016",
        "25-Jan-2016",
        "सोमवार, 25 जनवरी 2016",
        "Monday, 25 January 2016 10:30 AM IST",
        "25 जनवरी 2016, 10:30 बजे",
        "Mon, 25 Jan 2016 01:30:00 +0530",
    ],
)
def test_dates_hindi_news_writes(text: str) -> None:
    assert parse_date(text) == date(2016, 1, 25)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("8.02.2016", date(2016, 2, 8)),
        ("01.02.2016", date(2016, 2, 1)),  # day first, as Indian papers write it
        ("29 फ़रवरी 2016", date(2016, 2, 29)),  # with nukta
        ("5 सितम्बर 2015", date(2015, 9, 5)),
        ("5 सितंबर 2015", date(2015, 9, 5)),
        ("12 अक्तूबर 2015", date(2015, 10, 12)),
        ("Sept 5, 2015", date(2015, 9, 5)),
    ],
)
def test_date_spellings(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text",
    ["32.13.2016", "29.02.2015", "13/25/2016", "25.01.16", "01.032016", "कल", "", "2016", "जनवरी 2016", "0000-01-01"],
)
def test_dates_that_cannot_be_read_are_not_guessed(text: str) -> None:
    assert parse_date(text) is None


def test_an_unreadable_date_is_a_note_not_a_rejection() -> None:
    assert read_date(" 32.13.2016 ") == (None, "date '32.13.2016' could not be read; left empty")


# --- lines and paragraphs -----------------------------------------------------------------------------------


def test_clean_line_keeps_meaning() -> None:
    assert clean_line("\u0928\u093c") == "\u0929"  # न + nukta composes under NFC
    assert clean_line("\u0958") == "\u0915\u093c"  # क़ precomposed decomposes: both typings become one
    assert clean_line("रा\u200dष्ट्र") == "रा\u200dष्ट्र"  # ZWJ chooses a glyph: kept
    assert clean_line("एक\x00\x1b दो\u00a0\u00a0 तीन\t।") == "एक दो तीन।"
    assert clean_line("\ufeffपाठ ॥") == "पाठ॥"


def test_paragraphs_drop_debris_lines_and_leading_commas() -> None:
    text = " पहला   वाक्य ।\r\n\r\n,  ।\n, \u00a0, दूसरा वाक्य।\n***\n—\n३।"
    assert paragraphs(text) == ["पहला वाक्य।", "दूसरा वाक्य।", "३।"]


@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [
        ("facebook twitter instagram", True),
        ("Facebook | Twitter | WhatsApp | Email", True),
        ("शेयर करें: फेसबुक ट्विटर व्हाट्सएप", True),
        ("Share", True),
        ("उन्होंने facebook पर लिखा", False),
        ("शेयर बाजार में तेजी", False),
        ("facebookपर", False),
    ],
)
def test_share_rows(paragraph: str, expected: bool) -> None:
    assert is_share_row(paragraph) is expected


def test_also_read_lines_and_their_linked_headline_go() -> None:
    long_para = "यह एक लंबा अनुच्छेद है। " * 10
    paras = [
        "पहला।",
        "यह भी पढ़ें",
        "मुंबई में अलर्ट",
        "दूसरा।",
        "ये भी पढ़ें: पहाड़ों पर बर्फबारी",
        "Also Read:",
        "Snow in the hills",
        "इसे भी पढ़ें -",
        long_para,  # not a linked headline: kept
        "» और पढ़ें",
        "तीसरा।",
        "यह भी पढ़ें दिल्ली में प्रदूषण घटा",
        "लोगों से अपील है कि वे यह भी पढ़ें कि नियम क्या हैं।",  # a sentence, not a marker
        "यह भी पढ़ें कि नियम क्या हैं।",
    ]
    assert drop_also_read(paras) == ["पहला।", "दूसरा।", long_para, "तीसरा।", *paras[-2:]]


def test_repeated_headline_as_first_paragraph_goes() -> None:
    assert drop_repeated_title(["बजट की दिशा"], ["बजट की दिशा।", "पाठ।"]) == ["पाठ।"]
    assert drop_repeated_title(["बजट की दिशा"], ["पाठ।", "बजट की दिशा"]) == ["पाठ।", "बजट की दिशा"]
    assert drop_repeated_title(["बजट"], ["बजट की दिशा पर बहस।"]) == ["बजट की दिशा पर बहस।"]


# --- outlets and credit lines -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("फैसले का संदेश (जनसत्ता)।", ("फैसले का संदेश", "जनसत्ता")),
        ("पंचायतों की तस्वीर (जनसत्ता )।", ("पंचायतों की तस्वीर", "जनसत्ता")),
        ("कर्ज का बोझ ( दैनिक जागरण : Editorial)।", ("कर्ज का बोझ", "दैनिक जागरण")),
        ("चीन की चाल (BBC-हिन्दी)।", ("चीन की चाल", "BBC-हिन्दी")),
        ("फैसले का संदेश (जनसत्ता)", ("फैसले का संदेश (जनसत्ता)", None)),  # no danda: not the suffix
        ("चुनाव के नतीजे (2019)।", ("चुनाव के नतीजे (2019)।", None)),
        ("भारत (और चीन) के संबंध", ("भारत (और चीन) के संबंध", None)),
    ],
)
def test_title_outlet_suffix(title: str, expected: tuple[str, str | None]) -> None:
    assert split_title_outlet(title) == expected


@pytest.mark.parametrize(
    ("line", "credit", "left"),
    [
        ("सौजन्य- दैनिक जागरण।", Credit("दैनिक जागरण", None, None, None), None),
        ("सौजन्य :- अमर उजाला,25.01.2016", Credit("अमर उजाला", "25.01.2016", date(2016, 1, 25), None), None),
        ("सौजन्य – हिन्दुस्तान, 29-11-2016।", Credit("हिन्दुस्तान", "29-11-2016", date(2016, 11, 29), None), None),
        ("सौजन्य – दैनिक जागरण (05.08.2016)।", Credit("दैनिक जागरण", "05.08.2016", date(2016, 8, 5), None), None),
        (
            "सौजन्य :दैनिक जागरण.4.3.2016, लेखक नाम।",
            Credit("दैनिक जागरण", "4.3.2016", date(2016, 3, 4), "लेखक नाम"),
            "लेखक नाम",
        ),
        (
            "सौजन्य ;- कोई लेखक (पूर्व मंत्री, सांसद), दैनिक जागरण ,२१.१०.२०१५।",
            Credit("दैनिक जागरण", "२१.१०.२०१५", date(2015, 10, 21), "कोई लेखक (पूर्व मंत्री, सांसद)"),
            "कोई लेखक (पूर्व मंत्री, सांसद)",
        ),
        (
            "स्थानीय संपादकीय : बिहार , सौजन्य – दैनिक जागरण।",
            Credit("दैनिक जागरण", None, None, "स्थानीय संपादकीय : बिहार"),
            "स्थानीय संपादकीय : बिहार",
        ),
        ("साभार: प्रभात खबर", Credit("प्रभात खबर", None, None, None), None),
        ("Courtesy: Business Standard", Credit("Business Standard", None, None, None), None),
        ("सौजन्य- जनसत्ता, 32.13.2016।", Credit("जनसत्ता", "32.13.2016", None, None), None),
    ],
)
def test_credit_lines(line: str, credit: Credit, left: str | None) -> None:
    body, found = split_credit(["पाठ।", line])
    assert found == credit
    assert body == ["पाठ।", *([left] if left else [])]


@pytest.mark.parametrize(
    "paras",
    [
        ["पाठ।", "यह एक सौजन्य मुलाकात थी।"],  # "a courtesy call": no separator after the word
        ["सौजन्य- दैनिक जागरण।", "पाठ।"],  # not at the end
        ["पाठ।", "सौजन्य- यह वाक्य किसी अख़बार का नाम नहीं बल्कि पूरा वाक्य है।"],  # too many words for an outlet
    ],
)
def test_what_is_not_a_credit_line(paras: list[str]) -> None:
    assert split_credit(paras) == (paras, None)


# --- a whole record -----------------------------------------------------------------------------------------


def record(**fields: object) -> ArticleRecord | RejectedRecord:
    return make_record(fields, origin_file="f", origin_record="1", original=None)


def test_the_outlet_goes_to_source_only_when_the_record_has_none() -> None:
    body = "पाठ।\nसौजन्य- अमर उजाला, 20.01.2016।"
    assert record(title="शीर्षक (जनसत्ता)।", body=body) == ArticleRecord(
        title="शीर्षक", body="पाठ।", origin_file="f", origin_record="1", source="जनसत्ता", published=date(2016, 1, 20)
    )
    kept = record(title="शीर्षक", body=body, source="दर्पण", date="2016-01-25")
    assert isinstance(kept, ArticleRecord)
    assert (kept.body, kept.source, kept.published, kept.notes) == ("पाठ।", "दर्पण", date(2016, 1, 25), ())


def test_an_unreadable_date_in_a_credit_line_is_noted() -> None:
    noted = record(title="शीर्षक", body="पाठ।\nसौजन्य- जनसत्ता, 01.032016।")
    assert isinstance(noted, ArticleRecord)
    assert (noted.source, noted.published) == ("जनसत्ता", None)
    assert noted.notes == ("date '01.032016' in the credit line could not be read; left empty",)


def test_wrong_types_and_empty_bodies_are_rejected_naming_the_field() -> None:
    assert record(title="शीर्षक", body=["पाठ"]).reason == "'body' should be text, found a list"  # type: ignore[union-attr]
    assert record(title="शीर्षक", body="पाठ", url=5).reason == "'url' should be text, found a number"  # type: ignore[union-attr]
    assert record(title="शीर्षक", body="पाठ", date=True).reason == "'date' should be text, found true/false"  # type: ignore[union-attr]
    assert record(title="शीर्षक", body="facebook twitter\n,  ।").reason == (  # type: ignore[union-attr]
        "no body text: nothing is left after removing the repeated headline, share buttons, "
        "'also read' links and the credit line"
    )
    broken = record(title="शीर्षक \ud83d", body="पाठ")
    assert isinstance(broken, RejectedRecord) and broken.reason.startswith("'title' has a broken character")


# --- small helpers ------------------------------------------------------------------------------------------


def test_html_to_text_and_author_name() -> None:
    assert html_to_text("<div><h2>शीर्षक</h2><p>एक<br>दो &amp; तीन</p><style>p{}</style></div>") == (
        "शीर्षक\n\nएक\nदो & तीन"
    )
    assert author_name("desk@example.org (रमेश कुमार)") == "रमेश कुमार"


def test_collected_debris_an_opening_credit_and_a_title_danda_are_cleaned_away() -> None:
    """The forms found in the shared corpus, and bound to come back from the web (issue 34)."""
    from archive.readers.article import make_record
    from archive.readers.records import ArticleRecord

    body = '=": #0000;"(प्रो.अभिजीत सेन) (बिजनेस स्टेंडर्ड )।\n\nनोटबंदी के बाद बैंकों ने काम किया।\n\nदूसरा अनुच्छेद।'
    record = make_record({"title": "बैंकों का हाल।", "body": body}, origin_file="f", origin_record="1", original=body)
    assert isinstance(record, ArticleRecord)
    assert record.title == "बैंकों का हाल"
    assert record.body == "नोटबंदी के बाद बैंकों ने काम किया।\n\nदूसरा अनुच्छेद।"
    assert (record.source, record.author) == ("बिजनेस स्टेंडर्ड", "प्रो.अभिजीत सेन")
    assert record.original == body  # (the text as read stays with the article)
    given = make_record(
        {"title": "शीर्षक", "body": "(पत्रिका)।\n\nपाठ।", "source": "दैनिक भास्कर", "author": "लेखक"},
        origin_file="f",
        origin_record="2",
        original=None,
    )
    assert isinstance(given, ArticleRecord) and (given.source, given.author, given.body) == (
        "दैनिक भास्कर",
        "लेखक",
        "पाठ।",
    )
