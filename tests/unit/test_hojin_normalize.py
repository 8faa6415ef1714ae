"""Name normalisation shared by the search index, the API queries and SPARQL's full text."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from functions.hojin_search.normalize import (
    KIND_WORDS,
    kind_words,
    name_bigrams,
    normalize_name,
    normalize_names,
    split_name,
)

HIRAGANA = "".join(chr(c) for c in range(0x3041, 0x3097))
KATAKANA = "".join(chr(c + 0x60) for c in range(0x3041, 0x3097))
HALF_WIDTH_KATAKANA = "".join(chr(c) for c in range(0xFF66, 0xFF9E))
ASCII = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
KANJI = "山田工業東京中央電機建設商事"

names = st.text(
    alphabet=st.sampled_from(HIRAGANA + KATAKANA + HALF_WIDTH_KATAKANA + ASCII + KANJI + " 　()・-ー㈱㈲"),
    max_size=24,
)
with_kind_words = st.lists(st.one_of(names, st.sampled_from(KIND_WORDS)), max_size=4).map("".join)


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def test_kind_words_are_removed_in_any_position_and_remembered() -> None:
    # Given names spelling the kind before, after and in the middle, in the usual variants
    # When they are normalised
    # Then the kind word is gone and recorded under its canonical spelling
    assert normalize_name("トヨタ自動車株式会社") == "とよた自動車"
    assert normalize_name("株式会社トヨタ自動車") == "とよた自動車"
    assert normalize_name("㈱トヨタ自動車") == "とよた自動車"
    assert normalize_name("(株)トヨタ自動車") == "とよた自動車"
    assert normalize_name("トヨタ株式会社自動車") == "とよた自動車"
    assert kind_words("㈱トヨタ") == ("株式会社",)
    assert kind_words("有限会社 ㈱テスト") == ("有限会社", "株式会社")
    assert normalize_name("医療法人社団 さくら会") == "さくら会"
    assert kind_words("医療法人社団 さくら会") == ("医療法人社団",)


def test_width_case_space_and_kana_are_folded() -> None:
    # Given the same name typed with half-width katakana, full-width Latin, capitals and spaces
    # Then every spelling normalises to one string (hiragana, lower case, no spaces)
    assert normalize_name("ｶﾞｰﾃﾞﾝ ＡＢＣ　株式会社") == "がーでんabc"
    assert normalize_name("ガーデン abc") == "がーでんabc"
    assert normalize_name("がーでんＡＢＣ") == "がーでんabc"


def test_a_query_made_only_of_kind_words_normalises_to_empty_and_keeps_its_kinds() -> None:
    # Given a query that is only a kind word
    # Then the text part is empty and the kind is kept, so the search can match the kind instead
    assert split_name("株式会社") == ("", ("株式会社",))
    assert split_name(" ㈲ ") == ("", ("有限会社",))


def test_kind_words_formed_by_a_removal_are_removed_too() -> None:
    # Given a kind word hidden inside another
    # Then normalisation reaches a fixed point
    assert normalize_name("株株式会社式会社テスト") == "てすと"


def test_name_bigrams_are_the_distinct_adjacent_pairs() -> None:
    assert name_bigrams("あいあい") == {"あい", "いあ"}
    assert name_bigrams("あ") == set()


@settings(max_examples=300, deadline=None)
@given(with_kind_words)
def test_normalisation_is_idempotent(text: str) -> None:
    once = normalize_name(text)
    assert normalize_name(once) == once
    assert kind_words(once) == ()


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=ASCII + " ", max_size=20), names)
def test_normalisation_is_width_insensitive(latin: str, rest: str) -> None:
    # Given text in ASCII and the same text in full-width forms, and half-width katakana beside full-width
    assert normalize_name(latin + rest) == normalize_name(full_width(latin) + rest)
    half = "".join(c for c in rest if c in HALF_WIDTH_KATAKANA)
    assert normalize_name(half) == normalize_name(unicodedata.normalize("NFKC", half))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=HIRAGANA + KANJI + ASCII, max_size=20))
def test_normalisation_is_kana_insensitive(text: str) -> None:
    # Given a name in hiragana and the same name in katakana
    katakana = "".join(chr(ord(c) + 0x60) if c in HIRAGANA else c for c in text)
    assert normalize_name(katakana) == normalize_name(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(with_kind_words, st.text(max_size=12)), max_size=20))
def test_batch_normalisation_equals_one_by_one(texts: list[str]) -> None:
    # Given arbitrary names (any Unicode)
    # When the index build normalises them as a batch
    # Then it gets exactly what normalize_name and kind_words give one by one
    folded, kinds = normalize_names(texts)
    assert folded == [normalize_name(t) for t in texts]
    assert kinds == [kind_words(t) for t in texts]
