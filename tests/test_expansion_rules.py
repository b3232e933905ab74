"""The rules that widen a query word (issue 31, points 2 and 4): every one is symmetric (a word reaches
another only if that one reaches it back), and none admits a form without the evidence for it, on
vocabularies of generated spellings and inflections with any document counts."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from archive.analysis.words import normalize_word
from archive.index.vocabulary import Vocabulary
from archive.search.expansion import expand_word

BASES = [
    "सरकार", "नीतीश", "बाइडन", "वायरस", "लड़का", "फैसला", "आम", "ठंड", "वीडियो", "मलिक", "कंपनी", "एग्जिट",
    "सत्र", "सूत्र", "नदी", "रुपया", "बन", "दिवाली", "नेतन्याहू", "सिख", "जरूरत", "साल", "काम", "आप",
]  # fmt: skip
ENDINGS = ["", "ों", "ें", "े", "ा", "ी", "ियों", "ने", "ना", "ता", "ते", "ाओं"]


def _variants(word: str) -> list[str]:
    """Spellings a reader meets: a vowel written long or short, a vowel more, a glide, a nukta, a nasal."""
    swaps = {"ि": "ी", "ी": "ि", "ु": "ू", "ू": "ु", "ं": "न्", "ज": "ज़", "य": "इ"}
    found = []
    for i, char in enumerate(word[1:], start=1):
        if char in swaps:
            found.append(word[:i] + swaps[char] + word[i + 1 :])
    for i in range(1, len(word)):
        for vowel in ("ा", "े", "ौ"):
            found.append(word[:i] + vowel + word[i:])
    return found


@st.composite
def vocabularies(draw: st.DrawFn) -> dict[str, int]:
    bases = draw(st.lists(st.sampled_from(BASES), min_size=1, max_size=4, unique=True))
    forms: dict[str, int] = {}
    for base in bases:
        stems = [base, *draw(st.lists(st.sampled_from(_variants(base)), max_size=3, unique=True))]
        for stem in stems:
            for ending in draw(st.lists(st.sampled_from(ENDINGS), min_size=1, max_size=4, unique=True)):
                word = normalize_word(stem + ending)
                if word:
                    forms[word] = draw(st.integers(min_value=1, max_value=2000))
    return forms


def _reached(words: dict[str, int]) -> dict[str, set[str]]:
    with tempfile.TemporaryDirectory() as folder:
        vocabulary = Vocabulary(Path(folder))
        vocabulary.replace(words.items())
        return {word: set(expand_word(word, vocabulary, 5_000).forms) for word in words}


@settings(max_examples=150)
@given(vocabularies())
def test_every_rule_that_joins_two_spellings_joins_them_both_ways(words: dict[str, int]) -> None:
    reached = _reached(words)
    for word, forms in reached.items():
        for other in forms & set(words):
            assert word in reached[other], (word, other, words)


def test_a_word_reaches_its_inflections_and_spellings_not_words_that_share_its_letters() -> None:
    words = {
        "आम": 1200, "आमने": 33, "आमना": 3, "आमों": 4,
        "आप": 800, "आपा": 6, "आपने": 79,
        "सरकार": 3000, "सरकारों": 400, "सरकारें": 90, "सरकारी": 900,
        "मौलिक": 82, "मलिक": 19,
        "सूत्र": 50, "सत्र": 242,
        "नीतीश": 159, "नितीश": 1,
        "ठंड": 35, "ठंडा": 27, "ठण्डा": 2,
        "साल": 1800, "साला": 2, "सालाना": 149,
        "बन": 1300, "बना": 1300, "बनना": 200,
        "वायरस": 300, "वाइरस": 3, "वीडियो": 172, "विडियो": 12,
    }  # fmt: skip
    reached = _reached(words)
    assert reached["आम"] == {"आम", "आमों"}
    assert reached["आप"] == {"आप"}
    assert reached["सरकार"] == {"सरकार", "सरकारों", "सरकारें"}
    assert "मलिक" not in reached["मौलिक"] and "सत्र" not in reached["सूत्र"]
    assert "नितीश" in reached["नीतीश"] and "नीतीश" in reached["नितीश"]  # one rare: a spelling of the other
    assert {"ठंडा", "ठण्डा"} <= reached["ठंड"]  # adjective and noun, printed about as often
    assert reached["साल"] == {"साल"}  # साला, सालाना: other words
    assert "बना" not in reached["बन"]  # a verb's stem and its past: only its own declension
    assert "वाइरस" in reached["वायरस"] and "विडियो" in reached["वीडियो"]
