"""The SPARQL query page in a real browser (Debian's Chromium) against the devstack: ready examples, the
text:query example, a syntax error, and the form by keyboard alone. Each state is saved to ``.build/screenshots/``."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import SCREENSHOTS

pytestmark = pytest.mark.browser

MAX_TABS = 60


def _shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"sparql-{name}.png"), full_page=True)


def _watch(page: Page) -> list[str]:
    failures: list[str] = []
    page.on("response", lambda response: failures.append(response.url) if response.status >= 400 else None)
    page.on("pageerror", lambda error: failures.append(str(error)))
    return failures


def _result_rows(page: Page) -> list[list[str]]:
    rows = page.locator("table tbody tr")
    return [[cell.strip() for cell in rows.nth(i).locator("td").all_inner_texts()] for i in range(rows.count())]


def test_given_the_page_when_the_lookup_example_is_run_then_its_row_shows(
    chromium_page: Page, devstack: dict[str, Any]
) -> None:
    page, base = chromium_page, devstack["base_url"].rstrip("/")
    failures = _watch(page)

    page.goto(f"{base}/hojin/sparql/query")
    expect(page.get_by_role("heading", level=1)).to_have_text("SPARQLで法人情報を調べる")
    page.get_by_text("法人番号で法人名と所在地を調べる").click()  # opens the example's <details>
    page.locator('a[data-example="lookup"]').click()

    expect(page.get_by_role("status")).to_contain_text("1 行")
    expect(page.get_by_role("columnheader", name="?name")).to_be_visible()
    rows = _result_rows(page)
    assert len(rows) == 1
    assert "デモ工業株式会社" in rows[0]
    # The example's query stays in the form, ready to be changed and run again.
    expect(page.get_by_role("textbox", name="クエリ本文（SPARQL 1.1）")).to_contain_text("SELECT ?s ?name ?addr")
    _shot(page, "lookup")
    assert failures == []


def test_given_the_text_query_example_when_run_then_every_name_contains_the_text(
    chromium_page: Page, devstack: dict[str, Any]
) -> None:
    page, base = chromium_page, devstack["base_url"].rstrip("/")
    failures = _watch(page)

    page.goto(f"{base}/hojin/sparql/query?lang=en")
    page.get_by_text("Corporations whose name contains 工業").click()
    page.locator('a[data-example="fulltext"]').click()

    expect(page.get_by_role("columnheader", name="?name")).to_be_visible()
    rows = _result_rows(page)
    assert rows
    assert all("工業" in row[1] for row in rows)
    _shot(page, "fulltext")
    assert failures == []


def test_given_a_syntax_error_when_run_then_a_clear_alert_names_the_problem(
    chromium_page: Page, devstack: dict[str, Any]
) -> None:
    page, base = chromium_page, devstack["base_url"].rstrip("/")

    page.goto(f"{base}/hojin/sparql/query")
    page.get_by_role("textbox", name="クエリ本文（SPARQL 1.1）").fill("SELECT ?s WHERE { ?s ?p ")
    page.get_by_role("button", name="実行").click()

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("クエリを実行できませんでした")
    expect(alert).to_contain_text("query")
    expect(page.locator("table")).to_have_count(0)
    # The broken query is kept so it can be corrected.
    expect(page.get_by_role("textbox", name="クエリ本文（SPARQL 1.1）")).to_have_value("SELECT ?s WHERE { ?s ?p ")
    _shot(page, "syntax-error")


def test_given_only_a_keyboard_when_writing_and_running_a_query_then_csv_comes_back(
    chromium_page: Page, devstack: dict[str, Any]
) -> None:
    page, base = chromium_page, devstack["base_url"].rstrip("/")
    page.goto(f"{base}/hojin/sparql/query")

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('skip-link')")
    expect(page.locator(".skip-link")).to_be_in_viewport()  # visible when focused
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "query":
            break
    else:
        raise AssertionError("the query field cannot be reached with Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # the focus is visible
    page.keyboard.press("Control+A")
    page.keyboard.type("SELECT ?n WHERE { ?s <http://imi.go.jp/ns/core/rdf#表記> ?n } ORDER BY ?n LIMIT 3")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "format"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.type") == "submit"
    page.keyboard.press("Enter")

    expect(page.get_by_role("status")).to_contain_text("3 行")
    assert len(_result_rows(page)) == 3
    _shot(page, "keyboard")
