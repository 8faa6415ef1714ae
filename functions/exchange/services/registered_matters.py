"""MOJ ``commercial-registry`` / ``registered-matters``: the registered matters (登記事項) of a corporation.

Synthetic registry data, deterministic per corporate number (the same number always gives the same officers,
dates and capital). Where gBizINFO's record holds a value (name, address, capital, representative,
establishment date, business summary) it is used, so the two services agree about the same corporation.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any, Final

from functions.exchange.services.common import (
    JSON,
    ServiceAnswer,
    ServiceRequest,
    corporate_number_in,
    corporate_number_parameter,
    hojin_document,
    json_answer,
    problem_answer,
    problem_responses,
)
from functions.exchange.settings import get_settings

NAME: Final = "registered-matters"

_SURNAMES: Final = ("佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤", "吉田", "山田")
_GIVEN: Final = ("一郎", "健太", "誠", "大輔", "翔", "陽子", "美穂", "直樹", "恵子", "剛", "由美", "隆")
_PURPOSES: Final = (
    "前各号に附帯又は関連する一切の事業",
    "不動産の賃貸及び管理",
    "情報処理サービス業",
    "経営コンサルタント業",
)
_ADDRESSES: Final = (
    "東京都千代田区丸の内１丁目１番１号",
    "大阪府大阪市中央区本町２丁目２番２号",
    "愛知県名古屋市中区栄３丁目３番３号",
)

OPENAPI: Final[dict[str, Any]] = {
    "openapi": "3.0.3",
    "info": {"title": "登記事項 (registered matters)", "version": "1.0.0"},
    "paths": {
        "/registered-matters/{corporate_number}": {
            "get": {
                "summary": "商業・法人登記の登記事項 (登記事項証明書の記載事項)",
                "parameters": [corporate_number_parameter()],
                "responses": {
                    "200": {
                        "description": "The registered matters",
                        "content": {
                            JSON: {
                                "schema": {
                                    "type": "object",
                                    "required": ["corporate_number", "name", "head_office", "officers"],
                                    "properties": {
                                        "corporate_number": {"type": "string"},
                                        "name": {"type": "string"},
                                        "head_office": {"type": "string"},
                                        "purpose": {"type": "array", "items": {"type": "string"}},
                                        "capital_yen": {"type": "integer"},
                                        "established_on": {"type": "string", "format": "date"},
                                        "registered_on": {"type": "string", "format": "date"},
                                        "officers": {
                                            "type": "array",
                                            "items": {
                                                "type": "object",
                                                "properties": {
                                                    "position": {"type": "string"},
                                                    "name": {"type": "string"},
                                                    "appointed_on": {"type": "string", "format": "date"},
                                                },
                                            },
                                        },
                                    },
                                }
                            }
                        },
                    },
                    **problem_responses(),
                },
            }
        }
    },
}


def _name(rng: random.Random) -> str:
    return f"{rng.choice(_SURNAMES)} {rng.choice(_GIVEN)}"


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def registered_matters(corporate_number: str, record: dict[str, Any]) -> dict[str, Any]:
    """The registered matters of one corporation: gBizINFO's values where it has them, the rest synthetic."""
    rng = random.Random(int(corporate_number))  # noqa: S311  # deterministic synthetic data, not a secret
    established = _date(record.get("date_of_establishment")) or date(1960, 1, 1) + timedelta(days=rng.randrange(22000))
    registered = established  # a company exists from its incorporation registration (設立登記)
    representative = str(record.get("representative_name") or _name(rng))
    officers = [{"position": "代表取締役", "name": representative}]
    officers += [{"position": "取締役", "name": _name(rng)} for _ in range(rng.randint(1, 3))]
    officers.append({"position": "監査役", "name": _name(rng)})
    latest = date(2026, 6, 30)
    for officer in officers:  # terms renew every two years at the general meeting: appointed at the last renewal
        years = rng.choice((0, 2, 4))
        appointed = max(established, date(latest.year - years, 6, rng.randint(20, 29)))
        officer["appointed_on"] = appointed.isoformat()
    summary = record.get("business_summary")
    purposes = [str(summary)] if summary else [rng.choice(_PURPOSES[1:])]
    capital = record.get("capital_stock")
    return {
        "corporate_number": corporate_number,
        "name": str(record.get("name") or f"合同会社{corporate_number[-4:]}"),
        "head_office": str(record.get("location") or rng.choice(_ADDRESSES)),
        "purpose": [*purposes, _PURPOSES[0]],
        "capital_yen": int(capital) if isinstance(capital, int | float) else rng.choice((1, 3, 10, 50)) * 1_000_000,
        "established_on": established.isoformat(),
        "registered_on": registered.isoformat(),
        "officers": officers,
    }


def handle(request: ServiceRequest) -> ServiceAnswer:
    number = corporate_number_in(request)
    if isinstance(number, ServiceAnswer):
        return number
    record = hojin_document(get_settings().hojin_table_name, number)
    if record is None:
        return problem_answer(404, "not-found", "no corporation with this number is registered")
    return json_answer(registered_matters(number, record))
