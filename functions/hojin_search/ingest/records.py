"""A corporation's record as the union of what every source contributed.

The hojin table keeps, beside the ``document`` clients read, ``activity_sources``: each source's items by
source id. Ingesting a source replaces that source's entry and rebuilds the document's activity parts from
all entries, so the record is exactly the union over sources. Items already in a document before any ingest
(a record written directly, as some tests do) become the entries ``seed:<category>``.
"""

from __future__ import annotations

from typing import Any

from functions.hojin_search.ingest.schema import CATEGORIES, DATE_FIELD
from functions.hojin_search.ingest.store import StoredRecord

LIST_PARTS = ("subsidy", "procurement", "certification", "commendation", "patent")
WORKPLACE_GROUPS = {
    "base_infos": ("average_age", "average_continuous_service_years", "month_average_predetermined_overtime_hours"),
    "women_activity_infos": ("female_workers_proportion", "female_share_of_manager"),
    "compatibility_of_childcare_and_work": ("number_of_maternity_leave", "number_of_paternity_leave"),
}
_ALWAYS_LISTED = ("subsidy", "procurement", "certification", "commendation")
_FINANCE_HEAD = ("accounting_standards", "fiscal_year_cover_page")


def _seed_sources(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    sources: dict[str, dict[str, Any]] = {}
    for category in LIST_PARTS:
        items = document.get(category) or []
        if items:
            sources[f"seed:{category}"] = {"category": category, "items": list(items)}
    return sources


def _sort_key(category: str, item: dict[str, Any]) -> tuple[str, str]:
    return (str(item.get(DATE_FIELD[category]) or ""), str(item.get("title") or ""))


def build_document(base: dict[str, Any], sources: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """``base`` with every activity part rebuilt from ``sources`` (newest last within a part)."""
    document = {k: v for k, v in base.items() if k not in (*LIST_PARTS, "finance", "workplace_info")}
    by_category: dict[str, list[dict[str, Any]]] = {c: [] for c in CATEGORIES}
    for key in sorted(sources):
        entry = sources[key]
        by_category[entry["category"]].extend(entry["items"])
    for category in LIST_PARTS:
        if by_category[category] or category in _ALWAYS_LISTED:
            document[category] = sorted(by_category[category], key=lambda item: _sort_key(category, item))
    finance = sorted(by_category["finance"], key=lambda item: _sort_key("finance", item))
    if finance:
        newest = finance[-1]
        document["finance"] = {
            **{name: newest.get(name) for name in _FINANCE_HEAD if newest.get(name) is not None},
            "major_shareholders": [],
            "management_index": [{k: v for k, v in item.items() if k not in _FINANCE_HEAD} for item in finance],
        }
    workplace = sorted(by_category["workplace"], key=lambda item: _sort_key("workplace", item))
    if workplace:
        newest = workplace[-1]
        document["workplace_info"] = {
            group: {name: newest[name] for name in names if newest.get(name) is not None}
            for group, names in WORKPLACE_GROUPS.items()
        }
    return document


def apply_source(record: StoredRecord, source_id: str, category: str, items: list[dict[str, Any]]) -> StoredRecord:
    """The record with ``source_id``'s contribution replaced by ``items`` (removed when empty)."""
    sources = dict(record.sources) if record.sources is not None else _seed_sources(record.document)
    if items:
        sources[source_id] = {"category": category, "items": items}
    else:
        sources.pop(source_id, None)
    return StoredRecord(record.corporate_number, build_document(record.document, sources), sources)
