"""MHLW 職場情報総合サイト (shokuba.mhlw.go.jp) open data CSV → ``workplace`` rows.

The download is Shift_JIS (Windows code page 932; UTF-8 accepted too), comma-separated, one company per line,
with Japanese headings. Headings are matched after NFKC normalisation with spaces removed, so
``育児休業取得者数（男性）`` and ``育児休業取得者数(男性)`` are the same column. Values carry their units
(``41.2歳``, ``12.3年``, ``15.0時間``, ``25.4%``, ``3人``); ``－``, ``-``, ``非公表``, ``不明`` and empty
cells are missing values. A value that is none of these is dropped (and reported) and the row kept; a line
without a valid 法人番号 is skipped and reported.

The date of a row is its update date column when the file has one (``更新日``, ``最終更新日``,
``データ更新日``, ``公表日``), otherwise the ``as_of`` date the caller gives (the day of the download).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from datetime import date

from functions.hojin_search.connectors.common import (
    ConnectorResult,
    DroppedValue,
    Row,
    Skipped,
    corporate_number_or_reason,
)
from functions.hojin_search.ingest.schema import parse_date
from platform_common.errors import InvalidInput

OPEN_DATA_URL = "https://shokuba.mhlw.go.jp/shokuba/opendata"

NUMBER_HEADINGS = ("法人番号",)
NAME_HEADINGS = ("企業名", "会社名", "法人名")
DATE_HEADINGS = ("更新日", "最終更新日", "データ更新日", "公表日")
# heading (normalised) → (field of WorkplaceRow, kind)
HEADINGS: dict[str, tuple[str, str]] = {
    "平均年齢": ("average_age", "decimal"),
    "平均継続勤務年数": ("average_continuous_service_years", "decimal"),
    "月平均所定外労働時間": ("month_average_predetermined_overtime_hours", "decimal"),
    "女性労働者の割合": ("female_workers_proportion", "decimal"),
    "労働者に占める女性労働者の割合": ("female_workers_proportion", "decimal"),
    "管理職に占める女性労働者の割合": ("female_share_of_manager", "decimal"),
    "育児休業取得者数(女性)": ("number_of_maternity_leave", "integer"),
    "育児休業取得者数(男性)": ("number_of_paternity_leave", "integer"),
}
MISSING = frozenset({"", "-", "－", "―", "‐", "—", "ー", "非公表", "不明", "該当なし", "*"})
_UNITS = re.compile(r"(歳|年|時間|%|％|人|名)$")
_DECIMAL = re.compile(r"[0-9]{1,12}(\.[0-9]{1,6})?")


def heading_key(heading: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", heading).lstrip("\ufeff"))


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp932")
    except UnicodeDecodeError:
        raise InvalidInput.for_field("file", "MHLW's CSV is Shift_JIS (cp932) or UTF-8 text") from None


def _value(text: str, kind: str) -> str | None:
    """The number as text for our ingest, ``None`` when missing; ``ValueError`` when unreadable."""
    clean = unicodedata.normalize("NFKC", text).replace(",", "").strip()
    if clean in MISSING:
        return None
    clean = _UNITS.sub("", clean).strip()
    if not _DECIMAL.fullmatch(clean):
        raise ValueError("not a non-negative number")
    if kind == "integer":
        if "." in clean and clean.split(".")[1].strip("0"):
            raise ValueError("not a whole number")
        return str(int(float(clean)))
    return clean


def _find(headings: dict[str, int], names: tuple[str, ...]) -> int | None:
    return next((headings[name] for name in names if name in headings), None)


def workplace_rows(data: bytes, *, as_of: date) -> ConnectorResult:
    """``workplace`` rows from one MHLW open data CSV; see the module text."""
    reader = csv.reader(io.StringIO(_decode(data), newline=""))
    header = next(reader, None)
    if not header:
        raise InvalidInput.for_field("file", "the file is empty: a header line is expected")
    headings = {heading_key(h): i for i, h in enumerate(header)}
    number_at = _find(headings, NUMBER_HEADINGS)
    if number_at is None:
        raise InvalidInput.for_field("file", "no 法人番号 column: not MHLW's workplace open data")
    name_at = _find(headings, NAME_HEADINGS)
    date_at = _find(headings, DATE_HEADINGS)
    columns = [(headings[h], name, kind) for h, (name, kind) in HEADINGS.items() if h in headings]
    result = ConnectorResult("workplace")
    seen: set[str] = set()
    line = 1
    for row in reader:
        line = reader.line_num
        if not row or all(not cell.strip() for cell in row):
            continue
        where = f"line {line}"
        name = row[name_at].strip() if name_at is not None and name_at < len(row) else None
        if len(row) != len(header):
            result.skipped.append(Skipped(where, f"expected {len(header)} values, found {len(row)}", name))
            continue
        number, why = corporate_number_or_reason(row[number_at])
        if number is None:
            result.skipped.append(Skipped(where, f"{why}: not matched by name", name))
            continue
        if number in seen:
            result.skipped.append(Skipped(where, "a second line for the same corporate number", name))
            continue
        reported = as_of.isoformat()
        if date_at is not None and row[date_at].strip():
            try:
                reported = parse_date(row[date_at])
            except ValueError as exc:
                result.dropped.append(DroppedValue(where, "date_of_report", row[date_at], f"{exc}; as_of used"))
        out: Row = {"corporate_number": number, "date_of_report": reported}
        for at, field, kind in columns:
            if out.get(field) is not None:
                continue  # two headings for one field: the first readable one wins
            try:
                out[field] = _value(row[at], kind)
            except ValueError as exc:
                out[field] = None
                result.dropped.append(DroppedValue(where, field, row[at], str(exc)))
        seen.add(number)
        result.rows.append(out)
    return result


def fetch_open_data(url: str, *, client: object = None) -> bytes:  # pragma: no cover - network
    """The CSV at ``url`` (the open data page of the site links the current file)."""
    import httpx

    http = client if isinstance(client, httpx.Client) else httpx.Client(timeout=60)
    response = http.get(url)
    response.raise_for_status()
    return bytes(response.content)
