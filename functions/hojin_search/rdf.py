"""The open data as RDF: the IMI core vocabulary (``ic:``) and gBizINFO's domain vocabulary (``hj:``) in the
named graphs of the retired gBizINFO SPARQL endpoint, so its published example queries run unchanged.

One mapping serves the SPARQL store and the N-Quads bulk files. It works on Arrow tables (the Parquet
columns), column by column with Arrow compute kernels, so 500,000 corporations become N-Quads in seconds;
records in the ``HojinInfo`` shape go through the same mapping after :func:`records_to_tables`.

Shape of a corporation (graph ``http://hojin-info.go.jp/graph/hojin``)::

    <http://hojin-info.go.jp/data/basic/{number}> a hj:法人情報型 ;
        hj:法人基本情報 <…/{number}#key> .
    <…#key> ic:ID [ ic:識別値 "{number}" ] ;
        ic:名称 [ ic:種別 "商号又は名称" ; ic:表記 name ; ic:カナ表記 kana ; ic:ローマ字表記 name_en ] ;
        ic:住所 [ ic:種別 "住所" ; ic:表記 location ; ic:郵便番号 ; ic:都道府県 ; ic:都道府県コード ;
                 ic:市区町村 ; ic:市区町村コード ] ;
        ic:組織種別 [ ic:識別値 kind ] ; ic:代表者 [ ic:表記 representative_name ] ;
        hj:資本金 [ ic:数値 capital_stock ; ic:通貨 "円" ] ; hj:従業員数 [ ic:数値 employee_number ] ;
        ic:設立日 [ ic:標準型日付 date_of_establishment ] ; hj:創業年 founding_year ; hj:活動状況 status ;
        hj:閉鎖日 ; hj:閉鎖事由 ; hj:事業概要 ; hj:企業ホームページ ; hj:業種 (one per industry) ; hj:更新日 .

(the bracketed nodes are IRIs ``…/{number}#id``, ``#name``, ``#address`` … so exports are deterministic).
An activity row (graph ``…/graph/hojyokin`` for subsidies, ``chotatsu``, ``todokede``, ``hyosho``, ``tokkyo``,
``shokuba``, ``zaimu``) is ``<…/basic/{number}> hj:法人活動情報 <…/data/{graph}/{number}/{n}>`` with
``a hj:補助金型`` (etc.), ``ic:名称/ic:表記`` title, ``ic:金額 [ ic:数値 amount ; ic:通貨 "円" ]``, dates
as ``xsd:date`` (``hj:認定日``, ``hj:受注日``, ``hj:表彰日``, ``hj:有効期限``), ``hj:府省`` and one ``hj:<column>``
literal for any other scalar column.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

from functions.hojin_search.prefectures import city_name, prefecture_name

IC = "http://imi.go.jp/ns/core/rdf#"
HJ = "http://hojin-info.go.jp/ns/domain/biz/1#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"
GRAPH_BASE = "http://hojin-info.go.jp/graph/"
DATA_BASE = "http://hojin-info.go.jp/data/"
PREFIXES: dict[str, str] = {"ic": IC, "hj": HJ, "xsd": XSD}

# gBizINFO part → the graph name of the retired endpoint
GRAPH_OF_CATEGORY: dict[str, str] = {
    "basic": "hojin",
    "subsidy": "hojyokin",
    "procurement": "chotatsu",
    "certification": "todokede",
    "commendation": "hyosho",
    "patent": "tokkyo",
    "workplace": "shokuba",
    "finance": "zaimu",
}
ACTIVITY_TYPE: dict[str, str] = {
    "subsidy": "補助金型",
    "procurement": "調達型",
    "certification": "届出認定型",
    "commendation": "表彰型",
    "patent": "特許型",
    "workplace": "職場情報型",
    "finance": "財務情報型",
}


def graph_iri(category: str) -> str:
    return GRAPH_BASE + GRAPH_OF_CATEGORY[category]


def corporation_iri(corporate_number: str) -> str:
    return f"{DATA_BASE}basic/{corporate_number}"


def corporate_number_of(iri: str) -> str | None:
    prefix = f"{DATA_BASE}basic/"
    return iri[len(prefix) :] if iri.startswith(prefix) else None


# ------------------------------------------------------------------------------------------ the mapping


@dataclass(frozen=True)
class Literal:
    """A column as a literal object; ``datatype`` None is a plain string."""

    column: str
    datatype: str | None = None


@dataclass(frozen=True)
class Node:
    """A node of the corporation: ``""`` is the corporation, ``"#key"`` etc. its parts."""

    suffix: str


@dataclass(frozen=True)
class Const:
    value: str
    iri: bool = False


@dataclass(frozen=True)
class Statement:
    subject: str  # node suffix
    predicate: str
    obj: Literal | Node | Const
    when: str | None = None  # the statement exists only where this column is present


_K = "#key"
_INTEGER, _DATE, _YEAR = XSD + "integer", XSD + "date", XSD + "gYear"

BASIC_STATEMENTS: tuple[Statement, ...] = (
    Statement("", RDF_TYPE, Const(HJ + "法人情報型", iri=True)),
    Statement("", HJ + "法人基本情報", Node(_K)),
    Statement(_K, IC + "ID", Node("#id")),
    Statement("#id", IC + "識別値", Literal("corporate_number")),
    Statement(_K, IC + "名称", Node("#name")),
    Statement("#name", IC + "種別", Const("商号又は名称")),
    Statement("#name", IC + "表記", Literal("name")),
    Statement("#name", IC + "カナ表記", Literal("kana")),
    Statement("#name", IC + "ローマ字表記", Literal("name_en")),
    Statement(_K, IC + "住所", Node("#address")),
    Statement("#address", IC + "種別", Const("住所")),
    Statement("#address", IC + "表記", Literal("location")),
    Statement("#address", IC + "郵便番号", Literal("postal_code")),
    Statement("#address", IC + "都道府県", Literal("prefecture_name")),
    Statement("#address", IC + "都道府県コード", Literal("prefecture_code")),
    Statement("#address", IC + "市区町村", Literal("city_name")),
    Statement("#address", IC + "市区町村コード", Literal("city_code")),
    Statement(_K, IC + "組織種別", Node("#kind"), when="kind"),
    Statement("#kind", IC + "識別値", Literal("kind")),
    Statement(_K, IC + "代表者", Node("#representative"), when="representative_name"),
    Statement("#representative", IC + "表記", Literal("representative_name")),
    Statement(_K, HJ + "資本金", Node("#capital"), when="capital_stock"),
    Statement("#capital", IC + "数値", Literal("capital_stock", _INTEGER)),
    Statement("#capital", IC + "通貨", Const("円"), when="capital_stock"),
    Statement(_K, HJ + "従業員数", Node("#employees"), when="employee_number"),
    Statement("#employees", IC + "数値", Literal("employee_number", _INTEGER)),
    Statement(_K, IC + "設立日", Node("#established"), when="date_of_establishment"),
    Statement("#established", IC + "標準型日付", Literal("date_of_establishment", _DATE)),
    Statement(_K, HJ + "創業年", Literal("founding_year", _YEAR)),
    Statement(_K, HJ + "活動状況", Literal("status")),
    Statement(_K, HJ + "閉鎖日", Literal("close_date", _DATE)),
    Statement(_K, HJ + "閉鎖事由", Literal("close_cause")),
    Statement(_K, HJ + "事業概要", Literal("business_summary")),
    Statement(_K, HJ + "企業ホームページ", Literal("company_url")),
    Statement(_K, HJ + "業種", Literal("industry")),
    Statement(_K, HJ + "更新日", Literal("update_date", _DATE)),
)

# Activity columns with a fixed predicate; any other scalar column becomes hj:<column>.
_ACTIVITY_DATES: dict[str, str] = {
    "date_of_approval": "認定日",
    "date_of_order": "受注日",
    "date_of_commendation": "表彰日",
    "expiration_date": "有効期限",
    "application_date": "出願日",
}
_ACTIVITY_LITERALS: dict[str, str] = {
    "government_departments": HJ + "府省",
    "target": HJ + "対象",
    "category": IC + "種別",
    "enterprise_scale": HJ + "企業規模",
    "note": IC + "備考",
}
_ACTIVITY_SKIPPED = frozenset({"corporate_number", "title", "amount", "category_name", "source", "ministry"})


# --------------------------------------------------------------------------------------- Arrow kernels


def escape_literal(values: pa.Array) -> pa.Array:
    """N-Quads string escaping (backslash, quote, line breaks) of a string array."""
    out = values
    for raw, escaped in (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r")):
        out = pc.replace_substring(out, raw, escaped)
    return out


def _literal_text(column: pa.Array, datatype: str | None) -> pa.Array:
    if pa.types.is_list(column.type) or pa.types.is_large_list(column.type):
        raise TypeError("list columns are exploded before this point")
    text = column if pa.types.is_string(column.type) else pc.cast(column, pa.string())
    quoted = pc.binary_join_element_wise('"', escape_literal(text), '"', "")
    if datatype is None:
        return quoted
    return pc.binary_join_element_wise(quoted, f"^^<{datatype}>", "")


def _lines(subjects: pa.Array, predicate: str, objects: pa.Array, graph: str) -> pa.Array:
    return pc.drop_null(pc.binary_join_element_wise(subjects, f" <{predicate}> ", objects, f" <{graph}> .\n", ""))


def _column(table: pa.Table, name: str) -> pa.Array | None:
    if name not in table.column_names:
        return None
    return table.column(name).combine_chunks()


def _present(column: pa.Array | None, length: int) -> pa.Array:
    if column is None:
        return pa.array([False] * length)
    return pc.is_valid(column)


def _mask(values: pa.Array, keep: pa.Array) -> pa.Array:
    return pc.if_else(keep, values, pa.scalar(None, values.type))


def basic_lines(corporations: pa.Table) -> list[pa.Array]:
    """N-Quads lines of the basic information (one array per statement; nulls already dropped)."""
    if corporations.num_rows == 0:
        return []
    graph = graph_iri("basic")
    numbers = _column(corporations, "corporate_number")
    assert numbers is not None, "corporations need a corporate_number column"  # noqa: S101 (invariant)
    base = pc.binary_join_element_wise(f"<{DATA_BASE}basic/", numbers, "")
    subject_of: dict[str, pa.Array] = {}

    def subject(suffix: str) -> pa.Array:
        if suffix not in subject_of:
            subject_of[suffix] = pc.binary_join_element_wise(base, f"{suffix}>", "")
        return subject_of[suffix]

    out: list[pa.Array] = []
    length = corporations.num_rows
    for st in BASIC_STATEMENTS:
        if isinstance(st.obj, Literal) and st.obj.column == "industry":
            out.extend(_industry_lines(corporations, subject(st.subject), st.predicate, graph))
            continue
        if isinstance(st.obj, Literal):
            column = _column(corporations, st.obj.column)
            if column is None:
                continue
            objects = _literal_text(column, st.obj.datatype)
        elif isinstance(st.obj, Node):
            objects = subject(st.obj.suffix)
        else:
            objects = pa.array([_const_text(st.obj)] * length, pa.string())
        if st.when is not None:
            objects = _mask(objects, _present(_column(corporations, st.when), length))
        out.append(_lines(subject(st.subject), st.predicate, objects, graph))
    return out


def _const_text(const: Const) -> str:
    return f"<{const.value}>" if const.iri else f'"{const.value}"'


def _industry_lines(corporations: pa.Table, subjects: pa.Array, predicate: str, graph: str) -> list[pa.Array]:
    column = _column(corporations, "industry")
    if column is None or not (pa.types.is_list(column.type) or pa.types.is_large_list(column.type)):
        return []
    parents = pc.list_parent_indices(column)
    values = pc.list_flatten(column)
    if len(values) == 0:
        return []
    return [_lines(pc.take(subjects, parents), predicate, _literal_text(values, None), graph)]


def activity_lines(category: str, activities: pa.Table, start: int = 0) -> list[pa.Array]:
    """N-Quads lines of one category's rows; row ``n`` (counted from ``start``) is ``…/{number}/{n}``."""
    if activities.num_rows == 0:
        return []
    graph = graph_iri(category)
    numbers = _column(activities, "corporate_number")
    assert numbers is not None, "activities need a corporate_number column"  # noqa: S101 (invariant)
    length = activities.num_rows
    ordinals = pc.cast(pa.array(range(start, start + length), pa.int64()), pa.string())
    owner = pc.binary_join_element_wise(f"<{DATA_BASE}basic/", numbers, ">", "")
    base = pc.binary_join_element_wise(f"<{DATA_BASE}{GRAPH_OF_CATEGORY[category]}/", numbers, "/", ordinals, "")
    item = pc.binary_join_element_wise(base, ">", "")

    def node(suffix: str) -> pa.Array:
        return pc.binary_join_element_wise(base, f"{suffix}>", "")

    out = [
        _lines(owner, HJ + "法人活動情報", item, graph),
        _lines(item, RDF_TYPE, pa.array([f"<{HJ}{ACTIVITY_TYPE[category]}>"] * length), graph),
    ]
    title = _column(activities, "title")
    if title is not None:
        name = _mask(node("#name"), pc.is_valid(title))
        out.append(_lines(item, IC + "名称", name, graph))
        out.append(_lines(node("#name"), IC + "表記", _literal_text(title, None), graph))
    amount = _column(activities, "amount")
    if amount is not None:
        present = pc.is_valid(amount)
        out.append(_lines(item, IC + "金額", _mask(node("#amount"), present), graph))
        out.append(_lines(node("#amount"), IC + "数値", _literal_text(amount, _INTEGER), graph))
        out.append(_lines(node("#amount"), IC + "通貨", _mask(pa.array(['"円"'] * length), present), graph))
    for name in activities.column_names:
        if name in _ACTIVITY_SKIPPED:
            continue
        column = _column(activities, name)
        if column is None or not _is_scalar(column.type):
            continue
        if name in _ACTIVITY_DATES:
            out.append(_lines(item, HJ + _ACTIVITY_DATES[name], _literal_text(column, _DATE), graph))
        else:
            predicate = _ACTIVITY_LITERALS.get(name, HJ + name)
            datatype = _INTEGER if pa.types.is_integer(column.type) else None
            out.append(_lines(item, predicate, _literal_text(column, datatype), graph))
    return out


def _is_scalar(kind: pa.DataType) -> bool:
    return bool(pa.types.is_string(kind) or pa.types.is_integer(kind) or pa.types.is_floating(kind))


def join_lines(arrays: Sequence[pa.Array]) -> bytes:
    """The UTF-8 N-Quads document of line arrays (each element ends with a newline)."""
    if not arrays:
        return b""
    joined = pa.concat_arrays([a.cast(pa.large_string()) for a in arrays if len(a)])
    if len(joined) == 0:
        return b""
    _validity, offsets, data = joined.buffers()
    bounds = np.frombuffer(offsets, dtype=np.int64)
    first, last = int(bounds[joined.offset]), int(bounds[joined.offset + len(joined)])
    return bytes(data[first:last])


def nquads_of_tables(
    corporations: pa.Table | None,
    activities: Mapping[str, pa.Table],
    chunk_rows: int = 50_000,
) -> Iterator[bytes]:
    """N-Quads of the data in chunks of about ``chunk_rows`` rows (for streaming into a store or a file)."""
    if corporations is not None:
        for start in range(0, corporations.num_rows, chunk_rows):
            yield join_lines(basic_lines(corporations.slice(start, chunk_rows)))
    for category, table in activities.items():
        if category not in ACTIVITY_TYPE:
            continue
        for start in range(0, table.num_rows, chunk_rows):
            yield join_lines(activity_lines(category, table.slice(start, chunk_rows), start))


# ------------------------------------------------------------------------------------ records → tables

_RECORD_LISTS = ("subsidy", "procurement", "certification", "commendation", "patent")


def records_to_tables(records: Iterable[Mapping[str, Any]]) -> tuple[pa.Table, dict[str, pa.Table]]:
    """Full records (the ``HojinInfo`` shape) as the corporations table and one table per activity list.

    Records carry codes but not the names of prefecture and municipality: they are derived here (the name of
    the prefecture code, the municipality at the head of ``location``)."""
    corporations: list[dict[str, Any]] = []
    activities: dict[str, list[dict[str, Any]]] = {c: [] for c in _RECORD_LISTS}
    for record in records:
        row = {k: v for k, v in record.items() if not isinstance(v, (list, dict)) or k == "industry"}
        if not row.get("prefecture_name"):
            row["prefecture_name"] = prefecture_name(row.get("prefecture_code"))
        if not row.get("city_name"):
            row["city_name"] = city_name(row.get("location"), row.get("prefecture_name"))
        corporations.append(row)
        for category in _RECORD_LISTS:
            for item in record.get(category) or ():
                scalars = {k: v for k, v in item.items() if isinstance(v, (str, int, float)) and v != "Null"}
                activities[category].append({"corporate_number": record["corporate_number"], **scalars})
    corporations.sort(key=lambda r: str(r["corporate_number"]))
    tables = {c: _table_of(rows) for c, rows in activities.items() if rows}
    return _table_of(corporations), tables


def _table_of(rows: list[dict[str, Any]]) -> pa.Table:
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    data = {name: [row.get(name) for row in rows] for name in columns}
    arrays = {}
    for name, values in data.items():
        if name == "industry":
            arrays[name] = pa.array(values, pa.list_(pa.string()))
        elif all(v is None or (isinstance(v, int) and not isinstance(v, bool)) for v in values):
            arrays[name] = pa.array(values, pa.int64())
        else:
            arrays[name] = pa.array([None if v is None else str(v) for v in values], pa.string())
    return pa.table(arrays)
