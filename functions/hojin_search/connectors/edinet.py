"""FSA EDINET → ``finance`` rows.

Inputs, in EDINET's published formats:

- the API v2 document list, ``GET /api/v2/documents.json?date=YYYY-MM-DD&type=2``: ``metadata`` (``status``
  ``"200"`` when the list is good) and ``results``, one per submitted document (``docID``, ``edinetCode``,
  ``secCode``, ``JCN`` — the corporate number, often ``null`` — ``filerName``, ``docTypeCode``,
  ``periodStart``, ``periodEnd``, ``submitDateTime``, ``xbrlFlag``, ``csvFlag``, ...);
- the CSV form of a document (``GET /api/v2/documents/{docID}?type=5``: a ZIP whose ``XBRL_TO_CSV/jpcrp*.csv``
  is UTF-16 LE with BOM, tab-separated, columns 要素ID, 項目名, コンテキストID, 相対年度, 連結・個別,
  期間・時点, ユニットID, 単位, 値).

Securities reports (docTypeCode 120) and their corrections (130) become one ``finance`` row per document:
the period is the document's ``periodEnd``; each figure of the summary of business results is taken from the
consolidated context (``CurrentYearDuration`` / ``CurrentYearInstant``) and, where the filer reports none,
from the non-consolidated one (``..._NonConsolidatedMember``). A filer without a corporate number (``JCN``)
is skipped and reported, never matched by name.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from functions.hojin_search.connectors.common import (
    ConnectorResult,
    DroppedValue,
    Row,
    Skipped,
    corporate_number_or_reason,
)
from platform_common.errors import InvalidInput

API_BASE = "https://api.edinet-fsa.go.jp/api/v2"
SECURITIES_REPORT = "120"
AMENDED_SECURITIES_REPORT = "130"
FINANCE_DOC_TYPES = frozenset({SECURITIES_REPORT, AMENDED_SECURITIES_REPORT})
CSV_COLUMNS = ("要素ID", "項目名", "コンテキストID", "相対年度", "連結・個別", "期間・時点", "ユニットID", "単位", "値")

# element ID → (field of FinanceRow, duration or instant)
ELEMENTS: dict[str, tuple[str, str]] = {
    "jpcrp_cor:NetSalesSummaryOfBusinessResults": ("net_sales_summary_of_business_results", "Duration"),
    "jpcrp_cor:OperatingRevenue1SummaryOfBusinessResults": (
        "operating_revenue1_summary_of_business_results",
        "Duration",
    ),
    "jpcrp_cor:OrdinaryIncomeLossSummaryOfBusinessResults": (
        "ordinary_income_loss_summary_of_business_results",
        "Duration",
    ),
    "jpcrp_cor:NetIncomeLossSummaryOfBusinessResults": ("net_income_loss_summary_of_business_results", "Duration"),
    "jpcrp_cor:CapitalStockSummaryOfBusinessResults": ("capital_stock_summary_of_business_results", "Instant"),
    "jpcrp_cor:NetAssetsSummaryOfBusinessResults": ("net_assets_summary_of_business_results", "Instant"),
    "jpcrp_cor:TotalAssetsSummaryOfBusinessResults": ("total_assets_summary_of_business_results", "Instant"),
    "jpcrp_cor:NumberOfEmployees": ("number_of_employees", "Instant"),
}
ACCOUNTING_STANDARDS = "jpdei_cor:AccountingStandardsDEI"
FISCAL_YEAR_COVER_PAGE = "jpcrp_cor:FiscalYearCoverPage"
NON_CONSOLIDATED = "_NonConsolidatedMember"
NIL = frozenset({"", "－", "-", "―", "‐", "—"})


class EdinetDocument(BaseModel):
    """One result of the document list (the fields this connector reads; the rest are ignored)."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    doc_id: str = Field(alias="docID")
    edinet_code: str | None = Field(default=None, alias="edinetCode")
    sec_code: str | None = Field(default=None, alias="secCode")
    jcn: str | None = Field(default=None, alias="JCN")
    filer_name: str | None = Field(default=None, alias="filerName")
    doc_type_code: str | None = Field(default=None, alias="docTypeCode")
    period_start: str | None = Field(default=None, alias="periodStart")
    period_end: str | None = Field(default=None, alias="periodEnd")
    submit_date_time: str | None = Field(default=None, alias="submitDateTime")
    xbrl_flag: str | None = Field(default=None, alias="xbrlFlag")
    csv_flag: str | None = Field(default=None, alias="csvFlag")


@dataclass(frozen=True)
class Fact:
    """One line of EDINET's CSV form."""

    element: str
    label: str
    context: str
    relative_year: str
    consolidation: str
    period_kind: str
    unit_id: str
    unit: str
    value: str


def parse_document_list(data: bytes) -> list[EdinetDocument]:
    """The results of a ``documents.json`` (type=2) response; a list whose status is not 200 is refused."""
    try:
        loaded = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInput.for_field("documents", f"not EDINET's document list JSON: {exc}") from None
    if not isinstance(loaded, dict) or not isinstance(loaded.get("metadata"), dict):
        raise InvalidInput.for_field("documents", "no metadata object: not EDINET's document list")
    status = str(loaded["metadata"].get("status", ""))
    if status != "200":
        message = loaded["metadata"].get("message", "")
        raise InvalidInput.for_field("documents", f"EDINET answered status {status or '?'} {message}".strip())
    results = loaded.get("results")
    if not isinstance(results, list):
        raise InvalidInput.for_field("documents", "no results list (was the list requested with type=2?)")
    documents: list[EdinetDocument] = []
    for position, item in enumerate(results, start=1):
        try:
            documents.append(EdinetDocument.model_validate(item))
        except ValidationError:
            raise InvalidInput.for_field("documents", f"result {position} has no docID") from None
    return documents


def parse_csv(data: bytes) -> list[Fact]:
    """The facts of EDINET's CSV form (UTF-16 with BOM, tab-separated; UTF-8 accepted too)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InvalidInput.for_field("csv", "EDINET's CSV is UTF-16 with a BOM") from None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t")
    header = [name.strip().lstrip("\ufeff") for name in next(reader, [])]
    missing = [name for name in CSV_COLUMNS if name not in header]
    if missing:
        raise InvalidInput.for_field("csv", f"missing EDINET CSV columns: {', '.join(missing)}")
    at = [header.index(name) for name in CSV_COLUMNS]
    facts: list[Fact] = []
    for row in reader:
        if len(row) < len(header):
            continue
        facts.append(Fact(*(row[i].strip() for i in at)))
    return facts


def csv_from_zip(data: bytes) -> bytes:
    """The main CSV (``XBRL_TO_CSV/jpcrp*.csv``) from the ZIP EDINET returns for ``type=5``."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = sorted(
                n for n in archive.namelist() if n.startswith("XBRL_TO_CSV/jpcrp") and n.lower().endswith(".csv")
            )
            if not names:
                raise InvalidInput.for_field("zip", "no XBRL_TO_CSV/jpcrp*.csv in the archive")
            return archive.read(names[0])
    except zipfile.BadZipFile:
        raise InvalidInput.for_field("zip", "not a ZIP archive") from None


def _number_text(value: str) -> str | None:
    text = unicodedata.normalize("NFKC", value).replace(",", "").strip()
    if text in NIL:
        return None
    sign = -1 if text.startswith(("-", "△", "▲")) else 1
    digits = text.lstrip("-△▲").strip()
    if "." in digits:
        whole, _, fraction = digits.partition(".")
        if fraction.strip("0"):
            raise ValueError("not a whole number")
        digits = whole
    if not digits.isascii() or not digits.isdigit():
        raise ValueError("not a number")
    return str(sign * int(digits))


def finance_row(document: EdinetDocument, facts: list[Fact], corporate_number: str) -> tuple[Row, list[DroppedValue]]:
    """The ``finance`` row of one securities report: consolidated figures first, non-consolidated otherwise."""
    by_key: dict[tuple[str, str], str] = {(f.element, f.context): f.value for f in facts}
    first: dict[str, str] = {}
    for fact in facts:
        first.setdefault(fact.element, fact.value)
    row: Row = {
        "corporate_number": corporate_number,
        "period": document.period_end,
        "accounting_standards": (first.get(ACCOUNTING_STANDARDS) or "").strip() or None,
        "fiscal_year_cover_page": (first.get(FISCAL_YEAR_COVER_PAGE) or "").strip() or None,
    }
    dropped: list[DroppedValue] = []
    for element, (name, kind) in ELEMENTS.items():
        context = f"CurrentYear{kind}"
        row[name] = None
        for candidate in (context, context + NON_CONSOLIDATED):
            raw = by_key.get((element, candidate))
            if raw is None:
                continue
            try:
                value = _number_text(raw)
            except ValueError as exc:
                dropped.append(DroppedValue(document.doc_id, name, raw, str(exc)))
                continue
            if value is not None:
                row[name] = value
                break
    return row, dropped


def finance_rows(document_list: bytes, csv_by_doc_id: Mapping[str, bytes]) -> ConnectorResult:
    """``finance`` rows from a document list and the CSV forms fetched for its securities reports.

    Documents of other types are ignored; a securities report is skipped (and named) when it has no valid
    ``JCN``, no CSV form, no period end, or its CSV is not EDINET's.
    """
    result = ConnectorResult("finance")
    for document in parse_document_list(document_list):
        if document.doc_type_code not in FINANCE_DOC_TYPES:
            continue
        where = f"docID {document.doc_id}"
        number, why = corporate_number_or_reason(document.jcn)
        if number is None:
            reason = f"{why} (JCN) for EDINET code {document.edinet_code or '?'}: not matched by name"
            result.skipped.append(Skipped(where, reason, document.filer_name))
            continue
        if not document.period_end:
            result.skipped.append(Skipped(where, "no periodEnd in the document list", document.filer_name))
            continue
        data = csv_by_doc_id.get(document.doc_id)
        if data is None:
            reason = "no CSV form given" + (" (csvFlag is not 1)" if document.csv_flag != "1" else "")
            result.skipped.append(Skipped(where, reason, document.filer_name))
            continue
        try:
            facts = parse_csv(csv_from_zip(data) if data.startswith(b"PK") else data)
        except InvalidInput as exc:
            result.skipped.append(Skipped(where, exc.detail, document.filer_name))
            continue
        row, dropped = finance_row(document, facts, number)
        result.rows.append(row)
        result.dropped.extend(dropped)
    return result


def fetch_document_list(day: str, api_key: str, *, client: Any = None) -> bytes:  # pragma: no cover - network
    """``documents.json?date=day&type=2`` from EDINET (an httpx client may be passed)."""
    import httpx

    params = {"date": day, "type": "2", "Subscription-Key": api_key}
    http = client or httpx.Client(timeout=30)
    response = http.get(f"{API_BASE}/documents.json", params=params)
    response.raise_for_status()
    return bytes(response.content)


def fetch_document_csv(doc_id: str, api_key: str, *, client: Any = None) -> bytes:  # pragma: no cover - network
    """The ZIP of a document's CSV form (``type=5``)."""
    import httpx

    http = client or httpx.Client(timeout=60)
    response = http.get(f"{API_BASE}/documents/{doc_id}", params={"type": "5", "Subscription-Key": api_key})
    response.raise_for_status()
    return bytes(response.content)
