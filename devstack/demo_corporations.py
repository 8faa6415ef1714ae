"""Fictional corporations the demo accounts belong to, always present in the devstack's open data.

Their numbers are valid (check digit) but fictional: the base numbers start with 9999, a range the
synthetic generator's output is not meant to be read as real.
"""

from __future__ import annotations

from typing import Any

from platform_common.corporate_number import make_corporate_number

DEMO_CORP_A = make_corporate_number("999900000001")
DEMO_CORP_B = make_corporate_number("999900000002")

DEMO_CORPORATIONS: tuple[dict[str, Any], ...] = (
    {
        "corporate_number": DEMO_CORP_A,
        "name": "デモ工業株式会社",
        "kana": "デモコウギョウ",
        "name_en": "Demo Kogyo Co., Ltd.",
        "kind": "301",
        "postal_code": "1008901",
        "location": "東京都千代田区霞が関１丁目３番１号",
        "prefecture_code": "13",
        "city_code": "13101",
        "status": "現存",
        "representative_name": "経済 太郎",
        "capital_stock": 50000000,
        "employee_number": 120,
        "date_of_establishment": "1998-04-01",
        "founding_year": 1998,
        "business_summary": "産業機械部品の設計・製造",
        "industry": ["製造業"],
        "update_date": "2026-10-01",
        "subsidy": [
            {
                "title": "ものづくり・商業・サービス生産性向上促進補助金",
                "amount": 10000000,
                "date_of_approval": "2025-06-30",
                "government_departments": "中小企業庁",
                "target": "生産設備の更新",
            }
        ],
        "procurement": [
            {
                "title": "試験用機械部品の購入",
                "amount": 2420000,
                "date_of_order": "2025-09-12",
                "government_departments": "経済産業省",
            }
        ],
        "certification": [
            {
                "title": "健康経営優良法人（中小規模法人部門）",
                "category": "健康経営",
                "date_of_approval": "2026-03-10",
                "government_departments": "経済産業省",
            }
        ],
    },
    {
        "corporate_number": DEMO_CORP_B,
        "name": "霞が関商事株式会社",
        "kana": "カスミガセキショウジ",
        "name_en": "Kasumigaseki Shoji Co., Ltd.",
        "kind": "301",
        "postal_code": "5300001",
        "location": "大阪府大阪市北区梅田３丁目１番１号",
        "prefecture_code": "27",
        "city_code": "27127",
        "status": "現存",
        "representative_name": "大阪 花子",
        "capital_stock": 10000000,
        "employee_number": 35,
        "date_of_establishment": "2010-10-01",
        "founding_year": 2010,
        "business_summary": "食品の卸売",
        "industry": ["卸売業，小売業"],
        "update_date": "2026-09-15",
    },
)
