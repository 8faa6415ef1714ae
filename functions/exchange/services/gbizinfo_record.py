"""METI ``gbizinfo`` / ``hojin-info``: the corporation's gBizINFO record, read from the open-data table."""

from __future__ import annotations

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

NAME: Final = "gbizinfo-record"

OPENAPI: Final[dict[str, Any]] = {
    "openapi": "3.0.3",
    "info": {"title": "gBizINFO 法人基本情報 (hojin-info)", "version": "1.0.0"},
    "paths": {
        "/hojin-info/{corporate_number}": {
            "get": {
                "summary": "法人の基本情報と活動情報 (gBizINFO のオープンデータ)",
                "parameters": [corporate_number_parameter()],
                "responses": {
                    "200": {
                        "description": "gBizINFO's record of the corporation",
                        "content": {
                            JSON: {
                                "schema": {
                                    "type": "object",
                                    "required": ["corporate_number", "name"],
                                    "properties": {
                                        "corporate_number": {"type": "string"},
                                        "name": {"type": "string"},
                                        "location": {"type": "string"},
                                        "representative_name": {"type": "string"},
                                        "capital_stock": {"type": "integer"},
                                        "date_of_establishment": {"type": "string", "format": "date"},
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


def handle(request: ServiceRequest) -> ServiceAnswer:
    number = corporate_number_in(request)
    if isinstance(number, ServiceAnswer):
        return number
    document = hojin_document(get_settings().hojin_table_name, number)
    if document is None:
        return problem_answer(404, "not-found", "gBizINFO holds no corporation with this number")
    return json_answer(document)
