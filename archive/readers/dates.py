"""Dates as Hindi news writes them: ISO, day.month.year, ``25 जनवरी 2016``, RFC 2822 from feeds.

Numeric dates are read day first (``01.02.2016`` is 1 February), the order Indian papers use. Nothing
is guessed: a two-digit year, an impossible day or month, or any other text gives ``None``, and the
record keeps an empty date with a note instead.
"""

from __future__ import annotations

import email.utils
import re
import unicodedata
from datetime import date, datetime

# Devanagari digits are ordinary digits in Hindi dates (२५.०१.२०१६); the mapping is one character to
# one character, so positions found in the translated text are positions in the original.
_DIGITS = str.maketrans("०१२३४५६७८९", "0123456789")

_MONTHS: dict[str, int] = {
    # Hindi, with the spellings papers use side by side (सितंबर / सितम्बर, फरवरी / फ़रवरी).
    "जनवरी": 1,
    "फरवरी": 2,
    "फ़रवरी": 2,
    "मार्च": 3,
    "अप्रैल": 4,
    "अप्रेल": 4,
    "मई": 5,
    "जून": 6,
    "जुलाई": 7,
    "अगस्त": 8,
    "सितंबर": 9,
    "सितम्बर": 9,
    "अक्टूबर": 10,
    "अक्तूबर": 10,
    "नवंबर": 11,
    "नवम्बर": 11,
    "दिसंबर": 12,
    "दिसम्बर": 12,
    # English, full and abbreviated.
    "january": 1,
    "jan": 1,
    "february": 2,
    "feb": 2,
    "march": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "may": 5,
    "june": 6,
    "jun": 6,
    "july": 7,
    "jul": 7,
    "august": 8,
    "aug": 8,
    "september": 9,
    "sept": 9,
    "sep": 9,
    "october": 10,
    "oct": 10,
    "november": 11,
    "nov": 11,
    "december": 12,
    "dec": 12,
}
_MONTHS = {unicodedata.normalize("NFC", name): number for name, number in _MONTHS.items()}
# Longest names first, so that "june" is not read as "jun" + "e".
_MONTH = "|".join(sorted((re.escape(name) for name in _MONTHS), key=len, reverse=True))
# \b does not work inside Devanagari words (vowel signs are not \w), so word edges are spelt out.
_WORD = r"[\w\u0900-\u097f]"
_BEFORE = rf"(?<!{_WORD})"
_AFTER = rf"(?!{_WORD})"

_NUMERIC_DMY = r"(?P<d>\d{1,2})\s*(?P<sep>[./-])\s*(?P<m>\d{1,2})\s*(?P=sep)\s*(?P<y>\d{4})"
_NUMERIC_YMD = r"(?P<y2>\d{4})(?P<sep2>[./-])(?P<m2>\d{1,2})(?P=sep2)(?P<d2>\d{1,2})"
_DAY_MONTH_YEAR = rf"(?P<d3>\d{{1,2}})(?:st|nd|rd|th)?[\s\-]*(?P<mn3>{_MONTH})\.?[\s,\-]*(?P<y3>\d{{4}})"
_MONTH_DAY_YEAR = rf"(?P<mn4>{_MONTH})\.?\s*(?P<d4>\d{{1,2}})(?:st|nd|rd|th)?\s*,?\s*(?P<y4>\d{{4}})"

#: A date anywhere in a text (a credit line, say). Digits must be ASCII: translate them first.
DATE_IN_TEXT = re.compile(
    rf"{_BEFORE}(?:{_NUMERIC_YMD}|{_NUMERIC_DMY}|{_DAY_MONTH_YEAR}|{_MONTH_DAY_YEAR}){_AFTER}",
    re.IGNORECASE,
)

_WEEKDAY = (
    r"(?:सोमवार|मंगलवार|बुधवार|गुरुवार|बृहस्पतिवार|शुक्रवार|शनिवार|रविवार|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)"
)
_LEADING_WEEKDAY = re.compile(rf"^{_WEEKDAY}\.?\s*,?\s*", re.IGNORECASE)
_TRAILING_TIME = re.compile(
    r"[\s,T]+\d{1,2}[:.]\d{2}(?:[:.]\d{2}(?:\.\d+)?)?\s*(?:[ap]\.?m\.?|बजे)?\s*"
    r"(?:\(?(?:IST|GMT|UTC)\)?|Z|[+-]\d{2}:?\d{2})?$",
    re.IGNORECASE,
)
_EARLIEST_YEAR, _LATEST_YEAR = 1800, 2199


def _make(year: int, month: int, day: int) -> date | None:
    if not _EARLIEST_YEAR <= year <= _LATEST_YEAR:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def date_from_match(match: re.Match[str]) -> date | None:
    """The date a :data:`DATE_IN_TEXT` match names, ``None`` when there is no such day."""
    groups = match.groupdict()
    if groups["y2"]:
        return _make(int(groups["y2"]), int(groups["m2"]), int(groups["d2"]))
    if groups["y"]:
        return _make(int(groups["y"]), int(groups["m"]), int(groups["d"]))
    if groups["y3"]:
        return _make(int(groups["y3"]), _MONTHS[groups["mn3"].lower()], int(groups["d3"]))
    return _make(int(groups["y4"]), _MONTHS[groups["mn4"].lower()], int(groups["d4"]))


def parse_date(value: str) -> date | None:
    """The date ``value`` names, or ``None`` when it is not a date this reader can be sure of.

    >>> parse_date("2016-01-25"), parse_date("2016-01-25T10:00:00+05:30")
    (datetime.date(2016, 1, 25), datetime.date(2016, 1, 25))
    >>> parse_date("25.01.2016"), parse_date("25/01/2016"), parse_date("8-2-2016")
    (datetime.date(2016, 1, 25), datetime.date(2016, 1, 25), datetime.date(2016, 2, 8))
    >>> parse_date("25 जनवरी 2016"), parse_date("जनवरी 25, 2016"), parse_date("२५.०१.२०१६")
    (datetime.date(2016, 1, 25), datetime.date(2016, 1, 25), datetime.date(2016, 1, 25))
    >>> parse_date("25 January 2016"), parse_date("Jan 25, 2016"), parse_date("सोमवार, 25 जनवरी 2016 10:30 IST")
    (datetime.date(2016, 1, 25), datetime.date(2016, 1, 25), datetime.date(2016, 1, 25))

    Feeds write RFC 2822; the day is the day where the article was published, not in UTC:

    >>> parse_date("Mon, 25 Jan 2016 01:30:00 +0530")
    datetime.date(2016, 1, 25)

    Never a guess:

    >>> parse_date("32.13.2016"), parse_date("25.01.16"), parse_date("kal"), parse_date("13/25/2016")
    (None, None, None, None)
    """
    text = unicodedata.normalize("NFC", value).translate(_DIGITS).strip()
    if not text or len(text) > 100:
        return None
    iso = _iso(text)
    if iso is not None:
        return iso
    core = _TRAILING_TIME.sub("", _LEADING_WEEKDAY.sub("", text)).strip(" ,")
    match = DATE_IN_TEXT.fullmatch(core)
    if match is not None:
        return date_from_match(match)
    return _rfc2822(text)


def _iso(text: str) -> date | None:
    if not re.match(r"\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        parsed = datetime.fromisoformat(text)  # a date alone, or with a time and offset (the local day is kept)
    except ValueError:
        return None
    return _make(parsed.year, parsed.month, parsed.day)


def _rfc2822(text: str) -> date | None:
    try:
        parsed = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return _make(parsed.year, parsed.month, parsed.day)


def read_date(value: str) -> tuple[date | None, str | None]:
    """The date and, when it cannot be read, the note that says so (the record is kept).

    >>> read_date("25.01.2016")
    (datetime.date(2016, 1, 25), None)
    >>> read_date("32.13.2016")
    (None, "date '32.13.2016' could not be read; left empty")
    """
    parsed = parse_date(value)
    if parsed is not None:
        return parsed, None
    shown = value.strip()
    shown = shown if len(shown) <= 80 else shown[:80] + "…"
    return None, f"date '{shown}' could not be read; left empty"


def to_ascii_digits(text: str) -> str:
    """Devanagari digits as ASCII ones, position for position.

    >>> to_ascii_digits("२५.०१.२०१६")
    '25.01.2016'
    """
    return text.translate(_DIGITS)


_HINDI_MONTH_NAMES = ("जनवरी", "फरवरी", "मार्च", "अप्रैल", "मई", "जून", "जुलाई", "अगस्त", "सितंबर", "अक्टूबर", "नवंबर", "दिसंबर")


def format_hindi_date(value: date) -> str:
    """A date the way Hindi newspapers print it.

    >>> format_hindi_date(date(2016, 1, 25))
    '25 जनवरी 2016'
    """
    return f"{value.day} {_HINDI_MONTH_NAMES[value.month - 1]} {value.year}"
