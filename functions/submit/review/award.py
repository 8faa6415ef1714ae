"""An approved application handed in to gBizINFO as a ``subsidy`` row.

One JSON file per application, ``incoming/<ministry>/subsidy/<application id>.json`` in the open-data bucket:
the gBizINFO ingest picks it up (EventBridge in the cloud, the devstack's S3 notification locally), and the
same file name is the same ingest source, so publishing an award again replaces it instead of adding one.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any, Final

from functions.submit.applications.model import Application

JST: Final = timezone(timedelta(hours=9), "JST")
# Departments as gBizINFO names them; MINISTRY_NAME overrides, an unknown ministry falls back to its short name.
MINISTRY_NAMES: Final = {
    "meti": "経済産業省",
    "mhlw": "厚生労働省",
    "maff": "農林水産省",
    "mlit": "国土交通省",
    "env": "環境省",
    "mext": "文部科学省",
    "soumu": "総務省",
    "digital": "デジタル庁",
}


def award_key(ministry: str, application_id: str) -> str:
    return f"incoming/{ministry}/subsidy/{application_id}.json"


def department_name(ministry: str, configured: str) -> str:
    return configured or MINISTRY_NAMES.get(ministry, ministry.upper())


def award_row(app: Application, amount: int, decided_at: str, department: str) -> dict[str, Any]:
    """The ``subsidy`` row (functions/hojin_search/ingest/schema.py: SubsidyRow) of an approval."""
    approved_on = datetime.fromisoformat(decided_at.replace("Z", "+00:00")).astimezone(JST).date()
    return {
        "corporate_number": app.corporate_number,
        "title": app.subsidy_title,
        "amount": amount,
        "date_of_approval": approved_on.isoformat(),
        "government_departments": department,
        "target": app.receipt_number or app.application_id,
    }


def award_file(row: dict[str, Any]) -> bytes:
    return json.dumps([row], ensure_ascii=False).encode("utf-8")
