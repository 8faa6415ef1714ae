"""The National Tax Agency's corporate-number download files (法人番号公表サイト 基本3情報ダウンロード).

Source of the layout: the NTA's "リソース定義書" (resource definition, version 4.x, published with the
download page https://www.houjin-bangou.nta.go.jp/download/ and the Web-API guide
https://www.houjin-bangou.nta.go.jp/webapi/). The full files (全件, one per prefecture, monthly) and the diff
files (差分, daily) share one layout: CSV without a header line, 30 columns in the order of :data:`COLUMNS`,
text values in double quotes, dates ``YYYY-MM-DD``; the "Unicode" version is UTF-8, the other Shift_JIS
(both are read). A file fetched from the Web-API starts with one extra line (lastUpdateDate, count,
divideNumber, divideSize), which is skipped.

Codes used here (same source): ``process`` 01 新規, 11 商号又は名称の変更, 12 国内所在地の変更, 13 国外所在地の
変更, 21 登記記録の閉鎖等, 22 登記記録の復活等, 71 吸収合併, 72 吸収合併無効, 81 商号の登記の抹消, 99 削除 (a
deleted number: every field but sequenceNumber, corporateNumber and updateDate is blank); ``latest`` 1 the
latest state, 0 a past state; ``kind`` and ``closeCause`` as :data:`KINDS` and :data:`CLOSE_CAUSES`;
``prefectureCode`` JIS X 0401 (2 digits), ``cityCode`` JIS X 0402 without the prefecture (3 digits).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.csv as pcsv  # type: ignore[import-untyped]

from platform_common.digits import is_ascii_digits

COLUMNS: tuple[str, ...] = (
    "sequenceNumber",
    "corporateNumber",
    "process",
    "correct",
    "updateDate",
    "changeDate",
    "name",
    "nameImageId",
    "kind",
    "prefectureName",
    "cityName",
    "streetNumber",
    "addressImageId",
    "prefectureCode",
    "cityCode",
    "postCode",
    "addressOutside",
    "addressOutsideImageId",
    "closeDate",
    "closeCause",
    "successorCorporateNumber",
    "changeCause",
    "assignmentDate",
    "latest",
    "enName",
    "enPrefectureName",
    "enCityName",
    "enAddressOutside",
    "furigana",
    "hihyoji",
)
PROCESSES = {
    "01": "新規",
    "11": "商号又は名称の変更",
    "12": "国内所在地の変更",
    "13": "国外所在地の変更",
    "21": "登記記録の閉鎖等",
    "22": "登記記録の復活等",
    "71": "吸収合併",
    "72": "吸収合併無効",
    "81": "商号の登記の抹消",
    "99": "削除",
}
DELETED = "99"
KINDS = {
    "101": "国の機関",
    "201": "地方公共団体",
    "301": "株式会社",
    "302": "有限会社",
    "303": "合名会社",
    "304": "合資会社",
    "305": "合同会社",
    "399": "その他の設立登記法人",
    "401": "外国会社等",
    "499": "その他",
}
CLOSE_CAUSES = {
    "01": "清算の結了等",
    "11": "合併による解散等",
    "21": "登記官による閉鎖",
    "31": "その他の清算の結了等",
}
_WEB_API_HEAD = 4  # lastUpdateDate, count, divideNumber, divideSize
_BLANK_LINE = re.compile(r"(^|\n)[ \t\r]*(\n|$)")


@dataclass
class NtaRows:
    """The file as NTA columns of text, the line each row is on, and the lines that are not rows."""

    table: pa.Table
    lines: list[int]
    malformed: list[tuple[int, str]] = field(default_factory=list)


def _first_fields(text: str) -> list[str]:
    import csv

    first = next((line for line in text.splitlines() if line.strip()), "")
    return next(csv.reader([first]), [])


def is_nta_layout(text: str) -> bool:
    """A header-less CSV whose first row is an NTA record (or the Web-API's first line)."""
    fields = _first_fields(text.lstrip("\ufeff"))
    if len(fields) == len(COLUMNS):
        return is_ascii_digits(fields[1].strip()) and len(fields[1].strip()) == 13
    return len(fields) == _WEB_API_HEAD and is_ascii_digits(fields[0][:4]) and is_ascii_digits(fields[1].strip())


def read_nta(text: str) -> NtaRows:
    """Every row as text, with Arrow's CSV reader (a diff of 100,000 rows in well under a second).

    Rows with another number of values than 30 are reported as malformed; blank lines are skipped. Values
    do not span lines in the NTA's files, so a row's line is its position in the file.
    """
    text = text.lstrip("\ufeff").rstrip("\r\n") + "\n"
    invalid: list[tuple[int, int]] = []

    def on_invalid(row: pcsv.InvalidRow) -> str:
        invalid.append((int(row.number or 0), int(row.actual_columns)))
        return "skip"

    data = text.encode("utf-8")
    table = pcsv.read_csv(
        io.BytesIO(data),
        read_options=pcsv.ReadOptions(column_names=list(COLUMNS), use_threads=False, block_size=1 << 24),
        parse_options=pcsv.ParseOptions(
            newlines_in_values=False, ignore_empty_lines=True, invalid_row_handler=on_invalid
        ),
        convert_options=pcsv.ConvertOptions(
            column_types=dict.fromkeys(COLUMNS, pa.string()),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    # Arrow numbers the rows without the blank lines; map them to the file's lines where there are any.
    physical: list[int] | None = None
    if _BLANK_LINE.search(text):
        physical = [i for i, line in enumerate(text.splitlines(), start=1) if line.strip()]
    malformed: list[tuple[int, str]] = []
    skipped: set[int] = set()
    for number, count in invalid:
        skipped.add(number)
        if number == 1 and count == _WEB_API_HEAD:
            continue  # the Web-API's first line
        line = physical[number - 1] if physical else number
        malformed.append((line, f"expected {len(COLUMNS)} values in the NTA layout, found {count}"))
    total = table.num_rows + len(skipped)
    rows = [number for number in range(1, total + 1) if number not in skipped]
    lines = [physical[number - 1] for number in rows] if physical else rows
    return NtaRows(table, lines, malformed)
