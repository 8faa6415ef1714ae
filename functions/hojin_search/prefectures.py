"""The 47 prefectures in JIS X 0401 order (code = position + 1), in Japanese and English."""

from __future__ import annotations

import re
from typing import Final

from platform_common.digits import is_ascii_digits

PREFECTURE_NAMES: Final[tuple[str, ...]] = (
    "北海道",
    "青森県",
    "岩手県",
    "宮城県",
    "秋田県",
    "山形県",
    "福島県",
    "茨城県",
    "栃木県",
    "群馬県",
    "埼玉県",
    "千葉県",
    "東京都",
    "神奈川県",
    "新潟県",
    "富山県",
    "石川県",
    "福井県",
    "山梨県",
    "長野県",
    "岐阜県",
    "静岡県",
    "愛知県",
    "三重県",
    "滋賀県",
    "京都府",
    "大阪府",
    "兵庫県",
    "奈良県",
    "和歌山県",
    "鳥取県",
    "島根県",
    "岡山県",
    "広島県",
    "山口県",
    "徳島県",
    "香川県",
    "愛媛県",
    "高知県",
    "福岡県",
    "佐賀県",
    "長崎県",
    "熊本県",
    "大分県",
    "宮崎県",
    "鹿児島県",
    "沖縄県",
)

PREFECTURE_NAMES_EN: Final[tuple[str, ...]] = (
    "Hokkaido",
    "Aomori",
    "Iwate",
    "Miyagi",
    "Akita",
    "Yamagata",
    "Fukushima",
    "Ibaraki",
    "Tochigi",
    "Gunma",
    "Saitama",
    "Chiba",
    "Tokyo",
    "Kanagawa",
    "Niigata",
    "Toyama",
    "Ishikawa",
    "Fukui",
    "Yamanashi",
    "Nagano",
    "Gifu",
    "Shizuoka",
    "Aichi",
    "Mie",
    "Shiga",
    "Kyoto",
    "Osaka",
    "Hyogo",
    "Nara",
    "Wakayama",
    "Tottori",
    "Shimane",
    "Okayama",
    "Hiroshima",
    "Yamaguchi",
    "Tokushima",
    "Kagawa",
    "Ehime",
    "Kochi",
    "Fukuoka",
    "Saga",
    "Nagasaki",
    "Kumamoto",
    "Oita",
    "Miyazaki",
    "Kagoshima",
    "Okinawa",
)


_CITY = re.compile(r"^(.+?郡.+?[町村]|.+?市.+?区|.+?[市区町村])")


def prefecture_name(code: object) -> str | None:
    """The prefecture of a two-digit JIS code ("13" → "東京都")."""
    text = str(code or "")
    return PREFECTURE_NAMES[int(text) - 1] if is_ascii_digits(text) and 1 <= int(text) <= 47 else None


def city_name(location: object, prefecture: str | None) -> str | None:
    """The municipality at the head of an address after its prefecture ("…大阪市北区相生町…" → "大阪市北区")."""
    text = str(location or "")
    if not prefecture or not text.startswith(prefecture):
        return None
    found = _CITY.match(text[len(prefecture) :])
    return found.group(1) if found else None
