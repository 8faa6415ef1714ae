"""Comparison forms of corporation names and addresses, for checking an application against the open data.

Applicants type what is on their seal certificate or letterhead; the National Tax Agency's record spells
the same thing its own way. Both sides are reduced to one form before they are compared:

- Unicode NFKC (full-width and half-width letters, digits and katakana become one form; ㈱ becomes (株)),
- every kind of space removed,
- legal-form abbreviations written out: (株) → 株式会社, (有) → 有限会社, (同) → 合同会社, ...,
- in addresses, kanji numerals before 丁目/番/号 as digits, "1丁目3番1号" and "1-3-1" as one form
  (every dash-like character is a hyphen), and ヶ/ケ/ヵ between kanji (霞ヶ関) as が.

The forms are for comparison only; what is stored and shown is what the applicant typed.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

_SPACES: Final = re.compile(r"\s+")
_LEGAL_FORMS: Final[dict[str, str]] = {
    "(株)": "株式会社",
    "(有)": "有限会社",
    "(同)": "合同会社",
    "(名)": "合名会社",
    "(資)": "合資会社",
    "(社)": "社団法人",
    "(財)": "財団法人",
    "(一社)": "一般社団法人",
    "(一財)": "一般財団法人",
    "(特非)": "特定非営利活動法人",
}
_DASHES: Final = re.compile(r"[\u002d\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uff0d]|(?<=[0-9])[\u30fc\uff70]")
_KANJI_DIGITS: Final[dict[str, int]] = {
    "〇": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_KANJI_NUMBER: Final = re.compile(r"([〇一二三四五六七八九十百]+)(?=丁目|番地|番|号)")
_SMALL_KE: Final = re.compile(r"(?<=[\u4e00-\u9fff])[ヶケヵ](?=[\u4e00-\u9fff])")
_BLOCKS: Final = re.compile(r"([0-9]+)(?:丁目|番地|番|の)")
_HOUSE: Final = re.compile(r"([0-9]+)号")


def _base(text: str) -> str:
    return _SPACES.sub("", unicodedata.normalize("NFKC", text))


def kanji_to_int(numeral: str) -> int:
    """A kanji numeral below 1000 (三, 十二, 二十三, 百五) as an integer."""
    total = 0
    current = 0
    for char in numeral:
        if char == "百":
            total += (current or 1) * 100
            current = 0
        elif char == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = current * 10 + _KANJI_DIGITS[char]
    return total + current


def normalize_name(name: str) -> str:
    """The comparison form of a corporation's name."""
    text = _base(name)
    for short, full in _LEGAL_FORMS.items():
        text = text.replace(short, full)
    return text


def normalize_address(address: str) -> str:
    """The comparison form of an address: "霞が関１丁目３番１号" and "霞ヶ関1-3-1" come out the same.

    Repeated until nothing changes: one pass can bring two markers together ("0号号" → "0号"), and the
    comparison form must be a fixed point (normalising it again changes nothing)."""
    text = _base(address)
    for _ in range(len(text) + 1):  # two passes in practice; bounded in any case
        normalized = _address_pass(text)
        if normalized == text:
            return text
        text = normalized
    return text


def _address_pass(text: str) -> str:
    text = _SMALL_KE.sub("が", text)
    text = _KANJI_NUMBER.sub(lambda found: str(kanji_to_int(found.group(1))), text)
    text = _BLOCKS.sub(r"\1-", text)
    text = _HOUSE.sub(r"\1", text)
    # Dashes last: dropping 号 can bring a long-vowel mark next to a digit ("1号ー" → "1ー" → "1-").
    text = _DASHES.sub("-", text)
    text = re.sub(r"-+", "-", text)
    return text.rstrip("-")


def normalize_person_name(name: str) -> str:
    """The comparison form of a person's name (NFKC, no spaces): "経済　太郎" equals "経済 太郎"."""
    return _base(name)
