"""Lucene's Hindi analysis (``HindiAnalyzer``, also Elasticsearch's ``hindi``) re-implemented in Python, as
a reference point for ``benchmarks/relevance.py``.

The rules follow apache/lucene (Apache License 2.0), ``lucene/analysis/common/src/java/org/apache/lucene/
analysis/``: ``in/IndicNormalizer.java`` (Devanagari rows), ``hi/HindiNormalizer.java`` and
``hi/HindiStemmer.java`` (Ramanathan & Rao). The chain is: tokenizer, lower case, decimal digits,
IndicNormalization, HindiNormalization, stopwords, HindiStem.

>>> [lucene_term(w) for w in ["लडका", "लड़के", "लडकों", "शंकर", "जयशंकर", "कॉफी", "काफी"]]
['लडक', 'लडक', 'लडक', 'शं', 'जयशं', 'कोफ', 'काफ']
"""

ZWJ, ZWNJ = "\u200d", "\u200c"

# ---- IndicNormalizer (Devanagari subset). (ch1, ch2, ch3, result) as offsets from U+0900,
# -1 = none, 0xFF = ZWJ. Order as in Lucene's table (first match wins).
_DEVA_DECOMP = [
    (0x05, 0x3E, 0x45, 0x11),
    (0x05, 0x3E, 0x46, 0x12),
    (0x05, 0x3E, 0x47, 0x13),
    (0x05, 0x3E, 0x48, 0x14),
    (0x05, 0x3E, -1, 0x06),
    (0x05, 0x45, -1, 0x72),
    (0x05, 0x46, -1, 0x04),
    (0x05, 0x49, -1, 0x11),
    (0x05, 0x4A, -1, 0x12),
    (0x05, 0x4B, -1, 0x13),
    (0x05, 0x4C, -1, 0x14),
    (0x06, 0x45, -1, 0x11),
    (0x06, 0x46, -1, 0x12),
    (0x06, 0x47, -1, 0x13),
    (0x06, 0x48, -1, 0x14),
    (0x09, 0x41, -1, 0x0A),
    (0x0F, 0x45, -1, 0x0D),
    (0x0F, 0x46, -1, 0x0E),
    (0x0F, 0x47, -1, 0x10),
    (0x15, 0x3C, -1, 0x58),
    (0x16, 0x3C, -1, 0x59),
    (0x17, 0x3C, -1, 0x5A),
    (0x1C, 0x3C, -1, 0x5B),
    (0x21, 0x3C, -1, 0x5C),
    (0x22, 0x3C, -1, 0x5D),
    (0x28, 0x3C, -1, 0x29),
    (0x2B, 0x3C, -1, 0x5E),
    (0x2F, 0x3C, -1, 0x5F),
    (0x30, 0x3C, -1, 0x31),
    (0x33, 0x3C, -1, 0x34),
    (0x3E, 0x45, -1, 0x49),
    (0x3E, 0x46, -1, 0x4A),
    (0x3E, 0x47, -1, 0x4B),
    (0x3E, 0x48, -1, 0x4C),
]
_DECOMP_FIRST = {r[0] for r in _DEVA_DECOMP}


def _is_deva(c: str) -> bool:
    return "\u0900" <= c <= "\u097f"


def indic_normalize(word: str) -> str:
    s = list(word)
    i = 0
    while i < len(s):
        if _is_deva(s[i]) and (ord(s[i]) - 0x900) in _DECOMP_FIRST and i + 1 < len(s) and _is_deva(s[i + 1]):
            ch0, ch1 = ord(s[i]) - 0x900, ord(s[i + 1]) - 0x900
            ch2 = -1
            if i + 2 < len(s):
                if s[i + 2] == ZWJ:
                    ch2 = 0xFF
                elif _is_deva(s[i + 2]):
                    ch2 = ord(s[i + 2]) - 0x900
            for a, b, c, res in _DEVA_DECOMP:
                if a == ch0 and b == ch1 and (c < 0 or c == ch2):
                    s[i] = chr(0x900 + res)
                    del s[i + 1]
                    if c >= 0:
                        del s[i + 1]
                    break
        i += 1
    return "".join(s)


# ---- HindiNormalizer
_HN_MAP = {
    "\u0901": "\u0902",  # candrabindu -> anusvara
    "\u0929": "\u0928",
    "\u0931": "\u0930",
    "\u0934": "\u0933",  # nukta letters
    "\u0958": "\u0915",
    "\u0959": "\u0916",
    "\u095a": "\u0917",
    "\u095b": "\u091c",
    "\u095c": "\u0921",
    "\u095d": "\u0922",
    "\u095e": "\u092b",
    "\u095f": "\u092f",
    "\u0945": "\u0947",
    "\u0946": "\u0947",
    "\u0949": "\u094b",
    "\u094a": "\u094b",
    "\u090d": "\u090f",
    "\u090e": "\u090f",
    "\u0911": "\u0913",
    "\u0912": "\u0913",
    "\u0972": "\u0905",  # chandra/short -> replace
    "\u0906": "\u0905",
    "\u0908": "\u0907",
    "\u090a": "\u0909",
    "\u0960": "\u090b",
    "\u0961": "\u090c",
    "\u0910": "\u090f",
    "\u0914": "\u0913",  # long->short indep.
    "\u0940": "\u093f",
    "\u0942": "\u0941",
    "\u0944": "\u0943",
    "\u0963": "\u0962",
    "\u0948": "\u0947",
    "\u094c": "\u094b",  # long->short dep.
}
_HN_DELETE = {"\u093c", ZWJ, ZWNJ, "\u094d"}  # nukta, zwj, zwnj, virama


def hindi_normalize(word: str) -> str:
    s = list(word)
    i = 0
    while i < len(s):
        c = s[i]
        if c == "\u0928":  # dead n -> anusvara
            if i + 1 < len(s) and s[i + 1] == "\u094d":
                s[i] = "\u0902"
                del s[i + 1]
        elif c in _HN_DELETE:
            del s[i]
            continue
        elif c in _HN_MAP:
            s[i] = _HN_MAP[c]
        i += 1
    return "".join(s)


# ---- HindiStemmer: (min length exclusive, suffixes), checked longest group first
STEM_RULES = [
    (6, ["ाएंगी", "ाएंगे", "ाऊंगी", "ाऊंगा", "ाइयाँ", "ाइयों", "ाइयां"]),
    (
        5,
        [
            "ाएगी",
            "ाएगा",
            "ाओगी",
            "ाओगे",
            "एंगी",
            "ेंगी",
            "एंगे",
            "ेंगे",
            "ूंगी",
            "ूंगा",
            "ातीं",
            "नाओं",
            "नाएं",
            "ताओं",
            "ताएं",
            "ियाँ",
            "ियों",
            "ियां",
        ],
    ),
    (
        4,
        [
            "ाकर",
            "ाइए",
            "ाईं",
            "ाया",
            "ेगी",
            "ेगा",
            "ोगी",
            "ोगे",
            "ाने",
            "ाना",
            "ाते",
            "ाती",
            "ाता",
            "तीं",
            "ाओं",
            "ाएं",
            "ुओं",
            "ुएं",
            "ुआं",
        ],
    ),
    (3, ["कर", "ाओ", "िए", "ाई", "ाए", "ने", "नी", "ना", "ते", "ीं", "ती", "ता", "ाँ", "ां", "ों", "ें"]),
    (2, ["ो", "े", "ू", "ु", "ी", "ि", "ा"]),
]


def hindi_stem(word: str) -> str:
    n = len(word)
    for minlen, sufs in STEM_RULES:
        if n > minlen:
            for suf in sufs:
                if word.endswith(suf):
                    return word[: n - len(suf)]
    return word


def analyze(word: str, stopset: set[str] | None = None) -> str | None:
    """Full HindiAnalyzer chain on one token (no tokenizer/lowercase/digits)."""
    w = hindi_normalize(indic_normalize(word))
    if stopset is not None and w in stopset:
        return None
    return hindi_stem(w)


_DIGITS = str.maketrans("०१२३४५६७८९", "0123456789")


def lucene_term(word: str) -> str:
    """The term Lucene's Hindi analyzer indexes for one token (stopwords not removed)."""
    return hindi_stem(hindi_normalize(indic_normalize(word.lower().translate(_DIGITS))))
