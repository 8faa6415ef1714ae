"""The human pages of gBizINFO: ``/hojin/search`` (form and results) and ``/hojin/corporations/{number}``.

The search page parses its form with the API's :func:`parse_hojin_query` and answers from the same index
(:func:`get_index`); the corporation page reads the same record as ``GET /v2/hojin/{corporate_number}``.
No API token is needed; the pages are throttled with the rest of the API stage (API Gateway stage throttling
in the cloud), not per token.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any, Final

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from pydantic import ValidationError

from functions.hojin_search.dal import get_store
from functions.hojin_search.engine import get_index
from functions.hojin_search.models import HojinInfo
from functions.hojin_search.pages_layout import (
    Language,
    choose_language,
    error_summary,
    esc,
    render_page,
    select_field,
    text_field,
    with_query,
)
from functions.hojin_search.prefectures import PREFECTURE_NAMES, PREFECTURE_NAMES_EN
from functions.hojin_search.query import PAGE_MAX, parse_hojin_query
from platform_common.corporate_number import validate_corporate_number
from platform_common.digits import is_ascii_digits
from platform_common.errors import DomainError, InvalidInput

router = Router()  # type: ignore[no-untyped-call]  # powertools leaves __init__ unannotated

SEARCH_PATH: Final = "/hojin/search"
CORPORATION_PATH: Final = "/hojin/corporations/"
PAGE_SIZE: Final = 20
SOURCE_SUBSIDY, SOURCE_PROCUREMENT = "4", "1"
FORM_FIELDS: Final = (
    "name",
    "prefecture",
    "corporate_type",
    "capital_stock_from",
    "capital_stock_to",
    "employee_number_from",
    "employee_number_to",
    "founded_year",
)

KINDS: Final = {
    "101": ("国の機関", "National government body"),
    "201": ("地方公共団体", "Local government"),
    "301": ("株式会社", "Stock company (kabushiki kaisha)"),
    "302": ("有限会社", "Limited company (yugen kaisha)"),
    "303": ("合名会社", "General partnership company"),
    "304": ("合資会社", "Limited partnership company"),
    "305": ("合同会社", "Limited liability company (godo kaisha)"),
    "399": ("その他の設立登記法人", "Other registered corporation"),
    "401": ("外国会社等", "Foreign company"),
    "499": ("その他", "Other"),
}

_TEXT: Final[dict[Language, dict[str, str]]] = {
    "ja": {
        "search_title": "法人を検索",
        "intro": "法人名の一部（ひらがな・カタカナ・全角半角を区別しません。「株式会社」などは無視します）"
        "や条件で検索できます。",
        "name": "法人名（部分一致）",
        "prefecture": "都道府県",
        "corporate_type": "法人種別",
        "any": "指定しない",
        "capital_stock_from": "資本金（円）の下限",
        "capital_stock_to": "資本金（円）の上限",
        "employee_number_from": "従業員数の下限",
        "employee_number_to": "従業員数の上限",
        "founded_year": "創業年（西暦4桁、カンマ区切りで複数可）",
        "activities": "活動情報",
        "has_subsidy": "補助金の交付を受けた法人",
        "has_procurement": "政府調達を受注した法人",
        "submit": "検索",
        "results": "検索結果",
        "count": "{total}件中 {start}〜{end}件目",
        "none": "条件に合う法人は見つかりませんでした。",
        "number": "法人番号",
        "corp_name": "法人名",
        "location": "所在地",
        "activity_count": "活動情報の件数",
        "paging": "ページ",
        "prev": "前のページ",
        "next": "次のページ",
        "page_of": "{page} / {pages}ページ",
        "cap_note": "表示できるのは{max}ページまでです。条件を絞り込んでください。",
        "basic": "基本情報",
        "kana": "フリガナ",
        "name_en": "英語表記",
        "kind": "法人種別",
        "postal_code": "郵便番号",
        "status": "状態",
        "representative_name": "代表者",
        "capital_stock": "資本金",
        "employee_number": "従業員数",
        "date_of_establishment": "設立年月日",
        "founding_year": "創業年",
        "business_summary": "事業概要",
        "company_url": "ホームページ",
        "industry": "業種",
        "update_date": "更新日",
        "chart": "補助金・調達の年別金額",
        "chart_desc": "年ごとの補助金交付額と調達受注額の棒グラフです。同じ数値を下の表でも示します。",
        "chart_table": "補助金・調達の年別金額（表）",
        "unit": "単位：円",
        "year": "年",
        "subsidy": "補助金",
        "procurement": "調達",
        "certification": "届出・認定",
        "commendation": "表彰",
        "finance": "財務",
        "patent": "特許",
        "workplace": "職場情報",
        "no_records": "情報はありません。",
        "title": "件名",
        "amount": "金額（円）",
        "date": "日付",
        "department": "府省",
        "category": "区分",
        "target": "対象",
        "patent_type": "種別",
        "application_number": "出願番号",
        "period": "期",
        "net_sales": "売上高",
        "net_income": "当期純利益",
        "total_assets": "総資産",
        "item": "項目",
        "value": "値",
        "yen": "{amount}円",
        "persons": "{count}人",
        "not_found_title": "法人が見つかりません",
        "not_found": "法人番号 {number} の法人は登録されていません。",
        "bad_number_title": "法人番号が正しくありません",
        "unavailable_title": "ただいま利用できません",
        "back": "検索ページへ戻る",
    },
    "en": {
        "search_title": "Search corporations",
        "intro": "Search by part of a corporate name (kana and full/half width are folded; words such as "
        "株式会社 are ignored) and by conditions.",
        "name": "Corporate name (contains)",
        "prefecture": "Prefecture",
        "corporate_type": "Kind of corporation",
        "any": "Any",
        "capital_stock_from": "Capital stock from (yen)",
        "capital_stock_to": "Capital stock to (yen)",
        "employee_number_from": "Employees from",
        "employee_number_to": "Employees to",
        "founded_year": "Founding year (4 digits; several separated by commas)",
        "activities": "Activities",
        "has_subsidy": "Received a subsidy",
        "has_procurement": "Won a government procurement",
        "submit": "Search",
        "results": "Results",
        "count": "{start}–{end} of {total}",
        "none": "No corporation matches.",
        "number": "Corporate number",
        "corp_name": "Name",
        "location": "Location",
        "activity_count": "Activity records",
        "paging": "Pages",
        "prev": "Previous page",
        "next": "Next page",
        "page_of": "Page {page} of {pages}",
        "cap_note": "Only the first {max} pages can be shown. Please narrow the search.",
        "basic": "Basic information",
        "kana": "Kana",
        "name_en": "English name",
        "kind": "Kind",
        "postal_code": "Postal code",
        "status": "Status",
        "representative_name": "Representative",
        "capital_stock": "Capital stock",
        "employee_number": "Employees",
        "date_of_establishment": "Established",
        "founding_year": "Founding year",
        "business_summary": "Business",
        "company_url": "Website",
        "industry": "Industry",
        "update_date": "Updated",
        "chart": "Subsidies and procurement by year",
        "chart_desc": "A bar chart of subsidy and procurement amounts per year. The table below gives the same "
        "figures.",
        "chart_table": "Subsidies and procurement by year (table)",
        "unit": "in yen",
        "year": "Year",
        "subsidy": "Subsidies",
        "procurement": "Procurement",
        "certification": "Certifications and notifications",
        "commendation": "Commendations",
        "finance": "Finance",
        "patent": "Patents",
        "workplace": "Workplace information",
        "no_records": "No records.",
        "title": "Title",
        "amount": "Amount (yen)",
        "date": "Date",
        "department": "Government department",
        "category": "Category",
        "target": "Target",
        "patent_type": "Type",
        "application_number": "Application number",
        "period": "Period",
        "net_sales": "Net sales",
        "net_income": "Net income",
        "total_assets": "Total assets",
        "item": "Item",
        "value": "Value",
        "yen": "{amount} yen",
        "persons": "{count}",
        "not_found_title": "Corporation not found",
        "not_found": "There is no corporation with corporate number {number}.",
        "bad_number_title": "Invalid corporate number",
        "unavailable_title": "Temporarily unavailable",
        "back": "Back to the search page",
    },
}


def _t(lang: Language, key: str, **values: object) -> str:
    text = _TEXT[lang][key]
    return text.format(**values) if values else text


def _request() -> tuple[Language, dict[str, list[str]], str]:
    """The page language, the query string (every value) and the path of the request being served."""
    event = router.current_event
    params = {name: list(values) for name, values in (event.multi_value_query_string_parameters or {}).items()}
    lang = choose_language(next(iter(params.get("lang") or []), None), event.headers.get("cookie"))
    return lang, params, event.path


def _switch_href(path: str, params: Mapping[str, list[str]], lang: Language) -> str:
    return with_query(path, {**params, "lang": "ja" if lang == "en" else "en"})


def _page(
    lang: Language, title: str, body: str, path: str, params: Mapping[str, list[str]], status: int = 200
) -> Response[str]:
    return render_page(
        lang=lang,
        title=title,
        body=body,
        switch_href=_switch_href(path, params, lang),
        status=status,
        remember_language="lang" in params,
    )


# ----------------------------------------------------------------------------------------- search page


def _form(lang: Language, values: Mapping[str, str], sources: Sequence[str], errors: Mapping[str, str]) -> str:
    prefectures = PREFECTURE_NAMES_EN if lang == "en" else PREFECTURE_NAMES
    prefecture_options = [("", _t(lang, "any"))] + [(f"{i + 1:02d}", name) for i, name in enumerate(prefectures)]
    kind_options = [("", _t(lang, "any"))] + [(code, names[lang == "en"]) for code, names in KINDS.items()]

    def field(name: str, **attrs: str) -> str:
        return text_field(name, _t(lang, name), value=values.get(name, ""), error=errors.get(name), **attrs)

    numeric = {"inputmode": "numeric"}
    checks = "".join(
        f'<div class="choice"><input type="checkbox" id="field-source-{code}" name="source" value="{code}"'
        f'{" checked" if code in sources else ""}><label for="field-source-{code}">{esc(_t(lang, key))}</label></div>'
        for code, key in ((SOURCE_SUBSIDY, "has_subsidy"), (SOURCE_PROCUREMENT, "has_procurement"))
    )
    source_error = (
        f'<p class="form-field__error" id="field-source-error">{esc(errors["source"])}</p>'
        if "source" in errors
        else ""
    )
    return (
        f'<form class="form" method="get" action="{SEARCH_PATH}" role="search">'
        f'<input type="hidden" name="lang" value="{lang}">'
        + field("name", maxlength="150", autocomplete="organization")
        + select_field(
            "prefecture",
            _t(lang, "prefecture"),
            prefecture_options,
            value=values.get("prefecture", ""),
            error=errors.get("prefecture"),
        )
        + select_field(
            "corporate_type",
            _t(lang, "corporate_type"),
            kind_options,
            value=values.get("corporate_type", ""),
            error=errors.get("corporate_type"),
        )
        + field("capital_stock_from", **numeric)
        + field("capital_stock_to", **numeric)
        + field("employee_number_from", **numeric)
        + field("employee_number_to", **numeric)
        + field("founded_year", **numeric)
        + f'<fieldset class="form-fieldset" id="field-source"><legend>{esc(_t(lang, "activities"))}</legend>'
        f"{source_error}{checks}</fieldset>"
        f'<p><button class="button" type="submit">{esc(_t(lang, "submit"))}</button></p></form>'
    )


def _results(
    lang: Language, total: int, page: int, rows: Sequence[Mapping[str, Any]], params: Mapping[str, list[str]]
) -> str:
    parts = [f'<section aria-labelledby="results-title"><h2 id="results-title">{esc(_t(lang, "results"))}</h2>']
    if total == 0:
        parts.append(f'<p id="result-count" role="status">{esc(_t(lang, "none"))}</p></section>')
        return "".join(parts)
    start = (page - 1) * PAGE_SIZE + 1
    end = start + len(rows) - 1
    count = _t(lang, "count", total=f"{total:,}", start=f"{start:,}", end=f"{end:,}")
    parts.append(f'<p id="result-count" role="status">{esc(count)}</p>')
    head = "".join(f'<th scope="col">{esc(_t(lang, key))}</th>' for key in ("number", "corp_name", "location"))
    head += f'<th scope="col">{esc(_t(lang, "activity_count"))}</th>'
    body = "".join(
        "<tr>"
        f"<td>{esc(row['corporate_number'])}</td>"
        f'<td><a href="{CORPORATION_PATH}{esc(row["corporate_number"])}?lang={lang}">'
        f"{esc((row.get('name_en') if lang == 'en' else None) or row['name'])}</a></td>"
        f"<td>{esc(row.get('location') or '')}</td>"
        f"<td>{esc(row.get('number_of_activity') or 0)}</td>"
        "</tr>"
        for row in rows
    )
    parts.append(
        f'<div class="table-wrap"><table class="data-table" id="results"><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )
    pages = math.ceil(total / PAGE_SIZE)
    shown_pages = min(pages, PAGE_MAX)
    if pages > 1:
        links = []
        if page > 1:
            href = with_query(SEARCH_PATH, {**params, "page": str(page - 1)})
            links.append(f'<li><a href="{esc(href)}" rel="prev">{esc(_t(lang, "prev"))}</a></li>')
        links.append(f'<li aria-current="page">{esc(_t(lang, "page_of", page=page, pages=shown_pages))}</li>')
        if page < shown_pages:
            href = with_query(SEARCH_PATH, {**params, "page": str(page + 1)})
            links.append(f'<li><a href="{esc(href)}" rel="next">{esc(_t(lang, "next"))}</a></li>')
        parts.append(f'<nav aria-label="{esc(_t(lang, "paging"))}"><ul class="link-list">{"".join(links)}</ul></nav>')
        if pages > PAGE_MAX:
            parts.append(f'<p class="notice">{esc(_t(lang, "cap_note", max=PAGE_MAX))}</p>')
    parts.append("</section>")
    return "".join(parts)


def _search_params(params: Mapping[str, list[str]]) -> tuple[dict[str, str], list[str]]:
    values = {name: (params.get(name) or [""])[0].strip() for name in FORM_FIELDS}
    sources = [code for code in params.get("source", []) if code]
    return values, sources


@router.get(SEARCH_PATH, include_in_schema=False)
def handle_search_page() -> Response[str]:
    lang, params, path = _request()
    values, sources = _search_params(params)
    searched = any(values.values()) or bool(sources) or "page" in params
    title = _t(lang, "search_title")
    intro = f"<p>{esc(_t(lang, 'intro'))}</p>"
    if not searched:
        return _page(lang, title, intro + _form(lang, values, sources, {}), path, params)
    raw = {**values, "source": ",".join(sources), "page": (params.get("page") or ["1"])[0], "limit": str(PAGE_SIZE)}
    try:
        query = parse_hojin_query(raw)
        index = get_index()
        result = index.search(query)
        rows = index.slim(list(result.rows)[:PAGE_SIZE])
    except InvalidInput as exc:
        errors = {error.item: error.message for error in exc.errors} or {"name": exc.detail}
        body = intro + error_summary(lang, errors) + _form(lang, values, sources, errors)
        return _page(lang, title, body, path, params, status=400)
    except DomainError as exc:
        body = f'<p class="notice notice--error">{esc(exc.detail)}</p>'
        return _page(lang, _t(lang, "unavailable_title"), body, path, params, status=int(exc.status))
    body = intro + _form(lang, values, sources, {}) + _results(lang, result.total, query.page, rows, params)
    return _page(lang, title, body, path, params)


# ------------------------------------------------------------------------------------ corporation page


def _yen(lang: Language, amount: int | None) -> str:
    return "" if amount is None else _t(lang, "yen", amount=f"{amount:,}")


def _year(date: str | None) -> str | None:
    return date[:4] if date and len(date) >= 4 and is_ascii_digits(date[:4]) else None


def _table(lang: Language, table_id: str, columns: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    if not rows:
        return f"<p>{esc(_t(lang, 'no_records'))}</p>"
    head = "".join(f'<th scope="col">{esc(_t(lang, column))}</th>' for column in columns)
    body = "".join("<tr>" + "".join(f"<td>{esc(cell)}</td>" for cell in row) + "</tr>" for row in rows)
    return (
        f'<div class="table-wrap"><table class="data-table" id="{table_id}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def _basic(lang: Language, info: HojinInfo) -> str:
    kind = KINDS.get(info.kind or "", (info.kind or "", info.kind or ""))[lang == "en"]
    items: list[tuple[str, str]] = [
        ("number", info.corporate_number),
        ("corp_name", info.name),
        ("kana", info.kana or ""),
        ("name_en", info.name_en or ""),
        ("kind", kind),
        ("postal_code", info.postal_code or ""),
        ("location", info.location or ""),
        ("status", info.status or ""),
        ("representative_name", info.representative_name or ""),
        ("capital_stock", _yen(lang, info.capital_stock)),
        (
            "employee_number",
            "" if info.employee_number is None else _t(lang, "persons", count=f"{info.employee_number:,}"),
        ),
        ("date_of_establishment", info.date_of_establishment or ""),
        ("founding_year", "" if info.founding_year is None else str(info.founding_year)),
        ("business_summary", info.business_summary or ""),
        ("company_url", info.company_url or ""),
        ("industry", "、".join(info.industry) if lang == "ja" else ", ".join(info.industry)),
        ("update_date", info.update_date or ""),
    ]
    rows = "".join(
        f'<div><dt>{esc(_t(lang, key))}</dt><dd id="basic-{key}">{esc(value)}</dd></div>'
        for key, value in items
        if value
    )
    heading = f'<h2 id="basic-title">{esc(_t(lang, "basic"))}</h2>'
    return f'<section aria-labelledby="basic-title">{heading}<dl class="summary-list">{rows}</dl></section>'


def yearly_amounts(info: HojinInfo) -> list[tuple[str, int, int]]:
    """(year, subsidy yen, procurement yen) for each year with an amount, oldest first."""
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for subsidy in info.subsidy:
        year = _year(subsidy.date_of_approval)
        if year and subsidy.amount is not None:
            totals[year][0] += subsidy.amount
    for procurement in info.procurement:
        year = _year(procurement.date_of_order)
        if year and procurement.amount is not None:
            totals[year][1] += procurement.amount
    return [(year, values[0], values[1]) for year, values in sorted(totals.items())]


_SUBSIDY_COLOUR, _PROCUREMENT_COLOUR = "#0017c1", "#c16800"


def bar_chart_svg(lang: Language, years: Sequence[tuple[str, int, int]]) -> str:
    """An accessible grouped bar chart (SVG presentation attributes only: the page's CSP allows no styles)."""
    width, height, left, bottom, top = 640, 300, 110, 40, 30
    plot_height = height - bottom - top
    peak = max([max(s, p) for _y, s, p in years] + [1])
    group = (width - left - 10) / max(len(years), 1)
    bar = min(40.0, group / 3)
    parts = [
        f'<svg id="activity-chart" role="img" aria-labelledby="chart-title chart-desc" viewBox="0 0 {width} {height}" '
        f'width="100%" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="chart-title">{esc(_t(lang, "chart"))}</title>',
        f'<desc id="chart-desc">{esc(_t(lang, "chart_desc"))}</desc>',
        f'<line x1="{left}" y1="{top + plot_height}" x2="{width - 10}" y2="{top + plot_height}" stroke="#333"/>',
        f'<text x="{left - 6}" y="{top + 4}" text-anchor="end" font-size="12" fill="#333">{esc(f"{peak:,}")}</text>',
        f'<text x="{left - 6}" y="{top + plot_height}" text-anchor="end" font-size="12" fill="#333">0</text>',
    ]
    for i, (year, subsidy, procurement) in enumerate(years):
        x = left + i * group + (group - 2 * bar) / 2
        for j, (amount, colour, key) in enumerate(
            ((subsidy, _SUBSIDY_COLOUR, "subsidy"), (procurement, _PROCUREMENT_COLOUR, "procurement"))
        ):
            bar_height = plot_height * amount / peak
            label = f"{year} {_t(lang, key)}: {_yen(lang, amount)}"
            parts.append(
                f'<rect x="{x + j * bar:.1f}" y="{top + plot_height - bar_height:.1f}" width="{bar:.1f}" '
                f'height="{bar_height:.1f}" fill="{colour}"><title>{esc(label)}</title></rect>'
            )
        parts.append(
            f'<text x="{x + bar:.1f}" y="{top + plot_height + 18}" text-anchor="middle" font-size="12" '
            f'fill="#333">{esc(year)}</text>'
        )
    legend_x = left
    for colour, key in ((_SUBSIDY_COLOUR, "subsidy"), (_PROCUREMENT_COLOUR, "procurement")):
        parts.append(f'<rect x="{legend_x}" y="8" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{legend_x + 16}" y="18" font-size="12" fill="#333">{esc(_t(lang, key))}</text>')
        legend_x += 140
    parts.append("</svg>")
    return "".join(parts)


def _chart(lang: Language, info: HojinInfo) -> str:
    years = yearly_amounts(info)
    heading = f'<h2 id="chart-heading">{esc(_t(lang, "chart"))}</h2>'
    if not years:
        return f'<section aria-labelledby="chart-heading">{heading}<p>{esc(_t(lang, "no_records"))}</p></section>'
    rows = [(year, f"{subsidy:,}", f"{procurement:,}") for year, subsidy, procurement in years]
    head = "".join(f'<th scope="col">{esc(_t(lang, key))}</th>' for key in ("year", "subsidy", "procurement"))
    body = "".join(
        f'<tr><th scope="row">{esc(year)}</th><td>{esc(s)}</td><td>{esc(p)}</td></tr>' for year, s, p in rows
    )
    table = (
        f'<div class="table-wrap"><table class="data-table" id="chart-table">'
        f"<caption>{esc(_t(lang, 'chart_table'))} {esc(_t(lang, 'unit'))}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )
    return f'<section aria-labelledby="chart-heading">{heading}{bar_chart_svg(lang, years)}{table}</section>'


def _amount(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


def _parts(lang: Language, info: HojinInfo) -> str:
    sections: list[tuple[str, str]] = [
        (
            "subsidy",
            _table(
                lang,
                "subsidy-table",
                ("title", "amount", "date", "department", "target"),
                [
                    (
                        s.title,
                        _amount(s.amount),
                        s.date_of_approval or "",
                        s.government_departments or "",
                        s.target or "",
                    )
                    for s in info.subsidy
                ],
            ),
        ),
        (
            "procurement",
            _table(
                lang,
                "procurement-table",
                ("title", "amount", "date", "department"),
                [
                    (p.title, _amount(p.amount), p.date_of_order or "", p.government_departments or "")
                    for p in info.procurement
                ],
            ),
        ),
        (
            "certification",
            _table(
                lang,
                "certification-table",
                ("title", "category", "date", "department"),
                [
                    (c.title, c.category or "", c.date_of_approval or "", c.government_departments or "")
                    for c in info.certification
                ],
            ),
        ),
        (
            "commendation",
            _table(
                lang,
                "commendation-table",
                ("title", "category", "date", "department"),
                [
                    (c.title, c.category or "", c.date_of_commendation or "", c.government_departments or "")
                    for c in info.commendation
                ],
            ),
        ),
        (
            "finance",
            _table(
                lang,
                "finance-table",
                ("period", "net_sales", "net_income", "total_assets"),
                [
                    (
                        m.period,
                        _amount(m.net_sales_summary_of_business_results),
                        _amount(m.net_income_loss_summary_of_business_results),
                        _amount(m.total_assets_summary_of_business_results),
                    )
                    for m in (info.finance.management_index if info.finance else [])
                ],
            ),
        ),
        (
            "patent",
            _table(
                lang,
                "patent-table",
                ("patent_type", "application_number", "date", "title"),
                [(p.patent_type, p.application_number, p.application_date or "", p.title) for p in info.patent],
            ),
        ),
        (
            "workplace",
            _table(
                lang,
                "workplace-table",
                ("item", "value"),
                [
                    (name, "" if value is None else str(value))
                    for group in (
                        (
                            info.workplace_info.base_infos,
                            info.workplace_info.women_activity_infos,
                            info.workplace_info.compatibility_of_childcare_and_work,
                        )
                        if info.workplace_info
                        else ()
                    )
                    for name, value in group.items()
                ],
            ),
        ),
    ]
    return "".join(
        f'<section aria-labelledby="{key}-title"><h2 id="{key}-title">{esc(_t(lang, key))}</h2>{html}</section>'
        for key, html in sections
    )


@router.get(f"{CORPORATION_PATH}<corporate_number>", include_in_schema=False)
def handle_corporation_page(corporate_number: str) -> Response[str]:
    lang, params, path = _request()
    back = f'<p><a href="{SEARCH_PATH}?lang={lang}">{esc(_t(lang, "back"))}</a></p>'
    try:
        number = validate_corporate_number(corporate_number)
    except ValueError as exc:
        body = f'<p class="notice notice--error">{esc(exc)}</p>{back}'
        return _page(lang, _t(lang, "bad_number_title"), body, path, params, status=400)
    record = get_store().get_record(number)
    if record is None:
        body = f"<p>{esc(_t(lang, 'not_found', number=number))}</p>{back}"
        return _page(lang, _t(lang, "not_found_title"), body, path, params, status=404)
    try:
        info = HojinInfo.model_validate(record)
    except ValidationError:
        body = f'<p class="notice notice--error">{esc(_t(lang, "unavailable_title"))}</p>{back}'
        return _page(lang, _t(lang, "unavailable_title"), body, path, params, status=503)
    title = (info.name_en if lang == "en" else None) or info.name
    body = _basic(lang, info) + _chart(lang, info) + _parts(lang, info) + back
    return _page(lang, title, body, path, params)
