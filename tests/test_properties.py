"""Property-based tests: whatever text comes in, analysis and reading never crash or lose their shape."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from archive.analysis import analyze
from archive.analysis.normalize import normalize_text
from archive.analysis.variants import VARIANT_PREFIX, key_first_letters, variant_key
from archive.analysis.words import (
    _LATIN1_IN_DEVANAGARI,
    first_letters_before_normalizing,
    normalize_word,
    repair_legacy,
)
from archive.readers import ArticleRecord, RejectedRecord, read_path

# Devanagari, the invisible characters news text carries, Latin, digits and punctuation
DEVANAGARI_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x0900, max_codepoint=0x097F),
        st.sampled_from(["\u200c", "\u200d", "\u00ad", "\u00a0", " ", "।", "-", ",", "\n"]),
        st.characters(min_codepoint=0x20, max_codepoint=0x7E),
    ),
    max_size=200,
)


@given(st.text(max_size=300))
def test_analysis_never_raises_on_any_text(text: str) -> None:
    for term in analyze(text, mode="index"):
        assert term


@given(DEVANAGARI_TEXT)
def test_normalisation_is_idempotent(text: str) -> None:
    for word in analyze(text):
        assert normalize_word(word) == word
        assert variant_key(word) == variant_key(normalize_word(word))


# (Latin-1 letters next to Devanagari ones are what the legacy-font rule looks around for)
LEGACY_WORDS = st.text(alphabet=st.sampled_from([*"दृष्टिडढ़ऩनयाॅआ्ँ", "ï", "é", "\u0958", "\u200d", "\n"]), max_size=12)


@given(st.one_of(DEVANAGARI_TEXT, LEGACY_WORDS, st.text(max_size=30)))
def test_a_word_s_normalisation_skips_only_passes_that_would_change_nothing(word: str) -> None:
    # every rule in full, one after another: what normalize_word does without its shortcuts
    assert normalize_word(word) == repair_legacy(_LATIN1_IN_DEVANAGARI.sub("", normalize_text(word)))


@given(st.one_of(DEVANAGARI_TEXT, LEGACY_WORDS, st.text(max_size=30)))
@example("\u0958ानून")  # NFC takes the nukta letter apart: the normal form starts with क
@example("Covid")
@example("\u094d\u093cक")  # NFC puts the nukta before the virama
@example("\u200cभारत")
@example("आॅफ")
def test_a_word_s_first_letter_before_normalising_is_in_the_class_for_its_normal_first_letter(text: str) -> None:
    from archive.analysis.tokenizer import WORD_RE

    for word in WORD_RE.findall(text):
        normal = normalize_word(word)
        if normal:
            assert re.match(first_letters_before_normalizing({normal[0]}), word), (word, normal)


@given(st.one_of(DEVANAGARI_TEXT, LEGACY_WORDS, st.text(max_size=200)), st.data())
def test_snippets_ask_about_every_word_the_query_may_have_matched(text: str, data: st.DataObject) -> None:
    """Search asks only about the words that start like a form the query matched: it must find every word
    that asking about all of them finds. The scan also takes pieces of longer words (``a`` of ``Ba``), which
    is harmless where they are no word of the text: a snippet marks a form only where it is a whole word."""
    from archive.search.matched import QueryForms as _QueryForms
    from archive.search.matched import matched_words as _matched_words
    from archive.search.snippets import words_of, words_starting_in

    words = sorted(words_of([text]))
    if not words:
        return
    forms = {normalize_word(w) for w in data.draw(st.lists(st.sampled_from(words), min_size=1, max_size=3))} - {""}
    if not forms:  # words of invisible characters only
        return
    keyed = {normalize_word(w) for w in data.draw(st.lists(st.sampled_from(words), max_size=2))} - {""}
    keys = frozenset(VARIANT_PREFIX + variant_key(form) for form in keyed)
    initials = key_first_letters({key[1:2] for key in keys})
    query = _QueryForms(frozenset(forms) | keys, keys, None if initials is None else initials | {f[:1] for f in forms})
    everything = _matched_words(query, words_of([text]))
    scanned = _matched_words(query, words_starting_in([text], query.first_letters()))
    assert scanned >= everything
    assert not (scanned - everything) & words_of([text])  # (what more it found are pieces of words only)
    assert everything  # the forms are some of the text's words


@given(DEVANAGARI_TEXT)
def test_nfc_and_nfd_input_give_the_same_terms(text: str) -> None:
    nfc, nfd = unicodedata.normalize("NFC", text), unicodedata.normalize("NFD", text)
    assert analyze(nfc, mode="index") == analyze(nfd, mode="index")


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=st.binary(max_size=2000), suffix=st.sampled_from([".txt", ".jsonl", ".json", ".csv", ".html", ".xml", ".gz"])
)
def test_readers_never_crash_and_never_yield_a_broken_article(tmp_path: Path, data: bytes, suffix: str) -> None:
    path = tmp_path / f"input{suffix}"
    path.write_bytes(data)
    for record in read_path(path):
        assert isinstance(record, ArticleRecord | RejectedRecord)
        if isinstance(record, ArticleRecord):
            assert record.title.strip() and record.body.strip()
            assert "\ufffd" not in record.title + record.body or "\ufffd".encode() in data
        else:
            assert record.reason


def _postings(field: object, text: str) -> dict[bytes, tuple[int, float, bytes]]:
    return {term: (freq, weight, value) for term, freq, weight, value in field.index(text)}  # type: ignore[attr-defined]


@given(st.one_of(DEVANAGARI_TEXT, st.text(max_size=200)))
@settings(max_examples=300)
def test_fast_indexing_gives_exactly_the_analyzers_postings(text: str) -> None:
    # the fast path must write what the analyzer chain would: same terms, counts, weights and positions
    from whoosh.fields import TEXT

    from archive.analysis import hindi_analyzer
    from archive.analysis.whoosh_filters import HindiText

    slow, fast = TEXT(analyzer=hindi_analyzer(), phrase=True), HindiText(analyzer=hindi_analyzer(), phrase=True)
    assert _postings(fast, text) == _postings(slow, text)


def test_fast_indexing_matches_the_analyzer_on_the_seeds() -> None:
    from whoosh.fields import TEXT

    from archive.analysis import hindi_analyzer
    from archive.analysis.whoosh_filters import HindiText

    slow, fast = TEXT(analyzer=hindi_analyzer(), phrase=True), HindiText(analyzer=hindi_analyzer(), phrase=True)
    seeds = Path(__file__).resolve().parents[1] / "seeds"
    texts = [p.read_text(encoding="utf-8") for p in sorted(seeds.rglob("*.txt"))]
    assert texts and sum(len(_postings(fast, t)) for t in texts) > 50
    for text in texts:
        assert _postings(fast, text) == _postings(slow, text)


@given(st.one_of(DEVANAGARI_TEXT, st.text(max_size=200)), st.data())
def test_snippets_mark_exactly_the_matched_words(text: str, data: st.DataObject) -> None:
    """Snippets locate matches by a pattern of the matched forms; that must find exactly the words the
    tokenizer yields that the query matched, no part of a longer word."""
    from archive.analysis.tokenizer import tokenize
    from archive.search.snippets import make_snippet

    words = [w for w, _, _ in tokenize(text)]
    if not words:
        return
    forms = frozenset(data.draw(st.lists(st.sampled_from(words), min_size=1, max_size=4)))
    expected = [word for word, _, _ in tokenize(text) if word in forms]
    # one fragment long enough for the whole text: every match is in it, in order
    snippet = make_snippet(text, forms.__contains__, max_chars=len(text) + 1, fragments=1)
    assert [part for part, matched in snippet if matched] == expected


@given(st.one_of(DEVANAGARI_TEXT, st.text(max_size=200)), st.one_of(DEVANAGARI_TEXT, st.text(max_size=200)), st.data())
def test_snippets_from_the_matched_words_of_several_texts_are_those_of_a_test(
    text: str, other: str, data: st.DataObject
) -> None:
    """Search asks about the words of all shown articles at once and gives each snippet the whole set:
    another text's matched words must change nothing (a word is marked only where it is a whole word)."""
    from archive.search.snippets import make_snippet, words_of

    words = sorted(words_of([text, other]))
    if not words:
        return
    matched = frozenset(data.draw(st.lists(st.sampled_from(words), max_size=4)))
    max_chars, fragments = data.draw(st.integers(1, 80)), data.draw(st.integers(1, 3))
    expected = make_snippet(text, matched.__contains__, max_chars=max_chars, fragments=fragments)
    assert make_snippet(text, matched, max_chars=max_chars, fragments=fragments) == expected


@given(st.one_of(DEVANAGARI_TEXT, st.text(max_size=200)), st.data())
def test_whole_words_are_found_alike_one_by_one_and_by_one_pattern(text: str, data: st.DataObject) -> None:
    from archive.analysis.tokenizer import WORD_RE
    from archive.search import snippets

    words = sorted(set(WORD_RE.findall(text)))
    others = data.draw(st.lists(st.text(min_size=1, max_size=3), max_size=3))
    forms = frozenset(data.draw(st.lists(st.sampled_from(words), max_size=20)) if words else []) | set(others)
    pattern = snippets._whole_words(forms) if forms else None
    expected = [
        (m.start(), m.end())
        for m in (pattern.finditer(text) if pattern else [])
        if not m.start() or not snippets._WORD_CHAR.match(text, m.start() - 1)
    ]
    assert snippets._whole_word_spans(text, forms) == expected


# words and spaces, a sentence end now and then: passages that end within a sentence, not at its end
PROSE = st.text(alphabet=st.sampled_from([*"कमलसीा्ं" * 4, *" " * 6, "\u200c", "।", ","]), max_size=400)


@given(st.one_of(DEVANAGARI_TEXT, PROSE), st.data())
def test_snippet_bounds_are_those_found_by_listing_the_words_around(text: str, data: st.DataObject) -> None:
    """A passage's bounds are found by two look-ups in the text; they must be the ones that listing
    every word within reach of the matches (as snippets once did) gives."""
    from bisect import bisect_left, bisect_right

    from archive.analysis.tokenizer import tokenize
    from archive.search.snippets import SENTENCE_ENDS, _bounds, _Window

    spans = [(start, end) for _, start, end in tokenize(text)]
    if not spans:
        return
    max_chars = data.draw(st.integers(1, 80))
    # a window as snippets make them: matches that end within max_chars of the first one's start
    opening = data.draw(st.sampled_from(spans))
    near = [span for span in spans if span[0] > opening[0] and span[1] - opening[0] <= max_chars]
    chosen = [opening, *sorted(data.draw(st.lists(st.sampled_from(near), max_size=3, unique=True)) if near else [])]
    first, last = chosen[0][0], chosen[-1][1]
    room = max(0, max_chars - (last - first))
    low, high = max(0, first - max_chars - 1), min(len(text), last + max_chars + 2)
    words = [(start, end) for _, start, end in tokenize(text[:high]) if end > low]
    words = [(max(start, low), end) for start, end in words]
    sentence_start = max(text.rfind(ch, 0, first) for ch in SENTENCE_ENDS) + 1
    wanted = sentence_start if first - sentence_start <= room // 2 else first - room // 2
    i = bisect_left(words, wanted, key=lambda w: w[0])
    begin = words[i][0] if i < len(words) else wanted
    sentence_end = min((i for ch in SENTENCE_ENDS if (i := text.find(ch, last)) != -1), default=len(text))
    if sentence_end + 1 <= begin + max_chars:
        expected = (begin, sentence_end + 1)
    else:
        j = bisect_right(words, begin + max_chars, key=lambda w: w[1])
        expected = (begin, max(last, words[j - 1][1] if j else begin + max_chars))
    assert _bounds(text, _Window(first, last, chosen), max_chars) == expected


@given(st.sets(st.one_of(st.characters(min_codepoint=0x0900, max_codepoint=0x097F), st.just("")), max_size=5))
def test_key_first_letters_are_the_letters_key_may_start_with_accepts(initials: set[str]) -> None:
    from archive.analysis.variants import key_first_letters, key_may_start_with

    firsts = key_first_letters(initials)
    for code in [*range(0x0900, 0x0980), *range(0x20, 0x7F)]:
        word = chr(code) + "क"
        assert key_may_start_with(word, initials) == (firsts is None or word[:1] in firsts)


@given(DEVANAGARI_TEXT)
def test_a_variant_key_starts_as_key_may_start_with_says(text: str) -> None:
    from archive.analysis.variants import key_may_start_with

    for word in analyze(text):
        key = variant_key(word)
        assert key_may_start_with(word, {key[:1]})


@given(st.lists(st.lists(st.integers(0, 12), min_size=1, max_size=5, unique=True).map(sorted), min_size=2, max_size=4))
def test_exact_phrase_shortcut_agrees_with_the_span_rules(positions: list[list[int]]) -> None:
    """Phrases with slop 1 skip the span bookkeeping that Whoosh's SpanNear2 does; the answer must not change."""
    from whoosh.query.spans import Span

    from archive.index.query.phrase import spans_near as _spans_near

    spans = [Span(p) for p in positions[0]]
    for following in positions[1:]:  # whoosh.query.spans.SpanNear2Matcher._get_spans, ordered, slop 1
        spans = sorted(
            {a.to(Span(p)) for a in spans for p in following if p >= a.start and 1 <= a.distance_to(Span(p)) <= 1}
        )
    assert _spans_near(positions, slop=1) == bool(spans)


@given(st.lists(st.lists(st.integers(0, 2**31 - 1), min_size=1, max_size=5), min_size=1, max_size=6))
def test_gaps_are_encoded_as_whooshs_positions_format_byte_for_byte(lists: list[list[int]]) -> None:
    import numpy as np

    from archive.analysis.whoosh_filters import encode_positions
    from archive.index.codec.text_postings import encode_gaps

    gaps = np.array([g for gs in lists for g in gs], dtype=np.int64)
    counts = np.array([len(gs) for gs in lists])
    blob, ends = encode_gaps(gaps, np.cumsum(counts) - counts, counts)
    values = [blob[a:b] for a, b in zip([0, *ends[:-1]], ends, strict=True)]
    assert values == [encode_positions(np.cumsum(gs).tolist()) for gs in lists]


@given(st.lists(st.one_of(DEVANAGARI_TEXT, st.text(max_size=120)), min_size=1, max_size=4))
@settings(max_examples=40)
def test_the_fast_writer_indexes_any_text_as_whooshs_writer_does(texts: list[str]) -> None:
    import tempfile

    from whoosh import index as whoosh_index

    from archive.index.codec.segment_writer import FastSegmentWriter
    from archive.index.schema import build_schema
    from tests.conftest import all_postings

    with tempfile.TemporaryDirectory() as folder:
        built = []
        for name, factory in (("stock", lambda ix: ix.writer()), ("fast", lambda ix: FastSegmentWriter(ix))):
            path = Path(folder) / name
            path.mkdir()
            ix = whoosh_index.create_in(str(path), build_schema())
            writer = factory(ix)
            for number, text in enumerate(texts):
                writer.add_document(id=str(number), title=text[:40], body=text)
            writer.commit()
            built.append(all_postings(ix))
            ix.close()
        assert built[1] == built[0]


def _stem_by_trying_every_suffix(word: str) -> str:
    """The stemmer's rule as first written: every suffix in turn, longest first."""
    from archive.analysis.stemmer import _LETTER, _SUFFIXES, MIN_STEM_LETTERS, _letters

    if not _LETTER.search(word):
        return word
    for suffix, replacement in _SUFFIXES:
        if word.endswith(suffix) and _letters(word[: -len(suffix)]) >= MIN_STEM_LETTERS:
            return word[: -len(suffix)] + replacement
    return word


@given(st.one_of(DEVANAGARI_TEXT, st.text(alphabet="कगतनमरलसहअइउएओािीुूेैोौंँ्", max_size=8)))
@settings(max_examples=500)
def test_the_stemmer_finds_what_trying_every_suffix_finds(word: str) -> None:
    from archive.analysis.stemmer import stem

    assert stem(word) == _stem_by_trying_every_suffix(word)


@given(st.one_of(DEVANAGARI_TEXT, st.text(max_size=12)))
@settings(max_examples=500)
def test_the_skeleton_is_the_consonants_letter_by_letter(word: str) -> None:
    import re

    from archive.analysis.variants import _CONSONANT_LATIN, NUKTA, skeleton

    letters = "".join(_CONSONANT_LATIN.get(ch, "") for ch in word.replace(NUKTA, ""))
    assert skeleton(word) == re.sub(r"(.)\1+", r"\1", letters)


# Spaces of every kind, controls, combining marks and dandas among Devanagari and anything else
LINE_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x0900, max_codepoint=0x097F),
        st.sampled_from(list("\t\u00a0\u2000\u2003\u200a\u202f\u205f\u3000 ।॥,\x00\x07\ufeff\u0301")),
        st.characters(),
    ),
    max_size=200,
)


@given(LINE_TEXT)
@example("एक  दो")
@example("एक\u00a0दो ।")
@example(" \t ")
@example("दो \u2003 ।")
@settings(max_examples=500)
def test_clean_line_tidies_spaces_as_one_pattern_for_them_would(line: str) -> None:
    import re

    from archive.readers.clean import _SPACES, clean_line

    # the pattern clean_line used to ask whether _SPACES has anything to do
    to_tidy = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]{2}|[\t\u00a0\u2000-\u200a\u202f\u205f\u3000]")
    expected = unicodedata.normalize("NFC", re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufeff]", "", line))
    if to_tidy.search(expected):
        expected = _SPACES.sub(" ", expected)
    expected = re.sub(r" +([।॥])", r"\1", expected).strip()
    assert clean_line(line) == expected


@given(DEVANAGARI_TEXT)
@settings(max_examples=500)
def test_variant_keys_apply_every_rule_where_its_letters_occur(text: str) -> None:
    from archive.analysis import variants
    from archive.analysis.stemmer import stem

    def every_rule_everywhere(word: str) -> str:  # variant_key before it asked which rules apply
        for _, pattern, replacement in variants._GLIDE:
            word = pattern.sub(replacement, word)
        key = variants._NASAL_BEFORE_CONSONANT.sub("ं", variants._URDU_NUKTA.sub("", stem(word)))
        if key.endswith("ू"):
            key = key[:-1] + "ु"
        folded = key.translate(variants._CANDRA)
        return key if folded != key and folded in variants.CANDRA_PROTECTED else folded

    for word in [*analyze(text), *text.split()]:
        assert variant_key(word) == every_rule_everywhere(word)


@given(st.integers(0, 2**32 - 1), st.integers(1, 12_000), st.sampled_from([3, 50, 10**9]), st.floats(0.0, 1.0))
@settings(max_examples=60)
def test_ranked_walks_the_matches_in_full_sort_order(seed: int, size: int, distinct: int, share: float) -> None:
    """Ranking partitions only the keys near the top (chunk minima first); the order it yields, ties
    included, must be that of sorting every match."""
    import numpy as np

    from archive.index.query.collect import ranked

    rng = np.random.default_rng(seed)
    primary = rng.integers(0, distinct, size).astype(np.float64)
    secondary = rng.permutation(size)
    mask = rng.random(size) < share
    matches = np.flatnonzero(mask)
    expected = matches[np.lexsort((secondary[mask], primary[mask]))].tolist()
    assert list(ranked(primary, mask, secondary=secondary)) == expected
    descending = matches[np.lexsort((-secondary[mask], -primary[mask]))].tolist()
    assert list(ranked(primary, mask, sign=-1, secondary=secondary)) == descending
    best_first = matches[np.lexsort((matches, -primary[mask]))].tolist()  # ties in document order
    assert list(ranked(primary, mask, sign=-1)) == best_first
