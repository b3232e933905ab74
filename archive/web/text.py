"""The interface's words, in Hindi (the default) and English (``?lang=en``)."""

from __future__ import annotations

LANGUAGES = ("hi", "en")

_WORDS: dict[str, dict[str, str]] = {
    "title": {"hi": "हिंदी समाचार संग्रह", "en": "Hindi news archive"},
    "search": {"hi": "खोजें", "en": "Search"},
    "placeholder": {"hi": 'जैसे: लावरोव, "शिखर सम्मेलन", modi', "en": 'e.g. लावरोव, "शिखर सम्मेलन", modi'},
    "help": {
        "hi": '"शब्दों का वाक्यांश" · अ OR ब · -शब्द (बिना) · title:शब्द (शीर्षक में) · शब्द* (आरंभ)',
        "en": '"a phrase" · a OR b · -word (without) · title:word (in the headline) · word* (starts with)',
    },
    "matches": {"hi": "{n} लेख मिले", "en": "{n} articles match"},
    "match_one": {"hi": "1 लेख मिला", "en": "1 article matches"},
    "none": {"hi": "कोई लेख नहीं मिला", "en": "No article matches"},
    "searched": {"hi": "खोजे गए रूप", "en": "searched"},
    "did_you_mean": {"hi": "क्या आपका मतलब था", "en": "did you mean"},
    "also_in": {"hi": "इनमें भी", "en": "also in"},
    "source": {"hi": "स्रोत", "en": "Source"},
    "year": {"hi": "वर्ष", "en": "Year"},
    "category": {"hi": "श्रेणी", "en": "Category"},
    "timeline": {"hi": "महीनेवार लेख", "en": "Articles by month"},
    "sort": {"hi": "क्रम", "en": "Sort"},
    "relevance": {"hi": "प्रासंगिकता", "en": "relevance"},
    "newest": {"hi": "नवीनतम", "en": "newest"},
    "oldest": {"hi": "पुराने पहले", "en": "oldest"},
    "previous": {"hi": "पिछला", "en": "previous"},
    "next": {"hi": "अगला", "en": "next"},
    "page": {"hi": "पृष्ठ {page} / {pages}", "en": "page {page} of {pages}"},
    "download_csv": {"hi": "CSV डाउनलोड", "en": "Download CSV"},
    "download_jsonl": {"hi": "JSON Lines डाउनलोड", "en": "Download JSON Lines"},
    "remove": {"hi": "हटाएँ", "en": "remove"},
    "period": {"hi": "अवधि", "en": "period"},
    "dated_only": {"hi": "केवल तिथि वाले", "en": "dated only"},
    "undated_only": {"hi": "बिना तिथि के", "en": "undated only"},
    "undated": {"hi": "बिना तिथि", "en": "undated"},
    "browsing": {"hi": "फ़िल्टर से मिले लेख", "en": "articles the filters let through"},
    "sources": {"hi": "स्रोत सूची", "en": "Outlets"},
    "overview": {"hi": "संग्रह में {articles} लेख, {sources} स्रोत", "en": "{articles} articles from {sources} outlets"},
    "range": {"hi": "{first} से {last} तक", "en": "from {first} to {last}"},
    "articles": {"hi": "लेख", "en": "articles"},
    "back": {"hi": "खोज पर लौटें", "en": "Back to the search"},
    "read_from": {"hi": "स्रोत फ़ाइलें और प्रतियाँ", "en": "Read from (copies of this story)"},
    "similar": {"hi": "मिलते-जुलते लेख", "en": "Similar articles"},
    "date": {"hi": "तिथि", "en": "Date"},
    "url": {"hi": "पता", "en": "Address"},
    "error": {"hi": "यह अनुरोध पूरा नहीं हो सका", "en": "This request could not be answered"},
    "not_found": {"hi": "यह पृष्ठ नहीं मिला", "en": "Not found"},
    "other_language": {"hi": "English", "en": "हिन्दी"},
    "filters": {"hi": "चुने गए फ़िल्टर", "en": "Filters"},
    "start": {"hi": "कोई शब्द लिखें और खोजें।", "en": "Type a word and search."},
}


def words(language: str) -> dict[str, str]:
    """Every word of the interface in ``language`` (Hindi for anything else)."""
    chosen = language if language in LANGUAGES else "hi"
    return {key: forms[chosen] for key, forms in _WORDS.items()}
