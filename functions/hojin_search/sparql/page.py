"""The SPARQL query page: ready examples, a query form and the results as a table (Japanese and English).

It works without JavaScript: the form is sent to the page itself, which runs the query and shows the rows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from html import escape
from typing import Any, Literal
from urllib.parse import urlencode

from functions.hojin_search.rdf import HJ, IC

Language = Literal["ja", "en"]

_PROLOGUE = f"PREFIX ic: <{IC}>\nPREFIX hj: <{HJ}>\n"
_TEXT_PROLOGUE = _PROLOGUE + "PREFIX text: <urn:gbizinfo:text#>\n"


@dataclass(frozen=True)
class Example:
    key: str
    title_ja: str
    title_en: str
    query: str


def examples(corporate_number: str = "8999900000001") -> tuple[Example, ...]:
    """The page's examples; the first uses ``corporate_number`` (a demo corporation by default)."""
    return (
        Example(
            "lookup",
            "法人番号で法人名と所在地を調べる",
            "Name and address by corporate number",
            _PROLOGUE
            + "SELECT ?s ?name ?addr\nFROM <http://hojin-info.go.jp/graph/hojin>\nWHERE {\n"
            + f'  ?s hj:法人基本情報 ?k .\n  ?k ic:ID/ic:識別値 "{corporate_number}" ;\n'
            + "     ic:名称/ic:表記 ?name ;\n     ic:住所/ic:表記 ?addr .\n}",
        ),
        Example(
            "fulltext",
            "名前に「工業」を含む法人（全文検索 text:query）",
            "Corporations whose name contains 工業 (full text, text:query)",
            _TEXT_PROLOGUE
            + "SELECT ?s ?name ?pref\nWHERE {\n"
            + '  ?s text:query ("工業" 100) .\n  ?s hj:法人基本情報 ?k .\n'
            + "  ?k ic:名称/ic:表記 ?name ;\n     ic:住所/ic:都道府県 ?pref .\n}\nLIMIT 20",
        ),
        Example(
            "kana",
            "カナ表記が「ア」で始まる法人（公開されていた例）",
            "Names whose reading starts with ア (a published example)",
            _PROLOGUE
            + "SELECT ?s ?corporateName ?corporateKana ?pref ?city\nFROM <http://hojin-info.go.jp/graph/hojin>\n"
            + "WHERE {\n  ?s hj:法人基本情報 ?key .\n  ?key ic:名称 _:n .\n  _:n ic:種別 '商号又は名称' .\n"
            + "  _:n ic:表記 ?corporateName .\n  _:n ic:カナ表記 ?corporateKana .\n  ?key ic:住所 _:a .\n"
            + "  _:a ic:種別 '住所' .\n  _:a ic:都道府県 ?pref .\n  _:a ic:市区町村 ?city .\n"
            + "  FILTER(regex(str(?corporateKana), '^ア'))\n}\nLIMIT 10",
        ),
        Example(
            "subsidies",
            "補助金の多い法人（補助金グラフの集計）",
            "Corporations with the largest subsidies (aggregate over the subsidy graph)",
            _PROLOGUE
            + "SELECT ?s (COUNT(?a) AS ?count) (SUM(?amount) AS ?total)\nWHERE {\n"
            + "  GRAPH <http://hojin-info.go.jp/graph/hojyokin> {\n    ?s hj:法人活動情報 ?a .\n"
            + "    ?a ic:金額/ic:数値 ?amount .\n  }\n}\nGROUP BY ?s\nORDER BY DESC(?total)\nLIMIT 10",
        ),
        Example(
            "activities",
            "ある法人の活動情報（すべてのグラフ）",
            "One corporation's activities in every graph",
            _PROLOGUE
            + "SELECT ?graph ?title ?date\nWHERE {\n  GRAPH ?graph {\n"
            + f"    <http://hojin-info.go.jp/data/basic/{corporate_number}> hj:法人活動情報 ?a .\n"
            + "    ?a ic:名称/ic:表記 ?title .\n"
            + "    OPTIONAL { ?a hj:認定日|hj:受注日|hj:表彰日 ?date }\n  }\n}\nORDER BY ?graph ?date",
        ),
    )


_TEXT = {
    "ja": {
        "title": "SPARQLクエリ — gBizINFO",
        "h1": "SPARQLで法人情報を調べる",
        "lead": "法人インフォメーションのデータをSPARQL 1.1で検索できます。"
        "語彙は共通語彙基盤（ic:）と法人活動情報語彙（hj:）、"
        "グラフは旧gBizINFOと同じ名前（http://hojin-info.go.jp/graph/hojin、hojyokin、chotatsu、todokede、hyosho、"
        "tokkyo、shokuba、zaimu）です。",
        "endpoint": "エンドポイント",
        "endpoint_text": "プログラムからは {endpoint} に GET（query パラメータ）または"
        " POST（application/sparql-query、"
        "フォーム形式）で送ってください。結果は Accept ヘッダで JSON・XML・CSV・TSV を選べます。"
        "API トークンは不要です。",
        "limits": "読み取り専用です（更新と SERVICE は使えません）。"
        "1クエリの実行時間は {timeout} 秒まで、結果は {rows} 行までです。",
        "fulltext_h": "名前の全文検索（text:query）",
        "fulltext": "FILTER(CONTAINS(...)) で全法人の名前を調べると遅くなります。代わりに "
        '<code>?s &lt;urn:gbizinfo:text#query&gt; "文字列"</code>'
        "（または PREFIX text: &lt;urn:gbizinfo:text#&gt; を宣言して "
        '<code>?s text:query "文字列"</code>）と書くと、名前にその文字列を含む法人が索引から ?s に入ります。'
        "全角・半角、大文字・小文字、カタカナ・ひらがなの違いと「株式会社」などの法人種別の語は区別しません。"
        '<code>("文字列" 500)</code> と書くと最大件数を指定できます（既定 10,000 件、法人番号順）。',
        "examples": "例",
        "query_label": "SPARQLクエリ",
        "query_field": "クエリ本文（SPARQL 1.1）",
        "format_label": "結果の形式",
        "run": "実行",
        "results": "結果",
        "rows": "{rows} 行（{ms:.1f} ミリ秒）",
        "truncated": "結果が上限に達したため一部のみ表示しています。",
        "error": "クエリを実行できませんでした",
        "table_caption": "クエリの結果",
        "other_lang": "English",
        "other_lang_code": "en",
        "use": "この例を使う",
    },
    "en": {
        "title": "SPARQL query — gBizINFO",
        "h1": "Query corporate data with SPARQL",
        "lead": "Query gBizINFO's data with SPARQL 1.1. The vocabulary is the IMI core vocabulary (ic:) and gBizINFO's "
        "domain vocabulary (hj:); the graphs keep the names of the retired gBizINFO endpoint "
        "(http://hojin-info.go.jp/graph/hojin, hojyokin, chotatsu, todokede, hyosho, tokkyo, shokuba, zaimu).",
        "endpoint": "Endpoint",
        "endpoint_text": "Programs send GET (a query parameter) or POST (application/sparql-query, or a form) to "
        "{endpoint}. Choose JSON, XML, CSV or TSV results with the Accept header. No API token is needed.",
        "limits": "Read-only (no updates, no SERVICE). A query may run for {timeout} s and return {rows} rows at most.",
        "fulltext_h": "Full-text search over names (text:query)",
        "fulltext": "FILTER(CONTAINS(...)) reads every corporation's name and is slow. Write "
        '<code>?s &lt;urn:gbizinfo:text#query&gt; "text"</code> instead (or declare PREFIX text: '
        '&lt;urn:gbizinfo:text#&gt; and write <code>?s text:query "text"</code>): ?s is bound, from an index, to the '
        "corporations whose name contains the text, ignoring width, case, katakana/hiragana and corporate-kind words "
        'such as 株式会社. <code>("text" 500)</code> sets the most subjects returned (default 10,000, in corporate '
        "number order).",
        "examples": "Examples",
        "query_label": "SPARQL query",
        "query_field": "Query text (SPARQL 1.1)",
        "format_label": "Result format",
        "run": "Run",
        "results": "Results",
        "rows": "{rows} rows ({ms:.1f} ms)",
        "truncated": "The result reached the limit; only part of it is shown.",
        "error": "The query could not be run",
        "table_caption": "Query results",
        "other_lang": "日本語",
        "other_lang_code": "ja",
        "use": "Use this example",
    },
}


@dataclass(frozen=True)
class PageResult:
    """What the page shows under the form: rows of a SELECT/ASK in JSON results form, or an error."""

    json_results: dict[str, Any] | None = None
    rows: int = 0
    elapsed_ms: float = 0.0
    truncated: bool = False
    error: str | None = None


def _cell(binding: dict[str, Any] | None) -> str:
    if binding is None:
        return ""
    value = escape(str(binding.get("value", "")))
    if binding.get("type") == "uri":
        return f'<a href="{value}" rel="nofollow">{value}</a>' if value.startswith("http") else value
    return value


def _results_html(result: PageResult, t: dict[str, str]) -> str:
    if result.error is not None:
        return (
            f'<section aria-labelledby="results-h"><h2 id="results-h">{t["results"]}</h2>'
            f'<div class="error" role="alert"><p><strong>{t["error"]}</strong></p>'
            f"<pre>{escape(result.error)}</pre></div></section>"
        )
    data = result.json_results
    if data is None:
        return ""
    parts = [f'<section aria-labelledby="results-h"><h2 id="results-h">{t["results"]}</h2>']
    parts.append(f'<p role="status">{t["rows"].format(rows=result.rows, ms=result.elapsed_ms)}</p>')
    if result.truncated:
        parts.append(f"<p>{t['truncated']}</p>")
    if "boolean" in data:
        parts.append(f"<p><output>{'true' if data['boolean'] else 'false'}</output></p>")
    else:
        variables = data["head"]["vars"]
        parts.append(f'<div class="table-wrap"><table><caption>{t["table_caption"]}</caption><thead><tr>')
        parts.extend(f'<th scope="col">?{escape(v)}</th>' for v in variables)
        parts.append("</tr></thead><tbody>")
        for row in data["results"]["bindings"]:
            parts.append("<tr>" + "".join(f"<td>{_cell(row.get(v))}</td>" for v in variables) + "</tr>")
        parts.append("</tbody></table></div>")
    parts.append("</section>")
    return "".join(parts)


_STYLE = """
body{font-family:"Noto Sans JP",system-ui,sans-serif;color:#333;margin:0;line-height:1.7}
main,header,footer{max-width:72rem;margin:0 auto;padding:0 1rem}
.skip-link{position:absolute;left:-999px}.skip-link:focus{left:1rem;top:1rem;background:#fff;padding:.5rem}
textarea{width:100%;font-family:ui-monospace,monospace;font-size:.95rem}
pre,code{font-family:ui-monospace,monospace;white-space:pre-wrap;word-break:break-all}
.table-wrap{overflow-x:auto}table{border-collapse:collapse}th,td{border:1px solid #999;padding:.25rem .5rem;
text-align:left;vertical-align:top}caption{text-align:left;font-weight:bold}
.error{border:2px solid #c00;padding:0 1rem}button{font-size:1rem;padding:.4rem 1.5rem}
a:focus,button:focus,textarea:focus,select:focus{outline:3px solid #0050c8;outline-offset:2px}
details{margin:.5rem 0}
"""


def render_page(
    language: Language,
    query: str,
    result_format: str,
    result: PageResult | None,
    timeout_seconds: float,
    max_results: int,
    corporate_number: str = "8999900000001",
) -> str:
    t = _TEXT[language]
    example_list = examples(corporate_number)
    other = t["other_lang_code"]
    current_query = query or example_list[0].query
    example_items = []
    for example in example_list:
        title = example.title_ja if language == "ja" else example.title_en
        link = "query?" + urlencode({"lang": language, "query": example.query})
        example_items.append(
            f"<li><details><summary>{escape(title)}</summary><pre><code>{escape(example.query)}</code></pre>"
            f'<p><a href="{escape(link)}" data-example="{example.key}">{t["use"]}</a></p></details></li>'
        )
    formats = "".join(
        f'<option value="{value}"{" selected" if value == result_format else ""}>{label}</option>'
        for value, label in (("table", "HTML"), ("json", "JSON"), ("xml", "XML"), ("csv", "CSV"), ("tsv", "TSV"))
    )
    other_link = "query?" + urlencode({"lang": other, **({"query": query} if query else {})})
    return f"""<!doctype html>
<html lang="{language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{t["title"]}</title>
<style>{_STYLE}</style>
</head>
<body>
<a class="skip-link" href="#main">{"本文へ移動" if language == "ja" else "Skip to content"}</a>
<header><p><a href="{escape(other_link)}" hreflang="{other}" lang="{other}">{t["other_lang"]}</a></p></header>
<main id="main">
<h1>{t["h1"]}</h1>
<p>{t["lead"]}</p>
<section aria-labelledby="endpoint-h">
<h2 id="endpoint-h">{t["endpoint"]}</h2>
<p>{t["endpoint_text"].format(endpoint='<code><a href="../sparql">/hojin/sparql</a></code>')}</p>
<p>{t["limits"].format(timeout=f"{timeout_seconds:g}", rows=f"{max_results:,}")}</p>
</section>
<section aria-labelledby="fulltext-h">
<h2 id="fulltext-h">{t["fulltext_h"]}</h2>
<p>{t["fulltext"]}</p>
</section>
<section aria-labelledby="examples-h">
<h2 id="examples-h">{t["examples"]}</h2>
<ul>{"".join(example_items)}</ul>
</section>
<form method="get" action="query" aria-labelledby="query-h">
<h2 id="query-h">{t["query_label"]}</h2>
<input type="hidden" name="lang" value="{language}">
<p><label for="query">{t["query_field"]}</label><br>
<textarea id="query" name="query" rows="14" spellcheck="false" required>{escape(current_query)}</textarea></p>
<p><label for="format">{t["format_label"]}</label>
<select id="format" name="format">{formats}</select>
<button type="submit">{t["run"]}</button></p>
</form>
{_results_html(result, t) if result is not None else ""}
</main>
</body>
</html>
"""


def page_result_from_json(body: bytes, rows: int, elapsed_ms: float, truncated: bool) -> PageResult:
    return PageResult(json.loads(body), rows, elapsed_ms, truncated)
