"""Comparison forms of corporation names and addresses (the open-data check of a Prime application)."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from functions.auth.prime.normalize import kanji_to_int, normalize_address, normalize_name, normalize_person_name

REGISTERED_ADDRESS = "東京都千代田区霞が関１丁目３番１号"


@pytest.mark.parametrize(
    "typed",
    [
        "東京都千代田区霞が関1丁目3番1号",
        "東京都千代田区霞が関1-3-1",
        "東京都千代田区霞が関１－３－１",
        "東京都千代田区霞が関1‐3‐1",
        "東京都千代田区霞ヶ関1-3-1",
        "東京都 千代田区 霞が関 一丁目三番一号",
        "東京都千代田区霞が関1ー3ー1",
    ],
)
def test_given_address_written_another_way_when_normalized_then_equals_registered_form(typed: str) -> None:
    assert normalize_address(typed) == normalize_address(REGISTERED_ADDRESS)


@pytest.mark.parametrize(
    "other", ["東京都千代田区霞が関2丁目3番1号", "東京都千代田区霞が関1-3-2", "大阪府大阪市北区梅田1-3-1"]
)
def test_given_another_address_when_normalized_then_differs(other: str) -> None:
    assert normalize_address(other) != normalize_address(REGISTERED_ADDRESS)


@pytest.mark.parametrize(
    "typed", ["デモ工業株式会社", "デモ工業(株)", "デモ工業（株）", "デモ工業㈱", "ﾃﾞﾓ工業株式会社", "デモ工業 株式会社"]
)
def test_given_name_with_legal_form_abbreviated_or_half_width_when_normalized_then_equals_registered(
    typed: str,
) -> None:
    assert normalize_name(typed) == normalize_name("デモ工業株式会社")


def test_given_different_legal_form_when_normalized_then_differs() -> None:
    assert normalize_name("デモ工業(有)") != normalize_name("デモ工業株式会社")


def test_given_katakana_long_vowel_in_building_name_when_normalized_then_it_is_kept() -> None:
    assert normalize_address("千代田区1-1センタービル") == "千代田区1-1センタービル"


@pytest.mark.parametrize(("numeral", "value"), [("一", 1), ("十", 10), ("十二", 12), ("二十三", 23), ("百五", 105)])
def test_kanji_numerals(numeral: str, value: int) -> None:
    assert kanji_to_int(numeral) == value


def test_given_person_name_with_full_width_space_when_normalized_then_equals_half_width() -> None:
    assert normalize_person_name("経済　太郎") == normalize_person_name("経済 太郎") == "経済太郎"


_TEXT = st.text(
    alphabet=st.sampled_from("東京都区霞が関ヶ一二三丁目番地号0123456789１２３-－ー 　(株)（株）㈱センタ"), max_size=30
)


@example("0号号")  # one pass brings the two markers together: found by this property
@given(_TEXT)
def test_normalizing_an_address_twice_changes_nothing(text: str) -> None:
    once = normalize_address(text)
    assert normalize_address(once) == once


@given(_TEXT)
def test_normalizing_a_name_twice_changes_nothing(text: str) -> None:
    once = normalize_name(text)
    assert normalize_name(once) == once


@given(_TEXT, st.lists(st.integers(min_value=0, max_value=30), max_size=4))
def test_spaces_anywhere_do_not_change_the_normalized_name(text: str, positions: list[int]) -> None:
    spaced = text
    for position in positions:
        spaced = spaced[:position] + "　" + spaced[position:]
    assert normalize_name(spaced) == normalize_name(text)
