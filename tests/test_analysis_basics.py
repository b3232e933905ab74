from archive.analysis import analyze
from archive.analysis.normalize import normalize_text
from archive.analysis.tokenizer import tokenize


def test_tokenizer_keeps_devanagari_words_whole() -> None:
    words = [w for w, _, _ in tokenize("सर्गेई लावरोव, क़ानून और हिन्दी; प्रधानमंत्री।")]
    assert words == ["सर्गेई", "लावरोव", "क़ानून", "और", "हिन्दी", "प्रधानमंत्री"]


def test_tokenizer_offsets_point_into_the_original_text() -> None:
    text = "रूस\u200d के लावरोव।"
    for word, start, end in tokenize(text):
        assert text[start:end] == word


def test_precomposed_and_decomposed_nukta_give_the_same_term() -> None:
    assert analyze("\u0958ानून") == analyze("क\u093cानून") == [normalize_text("क़ानून")]


def test_invisible_characters_do_not_split_or_change_words() -> None:
    assert analyze("दिल्\u200dली और पद\u200c्मावती") == analyze("दिल्ली और पद्मावती")
    assert analyze("सम\u00adपादक") == analyze("समपादक")


def test_chandrabindu_digits_and_latin_case_are_folded() -> None:
    assert analyze("हँसी") == analyze("हंसी")
    assert analyze("१९ घंटे") == analyze("19 घंटे")
    assert analyze("WHO Covid") == ["who", "covid"]


def test_danda_is_not_part_of_a_word() -> None:
    assert analyze("चर्चा तेज।अगला") == ["चर्चा", "तेज", "अगला"]
