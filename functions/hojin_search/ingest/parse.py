"""Reading a ministry's file: encoding detection, CSV or JSON, every value kept as text with its line."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from typing import Any

from platform_common.errors import InvalidInput

BOM = b"\xef\xbb\xbf"


@dataclass
class RawRows:
    """The file as columns of text (``None`` where a value is absent) and the line each row starts on."""

    columns: dict[str, list[str | None]]
    lines: list[int]
    encoding: str
    format: str
    malformed: list[tuple[int, str]] = field(default_factory=list)  # (line, reason): rows that are not rows

    @property
    def count(self) -> int:
        return len(self.lines)


def decode(data: bytes) -> tuple[str, str]:
    """The text and its encoding: UTF-8 (with or without BOM) or Shift_JIS (Windows code page 932)."""
    if data.startswith(BOM):
        return data[len(BOM) :].decode("utf-8", errors="strict"), "utf-8-sig"
    try:
        return data.decode("utf-8", errors="strict"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp932", errors="strict"), "cp932"
    except UnicodeDecodeError:
        raise InvalidInput.for_field("file", "the file is neither UTF-8 nor Shift_JIS (cp932) text") from None


def detect_format(source_name: str, text: str) -> str:
    lowered = source_name.lower()
    if lowered.endswith(".csv"):
        return "csv"
    if lowered.endswith((".json", ".jsonl", ".ndjson")):
        return "json"
    return "json" if text.lstrip()[:1] in ("[", "{") else "csv"


def read_rows(data: bytes, source_name: str) -> RawRows:
    text, encoding = decode(data)
    fmt = detect_format(source_name, text)
    if fmt == "csv":
        return _read_csv(text, encoding)
    return _read_json(text, encoding)


def _read_csv(text: str, encoding: str) -> RawRows:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise InvalidInput.for_field("file", "the file is empty: a header line is expected") from None
    names = [name.strip().lstrip("\ufeff") for name in header]
    if not any(names):
        raise InvalidInput.for_field("file", "the header line names no columns")
    columns: dict[str, list[str | None]] = {name: [] for name in names if name}
    positions = [(i, name) for i, name in enumerate(names) if name]
    lines: list[int] = []
    malformed: list[tuple[int, str]] = []
    width = len(names)
    start = reader.line_num + 1
    for row in reader:
        line = start
        start = reader.line_num + 1
        if not row or (len(row) == 1 and not row[0].strip()):
            continue  # blank line
        if len(row) != width:
            malformed.append((line, f"expected {width} values as in the header, found {len(row)}"))
            continue
        lines.append(line)
        for i, name in positions:
            columns[name].append(row[i])
    return RawRows(columns, lines, encoding, "csv", malformed)


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def _read_json(text: str, encoding: str) -> RawRows:
    stripped = text.lstrip()
    items: list[tuple[int, Any]] = []
    malformed: list[tuple[int, str]] = []
    if stripped.startswith("["):
        try:
            loaded = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidInput.for_field("file", f"not valid JSON: {exc.msg} at line {exc.lineno}") from None
        except RecursionError:  # arrays in arrays thousands deep: no ministry file, but no crash either
            raise InvalidInput.for_field("file", "the JSON nests too deeply") from None
        items = list(enumerate(loaded, start=1))  # the n-th object stands for its "line"
    else:  # JSON Lines
        # Only \n ends a JSON Lines record: str.splitlines() would also split inside strings at U+0085, U+2028 ...
        for number, line in enumerate(text.split("\n"), start=1):
            if not line.strip():
                continue
            try:
                items.append((number, json.loads(line)))
            except json.JSONDecodeError as exc:
                malformed.append((number, f"not valid JSON: {exc.msg}"))
            except RecursionError:
                malformed.append((number, "the JSON nests too deeply"))
    columns: dict[str, list[str | None]] = {}
    lines: list[int] = []
    for number, item in items:
        if not isinstance(item, dict):
            malformed.append((number, "each record must be a JSON object"))
            continue
        row = len(lines)
        for key in item:
            if key not in columns:
                columns[key] = [None] * row
        for key, values in columns.items():
            values.append(_as_text(item.get(key)))
        lines.append(number)
    return RawRows(columns, lines, encoding, "json", malformed)
