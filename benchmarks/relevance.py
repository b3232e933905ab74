"""Relevance benchmark: does search find every spelling of a word, and only that word?

Run from the repository root::

    python -m benchmarks.relevance [--home DIR] [--corpus PATH] [--details/--no-details]

It builds an archive from two corpus files (or reuses ``--home`` if it already holds articles),
then, for groups of spellings of one word (embedded below; word forms only, no corpus text):

* ground truth: an article is relevant to a group if any form of the group, or a regular noun
  inflection of one (:func:`inflections`: ``फैसला`` → ``फैसले``, ``फैसलों``; ``नदी`` → ``नदियों``), occurs
  in it as a token (our tokenizer, NFC, joiners and soft hyphens removed; nothing else folded);
* ours: the ids ``Archive.search`` returns for each form typed on its own;
* Lucene: articles holding a token that Lucene's Hindi analyzer (:mod:`benchmarks.lucene_hindi`) reduces
  to the same term as the form (what Elasticsearch's ``hindi`` analyzer would match);
* baseline: articles whose lower-cased ``[Devanagari\\w]+`` tokens contain the form exactly as typed
  (what a plain whitespace/punctuation index without normalisation would find).

It also checks precision traps (pairs of different words that must not be merged), the speed of
``analyze(..., mode="index")`` and the index size with and without our analysis.

Skipped (exit 0) when the shared corpus is not present.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.lucene_hindi import lucene_term

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO_ROOT.parent / "shared" / "corpus"
CORPUS_FILES = ("hi_editorials_sampadkiya.jsonl.gz", "hi_covid19_newspaper_days.jsonl.gz")
ALL_RESULTS = 100_000

# (class, forms). The first form is the common spelling. Forms absent from the corpus, and groups
# left with fewer than two forms, are dropped at run time (and reported).
VARIANT_GROUPS: list[tuple[str, tuple[str, ...]]] = [
    # anusvara vs homorganic nasal + virama
    ("nasal", ("हिंदी", "हिन्दी")),
    ("nasal", ("संपादक", "सम्पादक")),
    ("nasal", ("कंपनी", "कम्पनी")),
    ("nasal", ("ट्रंप", "ट्रम्प")),
    ("nasal", ("केंद्र", "केन्द्र")),
    ("nasal", ("संबंध", "सम्बन्ध", "सम्बंध")),
    ("nasal", ("नरेंद्र", "नरेन्द्र")),
    ("nasal", ("झारखंड", "झारखण्ड")),
    ("nasal", ("पांडेय", "पाण्डेय")),
    ("nasal", ("ठंडा", "ठण्डा")),
    ("nasal", ("इंसान", "इन्सान")),
    ("nasal", ("सेंसर", "सेन्सर")),
    ("nasal", ("भंडारी", "भन्डारी")),
    # nukta present / absent
    ("nukta", ("फैसला", "फ़ैसला")),
    ("nukta", ("जरूरत", "ज़रूरत")),
    ("nukta", ("कानून", "क़ानून")),
    ("nukta", ("नजर", "नज़र")),
    ("nukta", ("ज्यादा", "ज़्यादा")),
    ("nukta", ("फिल्म", "फ़िल्म")),
    ("nukta", ("खत्म", "ख़त्म")),
    ("nukta", ("गलत", "ग़लत")),
    ("nukta", ("वक्त", "वक़्त")),
    ("nukta", ("बिजनेस", "बिज़नेस")),
    ("nukta", ("तलाक", "तलाक़")),
    # candra o (ॉ) vs aa (ा)
    ("candra", ("ऑस्ट्रेलिया", "आस्ट्रेलिया")),
    ("candra", ("बॉलीवुड", "बालीवुड", "बॉलिवुड")),
    ("candra", ("हॉकी", "हाकी")),
    ("candra", ("डॉक्टर", "डाक्टर")),
    ("candra", ("कॉलेज", "कालेज")),
    ("candra", ("रिकॉर्ड", "रिकार्ड")),
    ("candra", ("डॉलर", "डालर")),
    ("candra", ("न्यूयॉर्क", "न्यूयार्क")),
    ("candra", ("मॉस्को", "मास्को")),
    ("candra", ("बॉर्डर", "बार्डर")),
    ("candra", ("पॉजिटिव", "पाजिटिव", "पॉजीटिव", "पाजीटिव")),
    # chandrabindu vs anusvara (content words only: यहां/वहां/हूं are stopwords)
    ("chandrabindu", ("आंख", "आँख")),
    ("chandrabindu", ("आंखों", "आँखों")),
    ("chandrabindu", ("पांच", "पाँच")),
    ("chandrabindu", ("हंसी", "हँसी")),
    ("chandrabindu", ("गांव", "गाँव")),
    ("chandrabindu", ("गांधी", "गाँधी")),
    ("chandrabindu", ("मुंह", "मुँह")),
    ("chandrabindu", ("चांद", "चाँद")),
    # inflection (direct / oblique / plural)
    ("inflection", ("लड़का", "लड़के", "लड़कों")),
    ("inflection", ("लड़की", "लड़कियों", "लड़कियां")),
    ("inflection", ("नदी", "नदियों")),
    ("inflection", ("बात", "बातें", "बातों")),
    ("inflection", ("देश", "देशों")),
    ("inflection", ("अधिकारी", "अधिकारियों")),
    ("inflection", ("सरकार", "सरकारों", "सरकारें")),
    ("inflection", ("चुनाव", "चुनावों")),
    ("inflection", ("किसान", "किसानों")),
    ("inflection", ("महिला", "महिलाओं", "महिलाएं")),
    # vowel length (i/ii, u/uu)
    ("vowel_length", ("दिवाली", "दीवाली")),
    ("vowel_length", ("शुरू", "शुरु")),
    ("vowel_length", ("वीडियो", "विडियो")),
    # बंगलुरु is the same city in an older spelling
    ("vowel_length", ("बेंगलुरु", "बेंगलुरू", "बेंगलूरु", "बंगलुरु", "बंगलुरू", "बंगलूरू", "बेंगलूरू")),
    ("vowel_length", ("जरूरत", "जरुरत")),
    ("vowel_length", ("इंजीनियरिंग", "इंजिनियरिंग")),
    ("vowel_length", ("सशक्तीकरण", "सशक्तिकरण")),
    ("vowel_length", ("सीबीआई", "सीबीआइ")),
    ("vowel_length", ("हाईकोर्ट", "हाइकोर्ट")),
    # ya glide (ये / ए)
    ("ya_glide", ("रुपये", "रुपए")),
    ("ya_glide", ("नई", "नयी")),
    ("ya_glide", ("स्थायी", "स्थाई")),
    # legacy-font encoding damage
    ("encoding", ("ऑफ", "आॅफ")),
    ("encoding", ("बढ़ने", "बढऩे")),
    ("encoding", ("पीड़ित", "पीडि़त")),
    ("encoding", ("खिलाड़ियों", "खिलाडिय़ों")),
    ("encoding", ("मद्देनजर", "मद््देनजर")),
    # Devanagari vs ASCII digits
    ("digits", ("2016", "२०१६")),
    ("digits", ("2020", "२०२०")),
    ("digits", ("19", "१९")),
    ("digits", ("22", "२२")),
    # mixed script (same word in Latin and Devanagari)
    ("mixed_script", ("कोविड", "covid")),
    ("mixed_script", ("कोरोना", "corona")),
]

# Classes where the first form is what a reader types, kept even when the corpus never prints it (a Latin
# acronym, an English word, a rare spelling): every form is searched, and a group is kept when the corpus
# holds any of its forms. A form of several words is searched as a phrase ("जम्मू कश्मीर", in quotes); a form
# marked "=" counts where it occurs but is not searched (a spelling the corpus prints that nobody types).
TYPED_GROUPS: list[tuple[str, tuple[str, ...]]] = [
    # a hyphenated word is its parts as a phrase, spaced or hyphenated, or joined (issue 17, point 1)
    ("hyphenated", ("जम्मू-कश्मीर", "=जम्मूकश्मीर")),
    ("hyphenated", ("भारत-पाक",)),
    ("hyphenated", ("भारत-चीन",)),
    ("hyphenated", ("अमेरिका-चीन",)),
    ("hyphenated", ("सोशल-मीडिया",)),
    ("hyphenated", ("कोविड-19", "=कोविड19")),
    ("hyphenated", ("2016-17",)),
    ("hyphenated", ("दिल्ली-एनसीआर",)),
    ("hyphenated", ("हिंदू-मुस्लिम",)),
    ("hyphenated", ("आर्थिक-सामाजिक",)),
    ("hyphenated", ("देश-विदेश",)),
    ("hyphenated", ("भारत-अमेरिका",)),
    ("hyphenated", ("मोदी-शाह",)),
    ("hyphenated", ("उत्तर-पूर्व", "=उत्तरपूर्व")),
    # Latin acronyms and their letters' names as Hindi prints them, either length of ई (point 2); the last
    # two are said as words (एम्स, इसरो), which no letter rule reaches: a synonym's job
    ("acronym", ("GST", "जीएसटी")),
    ("acronym", ("RBI", "आरबीआई", "आरबीआइ")),
    ("acronym", ("WHO", "डब्ल्यूएचओ")),
    ("acronym", ("CBI", "सीबीआई", "सीबीआइ")),
    ("acronym", ("NDA", "एनडीए")),
    ("acronym", ("UPA", "यूपीए")),
    ("acronym", ("ICMR", "आईसीएमआर", "आइसीएमआर")),
    ("acronym", ("PM", "पीएम")),
    ("acronym", ("CM", "सीएम")),
    ("acronym", ("UAE", "यूएई")),
    ("acronym", ("FIR", "एफआईआर", "एफआइआर")),
    ("acronym", ("NIA", "एनआईए", "एनआइए")),
    ("acronym", ("PPE", "पीपीई")),
    ("acronym", ("IAS", "आईएएस", "आइएएस")),
    ("acronym", ("IPL", "आईपीएल", "आइपीएल")),
    ("acronym", ("GDP", "जीडीपी")),
    ("acronym", ("AIIMS", "एम्स")),
    ("acronym", ("ISRO", "इसरो")),
    # English words and the Devanagari spelling Hindi papers print (point 2)
    ("english", ("lockdown", "लॉकडाउन")),
    ("english", ("vaccine", "वैक्सीन")),
    ("english", ("hospital", "हॉस्पिटल")),
    ("english", ("online", "ऑनलाइन")),
    ("english", ("quarantine", "क्वारंटीन")),
    ("english", ("test", "टेस्ट")),
    ("english", ("mask", "मास्क")),
    ("english", ("doctor", "डॉक्टर")),
    ("english", ("police", "पुलिस")),
    ("english", ("virus", "वायरस")),
    ("english", ("ventilator", "वेंटिलेटर")),
    ("english", ("sanitizer", "सैनिटाइजर")),
    ("english", ("internet", "इंटरनेट")),
    ("english", ("company", "कंपनी")),
    ("english", ("video", "वीडियो")),
    ("english", ("report", "रिपोर्ट")),
    ("english", ("school", "स्कूल")),
    ("english", ("college", "कॉलेज")),
    ("english", ("bank", "बैंक")),
    ("english", ("digital", "डिजिटल")),
    ("english", ("budget", "बजट")),
    ("english", ("film", "फिल्म")),
    # romanised Hindi with conjuncts (ष्ट, क्ष, ज्ञ) and one-consonant words (point 2)
    ("romanised", ("bhrashtachar", "भ्रष्टाचार")),
    ("romanised", ("shiksha", "शिक्षा")),
    ("romanised", ("kshetra", "क्षेत्र")),
    ("romanised", ("vigyan", "विज्ञान")),
    ("romanised", ("gyan", "ज्ञान")),
    ("romanised", ("rashtriya", "राष्ट्रीय")),
    ("romanised", ("pradhanmantri", "प्रधानमंत्री")),
    ("romanised", ("arthvyavastha", "अर्थव्यवस्था")),
    ("romanised", ("yogi", "योगी")),
    ("romanised", ("kisan", "किसान")),
    ("romanised", ("chunav", "चुनाव")),
    ("romanised", ("sarkar", "सरकार")),
    # loanwords spelt with another consonant of a class or a glide (point 4)
    ("consonant", ("एग्जिट", "एक्जिट")),
    ("consonant", ("एग्जीक्यूटिव", "एक्जीक्यूटिव")),
    ("consonant", ("एग्जाम", "एक्जाम")),
    ("consonant", ("वाइरस", "वायरस")),
    ("consonant", ("सायकिल", "साइकिल")),
    ("consonant", ("लायसेंस", "लाइसेंस")),
    ("consonant", ("डाइरेक्टर", "डायरेक्टर")),
    ("consonant", ("फायनल", "फाइनल")),
    ("consonant", ("आयडिया", "आइडिया")),
    ("consonant", ("ड्रायवर", "ड्राइवर")),
    ("consonant", ("मोबायल", "मोबाइल")),
    ("consonant", ("प्रायवेट", "प्राइवेट")),
    ("consonant", ("डिजायन", "डिजाइन")),
    ("consonant", ("सायबर", "साइबर")),
    ("consonant", ("पाइलट", "पायलट")),
    ("consonant", ("फाइर", "फायर")),
]

# Doubled and compound words, typed hyphenated or joined; the spaced spelling ("=") counts in the ground
# truth (issue 31, points 3 and 4: they used to find nothing, or one spelling only)
TYPED_GROUPS += [
    ("doubled", ("साथ-साथ", "=साथ साथ", "साथसाथ")),
    ("doubled", ("कभी-कभी", "=कभी कभी")),
    ("doubled", ("धीरे-धीरे", "=धीरे धीरे")),
    ("doubled", ("एक-एक", "=एक एक")),
    ("doubled", ("बार-बार", "=बार बार")),
    ("doubled", ("अलग-अलग", "=अलग अलग")),
    ("doubled", ("जगह-जगह", "=जगह जगह")),
    ("doubled", ("आस-पास", "आसपास", "=आस पास")),
    ("doubled", ("तरह-तरह", "=तरह तरह")),
    ("doubled", ("एक-दो", "=एक दो")),
    ("compound", ("लॉकडाउन", "=लॉक डाउन", "लॉक-डाउन")),
    ("compound", ("कोविड19", "=कोविड 19", "कोविड-19")),
    ("compound", ("नोटबंदी", "=नोट बंदी")),
    ("compound", ("सोशलमीडिया", "=सोशल मीडिया")),
    ("compound", ("हेल्थकेयर", "=हेल्थ केयर")),
]

# Places typed in Latin letters (issue 31, point 5): found through the default synonyms, so measured before
# the run clears them.
PLACE_GROUPS: list[tuple[str, tuple[str, ...]]] = [
    ("place", ("delhi", "=दिल्ली")),
    ("place", ("lucknow", "=लखनऊ")),
    ("place", ("mumbai", "=मुंबई", "=मुम्बई")),
    ("place", ("kolkata", "=कोलकाता")),
    ("place", ("patna", "=पटना")),
    ("place", ("jaipur", "=जयपुर")),
    ("place", ("bhopal", "=भोपाल")),
    ("place", ("chennai", "=चेन्नई")),
    ("place", ("hyderabad", "=हैदराबाद")),
    ("place", ("varanasi", "=वाराणसी", "=बनारस")),
    ("place", ("kerala", "=केरल")),
    ("place", ("punjab", "=पंजाब")),
    ("place", ("gujarat", "=गुजरात")),
    ("place", ("bihar", "=बिहार")),
]

# Quoted words must match their typed spelling only (issue 31, point 1): the ground truth is the token as
# typed, and Lucene analyses a quoted word as any other.
EXACT_WORDS = ("सूत्र", "सत्र", "सरकार", "फैसला", "फ़ैसला", "हिंदी", "हिन्दी", "मौलिक", "आम", "केंद्र", "लोगों", "देश")

# Different words that a too-eager normalisation merges: search for one must not return the other.
TRAPS: list[tuple[str, str, str]] = [
    ("कॉफी", "काफी", "coffee / quite"),
    ("हॉल", "हाल", "hall / condition"),
    ("दीन", "दिन", "poor / day"),
    ("जयशंकर", "शंकर", "Jaishankar / Shankar"),
    ("रविशंकर", "शंकर", "Ravi Shankar / Shankar"),
    ("मोड़", "मोड", "turn / mode"),
    ("बॉल", "बाल", "ball / hair"),
    ("कॉल", "काल", "call / time"),
    ("मॉल", "माल", "mall / goods"),
    ("लॉक", "लोक", "lock / people"),
    ("जॉन", "जान", "John / life"),
    ("सिख", "सीख", "Sikh / lesson"),
    ("जाति", "जाती", "caste / goes"),
    ("पूल", "पुल", "pool / bridge"),
    ("फेल", "फैल", "fail / spread"),
    ("चैन", "चेन", "peace / chain"),
    ("सत्र", "स्तर", "session / level"),
    ("शर्म", "श्रम", "shame / labour"),
    ("विहार", "बिहार", "monastery / Bihar"),
    ("वन", "बन", "forest / become"),
]

_INVISIBLE = dict.fromkeys(map(ord, "\u200c\u200d\u00ad"))
BASELINE_RE = re.compile(r"[\u0900-\u0963\u0966-\u097F\w]+")


def clean(word: str) -> str:
    """Ground-truth token form: NFC, joiners and soft hyphens removed, nothing else folded."""
    return unicodedata.normalize("NFC", word).translate(_INVISIBLE)


@dataclass
class Doc:
    id: int
    tokens: frozenset[str]  # ground-truth tokens
    raw_tokens: frozenset[str]  # baseline tokens
    body: str
    lucene_tokens: frozenset[str] = frozenset()  # Lucene's HindiAnalyzer terms
    # the same three in text order, space-separated with a space at each end (for forms of several words)
    sequence: str = ""
    raw_sequence: str = ""
    lucene_sequence: str = ""
    year: str = ""  # the year it is dated in, if any


@dataclass
class FormResult:
    cls: str
    group: tuple[str, ...]
    form: str
    relevant: int
    ours_recall: float
    ours_precision: float
    ours_retrieved: int
    base_recall: float
    base_precision: float
    base_retrieved: int
    lucene_recall: float = 0.0
    lucene_precision: float = 0.0
    lucene_retrieved: int = 0
    missed_examples: list[str] = field(default_factory=list)


def recall_precision(retrieved: set[int], relevant: set[int]) -> tuple[float, float]:
    found = len(retrieved & relevant)
    recall = found / len(relevant) if relevant else 1.0
    precision = found / len(retrieved) if retrieved else float(not relevant)
    return recall, precision


def build_archive(home: Path, corpus: Path) -> float:
    from archive.config import resolve_settings
    from archive.ingest.pipeline import ingest

    settings = resolve_settings(home)
    start = time.perf_counter()
    report = ingest(settings, [corpus / name for name in CORPUS_FILES])
    elapsed = time.perf_counter() - start
    print(f"Ingested {report.counts.added} articles ({report.indexed} indexed) in {elapsed:.1f} s")
    return elapsed


def article_count(home: Path) -> int:
    from sqlalchemy import func, select

    from archive.config import resolve_settings
    from archive.store.database import Store
    from archive.store.tables import Article

    if not (home / "archive.db").exists() or not (home / "index").exists():
        return 0
    store = Store.open(resolve_settings(home), create=False)
    try:
        with store.engine.connect() as connection:
            return int(connection.execute(select(func.count(Article.id))).scalar_one())
    finally:
        store.close()


def load_docs(home: Path) -> list[Doc]:
    from sqlalchemy import select

    from archive.analysis.tokenizer import tokenize
    from archive.config import resolve_settings
    from archive.store.database import Store
    from archive.store.tables import Article

    store = Store.open(resolve_settings(home), create=False)
    docs: list[Doc] = []
    try:
        with store.engine.connect() as connection:
            ids = [row[0] for row in connection.execute(select(Article.id).order_by(Article.id))]
        for start in range(0, len(ids), 500):
            for article in store.articles(ids[start : start + 500]):
                text = "\n".join(part for part in (article.title, article.summary, article.body) if part)
                words = [clean(word) for word, _, _ in tokenize(text)]
                raws = BASELINE_RE.findall(text.lower())
                lucenes = [lucene_term(word) for word in words]
                docs.append(
                    Doc(
                        article.id, frozenset(words), frozenset(raws), article.body or "", frozenset(lucenes),
                        _spaced(w.lower() for w in words), _spaced(raws), _spaced(lucenes),
                        str(article.published.year) if article.published else "",
                    )
                )  # fmt: skip
    finally:
        store.close()
    return docs


def _spaced(words: Iterable[str]) -> str:
    return " " + " ".join(words) + " "


def index_ids(docs: Iterable[Doc], attr: str) -> dict[str, set[int]]:
    postings: dict[str, set[int]] = defaultdict(set)
    for doc in docs:
        for token in getattr(doc, attr):
            postings[token].add(doc.id)
    return postings


def select_groups(
    truth: dict[str, set[int]],
) -> tuple[list[tuple[str, tuple[str, ...]]], list[str]]:
    from archive.analysis.stopwords import is_stopword

    kept: list[tuple[str, tuple[str, ...]]] = []
    dropped: list[str] = []
    for cls, forms in VARIANT_GROUPS:
        present = tuple(f for f in forms if truth.get(clean(f)) and not is_stopword(clean(f)))
        missing = [f for f in forms if f not in present]
        if missing:
            dropped.append(f"{cls}: {'/'.join(missing)} (of {'/'.join(forms)})")
        if len(present) >= 2:
            kept.append((cls, present))
    return kept, dropped


def words_of(form: str) -> list[str]:
    from archive.analysis.tokenizer import tokenize

    return [clean(word) for word, _, _ in tokenize(form)]


def sequence_ids(docs: Iterable[Doc], attr: str, words: list[str]) -> set[int]:
    """The articles whose ``attr`` sequence holds ``words`` one after another."""
    wanted = _spaced(words)
    return {doc.id for doc in docs if wanted in getattr(doc, attr)}


@dataclass
class Truths:
    """Which articles hold each form, for ground truth, the baseline and Lucene (forms of several words
    looked up in the articles' word sequences)."""

    docs: list[Doc]
    truth: dict[str, set[int]]
    raw: dict[str, set[int]]
    lucene: dict[str, set[int]]

    def relevant(self, forms: Iterable[str]) -> set[int]:
        found: set[int] = set()
        for form in forms:
            words = words_of(form.removeprefix("="))
            if len(words) == 1:
                found |= relevant_to([words[0]], self.truth) | self.truth.get(words[0].lower(), set())
            elif words:
                found |= sequence_ids(self.docs, "sequence", [w.lower() for w in words])
        return found

    def baseline(self, form: str) -> set[int]:
        words = BASELINE_RE.findall(form.lower())
        if len(words) == 1:
            return self.raw.get(words[0], set())
        return sequence_ids(self.docs, "raw_sequence", words) if words else set()

    def by_lucene(self, form: str) -> set[int]:
        words = [lucene_term(w) for w in words_of(form)]
        if len(words) == 1:
            return self.lucene.get(words[0], set())
        return sequence_ids(self.docs, "lucene_sequence", words) if words else set()


def evaluate_exact(truths: Truths, searcher: Searcher) -> list[FormResult]:
    """:data:`EXACT_WORDS` searched in quotes, against the articles holding the typed token."""
    results = []
    for word in EXACT_WORDS:
        relevant = truths.truth.get(clean(word), set())
        if relevant:
            ours = searcher.ids(f'"{word}"')
            results.append(
                form_result("exact", (word,), word, relevant, ours, truths.baseline(word), truths.by_lucene(word))
            )
    return results


def typed_query(form: str) -> str:
    """A form as a reader types it: several words in quotes, as a phrase."""
    return f'"{form}"' if " " in form.strip() else form


def select_typed_groups(truths: Truths) -> tuple[list[tuple[str, tuple[str, ...]]], list[str]]:
    kept, dropped = [], []
    for cls, forms in TYPED_GROUPS:
        if truths.relevant(forms):
            kept.append((cls, forms))
        else:
            dropped.append(f"{cls}: {'/'.join(forms)} (the corpus holds none of them)")
    return kept, dropped


def evaluate_typed(groups: list[tuple[str, tuple[str, ...]]], truths: Truths, searcher: Searcher) -> list[FormResult]:
    """As :func:`evaluate`, for :data:`TYPED_GROUPS`: every form searched as typed."""
    results: list[FormResult] = []
    for cls, forms in groups:
        relevant = truths.relevant(forms)
        for form in (f for f in forms if not f.startswith("=")):
            ours = searcher.ids(typed_query(form))
            results.append(form_result(cls, forms, form, relevant, ours, truths.baseline(form), truths.by_lucene(form)))
    return results


def form_result(
    cls: str, forms: tuple[str, ...], form: str, relevant: set[int], ours: set[int], base: set[int], lucene: set[int]
) -> FormResult:
    """One form's recall and precision, ours beside the baseline's and Lucene's."""
    r_o, p_o = recall_precision(ours, relevant)
    r_b, p_b = recall_precision(base, relevant)
    r_l, p_l = recall_precision(lucene, relevant)
    return FormResult(
        cls, forms, form, len(relevant), r_o, p_o, len(ours), r_b, p_b, len(base), r_l, p_l, len(lucene)
    )  # fmt: skip


class Searcher:
    def __init__(self, home: Path) -> None:
        from archive.config import resolve_settings

        self.settings = resolve_settings(home)
        self.cache: dict[str, set[int]] = {}
        self.expanded: dict[str, list[str]] = {}
        self.seconds = 0.0
        self.queries = 0

    def ids(self, query: str) -> set[int]:
        from archive import Archive

        if query not in self.cache:
            start = time.perf_counter()
            try:
                with Archive(settings=self.settings) as archive:
                    result = archive.search(query, limit=ALL_RESULTS, snippets=False)
                self.cache[query] = {hit.id for hit in result.hits}
                self.expanded[query] = list(result.expanded)
            except Exception as exc:  # a query the archive rejects retrieves nothing
                print(f"  ! search({query!r}) failed: {exc}", file=sys.stderr)
                self.cache[query] = set()
                self.expanded[query] = []
            self.seconds += time.perf_counter() - start
            self.queries += 1
        return self.cache[query]


_CONSONANT_END = re.compile("[\u0915-\u0939\u0958-\u095f]\u093c?$")


def inflections(form: str) -> set[str]:
    """The form and its regular noun inflections (direct/oblique, singular/plural), generated by
    rule, independently of the analyzer under test; forms the corpus lacks simply match nothing.

    >>> sorted(inflections("फैसला"))
    ['फैसल', 'फैसला', 'फैसलाओं', 'फैसले', 'फैसलों']
    >>> sorted(inflections("नदी"))
    ['नदियाँ', 'नदियां', 'नदियों', 'नदी']
    """
    forms = {form}
    for ending in ("ों", "ें", "े"):
        if form.endswith(ending) and len(form) > len(ending) + 1:
            base = form[: -len(ending)]
            forms |= {base, base + "ा", base + "े", base + "ों", base + "ें"}
    if form.endswith(("ियों", "ियां", "ियाँ")):
        forms.add(form[: -len("ियों")] + "ी")  # खिलाड़ियों / खिलाड़ी
    if form.endswith("ा"):
        base = form[:-1]
        forms |= {base + "े", base + "ों", base + "ाओं", base}  # ठंडा / ठंड: adjective and noun
    elif form.endswith("ी"):
        base = form[:-1]
        forms |= {base + "ियों", base + "ियां", base + "ियाँ"}
    elif _CONSONANT_END.search(form):
        forms |= {form + "ों", form + "ें", form + "े"}
    return forms


def relevant_to(forms: Iterable[str], truth: dict[str, set[int]]) -> set[int]:
    return set().union(*(truth.get(clean(f), set()) for form in forms for f in inflections(form)))


_DIGITS = str.maketrans("०१२३४५६७८९", "0123456789")


def dated_in(forms: Iterable[str], docs: Iterable[Doc]) -> set[int]:
    """For a group of spellings of a year (2016, २०१६): the articles dated in it, which a reader asking for
    the year wants as much as those whose text says it (issue 17)."""
    years = {f.translate(_DIGITS) for f in forms if re.fullmatch("[0-9०-९]{4}", f)}
    return {doc.id for doc in docs if doc.year and doc.year in years}


def evaluate(
    groups: list[tuple[str, tuple[str, ...]]],
    truth: dict[str, set[int]],
    raw: dict[str, set[int]],
    searcher: Searcher,
    lucene: dict[str, set[int]] | None = None,
    docs: Iterable[Doc] = (),
) -> list[FormResult]:
    results: list[FormResult] = []
    docs = list(docs)
    for cls, forms in groups:
        relevant = relevant_to(forms, truth) | dated_in(forms, docs)
        for form in forms:
            base = raw.get(form.lower(), set())
            found_by_lucene = (lucene or {}).get(lucene_term(form), set())
            results.append(form_result(cls, forms, form, relevant, searcher.ids(form), base, found_by_lucene))
    return results


def mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else float("nan")


def print_table(headers: list[str], rows: list[list[object]]) -> None:
    cells = [[str(c) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)]
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in cells:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))


def f3(x: float) -> str:
    return f"{x:.3f}"


def print_summary(results: list[FormResult]) -> None:
    by_class: dict[str, list[FormResult]] = defaultdict(list)
    for r in results:
        by_class[r.cls].append(r)
    rows: list[list[object]] = []
    for cls, rs in by_class.items():
        rows.append(
            [
                cls,
                len({r.group for r in rs}),
                len(rs),
                f3(mean([r.ours_recall for r in rs])),
                f3(mean([r.ours_precision for r in rs])),
                f3(mean([r.base_recall for r in rs])),
                f3(mean([r.base_precision for r in rs])),
                f3(mean([r.lucene_recall for r in rs])),
                f3(mean([r.lucene_precision for r in rs])),
            ]
        )
    # macro: mean over classes of the class means; micro: over all (form, relevant article) pairs
    macro = [mean([float(row[i]) for row in rows]) for i in range(3, 9)]
    rows.append(["MACRO (mean of classes)", "", "", *map(f3, macro)])
    per_form = [
        mean([r.ours_recall for r in results]),
        mean([r.ours_precision for r in results]),
        mean([r.base_recall for r in results]),
        mean([r.base_precision for r in results]),
        mean([r.lucene_recall for r in results]),
        mean([r.lucene_precision for r in results]),
    ]
    rows.append(["MEAN (all forms)", len({r.group for r in results}), len(results), *map(f3, per_form)])

    def micro(recall_attr: str, precision_attr: str, retrieved_attr: str) -> tuple[float, float]:
        found = sum(getattr(r, recall_attr) * r.relevant for r in results)
        relevant = sum(r.relevant for r in results)
        retrieved = sum(getattr(r, retrieved_attr) for r in results)
        correct = sum(getattr(r, precision_attr) * getattr(r, retrieved_attr) for r in results)
        return found / relevant, (correct / retrieved if retrieved else 1.0)

    mo = micro("ours_recall", "ours_precision", "ours_retrieved")
    mb = micro("base_recall", "base_precision", "base_retrieved")
    ml = micro("lucene_recall", "lucene_precision", "lucene_retrieved")
    rows.append(["MICRO (pooled articles)", "", "", *map(f3, (*mo, *mb, *ml))])
    print_table(["class", "groups", "forms", "ours R", "ours P", "base R", "base P", "lucene R", "lucene P"], rows)


def print_details(results: list[FormResult]) -> None:
    rows = [
        [
            r.cls,
            r.form,
            "/".join(r.group),
            r.relevant,
            r.ours_retrieved,
            f3(r.ours_recall),
            f3(r.ours_precision),
            r.base_retrieved,
            f3(r.base_recall),
            f3(r.base_precision),
            "<-" if min(r.ours_recall, r.ours_precision) < 0.95 else "",
        ]
        for r in results
    ]
    print_table(
        ["class", "query", "group", "relevant", "ours n", "ours R", "ours P", "base n", "base R", "base P", ""],
        rows,
    )


def explain(
    query: str, retrieved: set[int], relevant: set[int], forms: Iterable[str], docs: dict[int, Doc], searcher: Searcher
) -> tuple[str, str]:
    """Why a query missed or over-matched: which of its searched forms sit in the wrong articles, and
    which group forms sit in the articles it missed (top 4 each, with article counts)."""
    expanded = {clean(w) for w in searcher.expanded.get(query, [])}
    forms = {clean(f) for f in forms}
    extra: Counter[str] = Counter()
    for doc_id in retrieved - relevant:
        extra.update(docs[doc_id].tokens & expanded - forms)
    missed: Counter[str] = Counter()
    for doc_id in relevant - retrieved:
        missed.update(docs[doc_id].tokens & forms)

    def top(counter: Counter[str]) -> str:
        return " ".join(f"{w}:{n}" for w, n in counter.most_common(4))

    return top(extra), top(missed)


def print_diagnosis(results: list[FormResult], truths: Truths, docs: dict[int, Doc], searcher: Searcher) -> None:
    truth = truths.truth
    rows: list[list[object]] = []
    for r in results:
        if min(r.ours_recall, r.ours_precision) >= 0.95:
            continue
        typed = r.cls in {cls for cls, _ in TYPED_GROUPS}
        relevant = truths.relevant(r.group) if typed else relevant_to(r.group, truth) | dated_in(r.group, docs.values())
        retrieved = searcher.ids(typed_query(r.form) if typed else r.form)
        extra, missed = explain(r.form, retrieved, relevant, r.group, docs, searcher)
        rows.append([r.cls, r.form, f3(r.ours_recall), f3(r.ours_precision), missed or "-", extra or "-"])
    print_table(["class", "query", "R", "P", "missed articles hold", "extra articles hold (searched forms)"], rows)


def check_traps(
    truth: dict[str, set[int]], docs: dict[int, Doc], searcher: Searcher, lucene: dict[str, set[int]] | None = None
) -> list[list[object]]:
    rows: list[list[object]] = []
    for a, b, gloss in TRAPS:
        for query, other in ((a, b), (b, a)):
            has_q, has_o = relevant_to([query], truth), truth.get(clean(other), set())
            if not has_q or not has_o:
                continue
            returned = searcher.ids(query)
            leaked = (returned & has_o) - has_q
            via = ""
            if leaked:
                via, _ = explain(query, leaked, set(), [query], docs, searcher)
            lucene_leaked = ((lucene or {}).get(lucene_term(query), set()) & has_o) - has_q
            rows.append(
                [
                    query, other, gloss, len(has_q), len(returned), len(leaked), "pass" if not leaked else "FAIL",
                    len(lucene_leaked), via,
                ]
            )  # fmt: skip
    return rows


def clear_synonyms(home: Path) -> list[list[str]]:
    """Remove the archive's synonym groups (an archive built before synonyms has none); returns their words,
    for :func:`restore_synonyms`."""
    from archive import Archive

    archive = Archive(home)
    groups = getattr(archive, "synonyms", lambda: [])()
    if groups:
        archive.remove_synonyms([word for group in groups for word in group.words])
    return [list(group.words) for group in groups]


def restore_synonyms(home: Path, groups: list[list[str]]) -> None:
    """Put back the groups :func:`clear_synonyms` took: a reused home must measure places (which need them)
    as a fresh one does."""
    from archive import Archive

    archive = Archive(home)
    for words in groups:
        archive.add_synonyms(words)


def analysis_speed(docs: list[Doc]) -> tuple[int, int, float]:
    from archive.analysis import analyze
    from archive.analysis.tokenizer import tokenize

    words = sum(1 for doc in docs for _ in tokenize(doc.body))
    start = time.perf_counter()
    terms = 0
    for doc in docs:
        terms += len(analyze(doc.body, mode="index"))
    return words, terms, time.perf_counter() - start


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def plain_index_size(home: Path) -> tuple[int, float]:
    """Size of a Whoosh index of the same title/summary/body text with the default StandardAnalyzer."""
    from sqlalchemy import select
    from whoosh.fields import ID, TEXT, Schema
    from whoosh.index import create_in

    from archive.config import resolve_settings
    from archive.store.database import Store
    from archive.store.tables import Article

    schema = Schema(id=ID(stored=True, unique=True), title=TEXT(), summary=TEXT(), body=TEXT())
    tmp = Path(tempfile.mkdtemp(prefix="relevance-plain-"))
    start = time.perf_counter()
    try:
        index = create_in(str(tmp), schema)
        writer = index.writer(limitmb=256)
        store = Store.open(resolve_settings(home), create=False)
        try:
            with store.engine.connect() as connection:
                ids = [row[0] for row in connection.execute(select(Article.id))]
            for start_at in range(0, len(ids), 500):
                for a in store.articles(ids[start_at : start_at + 500]):
                    writer.add_document(id=str(a.id), title=a.title or "", summary=a.summary or "", body=a.body or "")
        finally:
            store.close()
        writer.commit(optimize=True)
        return dir_size(tmp), time.perf_counter() - start
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, help="archive home to build in or reuse (default: a temp dir)")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="directory holding the corpus files")
    parser.add_argument("--no-details", action="store_true", help="skip the per-form table")
    parser.add_argument("--no-plain-index", action="store_true", help="skip building the StandardAnalyzer index")
    args = parser.parse_args(argv)

    corpus: Path = args.corpus
    if not corpus.is_dir() or not all((corpus / name).is_file() for name in CORPUS_FILES):
        print(f"relevance benchmark skipped: corpus not found at {corpus}")
        return 0

    temp_home: Path | None = None
    if args.home is None:
        temp_home = Path(tempfile.mkdtemp(prefix="relevance-home-"))
        home = temp_home
    else:
        home = args.home.expanduser().absolute()
        home.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    try:
        existing = article_count(home)
        if existing:
            print(f"Reusing archive at {home} ({existing} articles)")
        else:
            build_archive(home, corpus)

        docs = load_docs(home)
        truth = index_ids(docs, "tokens")
        raw = index_ids(docs, "raw_tokens")
        lucene = index_ids(docs, "lucene_tokens")
        groups, dropped = select_groups(truth)
        print(f"{len(docs)} articles; {len(groups)} variant groups, {sum(len(f) for _, f in groups)} forms")
        if dropped:
            print(f"Forms dropped (absent from the corpus or stopwords): {len(dropped)}")
            for line in dropped:
                print(f"  {line}")

        truths = Truths(docs, truth, raw, lucene)
        typed_groups, typed_dropped = select_typed_groups(truths)
        print(f"{len(typed_groups)} groups of typed forms ({len(typed_dropped)} dropped)")
        for line in typed_dropped:
            print(f"  {line}")
        place_groups = [(cls, forms) for cls, forms in PLACE_GROUPS if truths.relevant(forms)]
        places = evaluate_typed(place_groups, truths, Searcher(home))
        cleared = clear_synonyms(home)
        if cleared:
            print(f"Synonyms cleared for the run ({len(cleared)} groups): the groups measure spellings, not synonyms")

        searcher = Searcher(home)
        results = (
            evaluate(groups, truth, raw, searcher, lucene, docs)
            + evaluate_typed(typed_groups, truths, searcher)
            + places
            + evaluate_exact(truths, searcher)
        )
        by_id = {doc.id: doc for doc in docs}
        traps = check_traps(truth, by_id, searcher, lucene)

        print("\n== Recall and precision by variant class (each form searched on its own) ==")
        print_summary(results)

        print("\n== Precision traps: articles returned for the query that hold the other word but not the query ==")
        print_table(
            ["query", "other", "gloss", "with query", "returned", "leaked", "result", "Lucene leaked", "leaked via"],
            traps,
        )
        failed = sum(1 for row in traps if row[6] != "pass")
        print(f"{len(traps) - failed}/{len(traps)} traps pass")

        words, terms, seconds = analysis_speed(docs)
        print("\n== Analysis and index ==")
        print(
            f"analyze(mode='index') over all bodies: {words:,} words -> {terms:,} terms in {seconds:.1f} s "
            f"({words / seconds:,.0f} words/s, {terms / seconds:,.0f} terms/s)"
        )
        ours = dir_size(home / "index")
        print(f"index size with our analysis:     {mb(ours)}")
        if not args.no_plain_index:
            plain, plain_seconds = plain_index_size(home)
            print(
                f"index size with StandardAnalyzer: {mb(plain)} (title, summary, body; built in {plain_seconds:.1f} s;"
                f" ratio {ours / plain:.2f})"
            )
        print(f"search: {searcher.queries} queries in {searcher.seconds:.1f} s")

        print("\n== Forms with recall or precision below 0.95 ==")
        print(
            "(ground truth counts only the group's own forms, so inflections of the word that search"
            " deliberately matches show up as 'extra')"
        )
        print_diagnosis(results, truths, by_id, searcher)

        if not args.no_details:
            print("\n== Per-form detail ('<-' marks recall or precision below 0.95) ==")
            print_details(results)
        print(f"\nTotal time {time.perf_counter() - t0:.1f} s")
        restore_synonyms(home, cleared)
    finally:
        if temp_home is not None:
            shutil.rmtree(temp_home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
