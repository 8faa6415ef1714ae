"""NTA ``tax-certificates`` / ``tax-payment-status``: whether a corporation's national taxes are paid, by fiscal
year (the facts of a 納税証明書 その3). Synthetic, deterministic per corporate number and year."""

from __future__ import annotations

import random
from datetime import date
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

NAME: Final = "tax-payment-status"
YEARS: Final = 3
TAXES: Final = ("法人税", "消費税及地方消費税")

OPENAPI: Final[dict[str, Any]] = {
    "openapi": "3.0.3",
    "info": {"title": "納税状況 (tax payment status)", "version": "1.0.0"},
    "paths": {
        "/tax-payment-status/{corporate_number}": {
            "get": {
                "summary": "直近3事業年度の国税の納付状況 (納税証明書その3の記載事項)",
                "parameters": [corporate_number_parameter()],
                "responses": {
                    "200": {
                        "description": "Status by fiscal year",
                        "content": {
                            JSON: {
                                "schema": {
                                    "type": "object",
                                    "required": ["corporate_number", "fiscal_years"],
                                    "properties": {
                                        "corporate_number": {"type": "string"},
                                        "no_arrears": {"type": "boolean"},
                                        "fiscal_years": {
                                            "type": "array",
                                            "items": {
                                                "type": "object",
                                                "properties": {
                                                    "fiscal_year": {"type": "integer"},
                                                    "taxes": {"type": "array", "items": {"type": "object"}},
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


def tax_payment_status(corporate_number: str, today: date) -> dict[str, Any]:
    last = today.year - 1 if today.month >= 6 else today.year - 2  # returns are due two months after year end
    years = []
    for year in range(last, last - YEARS, -1):
        rng = random.Random(f"{corporate_number}/{year}")  # noqa: S311  # deterministic synthetic data
        taxes = [{"tax": tax, "status": "未納あり" if rng.random() < 0.05 else "完納"} for tax in TAXES]
        years.append({"fiscal_year": year, "taxes": taxes})
    no_arrears = all(t["status"] == "完納" for y in years for t in y["taxes"])  # type: ignore[attr-defined]
    return {"corporate_number": corporate_number, "no_arrears": no_arrears, "fiscal_years": years}


def handle(request: ServiceRequest) -> ServiceAnswer:
    number = corporate_number_in(request)
    if isinstance(number, ServiceAnswer):
        return number
    if hojin_document(get_settings().hojin_table_name, number) is None:
        return problem_answer(404, "not-found", "no taxpayer with this corporate number")
    return json_answer(tax_payment_status(number, date.today()))
