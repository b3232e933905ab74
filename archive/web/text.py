"""The interface's words, in Hindi (the default) and English (``?lang=en``), and every message a page shows
in both: the search's (:data:`archive.messages.ENGLISH` has their English; :data:`HINDI` their Hindi, a test
holds the two to the same codes and placeholders) and the page's own (:data:`PROBLEMS`)."""

from __future__ import annotations

import re
from typing import Any

from archive.messages import ENGLISH

LANGUAGES = ("hi", "en")

_WORDS: dict[str, dict[str, str]] = {
    "title": {"hi": "हिंदी समाचार संग्रह", "en": "Hindi news archive"},
    "search": {"hi": "खोजें", "en": "Search"},
    "placeholder": {"hi": 'जैसे: लावरोव, "शिखर सम्मेलन", modi', "en": 'e.g. लावरोव, "शिखर सम्मेलन", modi'},
    "help": {
        "hi": '"ठीक यही" (केवल यही वर्तनी) · ~"वाक्यांश" (किसी भी रूप में) · अ OR ब · -शब्द (बिना) · title:शब्द (शीर्षक में) · '
        "शब्द* (आरंभ) · पूरा अंश चिपकाएँ",
        "en": '"exactly this" (this spelling only) · ~"a phrase" (any form) · a OR b · -word (without) · '
        "title:word (in the headline) · word* (starts with) · paste a whole passage",
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
    "timeline": {"hi": "समय के साथ लेख", "en": "Articles over time"},
    "sort": {"hi": "क्रम", "en": "Sort"},
    "relevance": {"hi": "प्रासंगिकता", "en": "relevance"},
    "newest": {"hi": "नवीनतम", "en": "newest"},
    "oldest": {"hi": "पुराने पहले", "en": "oldest"},
    "mode": {"hi": "खोज का तरीका", "en": "Search by"},
    "mode_auto": {"hi": "अपने आप", "en": "automatic"},
    "mode_words": {"hi": "शब्दों से", "en": "words"},
    "mode_meaning": {"hi": "अर्थ से", "en": "meaning"},
    "mode_hybrid": {"hi": "शब्द और अर्थ", "en": "words and meaning"},
    "by_meaning": {"hi": "अर्थ से मिला", "en": "found by meaning"},
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
    "exactly": {"hi": "ठीक इसी वर्तनी में", "en": "exactly as typed"},
    "not_held": {"hi": "संग्रह में नहीं", "en": "not in the archive"},
    "why_title": {"hi": "यह लेख क्यों मिला", "en": "Why this article matched"},
    "why_intro": {
        "hi": "खोज {query} में इसका अंक {score} है: नीचे के हिस्से जुड़कर यही बनते हैं।",
        "en": "Its score for {query} is {score}: the parts below add up to it.",
    },
    "field": {"hi": "भाग", "en": "Field"},
    "form": {"hi": "रूप", "en": "Form"},
    "kind": {"hi": "किस्म", "en": "Kind"},
    "score": {"hi": "अंक", "en": "Score"},
    "kind_form": {"hi": "शब्द का रूप", "en": "a form of the word"},
    "kind_spelling": {"hi": "कोई भी वर्तनी या रूप", "en": "any spelling or form"},
    "kind_closeness": {"hi": "शब्दों की निकटता", "en": "the words' closeness"},
    "kind_dated": {"hi": "वर्ष की तिथि", "en": "dated in the year"},
    "kind_passage": {"hi": "चिपकाया अंश", "en": "pasted passage"},
    "field_title": {"hi": "शीर्षक", "en": "title"},
    "field_summary": {"hi": "सारांश", "en": "summary"},
    "field_body": {"hi": "पाठ", "en": "body"},
    "rule_near": {"hi": "शब्द एक-दूसरे के पास", "en": "the words near one another"},
    "rule_adjacent": {"hi": "शब्द साथ-साथ", "en": "the words side by side"},
    "rule_dated": {"hi": "पूछे गए वर्ष की तिथि", "en": "dated in the year asked"},
    "rule_order": {"hi": "अंश के शब्द उसी क्रम में", "en": "the passage's words in its order"},
    "open_article": {"hi": "लेख खोलें", "en": "Open the article"},
    "past_end": {
        "hi": "यह पृष्ठ {page} है, पर इस खोज के {pages} ही पृष्ठ हैं।",
        "en": "This is page {page}, but this search has {pages} pages.",
    },
    "last_page": {"hi": "अंतिम पृष्ठ पर जाएँ", "en": "Go to the last page"},
    "why": {"hi": "यह परिणाम क्यों", "en": "why this result"},
    "skip": {"hi": "परिणामों पर जाएँ", "en": "Skip to the results"},
    "show_filters": {"hi": "फ़िल्टर", "en": "Filters"},
    "more": {"hi": "सभी {n} देखें", "en": "all {n}"},
    "fewer": {"hi": "कम दिखाएँ", "en": "fewer"},
    "close": {"hi": "बंद करें", "en": "Close"},
    "since": {"hi": "से", "en": "from"},
    "until": {"hi": "तक", "en": "to"},
    "date_help": {"hi": "2016-01-25 या 30d, 6m, 1y", "en": "2016-01-25 or 30d, 6m, 1y"},
    "apply": {"hi": "लागू करें", "en": "Apply"},
    "dates": {"hi": "तिथियाँ", "en": "Dates"},
    "trend": {"hi": "समय के साथ कवरेज", "en": "Coverage over time"},
    "trend_start": {
        "hi": "छह तक खोजें लिखें: हर एक की अवधिवार गिनती एक चार्ट पर, रंग अलग-अलग।",
        "en": "Type up to six queries: each one's count by period on one chart, each in its own colour.",
    },
    "query_n": {"hi": "खोज {n}", "en": "query {n}"},
    "granularity": {"hi": "अवधि", "en": "Period"},
    "auto": {"hi": "अपने-आप", "en": "automatic"},
    "day": {"hi": "दिन", "en": "day"},
    "week": {"hi": "सप्ताह", "en": "week"},
    "month": {"hi": "महीना", "en": "month"},
    "measure": {"hi": "मान", "en": "Values"},
    "count": {"hi": "लेखों की संख्या", "en": "articles"},
    "share": {"hi": "प्रकाशित लेखों में हिस्सा", "en": "share of all published"},
    "draw": {"hi": "दिखाएँ", "en": "Draw"},
    "by_granularity": {"hi": "अवधि: {granularity}", "en": "by {granularity}"},
    "undated_beside": {
        "hi": "{query}: {n} लेख बिना तिथि के (चार्ट में नहीं)",
        "en": "{query}: {n} undated (not on the chart)",
    },
    "no_dated": {"hi": "किसी मिले लेख की तिथि नहीं है।", "en": "No matching article has a date."},
    "total_of": {"hi": "कुल", "en": "total"},
    "watch": {"hi": "सहेजी खोजें", "en": "Saved searches"},
    "watch_none": {
        "hi": "कोई सहेजी खोज नहीं। `archive watch add NAME QUERY` से सहेजें।",
        "en": "No saved searches. `archive watch add NAME QUERY` saves one.",
    },
    "folded_help": {
        "hi": "लगातार {n} या अधिक अवधियाँ जिनमें किसी खोज का कोई मिलान नहीं, एक पंक्ति में (“…”); चार्ट, CSV "
        "और JSON में हर अवधि है।",
        "en": "Runs of {n} or more periods in which no query has a match are one row (“…”); the chart, the CSV and "
        "the JSON keep every period.",
    },
    "save_search": {"hi": "यह खोज सहेजें", "en": "Save this search"},
    "save_as": {"hi": "नाम", "en": "Name"},
    "save_button": {"hi": "सहेजें", "en": "Save"},
    "save_help": {
        "hi": "खोज और उसके फ़िल्टर (स्रोत, श्रेणी, तिथियाँ) सहेजे जाते हैं; जो अभी मिलता है वह नया नहीं गिना जाता।",
        "en": "The query and its filters (outlets, categories, dates) are saved; what it finds now is not new.",
    },
    "watch_saved": {"hi": "सहेजी गई: {name}", "en": "Saved: {name}"},
    "watch_mark_seen": {"hi": "देखा हुआ मानें", "en": "Mark seen"},
    "watch_help_saving": {
        "hi": "नए: वे मिलान जो अभी देखे हुए नहीं माने गए। यह सूची सबकी साझा है: “देखा हुआ मानें” सबके लिए मानता है; "
        "पृष्ठ खोलना या फ़ीड पढ़ना कुछ भी देखा हुआ नहीं मानता।",
        "en": "new: the matches not marked seen yet. The list is shared: “Mark seen” marks them for everyone; opening "
        "this page or reading a feed marks nothing.",
    },
    "watch_name": {"hi": "नाम", "en": "Name"},
    "watch_query": {"hi": "खोज", "en": "Query"},
    "watch_new": {"hi": "नए", "en": "new"},
    "watch_feed": {"hi": "फ़ीड", "en": "feed"},
    "watch_help": {
        "hi": "नए: वे मिलान जो `archive watch show` ने अभी नहीं दिखाए; यह पृष्ठ कुछ भी देखा हुआ नहीं मानता।",
        "en": "new: the matches `archive watch show` has not shown yet; looking at this page marks nothing seen.",
    },
    "not_on_chart": {"hi": "चार्ट में नहीं", "en": "not on the chart"},
    "published": {"hi": "प्रकाशित", "en": "published"},
    "trend_of": {"hi": "इसका रुझान", "en": "trend"},
    "download_json": {"hi": "JSON", "en": "JSON"},
    "kwic": {"hi": "संदर्भ में शब्द", "en": "Keyword in context"},
    "terms": {"hi": "विशिष्ट शब्द", "en": "What sets it apart"},
    "terms_start": {
        "hi": "कोई खोज लिखें: उसके लेखों में बाकी संग्रह से कहीं अधिक आने वाले शब्द और शब्द-युग्म।",
        "en": "Type a query: the words and phrases far more common in its articles than in the rest of the archive.",
    },
    "terms_of": {
        "hi": "{results} मिले लेख, संग्रह के {archive} लेखों की तुलना में",
        "en": "{results} matching articles against all {archive}",
    },
    "terms_sampled": {"hi": "उम्मीदवार शब्द {n} लेखों से", "en": "candidates from {n} of them"},
    "terms_copies": {
        "hi": "खोज में {stories}: कई स्रोतों में छपी खबर वहाँ एक बार गिनी जाती है",
        "en": "the search's {stories}: it counts a story printed by several outlets once",
    },
    "terms_score": {
        "hi": "अंक: लॉग-लाइकलीहुड (G²), जितना बड़ा उतना विशिष्ट",
        "en": "score: log-likelihood (G²), the larger the more distinctive",
    },
    "term": {"hi": "शब्द", "en": "Term"},
    "in_results": {"hi": "मिले लेखों में", "en": "in results"},
    "in_archive": {"hi": "संग्रह में", "en": "in the archive"},
    "terms_none": {"hi": "कोई शब्द अलग से नहीं दिखता।", "en": "No word stands out."},
    "kwic_start": {
        "hi": "कोई शब्द खोजें: हर जगह जहाँ वह आया, आगे-पीछे के शब्दों के साथ, एक पंक्ति में।",
        "en": "Search for a word: every place it occurs, one line each, with the words around it.",
    },
    "context_words": {"hi": "आगे-पीछे के शब्द", "en": "Words either side"},
    "order": {"hi": "क्रम", "en": "Order"},
    "order_none": {"hi": "खोज के क्रम में", "en": "as the search lists"},
    "order_left": {"hi": "पहले के शब्दों से", "en": "by the words before"},
    "order_right": {"hi": "बाद के शब्दों से", "en": "by the words after"},
    "before": {"hi": "पहले", "en": "Before"},
    "after": {"hi": "बाद में", "en": "After"},
    "kwic_search": {"hi": "ये लेख खोज में देखें", "en": "See these articles as a search"},
    "kwic_none": {"hi": "कोई मिलान नहीं मिला।", "en": "No occurrence found."},
    "kwic_lines": {"hi": "पंक्तियाँ {first}–{last}", "en": "lines {first}–{last}"},
    "kwic_sorted_among": {
        "hi": "क्रम पहली {n} पंक्तियों में लगाया गया है; सब के लिए खोज को सीमित करें या CSV लें।",
        "en": "Ordered among the first {n} lines; narrow the search, or download the CSV, for all.",
    },
}


def words(language: str) -> dict[str, str]:
    """Every word of the interface in ``language`` (Hindi for anything else)."""
    chosen = language if language in LANGUAGES else "hi"
    return {key: forms[chosen] for key, forms in _WORDS.items()}


#: The search's messages in Hindi, one for every code of :data:`archive.messages.ENGLISH`, with the same
#: placeholders (the page passes Hindi values for those the search gives in English words: see
#: :func:`message_text`).
HINDI: dict[str, str] = {
    "query_empty": "खोज खाली है; खोजने के लिए एक या अधिक शब्द लिखें।",
    "query_too_long": "खोज में {length:,} अक्षर हैं; अधिकतम {limit:,} खोजे जाते हैं। खोज छोटी करें।",
    "query_surrogate": "खोज में स्थान {position} पर एक टूटा अक्षर (अकेला सरोगेट) है; उसे हटाएँ।",
    "query_control": "खोज में स्थान {position} पर एक नियंत्रण अक्षर ({char}) है; उसे हटाएँ।",
    "query_too_deep": "स्थान {position} पर कोष्ठक {limit} स्तरों से अधिक गहरे हैं; कुछ कोष्ठक हटाएँ।",
    "query_unmatched_close": "खोज में स्थान {position} पर ')' का जोड़ा नहीं है; उसे हटाएँ या '(' जोड़ें।",
    "query_unclosed_quote": 'खोज में स्थान {position} पर उद्धरण चिह्न बंद नहीं हुआ; अंत में " जोड़ें।',
    "query_unclosed_group": "खोज में स्थान {position} पर कोष्ठक बंद नहीं हुआ; ')' जोड़ें।",
    "query_unreadable": "खोज “{query}” पढ़ी नहीं जा सकी: {reason}। ऊपर दिए खोज के नियम देखें।",
    "query_no_letters": (
        "“{query}” में खोजने को कुछ नहीं: इसमें कोई अक्षर या अंक नहीं है (चिह्न और इमोजी अनुक्रमित नहीं होते)। कोई शब्द खोजें।"
    ),
    "query_only_common": (
        "“{query}” में खोजने को कुछ नहीं: इसमें केवल बहुत आम शब्द (जैसे का, की, और, है) हैं, जिन्हें अनुक्रमणिका "
        "छोड़ देती है। कोई विशेष शब्द जोड़ें।"
    ),
    "operator_nothing_after": (
        "स्थान {position} पर {operator} के बाद कुछ नहीं है; उसके बाद कोई शब्द लिखें या उसे हटाएँ (यही शब्द खोजना हो "
        'तो उद्धरण चिह्नों में लिखें: "{word}")।'
    ),
    "operator_nothing_before": (
        "स्थान {position} पर {operator} से पहले कुछ नहीं है; उससे पहले कोई शब्द लिखें या उसे हटाएँ (यही शब्द खोजना "
        'हो तो उद्धरण चिह्नों में लिखें: "{word}")।'
    ),
    "field_nothing_after": (
        "स्थान {position} पर {field} के बाद कुछ नहीं है; खोजा जाने वाला शब्द उसके ठीक बाद लिखें (जैसे {field}चुनाव) या उसे हटाएँ।"
    ),
    "bad_sort": "“{sort}” से क्रम नहीं लगता; इनमें से चुनें: {choices}।",
    "bad_page": "पृष्ठ और प्रति पृष्ठ परिणाम कम से कम 1 होने चाहिए।",
    "bad_facet": "अज्ञात फ़ैसेट {facets}; इनमें से चुनें: {choices}।",
    "dates_reversed": "तिथियाँ उलटी हैं: आरंभ {since} अंत {until} के बाद है; दोनों को बदल दें।",
    "undated_with_dates": "बिना तिथि वाले लेखों की कोई तिथि नहीं होती; तिथियाँ या “बिना तिथि” में से एक हटाएँ।",
    "not_indexed_yet": "लेख {id} अभी अनुक्रमणिका में नहीं है; थोड़ी देर में फिर देखें।",
    "bad_width": "{width} शब्दों का संदर्भ नहीं दिखाया जा सकता; दोनों ओर 1 से {limit} शब्द दें।",
    "bad_kwic_sort": "संदर्भ-सूची को {sort!r} से क्रम में नहीं लगाया जा सकता; इनमें से चुनें: {choices}।",
    "bad_terms_limit": "{limit} शब्द नहीं दिखाए जा सकते; 1 से {most} तक माँगें।",
    "trend_too_many": "एक रुझान में अधिकतम {limit} खोजों की तुलना होती है; इसमें {count} हैं। कुछ हटाएँ।",
    "bad_granularity": "अवधि {granularity!r} अज्ञात है; इनमें से चुनें: {choices}।",
    "trend_too_long": (
        "{granularity} के हिसाब से इस रुझान में {periods:,} अवधियाँ हैं; अधिकतम {limit:,} दिखाई जाती हैं। लंबी अवधि "
        "चुनें या तिथियाँ सीमित करें।"
    ),
    "note_lone_sign": (
        "स्थान {position} पर अकेला “{sign}” छोड़ दिया: उसे किसी शब्द से जोड़ें (-शब्द उस शब्द को बाहर रखता है, "
        "+शब्द उसे अनिवार्य करता है)।"
    ),
    "note_left_out_common": "{parts} छोड़ दिए: केवल बहुत आम शब्द (जैसे का, की, और, है), जिन्हें अनुक्रमणिका छोड़ देती है।",
    "note_dated_in": "साथ में: {year} की तिथि वाले {articles}, उन लेखों के बाद जिनके पाठ में यह वर्ष है।",
    "note_filters_left_nothing": "“{query}” से मेल खाते {articles} {verb}; पर उनमें से कोई भी {filters} नहीं।",
    "note_archive_filters_left_nothing": "संग्रह में {articles} हैं; पर उनमें से कोई भी {filters} नहीं।",
    "note_passage": (
        "{words} शब्दों के अंश की तरह खोजा: जिन लेखों में इनमें से अधिकतर हैं वे पहले, और जिनमें ये इसी क्रम में हैं वे बाकी से पहले।"
    ),
    "note_meaning_partial": "अर्थ से खोज {articles} में से अब तक के {embedded} लेखों में हुई; बाकी लेख बाद में जुड़ेंगे।",
    "note_passage_unheld": "{words} शब्दों के अंश की तरह खोजा: इनमें से कोई भी शब्द संग्रह में नहीं है।",
}

#: The search's messages whose English names a CLI option or command: said for a reader of the page.
ENGLISH_ON_THE_PAGE: dict[str, str] = {
    "query_unreadable": "Cannot read the query {query!r}: {reason}. See the help under the search box.",
    "bad_page": "The page and the hits a page must be at least 1.",
    "dates_reversed": "The dates are the wrong way round: from {since} is after to {until}; swap them.",
    "undated_with_dates": "Undated articles have no date to be from or to; drop the dates or 'undated only'.",
    "not_indexed_yet": "Article {id} is not in the index yet; try again in a moment.",
    "note_meaning_partial": "Searched by meaning among the {embedded} of {articles} articles embedded so far; the rest "
    "join as they are embedded.",
}

#: The page's own messages (a request it refuses), in both languages.
PROBLEMS: dict[str, dict[str, str]] = {
    "too_many_values": {
        "en": "This address has {count} values of {name}=; at most {limit} are combined. Remove some.",
        "hi": "इस पते में {name}= के {count} मान हैं; अधिकतम {limit} जोड़े जाते हैं। कुछ हटाएँ।",
    },
    "value_too_long": {
        "en": "A value of {name}= has {length} characters; at most {limit}. Shorten it.",
        "hi": "{name}= के एक मान में {length} अक्षर हैं; अधिकतम {limit}। उसे छोटा करें।",
    },
    "query_too_long": {
        "en": ENGLISH["query_too_long"],
        "hi": HINDI["query_too_long"],
    },
    "bad_date": {
        "en": "{name}={value} is not a date: use YYYY-MM-DD, or a time ago such as 30d, 6m, 1y.",
        "hi": "{name}={value} कोई तिथि नहीं है: YYYY-MM-DD लिखें, या बीता समय जैसे 30d, 6m, 1y।",
    },
    "too_deep": {
        "en": "Page {page} of {limit} hits goes past the first {depth:,} results; narrow the search instead.",
        "hi": "{limit} परिणामों वाला पृष्ठ {page} पहले {depth:,} परिणामों से आगे जाता है; खोज को सीमित करें।",
    },
    "address_too_long": {
        "en": "The address is too long ({size:,} bytes of parameters; at most {limit:,}). Remove some filters.",
        "hi": "पता बहुत लंबा है (पैरामीटर के {size:,} बाइट; अधिकतम {limit:,})। कुछ फ़िल्टर हटाएँ।",
    },
    "too_many_parameters": {
        "en": "The address has {count} parameters; at most {limit}. Remove some filters.",
        "hi": "पते में {count} पैरामीटर हैं; अधिकतम {limit}। कुछ फ़िल्टर हटाएँ।",
    },
    "bad_parameter": {
        "en": "The parameter {name} cannot be read: {value}. Correct it in the address.",
        "hi": "पैरामीटर {name} पढ़ा नहीं जा सका: {value}। पते में उसे ठीक करें।",
    },
    "bad_address": {
        "en": "The address cannot be read (it is not UTF-8). Search again from the search box.",
        "hi": "यह पता पढ़ा नहीं जा सका (यह UTF-8 नहीं है)। खोज बॉक्स से फिर खोजें।",
    },
    "explain_no_query": {
        "en": "Say which query to explain: add q= with the words of the search.",
        "hi": "कौन-सी खोज समझाएँ, यह बताएँ: q= में खोज के शब्द जोड़ें।",
    },
    "explain_no_match": {
        "en": "Article {id} does not match {query!r}. Search for it to see what does.",
        "hi": "लेख {id} खोज {query!r} से मेल नहीं खाता। खोजकर देखें कि कौन-से लेख खाते हैं।",
    },
    "no_article": {
        "en": "No article with id {id}. Search for it instead.",
        "hi": "क्रमांक {id} का कोई लेख नहीं है। उसे खोजकर देखें।",
    },
    "not_found": {
        "en": "There is no page at this address. Search from the box above.",
        "hi": "इस पते पर कोई पृष्ठ नहीं है। ऊपर के बॉक्स से खोजें।",
    },
    "nothing_to_export": {
        "en": "Give a query (q=…) or a filter to download its results.",
        "hi": "परिणाम डाउनलोड करने के लिए कोई खोज (q=…) या फ़िल्टर दें।",
    },
    "unavailable": {
        "en": "The archive cannot answer this right now (its index is being updated or cannot be read). "
        "Try again in a moment.",
        "hi": "संग्रह अभी इसका उत्तर नहीं दे सकता (उसकी अनुक्रमणिका अद्यतन हो रही है या पढ़ी नहीं जा सकी)। "
        "थोड़ी देर में फिर कोशिश करें।",
    },
    "database_unavailable": {
        "en": "The archive's database cannot be reached right now (it may be restarting). Try again in a moment.",
        "hi": "संग्रह का डेटाबेस अभी उपलब्ध नहीं है (शायद वह फिर से शुरू हो रहा है)। थोड़ी देर में फिर कोशिश करें।",
    },
    "trend_too_many": {"en": ENGLISH["trend_too_many"], "hi": HINDI["trend_too_many"]},
    "kwic_no_query": {
        "en": "Give a query (q=…) to list its matches in context.",
        "hi": "संदर्भ में मिलान देखने के लिए कोई खोज (q=…) दें।",
    },
    "bad_width": {"en": ENGLISH["bad_width"], "hi": HINDI["bad_width"]},
    "bad_kwic_sort": {"en": ENGLISH["bad_kwic_sort"], "hi": HINDI["bad_kwic_sort"]},
    "terms_no_query": {
        "en": "Give a query (q=…) to see what sets its results apart.",
        "hi": "परिणामों को क्या अलग बनाता है, यह देखने के लिए कोई खोज (q=…) दें।",
    },
    "bad_terms_limit": {"en": ENGLISH["bad_terms_limit"], "hi": HINDI["bad_terms_limit"]},
    "trend_no_query": {
        "en": "Give one query or more (q=…) to draw their coverage over time.",
        "hi": "समय के साथ कवरेज देखने के लिए एक या अधिक खोज (q=…) दें।",
    },
    "saving_off": {
        "en": "This server only reads: saving searches is off. Start it with `archive serve --allow-saving`, or use "
        "`archive watch add`.",
        "hi": "यह सर्वर केवल पढ़ता है: खोजें सहेजना बंद है। इसे `archive serve --allow-saving` से चलाएँ, या "
        "`archive watch add` से सहेजें।",
    },
    "cross_site": {
        "en": "This form was sent from another site; saving is accepted only from this archive's own pages.",
        "hi": "यह फ़ॉर्म किसी दूसरी साइट से भेजा गया; सहेजना केवल इसी संग्रह के पृष्ठों से स्वीकार होता है।",
    },
    "stale_form": {
        "en": "This form has expired (the server restarted, or cookies are off). Reload the page and send it again.",
        "hi": "यह फ़ॉर्म पुराना हो गया (सर्वर फिर से चला, या कुकी बंद हैं)। पृष्ठ फिर से खोलकर दोबारा भेजें।",
    },
    "bad_form": {
        "en": "This form could not be read (too many values, or not UTF-8). Send it again from the page.",
        "hi": "यह फ़ॉर्म पढ़ा नहीं जा सका (बहुत अधिक मान, या UTF-8 नहीं)। पृष्ठ से दोबारा भेजें।",
    },
    "form_too_large": {
        "en": "This form is larger than {limit:,} bytes; shorten the query.",
        "hi": "यह फ़ॉर्म {limit:,} बाइट से बड़ा है; खोज छोटी करें।",
    },
    "save_no_name": {
        "en": "Give the search a name to save it under.",
        "hi": "खोज को सहेजने के लिए उसका नाम दें।",
    },
    "save_name_too_long": {
        "en": "A saved search's name has at most {limit} characters; this one has {length}.",
        "hi": "सहेजी खोज के नाम में अधिकतम {limit} अक्षर होते हैं; इसमें {length} हैं।",
    },
    "save_no_query": {
        "en": "Only a search with words can be saved; type a query first.",
        "hi": "केवल शब्दों वाली खोज सहेजी जा सकती है; पहले कुछ खोजें।",
    },
    "save_name_taken": {
        "en": "There is a saved search named {name!r} already; choose another name.",
        "hi": "“{name}” नाम की खोज पहले से सहेजी है; कोई दूसरा नाम चुनें।",
    },
    "save_refused": {
        "en": "The search could not be saved: {reason}",
        "hi": "खोज सहेजी नहीं जा सकी: {reason}",
    },
    "method": {
        "en": "This address only answers GET requests.",
        "hi": "यह पता केवल GET अनुरोधों का उत्तर देता है।",
    },
}

_COUNTED = re.compile(r"^([\d,]+) articles?$")


def message_text(code: str, values: dict[str, Any], lang: str, hindi: dict[str, Any] | None = None) -> str:
    """A message in ``lang``: the page's own (:data:`PROBLEMS`), else the search's (:data:`HINDI` or
    :data:`ENGLISH`). The search gives a few values as English words ("3 articles", "match"): in Hindi they
    are said again in Hindi, and ``hindi`` gives those the page knows better (its filters, in Hindi)."""
    chosen = lang if lang in LANGUAGES else "hi"
    if code in PROBLEMS:
        return PROBLEMS[code][chosen].format(**values)
    if chosen == "en" or code not in HINDI:
        template = ENGLISH_ON_THE_PAGE.get(code) or ENGLISH.get(code)
        return template.format(**values) if template is not None else code
    said = dict(values)
    counted = _COUNTED.match(str(said.get("articles", "")))
    if counted:
        said["articles"] = f"{counted.group(1)} लेख"
    if "verb" in said:
        said["verb"] = "मिले"
    said.update(hindi or {})
    return HINDI[code].format(**said)
