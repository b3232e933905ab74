"""Cleaning that keeps meaning: canonical Unicode, tidy whitespace, and the page furniture scrapers copy.

Every rule here removes only what is not the article (share buttons, "also read" links, a headline
repeated as the first paragraph, the credit line naming the outlet) or moves it where it belongs (the
outlet of a credit line or a title suffix into ``source``). The text as read stays in
``ArticleRecord.original``, so a rule can be changed and re-applied later.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from html.parser import HTMLParser

from archive.readers.dates import DATE_IN_TEXT, date_from_match, to_ascii_digits

_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
# With "  ", what _SPACES changes: a space character other than " " (four times faster than one pattern for both).
_ODD_SPACE = re.compile(r"[\t\u00a0\u2000-\u200a\u202f\u205f\u3000]")
# C0 and C1 controls other than tab and line breaks, and stray byte-order marks inside the text.
# ZWJ / ZWNJ stay: in Devanagari they choose a glyph (the eyelash ra), so they are part of the spelling.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufeff]")
_SPACE_BEFORE_DANDA = re.compile(r" +([।॥])")
_LEADING_COMMAS = re.compile(r"^(?:[,،]\s*)+")
# Paragraph rules look only at short paragraphs: page furniture is short, and a 50 MB paragraph must
# not meet a regular expression that could take long.
_SHORT = 200


def clean_line(line: str) -> str:
    """NFC, control characters out, runs of spaces (including no-break spaces) to one, no space before
    a danda.

    >>> clean_line("  बातचीत   हुई \\u00a0।  ")
    'बातचीत हुई।'
    >>> clean_line("\\u0958\\x07") == "\\u0915\\u093c"  # precomposed क़ and क + nukta are one spelling; a bell goes
    True
    """
    # Each step runs only when it has something to do: lines are many, and some are megabytes long.
    if _CONTROL.search(line):
        line = _CONTROL.sub("", line)
    line = unicodedata.normalize("NFC", line)  # returns the line itself when it is already NFC
    if "  " in line or _ODD_SPACE.search(line):
        line = _SPACES.sub(" ", line)
    if " ।" in line or " ॥" in line:
        line = _SPACE_BEFORE_DANDA.sub(r"\1", line)
    return line.strip()


def paragraphs(text: str) -> list[str]:
    """The non-empty lines of ``text``, each cleaned; lines with no letter or digit (``",  ।"``, ``***``)
    and the commas a scraper left at a line's start are dropped.

    >>> paragraphs(" पहला  वाक्य ।\\n\\n,  ।\\n, दूसरा।\\n***")
    ['पहला वाक्य।', 'दूसरा।']
    """
    result = []
    for line in text.splitlines():
        cleaned = clean_line(line)
        if cleaned.startswith((",", "،")):
            cleaned = _LEADING_COMMAS.sub("", cleaned)
        if any(char.isalnum() for char in cleaned):
            result.append(cleaned)
    return result


def clean_text(text: str) -> str:
    """:func:`paragraphs` joined by one paragraph break.

    >>> clean_text("एक ।\\n\\n\\n\\nदो")
    'एक।\\n\\nदो'
    """
    return "\n\n".join(paragraphs(text))


def one_line(text: str) -> str:
    """A title or name: all its lines cleaned and joined by a space.

    >>> one_line(" दिल्ली में\\n बारिश ")
    'दिल्ली में बारिश'
    """
    return " ".join(line for line in (clean_line(part) for part in text.splitlines()) if line)


# Share-button rows that scrapers copy from the page header or footer.
_SHARE_WORDS = (
    r"facebook|twitter|instagram|whatsapp|linkedin|telegram|pinterest|reddit|koo|email|e-mail|mail|print|"
    r"share|tweet|copy\s+link|x|फेसबुक|ट्विटर|व्हाट्सएप|व्हाट्सऐप|इंस्टाग्राम|टेलीग्राम|ईमेल|ई-मेल|शेयर\s+करें|शेयर|प्रिंट"
)
_SHARE_ROW = re.compile(rf"^(?:(?:{_SHARE_WORDS})(?:[\s,|/:•·]+|$))+$", re.IGNORECASE)


def is_share_row(paragraph: str) -> bool:
    """Whether a paragraph is only share buttons.

    >>> is_share_row("facebook twitter instagram"), is_share_row("Share: Facebook | WhatsApp")
    (True, True)
    >>> is_share_row("फेसबुक पर उन्होंने लिखा")
    False
    """
    return len(paragraph) <= _SHORT and _SHARE_ROW.match(paragraph) is not None


# "यह भी पढ़ें" (also read) and its spellings, on a line of its own or before the linked headline; and
# "और पढ़ें" (read more), which is a link by itself. After NFC "ढ़" is two code points (ढ + nukta), so
# the nukta is optional in the pattern.
_ALSO_READ = re.compile(
    r"^[\s\-–—*•>»›►#|]*(?:(?P<also>(?:यह|ये|इसे|इन्हें|इसको)\s+भी\s+पढ\u093c?ें|पढ\u093c?ें\s+भी|also\s+read|read\s+also)"
    r"|(?P<more>और\s+पढ\u093c?ें|read\s+more))(?P<rest>.*)$",
    re.IGNORECASE,
)
_SEPARATORS = (":", "：", "-", "–", "—", "|", ">", "»")
#: The end of a sentence (a headline has none).
SENTENCE_END = re.compile(r"[।॥.?!][\s\"'”’)]*$")
#: An "also read" marker on a line of its own takes the next line with it when that line is at most this
#: long: a linked headline, not a paragraph of the article.
LINKED_HEADLINE_CHARS = 150


def drop_also_read(paras: list[str]) -> list[str]:
    """Paragraphs without "also read" lines, and without the linked headline after a bare marker.

    >>> drop_also_read(["पहला।", "यह भी पढ़ें:", "एक और खबर", "दूसरा।", "ये भी पढ़ें - तीसरी खबर", "अंत।"])
    ['पहला।', 'दूसरा।', 'अंत।']
    """
    kept: list[str] = []
    skip_next = False
    for paragraph in paras:
        if skip_next:
            skip_next = False
            if len(paragraph) <= LINKED_HEADLINE_CHARS:
                continue
        match = _ALSO_READ.match(paragraph) if len(paragraph) <= _SHORT else None
        rest = match["rest"].strip() if match else ""
        # "यह भी पढ़ें कि नियम क्या हैं।" is a sentence: after the words comes neither a separator nor a
        # linked headline (which has no full stop).
        if match is None or (rest and not rest.startswith(_SEPARATORS) and SENTENCE_END.search(rest)):
            kept.append(paragraph)
        else:
            skip_next = bool(match["also"]) and not rest.strip("".join(_SEPARATORS) + " ")
    return kept


def _compare_key(text: str) -> str:
    return re.sub(r"[\s।॥.!?:;,\-–—'\"‘’“”]+", " ", text).strip().casefold()


def drop_repeated_title(titles: list[str], paras: list[str]) -> list[str]:
    """Paragraphs without a first paragraph that only repeats the headline (punctuation aside).

    >>> drop_repeated_title(["फैसले का संदेश"], ["फैसले का संदेश।", "पाठ।"])
    ['पाठ।']
    """
    keys = {_compare_key(title) for title in titles if title}
    if paras and len(paras[0]) <= 2 * _SHORT and _compare_key(paras[0]) in keys:
        return paras[1:]
    return paras


# "फैसले का संदेश (जनसत्ता)।": the editorial sites put the outlet after the headline, then a danda.
_TITLE_OUTLET = re.compile(r"^(?P<title>.+?)\s*\(\s*(?P<outlet>[^()]{2,60}?)\s*\)\s*[।.]\s*$")


def split_title_outlet(title: str) -> tuple[str, str | None]:
    """The headline without an ``(outlet)।`` suffix, and the outlet (a label after a colon dropped).

    >>> split_title_outlet("फैसले का संदेश (जनसत्ता)।")
    ('फैसले का संदेश', 'जनसत्ता')
    >>> split_title_outlet("कर्ज का बोझ (दैनिक जागरण : Editorial)।")
    ('कर्ज का बोझ', 'दैनिक जागरण')
    >>> split_title_outlet("चुनाव (2019) के नतीजे")
    ('चुनाव (2019) के नतीजे', None)
    """
    match = _TITLE_OUTLET.match(title) if len(title) <= 2 * _SHORT else None
    if match is None:
        return title, None
    outlet = _outlet_name(match["outlet"])
    if outlet is None:
        return title, None
    return match["title"], outlet


def _outlet_name(text: str) -> str | None:
    """An outlet's name, or ``None`` when the text does not look like one (a date, a sentence)."""
    name = text.split(":")[0].strip(" ,.-–—")
    name = _SPACES.sub(" ", name)
    if not name or len(name) > 40 or len(name.split()) > 5 or any(char.isdigit() for char in name):
        return None
    return name


@dataclass(frozen=True)
class Credit:
    """What a credit line (``सौजन्य- दैनिक जागरण, 25.01.2016।``) says."""

    outlet: str
    #: The date as written, when the line has one.
    date_text: str | None
    #: The date, when it could be read.
    published: date | None
    #: What the line says besides the credit (an author's sign-off), kept as the body's last paragraph.
    remainder: str | None


# The credit word, then a separator (":", "-", "–", ":-"); before it at most a sign-off and a comma.
# Without the separator "सौजन्य मुलाकात" (a courtesy call) at a body's end would read as a credit.
_CREDIT = re.compile(
    r"^(?:(?P<before>.*?)\s*,\s*)?(?:सौजन्य|साभार|courtesy)\s*[:;：\-–—][\s:;：\-–—]*(?P<rest>.*?)[\s।.,]*$",
    re.IGNORECASE,
)


_DATE_LIKE = re.compile(r"(?<!\w)\d{1,4}[./-]\d{1,4}(?:[./-]?\d{1,4})*(?!\w)")


def split_credit(paras: list[str]) -> tuple[list[str], Credit | None]:
    """The body without a credit line at its end, and what the line said.

    >>> body, credit = split_credit(["पाठ।", "सौजन्य :- अमर उजाला,25.01.2016।"])
    >>> body, credit.outlet, credit.published
    (['पाठ।'], 'अमर उजाला', datetime.date(2016, 1, 25))
    >>> split_credit(["पाठ।", "सौजन्य- जनसत्ता, 01.032016, लेखक का नाम।"])
    (['पाठ।', 'लेखक का नाम'], Credit(outlet='जनसत्ता', date_text='01.032016', published=None, remainder='लेखक का नाम'))
    >>> body, credit = split_credit(["पाठ।", "– हरीश खरे, सौजन्य- दैनिक ट्रिब्यून।"])
    >>> body, credit.outlet
    (['पाठ।', '– हरीश खरे'], 'दैनिक ट्रिब्यून')
    >>> split_credit(["पाठ जिसमें सौजन्य शब्द है पर यह वाक्य बहुत लंबा है और किसी अख़बार का नाम नहीं देता।"])[1] is None
    True
    """
    if not paras or len(paras[-1]) > _SHORT:
        return paras, None
    match = _CREDIT.match(paras[-1])
    if match is None:
        return paras, None
    credit = _read_credit(match["rest"])
    if credit is None:
        return paras, None
    before = (match["before"] or "").strip(" ,")
    remainder = ", ".join(part for part in (before, credit.remainder) if part)
    kept = [*paras[:-1], remainder] if any(char.isalnum() for char in remainder) else paras[:-1]
    return kept, Credit(credit.outlet, credit.date_text, credit.published, remainder or None)


def _read_credit(rest: str) -> Credit | None:
    """Outlet, date and any other words of a credit line's text after ``सौजन्य``."""
    digits = to_ascii_digits(rest)
    # A date, or failing that something written like one ("01.032016"): never a part of the name.
    found = DATE_IN_TEXT.search(digits) or _DATE_LIKE.search(digits)
    if found is None:
        parts = _split_commas(rest)
        outlet, others = (parts[0] if parts else ""), parts[1:]
        date_text, published = None, None
    else:
        # The outlet is the name just before the date: "लेखक (परिचय), दैनिक जागरण ,21.10.2015".
        before = _split_commas(rest[: found.start()].rstrip(" (,"))
        after = _split_commas(rest[found.end() :].lstrip(" ),"))
        outlet = before[-1] if before else ""
        others = before[:-1] + after
        date_text = rest[found.start() : found.end()]
        published = date_from_match(found) if found.re is DATE_IN_TEXT else None
    name = _outlet_name(outlet)
    if name is None:
        return None
    remainder = ", ".join(part for part in others if any(char.isalnum() for char in part))
    return Credit(name, date_text, published, remainder or None)


def _split_commas(text: str) -> list[str]:
    """Comma-separated parts, commas inside parentheses left alone."""
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for char in text:
        depth += (char == "(") - (char == ")")
        if char == "," and depth <= 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [stripped for stripped in (part.strip(" ,") for part in parts) if stripped]


_EMAIL_AUTHOR = re.compile(r"^\S+@\S+\s*\((?P<name>[^()]+)\)$")


def author_name(author: str) -> str:
    """An author without the e-mail address RSS puts before the name.

    >>> author_name("desk@example.org (रमेश कुमार)"), author_name("रमेश कुमार")
    ('रमेश कुमार', 'रमेश कुमार')
    """
    match = _EMAIL_AUTHOR.match(author)
    return match["name"].strip() if match else author


class _TextOfHtml(HTMLParser):
    _BLOCKS = frozenset(
        "p div br li ul ol h1 h2 h3 h4 h5 h6 blockquote tr table section article header footer figure "
        "figcaption pre hr dd dt dl".split()
    )
    _SKIPPED = frozenset("script style noscript template iframe svg object".split())

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIPPED:
            self._skipping += 1
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIPPED:
            self._skipping = max(0, self._skipping - 1)
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_to_text(fragment: str) -> str:
    """The text of an HTML fragment (a feed entry's summary), one line per block, scripts left out.

    >>> html_to_text("<p>दिल्ली में <b>बारिश</b> हुई।</p><p>दूसरा&nbsp;अनुच्छेद</p><script>x()</script>")
    'दिल्ली में बारिश हुई।\\n\\nदूसरा\\xa0अनुच्छेद'
    """
    parser = _TextOfHtml()
    parser.feed(fragment)
    parser.close()
    return re.sub(r"\n\s*\n\s*", "\n\n", "".join(parser.parts)).strip()


# What a scraper leaves of an attribute before the text (`=": #0000;"`, `="-: ;"-`, `="AR-SA"`: 138 editorials
# of the shared corpus start so): an `=` and a short quoted run of ASCII letters, digits and CSS punctuation.
_STYLE_DEBRIS = re.compile(r'^\s*(?:[A-Za-z-]{1,20})?="[\s:;#\-.,%A-Za-z0-9]{0,60}"\s*-?\s*')


def drop_style_debris(paras: list[str]) -> list[str]:
    """Paragraphs without the remains of markup at the start of the first.

    >>> drop_style_debris(['=": #0000;"मोदी राज में मध्यवर्ग को लाभ हुआ।', "दूसरा।"])
    ['मोदी राज में मध्यवर्ग को लाभ हुआ।', 'दूसरा।']
    >>> drop_style_debris(['="-: ;"-', "पाठ।"]), drop_style_debris(['उसने कहा="हाँ"।'])
    (['पाठ।'], ['उसने कहा="हाँ"।'])
    """
    if not paras or len(paras[0]) > 64 * 1024:
        return paras
    first = _STYLE_DEBRIS.sub("", paras[0], count=1)
    if first == paras[0]:
        return paras
    return [first, *paras[1:]] if any(char.isalnum() for char in first) else paras[1:]


# "(बिजनेस स्टैंडर्ड)।" or "(प्रो.अभिजीत सेन) (पत्रिका)।" as a first paragraph: the credit a site printed
# above the text, an author's name before the outlet's.
_OPENING_CREDIT = re.compile(r"^(?:\(\s*[^()]{2,60}?\s*\)\s*){1,2}[।.]$")
_BRACKETED = re.compile(r"\(\s*([^()]{2,60}?)\s*\)")


def split_opening_credit(paras: list[str]) -> tuple[list[str], str | None, str | None]:
    """The body without a bracketed credit as its first paragraph, the outlet it names and the author named
    before it.

    >>> split_opening_credit(["(बिजनेस स्टेंडर्ड )।", "पाठ।"])
    (['पाठ।'], 'बिजनेस स्टेंडर्ड', None)
    >>> split_opening_credit(["(प्रो.अभिजीत सेन) (पत्रिका)।", "पाठ।"])
    (['पाठ।'], 'पत्रिका', 'प्रो.अभिजीत सेन')
    >>> split_opening_credit(["(2019) के चुनाव।", "पाठ।"])[1] is None
    True
    """
    if len(paras) < 2 or len(paras[0]) > _SHORT or not _OPENING_CREDIT.match(paras[0]):
        return paras, None, None
    names = _BRACKETED.findall(paras[0])
    outlet = _outlet_name(names[-1])
    if outlet is None:
        return paras, None, None
    author = _outlet_name(names[0]) if len(names) == 2 else None
    return paras[1:], outlet, author


def drop_title_danda(title: str) -> str:
    """A headline without the danda a sentence ends with (headlines have none; some sites print one).

    >>> drop_title_danda("नोटबंदी का असर।"), drop_title_danda("जय हो॥"), drop_title_danda("क्यों?")
    ('नोटबंदी का असर', 'जय हो॥', 'क्यों?')
    """
    if title.endswith("।") and not title.endswith("।।"):
        return title[:-1].rstrip()
    return title
